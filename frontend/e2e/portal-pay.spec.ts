import { createHmac, randomBytes } from 'node:crypto';
import { expect, test, type APIRequestContext, type Browser, type Page } from '@playwright/test';
import { mailLink, password, shot, signup, unique } from './helpers';

// Paying an invoice online (P3): the owner connects the company's Stripe
// account in settings (the server talks to stripe-mock); Stripe reports the
// account can take charges with a signed account.updated; a customer opens
// an invoice, downloads its PDF and clicks Pay; the browser goes to the
// Checkout Session's URL (stripe-mock's hosted pages are not real, so the
// test answers for them and checks the target); Stripe's signed
// checkout.session.completed for that session then marks the invoice paid,
// which the customer sees with the payment in its history. A company
// without Stripe shows its bank details instead.

const app = process.env.NEXO_E2E_BASE_URL!;
const secret = process.env.NEXO_E2E_STRIPE_CONNECT_WEBHOOK_SECRET!;
const run = randomBytes(6).toString('hex');
let evn = 0;

/** deliver posts a connected account's event signed like Stripe: t=<ts>,v1=HMAC-SHA256(secret, "<ts>.<body>"). */
async function deliver(request: APIRequestContext, account: string, type: string, object: object) {
  const t = Math.floor(Date.now() / 1000);
  const body = JSON.stringify({
    id: `evt_e2e_pay_${run}_${++evn}`,
    object: 'event',
    api_version: '2023-10-16',
    created: t,
    account,
    livemode: false,
    pending_webhooks: 1,
    type,
    data: { object },
  });
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  const r = await request.post(`${app}/webhooks/stripe/connect`, {
    headers: { 'Content-Type': 'application/json', 'Stripe-Signature': `t=${t},v1=${v1}` },
    data: body,
  });
  expect(r.status(), `${type}: ${await r.text()}`).toBe(200);
}

type Doc = { id: string; number: string };

/** companyWithInvoice signs a company up, invoices an order of one account and signs a contact of it in to the portal. */
async function companyWithInvoice(page: Page, browser: Browser, slug: string, company: string) {
  await signup(page, company, slug, 'Olga Owner', `olga@${slug}.example.com`);
  const me = await (await page.request.get('/api/v1/me')).json();
  const csrf = me.csrf_token as string;
  const call = async (path: string, data: object, status = 201) => {
    const r = await page.request.post(path, { headers: { 'X-CSRF-Token': csrf }, data });
    expect(r.status(), `${path}: ${await r.text()}`).toBe(status);
    return (await r.json()) as Doc;
  };
  const product = await call('/api/v1/products', { sku: 'PAY-1', name: 'Widget', type: 'stocked', list_price_minor: 5000, currency: 'EUR' });
  const warehouse = await call('/api/v1/warehouses', { code: 'MAIN', name: 'Main' });
  await call('/api/v1/stock-moves', { kind: 'receipt', product_id: product.id, warehouse_id: warehouse.id, quantity: 10 });
  const account = await call('/api/v1/accounts', { name: 'Acme Buyer', email: `buy@acme-${slug}.example.com` });
  const order = await call('/api/v1/orders', { account_id: account.id, lines: [{ product_id: product.id, quantity: 2 }] });
  await call(`/api/v1/orders/${order.id}/confirm`, {}, 200);
  const shipment = await call('/api/v1/shipments', { order_id: order.id });
  await call(`/api/v1/shipments/${shipment.id}/pack`, {}, 200);
  await call(`/api/v1/shipments/${shipment.id}/ship`, {}, 200);
  const invoice = await call('/api/v1/invoices', { order_id: order.id });
  const email = `ana@acme-${slug}.example.com`;
  const contact = await call('/api/v1/contacts', { account_id: account.id, first_name: 'Ana', last_name: 'Buyer', email });
  await call(`/api/v1/contacts/${contact.id}/portal-invite`, {});
  const customer = await (await browser.newContext()).newPage();
  await customer.goto(await mailLink(page.request, email, `/portal/${slug}/accept-invite`));
  await customer.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
  await customer.getByRole('textbox', { name: 'Repeat the password' }).fill(password);
  await customer.getByRole('button', { name: 'Set password and sign in' }).click();
  await customer.waitForURL(`**/portal/${slug}/home`);
  return { tenantID: me.tenant.id as string, invoice, customer };
}

/** bankDetails fills and saves the bank details form of Settings → Payments. */
async function bankDetails(page: Page, iban: string) {
  await page.goto('/app/settings');
  await page.getByRole('tab', { name: 'Payments' }).click();
  await page.getByLabel('Account holder').fill('Pay Works S.L.');
  await page.getByLabel('IBAN').fill(iban);
  await page.getByLabel('BIC / SWIFT').fill('CAIXESBBXXX');
  await page.getByLabel('Bank name').fill('CaixaBank');
  await page.getByTestId('bank-details-save').click();
}

