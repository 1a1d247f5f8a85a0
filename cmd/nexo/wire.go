package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/uptrace/bun"

	"nexo/billing"
	"nexo/connect"
	"nexo/flows"
	"nexo/internal/cache"
	"nexo/internal/db"
	"nexo/internal/events"
	"nexo/internal/mail"
	"nexo/internal/stripekit"
	"nexo/internal/web"
	"nexo/migrations"
	"nexo/modules/catalog"
	"nexo/modules/crm"
	"nexo/modules/inventory"
	"nexo/modules/invoicing"
	"nexo/modules/manufacturing"
	"nexo/modules/quotes"
	"nexo/modules/returns"
	"nexo/modules/sales"
	"nexo/modules/shipping"
	"nexo/modules/tickets"
	"nexo/portal"
	"nexo/rbac"
	"nexo/tenant"
)

// appState is everything build wires, in dependency order.
type appState struct {
	cfg        Config
	log        *slog.Logger
	bun        *bun.DB
	db         *tenant.DB
	cache      cache.Cache
	redis      *cache.Redis
	enforcer   *rbac.Enforcer
	relay      *events.Relay
	mailbox    *mail.Mailbox
	identity   *tenant.Service
	billing    *billing.Service
	catalog    *catalog.Service
	crm        *crm.Service
	stock      *inventory.Service
	sales      *sales.Service
	production *manufacturing.Service
	shipping   *shipping.Service
	invoicing  *invoicing.Service
	connect    *connect.Service
	credit     *flows.CreditService
	quotes     *quotes.Service
	quoteFlow  *flows.QuoteFlow
	tickets    *tickets.Service
	returns    *returns.Service
	timeline   *flows.TimelineService
	portal     *portal.Service
	// portalCache holds portal customers' account-bound reads.
	portalCache *portal.ReadCache
	metrics     *prometheus.Registry
	registry    *web.Registry
	app         *fiber.App
	closers     []func()
}

func (a *appState) close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
}

func newLogger(cfg Config) *slog.Logger {
	level := slog.LevelInfo
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if strings.EqualFold(cfg.LogFormat, "text") {
		return slog.New(slog.NewTextHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, opts))
}

// build constructs every component in order. Embedded mode migrates its own
// SQLite file; on PostgreSQL the schema must be current (nexo migrate up).
func build(ctx context.Context, cfg Config, withHTTP bool) (*appState, error) {
	a := &appState{cfg: cfg, log: newLogger(cfg), metrics: prometheus.NewRegistry()}
	a.metrics.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	ok := false
	defer func() {
		if !ok {
			a.close()
		}
	}()
	var err error
	if a.bun, _, err = db.Open(ctx, cfg.DatabaseURL, cfg.DataDir, db.Options{}); err != nil {
		return nil, err
	}
	a.closers = append(a.closers, func() { _ = a.bun.Close() })
	if err := ensureSchema(ctx, a, cfg); err != nil {
		return nil, err
	}
	if err := a.assemble(ctx, withHTTP); err != nil {
		return nil, err
	}
	ok = true
	return a, nil
}

// assemble wires everything above the database; tests call it with a
// database from tenanttest.
func (a *appState) assemble(ctx context.Context, withHTTP bool) error {
	cfg := a.cfg
	a.metrics.MustRegister(collectors.NewDBStatsCollector(a.bun.DB, "nexo"))
	a.db = tenant.NewDB(a.bun)
	if err := a.buildCache(ctx); err != nil {
		return err
	}
	if err := a.buildPolicy(ctx); err != nil {
		return err
	}
	if err := a.buildEvents(); err != nil {
		return err
	}
	a.db.OnCommit(a.relay.Kick)
	sessions := tenant.NewSessions(a.db, a.cache, tenant.SessionOptions{Idle: cfg.SessionIdle, Absolute: cfg.SessionAbsolute,
		CacheTTL: cfg.SessionCacheTTL, Logger: a.log})
	throttle := tenant.NewThrottle(a.cache, tenant.ThrottleOptions{PerIP: cfg.LoginLimitPerIP})
	a.identity = tenant.NewService(a.db, sessions, throttle, a.enforcer, tenant.Options{BaseURL: cfg.BaseURL, Logger: a.log})
	plans, err := billing.LoadCatalog(cfg.BillingPlans)
	if err != nil {
		return err
	}
	a.billing = billing.New(plans, a.identity, billing.Options{
		DB:      a.db,
		Gateway: billing.NewGateway(billing.StripeConfig{SecretKey: cfg.StripeSecretKey, APIBase: cfg.StripeAPIBase}),
		Grace:   cfg.BillingGrace,
		BaseURL: cfg.BaseURL,
		Logger:  a.log,
	})
	a.identity.UseSeatLimiter(a.billing)
	a.relay.Handle(billing.SeatsTopic, a.billing.SeatSyncHandler())
	a.buildModules()
	if withHTTP {
		a.buildHTTP()
	}
	return nil
}

