package main

import (
	"context"
	"strings"
	"testing"

	"github.com/uptrace/bun"
)

// TestPortalSuspendedAndHeaders: a suspended tenant's portal answers the
// same 404 problem as an unknown one, and the logo is served cacheable with
// its version, as the SPA's login page expects.
func TestPortalSuspendedAndHeaders(t *testing.T) {
	ta := newTestApp(t)
	a := ta.signup("portal-susp-a")
	if r := ta.do(a, "PUT", "/api/v1/settings/logo", png16, "Content-Type", "image/png"); r.Status != 200 {
		t.Fatalf("put logo: %d %s", r.Status, r.Body)
	}
	var b brandingBody
	ta.do(nil, "GET", "/api/v1/portal/portal-susp-a", nil).json(t, &b)
	if b.LogoURL == nil || !strings.HasPrefix(*b.LogoURL, "/api/v1/portal/portal-susp-a/logo?v=") {
		t.Fatalf("logo_url: %v", b.LogoURL)
	}
	logo := ta.do(nil, "GET", *b.LogoURL, nil)
	if logo.Header.Get("Cache-Control") != "public, max-age=300" || !strings.Contains(*b.LogoURL, strings.Trim(logo.Header.Get("ETag"), `"`)) {
		t.Errorf("logo headers: %v", logo.Header)
	}

	unknown := ta.do(nil, "GET", "/api/v1/portal/portal-susp-none", nil)
	err := ta.db.Platform(context.Background(), func(ctx context.Context, tx bun.IDB) error {
		_, err := tx.NewUpdate().Table("tenants").Set("status = 'suspended'").Where("slug = ?", "portal-susp-a").Exec(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/api/v1/portal/portal-susp-a", "/api/v1/portal/portal-susp-a/logo"} {
		r := ta.do(nil, "GET", p, nil)
		if r.Status != unknown.Status || r.Status != 404 || r.Header.Get("Content-Type") != "application/problem+json" || r.problemCode() != unknown.problemCode() {
			t.Errorf("%s of a suspended tenant: %d %s", p, r.Status, r.Body)
		}
	}
}
