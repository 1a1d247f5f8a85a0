import { Anchor, Badge, Card, Group, RingProgress, SimpleGrid, Stack, Text, ThemeIcon, Timeline, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { IconCheck, IconCircleDashed } from '@tabler/icons-react';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { useSession } from '../../auth/session';
import { formatDateTime } from '../../lib/format';
import { useBilling, useInvites, useUsers } from '../../lib/queries';
import { useLocale } from '../../lib/useLocale';
import { checklist } from './checklist';
import { stateColor } from './Billing';

export function Dashboard() {
  const { t } = useTranslation();
  const { me, can } = useSession();
  const { lang, timeZone } = useLocale();
  const users = useUsers();
  const invites = useInvites();
  const billing = useBilling();
  const audit = useQuery({
    queryKey: ['audit', 'recent'],
    queryFn: () => unwrap(api.GET('/api/v1/audit-events', { params: { query: { limit: 6 } } })),
    enabled: can('audit:read'),
  });
  // One row is enough to know whether the catalog and customers have begun.
  const products = useQuery({
    queryKey: ['products', 'any'],
    queryFn: () => unwrap(api.GET('/api/v1/products', { params: { query: { limit: 1 } } })),
    enabled: can('products:read'),
  });
  const accounts = useQuery({
    queryKey: ['accounts', 'any'],
    queryFn: () => unwrap(api.GET('/api/v1/accounts', { params: { query: { limit: 1 } } })),
    enabled: can('accounts:read'),
  });
  const steps = checklist(can, {
    users: users.data?.items.length ?? 1,
    invites: invites.data?.items.length ?? 0,
    billingState: billing.data?.state,
    products: products.data?.items.length,
    accounts: accounts.data?.items.length,
  });
  const b = billing.data;

  return (
    <Stack gap="lg">
      <div>
        <Title order={1} fz="h2">
          {t('dashboard.welcome', { name: me?.user?.name ?? '' })}
        </Title>
        <Text c="dimmed">{t('dashboard.subtitle', { company: me?.tenant.name ?? '' })}</Text>
      </div>
      {steps.length > 0 && (
        <Card withBorder padding="lg" data-testid="getting-started">
          <Title order={2} fz="h4" mb={4}>
            {t('dashboard.nextTitle')}
          </Title>
          <Text c="dimmed" size="sm" mb="md">
            {t('dashboard.nextIntro')}
          </Text>
          <Timeline active={-1} bulletSize={26} lineWidth={2}>
            {steps.map((s) => (
              <Timeline.Item
                key={s.key}
                bullet={
                  <ThemeIcon size={22} radius="xl" color={s.done ? 'green' : 'gray'} variant={s.done ? 'filled' : 'light'}>
                    {s.done ? <IconCheck size={14} /> : <IconCircleDashed size={14} />}
                  </ThemeIcon>
                }
                title={
                  s.to ? (
                    <Anchor component={Link} to={s.to} fw={600}>
                      {t(`dashboard.steps.${s.key}.title`)}
                    </Anchor>
                  ) : (
                    <Text fw={600}>{t(`dashboard.steps.${s.key}.title`)}</Text>
                  )
                }
              >
                <Text size="sm" c="dimmed">
                  {t(s.to ? `dashboard.steps.${s.key}.body` : `dashboard.steps.${s.key}.soon`)}
                </Text>
              </Timeline.Item>
            ))}
          </Timeline>
        </Card>
      )}
      <SimpleGrid cols={{ base: 1, md: 3 }}>
        {can('users:read') && (
          <Card withBorder padding="lg">
            <Text c="dimmed" size="sm">
              {t('dashboard.team')}
            </Text>
            <Text fz={32} fw={700}>
              {users.data?.items.filter((u) => u.status === 'active').length ?? '…'}
            </Text>
            <Text size="sm">{t('dashboard.pendingInvites', { count: invites.data?.items.length ?? 0 })}</Text>
          </Card>
        )}
        {b && (
          <Card withBorder padding="lg">
            <Group justify="space-between" wrap="nowrap">
              <Stack gap={4}>
                <Text c="dimmed" size="sm">
                  {t('billing.currentPlan')}
                </Text>
                <Text fz={24} fw={700}>
                  {b.plan.name}
                </Text>
                <Badge color={stateColor[b.state]}>{t(`billing.states.${b.state}`)}</Badge>
                {b.state === 'trialing' && <Text size="sm">{t('dashboard.trialDays', { count: b.trial_days_left })}</Text>}
              </Stack>
              <RingProgress
                size={96}
                thickness={10}
                roundCaps
                sections={[{ value: Math.min(100, (b.usage.seats / Math.max(1, b.limits.seats)) * 100), color: 'blue' }]}
                label={
                  <Text ta="center" size="xs">
                    {b.usage.seats}/{b.limits.seats}
                    <br />
                    {t('dashboard.seats')}
                  </Text>
                }
              />
            </Group>
          </Card>
        )}
        {can('audit:read') && (
          <Card withBorder padding="lg">
            <Text c="dimmed" size="sm" mb="xs">
              {t('dashboard.recent')}
            </Text>
            <Stack gap={6}>
              {(audit.data?.items ?? []).map((e) => (
                <Group key={e.id} justify="space-between" wrap="nowrap" gap="xs">
                  <Text size="sm" truncate>
                    {e.action}
                  </Text>
                  <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                    {formatDateTime(e.at, lang, timeZone)}
                  </Text>
                </Group>
              ))}
            </Stack>
            <Anchor component={Link} to="/app/audit" size="sm" mt="sm" display="block">
              {t('dashboard.allActivity')}
            </Anchor>
          </Card>
        )}
      </SimpleGrid>
      {steps.length === 0 && !can('users:read') && (
        <Card withBorder padding="lg">
          <Text>{t('dashboard.limited')}</Text>
        </Card>
      )}
    </Stack>
  );
}
