package main

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

// png16 is a valid 16×16 PNG.
var png16, _ = base64.StdEncoding.DecodeString("iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAFklEQVR4nGPgLmolCTGMahjVMHw1AACwJgIQC/cFwQAAAABJRU5ErkJggg==")

type brandingBody struct {
	Slug        string  `json:"slug"`
	DisplayName string  `json:"display_name"`
	AccentColor string  `json:"accent_color"`
	LogoURL     *string `json:"logo_url"`
}

func TestPortalBranding(t *testing.T) {
	ta := newTestApp(t)
	a := ta.signup("brand-a")
	b := ta.signup("brand-b")

	// Defaults: the company name and Nexo's blue, no logo.
	var got brandingBody
	ta.do(nil, "GET", "/api/v1/portal/brand-a", nil).json(t, &got)
	if got.DisplayName == "" || got.AccentColor != "#1c5fd4" || got.LogoURL != nil {
		t.Fatalf("defaults: %+v", got)
	}

	r := ta.do(a, "PATCH", "/api/v1/settings", map[string]string{"portal_display_name": "  Brand A Hub ", "accent_color": "#0B7285"})
	if r.Status != 200 || !strings.Contains(string(r.Body), `"accent_color":"#0b7285"`) || !strings.Contains(string(r.Body), `"portal_display_name":"Brand A Hub"`) {
		t.Fatalf("patch: %d %s", r.Status, r.Body)
	}
	if r := ta.do(a, "PUT", "/api/v1/settings/logo", png16, "Content-Type", "image/png"); r.Status != 200 || !strings.Contains(string(r.Body), `"has_logo":true`) {
		t.Fatalf("put logo: %d %s", r.Status, r.Body)
	}
	ta.do(nil, "GET", "/api/v1/portal/brand-a", nil).json(t, &got)
	if got.DisplayName != "Brand A Hub" || got.AccentColor != "#0b7285" || got.LogoURL == nil {
		t.Fatalf("after: %+v", got)
	}
	logo := ta.do(nil, "GET", *got.LogoURL, nil)
	if logo.Status != 200 || !bytes.Equal(logo.Body, png16) || logo.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("logo: %d %q", logo.Status, logo.Header.Get("Content-Type"))
	}
	if r := ta.do(nil, "GET", *got.LogoURL, nil, "If-None-Match", logo.Header.Get("ETag")); r.Status != 304 {
		t.Errorf("conditional logo: %d", r.Status)
	}

	// Tenant B's portal shows none of it (T4).
	var other brandingBody
	ta.do(nil, "GET", "/api/v1/portal/brand-b", nil).json(t, &other)
	if other.DisplayName == "Brand A Hub" || other.AccentColor != "#1c5fd4" || other.LogoURL != nil {
		t.Fatalf("tenant B sees A's branding: %+v", other)
	}
	if r := ta.do(nil, "GET", "/api/v1/portal/brand-b/logo", nil); r.Status != 404 {
		t.Errorf("B's logo: %d", r.Status)
	}
	// B removing "its" logo leaves A's in place.
	if r := ta.do(b, "DELETE", "/api/v1/settings/logo", nil); r.Status != 204 {
		t.Fatalf("delete B: %d %s", r.Status, r.Body)
	}
	if r := ta.do(nil, "GET", "/api/v1/portal/brand-a/logo", nil); r.Status != 200 {
		t.Fatalf("A's logo after B's delete: %d", r.Status)
	}

	// Unknown portals and bad input.
	if r := ta.do(nil, "GET", "/api/v1/portal/no-such-portal", nil); r.Status != 404 {
		t.Errorf("unknown portal: %d", r.Status)
	}
	bad := []struct {
		body        any
		contentType string
		field       string
	}{
		{`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`, "image/svg+xml", "logo"},
		{"GIF89a not really", "image/png", "logo"},
		{png16, "image/jpeg", "logo"},
		{[]byte{}, "image/png", "logo"},
		{bytes.Repeat(png16, 600<<10/len(png16)), "image/png", "logo"},
	}
	for _, tc := range bad {
		r := ta.do(a, "PUT", "/api/v1/settings/logo", tc.body, "Content-Type", tc.contentType)
		if r.Status != 400 || r.problemField(tc.field) == "" {
			t.Errorf("logo %s: %d %s", tc.contentType, r.Status, r.Body)
		}
	}
	for field, v := range map[string]string{"accent_color": "blue", "portal_display_name": strings.Repeat("x", 101)} {
		if r := ta.do(a, "PATCH", "/api/v1/settings", map[string]string{field: v}); r.Status != 400 || r.problemField(field) == "" {
			t.Errorf("%s=%q: %d %s", field, v, r.Status, r.Body)
		}
	}
	// The logo is still the first one: refused uploads changed nothing.
	if r := ta.do(nil, "GET", "/api/v1/portal/brand-a/logo", nil); !bytes.Equal(r.Body, png16) {
		t.Error("a refused upload replaced the logo")
	}
	if r := ta.do(a, "DELETE", "/api/v1/settings/logo", nil); r.Status != 204 {
		t.Fatalf("delete A: %d", r.Status)
	}
	ta.do(nil, "GET", "/api/v1/portal/brand-a", nil).json(t, &got)
	if got.LogoURL != nil {
		t.Errorf("logo after delete: %v", *got.LogoURL)
	}
}
