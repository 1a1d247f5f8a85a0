import { expect, test } from '@playwright/test';
import { mailLink, password, shot, signup, unique } from './helpers';

// Support tickets (P6, C6): a customer opens a ticket about their order from
// the portal's order page; support sees it in the queue, replies publicly
// and adds an internal note; the customer reads the reply but never the
// note, and replies; support resolves it and the customer sees that.

test('a customer opens a ticket about an order, support answers with a note the customer never sees, and resolves it', async ({ page, browser }) => {
  test.setTimeout(120_000);
  const slug = unique('ptix');
  await signup(page, 'Ticket Works S.L.', slug, 'Olga Owner', `olga@${slug}.example.com`);

  // Staff setup through the API: a confirmed order of Acme's, and Acme's contact invited to the portal.
  const csrf = (await (await page.request.get('/api/v1/me')).json()).csrf_token as string;
  const call = async (path: string, data: object, status = 201) => {
    const r = await page.request.post(path, { headers: { 'X-CSRF-Token': csrf }, data });
    expect(r.status(), `${path}: ${await r.text()}`).toBe(status);
    return (await r.json()) as { id: string; number: string };
  };
  const product = await call('/api/v1/products', { sku: 'TK-CHAIR', name: 'Office chair', type: 'stocked', list_price_minor: 9000, currency: 'EUR' });
  const warehouse = await call('/api/v1/warehouses', { code: 'MAIN', name: 'Main' });
  await call('/api/v1/stock-moves', { kind: 'receipt', product_id: product.id, warehouse_id: warehouse.id, quantity: 10 });
  const acme = await call('/api/v1/accounts', { name: 'Acme Buyer', email: `buy@acme-${slug}.example.com` });
  const order = await call('/api/v1/orders', { account_id: acme.id, lines: [{ product_id: product.id, quantity: 4 }] });
  await call(`/api/v1/orders/${order.id}/confirm`, {}, 200);
  const email = `ana@acme-${slug}.example.com`;
  const contact = await call('/api/v1/contacts', { account_id: acme.id, first_name: 'Ana', last_name: 'Buyer', email });
  await call(`/api/v1/contacts/${contact.id}/portal-invite`, {});

  const link = await mailLink(page.request, email, `/portal/${slug}/accept-invite`);
  const customer = await (await browser.newContext()).newPage();
  await customer.goto(link);
  await customer.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
  await customer.getByRole('textbox', { name: 'Repeat the password' }).fill(password);
  await customer.getByRole('button', { name: 'Set password and sign in' }).click();
  await customer.waitForURL(`**/portal/${slug}/home`);

  // From the order's page, a ticket about that order.
  await customer.goto(`/portal/${slug}/orders/${order.id}`);
  await customer.getByTestId('portal-order-ticket').click();
  await customer.waitForURL(`**/portal/${slug}/tickets/new?order=${order.id}`);
  await expect(customer.getByRole('combobox', { name: 'About an order (optional)' })).toHaveValue(order.number);
  await customer.getByRole('button', { name: 'Send ticket' }).click();
  await expect(customer.getByText('Required').first()).toBeVisible(); // subject and message first
  await customer.getByRole('textbox', { name: 'Subject' }).fill('Two chairs arrived scratched');
  await customer.getByRole('textbox', { name: 'Message' }).fill('Two of the four chairs have deep scratches on the base.');
  await customer.getByRole('combobox', { name: 'Product (optional)' }).click();
  await customer.getByRole('option', { name: /TK-CHAIR/ }).click();
  await customer.getByRole('button', { name: 'Send ticket' }).click();
  await customer.waitForURL(new RegExp(`/portal/${slug}/tickets/[0-9a-f-]{36}$`));
  const ticketURL = customer.url();
  await expect(customer.getByRole('heading', { name: 'Two chairs arrived scratched' })).toBeVisible();
  await expect(customer.getByTestId('portal-ticket-status')).toHaveText('Open');
  await expect(customer.getByRole('link', { name: order.number })).toBeVisible();

  // Support: the ticket is in the queue, due in 24 hours (normal priority).
  await page.getByRole('link', { name: 'Support' }).first().click();
  await page.waitForURL('**/app/tickets');
  const queue = page.getByTestId('ticket-queue');
  const row = queue.getByRole('row', { name: /Two chairs arrived scratched/ });
  await expect(row).toContainText('Acme Buyer');
  await expect(row).toContainText('Normal');
  await expect(row).toContainText(/Due in (23 h|1 d)/);
  await expect(page.getByTestId('tickets-open')).toHaveText('1');
  await row.click();
  await page.waitForURL(/\/app\/tickets\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('link', { name: order.number })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Office chair' })).toBeVisible();

  // A public reply, then an internal note.
  const box = page.getByRole('textbox', { name: 'Reply or note' });
  await box.fill('Sorry about that! Two new chairs leave tomorrow.');
  await page.getByRole('button', { name: 'Send reply to customer' }).click();
  await expect(page.getByTestId('ticket-status')).toHaveText('Waiting on customer');
  await box.fill('Carrier damaged the pallet; claim filed with Swift Freight.');
  await page.getByRole('button', { name: 'Add internal note' }).click();
  await expect(page.getByTestId('ticket-note')).toContainText('claim filed with Swift Freight');
  await expect(page.getByTestId('ticket-message')).toHaveCount(2);
  await shot(page, 'ticket-staff');

  // The customer reads the reply, not the note, and answers.
  await customer.goto(ticketURL);
  const thread = customer.getByTestId('portal-ticket-thread');
  await expect(thread).toContainText('Two new chairs leave tomorrow.');
  await expect(customer.getByTestId('portal-ticket-status')).toHaveText('Awaiting your reply');
  await expect(customer.getByText('Carrier damaged the pallet')).toHaveCount(0);
  await expect(customer.getByText('Swift Freight')).toHaveCount(0);
  await customer.getByRole('textbox', { name: 'Your reply' }).fill('Thank you, the other two are fine.');
  await customer.getByRole('button', { name: 'Send reply' }).click();
  await expect(thread.getByTestId('portal-ticket-message')).toHaveCount(3);
  await expect(customer.getByTestId('portal-ticket-status')).toHaveText('Open');
  await shot(customer, 'ticket-portal');

  // A support agent, who cannot list users, hands the ticket to Olga with
  // the assignee picker: it offers only who can handle tickets.
  const agentEmail = `sue@${slug}.example.com`;
  await call('/api/v1/invites', { email: agentEmail, name: 'Sue Support', roles: ['support'] });
  const agent = await (await browser.newContext()).newPage();
  await agent.goto(await mailLink(page.request, agentEmail, '/accept-invite'));
  await agent.getByRole('textbox', { name: 'Choose a password', exact: true }).fill(password);
  await agent.getByRole('button', { name: 'Join' }).click();
  await agent.waitForURL('**/app');
  expect((await agent.request.get('/api/v1/users')).status()).toBe(403);
  await agent.goto(new URL(page.url()).pathname);
  const picker = agent.getByTestId('ticket-assignee-select');
  await expect(picker).toHaveAttribute('placeholder', 'Unassigned');
  await picker.click();
  await expect(agent.getByRole('option', { name: 'Sue Support' })).toBeVisible();
  await expect(agent.getByRole('option')).toHaveCount(2);
  await agent.getByRole('option', { name: 'Olga Owner' }).click();
  await expect(picker).toHaveValue('Olga Owner');
  await agent.reload();
  await expect(agent.getByTestId('ticket-assignee-select')).toHaveValue('Olga Owner');

  // Support sees the answer and resolves the ticket.
  await page.reload();
  await expect(page.getByTestId('ticket-thread')).toContainText('the other two are fine');
  await expect(page.getByTestId('ticket-status')).toHaveText('Open');
  await page.getByRole('combobox', { name: 'Status' }).click();
  await page.getByRole('option', { name: 'Resolved' }).click();
  await expect(page.getByTestId('ticket-status')).toHaveText('Resolved');

  await customer.reload();
  await expect(customer.getByTestId('portal-ticket-status')).toHaveText('Resolved');
  await customer.getByRole('navigation', { name: 'Your account' }).getByRole('link', { name: 'Support' }).click();
  await expect(customer.getByTestId('portal-tickets').getByRole('row', { name: /Two chairs arrived scratched/ })).toContainText('Resolved');
});
