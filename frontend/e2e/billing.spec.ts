import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { shot, signup, unique } from './helpers';

// The SaaS billing journey of issue 7: trial → subscribe → change seats →
// payment fails → read-only → pay → active. The server talks to stripe-mock
// (started by the global setup); Stripe's side of the story arrives as
// webhooks this test signs exactly as Stripe does, carrying the objects
// Stripe would send (stripe-mock is stateless, so the server mirrors the
// events' objects, never a re-read).

const app = process.env.NEXO_E2E_BASE_URL!;
const stripeLog = process.env.NEXO_E2E_STRIPE_LOG!;
const secret = process.env.NEXO_E2E_STRIPE_WEBHOOK_SECRET!;
const grace = Number(process.env.NEXO_E2E_BILLING_GRACE_SECONDS ?? '15');

const run = randomBytes(6).toString('hex');
const subID = `sub_e2e_${run}`;
let evn = 0;
let clock = 0;

/** now is Stripe's clock for the next step: whole seconds, strictly increasing, so steps never tie. */
function now(): number {
  clock = Math.max(Math.floor(Date.now() / 1000), clock + 1);
  return clock;
}

/** deliver posts Stripe events signed like Stripe: t=<ts>,v1=HMAC-SHA256(secret, "<ts>.<body>"). */
async function deliver(request: APIRequestContext, events: { type: string; object: object }[]) {
  const created = now();
  for (const e of events) {
    const body = JSON.stringify({
      id: `evt_e2e_${run}_${++evn}`,
      object: 'event',
      api_version: '2023-10-16',
      created,
      livemode: false,
      pending_webhooks: 1,
      type: e.type,
      data: { object: e.object },
    });
    const t = Math.floor(Date.now() / 1000);
    const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    const r = await request.post(`${app}/webhooks/stripe`, {
      headers: { 'Content-Type': 'application/json', 'Stripe-Signature': `t=${t},v1=${v1}` },
      data: body,
    });
    expect(r.status(), `${e.type}: ${await r.text()}`).toBe(200);
  }
}

let subCreated = 0;
let tenantID = '';
function subscription(customer: string, status: string, quantity: number, periodEnd: number) {
  return {
    id: subID,
    object: 'subscription',
    customer,
    metadata: { tenant_id: tenantID },
    status,
    created: subCreated,
    current_period_start: periodEnd - 30 * 86400,
    current_period_end: periodEnd,
    cancel_at_period_end: false,
    items: { object: 'list', data: [{ id: `si_e2e_${run}`, object: 'subscription_item', quantity, price: { id: 'price_e2e_starter', object: 'price' } }] },
  };
}

function invoice(id: string, customer: string, status: string) {
  return { id, object: 'invoice', customer, subscription: subID, status };
}

/**
 * checkoutSent reads, from stripe-mock's request log, the customer and
 * tenant the server sent with its checkout session (stripe-mock makes up a
 * new customer id on every create, so only the server's request knows it).
 */
function checkoutSent(): { customer: string; tenant: string } {
  const log = readFileSync(stripeLog, 'utf8');
  const at = log.lastIndexOf('Request: POST /v1/checkout/sessions');
  expect(at, 'no checkout session reached stripe-mock').toBeGreaterThanOrEqual(0);
  const data = log.slice(at).split('\n')[1] ?? '';
  const customer = /customer:(cus_\w+)/.exec(data)?.[1];
  const tenant = /client_reference_id:([0-9a-f-]{36})/.exec(data)?.[1];
  expect(customer && tenant, data).toBeTruthy();
  return { customer: customer!, tenant: tenant! };
}

async function billingPage(page: Page) {
  await page.goto('/app/billing');
  await expect(page.getByRole('heading', { name: 'Plan & billing' })).toBeVisible();
}

