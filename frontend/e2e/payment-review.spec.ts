import { createHmac, randomBytes } from 'node:crypto';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { mailLink, password, shot, signup, unique } from './helpers';

// Card payments to review: a customer pays an invoice online, but Stripe
// collects it in another currency than the invoice's, so it cannot be
// booked on the invoice. Finance finds it on the Receivables page under
// "Card payments to review", resolves it with a note of how it was handled,
// and the card goes away. Stripe's side is stripe-mock and signed events,
// as in portal-pay.spec.ts.

const app = process.env.NEXO_E2E_BASE_URL!;
const secret = process.env.NEXO_E2E_STRIPE_CONNECT_WEBHOOK_SECRET!;
const run = randomBytes(6).toString('hex');
let evn = 0;

/** deliver posts a connected account's event signed like Stripe. */
async function deliver(request: APIRequestContext, account: string, type: string, object: object) {
  const t = Math.floor(Date.now() / 1000);
  const body = JSON.stringify({ id: `evt_e2e_review_${run}_${++evn}`, object: 'event', api_version: '2023-10-16', created: t, account, livemode: false, pending_webhooks: 1, type, data: { object } });
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  const r = await request.post(`${app}/webhooks/stripe/connect`, { headers: { 'Content-Type': 'application/json', 'Stripe-Signature': `t=${t},v1=${v1}` }, data: body });
  expect(r.status(), `${type}: ${await r.text()}`).toBe(200);
}

test('finance resolves a card payment Stripe took in another currency', async ({ page, browser }) => {
  test.setTimeout(150_000);
  const slug = unique('prev');
  await signup(page, 'Review Works S.L.', slug, 'Olga Owner', `olga@${slug}.example.com`);
  const me = await (await page.request.get('/api/v1/me')).json();
  const csrf = me.csrf_token as string;
  const call = async (path: string, data: object, status = 201) => {
    const r = await page.request.post(path, { headers: { 'X-CSRF-Token': csrf }, data });
    expect(r.status(), `${path}: ${await r.text()}`).toBe(status);
    return (await r.json()) as { id: string; number: string; account_id: string };
  };
  const product = await call('/api/v1/products', { sku: 'REV-1', name: 'Widget', type: 'stocked', list_price_minor: 5000, currency: 'EUR' });
  const warehouse = await call('/api/v1/warehouses', { code: 'MAIN', name: 'Main' });
  await call('/api/v1/stock-moves', { kind: 'receipt', product_id: product.id, warehouse_id: warehouse.id, quantity: 10 });
  const account = await call('/api/v1/accounts', { name: 'Acme Buyer', email: `buy@acme-${slug}.example.com` });
  const order = await call('/api/v1/orders', { account_id: account.id, lines: [{ product_id: product.id, quantity: 2 }] });
  await call(`/api/v1/orders/${order.id}/confirm`, {}, 200);
  const shipment = await call('/api/v1/shipments', { order_id: order.id });
  await call(`/api/v1/shipments/${shipment.id}/pack`, {}, 200);
  await call(`/api/v1/shipments/${shipment.id}/ship`, {}, 200);
  const invoice = await call('/api/v1/invoices', { order_id: order.id });

  // The company's Stripe account, able to take charges.
  const state = await call('/api/v1/settings/stripe/connect', {}, 200) as unknown as { account_id: string };
  await deliver(page.request, state.account_id, 'account.updated', {
    id: state.account_id, object: 'account', charges_enabled: true, details_submitted: true, payouts_enabled: true, metadata: { tenant_id: me.tenant.id },
  });

  // A customer of the account pays; Stripe collects it in US dollars.
  const email = `ana@acme-${slug}.example.com`;
  const contact = await call('/api/v1/contacts', { account_id: account.id, first_name: 'Ana', last_name: 'Buyer', email });
  await call(`/api/v1/contacts/${contact.id}/portal-invite`, {});
  const customer = await (await browser.newContext()).newPage();
  await customer.goto(await mailLink(page.request, email, `/portal/${slug}/accept-invite`));
  await customer.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
  await customer.getByRole('textbox', { name: 'Repeat the password' }).fill(password);
  await customer.getByRole('button', { name: 'Set password and sign in' }).click();
  await customer.waitForURL(`**/portal/${slug}/home`);
  const ccsrf = (await (await customer.request.get('/api/v1/me')).json()).csrf_token as string;
  const paid = await customer.request.post(`/api/v1/invoices/${invoice.id}/pay`, { headers: { 'X-CSRF-Token': ccsrf } });
  expect(paid.status(), await paid.text()).toBe(200);
  const session = (await paid.json()) as { session_id: string };
  const balance = (await (await page.request.get(`/api/v1/invoices/${invoice.id}`)).json()).balance_minor as number;
  await deliver(page.request, state.account_id, 'checkout.session.completed', {
    id: session.session_id, object: 'checkout.session', mode: 'payment', status: 'complete', payment_status: 'paid',
    amount_total: balance, currency: 'usd', payment_intent: `pi_e2e_review_${run}`, metadata: { tenant_id: me.tenant.id, invoice_id: invoice.id },
  });

  // Finance sees it on Receivables and resolves it with a note.
  await page.goto('/app/receivables');
  const card = page.getByTestId('payments-to-review');
  await expect(card.getByText('Card payments to review')).toBeVisible();
  await expect(card.getByRole('link', { name: invoice.number })).toBeVisible();
  await expect(card.getByText(`pi_e2e_review_${run}`)).toBeVisible();
  await expect(card).toContainText('$');
  await shot(page, 'receivables-payments-to-review');
  await card.getByRole('button', { name: 'Resolve' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: 'Resolve' }).click();
  await expect(dialog.getByText('Say how the payment was handled')).toBeVisible();
  await dialog.getByLabel('How was it handled?').fill('Refunded in Stripe; the customer pays again in euros.');
  await dialog.getByRole('button', { name: 'Resolve' }).click();
  await expect(page.getByText('Card payment resolved')).toBeVisible();
  await expect(page.getByTestId('payments-to-review')).toHaveCount(0);
  const resolved = await (await page.request.get('/api/v1/payment-attempts?status=resolved')).json();
  expect(resolved.items[0].resolution.note).toBe('Refunded in Stripe; the customer pays again in euros.');
});
