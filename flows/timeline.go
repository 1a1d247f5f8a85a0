package flows

import (
	"bytes"
	"context"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/tenant"
)

// Timeline item kinds: one per source.
const (
	KindActivity   = "activity"
	KindQuote      = "quote"
	KindOrder      = "order"
	KindProduction = "production"
	KindShipment   = "shipment"
	KindInvoice    = "invoice"
	KindPayment    = "payment"
	KindCreditNote = "credit_note"
	KindRefund     = "refund"
	KindTicket     = "ticket"
)

// Timeline page sizes.
const (
	TimelineDefaultLimit = 50
	TimelineMaxLimit     = 200
)

// Item is one entry of an account's 360° timeline: a record of some kind,
// placed at its creation time, with what a list row shows and the ids a
// client needs to link to the record's own page.
type Item struct {
	Kind        string
	At          time.Time // creation time; (At, ID) orders the timeline
	ID          uuid.UUID
	Title       string // the document number, or the activity's subject
	Status      string // the record's current status; "" when it has none
	Subtype     string // the activity's kind, the payment's method
	AmountMinor *int64 // in Currency; nil for records without an amount
	Currency    string
	OrderID     *uuid.UUID // the sales order the record belongs to
	InvoiceID   *uuid.UUID // the invoice a payment or credit note settles
	Summary     string     // one line of the record's own text
}

// Cursor is a position in a timeline: the items strictly older than (At,
// ID) come after it. The zero Cursor is the newest end.
type Cursor struct {
	At time.Time
	ID uuid.UUID
}

// IsZero reports the first page's cursor.
func (c Cursor) IsZero() bool { return c.At.IsZero() }

// cursorOf is the position of it.
func cursorOf(it Item) Cursor { return Cursor{At: it.At, ID: it.ID} }

// Query is what a source is asked for: at most Limit of the account's
// records older than Before, newest first.
type Query struct {
	AccountID uuid.UUID
	Before    Cursor
	Limit     int
	// Can reports whether the caller holds a permission, for a source with
	// a record rule beyond its read permission (activities:read:all).
	Can func(perm string) bool
}

// SourceFunc reads one kind of record for a timeline page. It must order by
// (At, ID) descending and keep only items strictly older than q.Before, or
// pages would overlap or skip items.
type SourceFunc func(ctx context.Context, q Query) ([]Item, error)

// Source is one kind of record on the timeline and the permission a caller
// needs to see it: a warehouse user sees shipments on a customer's
// timeline, not its invoices.
type Source struct {
	Kind  string
	Perm  string
	Fetch SourceFunc
}

// Timeline is one page of an account's timeline with its credit position.
// Next is nil on the last page.
type Timeline struct {
	Credit Credit
	Items  []Item
	Next   *Cursor
}

// TimelineService merges the account's records from every source into one
// chronological view. Sources are data: a new kind of record (quotes) is
// one more Source in the list the wiring passes.
type TimelineService struct {
	db      *tenant.DB
	credit  *CreditService
	sources []Source
}

// NewTimelineService wires the timeline flow over sources.
func NewTimelineService(d *tenant.DB, credit *CreditService, sources ...Source) *TimelineService {
	return &TimelineService{db: d, credit: credit, sources: sources}
}

// Page returns the account's credit position and its limit items older than
// before, newest first, from the sources whose permission can grants. An
// unknown account (or another tenant's) is not found. Everything is read in
// one transaction.
//
// Each source returns up to limit+1 items older than the cursor; the newest
// limit of their union are the page, and anything left over means another
// page follows. Since every source orders and filters by the same (At, ID)
// key, and ids are unique, no item is repeated or skipped between pages.
func (s *TimelineService) Page(ctx context.Context, accountID uuid.UUID, before Cursor, limit int, can func(string) bool) (Timeline, error) {
	if limit <= 0 || limit > TimelineMaxLimit {
		limit = TimelineDefaultLimit
	}
	if can == nil {
		can = func(string) bool { return false }
	}
	var out Timeline
	err := s.db.Run(ctx, func(ctx context.Context, _ bun.IDB) error {
		var err error
		if out.Credit, err = s.credit.Position(ctx, accountID, uuid.Nil); err != nil {
			return err
		}
		q := Query{AccountID: accountID, Before: before, Limit: limit + 1, Can: can}
		var all []Item
		for _, src := range s.sources {
			if src.Perm != "" && !can(src.Perm) {
				continue
			}
			items, err := src.Fetch(ctx, q)
			if err != nil {
				return err
			}
			all = append(all, items...)
		}
		slices.SortFunc(all, newestFirst)
		if len(all) > limit {
			all = all[:limit]
			next := cursorOf(all[limit-1])
			out.Next = &next
		}
		out.Items = all
		return nil
	})
	return out, err
}

// newestFirst orders items by (At, ID) descending, the order every source
// reads in.
func newestFirst(a, b Item) int {
	if c := b.At.Compare(a.At); c != 0 {
		return c
	}
	return bytes.Compare(b.ID[:], a.ID[:])
}
