import { expect, test } from '@playwright/test';
import { mailLink, password, shot, signup, unique } from './helpers';

// Returns (P4, E8, F6): a customer opens a delivered, invoiced order in the
// portal and asks to return two units, with a photo; staff, in their own
// session, approve it, receive the one unit that came back into stock and
// refund it; the customer then sees requested against received, the return
// refunded for the one unit, the credit note with its line and the
// invoice's balance reduced by it. A second journey has staff enter a
// return from the order page and receive part of it into quarantine.

test('a customer returns delivered units, one arrives, and the customer sees it credited and the invoice balance reduced', async ({ page, browser }) => {
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

  // Request a return of two units: a reason is required.
  await customer.getByTestId('portal-request-return').click();
  const dialog = customer.getByRole('dialog');
  await expect(dialog.getByText('3 units can be returned')).toBeVisible();
  await dialog.getByRole('textbox', { name: 'Quantity' }).fill('2');
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

  // Staff, in their session: approve, receive the one unit that came back into stock, refund.
  await page.goto('/app/returns');
  await page.getByRole('cell', { name: number }).click();
  await page.waitForURL(`**/app/returns/${returnId}`);
  await expect(page.getByTestId('return-photos').getByRole('img')).toHaveCount(1);
  await page.getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByTestId('return-status')).toHaveText('Approved');
  await page.getByRole('button', { name: 'Receive goods' }).click();
  const receive = page.getByRole('dialog');
  await expect(receive.getByRole('textbox', { name: 'Received', exact: true })).toHaveValue('2');
  await receive.getByRole('textbox', { name: 'Received', exact: true }).fill('1');
  await receive.getByRole('combobox', { name: 'Warehouse' }).click();
  await page.getByRole('option', { name: 'MAIN · Main' }).click();
  await receive.getByRole('button', { name: 'Receive goods' }).click();
  await expect(page.getByTestId('return-status')).toHaveText('Received');
  await expect(page.getByRole('cell', { name: 'Restock (available again)' })).toBeVisible();
  await expect(page.getByTestId('return-line').getByTestId('return-line-received')).toHaveText('1');
  await expect(page.getByTestId('return-line')).toContainText('1 missing');
  await page.getByRole('button', { name: 'Refund with a credit note' }).click();
  await expect(page.getByTestId('return-status')).toHaveText('Refunded');
  await shot(page, 'staff-return-refunded');
  // The unit is back on hand and available: 10 received − 3 shipped + 1 returned.
  const stock = await (await page.request.get(`/api/v1/stock?product_id=${product.id}`)).json();
  expect(stock.items[0].available).toBe(8);

  // The customer sees requested against received, the refund of the one
  // unit, the credit note's line and the new balance.
  await customer.reload();
  await expect(customer.getByTestId('portal-return-status')).toHaveText('Refunded');
  await expect(customer.getByTestId('portal-return-received')).toContainText('1');
  await expect(customer.getByTestId('portal-return-received')).toContainText('1 did not arrive');
  await expect(customer.getByTestId('portal-return-partial')).toBeVisible();
  await shot(customer, 'portal-return-partial');
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

  // The return list shows it; the unit that never arrived is returnable again: two are left.
  await customer.getByRole('navigation', { name: 'Your account' }).getByRole('link', { name: 'Returns' }).click();
  await expect(customer.getByTestId('portal-returns').getByRole('link', { name: number })).toBeVisible();
  const returnable = await (await customer.request.get(`/api/v1/orders/${order.id}/returnable`)).json();
  expect(returnable.items[0].returnable_qty).toBe(2);
});

