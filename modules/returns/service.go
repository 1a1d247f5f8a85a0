package returns

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
	"nexo/internal/events"
	"nexo/tenant"
)

// Service owns the returns' rules and transactions.
type Service struct {
	db         *tenant.DB
	orders     Orders
	deliveries Deliveries
	stock      Stock
	invoices   Invoices
	replace    Replacements
	numbers    Numbers
	now        func() time.Time
}

// Deps are the ports a Service needs.
type Deps struct {
	Orders       Orders
	Deliveries   Deliveries
	Stock        Stock
	Invoices     Invoices
	Replacements Replacements
	Numbers      Numbers
}

// NewService returns the returns service over d; now is the clock (nil:
// time.Now).
func NewService(d *tenant.DB, deps Deps, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: d, orders: deps.Orders, deliveries: deps.Deliveries, stock: deps.Stock, invoices: deps.Invoices,
		replace: deps.Replacements, numbers: deps.Numbers, now: now}
}

func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// order reads the order a return is about, locked, as the caller may see
// it: a customer's request for another account's order is answered like
// one for a missing order.
func (s *Service) order(ctx context.Context, id uuid.UUID) (Order, error) {
	o, err := s.orders.Order(ctx, id)
	if errs.Is(err, errs.NotFound) {
		return Order{}, errs.Field("order_id", "no such order")
	} else if err != nil {
		return Order{}, err
	}
	if acc, bound := tenant.BoundAccount(ctx); bound && (acc == uuid.Nil || o.AccountID != acc) {
		return Order{}, errs.Field("order_id", "no such order")
	}
	return o, nil
}

// returnable computes, per line of the locked order o, what the caller may
// still return: customers what was delivered, staff what shipped (staff
// also take back refused or lost deliveries), less the units of the
// order's returns that were not rejected.
func (s *Service) returnable(ctx context.Context, tx bun.IDB, o Order) ([]Returnable, error) {
	shipped, err := s.deliveries.Shipped(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	returned, err := returnedByLine(ctx, tx, o.ID)
	if err != nil {
		return nil, err
	}
	_, customer := tenant.BoundAccount(ctx)
	out := make([]Returnable, len(o.Lines))
	for i, l := range o.Lines {
		sh := shipped[l.ID]
		r := Returnable{OrderLineID: l.ID, ProductID: l.ProductID, Description: l.Description, Ordered: l.Quantity,
			Shipped: sh.Shipped, Delivered: sh.Delivered, Returned: returned[l.ID]}
		limit := sh.Shipped
		if customer {
			limit = sh.Delivered
		}
		r.Returnable = max(limit-r.Returned, 0)
		out[i] = r
	}
	return out, nil
}

// Returnable lists what may still be returned of each line of an order.
func (s *Service) Returnable(ctx context.Context, orderID uuid.UUID) ([]Returnable, error) {
	var out []Returnable
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		o, err := s.order(ctx, orderID)
		if errs.Is(err, errs.Invalid) {
			return errs.E(errs.NotFound, "order not found")
		} else if err != nil {
			return err
		}
		out, err = s.returnable(ctx, tx, o)
		return err
	})
	return out, err
}

