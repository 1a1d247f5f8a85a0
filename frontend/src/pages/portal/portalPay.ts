// What the payment panel of a portal invoice shows, from the invoice, how
// it can be paid and whether the customer just came back from Stripe
// Checkout (?payment=success|canceled on the return URL).

export type PayReturn = 'success' | 'canceled' | null;

export type PayView =
  | { kind: 'paid'; justPaid: boolean } // nothing left to pay
  | { kind: 'processing' } // back from Checkout, Stripe has not confirmed yet: keep looking
  | { kind: 'online'; canceled: boolean } // the Pay now button
  | { kind: 'bank' } // transfer to the company's bank details, quoting the reference
  | { kind: 'contact' }; // neither: ask the company how to pay

type InvoiceLike = { status: string; balance_minor: number };
type OptionsLike = { online: boolean; bank: object | null; last_attempt?: string | null };

/** payReturn reads the return marker Stripe Checkout's URLs carry. */
export function payReturn(search: string): PayReturn {
  const v = new URLSearchParams(search).get('payment');
  return v === 'success' || v === 'canceled' ? v : null;
}

export function payView(invoice: InvoiceLike, options: OptionsLike | undefined, back: PayReturn): PayView {
  if (invoice.balance_minor <= 0) return { kind: 'paid', justPaid: back === 'success' };
  // Returning from a completed Checkout, the webhook may not have arrived
  // yet; a failed or expired attempt ends the wait.
  if (back === 'success' && options?.last_attempt !== 'failed' && options?.last_attempt !== 'expired') return { kind: 'processing' };
  if (options?.online) return { kind: 'online', canceled: back === 'canceled' };
  if (options?.bank) return { kind: 'bank' };
  return { kind: 'contact' };
}

/** groupIBAN writes an IBAN in groups of four, as printed on the invoice. */
export function groupIBAN(iban: string): string {
  return iban.replace(/(.{4})(?=.)/g, '$1 ');
}
