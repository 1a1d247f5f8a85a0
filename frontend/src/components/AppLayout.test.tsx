import { describe, expect, it } from 'vitest';
import { screen } from '@testing-library/react';
import { AppLayout } from './AppLayout';
import { RequireStaff } from './RequireStaff';
import { mockFetch, renderRoute } from '../test/render';

function meWith(permissions: string[], billingState = 'trialing') {
  return {
    kind: 'user',
    tenant: { id: 't', slug: 'acme', name: 'Acme Metal', plan: 'growth', billing_state: billingState, trial_ends_at: '2026-12-01T00:00:00Z', base_currency: 'EUR', locale: 'en', timezone: 'UTC' },
    user: { id: 'u', email: 'sam@acme.test', name: 'Sam', status: 'active', totp_enabled: false, roles: ['sales'], created_at: '2026-11-01T00:00:00Z' },
    roles: ['sales'],
    permissions,
    csrf_token: 'c',
  };
}

const routes = [
  { path: '/login', element: <p>login page</p> },
  {
    path: '/app',
    element: (
      <RequireStaff>
        <AppLayout />
      </RequireStaff>
    ),
    children: [{ index: true, element: <p>home</p> }],
  },
];

describe('AppLayout', () => {
  it('shows a limited user only the modules their permissions allow', async () => {
    mockFetch({ 'GET /api/v1/me': [200, meWith(['accounts:read'])] });
    renderRoute(routes, '/app');
    expect(await screen.findByText('Acme Metal')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Dashboard' })).toBeInTheDocument();
    for (const hidden of ['Users', 'Roles', 'API keys', 'Audit log', 'Settings', 'Plan & billing']) {
      expect(screen.queryByRole('link', { name: hidden })).toBeNull();
    }
  });

  it('shows administrators the administration modules', async () => {
    mockFetch({ 'GET /api/v1/me': [200, meWith(['users:read', 'roles:read', 'api_keys:manage', 'audit:read', 'settings:read', 'billing:read'])] });
    renderRoute(routes, '/app');
    for (const shown of ['Users', 'Roles', 'API keys', 'Audit log', 'Settings', 'Plan & billing']) {
      expect(await screen.findByRole('link', { name: shown })).toBeInTheDocument();
    }
  });

  it('warns every user when the subscription lapsed, and no one while it is fine', async () => {
    mockFetch({ 'GET /api/v1/me': [200, meWith(['accounts:read'], 'past_due')] });
    const { unmount } = renderRoute(routes, '/app');
    expect(await screen.findByTestId('billing-banner')).toHaveTextContent('payment of the subscription failed');
    unmount();
    mockFetch({ 'GET /api/v1/me': [200, meWith(['accounts:read'], 'canceled')] });
    renderRoute(routes, '/app');
    expect(await screen.findByTestId('billing-banner')).toHaveTextContent('read-only');
  });

  it('shows no billing banner during the trial', async () => {
    mockFetch({ 'GET /api/v1/me': [200, meWith(['accounts:read'])] });
    renderRoute(routes, '/app');
    expect(await screen.findByText('Acme Metal')).toBeInTheDocument();
    expect(screen.queryByTestId('billing-banner')).toBeNull();
  });

  it('sends visitors without a session to the login page', async () => {
    mockFetch({ 'GET /api/v1/me': [401, { status: 401 }] });
    renderRoute(routes, '/app');
    expect(await screen.findByText('login page')).toBeInTheDocument();
  });
});
