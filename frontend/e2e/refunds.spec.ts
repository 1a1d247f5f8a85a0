import { expect, test } from '@playwright/test';
import { shot, signup, unique } from './helpers';

// Refunds by transfer (P4/F6, finance): an invoice the customer paid by
// bank transfer gets a credit note for a returned unit from the invoice
// page; the credit is owed back, so finance finds it under Receivables'
// refunds to pay back, opens the invoice and records the transfer.

test('finance credits a paid invoice and records the refund transfer', async ({ page }) => {
  test.setTimeout(90_000);
  const slug = unique('refund');
  await signup(page, 'Refund Works S.L.', slug, 'Olga Owner', `olga@${slug}.example.com`);

  // Setup through the API: an order of 3 shipped and invoiced, paid in full by transfer.
  const csrf = (await (await page.request.get('/api/v1/me')).json()).csrf_token as string;
  const call = async (path: string, data: object, status = 201) => {
    const r = await page.request.post(path, { headers: { 'X-CSRF-Token': csrf }, data });
    expect(r.status(), `${path}: ${await r.text()}`).toBe(status);
    return (await r.json()) as { id: string; number: string; balance_minor: number };
  };
  const product = await call('/api/v1/products', { sku: 'RF-1', name: 'Lamp', type: 'stocked', list_price_minor: 2500, currency: 'EUR' });
  const warehouse = await call('/api/v1/warehouses', { code: 'MAIN', name: 'Main' });
  await call('/api/v1/stock-moves', { kind: 'receipt', product_id: product.id, warehouse_id: warehouse.id, quantity: 10 });
  const acme = await call('/api/v1/accounts', { name: 'Acme Lighting' });
  const order = await call('/api/v1/orders', { account_id: acme.id, lines: [{ product_id: product.id, quantity: 3 }] });
  await call(`/api/v1/orders/${order.id}/confirm`, {}, 200);
  const shipment = await call('/api/v1/shipments', { order_id: order.id });
  await call(`/api/v1/shipments/${shipment.id}/pack`, {}, 200);
  await call(`/api/v1/shipments/${shipment.id}/ship`, {}, 200);
  const invoice = await call('/api/v1/invoices', { order_id: order.id });
  await call('/api/v1/payments', { invoice_id: invoice.id, amount_minor: invoice.balance_minor, method: 'transfer' });

  // A unit came back: finance credits it from the paid invoice's page.
  await page.goto(`/app/invoices/${invoice.id}`);
  await expect(page.getByTestId('invoice-balance')).toHaveText(/0[.,]00/);
  await page.getByRole('button', { name: 'Credit note' }).click();
  const credit = page.getByRole('dialog');
  await credit.getByRole('textbox', { name: /Units to credit of/ }).fill('1');
  await credit.getByRole('textbox', { name: 'Reason' }).fill('One lamp returned broken');
  await credit.getByRole('button', { name: 'Issue credit note' }).click();
  const refunds = page.getByTestId('invoice-refunds');
  await expect(refunds.getByText('Due')).toBeVisible();
  await expect(refunds).toContainText('25.00');
  await expect(refunds.getByText('Credit note on a paid invoice')).toBeVisible();
  // Paid by transfer: no card to return it to.
  await expect(refunds.getByRole('button', { name: 'Refund to card' })).toHaveCount(0);

  // Receivables lists what is to be paid back, with the way to its invoice.
  await page.goto('/app/receivables');
  const due = page.getByTestId('refunds-due');
  await expect(due.getByRole('cell', { name: 'Acme Lighting' })).toBeVisible();
  await expect(due).toContainText('25.00');
  await shot(page, 'refunds-due');
  await due.getByRole('link', { name: 'Open the invoice' }).click();
  await page.waitForURL(`**/app/invoices/${invoice.id}`);

  // Finance records the transfer made from the bank.
  await page.getByTestId('invoice-refunds').getByRole('button', { name: 'Record refund' }).click();
  const record = page.getByRole('dialog');
  await expect(record.getByRole('combobox', { name: 'How it was paid back' })).toHaveValue('Bank transfer');
  await record.getByRole('textbox', { name: 'Reference' }).fill('TRF-2026-0042');
  await record.getByRole('button', { name: 'Record refund' }).click();
  await expect(refunds.getByText('Refunded')).toBeVisible();
  await expect(refunds).toContainText('Bank transfer');
  await expect(refunds).toContainText('TRF-2026-0042');
  await expect(page.getByTestId('invoice-received')).toContainText('75.00');
  await expect(page.getByTestId('invoice-credited')).toContainText('25.00');
  await shot(page, 'refund-recorded');

  // Nothing is left to pay back.
  await page.goto('/app/receivables');
  await expect(page.getByRole('heading', { name: 'Receivables' })).toBeVisible();
  await expect(page.getByTestId('refunds-due')).toHaveCount(0);
});
