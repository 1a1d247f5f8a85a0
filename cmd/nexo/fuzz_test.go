package main

import (
	"strings"
	"testing"
)

// fuzzBody posts arbitrary bytes to path: the answer is never a 5xx, and a
// 4xx is problem+json (Q1). Writes happen only on success, which the
// handlers' transactions guarantee.
func fuzzBody(f *testing.F, slug, path string, seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	ta := newTestApp(f)
	owner := ta.signup(slug) // one slug per target: on PostgreSQL the package shares a database
	f.Fuzz(func(t *testing.T, body []byte) {
		ta.t = t
		r := ta.do(owner, "POST", path, body)
		if r.Status >= 500 {
			t.Fatalf("%s: %d %s", body, r.Status, r.Body)
		}
		if r.Status >= 400 && r.Header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("%s: %d with %q", body, r.Status, r.Header.Get("Content-Type"))
		}
	})
}

func FuzzSignupBody(f *testing.F) {
	fuzzBody(f, "fuzz-signup", "/api/v1/signup",
		`{"company":"A","slug":"fuzz-a","name":"N","email":"a@b.example.com","password":"`+testPassword+`"}`,
		`{"company":1}`, `{"slug":"`+strings.Repeat("a", 100)+`"}`, `[]`, `null`, `{"company":"\u0000"}`, `{"email":"a@b","x":1}`)
}

func FuzzLoginBody(f *testing.F) {
	fuzzBody(f, "fuzz-login", "/api/v1/auth/login",
		`{"email":"owner@fuzz-login.example.com","password":"`+testPassword+`"}`,
		`{"email":"a@b.example.com","password":"x","tenant":"nope","totp":"123456"}`, `{"email":[]}`, `{}`, `"x"`)
}

func FuzzInviteBody(f *testing.F) {
	fuzzBody(f, "fuzz-invite", "/api/v1/invites",
		`{"email":"x@fuzz-invite.example.com","roles":["viewer"]}`, `{"email":"x@y.example.com","roles":["owner","nope"]}`,
		`{"roles":null}`, `{"email":"x@y.example.com","roles":[1]}`, `{"email":"x@y.example.com","roles":["viewer"],"tenant_id":"x"}`)
}
