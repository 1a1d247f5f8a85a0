package manufacturing

import (
	"errors"
	"testing"

	"nexo/internal/errs"
)

// FuzzDecodeNewOrder: any body decodes to a valid request or a coded
// invalid error naming a field; never a panic or an uncoded error.
func FuzzDecodeNewOrder(f *testing.F) {
	for _, s := range []string{
		`{"product_id":"0190f0a0-0000-7000-8000-000000000001","quantity":5}`,
		`{"product_id":"x","quantity":-1,"warehouse_id":"","planned_start":"2026-13-01"}`,
		`{"quantity":1e30}`, `{"notes":"\u0007"}`, `[]`, `null`, `{`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := decodeNewOrder(body)
		if err != nil {
			var e *errs.Error
			if !errors.As(err, &e) || e.Code != errs.Invalid || len(e.Fields) == 0 {
				t.Fatalf("%q: %v", body, err)
			}
			return
		}
		if in.Quantity < 1 || in.Quantity > MaxQuantity || (in.PlannedStart != nil && !dateInRange(*in.PlannedStart)) {
			t.Fatalf("%q accepted as %+v", body, in)
		}
	})
}
