package sales

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
)

// TestRecordInvoiced: the service line is invoiced before anything ships
// (it never ships); invoicing part of what shipped keeps the order shipped;
// invoicing the rest makes it invoiced, with history and audit rows.
func TestRecordInvoiced(t *testing.T) {
	e, ctx, _, o := confirmedOrder(t)
	widget, gear, bolt, repair := o.Lines[0].ID, o.Lines[1].ID, o.Lines[2].ID, o.Lines[3].ID
	if err := e.svc.RecordInvoiced(ctx, o.ID, map[uuid.UUID]int64{repair: 1}); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.svc.Get(ctx, o.ID); got.Status != StatusInProduction || got.Lines[3].InvoicedQty != 1 {
		t.Fatalf("after the service's invoice: %s %+v", got.Status, got.Lines)
	}
	if err := e.svc.RecordShipped(ctx, o.ID, map[uuid.UUID]int64{widget: 1000, gear: 3, bolt: 1}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.RecordInvoiced(ctx, o.ID, map[uuid.UUID]int64{widget: 400, gear: 3}); err != nil {
		t.Fatal(err)
	}
	got, _ := e.svc.Get(ctx, o.ID)
	if got.Status != StatusShipped || got.Lines[0].InvoicedQty != 400 || got.Lines[1].InvoicedQty != 3 || got.Lines[2].InvoicedQty != 0 {
		t.Fatalf("after the first invoice: %s %+v", got.Status, got.Lines)
	}
	if err := e.svc.RecordInvoiced(ctx, o.ID, map[uuid.UUID]int64{widget: 600, bolt: 1}); err != nil {
		t.Fatal(err)
	}
	if got, _ = e.svc.Get(ctx, o.ID); got.Status != StatusInvoiced || got.Lines[3].InvoicedQty != 1 {
		t.Fatalf("after the last invoice: %s %+v", got.Status, got.Lines)
	}
	if h, _ := e.svc.History(ctx, o.ID); h[len(h)-1].From != StatusShipped || h[len(h)-1].To != StatusInvoiced {
		t.Fatalf("history %+v", h)
	}
	// create, confirm, one shipment, three invoices.
	if n := e.auditCount(t, ctx, o.ID); n != 6 {
		t.Fatalf("%d audit rows", n)
	}
	wantErr(t, "an invoiced order", e.svc.RecordInvoiced(ctx, o.ID, map[uuid.UUID]int64{bolt: 1}), errs.FailedPrecondition, "status")
}

// TestRecordInvoicedRefuses: unshipped units, bad lines and quantities are
// refused naming the line, and nothing changes; a failure later in the
// caller's transaction takes the recording back.
func TestRecordInvoicedRefuses(t *testing.T) {
	e, ctx, fx, o := confirmedOrder(t)
	widget, gear := o.Lines[0].ID, o.Lines[1].ID
	draft, err := e.svc.Create(ctx, NewOrder{AccountID: fx.account, Lines: []NewLine{lineOf(fx.repair, 1)}})
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, "a draft", e.svc.RecordInvoiced(ctx, draft.ID, map[uuid.UUID]int64{draft.Lines[0].ID: 1}), errs.FailedPrecondition, "status")
	wantErr(t, "nothing shipped", e.svc.RecordInvoiced(ctx, o.ID, map[uuid.UUID]int64{gear: 1}), errs.Invalid, "lines["+gear.String()+"].quantity")
	if err := e.svc.RecordShipped(ctx, o.ID, map[uuid.UUID]int64{widget: 10}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		what     string
		invoiced map[uuid.UUID]int64
		field    string
	}{
		{"nothing", nil, "lines"},
		{"more than shipped", map[uuid.UUID]int64{widget: 11}, "lines[" + widget.String() + "].quantity"},
		{"an unshipped line", map[uuid.UUID]int64{gear: 1}, "lines[" + gear.String() + "].quantity"},
		{"zero", map[uuid.UUID]int64{widget: 0}, "lines[" + widget.String() + "].quantity"},
		{"a line of no order", map[uuid.UUID]int64{uuid.New(): 1}, ""},
	} {
		wantErr(t, c.what, e.svc.RecordInvoiced(ctx, o.ID, c.invoiced), errs.Invalid, c.field)
	}
	wantErr(t, "another tenant's order", e.svc.RecordInvoiced(e.newTenant(t), o.ID, map[uuid.UUID]int64{widget: 1}), errs.NotFound, "")
	boom := errors.New("boom")
	err = e.db.Run(ctx, func(ctx context.Context, _ bun.IDB) error {
		if err := e.svc.RecordInvoiced(ctx, o.ID, map[uuid.UUID]int64{widget: 10}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("rollback: %v", err)
	}
	got, _ := e.svc.Get(ctx, o.ID)
	if got.Status != StatusPartiallyShipped || got.Lines[0].InvoicedQty != 0 || e.auditCount(t, ctx, o.ID) != 3 {
		t.Fatalf("refused recordings changed the order: %s %+v", got.Status, got.Lines)
	}
}
