import { describe, expect, it } from 'vitest';
import { declineReason, quoteStanding } from './portalQuotes';

const base = {
  status: 'sent' as const,
  valid_until: '2026-12-31',
  superseded_by: null,
  accepted_at: null,
  order_id: null,
  declined_at: null,
  decline_reason: '',
};

describe('what a customer may do with a quote', () => {
  it('answers only a sent quote', () => {
    expect(quoteStanding(base)).toEqual({ kind: 'open' });
    expect(quoteStanding({ ...base, status: 'draft' })).toEqual({ kind: 'closed' });
  });
  it('says why an expired or superseded quote cannot be accepted', () => {
    expect(quoteStanding({ ...base, status: 'expired' })).toEqual({ kind: 'expired', validUntil: '2026-12-31' });
    expect(quoteStanding({ ...base, status: 'superseded', superseded_by: 'q2' })).toEqual({ kind: 'superseded', next: 'q2' });
    expect(quoteStanding({ ...base, status: 'superseded' })).toEqual({ kind: 'superseded', next: null });
  });
  it('points an accepted quote at its order and a declined one at its reason', () => {
    expect(quoteStanding({ ...base, status: 'accepted', accepted_at: '2026-12-02T10:00:00Z', order_id: 'o1' })).toEqual({
      kind: 'accepted',
      at: '2026-12-02T10:00:00Z',
      orderId: 'o1',
    });
    expect(quoteStanding({ ...base, status: 'declined', declined_at: '2026-12-02T10:00:00Z', decline_reason: 'Too dear' })).toEqual({
      kind: 'declined',
      at: '2026-12-02T10:00:00Z',
      reason: 'Too dear',
    });
  });
});

describe('decline reason', () => {
  it('is required: blank is no reason', () => {
    expect(declineReason('   ')).toBeNull();
    expect(declineReason('')).toBeNull();
    expect(declineReason('  found it cheaper \n')).toBe('found it cheaper');
  });
});
