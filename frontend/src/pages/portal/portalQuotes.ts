import type { components } from '../../api/schema.gen';

export type CustomerQuote = components['schemas']['CustomerQuote'];
export type CustomerQuoteLine = NonNullable<CustomerQuote['lines']>[number];
export type QuoteAccepted = components['schemas']['QuoteAccepted'];

/**
 * Standing is what a customer may do with a quote, and if nothing, why:
 * only a sent quote still within its validity can be accepted or declined;
 * the others say what happened to it.
 */
export type Standing =
  | { kind: 'open' }
  | { kind: 'expired'; validUntil: string }
  | { kind: 'superseded'; next: string | null }
  | { kind: 'accepted'; at: string | null; orderId: string | null }
  | { kind: 'declined'; at: string | null; reason: string }
  // A draft never reaches a customer (the server filters it); shown as closed, not answerable.
  | { kind: 'closed' };

type StandingInput = Pick<
  CustomerQuote,
  'status' | 'valid_until' | 'superseded_by' | 'accepted_at' | 'order_id' | 'declined_at' | 'decline_reason'
>;

/** quoteStanding reads the quote's status (the server derives "expired" from valid_until). */
export function quoteStanding(q: StandingInput): Standing {
  switch (q.status) {
    case 'sent':
      return { kind: 'open' };
    case 'expired':
      return { kind: 'expired', validUntil: q.valid_until };
    case 'superseded':
      return { kind: 'superseded', next: q.superseded_by ?? null };
    case 'accepted':
      return { kind: 'accepted', at: q.accepted_at ?? null, orderId: q.order_id ?? null };
    case 'declined':
      return { kind: 'declined', at: q.declined_at ?? null, reason: q.decline_reason };
    default:
      return { kind: 'closed' };
  }
}

/** declineReason trims what the customer typed; null when nothing is left (the reason is required). */
export function declineReason(text: string): string | null {
  const r = text.trim();
  return r ? r : null;
}
