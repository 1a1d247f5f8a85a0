import { useState } from 'react';
import { Anchor, Badge, Button, Card, Modal, Select, SimpleGrid, Stack, Table, Text, TextInput, Timeline, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { IconTruckDelivery } from '@tabler/icons-react';
import { DataTable } from 'mantine-datatable';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { api, newIdempotencyKey, unwrap } from '../../../api/client';
import type { components } from '../../../api/schema.gen';
import { useSession } from '../../../auth/session';
import { FormActions } from '../../../components/FormActions';
import { showError, showSaved } from '../../../components/forms';
import { LoadMore } from '../../../components/LoadMore';
import { ExportCsvButton } from '../../../components/ExportCsvButton';
import { PageHeader } from '../../../components/PageHeader';
import { AccountName, ProductName } from '../../../components/pickers';
import { formatDateTime, formatNumber } from '../../../lib/format';
import { cursorQuery, useCursorList, type Page } from '../../../lib/lists';
import { useLocale } from '../../../lib/useLocale';

type Shipment = components['schemas']['Shipment'];
type ShipmentEvent = components['schemas']['ShipmentEvent'];
const statuses = ['draft', 'packed', 'shipped', 'in_transit', 'delivered', 'cancelled'] as const;
const color: Record<string, string> = { draft: 'gray', packed: 'blue', shipped: 'cyan', in_transit: 'indigo', delivered: 'green', cancelled: 'red' };
type Step = 'pack' | 'ship' | 'in-transit' | 'deliver' | 'cancel';
const next: Record<string, Step[]> = { draft: ['pack', 'cancel'], packed: ['ship', 'cancel'], shipped: ['in-transit', 'deliver'], in_transit: ['deliver'] };

/** ShipmentList is the shipments table, for the Shipments page and an order's page. */
export function ShipmentList({ orderId, status }: { orderId?: string; status?: string | null }) {
  const { t } = useTranslation();
  const { lang, timeZone } = useLocale();
  const navigate = useNavigate();
  const filters = { order_id: orderId ?? '', status: status ?? '' };
  // Staff read full Shipments; the API's CustomerShipment alternative is the portal's (P2).
  const list = useCursorList(['shipments', filters], async (cursor) => (await unwrap(api.GET('/api/v1/shipments', { params: { query: cursorQuery(filters, cursor) as never } }))) as Page<Shipment>);
  return (
    <>
      <DataTable
        withTableBorder
        borderRadius="md"
        highlightOnHover
        minHeight={100}
        fetching={list.loading}
        records={list.rows}
        noRecordsText={t('shipments.none')}
        onRowClick={({ record }) => navigate(`/app/shipments/${record.id}`)}
        columns={[
          { accessor: 'number', title: t('orders.number') },
          { accessor: 'account_id', title: t('orders.account'), render: (s) => <AccountName id={s.account_id} /> },
          { accessor: 'status', title: t('common.status'), render: (s) => <Badge color={color[s.status]}>{t(`shipments.statuses.${s.status}`)}</Badge> },
          { accessor: 'carrier', title: t('shipments.carrier') },
          { accessor: 'shipped_at', title: t('shipments.shippedAt'), render: (s) => formatDateTime(s.shipped_at, lang, timeZone) },
        ]}
      />
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.more} />
    </>
  );
}

export function Shipments() {
  const { t } = useTranslation();
  const [status, setStatus] = useState<string | null>(null);
  return (
    <>
      <PageHeader title={t('shipments.title')} description={t('shipments.description')} actions={<ExportCsvButton path="/api/v1/shipments.csv" filters={{ status: status ?? '' }} />} />
      <Select mb="md" label={t('common.status')} clearable placeholder={t('common.all')} data={statuses.map((s) => ({ value: s, label: t(`shipments.statuses.${s}`) }))} value={status} onChange={setStatus} w={220} />
      <ShipmentList status={status} />
    </>
  );
}

