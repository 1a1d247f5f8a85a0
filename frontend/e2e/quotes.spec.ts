import { expect, test, type Browser, type Locator, type Page } from '@playwright/test';
import { mailLink, password, shot, signup, unique } from './helpers';

// Quotes in the browser (C4), run by the people who do the work, each in a
// session of their own with their own role. Seed flows 1 and 5: a sales rep
// quotes 1,000 chairs with 500 in stock and sees when the rest can ship;
// the customer accepts; the production planner makes the other 500; the
// warehouse ships; finance invoices and records the payment; the rep's
// opportunity shows the order invoiced and the invoice paid. Seed flow 4: the
// rep is warned that a 50,000 € quote exceeds the customer's available
// credit of 10,000 €; once accepted, the order waits for finance. And the
// quote's own life: edited as a draft, revised once sent, declined.

/** pick chooses a server-searched option; scope is the dialog or page section holding the picker. */
async function pick(page: Page, scope: Locator, label: string, search: string, option: RegExp) {
  const input = scope.getByRole('combobox', { name: label });
  // The options come from the server as the user types; on a loaded machine
  // the list can re-render under the click, so choose until it sticks.
  await expect(async () => {
    await input.click();
    await input.fill(search);
    await page.getByRole('option', { name: option }).first().click({ timeout: 5_000 });
    await expect(input).toHaveValue(option, { timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
}

/** teammate invites a user with one role and signs them in, in a browser session of their own. */
async function teammate(owner: Page, browser: Browser, slug: string, name: string, role: string): Promise<Page> {
  const email = `${role}@${slug}.example.com`;
  const csrf = (await (await owner.request.get('/api/v1/me')).json()).csrf_token as string;
  const r = await owner.request.post('/api/v1/invites', { headers: { 'X-CSRF-Token': csrf }, data: { email, name, roles: [role] } });
  expect(r.status()).toBe(201);
  const link = await mailLink(owner.request, email, '/accept-invite');
  const page = await (await browser.newContext()).newPage();
  await page.goto(link);
  await page.getByRole('textbox', { name: 'Choose a password', exact: true }).fill(password);
  await page.getByRole('button', { name: 'Join' }).click();
  await page.waitForURL('**/app');
  await expect(page.getByRole('heading', { name: `Welcome, ${name}` })).toBeVisible();
  return page;
}

/** api posts (or puts) as the page's user, with its CSRF token, and returns the JSON answer. */
async function api(page: Page, method: 'POST' | 'PUT', path: string, data?: unknown, want = method === 'POST' ? 201 : 200) {
  const csrf = (await (await page.request.get('/api/v1/me')).json()).csrf_token as string;
  const r = await page.request.fetch(path, { method, headers: { 'X-CSRF-Token': csrf }, data });
  expect(r.status(), `${method} ${path}: ${await r.text()}`).toBe(want);
  return (await r.json()) as { id: string; status?: string };
}

const nav = (p: Page) => p.getByRole('navigation', { name: 'Main navigation' });

/** day formats an ISO date as the English app shows it ("8 Dec 2026"). */
const day = (iso: string) => new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(iso));

test('a rep quotes 1,000 chairs with 500 in stock; production, warehouse and finance take the order to paid', async ({ page, browser }) => {
  test.setTimeout(300_000); // five sessions, from the quote to the payment
  const slug = unique('quote');
  await signup(page, 'Sillas del Levante S.L.', slug, 'Olga Owner', `olga@${slug}.example.com`);
  const rep = await teammate(page, browser, slug, 'Rita Rep', 'sales');
  const planner = await teammate(page, browser, slug, 'Pablo Planner', 'production');
  const clerk = await teammate(page, browser, slug, 'Wendy Warehouse', 'warehouse');
  const finance = await teammate(page, browser, slug, 'Fiona Finance', 'finance');
  // Quotes are the rep's, not finance's or the warehouse's.
  await expect(nav(rep).getByRole('link', { name: 'Quotes' })).toBeVisible();
  await expect(nav(finance).getByRole('link', { name: 'Quotes' })).toHaveCount(0);
  await expect(nav(clerk).getByRole('link', { name: 'Quotes' })).toHaveCount(0);

  // The catalog, set up over the API the screens use: a chair made at 100 a
  // day after 2 days' lead time from 8 bolts and a seat; 500 chairs in
  // stock and the components for 500 more.
  const wh = await api(page, 'POST', '/api/v1/warehouses', { code: 'MAIN', name: 'Main' });
  const part = (sku: string) => ({ sku, name: sku, type: 'stocked', list_price_minor: 100, currency: 'EUR', lot_tracked: true });
  const bolt = await api(page, 'POST', '/api/v1/products', part('BOLT-8'));
  const seat = await api(page, 'POST', '/api/v1/products', part('SEAT'));
  const chair = await api(page, 'POST', '/api/v1/products', {
    sku: 'CHAIR', name: 'Oak chair', type: 'manufactured', list_price_minor: 12_000, currency: 'EUR', lot_tracked: true, lead_time_days: 2, daily_capacity: 100,
  });
  await api(page, 'PUT', `/api/v1/boms/${chair.id}`, { lines: [{ component_id: bolt.id, quantity: 8 }, { component_id: seat.id, quantity: 1 }] });
  for (const [product, quantity, lot] of [[chair.id, 500, 'CHAIR-STOCK'], [bolt.id, 4000, 'B-1'], [seat.id, 500, 'S-1']] as const) {
    await api(page, 'POST', '/api/v1/stock-moves', { kind: 'receipt', product_id: product, warehouse_id: wh.id, quantity, lot_code: lot });
  }

  // The rep adds the customer and the deal, and puts 1,000 chairs on it.
  await nav(rep).getByRole('link', { name: 'Customers' }).click();
  await rep.getByRole('button', { name: 'New customer' }).click();
  await rep.getByRole('dialog').getByLabel('Name').fill('Muebles Acme S.A.');
  await rep.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
  await expect(rep.getByRole('heading', { name: 'Muebles Acme S.A.' })).toBeVisible();
  await nav(rep).getByRole('link', { name: 'Opportunities' }).click();
  await rep.getByRole('button', { name: 'New opportunity' }).click();
  const newOpp = rep.getByRole('dialog');
  await newOpp.getByLabel('Name').fill('1,000 oak chairs');
  await pick(rep, newOpp, 'Customer', 'Muebles', /Muebles Acme/);
  await newOpp.getByRole('button', { name: 'Save' }).click();
  await expect(rep.getByRole('heading', { name: '1,000 oak chairs' })).toBeVisible();
  const opportunityUrl = rep.url();
  await rep.getByRole('button', { name: 'Edit lines' }).click();
  await rep.getByRole('button', { name: 'Add a line' }).click();
  await pick(rep, rep.locator('main'), 'Product', 'CHAIR', /CHAIR · Oak chair/);
  await rep.getByRole('textbox', { name: 'Quantity' }).fill('1000');
  await rep.getByRole('button', { name: 'Save' }).last().click();
  await expect(rep.getByRole('cell', { name: 'CHAIR · Oak chair' })).toBeVisible();
  await expect(rep.getByText('No orders yet: an accepted quote makes one.')).toBeVisible();

  // The quote from the opportunity: 500 ship now, the other 500 when
  // production can make them.
  await rep.getByRole('button', { name: 'Create quote' }).click();
  await expect(rep.getByRole('heading', { name: /^Quote Q.* · Revision 1$/ })).toBeVisible();
  await expect(rep.getByTestId('quote-status')).toHaveText('Draft');
  const quoteId = rep.url().split('/').pop()!;
  const quote = await (await rep.request.get(`/api/v1/quotes/${quoteId}`)).json();
  const later = quote.lines[0].availability.later_date as string;
  expect(later > new Date().toISOString().slice(0, 10)).toBe(true);
  await expect(rep.getByTestId('line-availability')).toHaveText(`500 in stock now; 500 more by ${day(later)}`);
  await expect(rep.getByTestId('quote-total')).toHaveText('€120,000.00');
  await expect(rep.getByTestId('quote-opportunity')).toHaveText('1,000 oak chairs');
  await expect(rep.getByTestId('credit-summary')).toHaveText('No credit limit');
  await shot(rep, 'quote-atp');

  // The PDF is there to download.
  const pdf = await rep.request.get(await rep.getByRole('link', { name: 'Download PDF' }).getAttribute('href') as string);
  expect(pdf.headers()['content-type']).toBe('application/pdf');

  // Sent to the buyer, who accepts: the order, its reservation and the
  // production order for the shortfall.
  await rep.getByRole('button', { name: 'Send', exact: true }).click();
  const send = rep.getByRole('dialog');
  await send.getByLabel('To').fill(`buyer@${slug}.example.com`);
  await send.getByLabel('Message').fill('As agreed on the phone.');
  await send.getByRole('button', { name: 'Send' }).click();
  await expect(rep.getByTestId('quote-status')).toHaveText('Sent');
  await expect(rep.getByTestId('quote-promised')).toHaveText(day(quote.lines[0].availability.date));
  // The email leaves through the outbox, a moment later.
  const mailbox = async () => JSON.stringify(await (await rep.request.get(`/dev/mailbox?to=${encodeURIComponent(`buyer@${slug}.example.com`)}`, { headers: { Accept: 'application/json' } })).json());
  await expect.poll(mailbox, { timeout: 20_000 }).toContain(quote.number);
  await rep.getByRole('button', { name: 'Accept', exact: true }).click();
  await rep.getByRole('dialog').getByRole('button', { name: 'Accept and create order' }).click();
  const result = rep.getByTestId('accept-result');
  await expect(result).toContainText(/Sales order \S+ created/);
  await expect(result).toContainText('Status: In production');
  await expect(rep.getByTestId('accept-production')).toHaveText(/^Production orders planned: \S+$/);
  await expect(rep.getByTestId('quote-status')).toHaveText('Accepted');
  const production = (await rep.getByTestId('accept-production').textContent())!.split(': ')[1]!;
  await shot(rep, 'quote-accepted');
  await result.getByRole('link', { name: /^Open order / }).click();
  await expect(rep.getByTestId('order-status')).toHaveText('In production');
  await expect(rep.getByTestId('line-reserved')).toHaveText('500');
  const orderUrl = rep.url();

  // The planner makes the other 500.
  await nav(planner).getByRole('link', { name: 'Production', exact: true }).click();
  await planner.getByRole('cell', { name: production, exact: true }).click();
  await expect(planner.getByTestId('production-status')).toHaveText('Planned');
  await planner.getByRole('button', { name: 'Release (reserve components)' }).click();
  await expect(planner.getByTestId('production-status')).toHaveText('Released');
  await planner.getByRole('button', { name: 'Start' }).click();
  await expect(planner.getByTestId('production-status')).toHaveText('In progress');
  await planner.getByRole('button', { name: 'Complete' }).click();
  await expect(planner.getByTestId('production-status')).toHaveText('Completed');

  // The warehouse ships all 1,000.
  await clerk.goto(orderUrl);
  await expect(clerk.getByTestId('order-status')).toHaveText('Ready');
  await expect(clerk.getByTestId('line-reserved')).toHaveText('1,000');
  await clerk.getByRole('button', { name: 'Ship reserved stock' }).click();
  await clerk.getByRole('dialog').getByLabel('Carrier').fill('SEUR');
  await clerk.getByRole('button', { name: 'Create shipment' }).click();
  await expect(clerk.getByTestId('shipment-status')).toHaveText('Draft');
  await clerk.getByRole('button', { name: 'Mark packed' }).click();
  await expect(clerk.getByTestId('shipment-status')).toHaveText('Packed');
  await clerk.getByRole('button', { name: 'Ship', exact: true }).click();
  await expect(clerk.getByTestId('shipment-status')).toHaveText('Shipped');

  // The rep's opportunity follows the order before it is invoiced.
  await rep.goto(opportunityUrl);
  await expect(rep.getByTestId('opportunity-order-status')).toHaveText('Shipped');

  // Finance invoices the shipped chairs and records the payment.
  await finance.goto(orderUrl);
  await finance.getByRole('button', { name: 'Invoice delivered units' }).click();
  await expect(finance.getByRole('heading', { name: /^Invoice F/ })).toBeVisible();
  await expect(finance.getByTestId('invoice-balance')).toHaveText('€120,000.00');
  await finance.getByRole('button', { name: 'Record payment' }).click();
  await finance.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
  await expect(finance.getByTestId('invoice-status')).toHaveText('Paid');

  // The opportunity shows the order invoiced and its invoice paid.
  await rep.reload();
  await expect(rep.getByTestId('opportunity-order-status')).toHaveText('Invoiced');
  const orders = rep.getByTestId('opportunity-orders');
  await expect(orders.getByTestId('invoice-status')).toHaveText('Paid');
  await expect(orders.getByRole('cell', { name: '€0.00' })).toBeVisible();
  await expect(rep.getByRole('heading', { name: 'Quotes' }).locator('..').getByTestId('quote-status')).toHaveText('Accepted');
  await shot(rep, 'quote-opportunity-paid');
});

test('a rep is warned that a quote exceeds the available credit; finance approves the held order', async ({ page, browser }) => {
  test.setTimeout(180_000);
  const slug = unique('credit');
  await signup(page, 'Prensas del Norte S.L.', slug, 'Olga Owner', `olga@${slug}.example.com`);
  const rep = await teammate(page, browser, slug, 'Rita Rep', 'sales');
  const finance = await teammate(page, browser, slug, 'Fiona Finance', 'finance');

  // Over the API: a 10,000 € press, a customer with a 40,000 € limit and
  // an unpaid invoice of 30,000 € (three presses, shipped and invoiced).
  const wh = await api(page, 'POST', '/api/v1/warehouses', { code: 'MAIN', name: 'Main' });
  const press = await api(page, 'POST', '/api/v1/products', { sku: 'PRESS', name: 'Hydraulic press', list_price_minor: 1_000_000, currency: 'EUR' });
  await api(page, 'POST', '/api/v1/stock-moves', { kind: 'receipt', product_id: press.id, warehouse_id: wh.id, quantity: 20 });
  const acme = await api(rep, 'POST', '/api/v1/accounts', { name: 'Acme Industrial', currency: 'EUR', credit_limit_minor: 4_000_000 });
  const first = await api(page, 'POST', '/api/v1/orders', { account_id: acme.id, lines: [{ product_id: press.id, quantity: 3 }] });
  expect((await api(page, 'POST', `/api/v1/orders/${first.id}/confirm`, undefined, 200)).status).toBe('confirmed');
  const shipment = await api(page, 'POST', '/api/v1/shipments', { order_id: first.id });
  for (const step of ['pack', 'ship']) await api(page, 'POST', `/api/v1/shipments/${shipment.id}/${step}`, undefined, 200);
  await api(finance, 'POST', '/api/v1/invoices', { order_id: first.id });

  // The rep drafts a quote for five presses from the quotes page.
  await nav(rep).getByRole('link', { name: 'Quotes' }).click();
  await rep.getByRole('button', { name: 'New quote' }).click();
  const dialog = rep.getByRole('dialog');
  await pick(rep, dialog, 'Customer', 'Acme', /Acme Industrial/);
  await pick(rep, dialog, 'Product', 'PRESS', /PRESS · Hydraulic press/);
  await dialog.getByRole('textbox', { name: 'Quantity' }).fill('5');
  await dialog.getByRole('button', { name: 'Create draft' }).click();
  await expect(rep.getByTestId('quote-status')).toHaveText('Draft');
  await expect(rep.getByTestId('line-availability')).toHaveText('All 5 in stock now');

  // Before sending, the credit check: 40,000 € limit, 30,000 € owed.
  await expect(rep.getByTestId('credit-limit')).toHaveText('€40,000.00');
  await expect(rep.getByTestId('credit-invoices')).toHaveText('€30,000.00');
  await expect(rep.getByTestId('credit-available')).toHaveText('€10,000.00');
  await expect(rep.getByTestId('credit-quote')).toHaveText('€50,000.00');
  await expect(rep.getByTestId('credit-summary')).toHaveText('Available credit €10,000.00; this quote exceeds it by €40,000.00.');
  await shot(rep, 'quote-credit');

  // The quotes list finds it by number and status.
  const number = (await rep.getByRole('heading', { name: /^Quote / }).textContent())!.match(/^Quote (\S+)/)![1]!;

  // Sent and accepted anyway: the order waits in credit hold, nothing planned.
  await rep.getByRole('button', { name: 'Send', exact: true }).click();
  await rep.getByRole('dialog').getByLabel('To').fill(`buyer@${slug}.example.com`);
  await rep.getByRole('dialog').getByRole('button', { name: 'Send' }).click();
  await expect(rep.getByTestId('quote-status')).toHaveText('Sent');
  await nav(rep).getByRole('link', { name: 'Quotes' }).click();
  await rep.getByRole('textbox', { name: 'Search' }).fill(number);
  await rep.getByRole('combobox', { name: 'Status' }).click();
  await rep.getByRole('option', { name: 'Sent' }).click();
  await rep.getByRole('cell', { name: number }).click();
  await rep.getByRole('button', { name: 'Accept', exact: true }).click();
  await rep.getByRole('dialog').getByRole('button', { name: 'Accept and create order' }).click();
  await expect(rep.getByTestId('accept-result')).toContainText('Status: Credit hold');
  await expect(rep.getByTestId('accept-production')).toHaveText('No production needed.');
  const orderHref = await rep.getByTestId('accept-result').getByRole('link', { name: /^Open order / }).getAttribute('href');

  // Finance approves the credit in the app; the order is confirmed.
  await finance.goto(orderHref!);
  await expect(finance.getByTestId('order-status')).toHaveText('Credit hold');
  await finance.getByRole('button', { name: 'Approve credit' }).click();
  await expect(finance.getByTestId('order-status')).toHaveText('Confirmed');
  await expect(finance.getByTestId('line-reserved')).toHaveText('5');
  await shot(finance, 'quote-credit-approved');
});

test('a draft quote is edited, a refused change is shown in place, a sent quote is revised and the revision declined', async ({ page }) => {
  const slug = unique('revise');
  await signup(page, 'Tornillos Sur S.L.', slug, 'Olga Owner', `olga@${slug}.example.com`);
  const wh = await api(page, 'POST', '/api/v1/warehouses', { code: 'MAIN', name: 'Main' });
  const widget = await api(page, 'POST', '/api/v1/products', { sku: 'WIDGET', name: 'Widget', list_price_minor: 1_000, currency: 'EUR' });
  await api(page, 'POST', '/api/v1/stock-moves', { kind: 'receipt', product_id: widget.id, warehouse_id: wh.id, quantity: 100 });
  await api(page, 'POST', '/api/v1/accounts', { name: 'Beta Retail', currency: 'EUR', email: `buyer@${slug}.example.com` });

  await nav(page).getByRole('link', { name: 'Quotes' }).click();
  await page.getByRole('button', { name: 'New quote' }).click();
  const create = page.getByRole('dialog');
  await pick(page, create, 'Customer', 'Beta', /Beta Retail/);
  await pick(page, create, 'Product', 'WIDGET', /WIDGET · Widget/);
  await create.getByRole('textbox', { name: 'Quantity' }).fill('10');
  await create.getByRole('button', { name: 'Create draft' }).click();
  await expect(page.getByTestId('quote-total')).toHaveText('€100.00');
  await expect(page.getByTestId('line-availability')).toHaveText('All 10 in stock now');

  // 20 at 9,50 € less 10 %: 171 €.
  await page.getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('dialog');
  await edit.getByRole('textbox', { name: 'Quantity' }).fill('20');
  await edit.getByLabel('Unit price').fill('9,50');
  await edit.getByRole('textbox', { name: 'Discount' }).fill('10');
  await edit.getByRole('button', { name: 'Save' }).click();
  await expect(edit).toHaveCount(0);
  await expect(page.getByTestId('quote-total')).toHaveText('€171.00');
  await expect(page.getByRole('cell', { name: '10%' })).toBeVisible();

  // A validity in the past is refused, in the dialog, and nothing changes.
  await page.getByRole('button', { name: 'Edit' }).click();
  await edit.getByLabel('Valid until').fill('2020-01-01');
  await edit.getByRole('button', { name: 'Save' }).click();
  await expect(edit.getByTestId('quote-problem')).toBeVisible();
  await edit.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('quote-total')).toHaveText('€171.00');

  // Sent to the customer's address, then revised: the first revision is
  // superseded and points to the second, a draft priced the same.
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Send' }).click();
  await expect(page.getByTestId('quote-status')).toHaveText('Sent');
  await expect(page.getByText(`Sent to: buyer@${slug}.example.com`)).toBeVisible();
  const firstUrl = page.url();
  await page.getByRole('button', { name: 'Revise' }).click();
  await expect(page.getByRole('heading', { name: /· Revision 2$/ })).toBeVisible();
  await expect(page.getByTestId('quote-status')).toHaveText('Draft');
  await expect(page.getByTestId('quote-total')).toHaveText('€171.00');
  const secondUrl = page.url();
  expect(secondUrl).not.toBe(firstUrl);
  await page.goto(firstUrl);
  await expect(page.getByTestId('quote-status')).toHaveText('Superseded');
  await page.getByRole('link', { name: 'Open the newer revision' }).click();
  await expect(page).toHaveURL(secondUrl);

  // The second revision, sent and declined: the reason is required.
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Send' }).click();
  await expect(page.getByTestId('quote-status')).toHaveText('Sent');
  await page.getByRole('button', { name: 'Decline' }).click();
  const decline = page.getByRole('dialog');
  await decline.getByRole('button', { name: 'Decline' }).click();
  await expect(decline.getByText('Required')).toBeVisible();
  await decline.getByLabel('Reason').fill('Price too high');
  await decline.getByRole('button', { name: 'Decline' }).click();
  await expect(page.getByTestId('quote-status')).toHaveText('Declined');
  await expect(page.getByText('Declined: Price too high')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Accept', exact: true })).toHaveCount(0);
  await shot(page, 'quote-revised');
});
