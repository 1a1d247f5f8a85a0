package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// TestTicketAssignees: support staff, who cannot list users, get the
// ticket assignee picker: the tenant's active staff users who handle
// tickets (tickets:write), with id, name and email only; nobody of another
// tenant, no one without the permission, no deactivated user. PATCH refuses
// anyone else as assignee_id; customers and staff without tickets:write get
// 403.
func TestTicketAssignees(t *testing.T) {
	ta := newTestApp(t)
	owner := ta.signup("assignees-a")
	other := ta.signup("assignees-b")
	ta.erpStaff(t, other, "assignees-b", "support") // another tenant's support user
	support := ta.erpStaff(t, owner, "assignees-a", "support")
	finance := ta.erpStaff(t, owner, "assignees-a", "finance")
	viewer := ta.erpStaff(t, owner, "assignees-a", "viewer")
	leaver := ta.staffUser(t, owner, "assignees-a", "leaver@assignees-a.example.com", "support")
	id := func(c *client) string {
		var me meBody
		ta.do(c, "GET", "/api/v1/me", nil).json(t, &me)
		return me.User.ID
	}
	ownerID, supportID, financeID, viewerID, leaverID := id(owner), id(support), id(finance), id(viewer), id(leaver)
	if r := ta.do(owner, "POST", "/api/v1/users/"+leaverID+"/deactivate", nil); r.Status >= 300 {
		t.Fatalf("deactivate: %d %s", r.Status, r.Body)
	}
	acc := ta.createID(t, owner, "/api/v1/accounts", map[string]any{"name": "Assignee Buyer"})
	cust := ta.portalCustomer(t, owner, "assignees-a", acc, "carla@assignees.example.com")
	tk := ta.createID(t, owner, "/api/v1/tickets", map[string]any{"account_id": acc, "subject": "Help", "message": "Please"})

	// The list: exactly the owner and the active support user, by name,
	// and nothing but id, name and email.
	r := ta.do(support, "GET", "/api/v1/tickets/assignees", nil)
	if r.Status != 200 {
		t.Fatalf("support listing assignees: %d %s", r.Status, r.Body)
	}
	var list struct {
		Items []map[string]any `json:"items"`
	}
	r.json(t, &list)
	var ids []string
	for _, it := range list.Items {
		keys := make([]string, 0, len(it))
		for k := range it {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if strings.Join(keys, ",") != "email,id,name" {
			t.Errorf("assignee fields: %v", keys)
		}
		ids = append(ids, it["id"].(string))
	}
	slices.Sort(ids)
	want := []string{ownerID, supportID}
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Errorf("assignees %s; want the owner and support (%v)", r.Body, want)
	}
	if strings.Contains(string(r.Body), "assignees-b") || strings.Contains(string(r.Body), "roles") {
		t.Errorf("assignees leak another tenant or roles: %s", r.Body)
	}

	// Only ticket handlers may ask.
	for who, c := range map[string]*client{"finance": finance, "viewer": viewer, "customer": cust} {
		if r := ta.do(c, "GET", "/api/v1/tickets/assignees", nil); r.Status != 403 {
			t.Errorf("%s listing assignees: %d %s", who, r.Status, r.Body)
		}
	}

	// PATCH takes a listed assignee and refuses anyone else by field.
	for who, uid := range map[string]string{"finance": financeID, "viewer": viewerID, "a deactivated support user": leaverID} {
		r := ta.do(support, "PATCH", "/api/v1/tickets/"+tk, map[string]any{"assignee_id": uid})
		if r.Status != 400 || r.problemField("assignee_id") == "" {
			t.Errorf("assigning %s: %d %s", who, r.Status, r.Body)
		}
	}
	r = ta.do(support, "PATCH", "/api/v1/tickets/"+tk, map[string]any{"assignee_id": supportID})
	var got struct {
		AssigneeID string `json:"assignee_id"`
	}
	if r.Status != 200 || json.Unmarshal(r.Body, &got) != nil || got.AssigneeID != supportID {
		t.Errorf("assigning support: %d %s", r.Status, r.Body)
	}
}