// Create records a return request. Each line returns at most what is
// returnable (a 422 naming lines[i].quantity); the order stays locked
// while this is checked and the return written, so concurrent requests
// for the same lines queue and the second sees the first's units.
func (s *Service) Create(ctx context.Context, in NewReturn) (Return, error) {
	if err := in.check(); err != nil {
		return Return{}, err
	}
	p, ok := tenant.PrincipalFrom(ctx)
	if !ok {
		return Return{}, errs.E(errs.Forbidden, "no caller")
	}
	var x Return
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		o, err := s.order(ctx, in.OrderID)
		if err != nil {
			return err
		}
		avail, err := s.returnable(ctx, tx, o)
		if err != nil {
			return err
		}
		byLine := make(map[uuid.UUID]Returnable, len(avail))
		for _, r := range avail {
			byLine[r.OrderLineID] = r
		}
		t := s.stamp()
		x = Return{ID: newID(), Status: StatusRequested, AccountID: o.AccountID, OrderID: o.ID, Comment: in.Comment,
			CreatedAt: t, UpdatedAt: t}
		switch p.Kind {
		case tenant.KindCustomer:
			x.PortalUserID = &p.ID
		case tenant.KindUser:
			x.CreatedBy = &p.ID
		}
		bad, over := errs.Fields{}, errs.Fields{}
		for i, l := range in.Lines {
			r, ok := byLine[l.OrderLineID]
			switch {
			case !ok:
				bad.Add(fmt.Sprintf("lines[%d].order_line_id", i), "is not a line of this order")
			case l.Quantity > r.Returnable:
				over.Add(fmt.Sprintf("lines[%d].quantity", i), overReason(r))
			default:
				x.Lines = append(x.Lines, Line{ID: newID(), OrderLineID: l.OrderLineID, ProductID: r.ProductID,
					Description: r.Description, Quantity: l.Quantity, Reason: l.Reason, Comment: l.Comment})
			}
		}
		if err := bad.Err(); err != nil {
			return err
		}
		if len(over) > 0 {
			return &errs.Error{Code: errs.FailedPrecondition, Message: "cannot return more than was delivered and not yet returned", Fields: over}
		}
		if x.Number, err = s.numbers.NextNumber(ctx, tx, "return"); err != nil {
			return err
		}
		if err := insert(ctx, tx, &x); err != nil {
			return err
		}
		return s.record(ctx, tx, "return.requested", TopicRequested, nil, &x)
	})
	if err != nil {
		return Return{}, err
	}
	return s.Get(ctx, x.ID)
}

func overReason(r Returnable) string {
	if r.Returnable == 0 {
		return "nothing of this line is left to return"
	}
	return fmt.Sprintf("at most %d units are left to return", r.Returnable)
}

// Get reads a return the caller may see.
func (s *Service) Get(ctx context.Context, id uuid.UUID) (Return, error) {
	var x Return
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var err error
		x, err = load(ctx, tx, id, false)
		return err
	})
	return x, err
}

// Find lists the returns the caller may see, newest first, without lines.
func (s *Service) Find(ctx context.Context, f Filter) ([]Return, error) {
	var out []Return
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var rows []returnRow
		q := tx.NewSelect().Model(&rows).Apply(bindAccount(ctx)).OrderExpr("r.id DESC").Limit(int64(f.Limit))
		if f.Status != "" {
			q.Where("r.status = ?", string(f.Status))
		}
		for cond, v := range map[string]*uuid.UUID{"r.account_id = ?": f.AccountID, "r.order_id = ?": f.OrderID, "r.id < ?": f.After} {
			if v != nil {
				q.Where(cond, *v)
			}
		}
		if err := q.Scan(ctx); err != nil {
			return err
		}
		out = make([]Return, len(rows))
		for i := range rows {
			out[i] = rows[i].ret()
		}
		return names(ctx, tx, out)
	})
	return out, err
}

// Approve accepts a requested return: the customer may send the goods.
func (s *Service) Approve(ctx context.Context, id uuid.UUID) (Return, error) {
	return s.step(ctx, id, StatusRequested, "return.approved", TopicApproved, func(ctx context.Context, x *Return, t time.Time, by *uuid.UUID) error {
		x.Status, x.ApprovedAt, x.ApprovedBy = StatusApproved, &t, by
		return nil
	})
}

// Reject refuses a requested return with a reason the customer sees. It
// changes no stock and no money, and its units are returnable again.
func (s *Service) Reject(ctx context.Context, id uuid.UUID, reason string) (Return, error) {
	reason = strings.TrimSpace(reason)
	f := errs.Fields{}
	if reason == "" {
		f.Add("reason", "is required")
	}
	if checkText(f, "reason", reason, MaxRejection); f.Err() != nil {
		return Return{}, f.Err()
	}
	return s.step(ctx, id, StatusRequested, "return.rejected", TopicRejected, func(_ context.Context, x *Return, t time.Time, _ *uuid.UUID) error {
		x.Status, x.RejectedAt, x.RejectionReason = StatusRejected, &t, reason
		return nil
	})
}

