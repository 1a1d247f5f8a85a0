import { expect, test } from '@playwright/test';
import { mailLink, password, shot, signup, unique } from './helpers';

// Customer notifications (P7, F6): a customer switches the portal to
// Spanish, which is saved as their language; staff confirm an order for the
// customer's account; the customer's email arrives in Spanish, in the
// tenant's branding, and its button opens the order in the portal.

interface Mail {
  to: string;
  subject: string;
  text: string;
  html: string;
  kind: string;
}

test('a customer who switched the portal to Spanish gets the order-confirmed email in Spanish with the brand', async ({ page, browser }) => {
  test.setTimeout(120_000);
  const slug = unique('pnotify');
  await signup(page, 'Notify Works S.L.', slug, 'Olga Owner', `olga@${slug}.example.com`);

  // Staff setup through the API: branding, stock, a customer account and its contact.
  const csrf = (await (await page.request.get('/api/v1/me')).json()).csrf_token as string;
  const send = async (method: 'post' | 'patch', path: string, data: object, status: number) => {
    const r = await page.request[method](path, { headers: { 'X-CSRF-Token': csrf }, data });
    expect(r.status(), `${path}: ${await r.text()}`).toBe(status);
    return (await r.json()) as { id: string; number: string };
  };
  const call = (path: string, data: object, status = 201) => send('post', path, data, status);
  await send('patch', '/api/v1/settings', { portal_display_name: 'Talleres Olga', accent_color: '#aa3300' }, 200);
  const product = await call('/api/v1/products', { sku: 'PN-1', name: 'Valve', type: 'stocked', list_price_minor: 123450, currency: 'EUR' });
  const warehouse = await call('/api/v1/warehouses', { code: 'MAIN', name: 'Main' });
  await call('/api/v1/stock-moves', { kind: 'receipt', product_id: product.id, warehouse_id: warehouse.id, quantity: 10 });
  const acme = await call('/api/v1/accounts', { name: 'Acme Compras' });
  const email = `ana@acme-${slug}.example.com`;
  const contact = await call('/api/v1/contacts', { account_id: acme.id, first_name: 'Ana', last_name: 'Buyer', email });
  await call(`/api/v1/contacts/${contact.id}/portal-invite`, {});

  // The customer accepts the invitation (the portal opens in English) and switches it to Spanish.
  const link = await mailLink(page.request, email, `/portal/${slug}/accept-invite`);
  const customer = await (await browser.newContext({ locale: 'en-GB' })).newPage();
  await customer.goto(link);
  await customer.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
  await customer.getByRole('textbox', { name: 'Repeat the password' }).fill(password);
  await customer.getByRole('button', { name: 'Set password and sign in' }).click();
  await customer.waitForURL(`**/portal/${slug}/home`);
  const saved = customer.waitForResponse((r) => r.url().endsWith('/api/v1/portal/me/preferences') && r.request().method() === 'PATCH');
  await customer.getByText('ES', { exact: true }).click();
  expect((await saved).status()).toBe(200);
  const nav = customer.getByRole('navigation', { name: 'Tu cuenta' });
  await expect(nav.getByRole('link', { name: 'Pedidos' })).toBeVisible();
  // The preferences page shows the saved language and the email choice.
  await nav.getByRole('link', { name: 'Preferencias' }).click();
  await customer.waitForURL(`**/portal/${slug}/preferences`);
  await expect(customer.getByRole('radio', { name: 'Español' })).toBeChecked();
  await expect(customer.getByRole('checkbox', { name: 'Enviarme correos sobre mis pedidos' })).toBeChecked();
  await shot(customer, 'portal-preferences');

  // Staff confirm an order for the account.
  const order = await call('/api/v1/orders', { account_id: acme.id, lines: [{ product_id: product.id, quantity: 2 }] });
  await call(`/api/v1/orders/${order.id}/confirm`, {}, 200);

  // The dev mailbox has the Spanish email, branded, once.
  const confirmed = async () => {
    const r = await page.request.get(`/dev/mailbox?to=${encodeURIComponent(email)}`, { headers: { Accept: 'application/json' } });
    return ((await r.json()) as { items: Mail[] }).items.filter((m) => m.kind === 'portal_order_confirmed');
  };
  await expect.poll(async () => (await confirmed()).length, { timeout: 20_000 }).toBe(1);
  const [mail] = await confirmed();
  expect(mail!.subject).toBe(`Pedido confirmado: ${order.number} · Talleres Olga`);
  expect(mail!.text).toContain('Talleres Olga ha confirmado tu pedido');
  expect(mail!.text).toMatch(/Total: [\d.]+,\d\d EUR/); // the Spanish number format
  expect(mail!.html).toContain('#aa3300');
  expect(mail!.html).toContain('lang="es"');

  // The email as a mail client shows it: the brand, the heading, and a button to the order.
  const inbox = await customer.context().newPage();
  await inbox.setContent(mail!.html);
  await expect(inbox.getByText('Talleres Olga', { exact: true })).toBeVisible();
  await expect(inbox.getByRole('heading', { name: 'Pedido confirmado' })).toBeVisible();
  await shot(inbox, 'portal-notify-email');
  await inbox.getByRole('link', { name: 'Ver el pedido' }).click();
  await inbox.waitForURL(`**/portal/${slug}/orders/${order.id}`);
  await expect(inbox.getByRole('heading', { name: `Pedido ${order.number}` })).toBeVisible();
});
