import { describe, expect, it } from 'vitest';
import { en } from './en';
import { es } from './es';

function keys(o: object, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

// The portal's pages (and the components they share), as source text.
const portalSources = import.meta.glob(['../pages/portal/*.tsx', '../components/LanguageSwitch.tsx'], {
  query: '?raw',
  import: 'default',
  eager: true,
}) as Record<string, string>;

/** literalKeys returns the keys a source passes to t() as plain string literals. */
export function literalKeys(source: string): string[] {
  return [...source.matchAll(/\bt\(\s*'([a-zA-Z0-9_.]+)'/g)].map((m) => m[1] ?? '');
}

describe('translations', () => {
  it('Spanish and English have the same keys and no empty Spanish text where English has some', () => {
    expect(keys(es).sort()).toEqual(keys(en).sort());
    const flat = (o: object, p = ''): [string, string][] =>
      Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? flat(v, `${p}${k}.`) : [[`${p}${k}`, v as string]]));
    const esText = new Map(flat(es));
    for (const [k, v] of flat(en)) expect(!!esText.get(k), k).toBe(!!v);
  });

  it('every string key a portal page uses exists in both languages', () => {
    const known = (dict: object) => {
      const all = new Set(keys(dict));
      // A plural key ("days") is stored as days_one / days_other.
      return (k: string) => all.has(k) || (all.has(`${k}_one`) && all.has(`${k}_other`));
    };
    const inEn = known(en);
    const inEs = known(es);
    const files = Object.entries(portalSources);
    expect(files.length).toBeGreaterThan(8);
    let checked = 0;
    for (const [file, src] of files) {
      for (const k of literalKeys(src)) {
        expect(inEn(k), `${file}: ${k} (en)`).toBe(true);
        expect(inEs(k), `${file}: ${k} (es)`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('finds literal keys, not dynamic ones', () => {
    expect(literalKeys("t('portal.prefs.title') t(`x.${y}`) format('a.b') t( 'common.save', {})")).toEqual(['portal.prefs.title', 'common.save']);
  });
});
