import { Alert, Anchor, Badge, Button, Card, Group, SimpleGrid, Stack, Table, Text, Timeline, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { IconCheck, IconX } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api, unwrap } from '../../../api/client';
import type { components } from '../../../api/schema.gen';
import { useSession } from '../../../auth/session';
import { showError, showSaved } from '../../../components/forms';
import { PageHeader } from '../../../components/PageHeader';
import { AccountName, ProductName } from '../../../components/pickers';
import { formatDate, formatDateTime, formatMoney, formatNumber, formatPercentBp } from '../../../lib/format';
import { useLocale } from '../../../lib/useLocale';
import { statusColor } from './Orders';
import { NewShipmentButton, ShipmentList } from './Shipments';
import { InvoiceButton, InvoiceList } from './Invoices';
import { NewReturnButton } from './NewReturn';
import { ReturnList } from './Returns';

type Order = components['schemas']['Order'];

/**
 * invoiceable reports units delivered and not yet invoiced: shipped units,
 * or all of a service line (one confirmation settled nothing on: no
 * reservation, no shortfall), as the server counts them.
 */
function invoiceable(o: Order): boolean {
  if (['draft', 'credit_hold', 'cancelled', 'invoiced', 'closed'].includes(o.status)) return false;
  return (o.lines ?? []).some((l) => (l.reserved_qty + l.shortfall_qty === 0 ? l.quantity : l.shipped_qty) > l.invoiced_qty);
}

