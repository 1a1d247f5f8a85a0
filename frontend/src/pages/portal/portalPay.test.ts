import { describe, expect, it } from 'vitest';
import { groupIBAN, payReturn, payView } from './portalPay';

const open = { status: 'issued', balance_minor: 1210 };
const online = { online: true, bank: null, last_attempt: null };
const bank = { online: false, bank: { iban: 'ES91' }, last_attempt: null };

describe('the payment panel of a portal invoice', () => {
  it('offers Pay now when online payment is available', () => {
    expect(payView(open, online, null)).toEqual({ kind: 'online', canceled: false });
    expect(payView(open, online, 'canceled')).toEqual({ kind: 'online', canceled: true });
  });
  it('shows the bank details when it is not, or asks to contact the company', () => {
    expect(payView(open, bank, null)).toEqual({ kind: 'bank' });
    expect(payView(open, { online: false, bank: null }, null)).toEqual({ kind: 'contact' });
    expect(payView(open, undefined, null)).toEqual({ kind: 'contact' });
  });
  it('waits for Stripe after returning from Checkout, and says when the payment arrived', () => {
    expect(payView(open, { ...online, last_attempt: 'open' }, 'success')).toEqual({ kind: 'processing' });
    expect(payView({ status: 'paid', balance_minor: 0 }, online, 'success')).toEqual({ kind: 'paid', justPaid: true });
    expect(payView({ status: 'paid', balance_minor: 0 }, online, null)).toEqual({ kind: 'paid', justPaid: false });
  });
  it('stops waiting when the attempt failed or expired', () => {
    expect(payView(open, { ...online, last_attempt: 'failed' }, 'success')).toEqual({ kind: 'online', canceled: false });
    expect(payView(open, { ...bank, last_attempt: 'expired' }, 'success')).toEqual({ kind: 'bank' });
  });
  it('reads the return marker and groups an IBAN', () => {
    expect(payReturn('?payment=success')).toBe('success');
    expect(payReturn('?payment=canceled&x=1')).toBe('canceled');
    expect(payReturn('?payment=hacked')).toBeNull();
    expect(groupIBAN('ES9121000418450200051332')).toBe('ES91 2100 0418 4502 0005 1332');
  });
});
