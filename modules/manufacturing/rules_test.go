package manufacturing

import (
	"testing"
	"time"
)

// TestMachine checks every pair of statuses against the intended machine.
func TestMachine(t *testing.T) {
	allowed := map[[2]Status]bool{
		{StatusPlanned, StatusReleased}: true, {StatusPlanned, StatusCancelled}: true,
		{StatusReleased, StatusInProgress}: true, {StatusReleased, StatusCancelled}: true,
		{StatusInProgress, StatusCompleted}: true, {StatusInProgress, StatusCancelled}: true,
	}
	for _, from := range Statuses() {
		for _, to := range Statuses() {
			if got := CanMove(from, to); got != allowed[[2]Status{from, to}] {
				t.Errorf("%s → %s: %v", from, to, got)
			}
		}
	}
	if Status("done").Valid() || !StatusInProgress.Valid() {
		t.Error("Valid")
	}
}

func TestDueDate(t *testing.T) {
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		p    Product
		qty  int64
		days int
	}{
		{Product{DailyCapacity: 100}, 500, 5},
		{Product{DailyCapacity: 100}, 501, 6},
		{Product{DailyCapacity: 100}, 1, 1},
		{Product{DailyCapacity: 0, LeadTimeDays: 7}, 500, 7},
		{Product{}, 500, 0},
		{Product{DailyCapacity: 1}, MaxQuantity, maxDays},
	}
	for _, c := range cases {
		if got := dueDate(start, c.p, c.qty); !got.Equal(start.AddDate(0, 0, c.days)) {
			t.Errorf("%+v × %d: %v, want +%d days", c.p, c.qty, got, c.days)
		}
	}
}

func TestComponentsBounded(t *testing.T) {
	if _, err := components([]BOMLine{{Quantity: MaxComponentQty}}, 2); err == nil {
		t.Error("per unit × quantity above the bound accepted")
	}
	c, err := components([]BOMLine{{Quantity: 3}}, 7)
	if err != nil || c[0].Required != 21 {
		t.Errorf("%+v %v", c, err)
	}
}
