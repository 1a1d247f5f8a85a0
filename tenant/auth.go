package tenant

import (
	"context"
	"crypto/subtle"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
	"nexo/internal/web"
)

// CookieConfig names the session cookie. Secure cookies use the __Host-
// prefix: Secure, Path=/, no Domain, so no subdomain can set or read it.
type CookieConfig struct {
	Insecure bool // plain-HTTP deployments other than localhost only
}

// Name returns the session cookie name.
func (c CookieConfig) Name() string {
	if c.Insecure {
		return "nexo_session"
	}
	return "__Host-nexo_session"
}

// SetSession writes the session cookie.
func (c CookieConfig) SetSession(fc *fiber.Ctx, raw string) {
	fc.Cookie(&fiber.Cookie{Name: c.Name(), Value: raw, Path: "/", HTTPOnly: true, Secure: !c.Insecure,
		SameSite: fiber.CookieSameSiteLaxMode, SessionOnly: true})
}

// ClearSession expires the session cookie.
func (c CookieConfig) ClearSession(fc *fiber.Ctx) {
	fc.Cookie(&fiber.Cookie{Name: c.Name(), Value: "", Path: "/", HTTPOnly: true, Secure: !c.Insecure,
		SameSite: fiber.CookieSameSiteLaxMode, MaxAge: -1})
}

// CSRFHeader carries the session's CSRF token on cookie-authenticated writes.
const CSRFHeader = "X-CSRF-Token"

// Authenticate is the one middleware that binds a credential to the request:
// an API key (Authorization: Bearer) or a session cookie. The tenant comes
// only from the credential. Requests without a credential continue
// anonymous; routes decide whether that is enough.
func (s *Service) Authenticate(cookie CookieConfig) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx := WithRequest(c.UserContext(), RequestInfo{RequestID: web.RequestID(c), IP: c.IP()})
		unsafe := !isSafeMethod(c.Method())
		var p *Principal
		if h := c.Get(fiber.HeaderAuthorization); h != "" {
			raw, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				return errs.E(errs.Unauthenticated, "use Authorization: Bearer <API key>")
			}
			kp, err := s.authenticateKey(ctx, strings.TrimSpace(raw))
			if err != nil {
				return err
			}
			p = &kp // API keys are not sent by browsers automatically: no CSRF risk.
		} else if raw := c.Cookies(cookie.Name()); raw != "" {
			sp, sess, err := s.sessionPrincipal(ctx, raw)
			if err != nil && !errs.Is(err, errs.Unauthenticated) {
				return err
			}
			if err == nil {
				if unsafe && subtle.ConstantTimeCompare([]byte(c.Get(CSRFHeader)), []byte(sess.CSRF)) != 1 {
					return errs.E(errs.Forbidden, "missing or invalid CSRF token (send the "+CSRFHeader+" header)")
				}
				if sess.mustEnroll && !totpSetupPaths[c.Method()+" "+c.Path()] {
					return errs.E(errs.Forbidden, "your company requires two-factor authentication: set up TOTP first")
				}
				p = &sp
				// The handlers that need the session (its CSRF token for
				// /me) take it from here rather than looking it up again.
				ctx = context.WithValue(ctx, sessionCtxKey, sess)
			}
		}
		if p == nil && unsafe && crossSite(c) {
			return errs.E(errs.Forbidden, "cross-site request refused")
		}
		if p != nil {
			ctx = WithPrincipal(ctx, *p)
			web.SetLogIdentity(ctx, p.TenantID.String(), p.ID.String())
		}
		c.SetUserContext(ctx)
		return c.Next()
	}
}

// sessionFrom returns the session the request authenticated with, if any.
func sessionFrom(ctx context.Context) (Session, bool) {
	sess, ok := ctx.Value(sessionCtxKey).(Session)
	return sess, ok
}

// sessionUserRow is what a request needs of its session's user and tenant.
type sessionUserRow struct {
	bun.BaseModel `bun:"table:users,alias:u"`
	Scoped
	ID          uuid.UUID `bun:"id,pk,type:uuid"`
	Email       string    `bun:"email"`
	Name        string    `bun:"name"`
	Status      string    `bun:"status"`
	TOTPEnabled bool      `bun:"totp_enabled"`
	RequireTOTP bool      `bun:"require_totp,scanonly"`
}

