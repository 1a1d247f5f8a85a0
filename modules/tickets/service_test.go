package tickets

import (
	"errors"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"nexo/internal/errs"
)

func (e *env) open(t *testing.T, fx fixture, in NewTicket) Ticket {
	t.Helper()
	ctx := fx.staff
	if in.AccountID == nil {
		ctx = fx.custA
	}
	tk, err := e.svc.Open(ctx, in)
	if err != nil {
		t.Fatalf("open %+v: %v", in, err)
	}
	return tk
}

// Each priority is due its target after the opening, on the service
// clock; changing the priority moves the due time from the opening.
func TestSLADuePerPriority(t *testing.T) {
	e := newEnv(t)
	fx := newFixture(t, e)
	opened := e.clock.now()
	for p, want := range map[Priority]time.Duration{PriorityUrgent: 4 * time.Hour, PriorityHigh: 8 * time.Hour,
		PriorityNormal: 24 * time.Hour, PriorityLow: 72 * time.Hour, "": 24 * time.Hour} {
		tk := e.open(t, fx, NewTicket{AccountID: &fx.accA, Subject: "Broken " + string(p), Message: "It broke.", Priority: p})
		if !tk.SLADueAt.Equal(opened.Add(want)) {
			t.Errorf("%q: due %s, want %s", p, tk.SLADueAt, opened.Add(want))
		}
		if p == "" && tk.Priority != PriorityNormal {
			t.Errorf("default priority %q", tk.Priority)
		}
	}
	tk := e.open(t, fx, NewTicket{AccountID: &fx.accA, Subject: "Later", Message: "x", Priority: PriorityLow})
	e.clock.advance(time.Hour)
	up := PriorityUrgent
	got, err := e.svc.Update(fx.staff, tk.ID, Update{Priority: &up})
	if err != nil {
		t.Fatal(err)
	}
	if !got.SLADueAt.Equal(opened.Add(4 * time.Hour)) {
		t.Errorf("urgent after an hour: due %s, want %s", got.SLADueAt, opened.Add(4*time.Hour))
	}
	if e.outboxCount(t, fx.tenant, TopicOpened) != 6 {
		t.Errorf("opened events: %d", e.outboxCount(t, fx.tenant, TopicOpened))
	}
}

