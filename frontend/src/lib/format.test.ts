import { describe, expect, it } from 'vitest';
import { formatMoney, formatPercentBp, minorToInput, parseMoneyToMinor, parsePercentToBp } from './format';
import { slugify } from './slug';

describe('formatMoney', () => {
  it('formats minor units exactly, per locale', () => {
    expect(formatMoney(4900, 'EUR', 'en-GB')).toBe('€49.00');
    expect(formatMoney(123456789, 'EUR', 'es-ES')).toMatch(/^1\.234\.567,89\s€$/);
    expect(formatMoney(-5, 'EUR', 'en-GB')).toBe('-€0.05');
    expect(formatMoney(1500, 'JPY', 'en-GB')).toBe('JP¥1,500');
  });
  it('keeps amounts beyond float precision exact', () => {
    // 2^53 + 1 cents cannot be held by a double; bigint keeps it.
    expect(formatMoney(9007199254740993n, 'EUR', 'en-GB')).toBe('€90,071,992,547,409.93');
  });
});

describe('percent in basis points', () => {
  it('parses and formats without floats in storage', () => {
    expect(parsePercentToBp('21')).toBe(2100);
    expect(parsePercentToBp('5,2')).toBe(520);
    expect(parsePercentToBp('1.75 %')).toBe(175);
    expect(parsePercentToBp('100')).toBe(10000);
    expect(parsePercentToBp('100.01')).toBeNull();
    expect(parsePercentToBp('-1')).toBeNull();
    expect(parsePercentToBp('abc')).toBeNull();
    expect(formatPercentBp(2100, 'en-GB')).toBe('21%');
    expect(formatPercentBp(520, 'es-ES')).toMatch(/^5,2\s%$/);
  });
});

describe('slugify', () => {
  it('suggests a valid tenant slug from a company name', () => {
    expect(slugify('Metalúrgica Ñandú, S.L.')).toBe('metalurgica-nandu-s-l');
    expect(slugify('  --ACME--  ')).toBe('acme');
  });
});

describe('parseMoneyToMinor', () => {
  it('reads typed amounts as exact minor units', () => {
    expect(parseMoneyToMinor('12', 'EUR')).toBe(1200);
    expect(parseMoneyToMinor('12.5', 'EUR')).toBe(1250);
    expect(parseMoneyToMinor('12,50', 'EUR')).toBe(1250);
    expect(parseMoneyToMinor('1.234,56', 'EUR')).toBe(123456);
    expect(parseMoneyToMinor('1,234.56', 'EUR')).toBe(123456);
    expect(parseMoneyToMinor('1.234', 'EUR')).toBe(123400);
    expect(parseMoneyToMinor('0.10', 'EUR')).toBe(10);
    expect(parseMoneyToMinor('1500', 'JPY')).toBe(1500);
    expect(parseMoneyToMinor('-1', 'EUR')).toBeNull();
    expect(parseMoneyToMinor('1.234.5x', 'EUR')).toBeNull();
    expect(parseMoneyToMinor('', 'EUR')).toBeNull();
  });
  it('round-trips through the input format', () => {
    for (const minor of [0, 5, 1250, 123456]) expect(parseMoneyToMinor(minorToInput(minor, 'EUR'), 'EUR')).toBe(minor);
    expect(minorToInput(1250, 'EUR')).toBe('12.50');
  });
});
