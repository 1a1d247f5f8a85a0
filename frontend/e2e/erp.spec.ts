import { expect, test, type Page } from '@playwright/test';
import { shot, signup, unique } from './helpers';

// The ERP core in the browser: a warehouse, a manufactured product, stock
// received, a customer and an order that is confirmed with half its units
// in stock: 500 reserved now, 500 sent to production with a promised date.

async function pick(page: Page, label: string, search: string, option: RegExp) {
  const input = page.getByRole('dialog').getByRole('combobox', { name: label });
  await input.click();
  await input.fill(search);
  await page.getByRole('option', { name: option }).first().click();
}

test('warehouse, product, stock, customer and an order confirmed with a production shortfall', async ({ page }) => {
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
  await expect(page.getByTestId('line-shortfall')).toHaveText('500 · to production');
  await expect(page.getByTestId('order-promised')).not.toHaveText('—');
  await shot(page, '07-order-confirmed-with-shortfall');

  // The ledger agrees: all 500 units on hand are held for the order.
  const levels = await (await page.request.get('/api/v1/stock')).json();
  expect(levels.items).toMatchObject([{ on_hand: 500, reserved: 500, available: 0 }]);
});
