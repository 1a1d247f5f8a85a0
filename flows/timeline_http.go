package flows

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"nexo/internal/errs"
	"nexo/internal/web"
)

// TimelineHandler serves GET /accounts/{id}/timeline.
type TimelineHandler struct {
	svc   *TimelineService
	authz web.Authorizer // asked for each source's permission, beyond the route's own rule
}

// NewTimelineHandler returns the timeline HTTP handler; authz is the same
// authorizer the router uses.
func NewTimelineHandler(svc *TimelineService, authz web.Authorizer) *TimelineHandler {
	return &TimelineHandler{svc: svc, authz: authz}
}

// Routes mounts the route. Whoever may read the account sees its timeline
// and credit position; each kind of record on it also needs that record's
// own read permission, so the timeline never shows more than the lists do.
func (h *TimelineHandler) Routes(r *web.Router) {
	r.Get("/accounts/:id/timeline", web.Perm("accounts:read"), h.get)
}

type timelineJSON struct {
	Credit     creditJSON `json:"credit"`
	Items      []itemJSON `json:"items"`
	NextCursor string     `json:"next_cursor,omitempty"`
}

type itemJSON struct {
	Kind        string     `json:"kind"`
	At          time.Time  `json:"at"`
	ID          uuid.UUID  `json:"id"`
	Title       string     `json:"title"`
	Status      string     `json:"status"`
	Subtype     string     `json:"subtype,omitempty"`
	AmountMinor *int64     `json:"amount_minor,omitempty"`
	Currency    string     `json:"currency,omitempty"`
	OrderID     *uuid.UUID `json:"order_id,omitempty"`
	InvoiceID   *uuid.UUID `json:"invoice_id,omitempty"`
	Summary     string     `json:"summary"`
}

func (h *TimelineHandler) get(c *fiber.Ctx) error {
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return errs.E(errs.NotFound, "account not found")
	}
	limit, before, err := timelinePage(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	can := func(perm string) bool { return h.authz.Authorize(ctx, web.Perm(perm)) == nil }
	tl, err := h.svc.Page(ctx, id, before, limit, can)
	if err != nil {
		return err
	}
	out := timelineJSON{Credit: creditJSON(tl.Credit), Items: make([]itemJSON, len(tl.Items))}
	for i, it := range tl.Items {
		out.Items[i] = itemJSON(it)
	}
	if tl.Next != nil {
		out.NextCursor = EncodeCursor(*tl.Next)
	}
	return c.JSON(out)
}

// timelinePage reads ?limit= (1 to 200, 50 by default) and ?cursor=; a bad
// value is a 400 naming the field, as on every list.
func timelinePage(c *fiber.Ctx) (int, Cursor, error) {
	limit := TimelineDefaultLimit
	if s := c.Query("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > TimelineMaxLimit {
			return 0, Cursor{}, errs.Field("limit", "must be an integer from 1 to "+strconv.Itoa(TimelineMaxLimit))
		}
		limit = n
	}
	var before Cursor
	if s := c.Query("cursor"); s != "" {
		var err error
		if before, err = DecodeCursor(s); err != nil {
			return 0, Cursor{}, err
		}
	}
	return limit, before, nil
}

// EncodeCursor makes the opaque cursor of a timeline position: the item's
// time and id, base64url so a client passes it back untouched.
func EncodeCursor(c Cursor) string {
	return base64.RawURLEncoding.EncodeToString([]byte(c.At.UTC().Format(time.RFC3339Nano) + "|" + c.ID.String()))
}

// DecodeCursor reads a cursor made by EncodeCursor; anything else is a 400
// naming the cursor.
func DecodeCursor(s string) (Cursor, error) {
	bad := errs.Field("cursor", "invalid cursor")
	if len(s) > 200 {
		return Cursor{}, bad
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, bad
	}
	at, id, ok := strings.Cut(string(raw), "|")
	if !ok {
		return Cursor{}, bad
	}
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil || t.IsZero() || t.Year() < 2000 || t.Year() > 9999 {
		return Cursor{}, bad
	}
	u, err := uuid.Parse(id)
	if err != nil {
		return Cursor{}, bad
	}
	return Cursor{At: t.UTC(), ID: u}, nil
}
