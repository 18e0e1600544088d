import 'dayjs/locale/zh-cn';
import dayjs from 'dayjs';
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from '../i18n/en.json';
import zhCN from '../i18n/zh-CN.json';
import type { Locale } from './types';

/**
 * All UI text lives in web/src/i18n/<locale>.json, one top-level key per feature. Keys are type-checked
 * against en.json (see i18next.d.ts); test/browser/i18n-catalogue.test.ts checks zh-CN has the same keys.
 */
export const resources = { en: { translation: en }, 'zh-CN': { translation: zhCN } } as const;

const STORAGE_KEY = 'steady.locale';

export const isLocale = (value: unknown): value is Locale => value === 'en' || value === 'zh-CN';

/** Before login: what this browser used last, else its language. */
function initialLocale(): Locale {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (isLocale(saved)) return saved;
  } catch {
    // storage may be unavailable (privacy mode); fall through
  }
  const langs = navigator.languages?.length ? navigator.languages : [navigator.language];
  return langs.some((l) => l?.toLowerCase().startsWith('zh')) ? 'zh-CN' : 'en';
}

function applyDocument(locale: Locale): void {
  document.documentElement.lang = locale;
  dayjs.locale(locale === 'zh-CN' ? 'zh-cn' : 'en');
}

const first = initialLocale();
void i18n.use(initReactI18next).init({
  resources,
  lng: first,
  fallbackLng: 'en',
  interpolation: { escapeValue: false },
  returnNull: false,
});
applyDocument(first);

export const currentLocale = (): Locale => (isLocale(i18n.language) ? i18n.language : 'en');

/** Switches the UI language now and remembers it in this browser (the server copy is the auth layer's job). */
export async function applyLocale(locale: Locale): Promise<void> {
  try {
    localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    // ignore
  }
  applyDocument(locale);
  if (i18n.language !== locale) await i18n.changeLanguage(locale);
}

export default i18n;