// buildModules wires the business modules; each gets its neighbours through
// the adapters in adapters.go.
func (a *appState) buildModules() {
	a.catalog = catalog.NewService(a.db, catalog.Options{Cache: a.cache, Logger: a.log})
	a.crm = crm.NewService(a.db, a.identity, crmProducts{a.catalog})
	a.stock = inventory.NewService(a.db, inventoryProducts{a.catalog}, inventory.Options{Cache: a.cache, Logger: a.log})
	now := a.cfg.Clock
	a.sales = sales.NewService(a.db, salesProducts{a.catalog, a.identity}, salesStock{a.stock}, a.identity, sales.Options{Now: now})
	a.relay.Handle(inventory.TopicLotHeld, a.onLotHeld)
	a.production = manufacturing.NewService(a.db, productionCatalog{a.catalog}, productionStock{a.stock},
		productionOrders{a.sales}, a.identity, manufacturing.Options{Now: now})
	a.shipping = shipping.NewService(a.db, shippingOrders{a.sales}, shippingStock{a.stock}, a.identity, shipping.Options{Now: now})
	a.invoicing = invoicing.NewService(a.db, invoicingOrders{a.sales}, a.identity, invoicingCompany{a.identity}, invoicing.Options{Now: now})
	// Customers pay invoices online on the tenant's own Stripe account;
	// invoice PDFs print the tenant's bank details.
	a.connect = connect.New(a.db, connectInvoices{a.invoicing}, connect.Options{
		Gateway: connect.NewGateway(stripekit.Config{SecretKey: a.cfg.StripeSecretKey, APIBase: a.cfg.StripeAPIBase}),
		BaseURL: a.cfg.BaseURL, Logger: a.log})
	a.invoicing.UsePaymentDetails(invoicingPaymentDetails{a.connect})
	// Confirming an order checks the customer's credit (F4), which reads
	// sales itself: wired after both exist.
	a.credit = flows.NewCreditService(a.db, a.crm, a.invoicing, a.sales)
	a.sales.UseCredit(a.credit)
	// Quotes promise from stock, production and capacity (ATP) and check
	// credit through the flows; accepting one is the F1 flow.
	atp := flows.NewATP(a.catalog, a.stock, a.production, now)
	a.quotes = quotes.NewService(a.db, quotes.Deps{Pricing: quotePricing{a.sales}, Opportunities: quoteOpportunities{a.crm},
		Availability: atp, Credit: a.credit, Numbers: a.identity, Company: invoicingCompany{a.identity}}, now)
	a.quoteFlow = flows.NewQuoteFlow(a.db, a.quotes, a.sales, a.production, a.crm)
	a.tickets = tickets.NewService(a.db, ticketLinks{crm: a.crm, sales: a.sales, catalog: a.catalog, stock: a.stock,
		identity: a.identity, policy: a.enforcer}, a.identity, tickets.Options{Now: now})
	// Returns read orders and deliveries, bring goods back into stock and
	// credit them through invoicing or replace them with a sales order.
	a.returns = returns.NewService(a.db, returns.Deps{Orders: returnOrders{a.sales}, Deliveries: returnDeliveries{a.shipping},
		Stock: returnStock{a.stock}, Invoices: returnInvoices{a.invoicing}, Replacements: returnReplacements{a.sales},
		Numbers: a.identity}, now)
	a.timeline = flows.NewTimelineService(a.db, a.credit,
		append(flows.TimelineSources(a.crm, a.sales, a.production, a.shipping, a.invoicing), flows.QuoteSource(a.quotes),
			flows.TicketSource(a.tickets))...)
	// Portal users are contacts of the CRM; identity asks the portal for the
	// customer behind a customer session.
	// The portal read cache is invalidated by the events of an account's
	// documents: the notification handlers call it first (Invalidate), and
	// sales.order.changed, which sends no email, goes to it alone.
	a.portalCache = portal.NewReadCache(a.cache)
	a.relay.Handle(sales.TopicOrderChanged, a.portalCache.EventHandler())
	a.portal = portal.NewService(a.db, a.identity.Sessions(), a.identity.Throttle(), a.enforcer, a.crm, a.identity,
		portal.Options{BaseURL: a.cfg.BaseURL, Invalidate: a.portalCache.Invalidate})
	a.portal.UseCustomerLimiter(a.billing)
	a.identity.UseCustomers(a.portal)
	// Customer notifications (P7, F6): the portal is the one consumer of
	// the events about an account's orders, shipments, invoices and returns.
	for topic, h := range a.portal.NotifyHandlers(portalDocuments{a.sales, a.shipping, a.invoicing}) {
		a.relay.Handle(topic, h)
	}
}

