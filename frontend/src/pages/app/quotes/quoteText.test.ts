import i18n from 'i18next';
import { describe, expect, it } from 'vitest';
import { availabilityText, creditView, quoteActions, quoteLinesBody, type QuoteCredit } from './quoteText';

const t = i18n.t.bind(i18n);
const en = (a: Parameters<typeof availabilityText>[0], qty: number) => availabilityText(a, qty, t, 'en-GB');

describe('availability sentence', () => {
  it('says what ships now and what follows by when', () => {
    expect(en({ now: 500, later: 500, later_date: '2026-12-08', date: '2026-12-08' }, 1000)).toBe('500 in stock now; 500 more by 8 Dec 2026');
    expect(en({ now: 600, later: 0, later_date: null, date: '2026-12-01' }, 600)).toBe('All 600 in stock now');
    expect(en({ now: 0, later: 1200, later_date: '2027-01-04', date: '2027-01-04' }, 1200)).toBe('None in stock; all 1,200 by 4 Jan 2027');
  });
  it('reads the date as a calendar day, whatever the time zone, and falls back to the final date', () => {
    expect(en({ now: 1, later: 2, later_date: null, date: '2026-12-31' }, 3)).toBe('1 in stock now; 2 more by 31 Dec 2026');
  });
  it('speaks Spanish too', async () => {
    await i18n.changeLanguage('es');
    try {
      expect(availabilityText({ now: 500, later: 500, later_date: '2026-12-08', date: '2026-12-08' }, 1000, t, 'es-ES')).toBe('500 disponibles ya; 500 más el 8 dic 2026');
    } finally {
      await i18n.changeLanguage('en');
    }
  });
});

describe('credit panel', () => {
  const credit = (over: Partial<QuoteCredit>): QuoteCredit => ({
    limited: true, currency: 'EUR', limit_minor: 4_000_000, open_invoices_minor: 3_000_000, open_orders_minor: 0,
    available_minor: 1_000_000, quote_minor: 5_000_000, exceeds_by_minor: 4_000_000, ...over,
  });
  it('states the available credit and by how much the quote exceeds it (seed flow 4)', () => {
    const v = creditView(credit({}), 'en-GB');
    expect(v).toMatchObject({ kind: 'exceeds', limit: '€40,000.00', invoices: '€30,000.00', available: '€10,000.00', exceedsBy: '€40,000.00' });
    if (v.kind !== 'exceeds') throw new Error('expected exceeds');
    expect(t('quotes.credit.exceeds', { available: v.available, over: v.exceedsBy })).toBe('Available credit €10,000.00; this quote exceeds it by €40,000.00.');
  });
  it('shows a quote that fits, no limit, and nothing once answered', () => {
    expect(creditView(credit({ quote_minor: 500_000, exceeds_by_minor: 0 }), 'en-GB').kind).toBe('fits');
    expect(creditView(credit({ limited: false }), 'en-GB').kind).toBe('unlimited');
    expect(creditView(undefined, 'en-GB').kind).toBe('none');
  });
  it('keeps a customer already over the limit negative', () => {
    expect(creditView(credit({ available_minor: -20_000 }), 'en-GB')).toMatchObject({ available: '-€200.00' });
  });
});

describe('quote lines and actions', () => {
  it('sends prices in minor units and discounts in basis points, exactly', () => {
    expect(quoteLinesBody([{ product_id: 'p', quantity: 3, unit_price: '1.234,50', discount: 12.5 }], 'EUR')).toEqual({
      lines: [{ product_id: 'p', quantity: 3, unit_price_minor: 123450, discount_bp: 1250 }],
    });
    expect(quoteLinesBody([{ product_id: 'p', quantity: '10', unit_price: ' ', discount: '' }], 'EUR')).toEqual({ lines: [{ product_id: 'p', quantity: 10, discount_bp: 0 }] });
  });
  it('names the first row and field that is not valid', () => {
    const ok = { product_id: 'p', quantity: 1, unit_price: '', discount: 0 };
    expect(quoteLinesBody([ok, { ...ok, product_id: null }], 'EUR')).toEqual({ index: 1, field: 'product_id' });
    expect(quoteLinesBody([{ ...ok, quantity: 0 }], 'EUR')).toEqual({ index: 0, field: 'quantity' });
    expect(quoteLinesBody([{ ...ok, quantity: 1.5 }], 'EUR')).toEqual({ index: 0, field: 'quantity' });
    expect(quoteLinesBody([{ ...ok, unit_price: '12,3,4x' }], 'EUR')).toEqual({ index: 0, field: 'unit_price' });
    expect(quoteLinesBody([{ ...ok, discount: 101 }], 'EUR')).toEqual({ index: 0, field: 'discount' });
  });
  it('offers only the actions the status and permissions allow', () => {
    const rep = (p: string) => ['quotes:read', 'quotes:write', 'quotes:send'].includes(p);
    const reader = (p: string) => p === 'quotes:read';
    expect(quoteActions('draft', rep)).toEqual({ edit: true, send: true, accept: false, decline: false, revise: false });
    expect(quoteActions('sent', rep)).toEqual({ edit: false, send: false, accept: true, decline: true, revise: true });
    expect(quoteActions('expired', rep)).toEqual({ edit: false, send: false, accept: false, decline: true, revise: true });
    expect(quoteActions('accepted', rep)).toEqual({ edit: false, send: false, accept: false, decline: false, revise: false });
    expect(Object.values(quoteActions('sent', reader)).some(Boolean)).toBe(false);
  });
});
