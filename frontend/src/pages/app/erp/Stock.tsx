import { useState } from 'react';
import { Badge, Button, Group, Modal, NumberInput, SegmentedControl, Stack, Tabs, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { IconPackageImport } from '@tabler/icons-react';
import { DataTable } from 'mantine-datatable';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, newIdempotencyKey, unwrap } from '../../../api/client';
import { useSession } from '../../../auth/session';
import { showError, showSaved } from '../../../components/forms';
import { FormActions } from '../../../components/FormActions';
import { LoadMore } from '../../../components/LoadMore';
import { ExportCsvButton } from '../../../components/ExportCsvButton';
import { PageHeader } from '../../../components/PageHeader';
import { ProductName, ProductPicker, WarehousePicker } from '../../../components/pickers';
import { formatDateTime, formatNumber } from '../../../lib/format';
import { cursorQuery, useCursorList } from '../../../lib/lists';
import { useLocale } from '../../../lib/useLocale';

/** StockLevels lists on hand / reserved / available per warehouse and lot. */
export function StockLevels({ productId, warehouseId }: { productId?: string | null; warehouseId?: string | null }) {
  const { t } = useTranslation();
  const { lang } = useLocale();
  const filters = { product_id: productId ?? '', warehouse_id: warehouseId ?? '' };
  const list = useCursorList(['stock', filters], (cursor) => unwrap(api.GET('/api/v1/stock', { params: { query: cursorQuery(filters, cursor) as never } })));
  const n = (v: number) => formatNumber(v, lang);
  return (
    <>
      <DataTable
        withTableBorder
        borderRadius="md"
        minHeight={120}
        fetching={list.loading}
        records={list.rows}
        noRecordsText={t('stock.none')}
        columns={[
          { accessor: 'product_id', title: t('stock.product'), hidden: !!productId, render: (l) => <Link to={`/app/products/${l.product_id}`}><ProductName id={l.product_id} /></Link> },
          { accessor: 'warehouse_id', title: t('stock.warehouse'), render: (l) => <WarehouseName id={l.warehouse_id} /> },
          { accessor: 'lot_id', title: t('stock.lot'), render: (l) => (l.lot_id ? <Link to={`/app/lots/${l.lot_id}`}>{t('stock.openLot')}</Link> : '—') },
          { accessor: 'on_hand', title: t('stock.onHand'), textAlign: 'right', render: (l) => n(l.on_hand) },
          { accessor: 'reserved', title: t('stock.reserved'), textAlign: 'right', render: (l) => n(l.reserved) },
          { accessor: 'quarantined', title: t('stock.quarantined'), textAlign: 'right', render: (l) => n(l.quarantined) },
          { accessor: 'available', title: t('stock.available'), textAlign: 'right', render: (l) => <b>{n(l.available)}</b> },
          {
            accessor: 'on_hold',
            title: t('common.status'),
            render: (l) => (l.on_hold ? <Badge color="red">{t('lots.onHold')}</Badge> : l.expired ? <Badge color="orange">{t('lots.expired')}</Badge> : null),
          },
        ]}
      />
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.more} />
    </>
  );
}

function WarehouseName({ id }: { id: string }) {
  const list = useCursorList(['warehouses', 'names'], () => unwrap(api.GET('/api/v1/warehouses', { params: { query: { limit: 100 } } })));
  const w = list.rows.find((x) => x.id === id);
  return <>{w ? `${w.code} · ${w.name}` : '…'}</>;
}

