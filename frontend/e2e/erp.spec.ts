import { expect, test, type Page } from '@playwright/test';
import { shot, signup, unique } from './helpers';

// The ERP core in the browser: a warehouse, a manufactured product, stock
// received, a customer and an order that is confirmed with half its units
// in stock: 500 reserved now, 500 sent to production with a promised date.

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

test('warehouse, product, stock, customer and an order confirmed with a production shortfall', async ({ page }) => {
  test.setTimeout(180_000); // the whole chain, from signup to delivery
  const slug = unique('erp');
  await signup(page, 'Válvulas del Sur S.L.', slug, 'Eva Owner', `eva@${slug}.example.com`);

  await page.getByRole('link', { name: 'Warehouses' }).click();
  await page.getByRole('button', { name: 'New warehouse' }).click();
  await page.getByLabel('Code').fill('MAD');
  await page.getByLabel('Name').fill('Madrid');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('cell', { name: 'Madrid' })).toBeVisible();

  await page.getByRole('link', { name: 'Products' }).click();
  await page.getByRole('button', { name: 'New product' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('SKU').fill('VAL-100');
  await dialog.getByLabel('Name').fill('Brass valve');
  await dialog.getByRole('combobox', { name: 'Type' }).click();
  await page.getByRole('option', { name: 'Manufactured' }).click();
  await dialog.getByLabel('List price').fill('12.50');
  await dialog.getByLabel('Lead time (days)').fill('2');
  await dialog.getByLabel('Daily capacity').fill('100');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('heading', { name: 'VAL-100 · Brass valve' })).toBeVisible();

  // A wholesale price list with a quantity break for the valve.
  await page.getByRole('link', { name: 'Price lists' }).click();
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

  await page.getByRole('link', { name: 'Stock', exact: true }).click();
  await page.getByRole('button', { name: 'Receive or adjust' }).click();
  const move = page.getByRole('dialog');
  await pick(page, 'Product', 'VAL', /VAL-100/);
  await move.getByRole('combobox', { name: 'Warehouse' }).click();
  await page.getByRole('option', { name: /MAD/ }).click();
  await move.getByLabel('Quantity').fill('500');
  await move.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('cell', { name: '500' }).first()).toBeVisible();

  await page.getByRole('link', { name: 'Customers' }).click();
  await page.getByRole('button', { name: 'New customer' }).click();
  await page.getByRole('dialog').getByLabel('Name').fill('Ferretería Norte');
  await page.getByRole('dialog').getByLabel('Tax id').fill('B12345678');
  await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('heading', { name: 'Ferretería Norte' })).toBeVisible();

  await page.getByRole('link', { name: 'Sales orders' }).click();
  await page.getByRole('button', { name: 'New order' }).click();
  await pick(page, 'Customer', 'Ferre', /Ferretería Norte/);
  await pick(page, 'Product', 'VAL', /VAL-100/);
  await page.getByRole('dialog').getByLabel('Quantity').fill('1000');
  await page.getByRole('button', { name: 'Create draft' }).click();
  await expect(page.getByTestId('order-status')).toHaveText('Draft');
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

  // A bill of materials (one seal per valve, seals in stock), set up over the
  // API the screens use, so production can cover the shortfall.
  const csrf = (await (await page.request.get('/api/v1/me')).json()).csrf_token as string;
  const headers = { 'X-CSRF-Token': csrf };
  const product = async (sku: string) => (await (await page.request.get(`/api/v1/products?q=${sku}`)).json()).items[0].id as string;
  const seal = await (await page.request.post('/api/v1/products', { headers, data: { sku: 'SEAL', name: 'Seal', type: 'purchased', list_price_minor: 10, currency: 'EUR' } })).json();
  const wh = (await (await page.request.get('/api/v1/warehouses')).json()).items[0].id as string;
  expect((await page.request.post('/api/v1/stock-moves', { headers, data: { kind: 'receipt', product_id: seal.id, warehouse_id: wh, quantity: 500 } })).status()).toBe(201);
  expect((await page.request.put(`/api/v1/boms/${await product('VAL-100')}`, { headers, data: { lines: [{ component_id: seal.id, quantity: 1 }] } })).status()).toBe(200);

  // The planner turns the shortfall into a production order and runs it.
  await page.getByRole('link', { name: 'Production', exact: true }).click();
  await page.getByRole('button', { name: 'Plan from shortfalls' }).click();
  await page.getByRole('cell', { name: /VAL-100/ }).click();
  await expect(page.getByTestId('production-status')).toHaveText('Planned');
  await page.getByRole('button', { name: 'Release (reserve components)' }).click();
  await expect(page.getByTestId('production-status')).toHaveText('Released');
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.getByTestId('production-status')).toHaveText('In progress');
  await page.getByRole('button', { name: 'Complete' }).click();
  await expect(page.getByTestId('production-status')).toHaveText('Completed');
  await shot(page, '08-production-completed');

  // The order is now fully reserved and ready; the clerk ships it.
  await page.goto(orderUrl);
  await expect(page.getByTestId('order-status')).toHaveText('Ready');
  await expect(page.getByTestId('line-reserved')).toHaveText('1,000');
  await page.getByRole('button', { name: 'Ship reserved stock' }).click();
  await page.getByRole('dialog').getByLabel('Carrier').fill('SEUR');
  await page.getByRole('dialog').getByLabel('Tracking link').fill('https://track.example.com/123');
  await page.getByRole('button', { name: 'Create shipment' }).click();
  await expect(page.getByTestId('shipment-status')).toHaveText('Draft');
  await page.getByRole('button', { name: 'Mark packed' }).click();
  await expect(page.getByTestId('shipment-status')).toHaveText('Packed');
  await page.getByRole('button', { name: 'Ship', exact: true }).click();
  await expect(page.getByTestId('shipment-status')).toHaveText('Shipped');
  await page.getByRole('button', { name: 'Mark delivered' }).click();
  await expect(page.getByTestId('shipment-status')).toHaveText('Delivered');
  await shot(page, '09-shipment-delivered');
  await page.goto(orderUrl);
  await expect(page.getByTestId('order-status')).toHaveText('Shipped');

  // Finance invoices the shipped units and records the customer's payment.
  await page.getByRole('button', { name: 'Invoice shipped units' }).click();
  await expect(page.getByRole('heading', { name: /^Invoice F/ })).toBeVisible();
  await expect(page.getByTestId('invoice-balance')).toHaveText('€12,500.00');
  await page.getByRole('button', { name: 'Record payment' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('invoice-status')).toHaveText('Paid');
  await expect(page.getByTestId('invoice-balance')).toHaveText('€0.00');
  await shot(page, '10-invoice-paid');
  await page.goto(orderUrl);
  await expect(page.getByTestId('order-status')).toHaveText('Invoiced');
});
