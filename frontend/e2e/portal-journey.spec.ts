import { createHmac, randomBytes } from 'node:crypto';
import { expect, test, type APIRequestContext, type Browser, type Page } from '@playwright/test';
import { mailLink, password, shot, signup, unique } from './helpers';

// The customer portal end to end, as a new customer meets it (P1–P4, E8):
// the owner of a fresh company invites a contact of a customer account from
// the staff app; the contact accepts the emailed invitation and lands in the
// portal; staff sell, ship (with carrier tracking), deliver and invoice two
// orders in the staff app; the customer follows order 1 to its tracking
// link, downloads invoice 1's PDF and pays it through Stripe Checkout
// (stripe-mock, with Stripe's signed webhook); asks to return a unit of
// order 1; staff approve, receive and credit it, then return the money to
// the card through Stripe from the invoice page; and the customer sees the
// credit note, the refund and the paid invoice's story.

const app = process.env.NEXO_E2E_BASE_URL!;
const connectSecret = process.env.NEXO_E2E_STRIPE_CONNECT_WEBHOOK_SECRET!;
const run = randomBytes(6).toString('hex');
let eventSeq = 0;

/** stripeEvent posts a connected account's event signed like Stripe: t=<ts>,v1=HMAC-SHA256(secret, "<ts>.<body>"). */
async function stripeEvent(request: APIRequestContext, account: string, type: string, object: object) {
  const t = Math.floor(Date.now() / 1000);
  const body = JSON.stringify({
    id: `evt_e2e_journey_${run}_${++eventSeq}`,
    object: 'event',
    api_version: '2023-10-16',
    created: t,
    account,
    livemode: false,
    pending_webhooks: 1,
    type,
    data: { object },
  });
  const v1 = createHmac('sha256', connectSecret).update(`${t}.${body}`).digest('hex');
  const r = await request.post(`${app}/webhooks/stripe/connect`, {
    headers: { 'Content-Type': 'application/json', 'Stripe-Signature': `t=${t},v1=${v1}` },
    data: body,
  });
  expect(r.status(), `${type}: ${await r.text()}`).toBe(200);
}

