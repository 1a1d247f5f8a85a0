package returns

import (
	"errors"
	"testing"

	"github.com/google/uuid"

	"nexo/internal/errs"
)

// The refund's choice of invoice and the request checks, without a
// database (the HTTP journeys in cmd/nexo cover the transactions).

// reason is err's reason for field, "" when err does not name it.
func reason(err error, field string) string {
	var e *errs.Error
	if !errors.As(err, &e) {
		return ""
	}
	return e.Fields[field]
}

// got is n received units.
func got(n int64) *int64 { return &n }

func ids(n int) []uuid.UUID {
	out := make([]uuid.UUID, n)
	for i := range out {
		out[i] = uuid.Must(uuid.NewV7())
	}
	return out
}

func TestCreditPlanPicksOneInvoiceThatCoversEveryLine(t *testing.T) {
	ol, inv, il := ids(2), ids(2), ids(4)
	x := Return{Lines: []Line{{OrderLineID: ol[0], Quantity: 2, Received: got(2)}, {OrderLineID: ol[1], Quantity: 1, Received: got(1)}}}
	// The newest invoice (first) lacks line 2; the older one has both.
	invoiced := []InvoicedLine{
		{InvoiceID: inv[0], InvoiceLineID: il[0], OrderLineID: ol[0], Open: 5},
		{InvoiceID: inv[1], InvoiceLineID: il[1], OrderLineID: ol[0], Open: 2},
		{InvoiceID: inv[1], InvoiceLineID: il[2], OrderLineID: ol[1], Open: 1},
	}
	plan, err := creditPlan(x, invoiced)
	if err != nil || len(plan) != 1 || plan[0].InvoiceID != inv[1] || len(plan[0].Lines) != 2 ||
		plan[0].Lines[0] != (CreditLine{il[1], 2}) || plan[0].Lines[1] != (CreditLine{il[2], 1}) {
		t.Fatalf("plan: %+v %v", plan, err)
	}
}

func TestCreditPlanRefuses(t *testing.T) {
	ol, inv, il := ids(2), ids(2), ids(2)
	never := Return{Lines: []Line{{OrderLineID: ol[0], Quantity: 1, Received: got(1)}}}
	if _, err := creditPlan(never, nil); !errs.Is(err, errs.FailedPrecondition) || reason(err, "lines[0]") == "" {
		t.Errorf("never invoiced: %v", err)
	}
	short := Return{Lines: []Line{{OrderLineID: ol[0], Quantity: 3, Received: got(3)}}}
	if _, err := creditPlan(short, []InvoicedLine{{InvoiceID: inv[0], InvoiceLineID: il[0], OrderLineID: ol[0], Open: 2}}); reason(err, "lines[0]") == "" {
		t.Errorf("more than is open: %v", err)
	}
}

// TestCreditPlanSpreadsOverInvoices: units no single invoice has open are
// credited on each invoice that has them, newest first: one credit note
// per invoice.
func TestCreditPlanSpreadsOverInvoices(t *testing.T) {
	ol, inv, il := ids(2), ids(2), ids(3)
	x := Return{Lines: []Line{{OrderLineID: ol[0], Quantity: 3, Received: got(3)}, {OrderLineID: ol[1], Quantity: 1, Received: got(1)}}}
	invoiced := []InvoicedLine{ // newest first
		{InvoiceID: inv[0], InvoiceLineID: il[0], OrderLineID: ol[0], Open: 2},
		{InvoiceID: inv[1], InvoiceLineID: il[1], OrderLineID: ol[0], Open: 1},
		{InvoiceID: inv[1], InvoiceLineID: il[2], OrderLineID: ol[1], Open: 1},
	}
	plan, err := creditPlan(x, invoiced)
	if err != nil || len(plan) != 2 || plan[0].InvoiceID != inv[0] || plan[1].InvoiceID != inv[1] {
		t.Fatalf("plan: %+v %v", plan, err)
	}
	if len(plan[0].Lines) != 1 || plan[0].Lines[0] != (CreditLine{il[0], 2}) ||
		len(plan[1].Lines) != 2 || plan[1].Lines[0] != (CreditLine{il[1], 1}) || plan[1].Lines[1] != (CreditLine{il[2], 1}) {
		t.Fatalf("plan lines: %+v", plan)
	}
}

