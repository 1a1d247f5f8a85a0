import type { components } from '../../api/schema.gen';

type S = components['schemas'];
type OrderStatus = S['CustomerOrder']['status'];

/** The steps a customer follows (P2), in order; the last two come from the shipments. */
export const timelineSteps = ['confirmed', 'in_production', 'ready', 'shipped', 'in_transit', 'delivered'] as const;
export type TimelineStep = (typeof timelineSteps)[number];

export interface StepState {
  step: TimelineStep;
  /** When the step was reached; null if not (yet) or if the order skipped it. */
  at: string | null;
}

type Change = Pick<S['OrderStatusChange'], 'to' | 'at'>;
type Shipment = Pick<S['CustomerShipment'], 'status' | 'shipped_at' | 'in_transit_at' | 'delivered_at'>;

const earliest = (xs: (string | null | undefined)[]) => xs.filter((x): x is string => !!x).sort()[0] ?? null;
const latest = (xs: (string | null | undefined)[]) => xs.filter((x): x is string => !!x).sort().at(-1) ?? null;

/**
 * orderTimeline dates each step from the order's status history and its
 * shipments. A step counts from its first reaching (a partial shipment is
 * already "shipped" for the customer); in transit is the first shipment on
 * the road; delivered needs every live shipment delivered, dated by the last.
 */
export function orderTimeline(history: Change[], shipments: Shipment[]): StepState[] {
  const reached = (s: OrderStatus[]) => earliest(history.filter((h) => s.includes(h.to)).map((h) => h.at));
  const live = shipments.filter((s) => s.status !== 'draft' && s.status !== 'cancelled');
  const delivered = live.length > 0 && live.every((s) => s.status === 'delivered') ? latest(live.map((s) => s.delivered_at)) : null;
  const at: Record<TimelineStep, string | null> = {
    confirmed: reached(['confirmed']),
    in_production: reached(['in_production']),
    ready: reached(['ready']),
    shipped: earliest([reached(['partially_shipped', 'shipped']), ...live.map((s) => s.shipped_at)]),
    in_transit: earliest(live.map((s) => s.in_transit_at)),
    delivered,
  };
  return timelineSteps.map((step) => ({ step, at: at[step] }));
}

/** The order status badge's colour, shared by the list and the order page. */
export const orderColor: Record<OrderStatus, string> = {
  draft: 'gray', credit_hold: 'orange', confirmed: 'blue', in_production: 'violet', ready: 'teal',
  partially_shipped: 'cyan', shipped: 'cyan', invoiced: 'green', closed: 'gray', cancelled: 'red',
};

/** isOpen: an order the customer still waits on (not closed or cancelled). */
export const isOpen = (status: OrderStatus) => status !== 'closed' && status !== 'cancelled';

/** openFirst puts open orders before finished ones, keeping the server's newest-first order within each. */
export function openFirst<T extends { status: OrderStatus }>(orders: T[]): T[] {
  return [...orders.filter((o) => isOpen(o.status)), ...orders.filter((o) => !isOpen(o.status))];
}
