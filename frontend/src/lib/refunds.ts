/**
 * Refunds: a credit note on a paid invoice owes money back. The invoice's
 * paid_minor counts only payments still applied to it; what credit notes
 * moved to refunds is refund_minor, so the customer sent the sum of both.
 */
export type RefundLike = { status: string; amount_minor: number; reason?: string; method?: string | null; refunded_on?: string | null };
export type PaymentLike = { method: string; external_ref?: string };

/** receivedMinor is what the customer paid for the invoice, refunds included. */
export function receivedMinor(inv: { paid_minor: number; refund_minor?: number }): number {
  return inv.paid_minor + (inv.refund_minor ?? 0);
}

/** refundPhrase names the sentence that tells the customer where a refund is. */
export function refundPhrase(r: RefundLike): 'customerDue' | 'customerProcessing' | 'customerRefunded' {
  if (r.status === 'refunded') return 'customerRefunded';
  if (r.status === 'processing') return 'customerProcessing';
  return 'customerDue';
}

/**
 * cardRefundable: a due refund can go back to the card when the invoice was
 * paid online (a provider payment), and always for an overpayment (Stripe
 * took it, so it returns through the same payment).
 */
export function cardRefundable(r: RefundLike, payments: PaymentLike[]): boolean {
  return r.status === 'due' && (r.reason === 'overpayment' || payments.some((p) => p.method === 'card' && !!p.external_ref));
}
