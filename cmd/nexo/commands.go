package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"

	"nexo/internal/db"
	"nexo/migrations"
	"nexo/portal"
)

func serve(ctx context.Context, cfg Config, seedDemo bool) error {
	start := time.Now()
	cfg.print(os.Stderr)
	a, err := build(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer a.close()
	if seedDemo {
		if err := seed(ctx, a, cfg); err != nil {
			return err
		}
	}
	var wg sync.WaitGroup
	wctx, stopWorkers := context.WithCancel(context.Background())
	wg.Add(2)
	go func() { defer wg.Done(); _ = a.relay.Run(wctx) }()
	go func() { defer wg.Done(); a.purge(wctx) }()
	errc := make(chan error, 1)
	go func() { errc <- a.app.Listen(cfg.HTTPAddr) }()
	a.log.Info("nexo ready", "addr", cfg.HTTPAddr, "url", cfg.BaseURL, "startup", time.Since(start).String())
	select {
	case err = <-errc:
	case <-ctx.Done():
		a.log.Info("shutting down: finishing in-flight requests")
		err = a.app.ShutdownWithTimeout(20 * time.Second)
	}
	// Workers stop after HTTP so events written by the last requests are
	// already in the outbox; the relay finishes the event in hand.
	stopWorkers()
	wg.Wait()
	return err
}

func worker(ctx context.Context, cfg Config) error {
	a, err := build(ctx, cfg, false)
	if err != nil {
		return err
	}
	defer a.close()
	a.log.Info("nexo worker running")
	go a.purge(ctx)
	err = a.relay.Run(ctx)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

func migrate(ctx context.Context, cfg Config, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: nexo migrate up|down [N]|status")
	}
	d, _, err := db.Open(ctx, cfg.MigrateDatabaseURL, cfg.DataDir, db.Options{StatementTimeout: 10 * time.Minute})
	if err != nil {
		return err
	}
	defer d.Close()
	progress := func(verb string) func(string) {
		return func(id string) { fmt.Printf("%s %s\n", verb, id) }
	}
	switch args[0] {
	case "up":
		if err := migrations.Up(ctx, d, progress("applied")); err != nil {
			return err
		}
		if err := migrations.GrantApp(ctx, d, cfg.AppRole); err != nil {
			return err
		}
		fmt.Println("schema is up to date")
		return nil
	case "down":
		steps := 1
		if len(args) > 1 {
			if steps, err = strconv.Atoi(args[1]); err != nil || steps < 1 {
				return fmt.Errorf("migrate down: N must be a positive integer")
			}
		}
		return migrations.Down(ctx, d, steps, progress("reverted"))
	case "status":
		st, err := migrations.StatusOf(ctx, d)
		if err != nil {
			return err
		}
		for _, s := range st {
			when := "pending"
			if s.AppliedAt != nil {
				when = "applied " + s.AppliedAt.Format(time.RFC3339)
			}
			fmt.Printf("%-32s %s\n", s.ID, when)
		}
		return nil
	}
	return fmt.Errorf("unknown migrate command %q (want up, down or status)", args[0])
}

func demo(ctx context.Context, cfg Config) error {
	a, err := build(ctx, cfg, false)
	if err != nil {
		return err
	}
	defer a.close()
	return seed(ctx, a, cfg)
}

// purge runs hourly: it deletes delivered outbox events older than a week,
// so the table holds the recent history and whatever is still pending, and
// the portal's notice marks of events older than portal.NoticeRetention
// (30 days, long after those events were done and purged).
func (a *appState) purge(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := a.relay.Purge(ctx, 7*24*time.Hour); err != nil {
			a.log.Warn("outbox purge", "err", err)
		} else if n > 0 {
			a.log.Info("outbox purged", "events", n)
		}
		if n, err := a.portal.PurgeNotices(ctx, portal.NoticeRetention); err != nil {
			a.log.Warn("portal notices purge", "err", err)
		} else if n > 0 {
			a.log.Info("portal notices purged", "notices", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