// breached=true lists unresolved tickets past their due time and nothing
// else; resolving a breached ticket takes it off.
func TestBreachFilter(t *testing.T) {
	e := newEnv(t)
	fx := newFixture(t, e)
	urgent := e.open(t, fx, NewTicket{AccountID: &fx.accA, Subject: "Line down", Message: "Help", Priority: PriorityUrgent})
	high := e.open(t, fx, NewTicket{AccountID: &fx.accA, Subject: "Wrong colour", Message: "Blue", Priority: PriorityHigh})
	normal := e.open(t, fx, NewTicket{AccountID: &fx.accB, Subject: "Invoice copy", Message: "Please"})
	yes, no := true, false
	ids := func(f Filter) []uuid.UUID {
		t.Helper()
		f.Limit = 100
		list, err := e.svc.Find(fx.staff, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []uuid.UUID
		for _, tk := range list {
			out = append(out, tk.ID)
		}
		return out
	}
	if got := ids(Filter{Breached: &yes}); len(got) != 0 {
		t.Fatalf("breached at opening: %v", got)
	}
	// Exactly at the due time is not yet breached.
	e.clock.advance(4 * time.Hour)
	if got := ids(Filter{Breached: &yes}); len(got) != 0 {
		t.Fatalf("breached at the due time: %v", got)
	}
	e.clock.advance(5 * time.Hour)
	if got := ids(Filter{Breached: &yes}); !slices.Equal(got, []uuid.UUID{urgent.ID, high.ID}) {
		t.Fatalf("breached after 9 h: %v, want urgent and high in due order", got)
	}
	if got := ids(Filter{Breached: &no}); !slices.Equal(got, []uuid.UUID{normal.ID}) {
		t.Fatalf("not breached after 9 h: %v", got)
	}
	tk, err := e.svc.Get(fx.staff, urgent.ID)
	if err != nil || !tk.Breached(e.svc.Now()) {
		t.Fatalf("urgent not breached: %v", err)
	}
	// Waiting on the customer still counts; resolved does not.
	if _, err := e.svc.Reply(fx.staff, high.ID, Reply{Body: "Which colour did you order?"}); err != nil {
		t.Fatal(err)
	}
	resolved := StatusResolved
	if _, err := e.svc.Update(fx.staff, urgent.ID, Update{Status: &resolved}); err != nil {
		t.Fatal(err)
	}
	if got := ids(Filter{Breached: &yes}); !slices.Equal(got, []uuid.UUID{high.ID}) {
		t.Fatalf("breached after resolving urgent: %v", got)
	}
	s, err := e.svc.Summary(fx.staff)
	if err != nil {
		t.Fatal(err)
	}
	if s.Breached != 1 || s.Open[PriorityHigh] != 1 || s.Open[PriorityNormal] != 1 || s.Open[PriorityUrgent] != 0 || s.Unassigned != 2 {
		t.Errorf("summary: %+v", s)
	}
	// The queue is in due order and pages without repeats.
	first, err := e.svc.Find(fx.staff, Filter{Limit: 2})
	if err != nil || len(first) != 2 || first[0].ID != urgent.ID || first[1].ID != high.ID {
		t.Fatalf("queue page 1: %v %v", first, err)
	}
	rest := ids(Filter{After: &Cursor{DueAt: first[1].SLADueAt, ID: first[1].ID}})
	if !slices.Equal(rest, []uuid.UUID{normal.ID}) {
		t.Fatalf("queue page 2: %v", rest)
	}
}

// The ball moves: a public staff reply waits on the customer and is the
// first response; the customer's reply reopens even a resolved ticket; an
// internal note moves nothing; a closed ticket takes no reply.
func TestRepliesMoveStatus(t *testing.T) {
	e := newEnv(t)
	fx := newFixture(t, e)
	tk := e.open(t, fx, NewTicket{Subject: "Scratched chairs", Message: "Two arrived scratched.", OrderID: &fx.orderA})
	if tk.Status != StatusOpen || tk.OpenedByKind != AuthorCustomer || tk.OpenedByID != fx.customerA || tk.OrderNumber == "" {
		t.Fatalf("opened: %+v", tk)
	}
	e.clock.advance(time.Minute)
	got, err := e.svc.Reply(fx.staff, tk.ID, Reply{Body: "Checking the lot.", Internal: true})
	if err != nil || got.Status != StatusOpen || got.FirstResponseAt != nil || !got.LastMessageAt.Equal(tk.LastMessageAt) {
		t.Fatalf("internal note: %+v %v", got, err)
	}
	e.clock.advance(time.Minute)
	got, err = e.svc.Reply(fx.staff, tk.ID, Reply{Body: "Sorry! Photos please?"})
	if err != nil || got.Status != StatusPendingCustomer || got.FirstResponseAt == nil || !got.FirstResponseAt.Equal(e.clock.now()) {
		t.Fatalf("staff reply: %+v %v", got, err)
	}
	first := *got.FirstResponseAt
	e.clock.advance(time.Minute)
	if got, err = e.svc.Reply(fx.custA, tk.ID, Reply{Body: "Attached."}); err != nil || got.Status != StatusOpen {
		t.Fatalf("customer reply: %+v %v", got, err)
	}
	resolved := StatusResolved
	if got, err = e.svc.Update(fx.staff, tk.ID, Update{Status: &resolved}); err != nil || got.ResolvedAt == nil {
		t.Fatalf("resolve: %+v %v", got, err)
	}
	if got, err = e.svc.Reply(fx.custA, tk.ID, Reply{Body: "One more is scratched."}); err != nil || got.Status != StatusOpen || got.ResolvedAt != nil {
		t.Fatalf("reply on resolved: %+v %v", got, err)
	}
	if got, err = e.svc.Reply(fx.staff, tk.ID, Reply{Body: "Replacing all three."}); err != nil || !got.FirstResponseAt.Equal(first) {
		t.Fatalf("second staff reply moved the first response: %+v %v", got, err)
	}
	if got, err = e.svc.Close(fx.custA, tk.ID); err != nil || got.Status != StatusClosed || got.ClosedAt == nil || got.ResolvedAt == nil {
		t.Fatalf("customer close: %+v %v", got, err)
	}
	_, err = e.svc.Reply(fx.custA, tk.ID, Reply{Body: "Hello?"})
	wantErr(t, "reply on closed", err, errs.Conflict, "")
	_, err = e.svc.Update(fx.staff, tk.ID, Update{Status: &resolved})
	wantErr(t, "reopen closed", err, errs.Conflict, "")
	// Published: opened once, replied for the two public staff replies.
	if o, r := e.outboxCount(t, fx.tenant, TopicOpened), e.outboxCount(t, fx.tenant, TopicReplied); o != 1 || r != 2 {
		t.Errorf("events: opened %d, replied %d", o, r)
	}
}

// Internal notes never reach a customer, and a customer cannot write one.
func TestInternalNotesHiddenFromCustomers(t *testing.T) {
	e := newEnv(t)
	fx := newFixture(t, e)
	tk := e.open(t, fx, NewTicket{Subject: "Late delivery", Message: "Where is it?"})
	for _, r := range []Reply{{Body: "Carrier lost it — do not tell them yet", Internal: true}, {Body: "On its way."}} {
		if _, err := e.svc.Reply(fx.staff, tk.ID, r); err != nil {
			t.Fatal(err)
		}
	}
	staff, err := e.svc.Get(fx.staff, tk.ID)
	if err != nil || len(staff.Messages) != 3 || !staff.Messages[1].Internal {
		t.Fatalf("staff thread: %+v %v", staff.Messages, err)
	}
	cust, err := e.svc.Get(fx.custA, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range cust.Messages {
		if m.Internal {
			t.Errorf("customer reads the internal note %q", m.Body)
		}
	}
	if len(cust.Messages) != 2 || cust.Messages[1].Body != "On its way." || !cust.Messages[1].Staff() {
		t.Errorf("customer thread: %+v", cust.Messages)
	}
	_, err = e.svc.Reply(fx.custA, tk.ID, Reply{Body: "Psst", Internal: true})
	wantErr(t, "customer internal note", err, errs.Invalid, "internal")
	if again, _ := e.svc.Get(fx.staff, tk.ID); len(again.Messages) != 3 {
		t.Errorf("refused note was written: %d messages", len(again.Messages))
	}
}

// A customer sees and changes only their account's tickets; another
// account's is exactly a missing one.
func TestCustomerIsolation(t *testing.T) {
	e := newEnv(t)
	fx := newFixture(t, e)
	mine := e.open(t, fx, NewTicket{Subject: "Mine", Message: "A's"})
	staffs := e.open(t, fx, NewTicket{AccountID: &fx.accA, Subject: "Staff opened for A", Message: "Phoned in"})
	e.open(t, fx, NewTicket{AccountID: &fx.accB, Subject: "B's", Message: "B"})
	list, err := e.svc.Find(fx.custA, Filter{Limit: 10})
	if err != nil || len(list) != 2 || list[0].ID != staffs.ID || list[1].ID != mine.ID {
		t.Fatalf("customer A's list (newest first): %v %v", list, err)
	}
	_, err = e.svc.Get(fx.custB, mine.ID)
	wantErr(t, "B reads A's", err, errs.NotFound, "")
	_, err = e.svc.Reply(fx.custB, mine.ID, Reply{Body: "hi"})
	wantErr(t, "B replies to A's", err, errs.NotFound, "")
	_, err = e.svc.Close(fx.custB, mine.ID)
	wantErr(t, "B closes A's", err, errs.NotFound, "")
	if got, _ := e.svc.Get(fx.staff, mine.ID); got.Status != StatusOpen || len(got.Messages) != 1 {
		t.Errorf("A's ticket changed: %+v", got)
	}
}

// A customer can link only their own orders: another account's order is
// "no such order", worded exactly like a missing one; a lot is staff's.
func TestCustomerCannotLinkAnotherAccountsOrder(t *testing.T) {
	e := newEnv(t)
	fx := newFixture(t, e)
	_, foreign := e.svc.Open(fx.custA, NewTicket{Subject: "x", Message: "y", OrderID: &fx.orderB})
	wantErr(t, "B's order", foreign, errs.Invalid, "order_id")
	_, missing := e.svc.Open(fx.custA, NewTicket{Subject: "x", Message: "y", OrderID: ref(id())})
	var fe, me *errs.Error
	if !errors.As(foreign, &fe) || !errors.As(missing, &me) || fe.Error() != me.Error() || !maps.Equal(fe.Fields, me.Fields) {
		t.Errorf("another account's order %v, a missing one %v", foreign, missing)
	}
	_, err := e.svc.Open(fx.custA, NewTicket{Subject: "x", Message: "y", LotID: &fx.lot})
	wantErr(t, "customer lot", err, errs.Invalid, "lot_id")
	tk := e.open(t, fx, NewTicket{Subject: "Chairs", Message: "y", OrderID: &fx.orderA, ProductID: &fx.product})
	if tk.AccountID != fx.accA || tk.ProductName != "Chair" {
		t.Errorf("own order: %+v", tk)
	}
	// Staff: the order must be the ticket account's, and may add a lot.
	_, err = e.svc.Open(fx.staff, NewTicket{AccountID: &fx.accA, Subject: "x", Message: "y", OrderID: &fx.orderB})
	wantErr(t, "staff, other account's order", err, errs.Invalid, "order_id")
	tk = e.open(t, fx, NewTicket{AccountID: &fx.accA, Subject: "Defect", Message: "y", LotID: &fx.lot, ContactID: &fx.contactA,
		AssigneeID: &fx.user})
	if tk.LotCode != "L-1" || tk.AssigneeName != "User" || tk.OpenedByKind != AuthorUser {
		t.Errorf("staff ticket: %+v", tk)
	}
}

// Bad input is a 400 naming each field, and nothing is written.
func TestBadInput(t *testing.T) {
	e := newEnv(t)
	fx := newFixture(t, e)
	long := string(make([]rune, MaxSubject+1))
	for _, c := range []struct {
		name  string
		in    NewTicket
		field string
	}{
		{"no account", NewTicket{Subject: "x", Message: "y"}, "account_id"},
		{"no subject", NewTicket{AccountID: &fx.accA, Subject: "  ", Message: "y"}, "subject"},
		{"two-line subject", NewTicket{AccountID: &fx.accA, Subject: "a\nb", Message: "y"}, "subject"},
		{"long subject", NewTicket{AccountID: &fx.accA, Subject: long, Message: "y"}, "subject"},
		{"no message", NewTicket{AccountID: &fx.accA, Subject: "x"}, "message"},
		{"control characters", NewTicket{AccountID: &fx.accA, Subject: "x", Message: "bell\a"}, "message"},
		{"priority", NewTicket{AccountID: &fx.accA, Subject: "x", Message: "y", Priority: "asap"}, "priority"},
		{"missing account", NewTicket{AccountID: ref(id()), Subject: "x", Message: "y"}, "account_id"},
		{"inactive account", NewTicket{AccountID: &fx.inactiveAccount, Subject: "x", Message: "y"}, "account_id"},
		{"other account's contact", NewTicket{AccountID: &fx.accB, ContactID: &fx.contactA, Subject: "x", Message: "y"}, "contact_id"},
		{"missing product", NewTicket{AccountID: &fx.accA, ProductID: ref(id()), Subject: "x", Message: "y"}, "product_id"},
		{"missing lot", NewTicket{AccountID: &fx.accA, LotID: ref(id()), Subject: "x", Message: "y"}, "lot_id"},
		{"inactive assignee", NewTicket{AccountID: &fx.accA, AssigneeID: &fx.inactiveUser, Subject: "x", Message: "y"}, "assignee_id"},
	} {
		_, err := e.svc.Open(fx.staff, c.in)
		wantErr(t, c.name, err, errs.Invalid, c.field)
	}
	for field, in := range map[string]NewTicket{
		"account_id":  {AccountID: &fx.accA, Subject: "x", Message: "y"},
		"priority":    {Priority: PriorityUrgent, Subject: "x", Message: "y"},
		"assignee_id": {AssigneeID: &fx.user, Subject: "x", Message: "y"},
		"contact_id":  {ContactID: &fx.contactA, Subject: "x", Message: "y"},
	} {
		_, err := e.svc.Open(fx.custA, in)
		wantErr(t, "customer sets "+field, err, errs.Invalid, field)
	}
	if list, _ := e.svc.Find(fx.staff, Filter{Limit: 10}); len(list) != 0 {
		t.Fatalf("refused tickets were written: %d", len(list))
	}
	tk := e.open(t, fx, NewTicket{AccountID: &fx.accA, Subject: "x", Message: "y"})
	bad, low := Status("done"), Priority("meh")
	_, err := e.svc.Update(fx.staff, tk.ID, Update{Status: &bad, Priority: &low})
	wantErr(t, "update status", err, errs.Invalid, "status")
	wantErr(t, "update priority", err, errs.Invalid, "priority")
	_, err = e.svc.Update(fx.staff, tk.ID, Update{AssigneeID: ref(id())})
	wantErr(t, "update assignee", err, errs.Invalid, "assignee_id")
	_, err = e.svc.Reply(fx.staff, tk.ID, Reply{Body: " "})
	wantErr(t, "empty reply", err, errs.Invalid, "body")
	_, err = e.svc.Get(fx.staff, id())
	wantErr(t, "missing ticket", err, errs.NotFound, "")
}
