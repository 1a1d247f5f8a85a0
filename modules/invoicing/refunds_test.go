package invoicing

import (
	"testing"

	"github.com/google/uuid"

	"nexo/internal/errs"
)

// TestCreditOnPaidInvoice: crediting a chair of a paid 24.20 invoice leaves
// its balance at zero and owes the 12.10 back as a due refund; on a
// partially paid one the open balance absorbs what it can and only the
// rest is owed. Paid + credited never passes the total.
func TestCreditOnPaidInvoice(t *testing.T) {
	e := newEnv(t)
	fx := newFixture(t, e)
	for _, c := range []struct {
		what                           string
		paid                           int64
		wantPaid, wantRefund, wantOwed int64
		wantStatus                     Status
	}{
		{"paid in full", 2420, 1210, 1210, 1210, StatusPaid},
		{"partly paid", 2000, 1210, 790, 790, StatusPaid},
		{"paid less than the balance left", 1000, 1000, 0, 0, StatusPartiallyPaid},
	} {
		order, _, _ := e.order(t, fx, 2, 0)
		inv := e.issue(t, fx, order) // 2 chairs: 24.20
		if _, err := e.svc.RecordPayment(fx.ctx, NewPayment{InvoiceID: inv.ID, AmountMinor: c.paid, Method: MethodTransfer}); err != nil {
			t.Fatal(err)
		}
		cn, err := e.svc.IssueCreditNote(fx.ctx, NewCreditNote{InvoiceID: inv.ID, Reason: "returned",
			Lines: []NewCreditLine{{InvoiceLineID: inv.Lines[0].ID, Quantity: 1}}})
		if err != nil || cn.TotalMinor != 1210 {
			t.Fatalf("%s: credit note %+v %v", c.what, cn, err)
		}
		got, _ := e.svc.Get(fx.ctx, inv.ID)
		if got.PaidMinor != c.wantPaid || got.RefundMinor != c.wantRefund || got.CreditedMinor != 1210 ||
			got.Status != c.wantStatus || got.PaidMinor+got.CreditedMinor > got.TotalMinor {
			t.Fatalf("%s: invoice %+v", c.what, got)
		}
		if got.PaidMinor+got.RefundMinor != c.paid {
			t.Fatalf("%s: the money received is %d, want %d", c.what, got.PaidMinor+got.RefundMinor, c.paid)
		}
		detail, _ := e.svc.GetCreditNote(fx.ctx, cn.ID)
		switch {
		case c.wantOwed == 0 && (detail.Refund != nil || len(got.Refunds) != 0):
			t.Fatalf("%s: a refund where none is owed: %+v", c.what, detail.Refund)
		case c.wantOwed > 0 && (detail.Refund == nil || detail.Refund.AmountMinor != c.wantOwed ||
			detail.Refund.Status != RefundDue || len(got.Refunds) != 1):
			t.Fatalf("%s: refund %+v", c.what, detail.Refund)
		}
	}
	if n := e.outboxCount(t, fx.ctx, TopicRefundChanged); n != 2 {
		t.Fatalf("%d refund events, want 2", n)
	}
}

// paidAndCredited issues a 24.20 invoice, pays it in full (by card through
// a provider when intent is set) and credits one chair: a 12.10 refund due.
func paidAndCredited(t *testing.T, e *env, fx fixture, intent string) (Invoice, Refund) {
	t.Helper()
	order, _, _ := e.order(t, fx, 2, 0)
	inv := e.issue(t, fx, order)
	if intent != "" {
		if _, err := e.svc.RecordProviderPayment(fx.ctx, NewPayment{InvoiceID: inv.ID, AmountMinor: 2420, Method: MethodCard,
			ExternalRef: intent}, "eur"); err != nil {
			t.Fatal(err)
		}
	} else if _, err := e.svc.RecordPayment(fx.ctx, NewPayment{InvoiceID: inv.ID, AmountMinor: 2420, Method: MethodTransfer}); err != nil {
		t.Fatal(err)
	}
	cn, err := e.svc.IssueCreditNote(fx.ctx, NewCreditNote{InvoiceID: inv.ID, Reason: "returned",
		Lines: []NewCreditLine{{InvoiceLineID: inv.Lines[0].ID, Quantity: 1}}})
	if err != nil || cn.Refund == nil {
		t.Fatalf("credit note %+v %v", cn, err)
	}
	return inv, *cn.Refund
}

