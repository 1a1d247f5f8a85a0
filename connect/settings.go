package connect

import (
	"context"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
	"nexo/internal/stripekit"
	"nexo/tenant"
)

// State is a tenant's online payment state as staff see it.
type State struct {
	// Available: the server has Stripe keys (else nothing can connect).
	Available bool
	// Status: unavailable, not_connected, onboarding (Stripe still needs
	// details before the account can take charges), enabled (customers
	// can pay online), or disconnected (the tenant stopped offering it).
	Status           string
	AccountID        string
	ChargesEnabled   bool
	DetailsSubmitted bool
	PayoutsEnabled   bool
	OnlineEnabled    bool
	SyncedAt         *time.Time
}

// Online reports whether customers can pay online now.
func (st State) Online() bool { return st.Status == "enabled" }

func stateOf(available bool, accountID string, r *settingsRow) State {
	st := State{Available: available, AccountID: accountID, ChargesEnabled: r.ChargesEnabled,
		DetailsSubmitted: r.DetailsSubmitted, PayoutsEnabled: r.PayoutsEnabled, OnlineEnabled: r.OnlineEnabled, SyncedAt: r.SyncedAt}
	switch {
	case !available:
		st.Status = "unavailable"
	case accountID == "":
		st.Status = "not_connected"
	case !r.OnlineEnabled:
		st.Status = "disconnected"
	case !r.ChargesEnabled:
		st.Status = "onboarding"
	default:
		st.Status = "enabled"
	}
	return st
}

// State returns the bound tenant's online payment state. While an account
// cannot take charges yet it is re-read from Stripe, so a tenant back from
// onboarding sees it enabled without waiting for the webhook; once it can,
// account.updated webhooks keep it current. A Stripe outage answers with
// the last known state.
func (s *Service) State(ctx context.Context) (State, error) {
	st, err := s.state(ctx)
	if err != nil || !st.Available || st.AccountID == "" || st.ChargesEnabled {
		return st, err
	}
	fetched := now()
	a, err := s.gw.GetAccount(ctx, st.AccountID)
	if err != nil {
		s.log.Warn("stripe connect: account refresh failed", "account", st.AccountID, "err", err)
		return st, nil
	}
	if err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		_, err := syncAccount(ctx, tx, a, fetched)
		return err
	}); err != nil {
		return st, err
	}
	return s.state(ctx)
}

func (s *Service) state(ctx context.Context) (State, error) {
	var st State
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		row, err := loadSettings(ctx, tx, false)
		if err != nil {
			return err
		}
		t, err := accountOfTenant(ctx, tx)
		if err != nil {
			return err
		}
		st = stateOf(s.Available(), deref(t.AccountID), row)
		return nil
	})
	return st, err
}

