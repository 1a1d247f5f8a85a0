import { Badge, Card, Group, List, Progress, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { PageHeader } from '../../components/PageHeader';
import { formatDate, formatMoney, formatNumber } from '../../lib/format';
import { useBilling } from '../../lib/queries';
import { useLocale } from '../../lib/useLocale';

export const stateColor: Record<string, string> = { trialing: 'grape', active: 'green', past_due: 'orange', canceled: 'red' };

export function BillingPage() {
  const { t } = useTranslation();
  const { lang, timeZone } = useLocale();
  const billing = useBilling();
  const plans = useQuery({ queryKey: ['plans'], queryFn: () => unwrap(api.GET('/api/v1/billing/plans')) });
  const b = billing.data;
  return (
    <>
      <PageHeader title={t('billing.title')} description={t('billing.description')} />
      {b && (
        <Card withBorder mb="xl" maw={720}>
          <Group justify="space-between">
            <Stack gap={2}>
              <Text c="dimmed" size="sm">
                {t('billing.currentPlan')}
              </Text>
              <Title order={2} fz="h3" data-testid="billing-plan">
                {b.plan.name}
              </Title>
            </Stack>
            <Badge size="lg" color={stateColor[b.state]}>
              {t(`billing.states.${b.state}`)}
            </Badge>
          </Group>
          {b.state === 'trialing' && (
            <Text mt="sm">{t('billing.trialLeft', { count: b.trial_days_left, date: formatDate(b.trial_ends_at, lang, timeZone) })}</Text>
          )}
          <Text mt="md" size="sm" fw={600}>
            {t('billing.seats', { used: b.usage.seats, limit: b.limits.seats })}
          </Text>
          <Progress
            mt={4}
            value={Math.min(100, (b.usage.seats / Math.max(1, b.limits.seats)) * 100)}
            color={b.usage.seats >= b.limits.seats ? 'orange' : 'blue'}
            aria-label={t('billing.seats', { used: b.usage.seats, limit: b.limits.seats })}
          />
          {!b.stripe_configured && (
            <Text mt="md" size="sm" c="dimmed">
              {t('billing.notConfigured')}
            </Text>
          )}
        </Card>
      )}
      <Title order={2} fz="h4" mb="md">
        {t('billing.plans')}
      </Title>
      <SimpleGrid cols={{ base: 1, md: 3 }}>
        {(plans.data?.items ?? []).map((p) => (
          <Card key={p.id} withBorder padding="lg" style={p.id === b?.plan.id ? { borderColor: 'var(--mantine-primary-color-filled)', borderWidth: 2 } : undefined}>
            <Group justify="space-between">
              <Title order={3} fz="h4">
                {p.name}
              </Title>
              {p.id === b?.plan.id && <Badge>{t('billing.current')}</Badge>}
            </Group>
            <Text fz={28} fw={700} mt="sm">
              {formatMoney(p.price_minor, p.currency, lang)}
              <Text span c="dimmed" fz="sm">
                {' '}
                / {t(`billing.interval.${p.interval}`, { defaultValue: p.interval })}
              </Text>
            </Text>
            <List size="sm" mt="md" spacing={4}>
              <List.Item>{t('billing.planSeats', { count: p.seats })}</List.Item>
              <List.Item>{t('billing.planPortal', { count: p.portal_customers, n: formatNumber(p.portal_customers, lang) })}</List.Item>
              <List.Item>{t('billing.planRate', { n: formatNumber(p.api_rate_per_minute, lang) })}</List.Item>
              {p.modules.map((m) => (
                <List.Item key={m}>{t(`billing.modules.${m}`, { defaultValue: m })}</List.Item>
              ))}
            </List>
          </Card>
        ))}
      </SimpleGrid>
    </>
  );
}
