package web

import (
	"encoding/base64"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

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

// AfterID reads the cursor of a list keyed by UUIDv7 ids (newest first):
// the last id of the previous page, or nil on the first page.
func (p Page) AfterID() (*uuid.UUID, error) {
	if p.Cursor == "" {
		return nil, nil
	}
	id, err := uuid.Parse(p.Cursor)
	if err != nil {
		return nil, errs.Field("cursor", "invalid cursor")
	}
	return &id, nil
}

// Paged turns items, fetched with one row more than limit to learn whether
// another page follows, into a list response: the extra row is dropped and
// its predecessor's id becomes next_cursor.
func Paged[S, T any](items []S, limit int, id func(S) uuid.UUID, conv func(S) T) List[T] {
	out := List[T]{Items: make([]T, 0, min(len(items), limit))}
	if len(items) > limit {
		items = items[:limit]
		out.NextCursor = EncodeCursor(id(items[limit-1]).String())
	}
	for _, it := range items {
		out.Items = append(out.Items, conv(it))
	}
	return out
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
