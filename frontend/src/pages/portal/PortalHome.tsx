import { Anchor, Badge, Button, Card, Group, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { IconSearch } from '@tabler/icons-react';
import { useState } from 'react';
import { Link, Navigate, useNavigate, useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import type { CustomerOrder } from '../../api/types';
import { customerOf, useSession } from '../../auth/session';
import { formatDate, formatMoney } from '../../lib/format';
import { usePortal } from './PortalLayout';
import { openFirst, orderColor } from './portalOrders';
import { PortalShipments } from './PortalShipments';

type OrderStatus = CustomerOrder['status'];
// The statuses a customer may filter by; drafts and credit holds are the seller's business.
const filterStatuses: OrderStatus[] = ['confirmed', 'in_production', 'ready', 'partially_shipped', 'shipped', 'invoiced', 'closed', 'cancelled'];

/** PortalHome is a signed-in customer's start page: their account's orders, open ones first. */
export function PortalHome() {
  const { t, i18n } = useTranslation();
  const b = usePortal();
  const { slug = '' } = useParams();
  const { me, loading, signOut } = useSession();
  const navigate = useNavigate();
  const customer = customerOf(me);
  const ok = !!customer && customer.tenant.slug === slug;
  const [q, setQ] = useState('');
  const [debounced] = useDebouncedValue(q.trim(), 250);
  const [status, setStatus] = useState<OrderStatus | null>(null);
  const filtered = !!debounced || !!status;
  // The server binds the list to the customer's account; the page only narrows it.
  const orders = useQuery({
    queryKey: ['portal-orders', customer?.customer.id, debounced, status],
    queryFn: () =>
      unwrap(api.GET('/api/v1/orders', { params: { query: { limit: 50, q: debounced || undefined, status: status ?? undefined } } })),
    enabled: ok,
  });
  if (loading) return null;
  if (!ok || !customer) return <Navigate to={`/portal/${slug}`} replace />;
  const lang = i18n.language.startsWith('es') ? 'es-ES' : 'en-GB';
  const rows = openFirst((orders.data?.items ?? []) as CustomerOrder[]);
  return (
    <Stack>
      <Group justify="space-between">
        <div>
          <Title order={1} fz="h2">
            {t('portal.welcome', { name: customer.customer.name || customer.customer.email })}
          </Title>
          <Text c="dimmed" data-testid="portal-account">
            {customer.account.name}
          </Text>
        </div>
        <Button
          variant="default"
          onClick={async () => {
            await signOut();
            navigate(`/portal/${slug}`);
          }}
        >
          {t('auth.logout')}
        </Button>
      </Group>
      <Card withBorder padding="lg">
        <Title order={2} fz="h4" mb="sm">
          {t('portal.orders')}
        </Title>
        <Group mb="md" align="flex-end">
          <TextInput
            label={t('portal.order.search')}
            leftSection={<IconSearch size={16} />}
            value={q}
            onChange={(e) => setQ(e.currentTarget.value)}
            w={280}
          />
          <Select
            label={t('portal.order.status')}
            placeholder={t('portal.order.allStatuses')}
            data={filterStatuses.map((s) => ({ value: s, label: t(`orders.statuses.${s}`) }))}
            value={status}
            onChange={(v) => setStatus(v as OrderStatus | null)}
            clearable
            w={220}
          />
        </Group>
        {orders.isSuccess && rows.length === 0 ? (
          <Text c="dimmed">{filtered ? t('portal.order.noMatch') : t('portal.noOrders', { name: b.display_name })}</Text>
        ) : (
          <Table striped aria-label={t('portal.orders')} data-testid="portal-orders">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('orders.number')}</Table.Th>
                <Table.Th>{t('common.status')}</Table.Th>
                <Table.Th>{t('orders.promised')}</Table.Th>
                <Table.Th ta="right">{t('orders.total')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((o) => (
                <Table.Tr key={o.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/portal/${slug}/orders/${o.id}`}>
                      {o.number || t('portal.draft')}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={orderColor[o.status]}>
                      {t(`orders.statuses.${o.status}`)}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{o.promised_date ? formatDate(o.promised_date, lang) : '—'}</Table.Td>
                  <Table.Td ta="right">{formatMoney(o.total_minor, o.currency, lang)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Card>
      <PortalShipments customerId={customer.customer.id} lang={lang} />
    </Stack>
  );
}
