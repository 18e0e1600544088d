import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** Every UI text exists in both languages, with the same placeholders. */
type Tree = { [key: string]: string | Tree };
const load = (name: string): Tree =>
  JSON.parse(readFileSync(new URL(`../../web/src/i18n/${name}.json`, import.meta.url), 'utf8')) as Tree;

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(path, value);
    else for (const [k, v] of flatten(value, path)) out.set(k, v);
  }
  return out;
}

const placeholders = (text: string) => [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();

describe('i18n catalogues', () => {
  const en = flatten(load('en'));
  const zh = flatten(load('zh-CN'));

  it('have the same keys', () => {
    expect([...zh.keys()].filter((k) => !en.has(k))).toEqual([]);
    expect([...en.keys()].filter((k) => !zh.has(k))).toEqual([]);
  });

  it('use the same placeholders', () => {
    const differ = [...en].filter(
      ([k, v]) => zh.has(k) && placeholders(v).join() !== placeholders(zh.get(k)!).join(),
    );
    expect(differ.map(([k]) => k)).toEqual([]);
  });

  it('translate every text into Chinese (no empty or copied English strings)', () => {
    const untranslated = [...zh].filter(([k, v]) => !v.trim() || (/[a-z]{4,}/i.test(v) && v === en.get(k)));
    expect(untranslated.map(([k]) => k)).toEqual([]);
  });
});