test('a customer pays an invoice online on the company’s own Stripe account, and sees it paid', async ({ page, browser }) => {
  test.setTimeout(150_000);
  const slug = unique('ppay');
  const { tenantID, invoice, customer } = await companyWithInvoice(page, browser, slug, 'Pay Works S.L.');

  // Stripe's hosted pages (onboarding, Checkout) are stripe-mock URLs that
  // do not exist: answer for them, so the test can see where it was sent.
  for (const p of [page, customer]) {
    await p.route(/^https:\/\/[^/]*stripe\.(com|me)\//, (route) => route.fulfill({ contentType: 'text/html', body: '<title>Stripe</title><h1>Stripe</h1>' }));
  }

  // Settings → Payments: a bad IBAN is refused by name, a good one saved.
  await bankDetails(page, 'ES91 2100 0418 4502 0005 1333');
  await expect(page.getByText('is not a valid IBAN').first()).toBeVisible();
  await page.getByLabel('IBAN').fill('ES91 2100 0418 4502 0005 1332');
  await page.getByTestId('bank-details-save').click();
  await expect(page.getByText('Saved')).toBeVisible();
  // Connecting sends the owner to Stripe's onboarding.
  await expect(page.getByTestId('stripe-connect-status')).toHaveText('Not connected');
  await page.getByTestId('stripe-connect-button').click();
  await page.waitForURL(/stripe\.(com|me)\//);
  await page.goto('/app/settings?stripe=return');
  await expect(page.getByTestId('stripe-connect-status')).toHaveText('Setup in progress');
  const state = await (await page.request.get('/api/v1/settings/stripe')).json();
  expect(state.account_id).toMatch(/^acct_/);
  // Stripe reports the finished onboarding.
  await deliver(page.request, state.account_id, 'account.updated', {
    id: state.account_id,
    object: 'account',
    charges_enabled: true,
    details_submitted: true,
    payouts_enabled: true,
    metadata: { tenant_id: tenantID },
  });
  await page.reload();
  await expect(page.getByTestId('stripe-connect-status')).toHaveText('Customers can pay online');
  await shot(page, 'settings-online-payments');

  // The customer opens the invoice and downloads its PDF.
  await customer.goto(`/portal/${slug}/invoices/${invoice.id}`);
  await expect(customer.getByRole('heading', { name: `Invoice ${invoice.number}` })).toBeVisible();
  const pdfHref = await customer.getByRole('link', { name: 'Download PDF' }).getAttribute('href');
  const pdf = await customer.request.get(pdfHref!);
  expect(pdf.status()).toBe(200);
  expect(pdf.headers()['content-type']).toContain('application/pdf');
  const balance = (await (await customer.request.get(`/api/v1/invoices/${invoice.id}`)).json()).balance_minor as number;
  expect(balance).toBeGreaterThan(0);

  // Pay now → the browser goes to the Checkout Session made on the connected account.
  // The server's answer is read on its way to the page (the page navigates
  // away at once, taking the response body with it).
  let session = { url: '', session_id: '' };
  await customer.route(`**/api/v1/invoices/${invoice.id}/pay`, async (route) => {
    const r = await route.fetch();
    session = await r.json();
    await route.fulfill({ response: r });
  });
  await customer.getByTestId('portal-pay-now').click();
  await expect.poll(() => session.url).not.toBe('');
  await customer.waitForURL(session.url);
  expect(session.session_id).toMatch(/^cs_/);

  // Back from Checkout before Stripe's word: the page waits for it.
  await customer.goto(`/portal/${slug}/invoices/${invoice.id}?payment=success`);
  await expect(customer.getByTestId('portal-pay-processing')).toBeVisible();
  await deliver(page.request, state.account_id, 'checkout.session.completed', {
    id: session.session_id,
    object: 'checkout.session',
    mode: 'payment',
    status: 'complete',
    payment_status: 'paid',
    amount_total: balance,
    currency: 'eur',
    payment_intent: `pi_e2e_${run}`,
    metadata: { tenant_id: tenantID, invoice_id: invoice.id },
  });
  await expect(customer.getByTestId('portal-pay-received')).toBeVisible({ timeout: 15_000 });
  await expect(customer.getByTestId('portal-invoice-status')).toHaveText('Paid');
  await expect(customer.getByTestId('portal-invoice-balance')).toHaveText(/0[.,]00/);
  const history = customer.getByTestId('portal-invoice-payments');
  await expect(history.getByRole('row')).toHaveCount(2); // the header and the card payment
  await expect(history.getByRole('cell', { name: 'Card' })).toBeVisible();
  await shot(customer, 'portal-invoice-paid');
});

test('a company without Stripe shows its bank details on the invoice, with the invoice number as reference', async ({ page, browser }) => {
  test.setTimeout(120_000);
  const slug = unique('pbank');
  const { invoice, customer } = await companyWithInvoice(page, browser, slug, 'Bank Works S.L.');
  await bankDetails(page, 'ES91 2100 0418 4502 0005 1332');
  await expect(page.getByText('Saved')).toBeVisible();
  await customer.goto(`/portal/${slug}/invoices/${invoice.id}`);
  const bank = customer.getByTestId('portal-pay-bank');
  await expect(bank).toContainText('ES91 2100 0418 4502 0005 1332');
  await expect(bank).toContainText('CAIXESBBXXX');
  await expect(bank.getByRole('row', { name: new RegExp(`Reference\\s*${invoice.number}`) })).toBeVisible();
  await expect(customer.getByTestId('portal-pay-now')).toHaveCount(0);
  const csrf = (await (await customer.request.get('/api/v1/me')).json()).csrf_token as string;
  expect((await customer.request.post(`/api/v1/invoices/${invoice.id}/pay`, { headers: { 'X-CSRF-Token': csrf } })).status()).toBe(422);
  await shot(customer, 'portal-invoice-bank-details');
});
