package main

import (
	"context"
	"encoding/json"

	"nexo/internal/events"
	"nexo/modules/inventory"
	"nexo/modules/sales"
)

// Outbox consumers that carry one module's news to another. The relay
// delivers each event at least once, under its tenant; every handler here
// recomputes from the current state, so a redelivery changes nothing.

// lotHeldPayload is what inventory publishes when a lot goes on hold.
type lotHeldPayload struct {
	Released []struct {
		Ref      inventory.Ref
		Quantity int64
	} `json:"released"`
}

// onLotHeld tells sales which order lines lost reserved stock to a quality
// hold, with what inventory still holds for each, so the orders show the
// shortfall and wait for stock again.
func (a *appState) onLotHeld(ctx context.Context, e events.Event) error {
	var p lotHeldPayload
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return events.Permanent(err)
	}
	for _, r := range p.Released {
		if r.Ref.Type != sales.RefOrderLine {
			continue
		}
		rs, err := a.stock.Reservations(ctx, r.Ref)
		if err != nil {
			return err
		}
		var open int64
		for _, x := range rs {
			if x.Status == "open" {
				open += x.Quantity - x.Shipped - x.Released
			}
		}
		if err := a.sales.ReservationLost(ctx, r.Ref.ID, open); err != nil {
			return err
		}
	}
	return nil
}
