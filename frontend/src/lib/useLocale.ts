import { useTranslation } from 'react-i18next';
import { useSession } from '../auth/session';

/** useLocale returns the UI language and the tenant's time zone and currency for formatting. */
export function useLocale() {
  const { i18n } = useTranslation();
  const { me } = useSession();
  const lang = i18n.language.startsWith('es') ? 'es-ES' : 'en-GB';
  return { lang, timeZone: me?.tenant.timezone, currency: me?.tenant.base_currency ?? 'EUR' };
}
