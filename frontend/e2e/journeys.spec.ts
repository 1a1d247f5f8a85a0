import { expect, test, type Browser, type Page } from '@playwright/test';
import { mailLink, password, shot, signup, totp, unique } from './helpers';

// One tenant per file run: the owner signs up in the browser, and later
// journeys build on it (invite, API key, settings, portal).
test.describe.configure({ mode: 'serial' });

const slug = unique('acme');
const owner = { name: 'Ana Owner', email: `ana@${slug}.example.com` };
const salesEmail = `sam@${slug}.example.com`;
let ownerPage: Page;

async function freshPage(browser: Browser): Promise<Page> {
  const ctx = await browser.newContext();
  return ctx.newPage();
}

test('signup lands on a friendly first-run dashboard', async ({ browser }) => {
  ownerPage = await freshPage(browser);
  const page = ownerPage;
  await signup(page, 'Acme Metal S.L.', slug, owner.name, owner.email);
  await expect(page.getByRole('heading', { name: `Welcome, ${owner.name}` })).toBeVisible();
  const next = page.getByTestId('getting-started');
  await expect(next.getByRole('link', { name: 'Invite your team' })).toBeVisible();
  await expect(next.getByText('Add your products')).toBeVisible();
  await expect(next.getByText('Add your customers')).toBeVisible();
  await expect(next.getByRole('link', { name: 'Choose a plan' })).toBeVisible();
  await expect(page.getByTestId('tenant-name')).toHaveText('Acme Metal S.L.');
  await shot(page, '01-signup-dashboard');
});

test('an invited sales rep sees only their modules and the API refuses the rest', async ({ browser }) => {
  const page = ownerPage;
  await page.getByRole('link', { name: 'Users' }).click();
  await page.getByRole('button', { name: 'Invite user' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Email').fill(salesEmail);
  await dialog.getByLabel('Name').fill('Sam Sales');
  await dialog.getByLabel('Roles').click();
  await page.getByRole('option', { name: 'Sales', exact: true }).click();
  await page.keyboard.press('Escape');
  await dialog.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByRole('cell', { name: salesEmail })).toBeVisible();

  const link = await mailLink(page.request, salesEmail, '/accept-invite');
  const sam = await freshPage(browser);
  await sam.goto(link);
  await sam.getByRole('textbox', { name: 'Choose a password', exact: true }).fill(password);
  await sam.getByRole('button', { name: 'Join' }).click();
  await sam.waitForURL('**/app');
  await expect(sam.getByRole('heading', { name: 'Welcome, Sam Sales' })).toBeVisible();

  const nav = sam.getByRole('navigation', { name: 'Main navigation' });
  await expect(nav.getByRole('link', { name: 'Dashboard' })).toBeVisible();
  for (const hidden of ['Users', 'Roles', 'API keys', 'Audit log', 'Plan & billing']) {
    await expect(nav.getByRole('link', { name: hidden })).toHaveCount(0);
  }
  // Sales may read settings (currency, taxes) but not change them.
  await nav.getByRole('link', { name: 'Settings' }).click();
  await expect(sam.getByLabel('Company name')).toBeDisabled();
  await expect(sam.getByRole('button', { name: 'Save' })).toHaveCount(0);
  // Hidden is not the same as allowed: the server refuses the same calls.
  const statuses = await sam.evaluate(async () => {
    const out: Record<string, number> = {};
    for (const p of ['/api/v1/users', '/api/v1/audit-events', '/api/v1/billing', '/api/v1/api-keys']) out[p] = (await fetch(p)).status;
    return out;
  });
  expect(statuses).toEqual({ '/api/v1/users': 403, '/api/v1/audit-events': 403, '/api/v1/billing': 403, '/api/v1/api-keys': 403 });
  // Typing the address of a hidden screen does not help either.
  await sam.goto('/app/users');
  await expect(sam.getByRole('heading', { name: 'You do not have access to this page' })).toBeVisible();
  await sam.goto('/app');
  await shot(sam, '02-limited-user-dashboard');
  await sam.context().close();
});

test('an API key is shown once and works against the API', async () => {
  const page = ownerPage;
  await page.getByRole('link', { name: 'API keys' }).click();
  await page.getByRole('button', { name: 'Create API key' }).first().click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Name').fill('Warehouse scanner');
  await dialog.getByLabel('Role').click();
  await page.getByRole('option', { name: 'Viewer' }).click();
  await dialog.getByRole('button', { name: 'Create API key' }).click();
  const secret = (await dialog.getByTestId('api-key-secret').textContent())!.trim();
  expect(secret).toMatch(/^nexo_/);
  await expect(dialog.getByRole('button', { name: 'Copy' })).toBeVisible();
  await shot(page, '03-api-key-created');
  const me = await page.request.get('/api/v1/me', { headers: { Authorization: `Bearer ${secret}`, Cookie: '' } });
  expect(me.status()).toBe(200);
  expect((await me.json()).kind).toBe('api_key');
  await dialog.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByRole('cell', { name: 'Warehouse scanner', exact: true })).toBeVisible();
  // Revoked keys stop working at once.
  await page.getByRole('button', { name: 'Revoke Warehouse scanner' }).click();
  await expect(page.getByText('Revoked', { exact: true })).toBeVisible();
  const after = await page.request.get('/api/v1/me', { headers: { Authorization: `Bearer ${secret}`, Cookie: '' } });
  expect(after.status()).toBe(401);
});

