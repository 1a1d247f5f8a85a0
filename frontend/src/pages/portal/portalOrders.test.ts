import { describe, expect, it } from 'vitest';
import { openFirst, orderTimeline } from './portalOrders';

const ship = (over: object = {}) => ({ status: 'shipped' as const, shipped_at: '2026-03-05T10:00:00Z', in_transit_at: null, delivered_at: null, ...over });

describe('an order’s timeline for the customer', () => {
  it('dates each reached step from the history and the shipments', () => {
    const steps = orderTimeline(
      [
        { to: 'draft', at: '2026-03-01T09:00:00Z' },
        { to: 'confirmed', at: '2026-03-02T09:00:00Z' },
        { to: 'ready', at: '2026-03-03T09:00:00Z' },
        { to: 'shipped', at: '2026-03-05T10:00:00Z' },
      ],
      [ship({ status: 'in_transit', in_transit_at: '2026-03-06T08:00:00Z' })],
    );
    expect(steps.map((s) => [s.step, s.at])).toEqual([
      ['confirmed', '2026-03-02T09:00:00Z'],
      ['in_production', null],
      ['ready', '2026-03-03T09:00:00Z'],
      ['shipped', '2026-03-05T10:00:00Z'],
      ['in_transit', '2026-03-06T08:00:00Z'],
      ['delivered', null],
    ]);
  });
  it('counts a partial shipment as shipped, and delivered only when every live shipment is', () => {
    const h = [{ to: 'partially_shipped' as const, at: '2026-03-04T00:00:00Z' }];
    const one = ship({ status: 'delivered', delivered_at: '2026-03-07T00:00:00Z' });
    expect(orderTimeline(h, [one, ship()]).find((s) => s.step === 'delivered')?.at).toBeNull();
    const both = orderTimeline(h, [one, ship({ status: 'delivered', delivered_at: '2026-03-09T00:00:00Z' }), ship({ status: 'cancelled' })]);
    expect(both.find((s) => s.step === 'shipped')?.at).toBe('2026-03-04T00:00:00Z');
    expect(both.find((s) => s.step === 'delivered')?.at).toBe('2026-03-09T00:00:00Z');
  });
});

describe('the orders list', () => {
  it('shows open orders first, newest first within each group', () => {
    const list = [{ id: 1, status: 'closed' as const }, { id: 2, status: 'confirmed' as const }, { id: 3, status: 'cancelled' as const }, { id: 4, status: 'shipped' as const }];
    expect(openFirst(list).map((o) => o.id)).toEqual([2, 4, 1, 3]);
  });
});