/** addTaxRate is the write the journey tries: Settings → Tax rates → Add. */
async function addTaxRate(page: Page, name: string) {
  await page.goto('/app/settings');
  await page.getByRole('tab', { name: 'Tax rates' }).click();
  await page.getByRole('button', { name: 'Add tax rate' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByLabel('Rate (%)').fill('10');
  await dialog.getByRole('button', { name: 'Save' }).click();
}

test('an owner goes trial → subscribe → seats → payment fails → read-only → pays → active', async ({ page, request }) => {
  test.setTimeout(120_000);
  const slug = unique('bill');
  await signup(page, 'Billing Co', slug, 'Bea Owner', `bea@${slug}.example.com`);

  // Trial: the state and the days left.
  await billingPage(page);
  await expect(page.getByText('Trial', { exact: true }).last()).toBeVisible();
  await expect(page.getByText(/14 days of trial left/)).toBeVisible();

  // Subscribe: the server creates a checkout session at stripe-mock and
  // sends the browser to its URL, which is fake: the test stands in for
  // Stripe's hosted page and sends the browser back as Stripe would.
  let hosted = '';
  await page.route(
    (url) => url.origin !== new URL(app).origin,
    async (route) => {
      if (!route.request().isNavigationRequest()) return route.abort();
      hosted = route.request().url();
      await route.fulfill({ status: 302, headers: { Location: `${app}/app/billing?checkout=success` } });
    },
  );
  const starter = page.locator('.mantine-Card-root', { has: page.getByRole('heading', { name: 'Starter', exact: true }) });
  const checkout = page.waitForResponse((r) => r.url().endsWith('/api/v1/billing/checkout') && r.request().method() === 'POST');
  await starter.getByRole('button', { name: 'Subscribe' }).click();
  expect((await checkout).status()).toBe(200);
  await page.waitForURL('**/app/billing?checkout=success');
  // stripe-mock's session: its fixture's hosted URL, created through stripe-go.
  expect(hosted).toMatch(/^https:\/\/checkout\.stripe\.com\/.*cs_test_/);
  await expect(page.getByText('Thank you! The subscription will show here as soon as Stripe confirms it.')).toBeVisible();

  // Stripe confirms: checkout completed, subscription created (active), first invoice paid.
  const { customer, tenant } = checkoutSent();
  tenantID = tenant;
  subCreated = now();
  let periodEnd = subCreated + 30 * 86400;
  await deliver(request, [
    { type: 'checkout.session.completed', object: { id: `cs_e2e_${run}`, object: 'checkout.session', customer, subscription: subID, mode: 'subscription', client_reference_id: tenant } },
    { type: 'customer.subscription.created', object: subscription(customer, 'active', 1, periodEnd) },
    { type: 'invoice.paid', object: invoice(`in_e2e_${run}_1`, customer, 'paid') },
  ]);
  await billingPage(page);
  await expect(page.getByText('Active', { exact: true })).toBeVisible();
  await expect(page.getByTestId('billing-plan')).toHaveText('Starter');
  await expect(page.getByText(/^Renews on /)).toBeVisible();
  await expect(page.getByTestId('seats-billed')).toHaveText('Billed seats: 1');

  // Change seats in the UI: the outbox sends the new quantity to stripe-mock;
  // Stripe's customer.subscription.updated then brings it back.
  await page.getByLabel('Seats', { exact: true }).fill('3');
  await page.getByRole('button', { name: 'Update seats' }).click();
  await expect(page.getByText('Seat change sent to Stripe')).toBeVisible();
  await expect.poll(() => readFileSync(stripeLog, 'utf8'), { timeout: 20_000 }).toContain(`POST /v1/subscriptions/${subID}`);
  await deliver(request, [{ type: 'customer.subscription.updated', object: subscription(customer, 'active', 3, periodEnd) }]);
  await billingPage(page);
  await expect(page.getByTestId('seats-billed')).toHaveText('Billed seats: 3');

  // The renewal payment fails: past due, the banner, writes still allowed during the grace period.
  await deliver(request, [
    { type: 'invoice.payment_failed', object: invoice(`in_e2e_${run}_2`, customer, 'open') },
    { type: 'customer.subscription.updated', object: subscription(customer, 'past_due', 3, periodEnd) },
  ]);
  await billingPage(page);
  await expect(page.getByText('Payment overdue', { exact: true })).toBeVisible();
  await expect(page.getByTestId('billing-banner')).toBeVisible();
  await expect(page.getByText(/The last payment failed\. Update the payment method before/)).toBeVisible();

  // The grace period (15 s on the test server) runs out: read-only.
  await expect
    .poll(async () => ((await (await page.request.get('/api/v1/billing')).json()) as { read_only: boolean }).read_only, {
      timeout: (grace + 15) * 1000,
      intervals: [1000],
    })
    .toBe(true);
  await billingPage(page);
  await expect(page.getByTestId('billing-read-only')).toContainText('grace period is over');

  // A write is refused with the 402's message; reads still work.
  await addTaxRate(page, 'Blocked 10%');
  await expect(page.getByText(/the account is read-only \(reads and exports still work\)/)).toBeVisible();
  await page.keyboard.press('Escape');
  await page.goto('/app/settings');
  await page.getByRole('tab', { name: 'Tax rates' }).click();
  await expect(page.getByRole('button', { name: 'Add tax rate' })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'Blocked 10%' })).toHaveCount(0);

  // The invoice is paid: active again, writes work.
  periodEnd += 30 * 86400;
  await deliver(request, [
    { type: 'invoice.paid', object: invoice(`in_e2e_${run}_2`, customer, 'paid') },
    { type: 'customer.subscription.updated', object: subscription(customer, 'active', 3, periodEnd) },
  ]);
  await billingPage(page);
  await expect(page.getByText('Active', { exact: true })).toBeVisible();
  await expect(page.getByTestId('billing-read-only')).toHaveCount(0);
  await expect(page.getByTestId('billing-banner')).toHaveCount(0);
  await addTaxRate(page, 'Paid 10%');
  await expect(page.getByRole('cell', { name: 'Paid 10%' })).toBeVisible();
  await billingPage(page);
  await expect(page.getByTestId('seats-billed')).toHaveText('Billed seats: 3');
  await shot(page, '11-billing');
});
