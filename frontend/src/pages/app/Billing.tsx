import { useEffect, useState } from 'react';
import { Alert, Badge, Button, Card, Group, List, NumberInput, Progress, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { useSession } from '../../auth/session';
import { showError, showSaved } from '../../components/forms';
import { PageHeader } from '../../components/PageHeader';
import { formatDate, formatMoney, formatNumber } from '../../lib/format';
import { useBilling } from '../../lib/queries';
import { useLocale } from '../../lib/useLocale';

export const stateColor: Record<string, string> = { trialing: 'grape', active: 'green', past_due: 'orange', canceled: 'red' };

/** go sends the browser to one of Stripe's hosted pages. */
function go(url: string) {
  window.location.assign(url);
}

export function BillingPage() {
  const { t } = useTranslation();
  const { lang, timeZone } = useLocale();
  const { can } = useSession();
  const qc = useQueryClient();
  const [params] = useSearchParams();
  const billing = useBilling();
  const plans = useQuery({ queryKey: ['plans'], queryFn: () => unwrap(api.GET('/api/v1/billing/plans')) });
  const checkout = useMutation({
    mutationFn: (plan: string) => unwrap(api.POST('/api/v1/billing/checkout', { body: { plan } })),
    onSuccess: (r) => go(r.url),
    onError: (e) => showError(e),
  });
  const portal = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/billing/portal')),
    onSuccess: (r) => go(r.url),
    onError: (e) => showError(e),
  });
  const b = billing.data;
  const manage = can('billing:manage') && !!b?.stripe_configured;
  const canSubscribe = manage && (!b?.subscribed || b?.state === 'canceled');
  const returned = params.get('checkout');
  return (
    <>
      <PageHeader
        title={t('billing.title')}
        description={t('billing.description')}
        actions={
          manage && b?.subscribed ? (
            <Button variant="light" loading={portal.isPending} onClick={() => portal.mutate()} title={t('billing.manageHelp')}>
              {t('billing.manage')}
            </Button>
          ) : undefined
        }
      />
      {returned === 'success' && (
        <Alert color="green" mb="md" maw={720}>
          {t('billing.checkoutDone')}
        </Alert>
      )}
      {returned === 'canceled' && (
        <Alert color="gray" mb="md" maw={720}>
          {t('billing.checkoutCanceled')}
        </Alert>
      )}
      {b?.read_only && (
        <Alert color="red" mb="md" maw={720} data-testid="billing-read-only">
          {t('billing.readOnly', { reason: b.read_only_reason })}
        </Alert>
      )}
      {b && !b.read_only && b.state === 'past_due' && b.grace_ends_at && (
        <Alert color="orange" mb="md" maw={720}>
          {t('billing.pastDue', { date: formatDate(b.grace_ends_at, lang, timeZone) })}
        </Alert>
      )}
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
          {b.current_period_end && (
            <Text mt="sm" size="sm">
              {t(b.cancel_at_period_end ? 'billing.cancelAt' : 'billing.renews', { date: formatDate(b.current_period_end, lang, timeZone) })}
            </Text>
          )}
          {!b.stripe_configured && (
            <Text mt="md" size="sm" c="dimmed">
              {t('billing.notConfigured')}
            </Text>
          )}
        </Card>
      )}
      {b && manage && b.subscribed && b.state !== 'canceled' && <SeatsCard used={b.usage.seats} limit={b.limits.seats} billed={b.seats_billed} purchased={b.seats_purchased} onSaved={() => qc.invalidateQueries({ queryKey: ['billing'] })} />}
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
            {canSubscribe && p.purchasable && (
              <Button mt="md" fullWidth loading={checkout.isPending && checkout.variables === p.id} onClick={() => checkout.mutate(p.id)}>
                {t('billing.subscribe')}
              </Button>
            )}
          </Card>
        ))}
      </SimpleGrid>
    </>
  );
}

function SeatsCard({ used, limit, billed, purchased, onSaved }: { used: number; limit: number; billed: number; purchased: number; onSaved: () => void }) {
  const { t } = useTranslation();
  const [seats, setSeats] = useState<number | string>(Math.max(used, purchased, 1));
  useEffect(() => setSeats(Math.max(used, purchased, 1)), [used, purchased]);
  const save = useMutation({
    mutationFn: (n: number) => unwrap(api.POST('/api/v1/billing/seats', { body: { seats: n } })),
    onSuccess: () => {
      showSaved(t('billing.seatsSaved'));
      onSaved();
    },
    onError: (e) => showError(e),
  });
  return (
    <Card withBorder mb="xl" maw={720}>
      <Title order={2} fz="h4">
        {t('billing.seatsTitle')}
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        {t('billing.seatsHelp')}
      </Text>
      <Group align="end">
        <NumberInput label={t('billing.seatsInput')} min={Math.max(1, used)} max={limit} value={seats} onChange={setSeats} allowDecimal={false} w={140} />
        <Button loading={save.isPending} onClick={() => save.mutate(Number(seats))}>
          {t('billing.seatsSave')}
        </Button>
      </Group>
      <Text size="sm" mt="sm" data-testid="seats-billed">
        {t('billing.seatsBilled', { n: billed })}
      </Text>
    </Card>
  );
}
