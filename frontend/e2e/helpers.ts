import { createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { APIRequestContext, Page } from '@playwright/test';

// Screenshots of each journey's last screen, kept as CI artifacts.
export const screenshotDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'artifacts', 'screenshots');

export async function shot(page: Page, name: string) {
  mkdirSync(screenshotDir, { recursive: true });
  const engine = process.env.NEXO_TEST_DATABASE_URL ? 'postgres' : 'sqlite';
  await page.screenshot({ path: join(screenshotDir, `${name}-${engine}.png`), fullPage: true });
}

export const password = 'e2e-password-2026!';

/** unique returns a slug-safe suffix so journeys never collide. */
export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
}

/** mailLink returns the first link of the newest email to addr in the dev mailbox. */
export async function mailLink(request: APIRequestContext, addr: string, contains: string): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const r = await request.get(`/dev/mailbox?to=${encodeURIComponent(addr)}`, { headers: { Accept: 'application/json' } });
    const { items } = (await r.json()) as { items: { text: string }[] };
    for (const m of items) {
      const link = m.text.split(/\s+/).find((w) => w.startsWith('http') && w.includes(contains));
      if (link) return link;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no email with a ${contains} link for ${addr}`);
}

/** totp computes the current RFC 6238 code for a base32 secret. */
export function totp(secret: string, at = Date.now()): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const h = createHmac('sha1', key).update(counter).digest();
  const o = h[h.length - 1]! & 0xf;
  const n = (h.readUInt32BE(o) & 0x7fffffff) % 1_000_000;
  return n.toString().padStart(6, '0');
}

/** signup creates a tenant through the signup page and lands on the dashboard. */
export async function signup(page: Page, company: string, slug: string, name: string, email: string) {
  await page.goto('/');
  await page.getByRole('link', { name: 'Start free trial' }).first().click();
  await page.getByLabel('Company name').fill(company);
  await page.getByLabel('Workspace identifier').fill(slug);
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
  await page.getByRole('button', { name: 'Create workspace' }).click();
  await page.waitForURL('**/app');
}