// syncAccount stores a's state unless the stored one is newer (at is
// Stripe's time for a: the event's created, or when it was fetched), so
// events applied in any order end in the latest state (S2). Times are
// compared in whole seconds, Stripe's resolution: an event of the same
// second as a fetch is the newer.
func syncAccount(ctx context.Context, tx bun.IDB, a Account, at time.Time) (bool, error) {
	at = at.Truncate(time.Second)
	if _, err := loadSettings(ctx, tx, true); err != nil {
		return false, err
	}
	res, err := tx.NewUpdate().Model((*settingsRow)(nil)).
		Set("charges_enabled = ?", a.ChargesEnabled).Set("details_submitted = ?", a.DetailsSubmitted).
		Set("payouts_enabled = ?", a.PayoutsEnabled).Set("synced_at = ?", at).Set("updated_at = ?", now()).
		Where("ps.synced_at IS NULL OR ps.synced_at <= ?", at).Exec(ctx)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// Connect creates the tenant's connected account (once: its idempotency
// key is saved before the call, and a stored account is reused), turns
// online payment on, and returns Stripe's onboarding URL for it.
func (s *Service) Connect(ctx context.Context) (State, string, error) {
	if !s.Available() {
		return State{}, "", errNotConfigured
	}
	tid, _ := tenant.FromContext(ctx)
	kctx := s.db.OwnTx(ctx)
	var accountKey, linkKey, account string
	err := s.db.Run(kctx, func(ctx context.Context, tx bun.IDB) error {
		row, err := loadSettings(ctx, tx, true)
		if err != nil {
			return err
		}
		t, err := accountOfTenant(ctx, tx)
		if err != nil {
			return err
		}
		account, accountKey, linkKey = deref(t.AccountID), row.AccountKey, row.LinkKey
		if account == "" && accountKey == "" {
			accountKey = "nexo-" + uuid.NewString()
		}
		if linkKey == "" {
			linkKey = "nexo-" + uuid.NewString()
		}
		_, err = tx.NewUpdate().Model((*settingsRow)(nil)).Set("account_key = ?", accountKey).
			Set("link_key = ?", linkKey).Where("1 = 1").Exec(ctx)
		return err
	})
	if err != nil {
		return State{}, "", err
	}
	if account == "" {
		a, err := s.gw.CreateAccount(ctx, accountKey, tid.String())
		if err != nil {
			if stripekit.Definite(err) {
				s.dropKey(kctx, "account_key", accountKey)
			}
			return State{}, "", err
		}
		if account, err = s.saveAccount(kctx, a); err != nil {
			return State{}, "", err
		}
	} else if err := s.setOnline(ctx, true); err != nil {
		return State{}, "", err
	}
	url, err := s.gw.CreateAccountLink(ctx, linkKey, account, s.opt.BaseURL+s.opt.SettingsPath+"?stripe=refresh",
		s.opt.BaseURL+s.opt.SettingsPath+"?stripe=return")
	if err == nil || stripekit.Definite(err) {
		// A link is single-use and short-lived: the next one is a new call.
		s.dropKey(kctx, "link_key", linkKey)
	}
	if err != nil {
		return State{}, "", err
	}
	st, err := s.state(ctx)
	return st, url, err
}

// saveAccount stores a new connected account on the tenant and turns
// online payment on. A concurrent connect that stored first used the same
// key, so Stripe gave it the same account.
func (s *Service) saveAccount(ctx context.Context, a Account) (string, error) {
	tid, _ := tenant.FromContext(ctx)
	var account string
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		if _, err := loadSettings(ctx, tx, true); err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model((*tenantRow)(nil)).Set("stripe_connect_account_id = ?", a.ID).
			Where("t.id = ? AND t.stripe_connect_account_id IS NULL", tid).Exec(ctx); err != nil {
			return err
		}
		t, err := accountOfTenant(ctx, tx)
		if err != nil {
			return err
		}
		account = deref(t.AccountID)
		if _, err := tx.NewUpdate().Model((*settingsRow)(nil)).Set("account_key = ''").Set("online_enabled = true").
			Set("updated_at = ?", now()).Where("1 = 1").Exec(ctx); err != nil {
			return err
		}
		if _, err := syncAccount(ctx, tx, a, now()); err != nil {
			return err
		}
		return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "stripe_connect.account_created", Resource: "payment_settings",
			ResourceID: tid.String(), After: map[string]any{"account_id": account}})
	})
	return account, err
}

// Disconnect stops offering online payment: the Pay button goes, bank
// details show instead. The account stays linked, so payments customers
// already started are still recorded when Stripe reports them, and
// connecting again reuses it.
func (s *Service) Disconnect(ctx context.Context) (State, error) {
	if err := s.setOnline(ctx, false); err != nil {
		return State{}, err
	}
	return s.state(ctx)
}

func (s *Service) setOnline(ctx context.Context, on bool) error {
	tid, _ := tenant.FromContext(ctx)
	return s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		row, err := loadSettings(ctx, tx, true)
		if err != nil || row.OnlineEnabled == on {
			return err
		}
		if _, err := tx.NewUpdate().Model((*settingsRow)(nil)).Set("online_enabled = ?", on).Set("updated_at = ?", now()).
			Where("1 = 1").Exec(ctx); err != nil {
			return err
		}
		return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "stripe_connect.online_payments_changed", Resource: "payment_settings",
			ResourceID: tid.String(), Before: map[string]bool{"online_enabled": row.OnlineEnabled}, After: map[string]bool{"online_enabled": on}})
	})
}

// dropKey forgets a key whose call succeeded or was definitely refused, so
// the next call is a new one. A failure here only means the next call
// replays this one (Stripe answers with the same object), so it is logged.
func (s *Service) dropKey(ctx context.Context, col, key string) {
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		_, err := tx.NewUpdate().Model((*settingsRow)(nil)).Set("? = ''", bun.Ident(col)).
			Where("? = ?", bun.Ident("ps."+col), key).Exec(ctx)
		return err
	})
	if err != nil {
		s.log.Warn("stripe connect: could not drop a used idempotency key", "column", col, "err", err)
	}
}

