package crm

import (
	"testing"

	"nexo/internal/errs"
)

// FuzzOpportunityBody: any opportunity body is a clean 4xx naming a field
// or a valid input, never a panic; LineAmount never overflows.
func FuzzOpportunityBody(f *testing.F) {
	f.Add([]byte(`{"name":"Deal","account_id":"0190d7a8-0000-7000-8000-000000000001","amount_minor":100,"expected_close":"2030-01-31"}`))
	f.Add([]byte(`{"lines":[{"product_id":"0190d7a8-0000-7000-8000-000000000001","quantity":999999999999,"unit_price_minor":999999999999,"discount_bp":10000}]}`))
	f.Add([]byte(`{"probability":null,"contact_id":null,"status":"won"}`))
	f.Add([]byte(`{"expected_close":"31/01/2030","probability":1e3}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := DecodeOpportunity(body)
		if err != nil {
			if errs.CodeOf(err) != errs.Invalid {
				t.Fatalf("decode %q: %v", body, err)
			}
			return
		}
		for _, creating := range []bool{true, false} {
			if err := in.check(creating); err != nil && errs.CodeOf(err) != errs.Invalid {
				t.Fatalf("check %q: %v", body, err)
			}
		}
		if in.Lines != nil && in.check(false) == nil {
			for _, l := range *in.Lines {
				price := int64(0)
				if l.UnitPriceMinor != nil {
					price = *l.UnitPriceMinor
				}
				if a, ok := LineAmount(l.Quantity, price, l.DiscountBP); ok && (a < 0 || a > MaxAmountMinor) {
					t.Fatalf("line amount %d out of range for %+v", a, l)
				}
			}
		}
	})
}

// FuzzPipelineBody: the same for pipeline bodies and their stage rules.
func FuzzPipelineBody(f *testing.F) {
	f.Add([]byte(`{"name":"Sales","stages":[{"name":"A","probability":10},{"name":"W","probability":100,"won":true},{"name":"L","probability":0,"lost":true}]}`))
	f.Add([]byte(`{"stages":[{"id":"x","name":"","probability":-1,"won":true,"lost":true}]}`))
	f.Add([]byte(`{"default":false,"stages":[]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := DecodePipeline(body)
		if err != nil {
			if errs.CodeOf(err) != errs.Invalid {
				t.Fatalf("decode %q: %v", body, err)
			}
			return
		}
		for _, creating := range []bool{true, false} {
			if err := in.check(creating); err != nil && errs.CodeOf(err) != errs.Invalid {
				t.Fatalf("check %q: %v", body, err)
			}
		}
	})
}
