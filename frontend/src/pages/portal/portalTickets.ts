// Pure helpers for the portal's support tickets (P6), unit-tested apart
// from the pages.
import type { components } from '../../api/schema.gen';

export type CustomerTicket = components['schemas']['CustomerTicket'];
export type CustomerTicketMessage = components['schemas']['CustomerTicketMessage'];

export interface NewTicketForm {
  subject: string;
  message: string;
  orderId: string | null;
  productId: string | null;
}

export interface NewTicketBody {
  subject: string;
  message: string;
  order_id?: string;
  product_id?: string;
}

/**
 * newTicketBody checks the form and builds POST /api/v1/tickets's body: a
 * subject and a message are required; the order and product only when
 * chosen (a customer never sends the account, priority or anything else:
 * the server would refuse them).
 */
export function newTicketBody(f: NewTicketForm): { body: NewTicketBody } | { missing: ('subject' | 'message')[] } {
  const subject = f.subject.trim();
  const message = f.message.trim();
  const missing = [...(subject ? [] : (['subject'] as const)), ...(message ? [] : (['message'] as const))];
  if (missing.length) return { missing };
  return {
    body: { subject, message, ...(f.orderId ? { order_id: f.orderId } : {}), ...(f.productId ? { product_id: f.productId } : {}) },
  };
}

/** orderProducts are the distinct products of an order's lines, to pick what a ticket is about. */
export function orderProducts(lines: { product_id: string; description: string }[]): { value: string; label: string }[] {
  const seen = new Set<string>();
  const out: { value: string; label: string }[] = [];
  for (const l of lines) {
    if (seen.has(l.product_id)) continue;
    seen.add(l.product_id);
    out.push({ value: l.product_id, label: l.description });
  }
  return out;
}

/** waitingOnCustomer reports a ticket the support team answered and waits on the customer for. */
export function waitingOnCustomer(t: { status: CustomerTicket['status'] }): boolean {
  return t.status === 'pending_customer';
}
