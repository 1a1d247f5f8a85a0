import { expect, test } from '@playwright/test';
import { mailLink, password, shot, signup, unique } from './helpers';

// Returns (P4, E8, F6): a customer opens a delivered, invoiced order in the
// portal and asks to return one unit, with a photo; staff, in their own session, approve
// it, receive it back into stock and refund it; the customer then sees the
// return refunded, the credit note with its line and the invoice's balance
// reduced by it.

test('a customer returns a delivered unit and sees the credit note and the invoice balance reduced', async ({ page, browser }) => {
  test.setTimeout(120_000);
  const slug = unique('prets');
  await signup(page, 'Returns Works S.L.', slug, 'Rita Owner', `rita@${slug}.example.com`);

  // Staff setup through the API: stock, an order of three delivered and invoiced.
  const csrf = (await (await page.request.get('/api/v1/me')).json()).csrf_token as string;
  const call = async (path: string, data: object, status = 201) => {
    const r = await page.request.post(path, { headers: { 'X-CSRF-Token': csrf }, data });
    expect(r.status(), `${path}: ${await r.text()}`).toBe(status);
    return (await r.json()) as { id: string; number: string; total_minor: number };
  };
  const product = await call('/api/v1/products', { sku: 'RT-1', name: 'Kettle', type: 'stocked', list_price_minor: 4000, currency: 'EUR' });
  const warehouse = await call('/api/v1/warehouses', { code: 'MAIN', name: 'Main' });
  await call('/api/v1/stock-moves', { kind: 'receipt', product_id: product.id, warehouse_id: warehouse.id, quantity: 10 });
  const acme = await call('/api/v1/accounts', { name: 'Acme Buyer', email: `buy@acme-${slug}.example.com` });
  const order = await call('/api/v1/orders', { account_id: acme.id, lines: [{ product_id: product.id, quantity: 3 }] });
  await call(`/api/v1/orders/${order.id}/confirm`, {}, 200);
  const shipment = await call('/api/v1/shipments', { order_id: order.id });
  for (const step of ['pack', 'ship', 'deliver']) await call(`/api/v1/shipments/${shipment.id}/${step}`, {}, 200);
  const invoice = await call('/api/v1/invoices', { order_id: order.id });
  expect(invoice.total_minor).toBe(12000);
  const email = `ana@acme-${slug}.example.com`;
  const contact = await call('/api/v1/contacts', { account_id: acme.id, first_name: 'Ana', last_name: 'Buyer', email });
  await call(`/api/v1/contacts/${contact.id}/portal-invite`, {});

  // The customer signs in and opens the delivered order.
  const link = await mailLink(page.request, email, `/portal/${slug}/accept-invite`);
  const customer = await (await browser.newContext()).newPage();
  await customer.goto(link);
  await customer.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
  await customer.getByRole('textbox', { name: 'Repeat the password' }).fill(password);
  await customer.getByRole('button', { name: 'Set password and sign in' }).click();
  await customer.waitForURL(`**/portal/${slug}/home`);
  await customer.goto(`/portal/${slug}/orders/${order.id}`);
  await expect(customer.getByRole('heading', { name: `Order ${order.number}` })).toBeVisible();

  // Request a return of one unit: a reason is required.
  await customer.getByTestId('portal-request-return').click();
  const dialog = customer.getByRole('dialog');
  await expect(dialog.getByText('3 units can be returned')).toBeVisible();
  await dialog.getByRole('textbox', { name: 'Quantity' }).fill('1');
  await dialog.getByTestId('portal-return-submit').click();
  await expect(dialog.getByText('Choose a reason')).toBeVisible();
  await dialog.getByRole('combobox', { name: 'Reason' }).click();
  await customer.getByRole('option', { name: 'Damaged' }).click();
  await dialog.getByRole('textbox', { name: 'About this line (optional)' }).fill('The lid is cracked');
  await dialog.getByTestId('portal-return-submit').click();
  await customer.waitForURL(`**/portal/${slug}/returns/*`);
  const returnId = customer.url().split('/').pop()!;
  await expect(customer.getByTestId('portal-return-status')).toHaveText('Requested');
  const number = (await customer.getByRole('heading', { level: 1 }).textContent())!.replace('Return ', '');
  await expect(customer.getByTestId('portal-return-lines').getByText('The lid is cracked')).toBeVisible();
  // A photo of the damage: a 1×1 PNG.
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4DwAAAQEABRjYTgAAAABJRU5ErkJggg==', 'base64');
  await customer.locator('input[type="file"]').setInputFiles({ name: 'lid.png', mimeType: 'image/png', buffer: png });
  await expect(customer.getByTestId('return-photos').getByRole('img')).toHaveCount(1);
  await shot(customer, 'portal-return-requested');

  // Staff, in their session: approve, receive into stock, refund.
  await page.goto('/app/returns');
  await page.getByRole('cell', { name: number }).click();
  await page.waitForURL(`**/app/returns/${returnId}`);
  await expect(page.getByTestId('return-photos').getByRole('img')).toHaveCount(1);
  await page.getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByTestId('return-status')).toHaveText('Approved');
  await page.getByRole('button', { name: 'Receive goods' }).click();
  const receive = page.getByRole('dialog');
  await receive.getByRole('combobox', { name: 'Warehouse' }).click();
  await page.getByRole('option', { name: 'MAIN · Main' }).click();
  await receive.getByRole('button', { name: 'Receive goods' }).click();
  await expect(page.getByTestId('return-status')).toHaveText('Received');
  await expect(page.getByRole('cell', { name: 'Restock (available again)' })).toBeVisible();
  await page.getByRole('button', { name: 'Refund with a credit note' }).click();
  await expect(page.getByTestId('return-status')).toHaveText('Refunded');
  await shot(page, 'staff-return-refunded');
  // The unit is back on hand and available: 10 received − 3 shipped + 1 returned.
  const stock = await (await page.request.get(`/api/v1/stock?product_id=${product.id}`)).json();
  expect(stock.items[0].available).toBe(8);

  // The customer sees the refund, the credit note's line and the new balance.
  await customer.reload();
  await expect(customer.getByTestId('portal-return-status')).toHaveText('Refunded');
  await expect(customer.getByTestId('portal-return-timeline').locator('[data-reached="true"]')).toHaveCount(4);
  await customer.getByTestId('portal-return-credit-note').click();
  await customer.waitForURL(`**/portal/${slug}/credit-notes/*`);
  await expect(customer.getByTestId('portal-credit-note-lines').getByRole('cell', { name: /RT-1/ })).toBeVisible();
  await expect(customer.getByTestId('portal-credit-note-total')).toContainText('40.00');
  await expect(customer.getByTestId('portal-credit-note-balance')).toContainText('80.00');
  await expect(customer.getByRole('link', { name: invoice.number })).toBeVisible();
  await shot(customer, 'portal-credit-note');
  await customer.getByRole('link', { name: invoice.number }).click();
  await expect(customer.getByTestId('portal-invoice-balance')).toContainText('80.00');

  // The return list shows it; the order has nothing more to return than the two left.
  await customer.getByRole('navigation', { name: 'Your account' }).getByRole('link', { name: 'Returns' }).click();
  await expect(customer.getByTestId('portal-returns').getByRole('link', { name: number })).toBeVisible();
  const returnable = await (await customer.request.get(`/api/v1/orders/${order.id}/returnable`)).json();
  expect(returnable.items[0].returnable_qty).toBe(2);
});
