package invoicing

import (
	"strings"
	"testing"

	"nexo/internal/errs"
)

// TestIssueCreditNote: crediting 1 of 6 invoiced chairs takes 12.10 off
// the balance; more than is left to credit is refused per line; crediting
// the last bolts takes exactly what is left of their line; crediting the
// whole balance of an unpaid invoice leaves it credited.
func TestIssueCreditNote(t *testing.T) {
	e := newEnv(t)
	fx := newFixture(t, e)
	order, _, _ := e.order(t, fx, 6, 3)
	inv := e.issue(t, fx, order) // 60.00 + 12.60 chairs, 0.14 + 0.03 bolts = 72.77
	chairs, bolts := inv.Lines[0].ID, inv.Lines[1].ID
	cn, err := e.svc.IssueCreditNote(fx.ctx, NewCreditNote{InvoiceID: inv.ID, Reason: "One chair arrived broken",
		Lines: []NewCreditLine{{InvoiceLineID: chairs, Quantity: 1}}})
	if err != nil || !strings.HasSuffix(cn.Number, "-000001") || !strings.HasPrefix(cn.Number, "R") || cn.TotalMinor != 1210 || cn.TaxMinor != 210 {
		t.Fatalf("credit note: %+v %v", cn, err)
	}
	got, _ := e.svc.Get(fx.ctx, inv.ID)
	if got.Balance() != 7277-1210 || got.CreditedMinor != 1210 || got.Status != StatusIssued || got.Lines[0].CreditedQty != 1 || len(got.CreditNotes) != 1 {
		t.Fatalf("after the credit note: %+v", got)
	}
	wantErr(t, "more than is left", second(e.svc.IssueCreditNote(fx.ctx, NewCreditNote{InvoiceID: inv.ID, Reason: "x",
		Lines: []NewCreditLine{{InvoiceLineID: bolts, Quantity: 1}, {InvoiceLineID: chairs, Quantity: 6}}})), errs.FailedPrecondition, "lines[1].quantity")
	wantErr(t, "a line of no invoice", second(e.svc.IssueCreditNote(fx.ctx, NewCreditNote{InvoiceID: inv.ID, Reason: "x",
		Lines: []NewCreditLine{{InvoiceLineID: id(), Quantity: 1}}})), errs.Invalid, "lines[0].invoice_line_id")
	// One bolt, then the last two: 0.05 − 10 % = 0.045 → 0.05 net, 0.01 tax;
	// the rest of the line (0.14 + 0.03) less that is 0.09 + 0.02.
	one, err := e.svc.IssueCreditNote(fx.ctx, NewCreditNote{InvoiceID: inv.ID, Reason: "bolt", Lines: []NewCreditLine{{InvoiceLineID: bolts, Quantity: 1}}})
	if err != nil || one.NetMinor != 5 || one.TaxMinor != 1 {
		t.Fatalf("one bolt: %+v %v", one, err)
	}
	rest, err := e.svc.IssueCreditNote(fx.ctx, NewCreditNote{InvoiceID: inv.ID, Reason: "bolts", Lines: []NewCreditLine{{InvoiceLineID: bolts, Quantity: 2}}})
	if err != nil || rest.NetMinor != 9 || rest.TaxMinor != 2 || !strings.HasSuffix(rest.Number, "-000003") {
		t.Fatalf("last bolts: %+v %v", rest, err)
	}
	all, err := e.svc.IssueCreditNote(fx.ctx, NewCreditNote{InvoiceID: inv.ID, Reason: "return", Lines: []NewCreditLine{{InvoiceLineID: chairs, Quantity: 5}}})
	if err != nil || all.TotalMinor != 6050 {
		t.Fatalf("the other chairs: %+v %v", all, err)
	}
	if got, _ = e.svc.Get(fx.ctx, inv.ID); got.Status != StatusCredited || got.Balance() != 0 {
		t.Fatalf("fully credited: %+v", got)
	}
	detail, err := e.svc.GetCreditNote(fx.ctx, cn.ID)
	if err != nil || len(detail.Lines) != 1 || detail.Lines[0].InvoiceLineID != chairs || detail.Reason != "One chair arrived broken" {
		t.Fatalf("credit note detail: %+v %v", detail, err)
	}
	if e.outboxCount(t, fx.ctx, TopicCreditNoteIssued) != 4 || e.auditCount(t, fx.ctx, "credit_notes", cn.ID) != 1 {
		t.Fatal("audit or outbox rows missing")
	}
}

// TestCreditNoteRefuses: bad input names its field, and another tenant's
// invoice and credit note are unknown.
func TestCreditNoteRefuses(t *testing.T) {
	e := newEnv(t)
	fx := newFixture(t, e)
	other := newFixture(t, e)
	order, _, _ := e.order(t, fx, 2, 0)
	inv := e.issue(t, fx, order)
	line := inv.Lines[0].ID
	ok := NewCreditNote{InvoiceID: inv.ID, Reason: "r", Lines: []NewCreditLine{{InvoiceLineID: line, Quantity: 1}}}
	for _, c := range []struct {
		what  string
		in    NewCreditNote
		field string
	}{
		{"no lines", NewCreditNote{InvoiceID: inv.ID, Reason: "r"}, "lines"},
		{"no reason", NewCreditNote{InvoiceID: inv.ID, Lines: ok.Lines}, "reason"},
		{"zero", NewCreditNote{InvoiceID: inv.ID, Reason: "r", Lines: []NewCreditLine{{InvoiceLineID: line}}}, "lines[0].quantity"},
		{"twice", NewCreditNote{InvoiceID: inv.ID, Reason: "r", Lines: []NewCreditLine{ok.Lines[0], ok.Lines[0]}}, "lines[1].invoice_line_id"},
	} {
		wantErr(t, c.what, second(e.svc.IssueCreditNote(fx.ctx, c.in)), errs.Invalid, c.field)
	}
	wantErr(t, "another tenant's invoice", second(e.svc.IssueCreditNote(other.ctx, ok)), errs.Invalid, "invoice_id")
	cn, err := e.svc.IssueCreditNote(fx.ctx, ok)
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, "another tenant's credit note", second(e.svc.GetCreditNote(other.ctx, cn.ID)), errs.NotFound, "")
}
