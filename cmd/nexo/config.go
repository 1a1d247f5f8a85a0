package main

import (
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"nexo/internal/cache"
)

// Config is every setting, read from NEXO_* environment variables. The zero
// configuration is embedded mode: SQLite under ./data, in-process cache.
type Config struct {
	HTTPAddr           string
	DataDir            string
	DatabaseURL        string // app role; empty = embedded SQLite
	MigrateDatabaseURL string // owner role for migrations; defaults to DatabaseURL
	AppRole            string // role granted data privileges by `nexo migrate`
	RedisURL           string // empty = in-process cache
	BaseURL            string
	SMTPURL            string
	MailFrom           string
	DevMailbox         bool
	StripeSecretKey    string
	StripeWebhookKey   string
	// StripeConnectWebhookKey signs the Connect endpoint's events (the
	// tenants' connected accounts), a separate endpoint with its own secret.
	StripeConnectWebhookKey string
	StripeAPIBase           string
	BillingPlans            string        // path of a plans JSON file; empty = built-in plans
	BillingGrace            time.Duration // how long a past_due tenant may still write
	LogFormat               string        // json or text
	LogLevel                string
	TrustedProxies          []string
	InsecureCookies         bool
	SessionIdle             time.Duration
	SessionAbsolute         time.Duration
	LoginLimitPerIP         int // login attempts per IP per 15 minutes
	// Clock is what the business modules read the date from: nil is
	// time.Now; the seed-scenario tests fix it so that promised, due and
	// valid-until dates are exact.
	Clock func() time.Time
	// SessionCacheTTL is how long a cached session is trusted without the
	// database (the revocation bound when Redis missed a delete); zero is
	// tenant.DefaultSessionCacheTTL. Tests shorten it.
	SessionCacheTTL time.Duration
	// WrapCache, when set, wraps the cache every component uses; tests put
	// a failing cache in to play a Redis outage (F1).
	WrapCache func(cache.Cache) cache.Cache
}

func loadConfig() (Config, error) {
	c := Config{
		HTTPAddr:                env("NEXO_HTTP_ADDR", ":8080"),
		DataDir:                 env("NEXO_DATA_DIR", "./data"),
		DatabaseURL:             os.Getenv("NEXO_DATABASE_URL"),
		MigrateDatabaseURL:      os.Getenv("NEXO_MIGRATE_DATABASE_URL"),
		AppRole:                 env("NEXO_DB_APP_ROLE", "nexo_app"),
		RedisURL:                os.Getenv("NEXO_REDIS_URL"),
		BaseURL:                 os.Getenv("NEXO_BASE_URL"),
		SMTPURL:                 os.Getenv("NEXO_SMTP_URL"),
		MailFrom:                env("NEXO_MAIL_FROM", "Nexo <no-reply@localhost>"),
		StripeSecretKey:         os.Getenv("NEXO_STRIPE_SECRET_KEY"),
		StripeWebhookKey:        os.Getenv("NEXO_STRIPE_WEBHOOK_SECRET"),
		StripeConnectWebhookKey: os.Getenv("NEXO_STRIPE_CONNECT_WEBHOOK_SECRET"),
		StripeAPIBase:           os.Getenv("NEXO_STRIPE_API_BASE"),
		BillingPlans:            os.Getenv("NEXO_BILLING_PLANS"),
		LogFormat:               env("NEXO_LOG_FORMAT", "json"),
		LogLevel:                env("NEXO_LOG_LEVEL", "info"),
	}
	if c.BaseURL == "" {
		port := c.HTTPAddr[strings.LastIndexByte(c.HTTPAddr, ':')+1:]
		c.BaseURL = "http://localhost:" + port
	}
	if _, err := url.ParseRequestURI(c.BaseURL); err != nil {
		return c, fmt.Errorf("NEXO_BASE_URL: %w", err)
	}
	if v := os.Getenv("NEXO_TRUSTED_PROXIES"); v != "" {
		c.TrustedProxies = strings.Split(v, ",")
	}
	var err error
	if c.DevMailbox, err = envBool("NEXO_DEV_MAILBOX", c.SMTPURL == ""); err != nil {
		return c, err
	}
	if c.InsecureCookies, err = envBool("NEXO_INSECURE_COOKIES", false); err != nil {
		return c, err
	}
	if c.SessionIdle, err = envDuration("NEXO_SESSION_IDLE", 12*time.Hour); err != nil {
		return c, err
	}
	if c.SessionAbsolute, err = envDuration("NEXO_SESSION_ABSOLUTE", 7*24*time.Hour); err != nil {
		return c, err
	}
	if c.LoginLimitPerIP, err = envInt("NEXO_LOGIN_LIMIT_PER_IP", 50); err != nil {
		return c, err
	}
	if c.BillingGrace, err = envDuration("NEXO_BILLING_GRACE", 7*24*time.Hour); err != nil {
		return c, err
	}
	if c.MigrateDatabaseURL == "" {
		c.MigrateDatabaseURL = c.DatabaseURL
	}
	return c, nil
}

// Embedded reports whether Nexo runs on its own SQLite file.
func (c Config) Embedded() bool { return c.DatabaseURL == "" }

// print writes the settings with secrets masked.
func (c Config) print(w io.Writer) {
	mode := "embedded (SQLite under " + c.DataDir + ", in-process cache)"
	if !c.Embedded() {
		mode = "PostgreSQL"
		if c.RedisURL != "" {
			mode += " + Redis"
		}
	}
	fmt.Fprintf(w, "nexo: mode %s\n", mode)
	rows := [][2]string{
		{"NEXO_HTTP_ADDR", c.HTTPAddr}, {"NEXO_BASE_URL", c.BaseURL}, {"NEXO_DATA_DIR", c.DataDir},
		{"NEXO_DATABASE_URL", maskURL(c.DatabaseURL)}, {"NEXO_REDIS_URL", maskURL(c.RedisURL)},
		{"NEXO_SMTP_URL", maskURL(c.SMTPURL)}, {"NEXO_DEV_MAILBOX", strconv.FormatBool(c.DevMailbox)},
		{"NEXO_STRIPE_SECRET_KEY", mask(c.StripeSecretKey)}, {"NEXO_STRIPE_WEBHOOK_SECRET", mask(c.StripeWebhookKey)},
		{"NEXO_STRIPE_CONNECT_WEBHOOK_SECRET", mask(c.StripeConnectWebhookKey)},
		{"NEXO_STRIPE_API_BASE", c.StripeAPIBase}, {"NEXO_BILLING_GRACE", c.BillingGrace.String()},
	}
	for _, r := range rows {
		if r[1] != "" {
			fmt.Fprintf(w, "  %-36s %s\n", r[0], r[1])
		}
	}
}

func mask(s string) string {
	if s == "" {
		return ""
	}
	return "****"
}

func maskURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || s == "" {
		return mask(s)
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "****")
	}
	return u.String()
}

func env(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func envBool(k string, def bool) (bool, error) {
	v := os.Getenv(k)
	if v == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s: want true or false", k)
	}
	return b, nil
}

func envDuration(k string, def time.Duration) (time.Duration, error) {
	v := os.Getenv(k)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s: want a positive duration such as 12h", k)
	}
	return d, nil
}

func envInt(k string, def int) (int, error) {
	v := os.Getenv(k)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s: want a positive integer", k)
	}
	return n, nil
}
