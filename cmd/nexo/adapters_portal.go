package main

import (
	"context"

	"github.com/google/uuid"

	"nexo/modules/invoicing"
	"nexo/modules/sales"
	"nexo/modules/shipping"
)

// portalDocuments gives the portal's customer notifications the documents
// their events are about (portal.Documents).
type portalDocuments struct {
	sales     *sales.Service
	shipping  *shipping.Service
	invoicing *invoicing.Service
}

func (a portalDocuments) GetOrder(ctx context.Context, id uuid.UUID) (sales.Order, error) {
	return a.sales.Get(ctx, id)
}

func (a portalDocuments) GetShipment(ctx context.Context, id uuid.UUID) (shipping.Shipment, error) {
	return a.shipping.Get(ctx, id)
}

func (a portalDocuments) GetInvoice(ctx context.Context, id uuid.UUID) (invoicing.Invoice, error) {
	return a.invoicing.Get(ctx, id)
}

func (a portalDocuments) GetCreditNote(ctx context.Context, id uuid.UUID) (invoicing.CreditNote, error) {
	return a.invoicing.GetCreditNote(ctx, id)
}
