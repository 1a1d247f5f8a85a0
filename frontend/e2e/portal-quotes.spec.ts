import { expect, test } from '@playwright/test';
import { mailLink, password, shot, signup, unique } from './helpers';

// Portal quotes (P5): staff send quotes to two customer accounts; a contact
// of the first signs in to the portal, sees only their account's sent
// quotes, accepts one (which becomes an order in their orders list) and
// declines another with a reason.

test('a customer sees only their quotes in the portal, accepts one into an order and declines another', async ({ page, browser }) => {
  test.setTimeout(120_000);
  const slug = unique('pquotes');
  await signup(page, 'Quote Works S.L.', slug, 'Olga Owner', `olga@${slug}.example.com`);

  // Staff setup through the API: two accounts, three sent quotes and a draft.
  const csrf = (await (await page.request.get('/api/v1/me')).json()).csrf_token as string;
  const call = async (path: string, data: object, status = 201) => {
    const r = await page.request.post(path, { headers: { 'X-CSRF-Token': csrf }, data });
    expect(r.status(), `${path}: ${await r.text()}`).toBe(status);
    return (await r.json()) as { id: string; number: string; total_minor: number };
  };
  const product = await call('/api/v1/products', { sku: 'PQ-1', name: 'Valve', type: 'stocked', list_price_minor: 2500, currency: 'EUR' });
  const acme = await call('/api/v1/accounts', { name: 'Acme Buyer', email: `buy@acme-${slug}.example.com` });
  const beta = await call('/api/v1/accounts', { name: 'Beta Buyer', email: `buy@beta-${slug}.example.com` });
  const quote = async (account: string, quantity: number, notes = '') => {
    const q = await call('/api/v1/quotes', { account_id: account, notes, lines: [{ product_id: product.id, quantity, discount_bp: 1000 }] });
    return { ...q, ...(await call(`/api/v1/quotes/${q.id}/send`, {}, 200)) };
  };
  const toAccept = await quote(acme.id, 4, 'Delivered on one pallet.');
  const toDecline = await quote(acme.id, 2);
  const betaQuote = await quote(beta.id, 9);
  const draft = await call('/api/v1/quotes', { account_id: acme.id, lines: [{ product_id: product.id, quantity: 1 }] });
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

  // Their quotes: the two sent to Acme, not Beta's, not the draft.
  await customer.getByRole('navigation', { name: 'Your account' }).getByRole('link', { name: 'Quotes' }).click();
  await customer.waitForURL(`**/portal/${slug}/quotes`);
  const list = customer.getByTestId('portal-quotes');
  await expect(list.getByRole('link', { name: toAccept.number })).toBeVisible();
  await expect(list.getByRole('link', { name: toDecline.number })).toBeVisible();
  await expect(list.getByText(betaQuote.number)).toHaveCount(0);
  await expect(list.getByRole('row')).toHaveCount(3); // the header and two quotes
  for (const id of [betaQuote.id, draft.id]) expect((await customer.request.get(`/api/v1/quotes/${id}`)).status()).toBe(404);

  // The quote as sent: lines, totals, validity, notes; the PDF downloads.
  await list.getByRole('link', { name: toAccept.number }).click();
  await customer.waitForURL(`**/portal/${slug}/quotes/${toAccept.id}`);
  await expect(customer.getByRole('heading', { name: `Quote ${toAccept.number}` })).toBeVisible();
  await expect(customer.getByTestId('portal-quote-status')).toHaveText('Sent');
  const lines = customer.getByTestId('portal-quote-lines');
  await expect(lines.getByRole('cell', { name: /PQ-1/ })).toBeVisible();
  await expect(lines.getByRole('cell', { name: '10%' })).toBeVisible();
  await expect(customer.getByTestId('portal-quote-notes')).toHaveText('Delivered on one pallet.');
  const pdfHref = await customer.getByRole('link', { name: 'Download PDF' }).getAttribute('href');
  const pdf = await customer.request.get(pdfHref!);
  expect(pdf.status()).toBe(200);
  expect(pdf.headers()['content-type']).toContain('application/pdf');

  // Accepting asks first, then shows the order it became.
  await customer.getByRole('button', { name: 'Accept', exact: true }).click();
  const acceptDialog = customer.getByRole('dialog', { name: `Accept quote ${toAccept.number}` });
  await acceptDialog.getByRole('button', { name: 'Accept and place the order' }).click();
  const created = customer.getByTestId('portal-order-created');
  await expect(created).toContainText(/Order \S+ created/);
  await expect(customer.getByTestId('portal-quote-status')).toHaveText('Accepted');
  await expect(customer.getByRole('button', { name: 'Accept', exact: true })).toHaveCount(0);
  const orderNumber = /Order (\S+) created/.exec((await created.textContent()) ?? '')![1]!;
  await shot(customer, 'portal-quote');
  await created.getByRole('link', { name: 'See your orders' }).click();
  await expect(customer.getByTestId('portal-orders').getByRole('cell', { name: orderNumber })).toBeVisible();

  // Declining needs a reason.
  await customer.getByRole('navigation', { name: 'Your account' }).getByRole('link', { name: 'Quotes' }).click();
  await customer.getByTestId('portal-quotes').getByRole('link', { name: toDecline.number }).click();
  await customer.getByRole('button', { name: 'Decline', exact: true }).click();
  const declineDialog = customer.getByRole('dialog', { name: `Decline quote ${toDecline.number}` });
  await declineDialog.getByRole('button', { name: 'Decline the quote' }).click();
  await expect(declineDialog.getByText('Required')).toBeVisible();
  await declineDialog.getByRole('textbox', { name: 'Reason' }).fill('Found it cheaper elsewhere');
  await declineDialog.getByRole('button', { name: 'Decline the quote' }).click();
  await expect(declineDialog).toHaveCount(0);
  await expect(customer.getByTestId('portal-quote-status')).toHaveText('Declined');
  await expect(customer.getByTestId('portal-quote-standing')).toContainText('Found it cheaper elsewhere');

  // Staff see both answers.
  const staffView = async (id: string) => (await (await page.request.get(`/api/v1/quotes/${id}`)).json()) as { status: string; decline_reason: string; order_id: string | null };
  expect(await staffView(toAccept.id)).toMatchObject({ status: 'accepted' });
  expect((await staffView(toAccept.id)).order_id).toBeTruthy();
  expect(await staffView(toDecline.id)).toMatchObject({ status: 'declined', decline_reason: 'Found it cheaper elsewhere' });
  expect(await staffView(betaQuote.id)).toMatchObject({ status: 'sent' });
});
