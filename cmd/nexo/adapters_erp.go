package main

import (
	"context"

	"github.com/google/uuid"

	"nexo/connect"
	"nexo/modules/catalog"
	"nexo/modules/inventory"
	"nexo/modules/invoicing"
	"nexo/modules/manufacturing"
	"nexo/modules/sales"
	"nexo/modules/shipping"
	"nexo/tenant"
)

// Adapters for production, shipping and invoicing (see adapters.go): manufacturing
// sees the catalog's products and bills of materials, inventory's stock and
// sales' waiting order lines; shipping sees sales orders and inventory's
// reservations; invoicing sees sales orders and the tenant's name, each
// through its own interfaces.

// productionCatalog gives manufacturing a product's facts and its BOM.
type productionCatalog struct{ cat *catalog.Service }

func (a productionCatalog) Product(ctx context.Context, id uuid.UUID) (manufacturing.Product, error) {
	p, err := a.cat.GetProduct(ctx, id)
	if err != nil {
		return manufacturing.Product{}, err
	}
	return manufacturing.Product{ID: p.ID, SKU: p.SKU, Type: string(p.Type), Active: p.Active, LotTracked: p.LotTracked,
		LeadTimeDays: p.LeadTimeDays, DailyCapacity: p.DailyCapacity}, nil
}

func (a productionCatalog) BOM(ctx context.Context, productID uuid.UUID) ([]manufacturing.BOMLine, error) {
	b, err := a.cat.GetBOM(ctx, productID)
	if err != nil {
		return nil, err
	}
	out := make([]manufacturing.BOMLine, len(b.Lines))
	for i, l := range b.Lines {
		out[i] = manufacturing.BOMLine{ComponentID: l.ComponentID, SKU: l.SKU, Quantity: l.Quantity}
	}
	return out, nil
}

// productionStock reserves, consumes and produces in inventory for
// production orders.
type productionStock struct{ inv *inventory.Service }

func invRef(r manufacturing.Ref) inventory.Ref { return inventory.Ref{Type: r.Type, ID: r.ID} }

func (a productionStock) Reserve(ctx context.Context, ref manufacturing.Ref, productID, warehouseID uuid.UUID, qty int64) (int64, error) {
	r, err := a.inv.Reserve(ctx, inventory.ReserveRequest{Ref: invRef(ref), ProductID: productID, WarehouseID: &warehouseID, Quantity: qty})
	return r.Quantity, err
}

func (a productionStock) Release(ctx context.Context, ref manufacturing.Ref) error {
	_, err := a.inv.Release(ctx, inventory.ReleaseRequest{Ref: invRef(ref), Reason: "production order cancelled"})
	return err
}

func (a productionStock) Consume(ctx context.Context, ref manufacturing.Ref, productID uuid.UUID, qty int64) ([]manufacturing.Allocation, error) {
	got, err := a.inv.Consume(ctx, inventory.ConsumeRequest{Ref: invRef(ref), ProductID: productID, Quantity: qty})
	if err != nil {
		return nil, err
	}
	out := make([]manufacturing.Allocation, len(got))
	for i, g := range got {
		out[i] = manufacturing.Allocation{WarehouseID: g.WarehouseID, LotID: g.LotID, Quantity: g.Quantity}
	}
	return out, nil
}

func (a productionStock) Produce(ctx context.Context, out manufacturing.Output) (*uuid.UUID, error) {
	comps := make([]inventory.Allocation, len(out.Components))
	for i, c := range out.Components {
		comps[i] = inventory.Allocation{WarehouseID: c.WarehouseID, LotID: c.LotID, Quantity: c.Quantity}
	}
	date := out.ProductionDate
	mv, err := a.inv.Produce(ctx, inventory.ProduceRequest{Ref: invRef(out.Ref), ProductID: out.ProductID,
		WarehouseID: out.WarehouseID, Quantity: out.Quantity, LotCode: out.LotCode, ProductionDate: &date, Components: comps})
	if err != nil {
		return nil, err
	}
	return mv.LotID, nil
}

