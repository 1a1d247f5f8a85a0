import { expect, test, type Browser, type Page } from '@playwright/test';
import { mailLink, password, shot, signup, unique } from './helpers';

// The ERP core in the browser, run by the people who do it: the owner sets
// up the catalog and sells 1,000 valves with 500 in stock; the warehouse
// clerk receives stock and ships; the production planner covers the
// shortfall; finance invoices and records the payment. Each works in their
// own session with their own role, and the lot made for the order is
// traced from its components to the customer.

async function pick(page: Page, label: string, search: string, option: RegExp) {
  const input = page.getByRole('dialog').getByRole('combobox', { name: label });
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

test('owner, warehouse clerk, production planner and finance run an order from shortfall to paid invoice', async ({ page, browser }) => {
  test.setTimeout(240_000); // the whole chain, from signup to payment, in four sessions
  const slug = unique('erp');
  await signup(page, 'Válvulas del Sur S.L.', slug, 'Eva Owner', `eva@${slug}.example.com`);
  const clerk = await teammate(page, browser, slug, 'Wendy Warehouse', 'warehouse');
  const planner = await teammate(page, browser, slug, 'Pablo Planner', 'production');
  const finance = await teammate(page, browser, slug, 'Fiona Finance', 'finance');
  // Each sees the modules of their role, and not the others'.
  const nav = (p: Page) => p.getByRole('navigation', { name: 'Main navigation' });
  await expect(nav(clerk).getByRole('link', { name: 'Stock', exact: true })).toBeVisible();
  await expect(nav(clerk).getByRole('link', { name: 'Invoices' })).toHaveCount(0);
  await expect(nav(planner).getByRole('link', { name: 'Production' })).toBeVisible();
  await expect(nav(planner).getByRole('link', { name: 'Invoices' })).toHaveCount(0);
  await expect(nav(finance).getByRole('link', { name: 'Invoices' })).toBeVisible();
  await expect(nav(finance).getByRole('link', { name: 'Production' })).toHaveCount(0);

  // The clerk sets up the warehouse.
  await clerk.getByRole('link', { name: 'Warehouses' }).click();
  await clerk.getByRole('button', { name: 'New warehouse' }).click();
  await clerk.getByLabel('Code').fill('MAD');
  await clerk.getByLabel('Name').fill('Madrid');
  await clerk.getByRole('button', { name: 'Save' }).click();
  await expect(clerk.getByRole('cell', { name: 'Madrid' })).toBeVisible();

  await nav(page).getByRole('link', { name: 'Products' }).click();
  await page.getByRole('button', { name: 'New product' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('SKU').fill('VAL-100');
  await dialog.getByLabel('Name').fill('Brass valve');
  await dialog.getByRole('combobox', { name: 'Type' }).click();
  await page.getByRole('option', { name: 'Manufactured' }).click();
  await dialog.getByLabel('List price').fill('12.50');
  await dialog.getByLabel('Lead time (days)').fill('2');
  await dialog.getByLabel('Daily capacity').fill('100');
  await dialog.getByLabel('Tracked by lot').check();
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('heading', { name: 'VAL-100 · Brass valve' })).toBeVisible();

  // A wholesale price list with a quantity break for the valve.
  await nav(page).getByRole('link', { name: 'Price lists' }).click();
  await page.getByRole('button', { name: 'New price list' }).click();
  await page.getByRole('dialog').getByLabel('Name').fill('Wholesale');
  await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('heading', { name: 'Wholesale' })).toBeVisible();
  const addPrice = page.getByRole('combobox', { name: 'Product' });
  await addPrice.click();
  await addPrice.fill('VAL');
  await page.getByRole('option', { name: /VAL-100/ }).click();
  await page.getByLabel('From quantity').fill('100');
  await page.getByLabel('Unit price').fill('11,00');
  await page.getByRole('button', { name: 'Add price' }).click();
  await expect(page.getByRole('cell', { name: '€11.00' })).toBeVisible();

  // The clerk receives 500 valves as lot VAL-A1.
  await clerk.getByRole('link', { name: 'Stock', exact: true }).click();
  await clerk.getByRole('button', { name: 'Receive or adjust' }).click();
  const move = clerk.getByRole('dialog');
  await pick(clerk, 'Product', 'VAL', /VAL-100/);
  await move.getByRole('combobox', { name: 'Warehouse' }).click();
  await clerk.getByRole('option', { name: /MAD/ }).click();
  await move.getByLabel('Quantity').fill('500');
  await move.getByLabel('Lot code').fill('VAL-A1');
  await move.getByRole('button', { name: 'Save' }).click();
  await expect(clerk.getByRole('cell', { name: '500' }).first()).toBeVisible();

  await nav(page).getByRole('link', { name: 'Customers' }).click();
  await page.getByRole('button', { name: 'New customer' }).click();
  await page.getByRole('dialog').getByLabel('Name').fill('Ferretería Norte');
  await page.getByRole('dialog').getByLabel('Tax id').fill('B12345678');
  await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('heading', { name: 'Ferretería Norte' })).toBeVisible();

  await nav(page).getByRole('link', { name: 'Sales orders' }).click();
  await page.getByRole('button', { name: 'New order' }).click();
  await pick(page, 'Customer', 'Ferre', /Ferretería Norte/);
  // Priced from the wholesale list: 1,000 units are past its 100-unit break.
  await page.getByRole('dialog').getByRole('combobox', { name: 'Price list' }).click();
  await page.getByRole('option', { name: 'Wholesale (EUR)' }).click();
  await pick(page, 'Product', 'VAL', /VAL-100/);
  await page.getByRole('dialog').getByLabel('Quantity').fill('1000');
  await page.getByRole('button', { name: 'Create draft' }).click();
  await expect(page.getByTestId('order-status')).toHaveText('Draft');
  await expect(page.getByRole('link', { name: 'VAL-100 — Brass valve' })).toBeVisible();
  await expect(page.getByRole('cell', { name: '€11.00' })).toBeVisible();
  await page.getByRole('button', { name: 'Confirm and reserve' }).click();
  await expect(page.getByTestId('order-status')).toHaveText('In production');
  await expect(page.getByTestId('line-reserved')).toHaveText('500');
  await expect(page.getByTestId('line-shortfall')).toContainText('500 · to production');
  await expect(page.getByTestId('order-promised')).not.toHaveText('—');
  await shot(page, '07-order-confirmed-with-shortfall');

  // The ledger agrees: all 500 units on hand are held for the order.
  const levels = await (await page.request.get('/api/v1/stock')).json();
  expect(levels.items).toMatchObject([{ on_hand: 500, reserved: 500, available: 0 }]);
  const orderUrl = page.url();

  // A bill of materials (one seal per valve, a lot of seals in stock), set up
  // over the API the screens use, so production can cover the shortfall.
  const csrf = (await (await page.request.get('/api/v1/me')).json()).csrf_token as string;
  const headers = { 'X-CSRF-Token': csrf };
  const product = async (sku: string) => (await (await page.request.get(`/api/v1/products?q=${sku}`)).json()).items[0].id as string;
  const seal = await (await page.request.post('/api/v1/products', { headers, data: { sku: 'SEAL', name: 'Seal', type: 'purchased', list_price_minor: 10, currency: 'EUR', lot_tracked: true } })).json();
  const wh = (await (await page.request.get('/api/v1/warehouses')).json()).items[0].id as string;
  expect((await page.request.post('/api/v1/stock-moves', { headers, data: { kind: 'receipt', product_id: seal.id, warehouse_id: wh, quantity: 500, lot_code: 'SEAL-2611' } })).status()).toBe(201);
  expect((await page.request.put(`/api/v1/boms/${await product('VAL-100')}`, { headers, data: { lines: [{ component_id: seal.id, quantity: 1 }] } })).status()).toBe(200);

  // The planner turns the shortfall into a production order and runs it.
  await planner.getByRole('link', { name: 'Production', exact: true }).click();
  await planner.getByRole('button', { name: 'Plan from shortfalls' }).click();
  await planner.getByRole('cell', { name: /VAL-100/ }).click();
  await expect(planner.getByTestId('production-status')).toHaveText('Planned');
  await planner.getByRole('button', { name: 'Release (reserve components)' }).click();
  await expect(planner.getByTestId('production-status')).toHaveText('Released');
  await planner.getByRole('button', { name: 'Start' }).click();
  await expect(planner.getByTestId('production-status')).toHaveText('In progress');
  await planner.getByRole('button', { name: 'Complete' }).click();
  await expect(planner.getByTestId('production-status')).toHaveText('Completed');
  await shot(planner, '08-production-completed');
  const lotUrl = new URL((await planner.getByTestId('produced-lot').getAttribute('href'))!, planner.url()).toString();

  // The order is now fully reserved and ready; the clerk ships it. Invoicing
  // is not the clerk's to do.
  await clerk.goto(orderUrl);
  await expect(clerk.getByTestId('order-status')).toHaveText('Ready');
  await expect(clerk.getByTestId('line-reserved')).toHaveText('1,000');
  await expect(clerk.getByRole('button', { name: 'Invoice delivered units' })).toHaveCount(0);
  await clerk.getByRole('button', { name: 'Ship reserved stock' }).click();
  await clerk.getByRole('dialog').getByLabel('Carrier').fill('SEUR');
  await clerk.getByRole('dialog').getByLabel('Tracking link').fill('https://track.example.com/123');
  await clerk.getByRole('button', { name: 'Create shipment' }).click();
  await expect(clerk.getByTestId('shipment-status')).toHaveText('Draft');
  await clerk.getByRole('button', { name: 'Mark packed' }).click();
  await expect(clerk.getByTestId('shipment-status')).toHaveText('Packed');
  await clerk.getByRole('button', { name: 'Ship', exact: true }).click();
  await expect(clerk.getByTestId('shipment-status')).toHaveText('Shipped');
  await clerk.getByRole('button', { name: 'Mark delivered' }).click();
  await expect(clerk.getByTestId('shipment-status')).toHaveText('Delivered');
  await shot(clerk, '09-shipment-delivered');
  await clerk.goto(orderUrl);
  await expect(clerk.getByTestId('order-status')).toHaveText('Shipped');

  // The lot made for the order, traced end to end: made from the seal lot,
  // shipped to the customer.
  await clerk.goto(lotUrl);
  await expect(clerk.getByRole('link', { name: 'SEAL-2611' })).toBeVisible();
  await expect(clerk.getByTestId('lot-customers')).toHaveText('1');
  await expect(clerk.getByTestId('lot-customer')).toHaveText('Ferretería Norte');
  await shot(clerk, '09b-lot-trace');

  // Finance invoices the shipped units and records the customer's payment.
  await finance.goto(orderUrl);
  await finance.getByRole('button', { name: 'Invoice delivered units' }).click();
  await expect(finance.getByRole('heading', { name: /^Invoice F/ })).toBeVisible();
  await expect(finance.getByTestId('invoice-balance')).toHaveText('€11,000.00');
  // Receivables shows who owes it, not yet due.
  const invoiceUrl = finance.url();
  await nav(finance).getByRole('link', { name: 'Receivables' }).click();
  const owed = finance.getByRole('row', { name: /Ferretería Norte/ });
  await expect(owed.getByRole('cell', { name: '€11,000.00' })).toHaveCount(2); // not yet due, and the total
  await finance.goto(invoiceUrl);
  await finance.getByRole('button', { name: 'Record payment' }).click();
  await finance.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
  await expect(finance.getByTestId('invoice-status')).toHaveText('Paid');
  await expect(finance.getByTestId('invoice-balance')).toHaveText('€0.00');
  await shot(finance, '10-invoice-paid');
  await finance.goto(orderUrl);
  await expect(finance.getByTestId('order-status')).toHaveText('Invoiced');

  // The customer's timeline, as finance sees it: nothing owed, the payment
  // on top of the paid invoice, the shipment and the order below; no
  // production order (not finance's to see). The invoice opens from it.
  const invoiceNumber = (await (await finance.request.get(invoiceUrl.replace('/app/', '/api/v1/'))).json()).number as string;
  const norte = (await (await finance.request.get('/api/v1/accounts?q=Ferreter')).json()).items[0].id as string;
  await finance.goto(`/app/accounts/${norte}`);
  await expect(finance.getByTestId('timeline-balance')).toContainText('€0.00');
  const entries = finance.getByTestId('account-timeline').getByTestId('timeline-item');
  await expect(entries.first()).toHaveAttribute('data-kind', 'payment');
  await expect(entries.first()).toContainText('€11,000.00');
  const invoiceEntry = entries.and(finance.locator('[data-kind="invoice"]'));
  await expect(invoiceEntry).toContainText('Paid');
  await expect(entries.and(finance.locator('[data-kind="shipment"]'))).toContainText('SEUR');
  await expect(entries.and(finance.locator('[data-kind="order"]'))).toHaveCount(1);
  await expect(entries.and(finance.locator('[data-kind="production"]'))).toHaveCount(0);
  await shot(finance, '10a-customer-timeline');
  await invoiceEntry.getByRole('link', { name: invoiceNumber }).click();
  await expect(finance.getByRole('heading', { name: `Invoice ${invoiceNumber}` })).toBeVisible();

  // F4: a customer with a 1,000 € limit orders 1,200 €: the order waits in
  // credit hold until finance approves it.
  const careful = await (await page.request.post('/api/v1/accounts', { headers, data: { name: 'Compras Prudentes S.A.', credit_limit_minor: 100_000 } })).json();
  const held = await (await page.request.post('/api/v1/orders', { headers, data: { account_id: careful.id, lines: [{ product_id: seal.id, quantity: 1, unit_price_minor: 120_000 }] } })).json();
  expect((await (await page.request.post(`/api/v1/orders/${held.id}/confirm`, { headers })).json()).status).toBe('credit_hold');
  await finance.goto(`/app/orders/${held.id}`);
  await expect(finance.getByTestId('order-status')).toHaveText('Credit hold');
  await expect(finance.getByTestId('credit-detail')).toHaveText('Available credit €1,000.00; this order exceeds it by €200.00.');
  await shot(finance, '10b-credit-hold');
  await finance.getByRole('button', { name: 'Approve credit' }).click();
  await expect(finance.getByTestId('order-status')).toHaveText('Confirmed');
  // The approved order now holds the customer's credit: 200 € over.
  await finance.goto(`/app/accounts/${careful.id}`);
  await expect(finance.getByTestId('account-credit')).toContainText('open orders €1,200.00');
  await expect(finance.getByTestId('account-credit')).toContainText(/-€200\.00/);
});
