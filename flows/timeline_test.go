package flows

import (
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"nexo/internal/errs"
)

func TestCursorRoundTrip(t *testing.T) {
	c := Cursor{At: time.Date(2026, 3, 4, 5, 6, 7, 123456000, time.UTC), ID: uuid.Must(uuid.NewV7())}
	got, err := DecodeCursor(EncodeCursor(c))
	if err != nil || !got.At.Equal(c.At) || got.ID != c.ID {
		t.Fatalf("round trip: %+v, %v; want %+v", got, err, c)
	}
	for _, bad := range []string{"", "!!", "eA", EncodeCursor(Cursor{ID: c.ID}), "MjAyNnx4"} {
		if _, err := DecodeCursor(bad); errs.FieldReason(err, "cursor") == "" {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// The merge order is the sources' SQL order: time, then id bytes, both
// descending.
func TestNewestFirst(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a := Item{At: t0.Add(time.Second), ID: uuid.MustParse("00000000-0000-7000-8000-000000000001")}
	b := Item{At: t0, ID: uuid.MustParse("ffffffff-0000-7000-8000-000000000000")}
	c := Item{At: t0, ID: uuid.MustParse("0fffffff-0000-7000-8000-000000000000")}
	items := []Item{c, a, b}
	slices.SortFunc(items, newestFirst)
	if items[0] != a || items[1] != b || items[2] != c {
		t.Fatalf("order: %+v", items)
	}
}

func TestFirstLine(t *testing.T) {
	long := string(make([]rune, 300))
	for in, want := range map[string]string{"": "", "\n  \n Hello \nworld": "Hello", "one": "one"} {
		if got := firstLine(in); got != want {
			t.Errorf("firstLine(%q) = %q", in, got)
		}
	}
	if got := []rune(firstLine("x" + long)); len(got) != maxSummary {
		t.Errorf("long line cut to %d runes", len(got))
	}
}

// FuzzDecodeCursor: any query value is a cursor or a 400 naming it, never
// a panic; what decodes encodes back to the same position.
func FuzzDecodeCursor(f *testing.F) {
	f.Add(EncodeCursor(Cursor{At: time.Now(), ID: uuid.New()}))
	f.Add("bm90IGEgY3Vyc29y")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := DecodeCursor(s)
		if err != nil {
			if errs.FieldReason(err, "cursor") == "" {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		back, err := DecodeCursor(EncodeCursor(c))
		if err != nil || !back.At.Equal(c.At) || back.ID != c.ID {
			t.Fatalf("%q: %+v → %+v, %v", s, c, back, err)
		}
	})
}
