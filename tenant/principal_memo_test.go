package tenant

import (
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestPrincipalMemo(t *testing.T) {
	var m principalMemo
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	tid, uid, other := uuid.New(), uuid.New(), uuid.New()
	p := Principal{TenantID: tid, ID: uid, Kind: KindUser}
	m.put("k1", p, Session{TenantID: tid, UserID: uid}, t0)
	m.put("k2", Principal{TenantID: tid, ID: other}, Session{TenantID: tid, UserID: other}, t0)
	if got, _, ok := m.get("k1", t0.Add(time.Second), 2*time.Second); !ok || got.ID != uid {
		t.Fatalf("within the ttl: %v %v", got, ok)
	}
	if _, _, ok := m.get("k1", t0.Add(2*time.Second), 2*time.Second); ok {
		t.Error("an entry outlived its ttl")
	}
	if _, _, ok := m.get("k1", t0.Add(-time.Second), 2*time.Second); ok {
		t.Error("an entry from the future (clock moved back) was used")
	}
	m.forgetWhere(func(s Session) bool { return s.UserID == uid })
	if _, _, ok := m.get("k1", t0, 2*time.Second); ok {
		t.Error("forgotten user still remembered")
	}
	if _, _, ok := m.get("k2", t0, 2*time.Second); !ok {
		t.Error("another user's entry was forgotten")
	}
	m.forget("k2")
	if _, _, ok := m.get("k2", t0, 2*time.Second); ok {
		t.Error("forgotten key still remembered")
	}
}