export function OrderDetail() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const { can } = useSession();
  const { lang, timeZone } = useLocale();
  const qc = useQueryClient();
  // Staff get the full Order; the CustomerOrder half of the union is the portal's.
  const order = useQuery({ queryKey: ['orders', id], queryFn: async () => (await unwrap(api.GET('/api/v1/orders/{id}', { params: { path: { id } } }))) as Order });
  const history = useQuery({ queryKey: ['orders', id, 'history'], queryFn: () => unwrap(api.GET('/api/v1/orders/{id}/history', { params: { path: { id } } })) });
  const act = useMutation({
    mutationFn: (action: 'confirm' | 'cancel' | 'approve-credit') =>
      unwrap(
        action === 'confirm'
          ? api.POST('/api/v1/orders/{id}/confirm', { params: { path: { id } } })
          : action === 'approve-credit'
            ? api.POST('/api/v1/orders/{id}/approve-credit', { params: { path: { id } } })
            : api.POST('/api/v1/orders/{id}/cancel', { params: { path: { id } } }),
      ),
    onSuccess: () => {
      showSaved();
      for (const k of ['orders', 'stock', 'stock-moves']) qc.invalidateQueries({ queryKey: [k] });
    },
    onError: (e) => showError(e),
  });
  const held = order.data?.status === 'credit_hold';
  const credit = useQuery({
    queryKey: ['accounts', order.data?.account_id, 'credit'],
    queryFn: () => unwrap(api.GET('/api/v1/accounts/{id}/credit', { params: { path: { id: order.data!.account_id } } })),
    enabled: held && can('accounts:read'),
  });
  const o = order.data;
  if (!o) return null;
  const money = (m: number) => formatMoney(m, o.currency, lang);
  const n = (v: number) => formatNumber(v, lang);
  const cancellable = ['draft', 'credit_hold', 'confirmed', 'in_production', 'ready'].includes(o.status);
  return (
    <>
      <PageHeader
        title={t('orders.order', { number: o.number })}
        actions={
          <>
            {o.status === 'draft' && can('orders:confirm') && (
              <Button leftSection={<IconCheck size={18} />} loading={act.isPending && act.variables === 'confirm'} onClick={() => act.mutate('confirm')}>
                {t('orders.confirm')}
              </Button>
            )}
            {o.status === 'credit_hold' && can('credit:approve') && (
              <Button color="orange" leftSection={<IconCheck size={18} />} loading={act.isPending && act.variables === 'approve-credit'} onClick={() => act.mutate('approve-credit')}>
                {t('orders.approveCredit')}
              </Button>
            )}
            {cancellable && can('orders:cancel') && (
              <Button color="red" variant="light" leftSection={<IconX size={18} />} loading={act.isPending && act.variables === 'cancel'} onClick={() => act.mutate('cancel')}>
                {t('orders.cancel')}
              </Button>
            )}
          </>
        }
      />
      {o.status === 'credit_hold' && (
        <Alert color="orange" mb="md" title={t('orders.creditHoldTitle')} data-testid="credit-hold">
          {t('orders.creditHoldBody')}
          {credit.data && credit.data.currency === o.currency && (
            <Text size="sm" mt={4} data-testid="credit-detail">
              {t('orders.creditHoldDetail', {
                available: formatMoney(Math.max(credit.data.available_minor, 0), o.currency, lang),
                over: formatMoney(o.total_minor - Math.max(credit.data.available_minor, 0), o.currency, lang),
              })}
            </Text>
          )}
        </Alert>
      )}
      <Card withBorder mb="lg">
        <SimpleGrid cols={{ base: 2, md: 5 }}>
          <Stack gap={0}>
            <Text size="xs" c="dimmed">{t('common.status')}</Text>
            <Badge color={statusColor[o.status]} data-testid="order-status">{t(`orders.statuses.${o.status}`)}</Badge>
          </Stack>
          <Stack gap={0}>
            <Text size="xs" c="dimmed">{t('orders.account')}</Text>
            <Anchor component={Link} to={`/app/accounts/${o.account_id}`}><AccountName id={o.account_id} /></Anchor>
          </Stack>
          <Stack gap={0}>
            <Text size="xs" c="dimmed">{t('orders.requested')}</Text>
            <Text>{formatDate(o.requested_date, lang, 'UTC')}</Text>
          </Stack>
          <Stack gap={0}>
            <Text size="xs" c="dimmed">{t('orders.promised')}</Text>
            <Text data-testid="order-promised">{formatDate(o.promised_date, lang, 'UTC')}</Text>
          </Stack>
          <Stack gap={0}>
            <Text size="xs" c="dimmed">{t('orders.total')}</Text>
            <Text fw={700}>{money(o.total_minor)}</Text>
          </Stack>
        </SimpleGrid>
      </Card>
      <Table.ScrollContainer minWidth={800}>
        <Table withTableBorder striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('stock.product')}</Table.Th>
              <Table.Th ta="right">{t('stock.quantity')}</Table.Th>
              <Table.Th ta="right">{t('orders.unitPrice')}</Table.Th>
              <Table.Th ta="right">{t('orders.discount')}</Table.Th>
              <Table.Th ta="right">{t('orders.tax')}</Table.Th>
              <Table.Th ta="right">{t('orders.total')}</Table.Th>
              <Table.Th ta="right">{t('stock.reserved')}</Table.Th>
              <Table.Th>{t('orders.shortfall')}</Table.Th>
              <Table.Th>{t('orders.promised')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(o.lines ?? []).map((l) => (
              <Table.Tr key={l.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/app/products/${l.product_id}`}>{l.description || <ProductName id={l.product_id} />}</Anchor>
                </Table.Td>
                <Table.Td ta="right">{n(l.quantity)}</Table.Td>
                <Table.Td ta="right">{money(l.unit_price_minor)}</Table.Td>
                <Table.Td ta="right">{l.discount_bp ? formatPercentBp(l.discount_bp, lang) : '—'}</Table.Td>
                <Table.Td ta="right">{money(l.tax_minor)}</Table.Td>
                <Table.Td ta="right">{money(l.total_minor)}</Table.Td>
                <Table.Td ta="right" data-testid="line-reserved">{n(l.reserved_qty)}</Table.Td>
                <Table.Td data-testid="line-shortfall">
                  {l.shortfall_qty > 0 ? `${n(l.shortfall_qty)} · ${t(`orders.actions.${l.shortfall_action}`)}` : '—'}
                  {l.shortfall_action === 'production' && can('production:read') && (
                    <Anchor component={Link} to={`/app/production?product_id=${l.product_id}`} size="sm" ml="xs">
                      {t('orders.seeProduction')}
                    </Anchor>
                  )}
                </Table.Td>
                <Table.Td>{formatDate(l.promised_date, lang, 'UTC')}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Group justify="flex-end" mt="sm" gap="xl">
        <Text>{t('orders.subtotal')}: {money(o.subtotal_minor)}</Text>
        <Text>{t('orders.tax')}: {money(o.tax_minor)}</Text>
        <Text fw={700}>{t('orders.total')}: {money(o.total_minor)}</Text>
      </Group>
      {can('shipments:read') && o.status !== 'draft' && o.status !== 'cancelled' && (
        <>
          <Group justify="space-between" mt="xl" mb="sm">
            <Title order={2} fz="h4">{t('shipments.title')}</Title>
            {can('shipments:write') && ['confirmed', 'in_production', 'ready', 'partially_shipped'].includes(o.status) && <NewShipmentButton orderId={o.id} />}
          </Group>
          <ShipmentList orderId={o.id} />
        </>
      )}
      {can('invoices:read') && !['draft', 'credit_hold', 'cancelled'].includes(o.status) && (
        <>
          <Group justify="space-between" mt="xl" mb="sm">
            <Title order={2} fz="h4">{t('invoices.title')}</Title>
            {can('invoices:issue') && invoiceable(o) && <InvoiceButton orderId={o.id} />}
          </Group>
          <InvoiceList orderId={o.id} />
        </>
      )}
      {can('returns:read') && !['draft', 'credit_hold', 'cancelled'].includes(o.status) && (
        <>
          <Group justify="space-between" mt="xl" mb="sm">
            <Title order={2} fz="h4">{t('returns.title')}</Title>
            {can('returns:request') && <NewReturnButton orderId={o.id} />}
          </Group>
          <ReturnList orderId={o.id} />
        </>
      )}
      <Title order={2} fz="h4" mt="xl" mb="md">{t('orders.history')}</Title>
      <Timeline active={(history.data?.items.length ?? 1) - 1} bulletSize={14} lineWidth={2}>
        {(history.data?.items ?? []).map((h) => (
          <Timeline.Item key={h.id} title={t(`orders.statuses.${h.to}`)}>
            <Text size="xs" c="dimmed">{formatDateTime(h.at, lang, timeZone)}</Text>
            {h.note && <Text size="sm">{h.note}</Text>}
          </Timeline.Item>
        ))}
      </Timeline>
    </>
  );
}
