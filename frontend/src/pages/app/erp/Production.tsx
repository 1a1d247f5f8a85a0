import { useState } from 'react';
import { Anchor, Badge, Button, Card, Modal, NumberInput, Select, SimpleGrid, Stack, Table, Text, Timeline, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { IconBolt, IconPlus } from '@tabler/icons-react';
import { DataTable } from 'mantine-datatable';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { api, newIdempotencyKey, unwrap } from '../../../api/client';
import { useSession } from '../../../auth/session';
import { FormActions } from '../../../components/FormActions';
import { showError, showSaved } from '../../../components/forms';
import { LoadMore } from '../../../components/LoadMore';
import { PageHeader } from '../../../components/PageHeader';
import { ProductName, ProductPicker } from '../../../components/pickers';
import { formatDate, formatDateTime, formatNumber } from '../../../lib/format';
import { cursorQuery, useCursorList } from '../../../lib/lists';
import { useLocale } from '../../../lib/useLocale';

const statuses = ['planned', 'released', 'in_progress', 'completed', 'cancelled'] as const;
const color: Record<string, string> = { planned: 'gray', released: 'blue', in_progress: 'grape', completed: 'green', cancelled: 'red' };

export function ProductionOrders() {
  const { t } = useTranslation();
  const { can } = useSession();
  const { lang } = useLocale();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [params] = useSearchParams();
  const [status, setStatus] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const filters = { status: status ?? '', product_id: params.get('product_id') ?? '' };
  const list = useCursorList(['production-orders', filters], (cursor) =>
    unwrap(api.GET('/api/v1/production-orders', { params: { query: cursorQuery(filters, cursor) as never } })),
  );
  const plan = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/production-orders/plan', {})),
    onSuccess: (r) => {
      showSaved(t('production.planned', { count: r.created.length }));
      qc.invalidateQueries({ queryKey: ['production-orders'] });
    },
    onError: (e) => showError(e),
  });
  const write = can('production:write');
  return (
    <>
      <PageHeader
        title={t('production.title')}
        description={t('production.description')}
        actions={
          write && (
            <>
              <Button variant="default" leftSection={<IconBolt size={18} />} loading={plan.isPending} onClick={() => plan.mutate()}>
                {t('production.plan')}
              </Button>
              <Button leftSection={<IconPlus size={18} />} onClick={() => setCreating(true)}>
                {t('production.new')}
              </Button>
            </>
          )
        }
      />
      <Select mb="md" label={t('common.status')} clearable placeholder={t('common.all')} data={statuses.map((s) => ({ value: s, label: t(`production.statuses.${s}`) }))} value={status} onChange={setStatus} w={220} />
      <DataTable
        withTableBorder
        borderRadius="md"
        highlightOnHover
        minHeight={120}
        fetching={list.loading}
        records={list.rows}
        noRecordsText={t('production.none')}
        onRowClick={({ record }) => navigate(`/app/production/${record.id}`)}
        columns={[
          { accessor: 'number', title: t('orders.number') },
          { accessor: 'product_id', title: t('stock.product'), render: (o) => <ProductName id={o.product_id} /> },
          { accessor: 'quantity', title: t('stock.quantity'), textAlign: 'right', render: (o) => formatNumber(o.quantity, lang) },
          { accessor: 'status', title: t('common.status'), render: (o) => <Badge color={color[o.status]}>{t(`production.statuses.${o.status}`)}</Badge> },
          { accessor: 'due_date', title: t('production.due'), render: (o) => formatDate(o.due_date, lang, 'UTC') },
        ]}
      />
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.more} />
      {creating && <NewProductionOrder onClose={() => setCreating(false)} onSaved={(id) => navigate(`/app/production/${id}`)} />}
    </>
  );
}