// sessionPrincipal loads the live user behind a session: a deactivated user
// or a suspended tenant stops working at once even if a session survived.
func (s *Service) sessionPrincipal(ctx context.Context, raw string) (Principal, Session, error) {
	if p, sess, ok := s.sessions.remembered(raw); ok {
		return p, sess, nil
	}
	p, sess, err := s.loadSessionPrincipal(ctx, raw)
	if err == nil {
		s.sessions.remember(raw, p, sess)
	}
	return p, sess, err
}

// loadSessionPrincipal reads the session and the live user or customer.
func (s *Service) loadSessionPrincipal(ctx context.Context, raw string) (Principal, Session, error) {
	sess, err := s.sessions.Get(ctx, raw)
	if err != nil {
		return Principal{}, Session{}, err
	}
	if sess.Kind == KindCustomer {
		return s.customerSession(ctx, raw, sess)
	}
	// One statement for both checks (the request path runs it on every
	// call): the user, active, of the session's tenant, which must be
	// active too; the tenant's TOTP rule comes along.
	var u sessionUserRow
	err = s.db.Run(WithTenant(ctx, sess.TenantID), func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(&u).Column("u.id", "u.email", "u.name", "u.status", "u.totp_enabled").
			ColumnExpr("t.require_totp").
			Join("JOIN tenants AS t ON t.id = u.tenant_id").
			Where("u.id = ?", sess.UserID).Where("u.status = 'active'").
			Where("t.id = ?", sess.TenantID).Where("t.status = 'active'").Scan(ctx)
	})
	if err != nil {
		if errs.Is(err, errs.NotFound) {
			_ = s.sessions.Delete(ctx, raw)
			return Principal{}, Session{}, errs.E(errs.Unauthenticated, "session expired")
		}
		return Principal{}, Session{}, err
	}
	p := Principal{TenantID: sess.TenantID, Kind: sess.Kind, ID: u.ID, Subject: UserSubject(u.ID),
		SessionID: sess.hash, Name: u.Name, Email: u.Email}
	sess.mustEnroll = s.mustEnrollTOTP(p, u.RequireTOTP, u.TOTPEnabled)
	return p, sess, nil
}

// customerSession loads the live portal user behind a customer session: a
// disabled contact or a suspended tenant stops working at once.
func (s *Service) customerSession(ctx context.Context, raw string, sess Session) (Principal, Session, error) {
	expired := errs.E(errs.Unauthenticated, "session expired")
	if s.customers == nil {
		return Principal{}, Session{}, expired
	}
	p, err := s.customers.CustomerPrincipal(WithTenant(ctx, sess.TenantID), sess.TenantID, sess.UserID)
	if err != nil {
		if errs.Is(err, errs.NotFound) {
			_ = s.sessions.Delete(ctx, raw)
			return Principal{}, Session{}, expired
		}
		return Principal{}, Session{}, err
	}
	// SECURITY: the tenant, kind and id come from the session, never from
	// the hook's answer; a customer without an account never binds.
	if p.AccountID == nil {
		return Principal{}, Session{}, expired
	}
	p.TenantID, p.Kind, p.ID, p.Subject, p.SessionID = sess.TenantID, KindCustomer, sess.UserID, CustomerSubject(sess.UserID), sess.hash
	return p, sess, nil
}

// totpSetupPaths stay open to a user held to TOTP setup.
var totpSetupPaths = map[string]bool{
	"GET /api/v1/me": true, "POST /api/v1/me/totp": true, "POST /api/v1/me/totp/confirm": true, "POST /api/v1/auth/logout": true,
}

func isSafeMethod(m string) bool {
	return m == fiber.MethodGet || m == fiber.MethodHead || m == fiber.MethodOptions
}

// crossSite reports a browser request from another site (U4): Fetch Metadata
// first, then the Origin header against the request's own host.
func crossSite(c *fiber.Ctx) bool {
	if site := c.Get("Sec-Fetch-Site"); site == "cross-site" {
		return true
	}
	origin := c.Get(fiber.HeaderOrigin)
	if origin == "" || origin == "null" {
		return origin == "null"
	}
	u, err := url.Parse(origin)
	return err != nil || !strings.EqualFold(u.Host, string(c.Request().Host()))
}
