import { describe, expect, it } from 'vitest';
import { en } from '../../../i18n/en';
import { timelineColor, timelineKinds, timelineLink, timelineStatusKey } from './timeline';

const item = (kind: string, extra: Partial<{ status: string; order_id: string; invoice_id: string }> = {}) => ({ kind, id: 'X', status: '', ...extra });

describe('timelineLink', () => {
  it('opens each record on its own page, payments and credit notes on their invoice', () => {
    expect(timelineLink(item('order'))).toBe('/app/orders/X');
    expect(timelineLink(item('production'))).toBe('/app/production/X');
    expect(timelineLink(item('quote'))).toBe('/app/quotes/X');
    expect(timelineLink(item('shipment', { order_id: 'O' }))).toBe('/app/shipments/X');
    expect(timelineLink(item('invoice', { order_id: 'O', invoice_id: 'X' }))).toBe('/app/invoices/X');
    expect(timelineLink(item('payment', { invoice_id: 'I' }))).toBe('/app/invoices/I');
    expect(timelineLink(item('credit_note', { invoice_id: 'I' }))).toBe('/app/invoices/I');
    expect(timelineLink(item('refund', { invoice_id: 'I' }))).toBe('/app/invoices/I');
    expect(timelineLink(item('ticket', { order_id: 'O' }))).toBe('/app/tickets/X');
  });
  it('has no link for what has no page', () => {
    expect(timelineLink(item('activity'))).toBeNull();
    expect(timelineLink(item('payment'))).toBeNull();
    expect(timelineLink(item('something_new'))).toBeNull();
  });
});

describe('timelineStatusKey', () => {
  const lookup = (key: string) => key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k], en);
  it('names a translation that exists for every status of every kind', () => {
    const statuses: Record<string, string[]> = {
      order: Object.keys(en.orders.statuses), production: Object.keys(en.production.statuses),
      shipment: Object.keys(en.shipments.statuses), invoice: Object.keys(en.invoices.statuses), activity: ['open', 'done'],
      quote: Object.keys(en.quotes.statuses), ticket: Object.keys(en.tickets.statuses),
    };
    for (const [kind, list] of Object.entries(statuses)) {
      for (const status of list) {
        const key = timelineStatusKey(item(kind, { status }));
        expect(key, `${kind} ${status}`).not.toBeNull();
        expect(typeof lookup(key!), key!).toBe('string');
      }
    }
  });
  it('is null without a status or for a kind without a table', () => {
    expect(timelineStatusKey(item('payment'))).toBeNull();
    expect(timelineStatusKey(item('activity'))).toBeNull();
    expect(timelineStatusKey(item('credit_note', { status: 'issued' }))).toBeNull();
  });
});

describe('timeline kinds', () => {
  it('each has a colour and a label', () => {
    for (const k of timelineKinds) {
      expect(timelineColor(k)).not.toBe('');
      expect(en.timeline.kinds[k]).toBeTruthy();
    }
    expect(timelineColor('unknown')).toBe('gray');
  });
});
