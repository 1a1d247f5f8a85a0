import { describe, expect, it } from 'vitest';
import { assigneeOptions, canReply, duration, queueQuery, slaState } from './tickets';

const at = (iso: string) => new Date(iso);
const due = '2026-12-01T13:00:00Z';

describe('the SLA clock', () => {
  it('counts down to the due time and warns in the last hour', () => {
    expect(slaState({ status: 'open', sla_due_at: due, breached: false }, at('2026-12-01T09:00:00Z'))).toEqual({ kind: 'due', minutes: 240 });
    expect(slaState({ status: 'pending_customer', sla_due_at: due, breached: false }, at('2026-12-01T12:15:00Z'))).toEqual({ kind: 'soon', minutes: 45 });
  });
  it('is breached past due, or whenever the server says so', () => {
    expect(slaState({ status: 'open', sla_due_at: due, breached: true }, at('2026-12-01T15:30:00Z'))).toEqual({ kind: 'breached', minutes: 150 });
    // The browser's clock runs behind the server's: the server wins.
    expect(slaState({ status: 'open', sla_due_at: due, breached: true }, at('2026-12-01T12:00:00Z'))).toEqual({ kind: 'breached', minutes: 0 });
  });
  it('stops once resolved or closed', () => {
    expect(slaState({ status: 'resolved', sla_due_at: due, breached: false }, at('2026-12-02T00:00:00Z'))).toEqual({ kind: 'settled' });
    expect(slaState({ status: 'closed', sla_due_at: due, breached: false }, at('2026-12-02T00:00:00Z'))).toEqual({ kind: 'settled' });
  });
  it('writes durations in days, hours and minutes', () => {
    expect(duration(45)).toBe('45 min');
    expect(duration(60)).toBe('1 h');
    expect(duration(200)).toBe('3 h 20 min');
    expect(duration(1440 * 2 + 180)).toBe('2 d 3 h');
    expect(duration(1440)).toBe('1 d');
    expect(duration(-5)).toBe('0 min');
  });
});

describe('the queue filters', () => {
  it('asks for the active tickets by default and adds each filter set', () => {
    expect(queueQuery({ view: 'active', priority: null, assignee: null, q: ' ' })).toEqual({ status: 'open,pending_customer' });
    expect(queueQuery({ view: 'breached', priority: 'urgent', assignee: 'me', q: ' TK2026 ' })).toEqual({
      breached: 'true', priority: 'urgent', assignee_id: 'me', q: 'TK2026',
    });
    expect(queueQuery({ view: 'all', priority: null, assignee: 'none', q: '', accountId: 'A' })).toEqual({ assignee_id: 'none', account_id: 'A' });
    expect(queueQuery({ view: 'resolved', priority: null, assignee: null, q: '' })).toEqual({ status: 'resolved' });
  });
  it('takes replies until the ticket is closed', () => {
    expect(canReply({ status: 'resolved' })).toBe(true);
    expect(canReply({ status: 'closed' })).toBe(false);
  });
});

describe('the assignee picker', () => {
  const ana = { id: 'u1', name: 'Ana', email: 'ana@x.example' };
  const ana2 = { id: 'u2', name: 'Ana', email: 'ana.b@x.example' };
  const noName = { id: 'u3', name: '', email: 'ops@x.example' };
  it('names each assignee, with the email for namesakes or the nameless', () => {
    expect(assigneeOptions([ana, ana2, noName])).toEqual([
      { value: 'u1', label: 'Ana (ana@x.example)' },
      { value: 'u2', label: 'Ana (ana.b@x.example)' },
      { value: 'u3', label: 'ops@x.example' },
    ]);
  });
  it('keeps showing a current assignee the list no longer holds', () => {
    expect(assigneeOptions([ana], { id: 'u9', name: 'Former' })).toEqual([
      { value: 'u9', label: 'Former' },
      { value: 'u1', label: 'Ana' },
    ]);
    expect(assigneeOptions([ana], { id: 'u1', name: 'Ana' })).toEqual([{ value: 'u1', label: 'Ana' }]);
    expect(assigneeOptions([ana], { id: null })).toEqual([{ value: 'u1', label: 'Ana' }]);
  });
  it('filters the queue by one assignee', () => {
    expect(queueQuery({ view: 'all', priority: null, assignee: 'u1', q: '' })).toEqual({ assignee_id: 'u1' });
  });
});
