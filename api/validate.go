package api

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// Validator checks real responses against the embedded document.
type Validator struct {
	doc    *openapi3.T
	router routers.Router
}

// NewValidator loads and validates the embedded document.
func NewValidator() (*Validator, error) {
	doc, err := openapi3.NewLoader().LoadFromData(spec)
	if err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("openapi.json is invalid: %w", err)
	}
	r, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, err
	}
	return &Validator{doc: doc, router: r}, nil
}

// Check validates one exchange: the route must be in the document and the
// response (status, content type, body) must match it.
func (v *Validator) Check(req *http.Request, reqBody []byte, status int, header http.Header, respBody []byte) error {
	route, params, err := v.router.FindRoute(req)
	if err != nil {
		return fmt.Errorf("%s %s is not in openapi.json: %w", req.Method, req.URL.Path, err)
	}
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts},
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(respBody)),
		Options:                opts,
	}
	return openapi3filter.ValidateResponse(context.Background(), in)
}

// Operations lists "METHOD /path" for every documented operation, with
// Fiber's ":id" style for path parameters, to compare with the server's routes.
func (v *Validator) Operations() []string {
	var out []string
	for path, item := range v.doc.Paths.Map() {
		fiberPath := path
		for _, p := range strings.Split(path, "/") {
			if strings.HasPrefix(p, "{") {
				fiberPath = strings.Replace(fiberPath, p, ":"+strings.Trim(p, "{}"), 1)
			}
		}
		for method := range item.Operations() {
			out = append(out, method+" "+fiberPath)
		}
	}
	sort.Strings(out)
	return out
}
