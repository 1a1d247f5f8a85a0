// Pure helpers for an account's timeline (GET /api/v1/accounts/{id}/timeline):
// where each item links to, which translation names its status, and its
// colour. Kept apart from the component so they are unit-tested.

/** The fields of a timeline item these helpers read. */
export interface TimelineRef {
  kind: string;
  id: string;
  status: string;
  order_id?: string;
  invoice_id?: string;
}

/**
 * timelineLink is the staff app page an item opens, or null when it has
 * none (activities). Payments and credit notes open their invoice, which
 * lists them.
 */
export function timelineLink(it: TimelineRef): string | null {
  switch (it.kind) {
    case 'quote':
      return `/app/quotes/${it.id}`;
    case 'order':
      return `/app/orders/${it.id}`;
    case 'production':
      return `/app/production/${it.id}`;
    case 'shipment':
      return `/app/shipments/${it.id}`;
    case 'invoice':
      return `/app/invoices/${it.id}`;
    case 'ticket':
      return `/app/tickets/${it.id}`;
    case 'payment':
    case 'credit_note':
    case 'refund':
      return it.invoice_id ? `/app/invoices/${it.invoice_id}` : null;
    default:
      return null;
  }
}

/** The translation table of each kind's statuses (its module's own). */
const statusTable: Record<string, string> = {
  quote: 'quotes.statuses',
  order: 'orders.statuses',
  production: 'production.statuses',
  shipment: 'shipments.statuses',
  invoice: 'invoices.statuses',
  activity: 'timeline.activityStatuses',
  ticket: 'tickets.statuses',
  refund: 'refunds.statuses',
};

/**
 * timelineStatusKey is the translation key of an item's status, null when
 * the item has no status or its kind has no table (the caller shows the
 * raw value then).
 */
export function timelineStatusKey(it: TimelineRef): string | null {
  if (!it.status) return null;
  const table = statusTable[it.kind];
  return table ? `${table}.${it.status}` : null;
}

const kindColors: Record<string, string> = {
  activity: 'gray', quote: 'violet', order: 'blue', production: 'grape', shipment: 'cyan',
  invoice: 'indigo', payment: 'green', credit_note: 'orange', refund: 'teal', ticket: 'red',
};

/** timelineColor is the kind's colour (bullet and badge). */
export function timelineColor(kind: string): string {
  return kindColors[kind] ?? 'gray';
}

/** timelineKinds are the kinds the server may send, in display order. */
export const timelineKinds = ['activity', 'quote', 'order', 'production', 'shipment', 'invoice', 'payment', 'credit_note', 'refund', 'ticket'] as const;