// Receive records the goods of an approved return as received: every line
// names the units that came back (0 up to its requested quantity), and the
// lines with units are restocked or quarantined in a warehouse through the
// stock ledger, with the return as the moves' document, in the same
// transaction. Every line is checked before any stock moves, and a stock
// refusal rolls the whole receipt back, so a receipt is never half
// applied. Nothing received at all is allowed: the receipt says so line by
// line, and the return is then received with nothing to refund or replace.
func (s *Service) Receive(ctx context.Context, id uuid.UUID, in []Receipt) (Return, error) {
	if err := checkReceipts(in); err != nil {
		return Return{}, err
	}
	return s.step(ctx, id, StatusApproved, "return.received", TopicReceived, func(ctx context.Context, x *Return, t time.Time, by *uuid.UUID) error {
		byLine := make(map[uuid.UUID]int, len(in))
		for i, r := range in {
			byLine[r.LineID] = i
		}
		f := errs.Fields{}
		for i, r := range in {
			l, ok := x.line(r.LineID)
			switch {
			case !ok:
				f.Add(fmt.Sprintf("lines[%d].line_id", i), "is not a line of this return")
			case r.Received > l.Quantity:
				f.Add(fmt.Sprintf("lines[%d].received_quantity", i), fmt.Sprintf("at most the %d units requested", l.Quantity))
			}
		}
		if len(in) != len(x.Lines) && len(f) == 0 {
			f.Add("lines", "must say how every line of the return was received")
		}
		if err := f.Err(); err != nil {
			return err
		}
		for k := range x.Lines {
			l := &x.Lines[k]
			i := byLine[l.ID]
			r := in[i]
			got := r.Received
			l.Received = &got
			if got == 0 {
				continue // nothing came back: no move, no condition, no warehouse
			}
			err := s.stock.Return(ctx, StockReturn{ProductID: l.ProductID, WarehouseID: r.WarehouseID, LotID: r.LotID,
				Quantity: got, Quarantine: r.Condition == ConditionQuarantine, ReturnID: x.ID, AccountID: x.AccountID,
				Reason: "Return " + x.Number})
			if err != nil {
				return lineError(err, i)
			}
			wh := r.WarehouseID
			l.Condition, l.WarehouseID = r.Condition, &wh
		}
		x.Status, x.ReceivedAt, x.ReceivedBy = StatusReceived, &t, by
		return nil
	})
}

func (x Return) line(id uuid.UUID) (Line, bool) {
	for _, l := range x.Lines {
		if l.ID == id {
			return l, true
		}
	}
	return Line{}, false
}