// productionOrders gives manufacturing the sales order lines waiting for
// production and lets it fill them once goods are made.
type productionOrders struct{ sales *sales.Service }

// shortfallPage is how many lines one ListShortfalls call returns at most.
const shortfallPage = 500

func (a productionOrders) ProductionShortfalls(ctx context.Context) ([]manufacturing.Shortfall, error) {
	var out []manufacturing.Shortfall
	f := sales.ShortfallFilter{Action: sales.ShortfallProduction, Limit: shortfallPage}
	for {
		page, err := a.sales.ListShortfalls(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, s := range page {
			out = append(out, manufacturing.Shortfall{OrderID: s.OrderID, OrderNumber: s.OrderNumber, LineID: s.LineID,
				ProductID: s.ProductID, Quantity: s.Quantity})
		}
		if len(page) < shortfallPage {
			return out, nil
		}
		last := page[len(page)-1].LineID
		f.After = &last
	}
}

func (a productionOrders) Replenish(ctx context.Context, productID uuid.UUID) error {
	return a.sales.Replenish(ctx, productID)
}

// shippingOrders gives shipping the sales order it ships against, locked
// for the shipment's transaction, and records what shipped.
type shippingOrders struct{ sales *sales.Service }

func (a shippingOrders) Order(ctx context.Context, id uuid.UUID) (shipping.Order, error) {
	o, err := a.sales.LockOrder(ctx, id)
	if err != nil {
		return shipping.Order{}, err
	}
	out := shipping.Order{ID: o.ID, AccountID: o.AccountID, Status: string(o.Status), Lines: make([]shipping.OrderLine, len(o.Lines))}
	for i, l := range o.Lines {
		out.Lines[i] = shipping.OrderLine{ID: l.ID, ProductID: l.ProductID, Quantity: l.Quantity, ShippedQty: l.ShippedQty}
	}
	return out, nil
}

func (a shippingOrders) RecordShipped(ctx context.Context, orderID uuid.UUID, shipped map[uuid.UUID]int64) error {
	return a.sales.RecordShipped(ctx, orderID, shipped)
}

// shippingStock takes order lines' reserved units out of inventory for
// shipments.
type shippingStock struct{ inv *inventory.Service }

// refShipment is the inventory Ref type of shipment moves.
const refShipment = "shipment"

func (a shippingStock) Reserved(ctx context.Context, orderLineID, productID uuid.UUID) (int64, error) {
	rs, err := a.inv.Reservations(ctx, inventory.Ref{Type: sales.RefOrderLine, ID: orderLineID})
	if err != nil {
		return 0, err
	}
	var open int64
	for _, r := range rs {
		if r.ProductID == productID && r.Status == "open" {
			open += r.Quantity - r.Shipped - r.Released
		}
	}
	return open, nil
}

func (a shippingStock) Ship(ctx context.Context, in shipping.ShipRequest) ([]shipping.LotQty, error) {
	account := in.AccountID
	got, err := a.inv.Ship(ctx, inventory.ShipRequest{Ref: inventory.Ref{Type: sales.RefOrderLine, ID: in.OrderLineID},
		ProductID: in.ProductID, Quantity: in.Quantity, AccountID: &account,
		Shipment: inventory.Ref{Type: refShipment, ID: in.ShipmentID}})
	if err != nil {
		return nil, err
	}
	out := make([]shipping.LotQty, len(got))
	for i, g := range got {
		out[i] = shipping.LotQty{WarehouseID: g.WarehouseID, LotID: g.LotID, Quantity: g.Quantity}
	}
	return out, nil
}

// invoicingOrders gives invoicing the sales order it invoices, locked for
// the invoice's transaction, and records what was invoiced.
type invoicingOrders struct{ sales *sales.Service }

func (a invoicingOrders) Order(ctx context.Context, id uuid.UUID) (invoicing.Order, error) {
	o, err := a.sales.LockOrder(ctx, id)
	if err != nil {
		return invoicing.Order{}, err
	}
	out := invoicing.Order{ID: o.ID, Number: o.Number, AccountID: o.AccountID, Currency: o.Currency, Status: string(o.Status),
		Lines: make([]invoicing.OrderLine, len(o.Lines))}
	for i, l := range o.Lines {
		out.Lines[i] = invoicing.OrderLine{ID: l.ID, ProductID: l.ProductID, Quantity: l.Quantity,
			UnitPriceMinor: l.UnitPriceMinor, DiscountBP: l.DiscountBP, TaxRateBP: l.TaxRateBP,
			ShippedQty: o.Deliverable(l), InvoicedQty: l.InvoicedQty}
	}
	return out, nil
}

func (a invoicingOrders) RecordInvoiced(ctx context.Context, orderID uuid.UUID, invoiced map[uuid.UUID]int64) error {
	return a.sales.RecordInvoiced(ctx, orderID, invoiced)
}

// invoicingCompany names the tenant on its documents: the display name set
// in settings, else the company name.
type invoicingCompany struct{ identity *tenant.Service }

func (a invoicingCompany) CompanyName(ctx context.Context) (string, error) {
	s, err := a.identity.GetSettings(ctx)
	if err != nil {
		return "", err
	}
	if s.PortalName != "" {
		return s.PortalName, nil
	}
	return s.Name, nil
}

// connectInvoices gives online payment the invoices it takes payments for
// and records what Stripe collected through invoicing's own rules.
type connectInvoices struct{ inv *invoicing.Service }

func (a connectInvoices) Invoice(ctx context.Context, id uuid.UUID) (connect.Invoice, error) {
	i, err := a.inv.Get(ctx, id)
	if err != nil {
		return connect.Invoice{}, err
	}
	return connect.Invoice{ID: i.ID, Number: i.Number, AccountID: i.AccountID, Status: string(i.Status),
		Currency: i.Currency, BalanceMinor: i.Balance()}, nil
}

func (a connectInvoices) RecordCardPayment(ctx context.Context, invoiceID uuid.UUID, amount int64, currency, ref string) (connect.Recorded, error) {
	r, err := a.inv.RecordProviderPayment(ctx, invoicing.NewPayment{InvoiceID: invoiceID, AmountMinor: amount,
		Method: invoicing.MethodCard, Reference: "Stripe", ExternalRef: ref}, currency)
	if err != nil {
		return connect.Recorded{}, err
	}
	out := connect.Recorded{Repeat: r.Repeat, ExcessMinor: r.ExcessMinor}
	if r.Payment != nil {
		out.PaymentID = &r.Payment.ID
	}
	return out, nil
}

func (a connectInvoices) BeginCardRefund(ctx context.Context, id uuid.UUID) (connect.CardRefund, error) {
	p, err := a.inv.BeginProviderRefund(ctx, id)
	return connect.CardRefund{ID: p.RefundID, AmountMinor: p.AmountMinor, Currency: p.Currency, PaymentIntent: p.PaymentIntent,
		IdempotencyKey: p.IdempotencyKey, Done: p.Done, StripeID: p.ExternalRef}, err
}

func (a connectInvoices) SettleCardRefund(ctx context.Context, id uuid.UUID, stripeRefund, status string) (connect.RefundState, error) {
	r, err := a.inv.SettleProviderRefund(ctx, invoicing.ProviderOutcome{RefundID: id, ExternalRef: stripeRefund, Status: status})
	return connect.RefundState{ID: r.ID, Status: string(r.Status), AmountMinor: r.AmountMinor, Currency: r.Currency,
		StripeID: r.ExternalRef}, err
}

// invoicingPaymentDetails prints the tenant's bank details on its invoices.
type invoicingPaymentDetails struct{ c *connect.Service }

func (a invoicingPaymentDetails) PaymentLines(ctx context.Context, inv invoicing.Invoice) ([]string, error) {
	return a.c.PaymentLines(ctx, inv.Number)
}
