// The staff app's navigation. Each entry names the permission that makes it
// visible; the server enforces the same permission on the API behind it, so
// hiding is a courtesy, never the protection.
export interface NavItem {
  key: string; // i18n key under nav.
  to: string;
  perm?: string; // absent: every signed-in staff user
  group: 'main' | 'admin' | 'account';
}

export const navItems: NavItem[] = [
  { key: 'dashboard', to: '/app', group: 'main' },
  { key: 'accounts', to: '/app/accounts', perm: 'accounts:read', group: 'main' },
  { key: 'opportunities', to: '/app/opportunities', perm: 'opportunities:read', group: 'main' },
  { key: 'quotes', to: '/app/quotes', perm: 'quotes:read', group: 'main' },
  { key: 'myTasks', to: '/app/tasks', perm: 'activities:read', group: 'main' },
  { key: 'orders', to: '/app/orders', perm: 'orders:read', group: 'main' },
  { key: 'shipments', to: '/app/shipments', perm: 'shipments:read', group: 'main' },
  { key: 'returns', to: '/app/returns', perm: 'returns:read', group: 'main' },
  { key: 'invoices', to: '/app/invoices', perm: 'invoices:read', group: 'main' },
  { key: 'receivables', to: '/app/receivables', perm: 'invoices:read', group: 'main' },
  { key: 'tickets', to: '/app/tickets', perm: 'tickets:read', group: 'main' },
  { key: 'products', to: '/app/products', perm: 'products:read', group: 'main' },
  { key: 'priceLists', to: '/app/price-lists', perm: 'products:read', group: 'main' },
  { key: 'production', to: '/app/production', perm: 'production:read', group: 'main' },
  { key: 'stock', to: '/app/stock', perm: 'stock:read', group: 'main' },
  { key: 'lots', to: '/app/lots', perm: 'stock:read', group: 'main' },
  { key: 'warehouses', to: '/app/warehouses', perm: 'stock:read', group: 'main' },
  { key: 'users', to: '/app/users', perm: 'users:read', group: 'admin' },
  { key: 'roles', to: '/app/roles', perm: 'roles:read', group: 'admin' },
  { key: 'pipelines', to: '/app/pipelines', perm: 'pipelines:manage', group: 'admin' },
  { key: 'apiKeys', to: '/app/api-keys', perm: 'api_keys:manage', group: 'admin' },
  { key: 'audit', to: '/app/audit', perm: 'audit:read', group: 'admin' },
  { key: 'settings', to: '/app/settings', perm: 'settings:read', group: 'admin' },
  { key: 'billing', to: '/app/billing', perm: 'billing:read', group: 'admin' },
  { key: 'security', to: '/app/security', group: 'account' },
];

/** visibleNav returns the entries a holder of perms may see. */
export function visibleNav(can: (perm: string) => boolean): NavItem[] {
  return navItems.filter((n) => !n.perm || can(n.perm));
}
