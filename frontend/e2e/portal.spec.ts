import { expect, test } from '@playwright/test';
import { mailLink, password, shot, signup, unique } from './helpers';

// The customer portal's first journey: staff invite a contact of a customer
// account from its page, the contact accepts the emailed invitation, signs
// in at the tenant's portal and follows their company's order, and never
// sees another customer's.

test('staff invite a contact; the customer accepts, signs in and sees only their account’s orders', async ({ page, browser }) => {
  test.setTimeout(120_000);
  const slug = unique('portal');
  await signup(page, 'Portal Works S.L.', slug, 'Olga Owner', `olga@${slug}.example.com`);

  // Setup through the API: a product, two customer accounts with an order each, a contact of the first.
  const csrf = (await (await page.request.get('/api/v1/me')).json()).csrf_token as string;
  const post = async (path: string, data: object) => {
    const r = await page.request.post(path, { headers: { 'X-CSRF-Token': csrf }, data });
    expect(r.status(), `${path}: ${await r.text()}`).toBe(201);
    return (await r.json()) as { id: string; number?: string };
  };
  const product = await post('/api/v1/products', { sku: 'PW-1', name: 'Pump', type: 'stocked', list_price_minor: 2500, currency: 'EUR' });
  const acme = await post('/api/v1/accounts', { name: 'Acme Buyer' });
  const beta = await post('/api/v1/accounts', { name: 'Beta Buyer' });
  const line = [{ product_id: product.id, quantity: 2 }];
  // Customers see orders from confirmation on: Acme's draft stays staff's.
  const confirmed = async (account: string) => {
    const o = await post('/api/v1/orders', { account_id: account, lines: line });
    const r = await page.request.post(`/api/v1/orders/${o.id}/confirm`, { headers: { 'X-CSRF-Token': csrf } });
    expect(r.status(), `confirm: ${await r.text()}`).toBe(200);
    return o;
  };
  const acmeOrder = await confirmed(acme.id);
  const betaOrder = await confirmed(beta.id);
  const acmeDraft = await post('/api/v1/orders', { account_id: acme.id, lines: line });
  const email = `ana@acme-${slug}.example.com`;
  await post('/api/v1/contacts', { account_id: acme.id, first_name: 'Ana', last_name: 'Buyer', email });

  // Staff invite the contact from the account's contacts.
  await page.goto(`/app/accounts/${acme.id}`);
  await page.getByRole('tab', { name: 'Contacts' }).click();
  await page.getByRole('button', { name: 'Invite to portal' }).click();
  await expect(page.getByTestId('portal-status')).toHaveText('Invited');

  // The customer accepts in a browser session of their own.
  const link = await mailLink(page.request, email, `/portal/${slug}/accept-invite`);
  const customer = await (await browser.newContext()).newPage();
  await customer.goto(link);
  await customer.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
  await customer.getByRole('textbox', { name: 'Repeat the password' }).fill(password);
  await customer.getByRole('button', { name: 'Set password and sign in' }).click();
  await customer.waitForURL(`**/portal/${slug}/home`);
  await expect(customer.getByTestId('portal-account')).toHaveText('Acme Buyer');
  const orders = customer.getByTestId('portal-orders');
  await expect(orders.getByRole('cell', { name: acmeOrder.number! })).toBeVisible();
  await expect(orders.getByText(betaOrder.number!)).toHaveCount(0);
  await expect(orders.getByText(acmeDraft.number!)).toHaveCount(0);
  await shot(customer, 'portal-orders');

  // Signing out and in again with the password.
  await customer.getByRole('button', { name: 'Log out' }).click();
  await customer.waitForURL(`**/portal/${slug}`);
  await customer.getByLabel('Email').fill(email);
  await customer.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
  await customer.getByRole('button', { name: 'Log in' }).click();
  await customer.waitForURL(`**/portal/${slug}/home`);
  await expect(customer.getByTestId('portal-orders').getByRole('cell', { name: acmeOrder.number! })).toBeVisible();
  // Another account's order, asked for directly, is not there.
  expect((await customer.request.get(`/api/v1/orders/${betaOrder.id}`)).status()).toBe(404);
  // Nor is the account's own draft.
  expect((await customer.request.get(`/api/v1/orders/${acmeDraft.id}`)).status()).toBe(404);

  // Staff see the access as active.
  await page.reload();
  await page.getByRole('tab', { name: 'Contacts' }).click();
  await expect(page.getByTestId('portal-status')).toHaveText('Portal active');
});