// Only received units are credited: a line that came back short is
// credited for what came back, one that brought nothing is left out (even
// if it was never invoiced), and nothing received at all is refused.
func TestCreditPlanCreditsReceivedUnits(t *testing.T) {
	ol, inv, il := ids(3), ids(1), ids(2)
	x := Return{Lines: []Line{
		{OrderLineID: ol[0], Quantity: 3, Received: got(1)},
		{OrderLineID: ol[1], Quantity: 2, Received: got(0)},
		{OrderLineID: ol[2], Quantity: 1, Received: got(1)},
	}}
	invoiced := []InvoicedLine{
		{InvoiceID: inv[0], InvoiceLineID: il[0], OrderLineID: ol[0], Open: 1},
		{InvoiceID: inv[0], InvoiceLineID: il[1], OrderLineID: ol[2], Open: 1},
	}
	plan, err := creditPlan(x, invoiced)
	if err != nil || len(plan) != 1 || plan[0].InvoiceID != inv[0] || len(plan[0].Lines) != 2 ||
		plan[0].Lines[0] != (CreditLine{il[0], 1}) || plan[0].Lines[1] != (CreditLine{il[1], 1}) {
		t.Fatalf("plan: %+v %v", plan, err)
	}
	if _, err := x.received(); err != nil {
		t.Errorf("received lines: %v", err)
	}
	none := Return{Lines: []Line{{OrderLineID: ol[0], Quantity: 3, Received: got(0)}}}
	if _, err := none.received(); !errs.Is(err, errs.FailedPrecondition) || reason(err, "lines") == "" {
		t.Errorf("nothing received: %v", err)
	}
	if _, err := (Return{Lines: []Line{{OrderLineID: ol[0], Quantity: 3}}}).received(); err == nil {
		t.Errorf("a return not yet received has received lines")
	}
}

func TestReceiptChecks(t *testing.T) {
	line, wh := ids(2), uuid.Must(uuid.NewV7())
	err := checkReceipts([]Receipt{
		{LineID: line[0], Received: -1, Condition: ConditionRestock, WarehouseID: wh},
		{LineID: line[1], Received: 2},
	})
	for _, f := range []string{"lines[0].received_quantity", "lines[1].condition", "lines[1].warehouse_id"} {
		if reason(err, f) == "" {
			t.Errorf("%s not refused: %v", f, err)
		}
	}
	// Nothing came back of a line: no condition or warehouse needed, but a
	// condition given anyway must be one of the list.
	if err := checkReceipts([]Receipt{{LineID: line[0]}, {LineID: line[1], Received: 1, Condition: ConditionQuarantine, WarehouseID: wh}}); err != nil {
		t.Errorf("a zero line and a full one: %v", err)
	}
	if err := checkReceipts([]Receipt{{LineID: line[0], Condition: "binned"}}); reason(err, "lines[0].condition") == "" {
		t.Errorf("a zero line with a bad condition: %v", err)
	}
}

func TestRequestChecks(t *testing.T) {
	line := uuid.Must(uuid.NewV7())
	in := NewReturn{OrderID: uuid.Must(uuid.NewV7()), Comment: "  fine \n", Lines: []NewLine{
		{OrderLineID: line, Quantity: 1, Reason: ReasonDamaged},
		{OrderLineID: line, Quantity: 0, Reason: "bored", Comment: "a\x00b"},
	}}
	err := in.check()
	for _, f := range []string{"lines[1].order_line_id", "lines[1].quantity", "lines[1].reason", "lines[1].comment"} {
		if reason(err, f) == "" {
			t.Errorf("%s not refused: %v", f, err)
		}
	}
	if reason(err, "lines[0].quantity") != "" || in.Comment != "fine" {
		t.Errorf("a good line refused or the comment untrimmed: %v %q", err, in.Comment)
	}
	if err := (&NewReturn{}).check(); reason(err, "order_id") == "" || reason(err, "lines") == "" {
		t.Errorf("empty request: %v", err)
	}
	if err := checkReceipts([]Receipt{{LineID: line, Received: 1, Condition: "binned"}}); reason(err, "lines[0].condition") == "" ||
		reason(err, "lines[0].warehouse_id") == "" {
		t.Errorf("bad receipt: %v", err)
	}
}
