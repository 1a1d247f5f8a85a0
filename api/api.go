// Package api holds Nexo's OpenAPI 3 document (hand-written, embedded in
// the binary and served at /api/v1/openapi.json), the /api/docs page that
// renders it without any outside script, and a validator tests use to hold
// every real response to the document.
package api

import _ "embed"

//go:embed openapi.json
var spec []byte

//go:embed docs.html
var docs []byte

// Spec returns the OpenAPI document.
func Spec() []byte { return spec }

// DocsHTML returns the self-contained documentation page.
func DocsHTML() []byte { return docs }
