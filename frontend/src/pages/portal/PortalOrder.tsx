import { Alert, Anchor, Badge, Card, Group, SimpleGrid, Stack, Table, Text, Timeline, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { IconCheck } from '@tabler/icons-react';
import { Link, Navigate, useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema.gen';
import type { CustomerOrder } from '../../api/types';
import { formatDate, formatDateTime, formatMoney, formatNumber, formatPercentBp } from '../../lib/format';
import { orderColor, orderTimeline, type TimelineStep } from './portalOrders';
import { PortalDetailError, PortalProblem, usePortalCustomer } from './PortalQuotes';
import { PortalShipments } from './PortalShipments';
import { PortalOrderTicketLink } from './PortalTickets';
import { RequestReturn } from './PortalReturns';
import { Fact } from '../../components/Fact';

type CustomerShipment = components['schemas']['CustomerShipment'];
type CustomerInvoice = components['schemas']['CustomerInvoice'];

// The shipment steps have no order status of their own: their labels are the shipment statuses'.
const stepLabel = (step: TimelineStep) => (step === 'in_transit' || step === 'delivered' ? `shipments.statuses.${step}` : `orders.statuses.${step}`);

/** PortalOrder is one order of the customer's account: lines, progress, shipments with tracking, and its invoices. */
export function PortalOrder() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const { slug, loading, customer, lang } = usePortalCustomer();
  const enabled = !!customer;
  const order = useQuery({
    queryKey: ['portal-orders', id],
    queryFn: async () => (await unwrap(api.GET('/api/v1/orders/{id}', { params: { path: { id } } }))) as CustomerOrder,
    enabled,
  });
  // The rest only once the order is known to be the customer's, so a foreign id asks nothing more.
  const more = enabled && order.isSuccess;
  const history = useQuery({
    queryKey: ['portal-orders', id, 'history'],
    queryFn: () => unwrap(api.GET('/api/v1/orders/{id}/history', { params: { path: { id } } })),
    enabled: more,
  });
  const shipments = useQuery({
    queryKey: ['portal-shipments', customer?.customer.id, id],
    queryFn: () => unwrap(api.GET('/api/v1/shipments', { params: { query: { limit: 50, order_id: id } } })),
    enabled: more,
  });
  const invoices = useQuery({
    queryKey: ['portal-invoices', 'order', id],
    queryFn: () => unwrap(api.GET('/api/v1/invoices', { params: { query: { limit: 50, order_id: id } } })),
    enabled: more,
  });
  if (loading) return null;
  if (!customer) return <Navigate to={`/portal/${slug}`} replace />;
  const back = (
    <Anchor component={Link} to={`/portal/${slug}/orders`} size="sm">
      ← {t('portal.order.back')}
    </Anchor>
  );
  if (order.isError) return <PortalDetailError back={back} error={order.error} notFound={t('portal.order.notFound')} />;
  const o = order.data;
  if (!o) return null;
  const money = (m: number) => formatMoney(m, o.currency, lang);
  const steps = orderTimeline(history.data?.items ?? [], (shipments.data?.items ?? []) as CustomerShipment[]);
  // The bar runs up to the furthest step reached; a skipped step before it stays undated.
  const active = steps.reduce((last, s, k) => (s.at ? k : last), -1);
  const invoiceRows = (invoices.data?.items ?? []) as CustomerInvoice[];
  return (
    <Stack>
      {back}
      <Group justify="space-between" align="flex-start">
        <Title order={1} fz="h2">
          {t('portal.order.heading', { number: o.number || t('portal.draft') })}
        </Title>
        {more && <RequestReturn orderId={o.id} slug={slug} />}
      </Group>
      <PortalOrderTicketLink slug={slug} orderId={o.id} />
      <Card withBorder padding="lg">
        <SimpleGrid cols={{ base: 2, sm: 4 }}>
          <Fact label={t('common.status')}>
            <Badge variant="light" color={orderColor[o.status]} data-testid="portal-order-status">
              {t(`orders.statuses.${o.status}`)}
            </Badge>
          </Fact>
          <Fact label={t('portal.order.requested')}>{o.requested_date ? formatDate(o.requested_date, lang, 'UTC') : '—'}</Fact>
          <Fact label={t('portal.order.promised')}>
            <Text data-testid="portal-order-promised">{o.promised_date ? formatDate(o.promised_date, lang, 'UTC') : '—'}</Text>
          </Fact>
          <Fact label={t('portal.order.total')}>
            <Text fw={700} data-testid="portal-order-total">
              {money(o.total_minor)}
            </Text>
          </Fact>
        </SimpleGrid>
      </Card>
      <Card withBorder padding="lg">
        <Title order={2} fz="h4" mb="sm">
          {t('portal.order.timeline')}
        </Title>
        <PortalProblem error={history.error ?? shipments.error} />
        {o.status === 'cancelled' && o.cancelled_at && (
          <Alert color="red" mb="sm">
            {t('portal.order.cancelled', { date: formatDate(o.cancelled_at, lang) })}
          </Alert>
        )}
        <Timeline active={active} bulletSize={22} lineWidth={2} data-testid="portal-order-timeline">
          {steps.map((s, k) => (
            <Timeline.Item
              key={s.step}
              title={t(stepLabel(s.step))}
              bullet={s.at ? <IconCheck size={14} /> : undefined}
              data-testid={`portal-order-step-${s.step}`}
              data-reached={s.at ? 'true' : 'false'}
            >
              {/* A step the order went past without (say, no production needed) shows no date rather than "not yet". */}
              {(s.at || k > active) && (
                <Text size="sm" c="dimmed">
                  {s.at ? formatDateTime(s.at, lang) : t('portal.order.notYet')}
                </Text>
              )}
            </Timeline.Item>
          ))}
        </Timeline>
      </Card>
      <Card withBorder padding="lg">
        <Title order={2} fz="h4" mb="sm">
          {t('portal.order.lines')}
        </Title>
        <Table.ScrollContainer minWidth={640}>
          <Table aria-label={t('portal.order.lines')} data-testid="portal-order-lines">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('portal.order.description')}</Table.Th>
                <Table.Th ta="right">{t('portal.order.quantity')}</Table.Th>
                <Table.Th ta="right">{t('portal.order.shippedQty')}</Table.Th>
                <Table.Th ta="right">{t('portal.order.unitPrice')}</Table.Th>
                <Table.Th ta="right">{t('portal.order.discount')}</Table.Th>
                <Table.Th ta="right">{t('portal.order.tax')}</Table.Th>
                <Table.Th ta="right">{t('portal.order.net')}</Table.Th>
                <Table.Th ta="right">{t('portal.order.total')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(o.lines ?? []).map((l) => (
                <Table.Tr key={l.id}>
                  <Table.Td>{l.description}</Table.Td>
                  <Table.Td ta="right">{formatNumber(l.quantity, lang)}</Table.Td>
                  <Table.Td ta="right">{formatNumber(l.shipped_qty, lang)}</Table.Td>
                  <Table.Td ta="right">{money(l.unit_price_minor)}</Table.Td>
                  <Table.Td ta="right">{l.discount_bp ? formatPercentBp(l.discount_bp, lang) : '—'}</Table.Td>
                  <Table.Td ta="right">{formatPercentBp(l.tax_rate_bp, lang)}</Table.Td>
                  <Table.Td ta="right">{money(l.net_minor)}</Table.Td>
                  <Table.Td ta="right">{money(l.total_minor)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <Stack gap={2} align="flex-end" mt="md">
          <Text size="sm">
            {t('portal.order.subtotal')}: {money(o.subtotal_minor)}
          </Text>
          <Text size="sm">
            {t('portal.order.tax')}: {money(o.tax_minor)}
          </Text>
          <Text fw={700}>
            {t('portal.order.total')}: {money(o.total_minor)}
          </Text>
        </Stack>
      </Card>
      {more && <PortalShipments customerId={customer.customer.id} lang={lang} orderId={o.id} />}
      <Card withBorder padding="lg">
        <Title order={2} fz="h4" mb="sm">
          {t('portal.order.invoices')}
        </Title>
        <PortalProblem error={invoices.error} />
        {invoices.isSuccess && invoiceRows.length === 0 ? (
          <Text c="dimmed">{t('portal.order.noInvoices')}</Text>
        ) : (
          <Group gap="md" data-testid="portal-order-invoices">
            {invoiceRows.map((i) => (
              <Anchor key={i.id} component={Link} to={`/portal/${slug}/invoices/${i.id}`}>
                {i.number} · {t(`invoices.statuses.${i.status}`)} · {formatMoney(i.total_minor, i.currency, lang)}
              </Anchor>
            ))}
          </Group>
        )}
      </Card>
    </Stack>
  );
}