/** stripePagesAnswered answers for Stripe's hosted pages (onboarding, Checkout): stripe-mock's URLs lead nowhere. */
async function stripePagesAnswered(page: Page) {
  await page.route(/^https:\/\/[^/]*stripe\.(com|me)\//, (route) => route.fulfill({ contentType: 'text/html', body: '<title>Stripe</title><h1>Stripe</h1>' }));
}

/** pick chooses an option of a server-searched picker in the open dialog (as erp.spec.ts: the list can re-render under the click). */
async function pick(page: Page, label: string, search: string, option: RegExp) {
  const input = page.getByRole('dialog').getByRole('combobox', { name: label });
  await expect(async () => {
    await input.click();
    await input.fill(search);
    await page.getByRole('option', { name: option }).first().click({ timeout: 5_000 });
    await expect(input).toHaveValue(option, { timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
}

/** staffApi is the owner's JSON API, for the bulk setup other specs make the same way (catalog, stock, the customer record). */
async function staffApi(page: Page) {
  const me = await (await page.request.get('/api/v1/me')).json();
  const post = async (path: string, data: object) => {
    const r = await page.request.post(path, { headers: { 'X-CSRF-Token': me.csrf_token as string }, data });
    expect(r.status(), `${path}: ${await r.text()}`).toBe(201);
    return (await r.json()) as { id: string; number: string };
  };
  const get = async (path: string) => {
    const r = await page.request.get(path);
    expect(r.status(), path).toBe(200);
    return r.json();
  };
  return { tenantID: me.tenant.id as string, post, get };
}

/** acceptInvitation opens the emailed invitation in the customer's own browser session and sets their password. */
async function acceptInvitation(browser: Browser, staff: Page, email: string, slug: string): Promise<Page> {
  const link = await mailLink(staff.request, email, `/portal/${slug}/accept-invite`);
  const customer = await (await browser.newContext()).newPage();
  await customer.goto(link);
  await customer.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
  await customer.getByRole('textbox', { name: 'Repeat the password' }).fill(password);
  await customer.getByRole('button', { name: 'Set password and sign in' }).click();
  await customer.waitForURL(`**/portal/${slug}/home`);
  return customer;
}

type Doc = { id: string; number: string };

/**
 * sellShipInvoice runs one order through the staff app the way the sales
 * and warehouse people do: a draft, confirmed against stock, shipped with
 * the carrier's tracking, delivered, then invoiced.
 */
async function sellShipInvoice(page: Page, get: (path: string) => Promise<Doc>, qty: number, tracking: string): Promise<{ order: Doc; invoice: Doc }> {
  await page.goto('/app/orders');
  await page.getByRole('button', { name: 'New order' }).click();
  await pick(page, 'Customer', 'Acme', /Acme Buyer/);
  await pick(page, 'Product', 'JR-1', /JR-1/);
  await page.getByRole('dialog').getByLabel('Quantity').fill(String(qty));
  await page.getByRole('button', { name: 'Create draft' }).click();
  await expect(page.getByTestId('order-status')).toHaveText('Draft');
  await page.getByRole('button', { name: 'Confirm and reserve' }).click();
  await expect(page.getByTestId('order-status')).not.toHaveText('Draft');
  const orderUrl = page.url();
  const order = await get(`/api/v1/orders/${orderUrl.split('/').pop()}`);

  await page.getByRole('button', { name: 'Ship reserved stock' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Carrier').fill('Swift Freight');
  await dialog.getByLabel('Tracking number').fill(tracking);
  await dialog.getByLabel('Tracking link').fill(`https://track.example.com/${tracking}`);
  await page.getByRole('button', { name: 'Create shipment' }).click();
  await expect(page.getByTestId('shipment-status')).toHaveText('Draft');
  for (const [action, status] of [['Mark packed', 'Packed'], ['Ship', 'Shipped'], ['Mark delivered', 'Delivered']] as const) {
    await page.getByRole('button', { name: action, exact: true }).click();
    await expect(page.getByTestId('shipment-status')).toHaveText(status);
  }

  await page.goto(orderUrl);
  await page.getByRole('button', { name: 'Invoice delivered units' }).click();
  await expect(page.getByRole('heading', { name: /^Invoice / })).toBeVisible();
  const invoice = await get(`/api/v1/invoices/${page.url().split('/').pop()}`);
  return { order, invoice };
}

/** connectStripe connects the company's Stripe account in Settings and has Stripe report it can take charges. */
async function connectStripe(page: Page, tenantID: string) {
  await page.goto('/app/settings');
  await page.getByRole('tab', { name: 'Payments' }).click();
  await page.getByTestId('stripe-connect-button').click();
  await page.waitForURL(/stripe\.(com|me)\//);
  await page.goto('/app/settings?stripe=return');
  await expect(page.getByTestId('stripe-connect-status')).toHaveText('Setup in progress');
  const account = (await (await page.request.get('/api/v1/settings/stripe')).json()).account_id as string;
  await stripeEvent(page.request, account, 'account.updated', {
    id: account,
    object: 'account',
    charges_enabled: true,
    details_submitted: true,
    payouts_enabled: true,
    metadata: { tenant_id: tenantID },
  });
  await page.reload();
  await expect(page.getByTestId('stripe-connect-status')).toHaveText('Customers can pay online');
  return account;
}

/**
 * downloadPdf clicks the invoice's Download PDF, which opens it in a new tab,
 * and returns the bytes at the tab's address. Chromium hands a PDF to its
 * viewer, whose HTML wrapper is all the tab's response body shows, so the
 * bytes are fetched again in the customer's session.
 */
async function downloadPdf(customer: Page): Promise<Buffer> {
  const opened = customer.context().waitForEvent('response', (r) => /\/api\/v1\/invoices\/[^/]+\/pdf$/.test(r.url()));
  const tab = customer.context().waitForEvent('page');
  await customer.getByRole('link', { name: 'Download PDF' }).click();
  const r = await opened;
  expect(r.status()).toBe(200);
  expect(r.headers()['content-type']).toContain('application/pdf');
  await (await tab).close();
  return (await customer.request.get(r.url())).body();
}

test('a new customer: invited, orders tracked, invoice paid online, a return credited and refunded to the card', async ({ page, browser }) => {
  test.setTimeout(240_000); // two orders through the staff app, a payment and a return, in two sessions
  const slug = unique('pjourney');
  await signup(page, 'Journey Works S.L.', slug, 'Olga Owner', `olga@${slug}.example.com`);
  const { tenantID, post, get } = await staffApi(page);

  // 1. Bulk setup through the API, as the other portal specs make it: a
  // product at 40.00 with stock, the customer account and its contact.
  const product = await post('/api/v1/products', { sku: 'JR-1', name: 'Kettle', type: 'stocked', list_price_minor: 4000, currency: 'EUR' });
  const warehouse = await post('/api/v1/warehouses', { code: 'MAIN', name: 'Main' });
  await post('/api/v1/stock-moves', { kind: 'receipt', product_id: product.id, warehouse_id: warehouse.id, quantity: 20 });
  const acme = await post('/api/v1/accounts', { name: 'Acme Buyer', email: `buy@acme-${slug}.example.com` });
  const email = `ana@acme-${slug}.example.com`;
  await post('/api/v1/contacts', { account_id: acme.id, first_name: 'Ana', last_name: 'Buyer', email });
  // The owner invites the contact from the customer's page.
  await page.goto(`/app/accounts/${acme.id}`);
  await page.getByRole('tab', { name: 'Contacts' }).click();
  await page.getByRole('button', { name: 'Invite to portal' }).click();
  await expect(page.getByTestId('portal-status')).toHaveText('Invited');

  // 2. The customer accepts in a browser session of their own and lands in the portal.
  const customer = await acceptInvitation(browser, page, email, slug);
  await expect(customer.getByTestId('portal-account')).toHaveText('Acme Buyer');
  await shot(customer, 'journey-01-portal-welcome');
  for (const p of [page, customer]) await stripePagesAnswered(p);

  // 3. Staff sell two orders to Acme, ship them with tracking, deliver and
  // invoice them; and connect Stripe so invoices can be paid online.
  const first = await sellShipInvoice(page, get, 2, 'SF-J-1');
  const second = await sellShipInvoice(page, get, 3, 'SF-J-2');
  await shot(page, 'journey-02-staff-invoice');
  const stripeAccount = await connectStripe(page, tenantID);

  // 4. The customer finds order 1 in their list: its timeline runs to
  // delivered and the shipment carries the carrier's tracking link.
  await customer.reload();
  const nav = customer.getByRole('navigation', { name: 'Your account' });
  await nav.getByRole('link', { name: 'Orders' }).click();
  const orders = customer.getByTestId('portal-orders');
  await expect(orders.getByRole('link', { name: second.order.number })).toBeVisible();
  await orders.getByRole('link', { name: first.order.number }).click();
  await customer.waitForURL(`**/portal/${slug}/orders/${first.order.id}`);
  await expect(customer.getByRole('heading', { name: `Order ${first.order.number}` })).toBeVisible();
  for (const step of ['confirmed', 'shipped', 'delivered']) {
    await expect(customer.getByTestId(`portal-order-step-${step}`)).toHaveAttribute('data-reached', 'true');
  }
  const track = customer.getByTestId('portal-shipments').getByRole('link', { name: /SF-J-1/ });
  await expect(track).toHaveAttribute('href', 'https://track.example.com/SF-J-1');
  await shot(customer, 'journey-03-order-tracking');

  // Invoice 1, from the invoice list: its PDF downloads, and it is paid with Pay now.
  await nav.getByRole('link', { name: 'Invoices' }).click();
  const invoices = customer.getByTestId('portal-invoices');
  await expect(invoices.getByRole('link', { name: second.invoice.number })).toBeVisible();
  await invoices.getByRole('link', { name: first.invoice.number }).click();
  await customer.waitForURL(`**/portal/${slug}/invoices/${first.invoice.id}`);
  await expect(customer.getByTestId('portal-invoice-balance')).toContainText('80.00');
  const pdf = await downloadPdf(customer);
  expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  // The Checkout Session's answer is read on its way to the page: the page
  // navigates to its URL at once, taking the response body with it.
  let session = { url: '', session_id: '' };
  await customer.route(`**/api/v1/invoices/${first.invoice.id}/pay`, async (route) => {
    const r = await route.fetch();
    session = await r.json();
    await route.fulfill({ response: r });
  });
  await customer.getByTestId('portal-pay-now').click();
  await expect.poll(() => session.url).not.toBe('');
  await customer.waitForURL(session.url);
  expect(session.session_id).toMatch(/^cs_/);
  // Back from Checkout before Stripe's word, the invoice waits for it; Stripe
  // then reports the completed session.
  await customer.goto(`/portal/${slug}/invoices/${first.invoice.id}?payment=success`);
  await expect(customer.getByTestId('portal-pay-processing')).toBeVisible();
  await stripeEvent(page.request, stripeAccount, 'checkout.session.completed', {
    id: session.session_id,
    object: 'checkout.session',
    mode: 'payment',
    status: 'complete',
    payment_status: 'paid',
    amount_total: 8000,
    currency: 'eur',
    payment_intent: `pi_e2e_journey_${run}`,
    metadata: { tenant_id: tenantID, invoice_id: first.invoice.id },
  });
  await expect(customer.getByTestId('portal-pay-received')).toBeVisible({ timeout: 15_000 });
  await expect(customer.getByTestId('portal-invoice-status')).toHaveText('Paid');
  await expect(customer.getByTestId('portal-invoice-balance')).toHaveText(/0[.,]00/);
  const payments = customer.getByTestId('portal-invoice-payments');
  await expect(payments.getByRole('row')).toHaveCount(2); // the header and the card payment
  await expect(payments.getByRole('cell', { name: 'Card' })).toBeVisible();
  await shot(customer, 'journey-04-invoice-paid');

  // 5. Order 1, paid: the customer asks to return one of its two delivered units.
  await nav.getByRole('link', { name: 'Orders' }).click();
  await customer.getByTestId('portal-orders').getByRole('link', { name: first.order.number }).click();
  await customer.waitForURL(`**/portal/${slug}/orders/${first.order.id}`);
  await customer.getByTestId('portal-request-return').click();
  const dialog = customer.getByRole('dialog');
  await expect(dialog.getByText('2 units can be returned')).toBeVisible();
  await dialog.getByRole('textbox', { name: 'Quantity' }).fill('1');
  await dialog.getByRole('combobox', { name: 'Reason' }).click();
  await customer.getByRole('option', { name: 'Damaged' }).click();
  await dialog.getByRole('textbox', { name: 'About this line (optional)' }).fill('The lid is cracked');
  await dialog.getByTestId('portal-return-submit').click();
  await customer.waitForURL(`**/portal/${slug}/returns/*`);
  const returnId = customer.url().split('/').pop()!;
  await expect(customer.getByTestId('portal-return-status')).toHaveText('Requested');
  const returnNumber = (await customer.getByRole('heading', { level: 1 }).textContent())!.replace('Return ', '');
  await shot(customer, 'journey-05-return-requested');

  // 6. Staff, from the Returns page: approve, receive back into stock, and
  // credit it. Invoice 1 was paid, so the credit is owed back: finance
  // returns it to the card from the invoice page (stripe-mock).
  await page.goto('/app/returns');
  await page.getByRole('cell', { name: returnNumber }).click();
  await page.waitForURL(`**/app/returns/${returnId}`);
  await page.getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByTestId('return-status')).toHaveText('Approved');
  await page.getByRole('button', { name: 'Receive goods' }).click();
  const receive = page.getByRole('dialog');
  await receive.getByRole('combobox', { name: 'Warehouse' }).click();
  await page.getByRole('option', { name: 'MAIN · Main' }).click();
  await receive.getByRole('button', { name: 'Receive goods' }).click();
  await expect(page.getByTestId('return-status')).toHaveText('Received');
  await page.getByRole('button', { name: 'Refund with a credit note' }).click();
  await expect(page.getByTestId('return-status')).toHaveText('Refunded');
  await shot(page, 'journey-06-staff-return-refunded');
  await page.goto(`/app/invoices/${first.invoice.id}`);
  const refunds = page.getByTestId('invoice-refunds');
  await expect(refunds.getByText('Due')).toBeVisible();
  await expect(page.getByTestId('invoice-refund')).toContainText('40.00');
  await refunds.getByRole('button', { name: 'Refund to card' }).click();
  await expect(refunds.getByText('Refunded')).toBeVisible();
  await expect(refunds).toContainText('Card');
  await shot(page, 'journey-07-staff-refund-to-card');

  // 7. The customer sees the return refunded, its credit note's line and
  // refund, and invoice 1: 80.00 paid, 40.00 credited and refunded.
  await customer.goto(`/portal/${slug}/returns/${returnId}`);
  await expect(customer.getByTestId('portal-return-status')).toHaveText('Refunded');
  await customer.getByTestId('portal-return-credit-note').click();
  await customer.waitForURL(`**/portal/${slug}/credit-notes/*`);
  await expect(customer.getByTestId('portal-credit-note-lines').getByRole('cell', { name: /JR-1/ })).toBeVisible();
  await expect(customer.getByTestId('portal-credit-note-total')).toContainText('40.00');
  await expect(customer.getByTestId('portal-credit-note-balance')).toHaveText(/0[.,]00/);
  await expect(customer.getByTestId('portal-credit-note-refund')).toContainText(/40[.,]00 refunded on/);
  await shot(customer, 'journey-08-credit-note-refunded');
  await customer.getByRole('link', { name: first.invoice.number }).click();
  await customer.waitForURL(`**/portal/${slug}/invoices/${first.invoice.id}`);
  await expect(customer.getByTestId('portal-invoice-balance')).toHaveText(/0[.,]00/);
  await expect(customer.getByText(/Paid: .*80[.,]00/)).toBeVisible();
  await expect(customer.getByText(/Credited: .*40[.,]00/)).toBeVisible();
  await expect(customer.getByTestId('portal-invoice-refund')).toContainText('refunded on');
  await shot(customer, 'journey-09-invoice-refunded');
});
