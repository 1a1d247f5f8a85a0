import { describe, expect, it } from 'vitest';
import { visibleNav } from './nav';
import { checklist } from './pages/app/checklist';

const holder = (...perms: string[]) => (p: string) => perms.includes(p);

describe('role-scoped navigation', () => {
  it('shows administration only to holders of its permissions', () => {
    const keys = visibleNav(holder('users:read', 'audit:read')).map((n) => n.key);
    expect(keys).toEqual(['dashboard', 'users', 'audit', 'security']);
    expect(visibleNav(holder()).map((n) => n.key)).toEqual(['dashboard', 'security']);
  });
  it('shows quotes beside opportunities to holders of quotes:read, not to finance', () => {
    const rep = visibleNav(holder('opportunities:read', 'quotes:read', 'orders:read')).map((n) => n.key);
    expect(rep).toEqual(['dashboard', 'opportunities', 'quotes', 'orders', 'security']);
    expect(visibleNav(holder('invoices:read', 'orders:read')).map((n) => n.key)).not.toContain('quotes');
  });
  it('shows the support queue to holders of tickets:read only', () => {
    expect(visibleNav(holder('tickets:read', 'accounts:read')).map((n) => n.key)).toEqual(['dashboard', 'accounts', 'tickets', 'security']);
    expect(visibleNav(holder('invoices:read', 'accounts:read')).map((n) => n.key)).not.toContain('tickets');
  });

  it('shows returns to holders of returns:read, beside orders and invoices', () => {
    const keys = visibleNav(holder('orders:read', 'returns:read', 'invoices:read')).map((n) => n.key);
    expect(keys).toEqual(['dashboard', 'orders', 'returns', 'invoices', 'receivables', 'security']);
    expect(visibleNav(holder('orders:read')).map((n) => n.key)).not.toContain('returns');
  });
  it('lists next steps the user may take, marking the done ones', () => {
    const owner = holder('users:manage', 'settings:manage', 'products:write', 'accounts:write', 'billing:manage');
    const steps = checklist(owner, { users: 1, invites: 1, billingState: 'trialing' });
    expect(steps.map((s) => [s.key, s.done])).toEqual([
      ['invite', true],
      ['settings', false],
      ['products', false],
      ['customers', false],
      ['plan', false],
    ]);
    expect(checklist(holder('accounts:write'), { users: 1, invites: 0 }).map((s) => s.key)).toEqual(['customers']);
    const started = checklist(owner, { users: 2, invites: 0, products: 1, accounts: 0 });
    expect(started.find((s) => s.key === 'products')).toMatchObject({ done: true, to: '/app/products' });
    expect(started.find((s) => s.key === 'customers')).toMatchObject({ done: false, to: '/app/accounts' });
  });
});
