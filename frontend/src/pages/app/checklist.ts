// The first-run checklist on the dashboard: what a new tenant should do
// next, filtered by what the user may do. `to` is absent while the module
// that does it is not part of this build yet; the dashboard then shows the
// step without a link instead of a link to nowhere.
export interface Step {
  key: 'invite' | 'settings' | 'products' | 'customers' | 'plan';
  perm: string;
  to?: string;
  done: boolean;
}

export interface ChecklistFacts {
  users: number;
  invites: number;
  billingState?: string;
  products?: number;
  accounts?: number;
}

export function checklist(can: (p: string) => boolean, f: ChecklistFacts): Step[] {
  const all: Step[] = [
    { key: 'invite', perm: 'users:manage', to: '/app/users', done: f.users + f.invites > 1 },
    { key: 'settings', perm: 'settings:manage', to: '/app/settings', done: false },
    { key: 'products', perm: 'products:write', to: '/app/products', done: (f.products ?? 0) > 0 },
    { key: 'customers', perm: 'accounts:write', to: '/app/accounts', done: (f.accounts ?? 0) > 0 },
    { key: 'plan', perm: 'billing:manage', to: '/app/billing', done: f.billingState === 'active' },
  ];
  return all.filter((s) => can(s.perm));
}