// TestRecordRefund: finance records a transfer; bad input names its field
// and changes nothing; a second record is a conflict; another tenant's
// refund is unknown.
func TestRecordRefund(t *testing.T) {
	e := newEnv(t)
	fx := newFixture(t, e)
	other := newFixture(t, e)
	_, r := paidAndCredited(t, e, fx, "")
	future := day(1)
	for _, c := range []struct {
		what  string
		in    RecordRefund
		field string
	}{
		{"no method", RecordRefund{}, "method"},
		{"card by hand", RecordRefund{Method: MethodCard}, "method"},
		{"future", RecordRefund{Method: MethodTransfer, RefundedOn: &future}, "refunded_on"},
		{"long reference", RecordRefund{Method: MethodTransfer, Reference: string(make([]rune, 101))}, "reference"},
	} {
		wantErr(t, c.what, second(e.svc.RecordRefund(fx.ctx, r.ID, c.in)), errs.Invalid, c.field)
	}
	wantErr(t, "another tenant's refund", second(e.svc.RecordRefund(other.ctx, r.ID, RecordRefund{Method: MethodTransfer})), errs.NotFound, "")
	if got, _ := e.svc.GetRefund(fx.ctx, r.ID); got.Status != RefundDue {
		t.Fatalf("refused records changed the refund: %+v", got)
	}
	done, err := e.svc.RecordRefund(fx.ctx, r.ID, RecordRefund{Method: MethodTransfer, Reference: "TRF-1"})
	if err != nil || done.Status != RefundRefunded || done.Method != MethodTransfer || done.RefundedOn == nil || !done.RefundedOn.Equal(day(0)) {
		t.Fatalf("recorded: %+v %v", done, err)
	}
	wantErr(t, "twice", second(e.svc.RecordRefund(fx.ctx, r.ID, RecordRefund{Method: MethodTransfer})), errs.Conflict, "")
	due, _ := e.svc.FindRefunds(fx.ctx, RefundFilter{Status: RefundDue})
	all, _ := e.svc.FindRefunds(fx.ctx, RefundFilter{})
	if len(due) != 0 || len(all) != 1 || e.auditCount(t, fx.ctx, "refunds", r.ID) != 2 {
		t.Fatalf("lists: due %d, all %d", len(due), len(all))
	}
}

// TestProviderRefund: a card refund draws on the invoice's card payment,
// saves its key before the call and repeats it on retry; the provider's
// outcome applies once; a failure puts the refund back to due with a new
// key next time; without a card payment it is refused on method.
func TestProviderRefund(t *testing.T) {
	e := newEnv(t)
	fx := newFixture(t, e)
	_, byHand := paidAndCredited(t, e, fx, "")
	wantErr(t, "no card payment", second(e.svc.BeginProviderRefund(fx.ctx, byHand.ID)), errs.FailedPrecondition, "method")

	_, r := paidAndCredited(t, e, fx, "pi_123")
	p, err := e.svc.BeginProviderRefund(fx.ctx, r.ID)
	if err != nil || p.PaymentIntent != "pi_123" || p.IdempotencyKey == "" || p.AmountMinor != 1210 || p.Done {
		t.Fatalf("begin: %+v %v", p, err)
	}
	again, err := e.svc.BeginProviderRefund(fx.ctx, r.ID)
	if err != nil || again.IdempotencyKey != p.IdempotencyKey {
		t.Fatalf("a retry must repeat the key: %+v %v", again, err)
	}
	failed, err := e.svc.SettleProviderRefund(fx.ctx, ProviderOutcome{RefundID: r.ID, ExternalRef: "re_1", Status: "failed"})
	if err != nil || failed.Status != RefundDue || failed.PaymentID != nil {
		t.Fatalf("failed: %+v %v", failed, err)
	}
	p2, err := e.svc.BeginProviderRefund(fx.ctx, r.ID)
	if err != nil || p2.IdempotencyKey == p.IdempotencyKey {
		t.Fatalf("after a failure a new key: %+v %v", p2, err)
	}
	pending, err := e.svc.SettleProviderRefund(fx.ctx, ProviderOutcome{RefundID: r.ID, ExternalRef: "re_2", Status: "pending"})
	if err != nil || pending.Status != RefundProcessing || pending.ExternalRef != "re_2" {
		t.Fatalf("pending: %+v %v", pending, err)
	}
	wantErr(t, "begin while the provider works", second(e.svc.BeginProviderRefund(fx.ctx, r.ID)), errs.Conflict, "")
	wantErr(t, "record while the provider works", second(e.svc.RecordRefund(fx.ctx, r.ID, RecordRefund{Method: MethodTransfer})), errs.Conflict, "")
	before := e.outboxCount(t, fx.ctx, TopicRefundChanged)
	for range 3 { // the webhook, delivered three times, finds it by reference
		got, err := e.svc.SettleProviderRefund(fx.ctx, ProviderOutcome{ExternalRef: "re_2", Status: "succeeded"})
		if err != nil || got.Status != RefundRefunded || got.Method != MethodCard {
			t.Fatalf("succeeded: %+v %v", got, err)
		}
	}
	if n := e.outboxCount(t, fx.ctx, TopicRefundChanged); n != before+1 {
		t.Fatalf("%d refund events after three deliveries, want %d", n, before+1)
	}
	stale, _ := e.svc.SettleProviderRefund(fx.ctx, ProviderOutcome{ExternalRef: "re_2", Status: "failed"})
	if stale.Status != RefundRefunded {
		t.Fatalf("a late failure undid a refund: %+v", stale)
	}
	wantErr(t, "unknown reference", second(e.svc.SettleProviderRefund(fx.ctx, ProviderOutcome{ExternalRef: "re_x", Status: "succeeded"})), errs.NotFound, "")
	wantErr(t, "unknown id", second(e.svc.SettleProviderRefund(fx.ctx, ProviderOutcome{RefundID: uuid.New(), Status: "succeeded"})), errs.NotFound, "")
}

