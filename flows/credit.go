// Package flows holds the use cases that span modules (ARCHITECTURE.md):
// each composes module services inside one transaction, since a module
// service's Run inside a flow's Run joins it.
package flows

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/modules/crm"
	"nexo/modules/invoicing"
	"nexo/modules/quotes"
	"nexo/modules/sales"
	"nexo/tenant"
)

// Credit is a customer's credit position (C1, F4) in the account's
// currency: its limit, what it owes on open invoices, what its open orders
// still hold, and what is left. A limit of 0 means no limit is set:
// Limited is false and nothing is ever held for credit.
type Credit struct {
	AccountID     uuid.UUID
	Currency      string
	Limited       bool
	LimitMinor    int64
	InvoicesMinor int64 // open invoice balances (overdue included)
	OverdueMinor  int64
	OrdersMinor   int64 // confirmed orders' units not yet invoiced
	// AvailableMinor is limit − invoices − orders; negative when the
	// customer is already over the limit.
	AvailableMinor int64
}

// CreditService answers credit questions from crm (the limit), invoicing
// (open balances) and sales (open orders); one source each, no copies.
type CreditService struct {
	db        *tenant.DB
	crm       *crm.Service
	invoicing *invoicing.Service
	sales     *sales.Service
}

// NewCreditService wires the credit flow.
func NewCreditService(d *tenant.DB, c *crm.Service, inv *invoicing.Service, s *sales.Service) *CreditService {
	return &CreditService{db: d, crm: c, invoicing: inv, sales: s}
}

// Position is an account's credit now, leaving order excluding out of the
// open orders (the one being checked); uuid.Nil leaves nothing out. An
// unknown account (or another tenant's) is not found.
func (s *CreditService) Position(ctx context.Context, accountID, excluding uuid.UUID) (Credit, error) {
	var c Credit
	err := s.db.Run(ctx, func(ctx context.Context, _ bun.IDB) error {
		a, err := s.crm.GetAccount(ctx, accountID)
		if err != nil {
			return err
		}
		c, err = s.position(ctx, a, excluding)
		return err
	})
	return c, err
}

// position adds the account's open invoices and orders to its limit.
func (s *CreditService) position(ctx context.Context, a crm.Account, excluding uuid.UUID) (Credit, error) {
	c := Credit{AccountID: a.ID, Currency: a.Currency, Limited: a.CreditLimitMinor > 0, LimitMinor: a.CreditLimitMinor}
	balances, err := s.invoicing.AccountBalance(ctx, a.ID)
	if err != nil {
		return c, err
	}
	for _, b := range balances {
		if b.Currency == a.Currency {
			c.InvoicesMinor, c.OverdueMinor = b.BalanceMinor, b.OverdueMinor
		}
	}
	if c.OrdersMinor, err = s.sales.OpenAmount(ctx, a.ID, a.Currency, excluding); err != nil {
		return c, err
	}
	c.AvailableMinor = c.LimitMinor - c.InvoicesMinor - c.OrdersMinor
	return c, nil
}

// Available implements sales.Credit for the confirmation check: an order in
// another currency than the account's limit is not checked. An account
// without a limit costs one read, not the balances.
func (s *CreditService) Available(ctx context.Context, accountID uuid.UUID, currency string, excluding uuid.UUID) (int64, bool, error) {
	a, err := s.crm.GetAccount(ctx, accountID)
	if err != nil || a.CreditLimitMinor == 0 || a.Currency != currency {
		return 0, false, err
	}
	c, err := s.position(ctx, a, excluding)
	return c.AvailableMinor, err == nil, err
}

// Check implements quotes.Credit: the account's position and how far an
// amount in currency would exceed it (F4: limit 40,000, open invoices
// 30,000, quote 50,000 → available 10,000, exceeded by 40,000). An amount
// in another currency than the limit's is not checked.
func (s *CreditService) Check(ctx context.Context, accountID uuid.UUID, currency string, amountMinor int64) (quotes.CreditCheck, error) {
	c, err := s.Position(ctx, accountID, uuid.Nil)
	if err != nil {
		return quotes.CreditCheck{}, err
	}
	out := quotes.CreditCheck{Limited: c.Limited && c.Currency == currency, Currency: c.Currency, LimitMinor: c.LimitMinor,
		InvoicesMinor: c.InvoicesMinor, OrdersMinor: c.OrdersMinor, AvailableMinor: c.AvailableMinor, QuoteMinor: amountMinor}
	if out.Limited {
		out.ExceedsByMinor = max(amountMinor-max(c.AvailableMinor, 0), 0)
	}
	return out, nil
}
