import { api, unwrap } from '../../api/client';
import type { CustomerMe, Me, PortalPreferences } from '../../api/types';

// The portal's sign-in calls. Each answers with the customer's /me (and
// sets the session cookie); the session provider stores it like a staff
// login, cast because its type is the staff Me (see customerOf).

export async function portalLogin(slug: string, body: { email: string; password: string }): Promise<Me> {
  return asMe(await unwrap(api.POST('/api/v1/portal/{slug}/login', { params: { path: { slug } }, body })));
}

export async function portalAcceptInvite(slug: string, body: { token: string; password: string }): Promise<Me> {
  return asMe(await unwrap(api.POST('/api/v1/portal/{slug}/accept-invite', { params: { path: { slug } }, body })));
}

export async function portalMagicLink(slug: string, email: string): Promise<void> {
  await unwrap(api.POST('/api/v1/portal/{slug}/magic-link', { params: { path: { slug } }, body: { email } }));
}

export async function portalMagicConfirm(slug: string, token: string): Promise<Me> {
  return asMe(await unwrap(api.POST('/api/v1/portal/{slug}/magic-link/confirm', { params: { path: { slug } }, body: { token } })));
}

/** savePortalPreferences stores the signed-in customer's language and email choice. */
export async function savePortalPreferences(body: { locale?: 'en' | 'es'; notify_orders?: boolean }): Promise<PortalPreferences> {
  return unwrap(api.PATCH('/api/v1/portal/me/preferences', { body }));
}

/** withPreferences is a customer's /me with the preferences the server now holds. */
export function withPreferences(me: CustomerMe, p: PortalPreferences): CustomerMe {
  return { ...me, customer: { ...me.customer, locale: p.locale, notify_orders: p.notify_orders } };
}

function asMe(m: CustomerMe): Me {
  return m as unknown as Me;
}