// Bank returns the bound tenant's bank details.
func (s *Service) Bank(ctx context.Context) (BankDetails, error) {
	var b BankDetails
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		row, err := loadSettings(ctx, tx, false)
		if err == nil {
			b = row.BankDetails
		}
		return err
	})
	return b, err
}

// SetBank replaces the bound tenant's bank details (all fields; empty
// clears one), after checking every field (an IBAN's checksum among them).
func (s *Service) SetBank(ctx context.Context, in BankDetails) (BankDetails, error) {
	if err := in.normalize(); err != nil {
		return BankDetails{}, err
	}
	tid, _ := tenant.FromContext(ctx)
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		row, err := loadSettings(ctx, tx, true)
		if err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model((*settingsRow)(nil)).Set("bank_account_holder = ?", in.AccountHolder).
			Set("bank_iban = ?", in.IBAN).Set("bank_bic = ?", in.BIC).Set("bank_name = ?", in.BankName).
			Set("bank_instructions = ?", in.Instructions).Set("updated_at = ?", now()).Where("1 = 1").Exec(ctx); err != nil {
			return err
		}
		return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "payment_settings.bank_details_updated", Resource: "payment_settings",
			ResourceID: tid.String(), Before: row.BankDetails, After: in})
	})
	return in, err
}

var bicPattern = regexp.MustCompile(`^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$`)

// normalize trims the fields, writes IBAN and BIC in their compact upper
// case form, and names every failing field at once.
func (b *BankDetails) normalize() error {
	f := errs.Fields{}
	text(f, "account_holder", &b.AccountHolder, 140, false)
	text(f, "bank_name", &b.BankName, 140, false)
	text(f, "instructions", &b.Instructions, 500, true)
	b.IBAN = strings.ToUpper(strings.Join(strings.Fields(b.IBAN), ""))
	b.BIC = strings.ToUpper(strings.TrimSpace(b.BIC))
	if b.IBAN != "" {
		if err := checkIBAN(b.IBAN); err != "" {
			f.Add("iban", err)
		}
		if b.AccountHolder == "" && f["account_holder"] == "" {
			f.Add("account_holder", "is required with an IBAN")
		}
	}
	if b.BIC != "" && !bicPattern.MatchString(b.BIC) {
		f.Add("bic", "must be a BIC/SWIFT code of 8 or 11 letters and digits")
	}
	return f.Err()
}

// checkIBAN validates an IBAN (ISO 13616): country code, check digits and
// the mod-97 checksum. It returns the reason it fails, or "".
func checkIBAN(iban string) string {
	if len(iban) < 15 || len(iban) > 34 {
		return "must be 15 to 34 letters and digits"
	}
	for i, r := range iban {
		switch {
		case i < 2 && (r < 'A' || r > 'Z'):
			return "must start with a two-letter country code"
		case i >= 2 && i < 4 && (r < '0' || r > '9'):
			return "must have two check digits after the country code"
		case (r < 'A' || r > 'Z') && (r < '0' || r > '9'):
			return "must hold letters and digits only"
		}
	}
	var digits strings.Builder
	for _, r := range iban[4:] + iban[:4] {
		if r >= 'A' && r <= 'Z' {
			fmt.Fprintf(&digits, "%d", r-'A'+10)
		} else {
			digits.WriteRune(r)
		}
	}
	n, _ := new(big.Int).SetString(digits.String(), 10)
	if new(big.Int).Mod(n, big.NewInt(97)).Int64() != 1 {
		return "is not a valid IBAN (its check digits do not match)"
	}
	return ""
}

// text trims a field and refuses control characters (line breaks allowed
// when multiline) and more than max characters: it is printed on PDFs and
// shown in the portal.
func text(f errs.Fields, field string, s *string, max int, multiline bool) {
	*s = strings.TrimSpace(*s)
	bad := func(r rune) bool { return unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\t')) }
	switch {
	case !utf8.ValidString(*s) || strings.IndexFunc(*s, bad) >= 0:
		f.Add(field, "must be text without control characters")
	case utf8.RuneCountInString(*s) > max:
		f.Add(field, fmt.Sprintf("must be at most %d characters", max))
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
