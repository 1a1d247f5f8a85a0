package web

import (
	"encoding/base64"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"nexo/internal/errs"
)

// Paging limits (A5).
const (
	DefaultLimit = 50
	MaxLimit     = 100
)

// Page is a cursor page request: an opaque cursor and a capped limit.
type Page struct {
	Limit  int
	Cursor string // decoded cursor; "" for the first page
}

// ParsePage reads ?limit= and ?cursor=; a bad value is a 400 naming the field.
func ParsePage(c *fiber.Ctx) (Page, error) {
	p := Page{Limit: DefaultLimit}
	if s := c.Query("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxLimit {
			return p, errs.Field("limit", "must be an integer from 1 to 100")
		}
		p.Limit = n
	}
	if s := c.Query("cursor"); s != "" {
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil || len(b) == 0 || len(b) > 256 {
			return p, errs.Field("cursor", "invalid cursor")
		}
		p.Cursor = string(b)
	}
	return p, nil
}

// EncodeCursor makes the opaque cursor for the next page.
func EncodeCursor(raw string) string {
	if raw == "" {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// List is the envelope of every list response.
type List[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}
