import type { TFunction } from 'i18next';
import type { components } from '../../../api/schema.gen';
import { formatDate, formatMoney, formatNumber, parseMoneyToMinor } from '../../../lib/format';

export type Quote = components['schemas']['Quote'];
export type QuoteLine = components['schemas']['QuoteLine'];
export type QuoteAvailability = components['schemas']['QuoteAvailability'];
export type QuoteCredit = components['schemas']['QuoteCredit'];
export type QuoteStatus = Quote['status'];

export const quoteStatuses: QuoteStatus[] = ['draft', 'sent', 'accepted', 'declined', 'superseded', 'expired'];
export const quoteStatusColor: Record<QuoteStatus, string> = {
  draft: 'gray', sent: 'blue', accepted: 'green', declined: 'red', superseded: 'dark', expired: 'orange',
};

/**
 * availabilityText says when a line's quantity can ship, in the rep's words:
 * "All 600 in stock now", "500 in stock now; 500 more by 8 Dec 2026" or
 * "None in stock; all 1,000 by 8 Dec 2026". Dates are calendar days (no
 * time zone shift: they are formatted as UTC).
 */
export function availabilityText(a: QuoteAvailability, quantity: number, t: TFunction, lang: string): string {
  const n = (v: number) => formatNumber(v, lang);
  const day = (d: string | null | undefined) => formatDate(d ?? a.date, lang, 'UTC');
  if (a.later <= 0 || a.now >= quantity) return t('quotes.availabilityText.allNow', { quantity: n(quantity) });
  if (a.now <= 0) return t('quotes.availabilityText.noneNow', { quantity: n(quantity), date: day(a.later_date) });
  return t('quotes.availabilityText.split', { now: n(a.now), later: n(a.later), date: day(a.later_date) });
}

export type CreditView =
  | { kind: 'none' }
  | { kind: 'unlimited' }
  | { kind: 'fits'; limit: string; invoices: string; orders: string; available: string; quote: string }
  | { kind: 'exceeds'; limit: string; invoices: string; orders: string; available: string; quote: string; exceedsBy: string };

/**
 * creditView turns the quote's credit check into what the panel shows: no
 * panel once the quote is answered (the server drops the check), "no
 * limit", or the position with a warning when the quote exceeds the
 * available credit. Available credit below zero is shown as it is: the
 * customer is already over.
 */
export function creditView(c: QuoteCredit | undefined | null, lang: string): CreditView {
  if (!c) return { kind: 'none' };
  if (!c.limited) return { kind: 'unlimited' };
  const m = (v: number) => formatMoney(v, c.currency, lang);
  const base = { limit: m(c.limit_minor), invoices: m(c.open_invoices_minor), orders: m(c.open_orders_minor), available: m(c.available_minor), quote: m(c.quote_minor) };
  if (c.exceeds_by_minor > 0) return { kind: 'exceeds', ...base, exceedsBy: m(c.exceeds_by_minor) };
  return { kind: 'fits', ...base };
}

/** quoteActions lists what may be done to a quote in its status by a holder of perms. */
export function quoteActions(status: QuoteStatus, can: (perm: string) => boolean) {
  const write = can('quotes:write');
  return {
    edit: status === 'draft' && write,
    send: status === 'draft' && can('quotes:send'),
    accept: status === 'sent' && write,
    decline: (status === 'sent' || status === 'expired') && write,
    revise: (status === 'sent' || status === 'expired' || status === 'declined') && write,
  };
}

/** A quote line as typed in the editor: prices and discounts as text people type. */
export interface EditLine {
  product_id: string | null;
  description?: string; // set for lines already on the quote (the product stays)
  quantity: number | string;
  unit_price: string; // empty: the catalog's (or price list's) price
  discount: number | string; // percent
}

export type LineBody = { product_id: string; quantity: number; unit_price_minor?: number; discount_bp: number };

/**
 * quoteLinesBody turns the editor's rows into the API's lines, exactly
 * (money via minor units, discounts as basis points), or names the first
 * row and field that is not valid.
 */
export function quoteLinesBody(rows: EditLine[], currency: string): { lines: LineBody[] } | { index: number; field: 'product_id' | 'quantity' | 'unit_price' | 'discount' } {
  const lines: LineBody[] = [];
  for (const [index, r] of rows.entries()) {
    if (!r.product_id) return { index, field: 'product_id' };
    const quantity = Number(r.quantity);
    if (!Number.isInteger(quantity) || quantity < 1) return { index, field: 'quantity' };
    const discount = r.discount === '' ? 0 : Number(r.discount);
    if (!Number.isFinite(discount) || discount < 0 || discount > 100) return { index, field: 'discount' };
    const line: LineBody = { product_id: r.product_id, quantity, discount_bp: Math.round(discount * 100) };
    if (r.unit_price.trim()) {
      const minor = parseMoneyToMinor(r.unit_price, currency);
      if (minor === null) return { index, field: 'unit_price' };
      line.unit_price_minor = minor;
    }
    lines.push(line);
  }
  return { lines };
}
