package shipping

import (
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"nexo/internal/errs"
)

// Bounds on input, kept below the schema's CHECKs so a long value is a 400
// naming the field, not a constraint error.
const (
	maxText     = 100  // carrier, tracking number (characters)
	maxURL      = 2000 // tracking URL (bytes)
	maxNote     = 500  // a timeline note (characters)
	maxLines    = 500  // lines in one shipment
	maxQuantity = 1_000_000_000_000
)

// check validates a create request before any database work, naming every
// failing field at once.
func (in *NewShipment) check() error {
	f := errs.Fields{}
	if in.OrderID == uuid.Nil {
		f.Add("order_id", "is required")
	}
	if len(in.Lines) > maxLines {
		f.Add("lines", fmt.Sprintf("must have at most %d lines", maxLines))
	}
	seen := make(map[uuid.UUID]bool, len(in.Lines))
	for i, l := range in.Lines {
		field := fmt.Sprintf("lines[%d].", i)
		switch {
		case l.OrderLineID == uuid.Nil:
			f.Add(field+"order_line_id", "is required")
		case seen[l.OrderLineID]:
			f.Add(field+"order_line_id", "names the same order line twice")
		}
		seen[l.OrderLineID] = true
		if l.Quantity <= 0 || l.Quantity > maxQuantity {
			f.Add(field+"quantity", "must be a positive integer")
		}
	}
	checkText(f, "carrier", &in.Carrier)
	checkText(f, "tracking_number", &in.TrackingNumber)
	checkURL(f, "tracking_url", &in.TrackingURL)
	return f.Err()
}

// check validates a carrier and tracking change.
func (in *Update) check() error {
	f := errs.Fields{}
	if in.Carrier != nil {
		checkText(f, "carrier", in.Carrier)
	}
	if in.TrackingNumber != nil {
		checkText(f, "tracking_number", in.TrackingNumber)
	}
	if in.TrackingURL != nil {
		checkURL(f, "tracking_url", in.TrackingURL)
	}
	return f.Err()
}

// check validates a list query and defaults its limit.
func (f *Filter) check() error {
	if f.Limit <= 0 || f.Limit > 101 {
		f.Limit = 50
	}
	if f.Status != "" && !f.Status.Valid() {
		return errs.Field("status", "must be one of draft, packed, shipped, in_transit, delivered, cancelled")
	}
	return nil
}

// checkText trims a short single-line text and refuses control characters
// (they would end up in labels, emails and the portal).
func checkText(f errs.Fields, field string, s *string) {
	*s = strings.TrimSpace(*s)
	switch {
	case !utf8.ValidString(*s) || strings.IndexFunc(*s, unicode.IsControl) >= 0:
		f.Add(field, "must be text without control characters")
	case utf8.RuneCountInString(*s) > maxText:
		f.Add(field, fmt.Sprintf("must be at most %d characters", maxText))
	}
}

// checkNote validates a timeline note, which may span lines.
func checkNote(f errs.Fields, s *string) {
	*s = strings.TrimSpace(*s)
	bad := func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }
	switch {
	case !utf8.ValidString(*s) || strings.IndexFunc(*s, bad) >= 0:
		f.Add("note", "must be text without control characters")
	case utf8.RuneCountInString(*s) > maxNote:
		f.Add("note", fmt.Sprintf("must be at most %d characters", maxNote))
	}
}

// checkURL accepts an absolute https URL with a host and no credentials,
// normalising the scheme to lower case. SECURITY: the URL is rendered as a
// link for staff and customers, so any other scheme (javascript:, data:,
// plain http) is refused rather than escaped later.
func checkURL(f errs.Fields, field string, s *string) {
	*s = strings.TrimSpace(*s)
	if *s == "" {
		return
	}
	if len(*s) > maxURL {
		f.Add(field, fmt.Sprintf("must be at most %d characters", maxURL))
		return
	}
	u, err := url.Parse(*s)
	if err != nil || !strings.EqualFold(u.Scheme, "https") || u.Opaque != "" || u.Hostname() == "" || u.User != nil ||
		strings.IndexFunc(*s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		f.Add(field, "must be an https:// URL")
		return
	}
	*s = "https" + (*s)[len(u.Scheme):]
}
