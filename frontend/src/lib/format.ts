// Locale-aware formatting. Money arrives from the API in minor units
// (integers) and is never turned into a float for arithmetic: only the last
// step, display, divides by the currency's minor-unit factor.

export function minorDigits(currency: string, locale = 'en'): number {
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

export function formatMoney(minor: number | bigint, currency: string, locale: string): string {
  const digits = minorDigits(currency, locale);
  const big = BigInt(minor);
  const neg = big < 0n;
  const abs = neg ? -big : big;
  const factor = 10n ** BigInt(digits);
  const whole = abs / factor;
  const frac = (abs % factor).toString().padStart(digits, '0');
  // Format the decimal string exactly: Intl accepts string numbers.
  const text = digits > 0 ? `${neg ? '-' : ''}${whole}.${frac}` : `${neg ? '-' : ''}${whole}`;
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(text as unknown as number);
}

export function formatNumber(n: number, locale: string): string {
  return new Intl.NumberFormat(locale).format(n);
}

export function formatDate(iso: string | undefined | null, locale: string, timeZone?: string): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone }).format(new Date(iso));
}

export function formatDateTime(iso: string | undefined | null, locale: string, timeZone?: string): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(new Date(iso));
}

/** formatPercentBp shows basis points (2100) as a percentage (21 %). */
export function formatPercentBp(bp: number, locale: string): string {
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 2 }).format(bp / 10000);
}

/** parsePercentToBp reads "21", "5,2" or "5.25" as basis points, exactly. */
export function parsePercentToBp(text: string): number | null {
  const m = /^\s*(\d{1,3})(?:[.,](\d{1,2}))?\s*%?\s*$/.exec(text);
  if (!m) return null;
  const bp = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return bp <= 10000 ? bp : null;
}

/**
 * parseMoneyToMinor reads what a person types ("1234.5", "1.234,50", "12")
 * as minor units of currency, exactly (string arithmetic, never a float).
 * The last "." or "," followed by at most the currency's minor digits is the
 * decimal separator; other separators group thousands. Null when it is not
 * a non-negative amount.
 */
export function parseMoneyToMinor(text: string, currency: string): number | null {
  const digits = minorDigits(currency);
  const s = text.trim().replace(/\s|\u00a0/g, '');
  if (!/^\d[\d.,]*$/.test(s)) return null;
  const m = /^(.*?)(?:[.,](\d*))?$/.exec(s);
  let whole = s;
  let frac = '';
  // "1.234" in EUR is grouping (three digits cannot be cents); "1.23" is not.
  if (m && m[2] && m[2].length <= digits) {
    whole = m[1] ?? '';
    frac = m[2];
  }
  whole = whole.replace(/[.,]/g, '');
  if (!/^\d+$/.test(whole) || whole.length > 13) return null;
  return Number(BigInt(whole) * 10n ** BigInt(digits) + BigInt(frac.padEnd(digits, '0') || '0'));
}

/** minorToInput shows minor units as a plain decimal for an input field. */
export function minorToInput(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  if (digits === 0) return String(minor);
  const s = String(Math.abs(minor)).padStart(digits + 1, '0');
  return `${minor < 0 ? '-' : ''}${s.slice(0, -digits)}.${s.slice(-digits)}`;
}