// received is x's lines with received units, each with its quantity set
// to them: what a refund credits and a replacement sends. None is a 422.
func (x Return) received() ([]Line, error) {
	var out []Line
	for _, l := range x.Lines {
		if n := l.ReceivedUnits(); n > 0 {
			l.Quantity = n
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		return nil, &errs.Error{Code: errs.FailedPrecondition, Message: "nothing was received: there is nothing to refund or replace",
			Fields: map[string]string{"lines": "no line has received units"}}
	}
	return out, nil
}

// lineError names receipt line i in a field error of the stock side
// (warehouse_id, lot_id), so the caller knows which line is at fault.
func lineError(err error, i int) error {
	var e *errs.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	out := &errs.Error{Code: e.Code, Message: e.Message, Fields: map[string]string{}}
	for k, v := range e.Fields {
		out.Fields[fmt.Sprintf("lines[%d].%s", i, k)] = v
	}
	return out
}

// Refund credits a received return's received units at their invoiced
// prices with one credit note, exactly once: the return row is locked and the credit
// note is issued in the transaction that marks it refunded, so a second
// refund finds it refunded (409). Every line with received units must have
// been invoiced, all on one invoice with the units still open to credit
// (422 otherwise); a return received with nothing is a 422.
func (s *Service) Refund(ctx context.Context, id uuid.UUID) (Return, error) {
	return s.step(ctx, id, StatusReceived, "return.refunded", TopicRefunded, func(ctx context.Context, x *Return, t time.Time, by *uuid.UUID) error {
		if _, err := x.received(); err != nil {
			return err
		}
		invoiced, err := s.invoices.InvoicedLines(ctx, x.OrderID)
		if err != nil {
			return err
		}
		plan, err := creditPlan(*x, invoiced)
		if err != nil {
			return err
		}
		x.CreditNoteIDs = x.CreditNoteIDs[:0]
		for _, g := range plan {
			cn, err := s.invoices.CreditNote(ctx, g.InvoiceID, g.Lines, "Return "+x.Number)
			if err != nil {
				return err
			}
			x.CreditNoteIDs = append(x.CreditNoteIDs, cn)
		}
		if err := s.saveCredits(ctx, x); err != nil {
			return err
		}
		x.Status, x.RefundedAt, x.RefundedBy, x.CreditNoteID = StatusRefunded, &t, by, &x.CreditNoteIDs[0]
		return nil
	})
}

// Replace sends the goods of a received return again instead of refunding
// them: a sales order for the return's account with every received line's
// product and received units (a return received with nothing is a 422) at
// a unit price of 0 (so no tax and nothing to
// invoice), its notes naming the return, confirmed through sales so stock
// is reserved as for any order. Exactly once, like Refund: the return row
// is locked and the order is created and confirmed in the transaction that
// marks it replaced, so a second replace, or a refund after it, finds it
// replaced (409) and a failure leaves neither an order nor a change.
func (s *Service) Replace(ctx context.Context, id uuid.UUID) (Return, error) {
	return s.step(ctx, id, StatusReceived, "return.replaced", TopicReplaced, func(ctx context.Context, x *Return, t time.Time, by *uuid.UUID) error {
		got, err := x.received()
		if err != nil {
			return err
		}
		in := Replacement{AccountID: x.AccountID, OrderID: x.OrderID, Lines: make([]ReplacementLine, len(got)),
			Notes: fmt.Sprintf("Replacement for return %s (order %s)", x.Number, x.OrderNumber)}
		for i, l := range got {
			in.Lines[i] = ReplacementLine{ProductID: l.ProductID, Quantity: l.Quantity}
		}
		order, err := s.replace.Replace(ctx, in)
		var e *errs.Error
		if errors.As(err, &e) && e.Code == errs.Invalid {
			// The sales side names its own fields (an account or product
			// made inactive since): the request was fine, the state is not.
			return &errs.Error{Code: errs.FailedPrecondition, Message: "the replacement order cannot be made: " + e.Message, Fields: e.Fields}
		} else if err != nil {
			return err
		}
		x.Status, x.ReplacedAt, x.ReplacedBy, x.ReplacementOrderID = StatusReplaced, &t, by, &order
		return nil
	})
}

// creditGroup is one credit note of a return: an invoice and its lines.
type creditGroup struct {
	InvoiceID uuid.UUID
	Lines     []CreditLine
}

// creditPlan credits the received units of every line of x (lines
// received with none are left out): with one credit note on the newest
// invoice that still has all of them open, or else spread over the
// invoices that have them open, newest first, one credit note per invoice
// at the prices each charged. A line never invoiced, or with fewer units
// left to credit than it returns, is refused by name.
func creditPlan(x Return, invoiced []InvoicedLine) ([]creditGroup, error) {
	open := map[uuid.UUID]int64{} // order line → units open over all invoices
	for _, il := range invoiced {
		open[il.OrderLineID] += il.Open
	}
	f := errs.Fields{}
	for i, l := range x.Lines {
		switch left := open[l.OrderLineID]; {
		case l.ReceivedUnits() == 0:
		case left == 0:
			f.Add(fmt.Sprintf("lines[%d]", i), "was never invoiced (or is credited already): invoice the order first")
		case left < l.ReceivedUnits():
			f.Add(fmt.Sprintf("lines[%d]", i), fmt.Sprintf("only %d of its units are invoiced and not yet credited", left))
		}
	}
	if len(f) > 0 {
		return nil, &errs.Error{Code: errs.FailedPrecondition, Message: "only invoiced units can be credited", Fields: f}
	}
	if g, ok := oneInvoice(x, invoiced); ok {
		return []creditGroup{g}, nil
	}
	var plan []creditGroup
	group := map[uuid.UUID]int{} // invoice → index in plan
	for _, l := range x.Lines {
		need := l.ReceivedUnits()
		for _, il := range invoiced { // newest invoice first
			if need == 0 {
				break
			}
			if il.OrderLineID != l.OrderLineID || il.Open == 0 {
				continue
			}
			n := min(need, il.Open)
			k, ok := group[il.InvoiceID]
			if !ok {
				k = len(plan)
				group[il.InvoiceID] = k
				plan = append(plan, creditGroup{InvoiceID: il.InvoiceID})
			}
			plan[k].Lines = append(plan[k].Lines, CreditLine{InvoiceLineID: il.InvoiceLineID, Quantity: n})
			need -= n
		}
	}
	return plan, nil
}

// oneInvoice finds the newest invoice on which every received line's units
// are still open.
func oneInvoice(x Return, invoiced []InvoicedLine) (creditGroup, bool) {
	byInvoice := map[uuid.UUID]map[uuid.UUID]InvoicedLine{}
	var order []uuid.UUID // newest first
	for _, il := range invoiced {
		m, ok := byInvoice[il.InvoiceID]
		if !ok {
			m = map[uuid.UUID]InvoicedLine{}
			byInvoice[il.InvoiceID] = m
			order = append(order, il.InvoiceID)
		}
		m[il.OrderLineID] = il
	}
next:
	for _, inv := range order {
		g := creditGroup{InvoiceID: inv}
		for _, l := range x.Lines {
			n := l.ReceivedUnits()
			if n == 0 {
				continue
			}
			il, ok := byInvoice[inv][l.OrderLineID]
			if !ok || il.Open < n {
				continue next
			}
			g.Lines = append(g.Lines, CreditLine{InvoiceLineID: il.InvoiceLineID, Quantity: n})
		}
		return g, true
	}
	return creditGroup{}, false
}

// step runs one status change: the return, locked, must be in from; apply
// changes it, calling its neighbours with the transaction's ctx; the change
// is saved, audited and published together.
func (s *Service) step(ctx context.Context, id uuid.UUID, from Status, action, topic string,
	apply func(ctx context.Context, x *Return, t time.Time, by *uuid.UUID) error) (Return, error) {
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		x, err := load(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if x.Status != from {
			return errs.E(errs.Conflict, "the return is %s; this needs a %s return", x.Status, from)
		}
		before := x
		before.Lines = append([]Line(nil), x.Lines...)
		t := s.stamp()
		var by *uuid.UUID
		if p, ok := tenant.PrincipalFrom(ctx); ok && p.Kind == tenant.KindUser {
			by = &p.ID
		}
		if err := apply(ctx, &x, t, by); err != nil {
			return err
		}
		x.UpdatedAt = t
		if err := save(ctx, tx, &x); err != nil {
			return err
		}
		if x.Status == StatusReceived {
			if err := saveReceipt(ctx, tx, &x); err != nil {
				return err
			}
		}
		return s.record(ctx, tx, action, topic, &before, &x)
	})
	if err != nil {
		return Return{}, err
	}
	return s.Get(ctx, id)
}