func ensureSchema(ctx context.Context, a *appState, cfg Config) error {
	if cfg.Embedded() {
		return migrations.Up(ctx, a.bun, func(id string) { a.log.Info("migration applied", "id", id) })
	}
	pending, err := migrations.Pending(ctx, a.bun)
	if err != nil {
		return fmt.Errorf("check schema: %w", err)
	}
	if len(pending) > 0 {
		return fmt.Errorf("database schema is behind this binary (pending: %s); run `nexo migrate up` as the owner role",
			strings.Join(pending, ", "))
	}
	return nil
}

func (a *appState) buildCache(ctx context.Context) error {
	if a.cfg.RedisURL == "" {
		a.cache = cache.NewMemory()
	} else {
		r, err := cache.NewRedis(ctx, a.cfg.RedisURL)
		if err != nil {
			return err
		}
		// Near keeps local copies of the portal's versioned reads, dropped
		// on every instance when a version is replaced (P1). The breaker
		// keeps a dead Redis from costing every request its dial-and-retry
		// time; a.redis stays unwrapped for readiness.
		near := cache.NewNear(r, cache.NearOptions{Logger: a.log, Metrics: a.metrics})
		a.redis, a.cache = r, cache.WithBreaker(near, time.Second)
	}
	a.closers = append(a.closers, func() { _ = a.cache.Close() })
	a.cache = cache.WithMetrics(a.cache, a.metrics)
	if a.cfg.WrapCache != nil {
		a.cache = a.cfg.WrapCache(a.cache)
	}
	return nil
}

func (a *appState) buildPolicy(ctx context.Context) error {
	opts := rbac.Options{Logger: a.log, ReloadEvery: 30 * time.Second}
	if a.redis != nil {
		w, err := rbac.NewWatcher(ctx, a.redis.Client())
		if err != nil {
			return err
		}
		a.closers = append(a.closers, w.Close)
		opts.Watcher = w
	}
	e, err := rbac.New(ctx, a.bun, opts)
	if err != nil {
		return err
	}
	a.enforcer = e
	a.closers = append(a.closers, e.Close)
	return nil
}

func (a *appState) buildEvents() error {
	a.relay = events.NewRelay(a.bun, events.RelayOptions{
		Logger:  a.log,
		Metrics: a.metrics,
		Bind:    func(ctx context.Context, tid uuid.UUID) context.Context { return tenant.WithTenant(ctx, tid) },
	})
	var sender mail.Sender
	if a.cfg.SMTPURL != "" {
		s, err := mail.NewSMTP(a.cfg.SMTPURL, a.cfg.MailFrom)
		if err != nil {
			return err
		}
		sender = s
	}
	if a.cfg.DevMailbox {
		a.mailbox = mail.NewMailbox(a.log, 200)
		if sender == nil {
			sender = a.mailbox
		}
	}
	a.relay.Handle(mail.EventTopic, mail.Handler(sender))
	return nil
}
