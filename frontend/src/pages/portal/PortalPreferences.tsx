import { Button, Card, Checkbox, Group, Radio, Stack, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Navigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { CustomerMe } from '../../api/types';
import { meKey } from '../../auth/session';
import { showSaved } from '../../components/forms';
import { setLanguage, type Lang } from '../../i18n';
import { savePortalPreferences, withPreferences } from './portalApi';
import { usePortal } from './PortalLayout';
import { PortalProblem, usePortalCustomer } from './PortalQuotes';

/** PortalPreferences lets a customer choose their language and whether they are emailed about their orders. */
export function PortalPreferences() {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const b = usePortal();
  const { slug, loading, customer } = usePortalCustomer();
  const [locale, setLocale] = useState<Lang | null>(null);
  const [notify, setNotify] = useState<boolean | null>(null);
  const save = useMutation({
    mutationFn: savePortalPreferences,
    onSuccess: (p) => {
      qc.setQueryData<CustomerMe | null>(meKey, (m) => (m ? withPreferences(m, p) : m));
      if (p.locale === 'en' || p.locale === 'es') setLanguage(p.locale);
      setLocale(null);
      setNotify(null);
      showSaved();
    },
  });
  if (loading) return null;
  if (!customer) return <Navigate to={`/portal/${slug}`} replace />;
  const shown: Lang = i18n.language.startsWith('es') ? 'es' : 'en';
  const lang = locale ?? shown;
  const notifyOrders = notify ?? customer.customer.notify_orders;
  return (
    <Stack>
      <Title order={1} fz="h2">
        {t('portal.prefs.title')}
      </Title>
      <Card withBorder padding="lg">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate({ locale: lang, notify_orders: notifyOrders });
          }}
        >
          <Stack>
            <Radio.Group label={t('portal.prefs.language')} description={t('portal.prefs.languageHelp')} value={lang} onChange={(v) => setLocale(v as Lang)}>
              <Group mt="xs">
                <Radio value="en" label={t('portal.prefs.languages.en')} />
                <Radio value="es" label={t('portal.prefs.languages.es')} />
              </Group>
            </Radio.Group>
            <Checkbox
              label={t('portal.prefs.notify')}
              description={t('portal.prefs.notifyHelp')}
              checked={notifyOrders}
              onChange={(e) => setNotify(e.currentTarget.checked)}
            />
            <PortalProblem error={save.error} />
            <Group>
              <Button type="submit" color={b.accent_color} loading={save.isPending}>
                {t('common.save')}
              </Button>
            </Group>
          </Stack>
        </form>
      </Card>
    </Stack>
  );
}
