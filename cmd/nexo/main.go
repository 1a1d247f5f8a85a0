// Command nexo is the one binary: nexo serve | migrate | worker | demo.
// With no configuration it runs embedded (SQLite under ./data, in-process
// cache); with NEXO_DATABASE_URL and NEXO_REDIS_URL it runs on PostgreSQL
// and Redis.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // time zones work on hosts without a zoneinfo database (distroless)
)

const usage = `nexo: multi-tenant CRM + ERP

Usage:
  nexo serve [--demo]        HTTP API and background workers (default command)
  nexo migrate up|down|status
  nexo worker                background workers only (outbox relay)
  nexo demo                  seed the demo tenant and print its logins

Configuration comes from NEXO_* environment variables; see README.md.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "nexo:", err)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	switch cmd {
	case "serve":
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		demo := fs.Bool("demo", false, "seed the demo tenant if missing")
		if err := fs.Parse(args); err != nil {
			return err
		}
		return serve(ctx, cfg, *demo)
	case "migrate":
		return migrate(ctx, cfg, args)
	case "worker":
		return worker(ctx, cfg)
	case "demo":
		return demo(ctx, cfg)
	case "help", "-h", "--help":
		fmt.Print(usage)
		return nil
	}
	fmt.Fprint(os.Stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}
