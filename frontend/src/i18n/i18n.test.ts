import { describe, expect, it } from 'vitest';
import { en } from './en';
import { es } from './es';

function keys(o: object, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

describe('translations', () => {
  it('Spanish and English have the same keys and no empty Spanish text where English has some', () => {
    expect(keys(es).sort()).toEqual(keys(en).sort());
    const flat = (o: object, p = ''): [string, string][] =>
      Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? flat(v, `${p}${k}.`) : [[`${p}${k}`, v as string]]));
    const esText = new Map(flat(es));
    for (const [k, v] of flat(en)) expect(!!esText.get(k), k).toBe(!!v);
  });
});
