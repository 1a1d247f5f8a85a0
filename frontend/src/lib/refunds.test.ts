import { describe, expect, it } from 'vitest';
import { cardRefundable, receivedMinor, refundPhrase } from './refunds';

describe('refunds', () => {
  it('counts the money moved to refunds as received', () => {
    expect(receivedMinor({ paid_minor: 1210, refund_minor: 1210 })).toBe(2420);
    expect(receivedMinor({ paid_minor: 500 })).toBe(500);
  });
  it('tells the customer where the refund is', () => {
    expect(refundPhrase({ status: 'due', amount_minor: 1 })).toBe('customerDue');
    expect(refundPhrase({ status: 'processing', amount_minor: 1 })).toBe('customerProcessing');
    expect(refundPhrase({ status: 'refunded', amount_minor: 1, refunded_on: '2026-12-01' })).toBe('customerRefunded');
  });
  it('offers the card only for due refunds of invoices paid online', () => {
    const due = { status: 'due', amount_minor: 1 };
    expect(cardRefundable(due, [{ method: 'card', external_ref: 'pi_1' }])).toBe(true);
    expect(cardRefundable(due, [{ method: 'card', external_ref: '' }, { method: 'transfer' }])).toBe(false);
    expect(cardRefundable({ ...due, status: 'refunded' }, [{ method: 'card', external_ref: 'pi_1' }])).toBe(false);
    expect(cardRefundable({ ...due, reason: 'overpayment' }, [{ method: 'transfer' }])).toBe(true);
  });
});
