import { describe, expect, it } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Login } from './Login';
import { mockFetch, renderRoute } from '../../test/render';

const me = {
  kind: 'user',
  tenant: { id: 't', slug: 'acme', name: 'Acme', plan: 'growth', billing_state: 'trialing', trial_ends_at: '2026-12-01T00:00:00Z', base_currency: 'EUR', locale: 'en', timezone: 'UTC' },
  user: { id: 'u', email: 'ana@acme.test', name: 'Ana', status: 'active', totp_enabled: false, roles: ['owner'], created_at: '2026-11-01T00:00:00Z' },
  roles: ['owner'],
  permissions: ['users:read'],
  csrf_token: 'csrf',
};

describe('Login', () => {
  it('asks for the company only when the API says the email is in several', async () => {
    const calls = mockFetch({
      'GET /api/v1/me': [401, { title: 'Unauthorized', status: 401, code: 'unauthenticated' }],
      'POST /api/v1/auth/login': [
        400,
        { title: 'Bad Request', status: 400, code: 'invalid', detail: 'choose a company', errors: { tenant: 'this email belongs to several companies; choose one of: acme, beta' } },
      ],
    });
    const { router } = renderRoute([{ path: '/login', element: <Login /> }, { path: '/app', element: <p>app home</p> }], '/login');
    const user = userEvent.setup();
    expect(screen.queryByLabelText('Company')).toBeNull();
    await user.type(screen.getByLabelText(/Email/), 'ana@acme.test');
    await user.type(screen.getByLabelText(/Password/), 'correct horse battery');
    await user.click(screen.getByRole('button', { name: 'Log in' }));
    const company = await screen.findByLabelText('Company');
    expect(await screen.findByText(/choose one of: acme, beta/)).toBeInTheDocument();

    mockFetch({ 'POST /api/v1/auth/login': [200, me] });
    await user.type(company, 'acme');
    await user.click(screen.getByRole('button', { name: 'Log in' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/app'));
    expect(calls[1]?.body).toContain('"email":"ana@acme.test"');
  });

  it('validates input before calling the API', async () => {
    const calls = mockFetch({ 'GET /api/v1/me': [401, {}] });
    renderRoute([{ path: '/login', element: <Login /> }], '/login');
    await userEvent.setup().click(screen.getByRole('button', { name: 'Log in' }));
    expect(await screen.findByText('Enter a valid email address')).toBeInTheDocument();
    expect(calls.filter((c) => c.path === '/api/v1/auth/login')).toHaveLength(0);
  });
});
