import { SegmentedControl } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { CustomerMe } from '../api/types';
import { customerOf, meKey, useSession } from '../auth/session';
import { setLanguage, type Lang } from '../i18n';
import { savePortalPreferences, withPreferences } from '../pages/portal/portalApi';

/**
 * LanguageSwitch toggles the interface between English and Spanish. A
 * signed-in portal customer's choice is also saved on the server: their
 * emails follow it, and the portal opens in it on their next visit.
 */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const { me } = useSession();
  const qc = useQueryClient();
  const customer = customerOf(me);
  const change = (lng: Lang) => {
    setLanguage(lng);
    if (!customer || customer.customer.locale === lng) return;
    // The switch answers at once; saving is best effort (the next switch retries).
    savePortalPreferences({ locale: lng })
      .then((p) => qc.setQueryData<CustomerMe | null>(meKey, (m) => (m ? withPreferences(m, p) : m)))
      .catch(() => undefined);
  };
  return (
    <SegmentedControl
      size="xs"
      aria-label={t('common.language')}
      value={i18n.language.startsWith('es') ? 'es' : 'en'}
      onChange={(v) => change(v as Lang)}
      data={[
        { value: 'en', label: 'EN' },
        { value: 'es', label: 'ES' },
      ]}
    />
  );
}
