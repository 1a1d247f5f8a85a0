import { describe, expect, it } from 'vitest';
import { creditNotesOf, receiptBody, requestLines, returnableLines, returnTimeline, shortReceived } from './returnText';

const base = { created_at: '2026-03-01T09:00:00Z', approved_at: null, rejected_at: null, received_at: null, refunded_at: null, replaced_at: null };

describe('a return’s timeline', () => {
  it('shows the road ahead undated until each step is reached', () => {
    const steps = returnTimeline({ ...base, status: 'approved', approved_at: '2026-03-02T09:00:00Z' });
    expect(steps.map((s) => [s.step, s.at])).toEqual([
      ['requested', '2026-03-01T09:00:00Z'],
      ['approved', '2026-03-02T09:00:00Z'],
      ['received', null],
      ['refunded', null],
    ]);
  });
  it('ends a rejected return at its rejection', () => {
    const steps = returnTimeline({ ...base, status: 'rejected', rejected_at: '2026-03-03T09:00:00Z' });
    expect(steps.map((s) => s.step)).toEqual(['requested', 'rejected']);
    expect(steps[1]?.at).toBe('2026-03-03T09:00:00Z');
  });
  it('ends a replaced return at its replacement, not a refund', () => {
    const steps = returnTimeline({ ...base, status: 'replaced', approved_at: '2026-03-02T09:00:00Z', received_at: '2026-03-03T09:00:00Z', replaced_at: '2026-03-04T09:00:00Z' });
    expect(steps.map((s) => [s.step, s.at])).toEqual([
      ['requested', '2026-03-01T09:00:00Z'],
      ['approved', '2026-03-02T09:00:00Z'],
      ['received', '2026-03-03T09:00:00Z'],
      ['replaced', '2026-03-04T09:00:00Z'],
    ]);
  });
});

describe('requesting a return', () => {
  it('offers only lines with units left to return', () => {
    const lines = [{ order_line_id: 'a', returnable_qty: 0 }, { order_line_id: 'b', returnable_qty: 2 }];
    expect(returnableLines(lines).map((l) => l.order_line_id)).toEqual(['b']);
  });
  it('sends the chosen lines, trims comments and names a line without a reason', () => {
    const got = requestLines({
      a: { quantity: 0, reason: 'damaged', comment: '' },
      b: { quantity: 2, reason: 'damaged', comment: '  cracked lid ' },
      c: { quantity: 1, reason: '', comment: '' },
    });
    expect(got.lines).toEqual([{ order_line_id: 'b', quantity: 2, reason: 'damaged', comment: 'cracked lid' }]);
    expect(got.missing).toEqual(['c']);
  });
});

describe('a return’s receipt', () => {
  const lines = [
    { id: 'a', quantity: 3 },
    { id: 'b', quantity: 2 },
  ];
  it('starts from every requested unit and asks for a warehouse where units came back', () => {
    const r = receiptBody(lines, {});
    expect(r.lines).toEqual([
      { line_id: 'a', received_quantity: 3, condition: 'restock' },
      { line_id: 'b', received_quantity: 2, condition: 'restock' },
    ]);
    expect(r.noWarehouse).toEqual(['a', 'b']);
    expect(r.nothing).toBe(false);
  });
  it('sends a line with nothing received without a condition or warehouse, and flags too many units', () => {
    const r = receiptBody(lines, {
      a: { received: 4, condition: 'quarantine', warehouse_id: 'w' },
      b: { received: 0, condition: 'quarantine', warehouse_id: 'w' },
    });
    expect(r.lines).toEqual([
      { line_id: 'a', received_quantity: 4, condition: 'quarantine', warehouse_id: 'w' },
      { line_id: 'b', received_quantity: 0 },
    ]);
    expect(r.over).toEqual(['a']);
    expect(r.noWarehouse).toEqual([]);
  });
  it('says when nothing came back at all (a cleared or fractional field counts as 0)', () => {
    const r = receiptBody(lines, { a: { received: Number.NaN, condition: 'restock', warehouse_id: null }, b: { received: 0.5, condition: 'restock', warehouse_id: null } });
    expect(r.nothing).toBe(true);
    expect(r.noWarehouse).toEqual([]);
  });
  it('marks a line that came back short, not one still waiting', () => {
    expect(shortReceived({ quantity: 3, received_quantity: 2 })).toBe(true);
    expect(shortReceived({ quantity: 3, received_quantity: 3 })).toBe(false);
    expect(shortReceived({ quantity: 3, received_quantity: null })).toBe(false);
  });
});

describe('creditNotesOf', () => {
  it('lists every credit note of the detail, else the first, else none', () => {
    expect(creditNotesOf({ credit_note_id: 'a', credit_note_ids: ['a', 'b'] })).toEqual(['a', 'b']);
    expect(creditNotesOf({ credit_note_id: 'a' })).toEqual(['a']);
    expect(creditNotesOf({ credit_note_id: null })).toEqual([]);
  });
});