// record writes the audit row and the outbox event of a change.
func (s *Service) record(ctx context.Context, tx bun.IDB, action, topic string, before, after *Return) error {
	e := tenant.AuditEntry{Action: action, Resource: "returns", ResourceID: after.ID.String(), After: after}
	if before != nil {
		e.Before = before
	}
	if err := tenant.Audit(ctx, tx, e); err != nil {
		return err
	}
	tid, _ := tenant.FromContext(ctx)
	return events.Publish(ctx, tx, tid, topic, Payload(*after))
}

// Payload is the outbox payload of a return's event (the contract the
// customer emails are written against).
func Payload(x Return) map[string]any {
	return map[string]any{"return_id": x.ID, "number": x.Number, "account_id": x.AccountID, "order_id": x.OrderID,
		"status": string(x.Status), "reason": x.RejectionReason, "credit_note_id": x.CreditNoteID,
		"replacement_order_id": x.ReplacementOrderID}
}

// check validates a request's own fields.
func (in *NewReturn) check() error {
	f := errs.Fields{}
	if in.OrderID == uuid.Nil {
		f.Add("order_id", "is required")
	}
	in.Comment = strings.TrimSpace(in.Comment)
	checkText(f, "comment", in.Comment, MaxComment)
	switch {
	case len(in.Lines) == 0:
		f.Add("lines", "a return needs at least one line")
	case len(in.Lines) > MaxLines:
		f.Add("lines", fmt.Sprintf("at most %d lines", MaxLines))
	}
	seen := map[uuid.UUID]bool{}
	for i := range in.Lines {
		l := &in.Lines[i]
		at := fmt.Sprintf("lines[%d].", i)
		if l.OrderLineID == uuid.Nil {
			f.Add(at+"order_line_id", "is required")
		} else if seen[l.OrderLineID] {
			f.Add(at+"order_line_id", "is already on another line of this return")
		}
		seen[l.OrderLineID] = true
		if l.Quantity <= 0 || l.Quantity > MaxQuantity {
			f.Add(at+"quantity", fmt.Sprintf("must be a whole number from 1 to %d", MaxQuantity))
		}
		if !l.Reason.Valid() {
			f.Add(at+"reason", "must be one of "+reasonList)
		}
		l.Comment = strings.TrimSpace(l.Comment)
		checkText(f, at+"comment", l.Comment, MaxComment)
	}
	return f.Err()
}

