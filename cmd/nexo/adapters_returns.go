package main

import (
	"context"

	"github.com/google/uuid"

	"nexo/modules/inventory"
	"nexo/modules/invoicing"
	"nexo/modules/returns"
	"nexo/modules/sales"
	"nexo/modules/shipping"
)

// Adapters for returns (see adapters.go): a return reads the sales order
// (locked, so returns of one order queue), asks shipping what shipped and
// was delivered, brings goods back through inventory's ledger and credits
// them through invoicing or replaces them with a no-charge sales order, each
// through the returns module's own ports.

// returnOrders gives returns the sales order a return is about, locked for
// the return's transaction.
type returnOrders struct{ sales *sales.Service }

func (a returnOrders) Order(ctx context.Context, id uuid.UUID) (returns.Order, error) {
	o, err := a.sales.LockOrder(ctx, id)
	if err != nil {
		return returns.Order{}, err
	}
	out := returns.Order{ID: o.ID, Number: o.Number, AccountID: o.AccountID, Lines: make([]returns.OrderLine, len(o.Lines))}
	for i, l := range o.Lines {
		out.Lines[i] = returns.OrderLine{ID: l.ID, ProductID: l.ProductID, Description: l.Description, Quantity: l.Quantity}
	}
	return out, nil
}

// returnDeliveries asks shipping what of an order shipped and was delivered.
type returnDeliveries struct{ shipping *shipping.Service }

func (a returnDeliveries) Shipped(ctx context.Context, orderID uuid.UUID) (map[uuid.UUID]returns.Shipped, error) {
	got, err := a.shipping.ShippedByLine(ctx, orderID)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]returns.Shipped, len(got))
	for id, s := range got {
		out[id] = returns.Shipped{Shipped: s.Shipped, Delivered: s.Delivered}
	}
	return out, nil
}

// returnStock brings returned units back through inventory's ledger, the
// return as the moves' document and the customer as their account.
type returnStock struct{ inv *inventory.Service }

func (a returnStock) Return(ctx context.Context, in returns.StockReturn) error {
	disposition := inventory.Restock
	if in.Quarantine {
		disposition = inventory.Quarantine
	}
	account := in.AccountID
	_, err := a.inv.Return(ctx, inventory.Return{ProductID: in.ProductID, WarehouseID: in.WarehouseID, LotID: in.LotID,
		Quantity: in.Quantity, Disposition: disposition, Reason: in.Reason, AccountID: &account,
		Ref: inventory.Ref{Type: returns.RefType, ID: in.ReturnID}})
	return err
}

// returnInvoices reads an order's invoice lines and issues a return's
// credit note through invoicing.
type returnInvoices struct{ inv *invoicing.Service }

// invoicePage is how many invoices one Find call returns.
const invoicePage = 100

func (a returnInvoices) InvoicedLines(ctx context.Context, orderID uuid.UUID) ([]returns.InvoicedLine, error) {
	var out []returns.InvoicedLine
	f := invoicing.Filter{OrderID: &orderID, Limit: invoicePage}
	for {
		page, err := a.inv.Find(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, head := range page {
			inv, err := a.inv.Get(ctx, head.ID)
			if err != nil {
				return nil, err
			}
			for _, l := range inv.Lines {
				out = append(out, returns.InvoicedLine{InvoiceID: inv.ID, InvoiceLineID: l.ID, OrderLineID: l.OrderLineID,
					Open: l.Quantity - l.CreditedQty})
			}
		}
		if len(page) < invoicePage {
			return out, nil
		}
		last := page[len(page)-1].ID
		f.After = &last
	}
}

func (a returnInvoices) CreditNote(ctx context.Context, invoiceID uuid.UUID, lines []returns.CreditLine, reason string) (uuid.UUID, error) {
	in := invoicing.NewCreditNote{InvoiceID: invoiceID, Reason: reason, Lines: make([]invoicing.NewCreditLine, len(lines))}
	for i, l := range lines {
		in.Lines[i] = invoicing.NewCreditLine{InvoiceLineID: l.InvoiceLineID, Quantity: l.Quantity}
	}
	cn, err := a.inv.IssueCreditNote(ctx, in)
	return cn.ID, err
}

// returnReplacements makes a return's replacement: a sales order for the
// account in the returned order's currency, every line at a unit price of
// 0, confirmed through sales (stock reserved like any order's), all in the
// return's transaction.
type returnReplacements struct{ sales *sales.Service }

func (a returnReplacements) Replace(ctx context.Context, in returns.Replacement) (uuid.UUID, error) {
	orig, err := a.sales.Get(ctx, in.OrderID)
	if err != nil {
		return uuid.Nil, err
	}
	var free int64
	no := sales.NewOrder{AccountID: in.AccountID, Currency: orig.Currency, Notes: in.Notes, Lines: make([]sales.NewLine, len(in.Lines))}
	for i, l := range in.Lines {
		no.Lines[i] = sales.NewLine{ProductID: l.ProductID, Quantity: l.Quantity, UnitPriceMinor: &free}
	}
	o, err := a.sales.Create(ctx, no)
	if err != nil {
		return uuid.Nil, err
	}
	if _, err := a.sales.Confirm(ctx, o.ID); err != nil {
		return uuid.Nil, err
	}
	return o.ID, nil
}
