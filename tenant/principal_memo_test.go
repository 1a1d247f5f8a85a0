package tenant

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestPrincipalMemo(t *testing.T) {
	var m principalMemo
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	tid, uid, other := uuid.New(), uuid.New(), uuid.New()
	p := Principal{TenantID: tid, ID: uid, Kind: KindUser}
	m.put("raw1", "k1", p, Session{TenantID: tid, UserID: uid}, t0)
	m.put("raw2", "k2", Principal{TenantID: tid, ID: other}, Session{TenantID: tid, UserID: other}, t0)
	if got, _, ok := m.get("raw1", t0.Add(time.Second), 2*time.Second); !ok || got.ID != uid {
		t.Fatalf("within the ttl: %v %v", got, ok)
	}
	if _, _, ok := m.get("raw1", t0.Add(2*time.Second), 2*time.Second); ok {
		t.Error("an entry outlived its ttl")
	}
	if _, _, ok := m.get("raw1", t0.Add(-time.Second), 2*time.Second); ok {
		t.Error("an entry from the future (clock moved back) was used")
	}
	m.forgetWhere(func(s Session) bool { return s.UserID == uid })
	if _, _, ok := m.get("raw1", t0, 2*time.Second); ok {
		t.Error("forgotten user still remembered")
	}
	if _, _, ok := m.get("raw2", t0, 2*time.Second); !ok {
		t.Error("another user's entry was forgotten")
	}
	m.forget("k2")
	if _, _, ok := m.get("raw2", t0, 2*time.Second); ok {
		t.Error("forgotten key still remembered")
	}
}

// The memo is keyed by the raw cookie, revocations name sessions by their
// store key (DeleteUser only knows the hashes): both must reach the entry.
func TestPrincipalMemoForgetsOnRevocation(t *testing.T) {
	sessionBackends(t, SessionOptions{}, func(t *testing.T, e sessionEnv) {
		ctx := context.Background()
		_, tid := newTenant(t, e.d)
		u, other := newID(), newID()
		a, b, c := e.create(t, tid, u), e.create(t, tid, u), e.create(t, tid, other)
		for _, raw := range []string{a, b, c} {
			e.s.remember(raw, Principal{TenantID: tid, ID: u}, Session{TenantID: tid, UserID: u})
		}
		remembered := func(raw string) bool { _, _, ok := e.s.remembered(raw); return ok }
		if !remembered(a) || !remembered(b) || !remembered(c) {
			t.Fatal("remembered principals not found")
		}
		// Change a's last character to one it is not (a fixed "A" would
		// be a itself one time in 64).
		last := "A"
		if a[len(a)-1] == 'A' {
			last = "B"
		}
		if remembered(a[:len(a)-1]+last) || remembered("not-a-session") {
			t.Fatal("a value that was never remembered was found")
		}
		if err := e.s.Delete(ctx, a); err != nil {
			t.Fatal(err)
		}
		if remembered(a) || !remembered(b) {
			t.Fatal("logout did not forget exactly its session")
		}
		if err := e.s.DeleteUser(ctx, tid, u); err != nil {
			t.Fatal(err)
		}
		if remembered(b) || !remembered(c) {
			t.Fatal("DeleteUser did not forget exactly the user's sessions")
		}
	})
}
