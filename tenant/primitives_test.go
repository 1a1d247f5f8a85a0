package tenant

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"nexo/internal/cache"
	"nexo/internal/errs"
)

func TestPasswordHashing(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash format: %s", h)
	}
	if ok, rehash, err := VerifyPassword(h, "correct horse battery"); !ok || rehash || err != nil {
		t.Fatalf("verify: %v %v %v", ok, rehash, err)
	}
	if ok, _, _ := VerifyPassword(h, "correct horse batterY"); ok {
		t.Fatal("wrong password verified")
	}
	if _, _, err := VerifyPassword("$bcrypt$x", "x"); err == nil {
		t.Fatal("unknown format accepted")
	}
	for pw, valid := range map[string]bool{"short": false, "exactly12chr": true, "ñññññññññññ": false, strings.Repeat("x", 257): false} {
		if err := ValidatePassword(pw); (err == nil) != valid {
			t.Errorf("ValidatePassword(%q) = %v", pw, err)
		}
	}
}

func TestAPIKeyRoundTrip(t *testing.T) {
	tid := uuid.New()
	raw, prefix, hash := NewAPIKey(tid)
	if !strings.HasPrefix(raw, "nexo_") || !strings.HasPrefix(raw, prefix) {
		t.Fatalf("key %s prefix %s", raw, prefix)
	}
	got, h, ok := ParseAPIKey(raw)
	if !ok || got != tid || h != hash {
		t.Fatalf("parse: %v %v %v", got, h, ok)
	}
	for _, bad := range []string{"", "nexo_", "nexo_" + strings.Repeat("A", 64), "xexo_" + raw[5:], raw + "x"} {
		if _, _, ok := ParseAPIKey(bad); ok {
			t.Errorf("ParseAPIKey(%q) accepted", bad)
		}
	}
}

func FuzzParseAPIKey(f *testing.F) {
	raw, _, _ := NewAPIKey(uuid.New())
	f.Add(raw)
	f.Add("nexo_")
	f.Add("Bearer x")
	f.Fuzz(func(t *testing.T, s string) {
		tid, hash, ok := ParseAPIKey(s)
		if ok && (tid == uuid.Nil || len(hash) != 64) {
			t.Fatalf("accepted %q with tenant %v hash %q", s, tid, hash)
		}
	})
}

func TestTOTPCodesAreSingleUse(t *testing.T) {
	secret, url, err := NewTOTPSecret("Nexo (Acme)", "a@example.com")
	if err != nil || !strings.HasPrefix(url, "otpauth://totp/") {
		t.Fatalf("%v %s", err, url)
	}
	now := time.Unix(1_800_000_000, 0)
	code, _ := totp.GenerateCodeCustom(secret, now, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	step, ok := CheckTOTP(secret, code, 0, now)
	if !ok {
		t.Fatal("valid code refused")
	}
	if _, ok := CheckTOTP(secret, code, step, now); ok {
		t.Fatal("code accepted twice")
	}
	if _, ok := CheckTOTP(secret, code, 0, now.Add(5*time.Minute)); ok {
		t.Fatal("stale code accepted")
	}
	for _, bad := range []string{"", "12345", "abcdef", "1234567"} {
		if _, ok := CheckTOTP(secret, bad, 0, now); ok {
			t.Errorf("accepted %q", bad)
		}
	}
}

// brokenCache fails every call, like a dead Redis.
type brokenCache struct{ cache.Cache }

var errDown = errors.New("redis down")

func (brokenCache) Get(context.Context, string) ([]byte, bool, error) { return nil, false, errDown }
func (brokenCache) Incr(context.Context, string, time.Duration) (int64, error) {
	return 0, errDown
}
func (brokenCache) Del(context.Context, ...string) error { return errDown }

func TestThrottle(t *testing.T) {
	ctx := context.Background()
	for name, c := range map[string]cache.Cache{"memory": cache.NewMemory(), "redis down": brokenCache{}} {
		t.Run(name, func(t *testing.T) {
			clock := time.Unix(1_800_000_000, 0)
			th := NewThrottle(c, ThrottleOptions{PerAccount: 3, PerIP: 100, Now: func() time.Time { return clock }})
			for i := 0; i < 3; i++ {
				if err := th.Allow(ctx, "login", "a@x.com", "1.2.3.4"); err != nil {
					t.Fatalf("attempt %d: %v", i, err)
				}
				th.Fail(ctx, "login", "a@x.com", "1.2.3.4")
			}
			if err := th.Allow(ctx, "login", "a@x.com", "1.2.3.4"); !errs.Is(err, errs.RateLimited) {
				t.Fatalf("4th attempt: %v", err)
			}
			if err := th.Allow(ctx, "login", "b@x.com", "1.2.3.4"); err != nil {
				t.Fatalf("other account throttled: %v", err)
			}
			if name == "memory" {
				th.Reset(ctx, "login", "a@x.com")
				if err := th.Allow(ctx, "login", "a@x.com", "1.2.3.4"); err != nil {
					t.Fatalf("after reset: %v", err)
				}
			}
		})
	}
	// Per IP: every attempt counts.
	th := NewThrottle(cache.NewMemory(), ThrottleOptions{PerAccount: 100, PerIP: 5})
	var err error
	for i := 0; i < 6; i++ {
		err = th.Allow(ctx, "login", uuid.NewString()+"@x.com", "9.9.9.9")
	}
	if !errs.Is(err, errs.RateLimited) {
		t.Fatalf("6th attempt from one IP: %v", err)
	}
}
