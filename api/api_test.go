package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestSpecLoadsAndValidatorCanFail(t *testing.T) {
	v, err := NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Operations()) < 20 {
		t.Fatalf("only %d operations", len(v.Operations()))
	}
	req := httptest.NewRequest("GET", "/api/v1/users/abc", nil)
	h := http.Header{"Content-Type": {"application/problem+json"}}
	good := `{"type":"https://nexo.dev/problems/not_found","title":"Not Found","status":404,"code":"not_found","detail":"not found"}`
	if err := v.Check(req, nil, 404, h, []byte(good)); err != nil {
		t.Fatalf("valid problem rejected: %v", err)
	}
	if err := v.Check(req, nil, 404, h, []byte(`{"status":"nope"}`)); err == nil {
		t.Fatal("malformed problem accepted")
	}
	ok := http.Header{"Content-Type": {"application/json"}}
	if err := v.Check(req, nil, 200, ok, []byte(`{"id":"x"}`)); err == nil {
		t.Fatal("incomplete user accepted")
	}
	if err := v.Check(httptest.NewRequest("GET", "/api/v1/nowhere", nil), nil, 200, ok, []byte(`{}`)); err == nil || !strings.Contains(err.Error(), "not in openapi.json") {
		t.Fatalf("unknown route: %v", err)
	}
}