test('the interface switches to Spanish and remembers it', async () => {
  const page = ownerPage;
  await page.goto('/app');
  await page.getByText('ES', { exact: true }).click();
  await expect(page.getByRole('heading', { name: `Hola, ${owner.name}` })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Usuarios' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('link', { name: 'Registro de auditoría', exact: true })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'es');
  await shot(page, '04-spanish-dashboard');
  // Money in the Spanish format: decimal comma, symbol after the amount.
  await page.getByRole('link', { name: 'Plan y facturación' }).click();
  await expect(page.getByText(/149,00\s€/)).toBeVisible();
  await shot(page, '04b-spanish-plans');
  await page.getByText('EN', { exact: true }).click();
  await expect(page.getByRole('link', { name: 'Users' })).toBeVisible();
});

test('portal branding set in settings shows on the portal login page', async ({ browser }) => {
  const page = ownerPage;
  await page.getByRole('link', { name: 'Settings' }).click();
  // Tax rates as percentages, stored as basis points.
  await page.getByRole('tab', { name: 'Tax rates' }).click();
  await page.getByRole('button', { name: 'Add tax rate' }).click();
  const taxDialog = page.getByRole('dialog');
  await taxDialog.getByLabel('Name').fill('IVA 21%');
  await taxDialog.getByLabel('Rate (%)').fill('21');
  await taxDialog.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('cell', { name: '21%', exact: true })).toBeVisible();
  // Document numbering shows the next invoice number.
  await page.getByRole('tab', { name: 'Numbering' }).click();
  await expect(page.getByRole('cell', { name: /^F\d{4}-000001$/ })).toBeVisible();
  await page.getByRole('tab', { name: 'Customer portal' }).click();
  await page.getByLabel('Portal name').fill('Acme Customer Hub');
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Upload logo' }).click();
  await (await chooser).setFiles({ name: 'logo.png', mimeType: 'image/png', buffer: logoPNG() });
  await expect(page.getByRole('img', { name: 'Current logo' })).toBeVisible();
  await page.getByLabel('Accent colour').fill('#0b7285');
  await page.getByLabel('Portal name').click(); // closes the colour picker
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Saved').first()).toBeVisible();

  const visitor = await freshPage(browser);
  await visitor.goto(`/portal/${slug}`);
  const brand = visitor.getByTestId('portal-brand');
  await expect(brand).toContainText('Acme Customer Hub');
  await expect(brand.getByRole('img', { name: 'Acme Customer Hub' })).toBeVisible();
  await expect(visitor.getByRole('heading', { name: 'Sign in to Acme Customer Hub' })).toBeVisible();
  await expect(visitor.getByLabel('Email')).toBeVisible();
  await shot(visitor, '05-portal-login-branding');
  await visitor.context().close();
});

test('password reset through the dev mailbox, then TOTP set up with the QR code', async ({ browser }) => {
  const page = await freshPage(browser);
  await page.goto('/login');
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await page.getByLabel('Email').fill(owner.email);
  await page.getByRole('button', { name: 'Email me a reset link' }).click();
  await expect(page.getByText('Check your email')).toBeVisible();
  const link = await mailLink(page.request, owner.email, '/reset-password');
  await page.goto(link);
  const newPassword = 'a-brand-new-password-2026';
  await page.getByRole('textbox', { name: 'New password', exact: true }).fill(newPassword);
  await page.getByRole('textbox', { name: 'Repeat the password', exact: true }).fill(newPassword);
  await page.getByRole('button', { name: 'Set password' }).click();
  await page.getByRole('link', { name: 'Log in' }).click();
  await page.getByLabel('Email').fill(owner.email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(newPassword);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL('**/app');

  await page.goto('/app/security');
  await page.getByRole('button', { name: 'Set up' }).click();
  await expect(page.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible();
  const secret = (await page.getByTestId('totp-secret').textContent())!.trim();
  await page.locator('.mantine-PinInput-input').first().click();
  await page.keyboard.type(totp(secret));
  await page.getByRole('button', { name: 'Turn on' }).click();
  await expect(page.getByText('On', { exact: true })).toBeVisible();

  // Log out, and back in: now the code is asked for.
  await page.getByRole('button', { name: 'Account menu' }).click();
  await page.getByRole('menuitem', { name: 'Log out' }).click();
  await page.waitForURL(/\/login/);
  await page.getByLabel('Email').fill(owner.email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(newPassword);
  await page.getByRole('button', { name: 'Log in' }).click();
  const code = page.getByLabel('Authentication code');
  await expect(code).toBeVisible();
  // A code is single use: wait for the next 30 s step if the set-up used this one.
  await page.waitForTimeout(msToNextStep());
  await code.fill(totp(secret));
  await page.getByRole('button', { name: 'Log in' }).click();
  // Back where the session ended.
  await page.waitForURL('**/app/security');
  await expect(page.getByText('On', { exact: true })).toBeVisible();
  await shot(page, '06-login-with-totp');
  await page.context().close();
});

function msToNextStep(): number {
  return 30_000 - (Date.now() % 30_000) + 200;
}

/** logoPNG is a valid 16×16 PNG in the accent colour. */
function logoPNG(): Buffer {
  return Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAFklEQVR4nGPgLmolCTGMahjVMHw1AACwJgIQC/cFwQAAAABJRU5ErkJggg==',
    'base64',
  );
}
