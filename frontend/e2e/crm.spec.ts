import { expect, test, type Page } from '@playwright/test';
import { shot, signup, unique } from './helpers';

// The pipeline board (C3): a rep's opportunity is dragged from one stage
// to the next, which the server records, and then won from its card.

async function post(page: Page, path: string, data: unknown) {
  const csrf = (await (await page.request.get('/api/v1/me')).json()).csrf_token as string;
  const r = await page.request.post(path, { headers: { 'X-CSRF-Token': csrf }, data });
  expect(r.status(), await r.text()).toBe(201);
  return (await r.json()) as { id: string };
}

/** drag moves the pointer from one element to another in steps, as a hand would (dnd-kit needs the moves). */
async function drag(page: Page, from: string, to: string) {
  const a = await page.getByTestId(from).boundingBox();
  const b = await page.getByTestId(to).boundingBox();
  if (!a || !b) throw new Error('drag: element not visible');
  await page.mouse.move(a.x + a.width / 2, a.y + 12);
  await page.mouse.down();
  await page.mouse.move(a.x + a.width / 2 + 20, a.y + 20, { steps: 5 });
  await page.mouse.move(b.x + b.width / 2, b.y + 80, { steps: 15 });
  await page.mouse.up();
}

test('a rep drags an opportunity to the next stage and wins it', async ({ page }) => {
  const slug = unique('crm');
  await signup(page, 'Bombas Norte S.L.', slug, 'Olga Owner', `olga@${slug}.example.com`);
  const account = await post(page, '/api/v1/accounts', { name: 'Riegos del Ebro', currency: 'EUR' });
  const opp = await post(page, '/api/v1/opportunities', { name: 'Irrigation pumps', account_id: account.id, amount_minor: 1250000 });

  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Opportunities' }).click();
  const card = (stage: string) => page.getByTestId(`stage-${stage}`).getByTestId('opportunity-card-Irrigation pumps');
  await expect(card('Qualification')).toBeVisible();
  await expect(card('Qualification')).toContainText('Riegos del Ebro');

  await drag(page, 'opportunity-card-Irrigation pumps', 'stage-Proposal');
  await expect(card('Proposal')).toBeVisible();
  // The move is the server's, not only the board's.
  await page.reload();
  await expect(card('Proposal')).toBeVisible();
  await expect(card('Qualification')).toHaveCount(0);
  await shot(page, 'crm-01-board');

  await card('Proposal').getByRole('button', { name: 'Won' }).click();
  await expect(page.getByTestId('opportunity-card-Irrigation pumps')).toHaveCount(0);
  await page.goto(`/app/opportunities/${opp.id}`);
  await expect(page.getByRole('heading', { name: 'Irrigation pumps' })).toBeVisible();
  // The stage history: created in Qualification, dragged to Proposal, won.
  for (const stage of ['Qualification', 'Proposal']) await expect(page.getByText(stage, { exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Won' })).toHaveCount(0);
  await shot(page, 'crm-02-won');
});

test('customers go out as CSV and come back in, and an edit warns of a look-alike', async ({ page }) => {
  const slug = unique('crmcsv');
  await signup(page, 'Bombas Sur S.L.', slug, 'Olga Owner', `olga@${slug}.example.com`);
  await post(page, '/api/v1/accounts', { name: 'Riegos del Ebro', tax_id: 'B-11111111', credit_limit_minor: 4000000 });
  const other = await post(page, '/api/v1/accounts', { name: 'Huertas Lopez' });

  await page.goto('/app/accounts');
  await expect(page.getByRole('cell', { name: 'Riegos del Ebro' })).toBeVisible();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
  const exported = (await (await download.createReadStream()).toArray()).join('');
  expect(exported).toContain('40000.00,EUR');

  // The export with one more customer imports back: a dry run, then the import.
  await page.getByRole('button', { name: 'Import CSV' }).click();
  const dialog = page.getByRole('dialog');
  const file = exported + 'Viveros Ebro,,,,,,,,,,,,,,,,,,,,,,\n';
  await dialog.locator('input[type="file"]').setInputFiles({ name: 'accounts.csv', mimeType: 'text/csv', buffer: Buffer.from(file) });
  await dialog.getByRole('button', { name: 'Check (dry run)' }).click();
  await expect(dialog.getByText('3 rows are valid: 1 new, 2 updated.')).toBeVisible();
  await dialog.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.getByRole('cell', { name: 'Viveros Ebro' })).toBeVisible();
  await shot(page, 'crm-03-csv-imported');

  // Renaming a customer like another one warns before saving.
  await page.goto(`/app/accounts/${other.id}`);
  await page.getByRole('button', { name: 'Edit' }).click();
  await page.getByRole('dialog').getByLabel('Name').fill('RIEGOS DEL EBRO SL');
  await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('account-duplicates')).toContainText('Riegos del Ebro');
  await page.getByRole('button', { name: 'Save anyway' }).click();
  await expect(page.getByRole('heading', { name: 'RIEGOS DEL EBRO SL' })).toBeVisible();
});
