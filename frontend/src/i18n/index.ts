import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en';
import { es } from './es';

export type Lang = 'en' | 'es';
const storageKey = 'nexo.lang';

/** initialLanguage: the user's last choice, else the browser's, else English. */
export function initialLanguage(): Lang {
  const saved = globalThis.localStorage?.getItem(storageKey);
  if (saved === 'en' || saved === 'es') return saved;
  return globalThis.navigator?.language?.toLowerCase().startsWith('es') ? 'es' : 'en';
}

export function initI18n(lng: Lang = initialLanguage()) {
  if (i18n.isInitialized) return i18n;
  void i18n.use(initReactI18next).init({
    resources: { en: { translation: en }, es: { translation: es } },
    lng,
    fallbackLng: 'en',
    interpolation: { escapeValue: false }, // React escapes
    returnEmptyString: false,
  });
  document.documentElement.lang = lng;
  return i18n;
}

export function setLanguage(lng: Lang) {
  globalThis.localStorage?.setItem(storageKey, lng);
  document.documentElement.lang = lng;
  void i18n.changeLanguage(lng);
}
