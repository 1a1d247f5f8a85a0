package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBillingStatusAndSeatLimit(t *testing.T) {
	plans := filepath.Join(t.TempDir(), "plans.json")
	err := os.WriteFile(plans, []byte(`{"trial_plan":"tiny","plans":[
		{"id":"tiny","name":"Tiny","price_minor":900,"currency":"EUR","interval":"month","seats":2,"portal_customers":5,"api_rate_per_minute":10,"modules":["crm"]}]}`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	ta := newTestAppWith(t, func(c *Config) { c.BillingPlans = plans })
	owner := ta.signup("seats-co")
	var st struct {
		Plan struct {
			ID string `json:"id"`
		} `json:"plan"`
		State         string `json:"state"`
		TrialDaysLeft int    `json:"trial_days_left"`
		Usage         struct {
			Seats int `json:"seats"`
		} `json:"usage"`
		Limits struct {
			Seats int `json:"seats"`
		} `json:"limits"`
	}
	ta.do(owner, "GET", "/api/v1/billing", nil).json(t, &st)
	if st.Plan.ID != "tiny" || st.State != "trialing" || st.TrialDaysLeft != 14 || st.Usage.Seats != 1 || st.Limits.Seats != 2 {
		t.Fatalf("billing: %+v", st)
	}
	r := ta.do(owner, "POST", "/api/v1/invites", map[string]any{"email": "one@seats-co.example.com", "roles": []string{"viewer"}})
	if r.Status != 201 {
		t.Fatalf("first invite: %d %s", r.Status, r.Body)
	}
	var inv struct {
		ID string `json:"id"`
	}
	r.json(t, &inv)
	r = ta.do(owner, "POST", "/api/v1/invites", map[string]any{"email": "two@seats-co.example.com", "roles": []string{"viewer"}})
	if r.Status != 402 || !strings.Contains(string(r.Body), "seats") {
		t.Fatalf("invite over the seat limit: %d %s", r.Status, r.Body)
	}
	// Revoking the pending invitation frees its seat.
	ta.do(owner, "DELETE", "/api/v1/invites/"+inv.ID, nil)
	if r := ta.do(owner, "POST", "/api/v1/invites", map[string]any{"email": "two@seats-co.example.com", "roles": []string{"viewer"}}); r.Status != 201 {
		t.Fatalf("invite after freeing a seat: %d %s", r.Status, r.Body)
	}
	var list struct {
		Items []struct {
			ID    string `json:"id"`
			Seats int    `json:"seats"`
		} `json:"items"`
	}
	ta.do(owner, "GET", "/api/v1/billing/plans", nil).json(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != "tiny" {
		t.Fatalf("plans: %+v", list)
	}
}

// TestPortalCustomerLimit: the plan's portal_customers bounds invited and
// active portal users; a re-sent invitation takes no second place and a
// disabled contact frees its place.
func TestPortalCustomerLimit(t *testing.T) {
	plans := filepath.Join(t.TempDir(), "plans.json")
	err := os.WriteFile(plans, []byte(`{"trial_plan":"tiny","plans":[
		{"id":"tiny","name":"Tiny","price_minor":900,"currency":"EUR","interval":"month","seats":2,"portal_customers":2,"api_rate_per_minute":100,"modules":["crm"]}]}`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	ta := newTestAppWith(t, func(c *Config) { c.BillingPlans = plans })
	owner := ta.signup("portal-limit")
	acc := ta.createID(t, owner, "/api/v1/accounts", map[string]any{"name": "Limit Buyer"})
	invite := func(contact string) result {
		return ta.do(owner, "POST", "/api/v1/contacts/"+contact+"/portal-invite", nil)
	}
	one := ta.portalContact(t, owner, acc, "one@limit.example.com")
	two := ta.portalContact(t, owner, acc, "two@limit.example.com")
	three := ta.portalContact(t, owner, acc, "three@limit.example.com")
	for _, c := range []string{one, two} {
		if r := invite(c); r.Status != 201 {
			t.Fatalf("invite within the limit: %d %s", r.Status, r.Body)
		}
	}
	if r := invite(one); r.Status != 200 {
		t.Fatalf("re-sent invitation at the limit: %d %s", r.Status, r.Body)
	}
	r := invite(three)
	if r.Status != 402 || !strings.Contains(string(r.Body), "portal_customers") {
		t.Fatalf("invite over the limit: %d %s", r.Status, r.Body)
	}
	var users struct {
		Items []struct{} `json:"items"`
	}
	ta.do(owner, "GET", "/api/v1/portal-users", nil).json(t, &users)
	if len(users.Items) != 2 {
		t.Fatalf("a refused invitation left a portal user: %d", len(users.Items))
	}
	if r := ta.do(owner, "POST", "/api/v1/contacts/"+two+"/portal-disable", nil); r.Status != 200 {
		t.Fatalf("disable: %d %s", r.Status, r.Body)
	}
	if r := invite(three); r.Status != 201 {
		t.Fatalf("invite after disabling a contact: %d %s", r.Status, r.Body)
	}
	if r := invite(two); r.Status != 402 {
		t.Fatalf("re-enabling over the limit: %d %s", r.Status, r.Body)
	}
}