function NewProductionOrder({ onClose, onSaved }: { onClose: () => void; onSaved: (id: string) => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const form = useForm<{ product_id: string | null; quantity: number | string }>({
    initialValues: { product_id: null, quantity: 100 },
    validate: { product_id: (v) => (v ? null : t('validation.required')), quantity: (v) => (Number(v) > 0 ? null : t('validation.quantity')) },
  });
  const save = useMutation({
    mutationFn: (v: typeof form.values) =>
      unwrap(api.POST('/api/v1/production-orders', { body: { product_id: v.product_id ?? '', quantity: Number(v.quantity) }, headers: { 'Idempotency-Key': newIdempotencyKey() } })),
    onSuccess: (o) => {
      showSaved();
      qc.invalidateQueries({ queryKey: ['production-orders'] });
      onSaved(o.id);
      onClose();
    },
    onError: (e) => showError(e, form),
  });
  return (
    <Modal opened onClose={onClose} title={t('production.new')}>
      <form onSubmit={form.onSubmit((v) => save.mutate(v))}>
        <Stack>
          <ProductPicker label={t('stock.product')} filterType="manufactured" required {...form.getInputProps('product_id')} />
          <NumberInput label={t('stock.quantity')} min={1} allowDecimal={false} required {...form.getInputProps('quantity')} />
          <FormActions onCancel={onClose} saving={save.isPending} />
        </Stack>
      </form>
    </Modal>
  );
}

const next: Record<string, ('release' | 'start' | 'complete')[]> = { planned: ['release'], released: ['start'], in_progress: ['complete'] };

export function ProductionOrderDetail() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const { can } = useSession();
  const { lang, timeZone } = useLocale();
  const qc = useQueryClient();
  const order = useQuery({ queryKey: ['production-orders', id], queryFn: () => unwrap(api.GET('/api/v1/production-orders/{id}', { params: { path: { id } } })) });
  const history = useQuery({ queryKey: ['production-orders', id, 'history'], queryFn: () => unwrap(api.GET('/api/v1/production-orders/{id}/history', { params: { path: { id } } })) });
  const act = useMutation({
    mutationFn: (a: 'release' | 'start' | 'complete' | 'cancel') => {
      const path = { params: { path: { id } } };
      switch (a) {
        case 'release':
          return unwrap(api.POST('/api/v1/production-orders/{id}/release', path));
        case 'start':
          return unwrap(api.POST('/api/v1/production-orders/{id}/start', path));
        case 'complete':
          return unwrap(api.POST('/api/v1/production-orders/{id}/complete', path));
        default:
          return unwrap(api.POST('/api/v1/production-orders/{id}/cancel', path));
      }
    },
    onSuccess: () => {
      showSaved();
      for (const k of ['production-orders', 'orders', 'stock', 'lots']) qc.invalidateQueries({ queryKey: [k] });
    },
    onError: (e) => showError(e),
  });
  const o = order.data;
  if (!o) return null;
  const n = (v: number) => formatNumber(v, lang);
  const write = can('production:write');
  return (
    <>
      <PageHeader
        title={t('production.order', { number: o.number })}
        actions={
          write && (
            <>
              {(next[o.status] ?? []).map((a) => (
                <Button key={a} loading={act.isPending && act.variables === a} onClick={() => act.mutate(a)}>
                  {t(`production.actions.${a}`)}
                </Button>
              ))}
              {['planned', 'released', 'in_progress'].includes(o.status) && (
                <Button color="red" variant="light" loading={act.isPending && act.variables === 'cancel'} onClick={() => act.mutate('cancel')}>
                  {t('production.actions.cancel')}
                </Button>
              )}
            </>
          )
        }
      />
      <Card withBorder mb="lg">
        <SimpleGrid cols={{ base: 2, md: 5 }}>
          <Stack gap={0}>
            <Text size="xs" c="dimmed">{t('common.status')}</Text>
            <Badge color={color[o.status]} data-testid="production-status">{t(`production.statuses.${o.status}`)}</Badge>
          </Stack>
          <Stack gap={0}>
            <Text size="xs" c="dimmed">{t('stock.product')}</Text>
            <Anchor component={Link} to={`/app/products/${o.product_id}`}><ProductName id={o.product_id} /></Anchor>
          </Stack>
          <Stack gap={0}>
            <Text size="xs" c="dimmed">{t('stock.quantity')}</Text>
            <Text>{n(o.quantity)}</Text>
          </Stack>
          <Stack gap={0}>
            <Text size="xs" c="dimmed">{t('production.due')}</Text>
            <Text>{formatDate(o.due_date, lang, 'UTC')}</Text>
          </Stack>
          <Stack gap={0}>
            <Text size="xs" c="dimmed">{t('stock.lot')}</Text>
            {o.lot_id ? <Anchor component={Link} to={`/app/lots/${o.lot_id}`} data-testid="produced-lot">{t('stock.openLot')}</Anchor> : <Text>—</Text>}
          </Stack>
        </SimpleGrid>
      </Card>
      <Title order={2} fz="h4" mb="sm">{t('production.components')}</Title>
      <Table withTableBorder striped mb="lg">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('products.component')}</Table.Th>
            <Table.Th ta="right">{t('products.perUnit')}</Table.Th>
            <Table.Th ta="right">{t('production.required')}</Table.Th>
            <Table.Th ta="right">{t('stock.reserved')}</Table.Th>
            <Table.Th ta="right">{t('production.consumed')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(o.components ?? []).map((c) => (
            <Table.Tr key={c.component_id}>
              <Table.Td><ProductName id={c.component_id} /></Table.Td>
              <Table.Td ta="right">{n(c.quantity_per_unit)}</Table.Td>
              <Table.Td ta="right">{n(c.required_qty)}</Table.Td>
              <Table.Td ta="right">{n(c.reserved_qty)}</Table.Td>
              <Table.Td ta="right">{n(c.consumed_qty)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {(o.demands ?? []).length > 0 && <Text size="sm" c="dimmed" mb="lg">{t('production.forOrders', { count: o.demands?.length ?? 0 })}</Text>}
      <Title order={2} fz="h4" mb="md">{t('orders.history')}</Title>
      <Timeline active={(history.data?.items.length ?? 1) - 1} bulletSize={14} lineWidth={2}>
        {(history.data?.items ?? []).map((h) => (
          <Timeline.Item key={h.id} title={t(`production.statuses.${h.to}`)}>
            <Text size="xs" c="dimmed">{formatDateTime(h.at, lang, timeZone)}</Text>
            {h.note && <Text size="sm">{h.note}</Text>}
          </Timeline.Item>
        ))}
      </Timeline>
    </>
  );
}