// TestOverpaymentRefund: a card payment that arrives after the invoice was
// settled by transfer is owed back whole as a due overpayment refund, once
// however often it is reported; one that arrives for a smaller balance
// pays it and owes the rest; either goes back through its own intent.
func TestOverpaymentRefund(t *testing.T) {
	e := newEnv(t)
	fx := newFixture(t, e)
	order, _, _ := e.order(t, fx, 2, 0)
	inv := e.issue(t, fx, order)
	if _, err := e.svc.RecordPayment(fx.ctx, NewPayment{InvoiceID: inv.ID, AmountMinor: 2420, Method: MethodTransfer}); err != nil {
		t.Fatal(err)
	}
	card := NewPayment{InvoiceID: inv.ID, AmountMinor: 2420, Method: MethodCard, ExternalRef: "pi_late"}
	got, err := e.svc.RecordProviderPayment(fx.ctx, card, "eur")
	if err != nil || got.Payment != nil || got.ExcessMinor != 2420 || got.Refund == nil ||
		got.Refund.Reason != ReasonOverpayment || got.Refund.PaymentIntent != "pi_late" || got.Refund.CreditNoteID != nil {
		t.Fatalf("late card payment: %+v %v", got, err)
	}
	again, err := e.svc.RecordProviderPayment(fx.ctx, card, "eur")
	if err != nil || !again.Repeat || again.Refund != nil {
		t.Fatalf("reported again: %+v %v", again, err)
	}
	if list, _ := e.svc.FindRefunds(fx.ctx, RefundFilter{InvoiceID: &inv.ID}); len(list) != 1 {
		t.Fatalf("%d refunds after two reports, want 1", len(list))
	}
	p, err := e.svc.BeginProviderRefund(fx.ctx, got.Refund.ID)
	if err != nil || p.PaymentIntent != "pi_late" || p.AmountMinor != 2420 {
		t.Fatalf("begin: %+v %v", p, err)
	}
	if inv2, _ := e.svc.Get(fx.ctx, inv.ID); inv2.PaidMinor != 2420 || inv2.RefundMinor != 0 || inv2.Status != StatusPaid {
		t.Fatalf("an overpayment changed the invoice: %+v", inv2)
	}

	order, _, _ = e.order(t, fx, 2, 0)
	part := e.issue(t, fx, order)
	if _, err := e.svc.RecordPayment(fx.ctx, NewPayment{InvoiceID: part.ID, AmountMinor: 1420, Method: MethodTransfer}); err != nil {
		t.Fatal(err)
	}
	got, err = e.svc.RecordProviderPayment(fx.ctx, NewPayment{InvoiceID: part.ID, AmountMinor: 2420, Method: MethodCard, ExternalRef: "pi_part"}, "eur")
	if err != nil || got.Payment == nil || got.Payment.AmountMinor != 1000 || got.Refund == nil || got.Refund.AmountMinor != 1420 {
		t.Fatalf("part overpaid: %+v %v", got, err)
	}
}

// TestProviderRefundsDoNotOverdraw: two refunds of one invoice begun at
// once cannot both draw on the same card payment; the invoice lock makes
// the second see the first's claim and refuse (on PostgreSQL the two run
// truly concurrently).
func TestProviderRefundsDoNotOverdraw(t *testing.T) {
	e := newEnv(t)
	fx := newFixture(t, e)
	order, _, _ := e.order(t, fx, 2, 0)
	inv := e.issue(t, fx, order) // 24.20: 12.10 by card, 12.10 by transfer
	if _, err := e.svc.RecordProviderPayment(fx.ctx, NewPayment{InvoiceID: inv.ID, AmountMinor: 1210, Method: MethodCard, ExternalRef: "pi_half"}, "eur"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.RecordPayment(fx.ctx, NewPayment{InvoiceID: inv.ID, AmountMinor: 1210, Method: MethodTransfer}); err != nil {
		t.Fatal(err)
	}
	var ids []uuid.UUID
	for range 2 {
		cn, err := e.svc.IssueCreditNote(fx.ctx, NewCreditNote{InvoiceID: inv.ID, Reason: "returned",
			Lines: []NewCreditLine{{InvoiceLineID: inv.Lines[0].ID, Quantity: 1}}})
		if err != nil || cn.Refund == nil {
			t.Fatalf("credit note %+v %v", cn, err)
		}
		ids = append(ids, cn.Refund.ID)
	}
	errs2 := make(chan error, 2)
	for _, id := range ids {
		go func() {
			_, err := e.svc.BeginProviderRefund(fx.ctx, id)
			errs2 <- err
		}()
	}
	ok, refused := 0, 0
	for range 2 {
		switch err := <-errs2; {
		case err == nil:
			ok++
		case errs.Is(err, errs.FailedPrecondition):
			refused++
		default:
			t.Fatalf("begin: %v", err)
		}
	}
	if ok != 1 || refused != 1 {
		t.Fatalf("%d begun, %d refused; want one each", ok, refused)
	}
}
