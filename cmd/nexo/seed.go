package main

import (
	"context"
	"fmt"
	"os"

	"nexo/internal/errs"
	"nexo/tenant"
)

// demoUsers are the logins the demo tenant gets; the password is printed,
// never a secret: the demo tenant is for trying Nexo out.
var demoUsers = []struct{ email, name, role string }{
	{"owner@demo.nexo.test", "Olivia Owner", "owner"},
	{"sales@demo.nexo.test", "Sam Sales", "sales"},
	{"warehouse@demo.nexo.test", "Wanda Warehouse", "warehouse"},
	{"finance@demo.nexo.test", "Finn Finance", "finance"},
}

const demoPassword = "demo-password-2026"

// seed creates the demo tenant and its users if missing and prints the logins.
func seed(ctx context.Context, a *appState, cfg Config) error {
	_, err := a.identity.TenantBySlug(ctx, "demo")
	switch {
	case err == nil:
		fmt.Fprintln(os.Stderr, "nexo demo: the demo tenant already exists")
	case errs.Is(err, errs.NotFound):
		fmt.Fprintln(os.Stderr, "nexo demo: creating the demo tenant…")
		owner := demoUsers[0]
		tn, u, err := a.identity.Signup(ctx, tenant.NewSignup{Company: "Demo Manufacturing S.L.", Slug: "demo",
			Name: owner.name, Email: owner.email, Password: demoPassword})
		if err != nil {
			return fmt.Errorf("seed demo tenant: %w", err)
		}
		actx := tenant.WithPrincipal(ctx, tenant.Principal{TenantID: tn.ID, Kind: tenant.KindUser, ID: u.ID,
			Subject: tenant.UserSubject(u.ID), Name: u.Name})
		for i, du := range demoUsers[1:] {
			if _, err := a.identity.AddUser(actx, du.email, du.name, demoPassword, []string{du.role}); err != nil {
				return fmt.Errorf("seed demo user %s: %w", du.email, err)
			}
			fmt.Fprintf(os.Stderr, "  user %d/%d created\n", i+2, len(demoUsers))
		}
		if err := seedERP(actx, a); err != nil {
			return err
		}
		fmt.Fprintln(os.Stderr, "  products, stock, customers and a confirmed order created")
	default:
		return err
	}
	fmt.Fprintf(os.Stderr, "\nDemo tenant \"demo\" at %s — every login uses the password %q:\n", cfg.BaseURL, demoPassword)
	for _, du := range demoUsers {
		fmt.Fprintf(os.Stderr, "  %-28s %s\n", du.email, du.role)
	}
	return nil
}
