package catalog

import (
	"fmt"
	"sync"
	"testing"

	"github.com/google/uuid"

	"nexo/internal/errs"
)

func TestBOMRules(t *testing.T) {
	e := newEnv(t)
	a, b := e.newTenant(t), e.newTenant(t)
	bike := e.mustProduct(t, a, "BIKE", TypeManufactured)
	frame := e.mustProduct(t, a, "FRAME", TypeManufactured)
	tube := e.mustProduct(t, a, "TUBE", TypeManufactured)
	steel := e.mustProduct(t, a, "STEEL", TypePurchased)
	foreign := e.mustProduct(t, b, "FOREIGN", TypePurchased)

	for _, tc := range []struct {
		what  string
		id    uuid.UUID
		lines []BOMLineInput
		code  errs.Code
		field string
	}{
		{"self", bike.ID, []BOMLineInput{{bike.ID, 1}}, errs.Invalid, "lines[0].component_id"},
		{"zero quantity", bike.ID, []BOMLineInput{{frame.ID, 0}}, errs.Invalid, "lines[0].quantity"},
		{"negative quantity", bike.ID, []BOMLineInput{{frame.ID, -2}}, errs.Invalid, "lines[0].quantity"},
		{"twice", bike.ID, []BOMLineInput{{frame.ID, 1}, {frame.ID, 2}}, errs.Invalid, "lines[1].component_id"},
		{"unknown component", bike.ID, []BOMLineInput{{frame.ID, 1}, {uuid.New(), 1}}, errs.Invalid, "lines[1].component_id"},
		{"another tenant's component", bike.ID, []BOMLineInput{{foreign.ID, 1}}, errs.Invalid, "lines[0].component_id"},
		{"not manufactured", steel.ID, []BOMLineInput{{frame.ID, 1}}, errs.FailedPrecondition, ""},
		{"unknown product", uuid.New(), []BOMLineInput{{frame.ID, 1}}, errs.NotFound, ""},
	} {
		_, err := e.svc.SetBOM(a, tc.id, tc.lines)
		wantErr(t, tc.what, err, tc.code, tc.field)
	}

	// bike → frame → tube → steel
	set := func(p Product, lines ...BOMLineInput) BOM {
		t.Helper()
		got, err := e.svc.SetBOM(a, p.ID, lines)
		if err != nil {
			t.Fatalf("set %s: %v", p.SKU, err)
		}
		return got
	}
	got := set(bike, BOMLineInput{frame.ID, 1}, BOMLineInput{steel.ID, 3})
	if len(got.Lines) != 2 || got.Lines[0].SKU != "FRAME" || got.Lines[1].Quantity != 3 || got.UpdatedAt == nil {
		t.Fatalf("bike: %+v", got)
	}
	set(frame, BOMLineInput{tube.ID, 4})
	set(tube, BOMLineInput{steel.ID, 2})

	// Closing a loop at any depth is refused and changes nothing.
	_, err := e.svc.SetBOM(a, tube.ID, []BOMLineInput{{steel.ID, 2}, {bike.ID, 1}})
	wantErr(t, "two-level cycle", err, errs.Invalid, "lines[1].component_id")
	_, err = e.svc.SetBOM(a, frame.ID, []BOMLineInput{{bike.ID, 1}})
	wantErr(t, "one-level cycle", err, errs.Invalid, "lines[0].component_id")
	if cur, _ := e.svc.GetBOM(a, tube.ID); len(cur.Lines) != 1 || cur.Lines[0].ComponentID != steel.ID {
		t.Fatalf("a refused set changed the BOM: %+v", cur)
	}
	// A diamond (steel twice below bike) is not a cycle.
	set(bike, BOMLineInput{frame.ID, 1}, BOMLineInput{tube.ID, 1}, BOMLineInput{steel.ID, 3})

	// Where used, and isolation.
	used, err := e.svc.FindBOMs(a, BOMFilter{ComponentID: &steel.ID, Limit: 10})
	if err != nil || len(used) != 2 {
		t.Fatalf("where steel is used: %+v %v", used, err)
	}
	all, err := e.svc.FindBOMs(b, BOMFilter{Limit: 10})
	if err != nil || len(all) != 0 {
		t.Fatalf("tenant B sees BOMs: %+v %v", all, err)
	}
	_, err = e.svc.GetBOM(b, bike.ID)
	wantErr(t, "another tenant's BOM", err, errs.NotFound, "")
	_, err = e.svc.SetBOM(b, bike.ID, nil)
	wantErr(t, "clear another tenant's BOM", err, errs.NotFound, "")

	// No lines removes the BOM; the product then has an empty one.
	if got := set(tube); len(got.Lines) != 0 || got.UpdatedAt != nil {
		t.Fatalf("cleared: %+v", got)
	}
	if n := e.auditCount(t, a, "bom.set"); n != 5 {
		t.Errorf("%d bom.set audit rows, want 5", n)
	}
}

// TestConcurrentBOMsCannotCloseACycle: A→B and B→A set at the same time
// never both succeed (row locks on PostgreSQL, the single writer on SQLite).
func TestConcurrentBOMsCannotCloseACycle(t *testing.T) {
	e := newEnv(t)
	a := e.newTenant(t)
	for round := range 5 {
		x := e.mustProduct(t, a, fmt.Sprintf("X-%d", round), TypeManufactured)
		y := e.mustProduct(t, a, fmt.Sprintf("Y-%d", round), TypeManufactured)
		var wg sync.WaitGroup
		errsOut := make([]error, 2)
		for i, pair := range [][2]Product{{x, y}, {y, x}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errsOut[i] = e.svc.SetBOM(a, pair[0].ID, []BOMLineInput{{pair[1].ID, 1}})
			}()
		}
		wg.Wait()
		if errsOut[0] == nil && errsOut[1] == nil {
			t.Fatalf("round %d: both halves of a cycle were stored", round)
		}
		for _, err := range errsOut {
			if err != nil && !errs.Is(err, errs.Invalid) && !errs.Is(err, errs.Conflict) {
				t.Errorf("round %d: %v, want invalid (cycle) or conflict (retry)", round, err)
			}
		}
	}
}