export function Stock() {
  const { t } = useTranslation();
  const { can } = useSession();
  const [product, setProduct] = useState<string | null>(null);
  const [warehouse, setWarehouse] = useState<string | null>(null);
  const [moving, setMoving] = useState(false);
  const [tab, setTab] = useState<string | null>('levels');
  const filters = { product_id: product ?? '', warehouse_id: warehouse ?? '' };
  return (
    <>
      <PageHeader
        title={t('stock.title')}
        description={t('stock.description')}
        actions={
          <>
            <ExportCsvButton path={tab === 'moves' ? '/api/v1/stock-moves.csv' : '/api/v1/stock.csv'} filters={filters} />
            {can('stock:adjust') && (
              <Button leftSection={<IconPackageImport size={18} />} onClick={() => setMoving(true)}>
                {t('stock.receiveOrAdjust')}
              </Button>
            )}
          </>
        }
      />
      <Group mb="md" align="end">
        <ProductPicker label={t('stock.product')} value={product} onChange={setProduct} w={320} />
        <WarehousePicker label={t('stock.warehouse')} value={warehouse} onChange={setWarehouse} clearable w={240} />
      </Group>
      <Tabs value={tab} onChange={setTab}>
        <Tabs.List mb="md">
          <Tabs.Tab value="levels">{t('stock.levels')}</Tabs.Tab>
          <Tabs.Tab value="moves">{t('stock.moves')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="levels">
          <StockLevels productId={product} warehouseId={warehouse} />
        </Tabs.Panel>
        <Tabs.Panel value="moves">
          <Moves productId={product} warehouseId={warehouse} />
        </Tabs.Panel>
      </Tabs>
      {moving && <MoveForm onClose={() => setMoving(false)} />}
    </>
  );
}

function Moves({ productId, warehouseId }: { productId: string | null; warehouseId: string | null }) {
  const { t } = useTranslation();
  const { lang, timeZone } = useLocale();
  const filters = { product_id: productId ?? '', warehouse_id: warehouseId ?? '' };
  const list = useCursorList(['stock-moves', filters], (cursor) => unwrap(api.GET('/api/v1/stock-moves', { params: { query: cursorQuery(filters, cursor) as never } })));
  const signed = (v: number) => (v > 0 ? `+${formatNumber(v, lang)}` : v < 0 ? formatNumber(v, lang) : '');
  return (
    <>
      <DataTable
        withTableBorder
        borderRadius="md"
        minHeight={120}
        fetching={list.loading}
        records={list.rows}
        noRecordsText={t('stock.noMoves')}
        columns={[
          { accessor: 'created_at', title: t('common.when'), render: (m) => formatDateTime(m.created_at, lang, timeZone) },
          { accessor: 'kind', title: t('stock.kind'), render: (m) => <Badge variant="light">{t(`stock.kinds.${m.kind}`, { defaultValue: m.kind })}</Badge> },
          { accessor: 'on_hand_delta', title: t('stock.onHand'), textAlign: 'right', render: (m) => signed(m.on_hand_delta) },
          { accessor: 'reserved_delta', title: t('stock.reserved'), textAlign: 'right', render: (m) => signed(m.reserved_delta) },
          { accessor: 'reason', title: t('stock.reason') },
          { accessor: 'ref_type', title: t('stock.document'), render: (m) => (m.ref_type ? t(`stock.refs.${m.ref_type}`, { defaultValue: m.ref_type }) : '—') },
        ]}
      />
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.more} />
    </>
  );
}

interface MoveValues {
  kind: 'receipt' | 'adjustment';
  product_id: string | null;
  warehouse_id: string | null;
  quantity: number | string;
  lot_code: string;
  production_date: string;
  expires_on: string;
  reason: string;
}

/** MoveForm records a receipt (goods in) or an adjustment (count correction). */
function MoveForm({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const form = useForm<MoveValues>({
    initialValues: { kind: 'receipt', product_id: null, warehouse_id: null, quantity: 1, lot_code: '', production_date: '', expires_on: '', reason: '' },
    validate: {
      product_id: (v) => (v ? null : t('validation.required')),
      warehouse_id: (v) => (v ? null : t('validation.required')),
      quantity: (v, all) => (Number(v) === 0 || (all.kind === 'receipt' && Number(v) < 0) ? t('validation.quantity') : null),
      reason: (v, all) => (all.kind === 'adjustment' && !v.trim() ? t('validation.required') : null),
    },
  });
  const save = useMutation({
    mutationFn: (v: MoveValues) => {
      const opt = (s: string) => (s.trim() ? s.trim() : undefined);
      return unwrap(
        api.POST('/api/v1/stock-moves', {
          headers: { 'Idempotency-Key': newIdempotencyKey() },
          body: {
            kind: v.kind,
            product_id: v.product_id ?? '',
            warehouse_id: v.warehouse_id ?? '',
            quantity: Number(v.quantity),
            reason: opt(v.reason),
            ...(v.kind === 'receipt' ? { lot_code: opt(v.lot_code), production_date: opt(v.production_date), expires_on: opt(v.expires_on) } : {}),
          } as never,
        }),
      );
    },
    onSuccess: () => {
      showSaved();
      for (const k of ['stock', 'stock-moves', 'lots']) qc.invalidateQueries({ queryKey: [k] });
      onClose();
    },
    onError: (e) => showError(e, form),
  });
  const receipt = form.values.kind === 'receipt';
  return (
    <Modal opened onClose={onClose} title={t('stock.receiveOrAdjust')}>
      <form onSubmit={form.onSubmit((v) => save.mutate(v))}>
        <Stack>
          <SegmentedControl
            data={[
              { value: 'receipt', label: t('stock.kinds.receipt') },
              { value: 'adjustment', label: t('stock.kinds.adjustment') },
            ]}
            {...form.getInputProps('kind')}
          />
          <ProductPicker label={t('stock.product')} required {...form.getInputProps('product_id')} />
          <WarehousePicker label={t('stock.warehouse')} required {...form.getInputProps('warehouse_id')} />
          <NumberInput label={t('stock.quantity')} description={receipt ? undefined : t('stock.adjustHelp')} allowDecimal={false} required {...form.getInputProps('quantity')} />
          {receipt && (
            <Group grow>
              <TextInput label={t('lots.code')} description={t('stock.lotHelp')} {...form.getInputProps('lot_code')} />
              <TextInput label={t('lots.productionDate')} type="date" {...form.getInputProps('production_date')} />
              <TextInput label={t('lots.expiresOn')} type="date" {...form.getInputProps('expires_on')} />
            </Group>
          )}
          <TextInput label={t('stock.reason')} required={!receipt} {...form.getInputProps('reason')} />
          <FormActions onCancel={onClose} saving={save.isPending} />
        </Stack>
      </form>
    </Modal>
  );
}
