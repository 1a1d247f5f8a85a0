import { expect, test } from '@playwright/test';
import { mailLink, password, shot, signup, unique } from './helpers';

// Portal documents (P2 tracking, P3 read): staff ship and invoice an order
// for each of two customer accounts; a contact of the first signs in to the
// portal, sees their invoice (and downloads its PDF) and their shipment's
// carrier tracking link, and nothing of the other account's.

test('a customer sees their own invoices and shipment tracking in the portal, not another account’s', async ({ page, browser }) => {
  test.setTimeout(120_000);
  const slug = unique('pdocs');
  await signup(page, 'Docs Works S.L.', slug, 'Olga Owner', `olga@${slug}.example.com`);

  // Staff setup through the API: stock, and for each account an order shipped with tracking and invoiced.
  const csrf = (await (await page.request.get('/api/v1/me')).json()).csrf_token as string;
  const send = async (method: 'post' | 'patch', path: string, data: object, status: number) => {
    const r = await page.request[method](path, { headers: { 'X-CSRF-Token': csrf }, data });
    expect(r.status(), `${path}: ${await r.text()}`).toBe(status);
    return (await r.json()) as { id: string; number: string };
  };
  const call = (path: string, data: object, status = 201) => send('post', path, data, status);
  const product = await call('/api/v1/products', { sku: 'PD-1', name: 'Gear', type: 'stocked', list_price_minor: 4000, currency: 'EUR' });
  const warehouse = await call('/api/v1/warehouses', { code: 'MAIN', name: 'Main' });
  await call('/api/v1/stock-moves', { kind: 'receipt', product_id: product.id, warehouse_id: warehouse.id, quantity: 10 });
  const shippedAndInvoiced = async (account: string, qty: number, tracking: string) => {
    const order = await call('/api/v1/orders', { account_id: account, lines: [{ product_id: product.id, quantity: qty }] });
    await call(`/api/v1/orders/${order.id}/confirm`, {}, 200);
    const shipment = await call('/api/v1/shipments', { order_id: order.id });
    await send('patch', `/api/v1/shipments/${shipment.id}`, { carrier: 'Swift Freight', tracking_number: tracking, tracking_url: `https://track.example.com/${tracking}` }, 200);
    await call(`/api/v1/shipments/${shipment.id}/pack`, {}, 200);
    await call(`/api/v1/shipments/${shipment.id}/ship`, {}, 200);
    const invoice = await call('/api/v1/invoices', { order_id: order.id });
    return { order, shipment, invoice };
  };
  const acme = await call('/api/v1/accounts', { name: 'Acme Buyer', email: `buy@acme-${slug}.example.com` });
  const beta = await call('/api/v1/accounts', { name: 'Beta Buyer', email: `buy@beta-${slug}.example.com` });
  const a = await shippedAndInvoiced(acme.id, 3, 'SF-ACME-1');
  const b = await shippedAndInvoiced(beta.id, 2, 'SF-BETA-1');
  const email = `ana@acme-${slug}.example.com`;
  const contact = await call('/api/v1/contacts', { account_id: acme.id, first_name: 'Ana', last_name: 'Buyer', email });
  await call(`/api/v1/contacts/${contact.id}/portal-invite`, {});

  // The customer accepts the invitation and is signed in.
  const link = await mailLink(page.request, email, `/portal/${slug}/accept-invite`);
  const customer = await (await browser.newContext()).newPage();
  await customer.goto(link);
  await customer.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
  await customer.getByRole('textbox', { name: 'Repeat the password' }).fill(password);
  await customer.getByRole('button', { name: 'Set password and sign in' }).click();
  await customer.waitForURL(`**/portal/${slug}/home`);

  // The start page: their shipment with the carrier's tracking link, not Beta's.
  const shipments = customer.getByTestId('portal-shipments');
  await expect(shipments.getByRole('cell', { name: a.shipment.number })).toBeVisible();
  await expect(shipments.getByRole('cell', { name: a.order.number })).toBeVisible();
  const track = shipments.getByRole('link', { name: /SF-ACME-1/ });
  await expect(track).toHaveAttribute('href', 'https://track.example.com/SF-ACME-1');
  await expect(shipments.getByText('SF-BETA-1')).toHaveCount(0);
  await expect(shipments.getByText(b.shipment.number)).toHaveCount(0);
  await shot(customer, 'portal-shipments');

  // The order list: search and status filter narrow it; the order opens from its number.
  const orders = customer.getByTestId('portal-orders');
  await expect(orders.getByRole('link', { name: a.order.number })).toBeVisible();
  await expect(orders.getByText(b.order.number)).toHaveCount(0);
  await customer.getByRole('textbox', { name: 'Search by order number' }).fill('no-such-order');
  await expect(customer.getByText('No orders match your search.')).toBeVisible();
  await customer.getByRole('textbox', { name: 'Search by order number' }).fill(a.order.number);
  await expect(orders.getByRole('link', { name: a.order.number })).toBeVisible();
  await customer.getByRole('combobox', { name: 'Status' }).click();
  await customer.getByRole('option', { name: 'Cancelled' }).click();
  await expect(customer.getByText('No orders match your search.')).toBeVisible();
  await customer.getByRole('combobox', { name: 'Status' }).click();
  await customer.getByRole('option', { name: 'Cancelled' }).click(); // choosing it again clears it
  await orders.getByRole('link', { name: a.order.number }).click();
  await customer.waitForURL(`**/portal/${slug}/orders/${a.order.id}`);
  await expect(customer.getByRole('heading', { name: `Order ${a.order.number}` })).toBeVisible();
  await expect(customer.getByTestId('portal-order-lines').getByRole('cell', { name: /PD-1/ })).toBeVisible();
  // The timeline: confirmed and shipped are dated, delivery is still to come.
  for (const step of ['confirmed', 'shipped']) {
    await expect(customer.getByTestId(`portal-order-step-${step}`)).toHaveAttribute('data-reached', 'true');
  }
  await expect(customer.getByTestId('portal-order-step-shipped')).toContainText('Shipped');
  await expect(customer.getByTestId('portal-order-step-delivered')).toHaveAttribute('data-reached', 'false');
  await expect(customer.getByTestId('portal-shipments').getByRole('link', { name: /SF-ACME-1/ })).toHaveAttribute('href', 'https://track.example.com/SF-ACME-1');
  await expect(customer.getByTestId('portal-order-invoices').getByRole('link', { name: new RegExp(a.invoice.number) })).toBeVisible();
  await shot(customer, 'portal-order');
  // Another account's order is not there, by API or by page.
  expect((await customer.request.get(`/api/v1/orders/${b.order.id}`)).status()).toBe(404);
  expect((await customer.request.get(`/api/v1/orders/${b.order.id}/history`)).status()).toBe(404);
  await customer.goto(`/portal/${slug}/orders/${b.order.id}`);
  await expect(customer.getByText('This order does not exist or is not yours.')).toBeVisible();
  await customer.goto(`/portal/${slug}/home`);

  // Their invoices: Acme's only.
  await customer.getByRole('navigation', { name: 'Your account' }).getByRole('link', { name: 'Invoices' }).click();
  await customer.waitForURL(`**/portal/${slug}/invoices`);
  const list = customer.getByTestId('portal-invoices');
  await expect(list.getByRole('link', { name: a.invoice.number })).toBeVisible();
  await expect(list.getByText(b.invoice.number)).toHaveCount(0);
  await expect(list.getByRole('row')).toHaveCount(2); // the header and one invoice
  for (const path of [`/api/v1/invoices/${b.invoice.id}`, `/api/v1/invoices/${b.invoice.id}/pdf`, `/api/v1/shipments/${b.shipment.id}`]) {
    expect((await customer.request.get(path)).status(), path).toBe(404);
  }

  // The invoice: status, balance, lines; the PDF downloads.
  await list.getByRole('link', { name: a.invoice.number }).click();
  await customer.waitForURL(`**/portal/${slug}/invoices/${a.invoice.id}`);
  await expect(customer.getByRole('heading', { name: `Invoice ${a.invoice.number}` })).toBeVisible();
  await expect(customer.getByTestId('portal-invoice-status')).toHaveText('Issued');
  await expect(customer.getByTestId('portal-invoice-balance')).toContainText(/\d/);
  await expect(customer.getByTestId('portal-invoice-lines').getByRole('cell', { name: /PD-1/ })).toBeVisible();
  const pdfHref = await customer.getByRole('link', { name: 'Download PDF' }).getAttribute('href');
  const pdf = await customer.request.get(pdfHref!);
  expect(pdf.status()).toBe(200);
  expect(pdf.headers()['content-type']).toContain('application/pdf');
  await shot(customer, 'portal-invoice');
});
