package manufacturing

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"nexo/internal/errs"
)

// Planned start dates outside these years are typing mistakes, and keeping
// them out keeps due dates storable on both engines.
const (
	minYear = 2000
	maxYear = 2200
)

// check validates a create request before any database work, naming every
// failing field at once.
func (in *NewOrder) check() error {
	f := errs.Fields{}
	if in.ProductID == uuid.Nil {
		f.Add("product_id", "is required")
	}
	if in.Quantity <= 0 || in.Quantity > MaxQuantity {
		f.Add("quantity", fmt.Sprintf("must be a whole number from 1 to %d", MaxQuantity))
	}
	if in.WarehouseID != nil && *in.WarehouseID == uuid.Nil {
		f.Add("warehouse_id", "must be a warehouse id")
	}
	if in.PlannedStart != nil && !dateInRange(*in.PlannedStart) {
		f.Add("planned_start", fmt.Sprintf("must be a date between %d and %d", minYear, maxYear))
	}
	checkNotes(f, "notes", &in.Notes)
	return f.Err()
}

func (f *Filter) check() error {
	fe := errs.Fields{}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	if f.Status != "" && !f.Status.Valid() {
		fe.Add("status", "must be one of planned, released, in_progress, completed, cancelled")
	}
	return fe.Err()
}

func dateInRange(t time.Time) bool { return t.Year() >= minYear && t.Year() <= maxYear }

// checkNotes trims the text and refuses control characters other than line
// breaks and tabs.
func checkNotes(f errs.Fields, field string, s *string) {
	*s = strings.TrimSpace(*s)
	switch {
	case !utf8.ValidString(*s):
		f.Add(field, "must be valid UTF-8")
	case utf8.RuneCountInString(*s) > MaxNotes:
		f.Add(field, fmt.Sprintf("must be at most %d characters", MaxNotes))
	case strings.IndexFunc(*s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) >= 0:
		f.Add(field, "must not contain control characters")
	}
}