const (
	reasonList    = "damaged, wrong_item, not_as_described, no_longer_needed, other"
	statusList    = "requested, approved, rejected, received, refunded, replaced"
	conditionList = "restock or quarantine"
)

func checkReceipts(in []Receipt) error {
	f := errs.Fields{}
	if len(in) == 0 {
		f.Add("lines", "must say how every line of the return was received")
	}
	if len(in) > MaxLines {
		f.Add("lines", fmt.Sprintf("at most %d lines", MaxLines))
	}
	seen := map[uuid.UUID]bool{}
	for i, r := range in {
		at := fmt.Sprintf("lines[%d].", i)
		if r.LineID == uuid.Nil {
			f.Add(at+"line_id", "is required")
		} else if seen[r.LineID] {
			f.Add(at+"line_id", "is named twice")
		}
		seen[r.LineID] = true
		if r.Received < 0 || r.Received > MaxQuantity {
			f.Add(at+"received_quantity", fmt.Sprintf("must be a whole number from 0 to %d", MaxQuantity))
		}
		// Units that came back go somewhere; a line with none needs neither
		// (a condition given anyway must still be one of the list).
		if (r.Received > 0 || r.Condition != "") && r.Condition != ConditionRestock && r.Condition != ConditionQuarantine {
			f.Add(at+"condition", "must be "+conditionList)
		}
		if r.Received > 0 && r.WarehouseID == uuid.Nil {
			f.Add(at+"warehouse_id", "is required for received units")
		}
	}
	return f.Err()
}

// checkText adds field's fault to f: invalid UTF-8, longer than max runes
// or control characters other than line breaks and tabs.
func checkText(f errs.Fields, field, s string, max int) {
	switch {
	case !utf8.ValidString(s):
		f.Add(field, "must be valid UTF-8")
	case utf8.RuneCountInString(s) > max:
		f.Add(field, fmt.Sprintf("is too long (at most %d characters)", max))
	case strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }) >= 0:
		f.Add(field, "must not contain control characters")
	}
}