/** NewShipment ships everything reserved and not yet shipped of an order (lines can be trimmed later by partial shipments). */
export function NewShipmentButton({ orderId }: { orderId: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const form = useForm({ initialValues: { carrier: '', tracking_number: '', tracking_url: '' } });
  const save = useMutation({
    mutationFn: (v: typeof form.values) =>
      unwrap(
        api.POST('/api/v1/shipments', {
          headers: { 'Idempotency-Key': newIdempotencyKey() },
          body: { order_id: orderId, ...Object.fromEntries(Object.entries(v).filter(([, x]) => x.trim())) } as never,
        }),
      ),
    onSuccess: (s) => {
      showSaved();
      qc.invalidateQueries({ queryKey: ['shipments'] });
      navigate(`/app/shipments/${s.id}`);
    },
    onError: (e) => showError(e, form),
  });
  return (
    <>
      <Button variant="light" leftSection={<IconTruckDelivery size={18} />} onClick={() => setOpen(true)}>
        {t('shipments.new')}
      </Button>
      {open && (
        <Modal opened onClose={() => setOpen(false)} title={t('shipments.new')}>
          <form onSubmit={form.onSubmit((v) => save.mutate(v))}>
            <Stack>
              <Text size="sm" c="dimmed">{t('shipments.newHelp')}</Text>
              <TextInput label={t('shipments.carrier')} {...form.getInputProps('carrier')} />
              <TextInput label={t('shipments.trackingNumber')} {...form.getInputProps('tracking_number')} />
              <TextInput label={t('shipments.trackingUrl')} placeholder="https://" {...form.getInputProps('tracking_url')} />
              <FormActions onCancel={() => setOpen(false)} saving={save.isPending} label={t('shipments.create')} />
            </Stack>
          </form>
        </Modal>
      )}
    </>
  );
}

export function ShipmentDetail() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const { can } = useSession();
  const { lang, timeZone } = useLocale();
  const qc = useQueryClient();
  const shipment = useQuery({ queryKey: ['shipments', id], queryFn: async () => (await unwrap(api.GET('/api/v1/shipments/{id}', { params: { path: { id } } }))) as Shipment });
  const events = useQuery({ queryKey: ['shipments', id, 'events'], queryFn: async () => (await unwrap(api.GET('/api/v1/shipments/{id}/events', { params: { path: { id } } }))) as Page<ShipmentEvent> });
  const act = useMutation({
    mutationFn: (step: Step) => {
      const p = { params: { path: { id } } };
      switch (step) {
        case 'pack':
          return unwrap(api.POST('/api/v1/shipments/{id}/pack', p));
        case 'ship':
          return unwrap(api.POST('/api/v1/shipments/{id}/ship', p));
        case 'in-transit':
          return unwrap(api.POST('/api/v1/shipments/{id}/in-transit', p));
        case 'deliver':
          return unwrap(api.POST('/api/v1/shipments/{id}/deliver', p));
        default:
          return unwrap(api.POST('/api/v1/shipments/{id}/cancel', p));
      }
    },
    onSuccess: () => {
      showSaved();
      for (const k of ['shipments', 'orders', 'stock', 'lots']) qc.invalidateQueries({ queryKey: [k] });
    },
    onError: (e) => showError(e),
  });
  const s = shipment.data;
  if (!s) return null;
  return (
    <>
      <PageHeader
        title={t('shipments.shipment', { number: s.number })}
        actions={
          can('shipments:write') &&
          (next[s.status] ?? []).map((step) => (
            <Button key={step} color={step === 'cancel' ? 'red' : undefined} variant={step === 'cancel' ? 'light' : 'filled'} loading={act.isPending && act.variables === step} onClick={() => act.mutate(step)}>
              {t(`shipments.actions.${step}`)}
            </Button>
          ))
        }
      />
      <Card withBorder mb="lg">
        <SimpleGrid cols={{ base: 2, md: 4 }}>
          <Stack gap={0}>
            <Text size="xs" c="dimmed">{t('common.status')}</Text>
            <Badge color={color[s.status]} data-testid="shipment-status">{t(`shipments.statuses.${s.status}`)}</Badge>
          </Stack>
          <Stack gap={0}>
            <Text size="xs" c="dimmed">{t('shipments.order')}</Text>
            <Anchor component={Link} to={`/app/orders/${s.order_id}`}>{t('shipments.openOrder')}</Anchor>
          </Stack>
          <Stack gap={0}>
            <Text size="xs" c="dimmed">{t('shipments.carrier')}</Text>
            <Text>{s.carrier || '—'}</Text>
          </Stack>
          <Stack gap={0}>
            <Text size="xs" c="dimmed">{t('shipments.trackingNumber')}</Text>
            {s.tracking_url ? <Anchor href={s.tracking_url} target="_blank" rel="noreferrer">{s.tracking_number || s.tracking_url}</Anchor> : <Text>{s.tracking_number || '—'}</Text>}
          </Stack>
        </SimpleGrid>
      </Card>
      <Table withTableBorder striped mb="lg">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('stock.product')}</Table.Th>
            <Table.Th ta="right">{t('stock.quantity')}</Table.Th>
            <Table.Th ta="right">{t('shipments.delivered')}</Table.Th>
            <Table.Th>{t('lots.title')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(s.lines ?? []).map((l) => (
            <Table.Tr key={l.id}>
              <Table.Td><ProductName id={l.product_id} /></Table.Td>
              <Table.Td ta="right">{formatNumber(l.quantity, lang)}</Table.Td>
              <Table.Td ta="right">{formatNumber(l.delivered_qty, lang)}</Table.Td>
              <Table.Td>
                {(l.lots ?? []).filter((x) => x.lot_id).map((x) => (
                  <Anchor key={x.lot_id} component={Link} to={`/app/lots/${x.lot_id}`} mr="xs">{formatNumber(x.quantity, lang)}</Anchor>
                ))}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Title order={2} fz="h4" mb="md">{t('shipments.timeline')}</Title>
      <Timeline active={(events.data?.items.length ?? 1) - 1} bulletSize={14} lineWidth={2}>
        {(events.data?.items ?? []).map((e) => (
          <Timeline.Item key={e.id} title={t(`shipments.statuses.${e.status}`)}>
            <Text size="xs" c="dimmed">{formatDateTime(e.at, lang, timeZone)}</Text>
            {e.note && <Text size="sm">{e.note}</Text>}
          </Timeline.Item>
        ))}
      </Timeline>
    </>
  );
}