// Staff take a customer's call: from the delivered order's page they enter
// a return of two units, approve it, and only one comes back, damaged, into
// quarantine. The stock and what is left to return follow the one unit.
test('staff enter a return from the order page and receive part of it into quarantine', async ({ page }) => {
  test.setTimeout(90_000);
  const slug = unique('srets');
  await signup(page, 'Staff Returns S.L.', slug, 'Sam Owner', `sam@${slug}.example.com`);
  const csrf = (await (await page.request.get('/api/v1/me')).json()).csrf_token as string;
  const call = async (path: string, data: object, status = 201) => {
    const r = await page.request.post(path, { headers: { 'X-CSRF-Token': csrf }, data });
    expect(r.status(), `${path}: ${await r.text()}`).toBe(status);
    return (await r.json()) as { id: string; number: string };
  };
  const product = await call('/api/v1/products', { sku: 'ST-1', name: 'Toaster', type: 'stocked', list_price_minor: 2500, currency: 'EUR' });
  const warehouse = await call('/api/v1/warehouses', { code: 'MAIN', name: 'Main' });
  await call('/api/v1/stock-moves', { kind: 'receipt', product_id: product.id, warehouse_id: warehouse.id, quantity: 10 });
  const acme = await call('/api/v1/accounts', { name: 'Phone Buyer' });
  const order = await call('/api/v1/orders', { account_id: acme.id, lines: [{ product_id: product.id, quantity: 3 }] });
  await call(`/api/v1/orders/${order.id}/confirm`, {}, 200);
  const shipment = await call('/api/v1/shipments', { order_id: order.id });
  for (const step of ['pack', 'ship', 'deliver']) await call(`/api/v1/shipments/${shipment.id}/${step}`, {}, 200);

  // The order page offers a new return of what shipped: a reason is required.
  await page.goto(`/app/orders/${order.id}`);
  await page.getByTestId('new-return').click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByText('Shipped 3 · delivered 3 · already returned 0 · 3 can be returned')).toBeVisible();
  await dialog.getByRole('button', { name: 'Create return' }).click();
  await expect(dialog.getByTestId('new-return-empty')).toBeVisible();
  await dialog.getByRole('textbox', { name: 'Units to return' }).fill('2');
  await dialog.getByRole('button', { name: 'Create return' }).click();
  await expect(dialog.getByText('Choose a reason')).toBeVisible();
  await dialog.getByRole('combobox', { name: 'Reason' }).click();
  await page.getByRole('option', { name: 'Damaged' }).click();
  await dialog.getByTestId('new-return-comment').fill('Customer called: two arrived broken');
  await dialog.getByRole('button', { name: 'Create return' }).click();
  await page.waitForURL(/\/app\/returns\/[0-9a-f-]{36}$/);
  const returnId = page.url().split('/').pop()!;
  await expect(page.getByTestId('return-status')).toHaveText('Requested');
  await expect(page.getByText('Customer called: two arrived broken')).toBeVisible();

  // Approve; receive one of the two into quarantine. Nothing at all needs a tick first.
  await page.getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByTestId('return-status')).toHaveText('Approved');
  await page.getByRole('button', { name: 'Receive goods' }).click();
  const receive = page.getByRole('dialog');
  const qty = receive.getByRole('textbox', { name: 'Received', exact: true });
  await qty.fill('0');
  await expect(receive.getByTestId('return-receive-nothing')).toBeVisible();
  await receive.getByRole('button', { name: 'Receive goods' }).click();
  await expect(receive.getByText('Tick this to receive nothing')).toBeVisible();
  await qty.fill('1');
  await expect(receive.getByTestId('return-receive-nothing')).toBeHidden();
  await receive.getByTestId('return-receive-condition-0').click();
  await page.getByRole('option', { name: 'Quarantine (not available)' }).click();
  await receive.getByRole('combobox', { name: 'Warehouse' }).click();
  await page.getByRole('option', { name: 'MAIN · Main' }).click();
  await receive.getByRole('button', { name: 'Receive goods' }).click();
  await expect(page.getByTestId('return-status')).toHaveText('Received');
  await expect(page.getByRole('cell', { name: 'Quarantine (not available)' })).toBeVisible();
  await expect(page.getByTestId('return-line-received')).toHaveText('1');
  await expect(page.getByTestId('return-line')).toContainText('1 missing');
  await shot(page, 'staff-return-partial');

  // One unit on hand again, in quarantine (not available); one return stock
  // move of one unit; the unit that never came is returnable again.
  const stock = await (await page.request.get(`/api/v1/stock?product_id=${product.id}`)).json();
  expect(stock.items[0].on_hand).toBe(8);
  expect(stock.items[0].available).toBe(7);
  const moves = await (await page.request.get(`/api/v1/stock-moves?ref_type=return&ref_id=${returnId}`)).json();
  expect(moves.items.map((m: { on_hand_delta: number }) => m.on_hand_delta)).toEqual([1]);
  const returnable = await (await page.request.get(`/api/v1/orders/${order.id}/returnable`)).json();
  expect(returnable.items[0].returnable_qty).toBe(2);
  // The order page lists the return.
  await page.goto(`/app/orders/${order.id}`);
  await expect(page.getByRole('cell', { name: 'Received' })).toBeVisible();
});
