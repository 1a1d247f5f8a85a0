package invoicing

import (
	"errors"
	"testing"
	"time"

	"nexo/internal/errs"
)

// fuzzDecode feeds arbitrary bodies to a decoder (and the service's
// checks): it never panics, and a refusal is always a coded invalid error
// (a 400 naming the field), never anything the handler would answer 500 (Q1).
func fuzzDecode(f *testing.F, decode func([]byte) error, seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		err := decode(body)
		var e *errs.Error
		if err != nil && (!errors.As(err, &e) || e.Code != errs.Invalid) {
			t.Fatalf("%q: %v", body, err)
		}
	})
}

func FuzzIssueBody(f *testing.F) {
	fuzzDecode(f, func(b []byte) error { _, err := decodeIssue(b); return err },
		`{"order_id":"0190a4b4-0000-7000-8000-000000000001"}`, `{"order_id":1}`, `{}`, `{"order_id":"x","status":"paid"}`, `null`)
}

func FuzzPaymentBody(f *testing.F) {
	today := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	fuzzDecode(f, func(b []byte) error {
		in, err := decodePayment(b)
		if err != nil {
			return err
		}
		return in.check(today)
	}, `{"invoice_id":"0190a4b4-0000-7000-8000-000000000001","amount_minor":100,"method":"card","received_on":"2026-03-01"}`,
		`{"amount_minor":-1}`, `{"amount_minor":1e30}`, `{"method":"cash","reference":"\u0000"}`, `{"received_on":"2026-02-30"}`)
}

func FuzzCreditNoteBody(f *testing.F) {
	fuzzDecode(f, func(b []byte) error {
		in, err := decodeCreditNote(b)
		if err != nil {
			return err
		}
		return in.check()
	}, `{"invoice_id":"0190a4b4-0000-7000-8000-000000000001","reason":"broken","lines":[{"invoice_line_id":"0190a4b4-0000-7000-8000-000000000002","quantity":1}]}`,
		`{"lines":[]}`, `{"lines":[{"quantity":0}]}`, `{"reason":"`+"\x01"+`"}`, `{"lines":null,"tenant_id":"x"}`)
}
