import { useState } from 'react';
import { ActionIcon, Badge, Button, Group, Modal, NumberInput, Select, Stack, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { DataTable } from 'mantine-datatable';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api, newIdempotencyKey, unwrap } from '../../../api/client';
import { useSession } from '../../../auth/session';
import { showError, showSaved } from '../../../components/forms';
import { FormActions } from '../../../components/FormActions';
import { LoadMore } from '../../../components/LoadMore';
import { ExportCsvButton } from '../../../components/ExportCsvButton';
import { PageHeader } from '../../../components/PageHeader';
import { AccountName, AccountPicker, PriceListPicker, ProductPicker } from '../../../components/pickers';
import { formatDate, formatMoney } from '../../../lib/format';
import { cursorQuery, useCursorList } from '../../../lib/lists';
import { useLocale } from '../../../lib/useLocale';

export const orderStatuses = ['draft', 'credit_hold', 'confirmed', 'in_production', 'ready', 'partially_shipped', 'shipped', 'invoiced', 'closed', 'cancelled'] as const;
export const statusColor: Record<string, string> = {
  draft: 'gray', credit_hold: 'orange', confirmed: 'blue', in_production: 'grape', ready: 'teal', partially_shipped: 'cyan',
  shipped: 'cyan', invoiced: 'indigo', closed: 'green', cancelled: 'red',
};

/** OrderList is the orders table, for the Orders page and an account's page. */
export function OrderList({ accountId, status }: { accountId?: string; status?: string | null }) {
  const { t } = useTranslation();
  const { lang } = useLocale();
  const navigate = useNavigate();
  const filters = { account_id: accountId ?? '', status: status ?? '' };
  const list = useCursorList(['orders', filters], (cursor) => unwrap(api.GET('/api/v1/orders', { params: { query: cursorQuery(filters, cursor) as never } })));
  return (
    <>
      <DataTable
        withTableBorder
        borderRadius="md"
        highlightOnHover
        minHeight={120}
        fetching={list.loading}
        records={list.rows}
        noRecordsText={t('orders.none')}
        onRowClick={({ record }) => navigate(`/app/orders/${record.id}`)}
        columns={[
          { accessor: 'number', title: t('orders.number') },
          { accessor: 'account_id', title: t('orders.account'), hidden: !!accountId, render: (o) => <AccountName id={o.account_id} /> },
          { accessor: 'status', title: t('common.status'), render: (o) => <Badge color={statusColor[o.status]}>{t(`orders.statuses.${o.status}`)}</Badge> },
          { accessor: 'created_at', title: t('common.created'), render: (o) => formatDate(o.created_at, lang) },
          { accessor: 'promised_date', title: t('orders.promised'), render: (o) => formatDate(o.promised_date, lang, 'UTC') },
          { accessor: 'total_minor', title: t('orders.total'), textAlign: 'right', render: (o) => formatMoney(o.total_minor, o.currency, lang) },
        ]}
      />
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.more} />
    </>
  );
}

export function Orders() {
  const { t } = useTranslation();
  const { can } = useSession();
  const navigate = useNavigate();
  const [status, setStatus] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  return (
    <>
      <PageHeader
        title={t('orders.title')}
        description={t('orders.description')}
        actions={
          <>
            <ExportCsvButton path="/api/v1/orders.csv" filters={{ status: status ?? '' }} />
            {can('orders:write') && <Button leftSection={<IconPlus size={18} />} onClick={() => setCreating(true)}>{t('orders.new')}</Button>}
          </>
        }
      />
      <Select mb="md" label={t('common.status')} clearable placeholder={t('common.all')} data={orderStatuses.map((s) => ({ value: s, label: t(`orders.statuses.${s}`) }))} value={status} onChange={setStatus} w={220} />
      <OrderList status={status} />
      {creating && <NewOrder onClose={() => setCreating(false)} onSaved={(id) => navigate(`/app/orders/${id}`)} />}
    </>
  );
}

interface LineValues {
  product_id: string | null;
  quantity: number | string;
  discount: number | string;
}

function NewOrder({ onClose, onSaved }: { onClose: () => void; onSaved: (id: string) => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const form = useForm<{ account_id: string | null; price_list_id: string | null; requested_date: string; notes: string; lines: LineValues[] }>({
    initialValues: { account_id: null, price_list_id: null, requested_date: '', notes: '', lines: [{ product_id: null, quantity: 1, discount: 0 }] },
    validate: {
      account_id: (v) => (v ? null : t('validation.required')),
      lines: { product_id: (v) => (v ? null : t('validation.required')), quantity: (v) => (Number(v) > 0 ? null : t('validation.quantity')) },
    },
  });
  const save = useMutation({
    mutationFn: (v: typeof form.values) =>
      unwrap(
        api.POST('/api/v1/orders', {
          headers: { 'Idempotency-Key': newIdempotencyKey() },
          body: {
            account_id: v.account_id ?? '',
            ...(v.price_list_id ? { price_list_id: v.price_list_id } : {}),
            ...(v.requested_date ? { requested_date: v.requested_date } : {}),
            notes: v.notes,
            // Discounts are typed as percent and sent as basis points (integers).
            lines: v.lines.map((l) => ({ product_id: l.product_id ?? '', quantity: Number(l.quantity), discount_bp: Math.round(Number(l.discount) * 100) })),
          } as never,
        }),
      ),
    onSuccess: (o) => {
      showSaved();
      qc.invalidateQueries({ queryKey: ['orders'] });
      onSaved(o.id);
      onClose();
    },
    onError: (e) => showError(e, form),
  });
  return (
    <Modal opened onClose={onClose} title={t('orders.new')} size="xl">
      <form onSubmit={form.onSubmit((v) => save.mutate(v))}>
        <Stack>
          <Group grow align="start">
            <AccountPicker label={t('orders.account')} required {...form.getInputProps('account_id')} />
            <PriceListPicker label={t('orders.priceList')} placeholder={t('orders.listPrices')} {...form.getInputProps('price_list_id')} />
            <TextInput label={t('orders.requested')} type="date" {...form.getInputProps('requested_date')} />
          </Group>
          <Title order={3} fz="h5">{t('orders.lines')}</Title>
          {form.values.lines.map((_, i) => (
            <Group key={i} align="end" wrap="nowrap">
              <ProductPicker label={t('stock.product')} required style={{ flex: 1 }} {...form.getInputProps(`lines.${i}.product_id`)} />
              <NumberInput label={t('stock.quantity')} min={1} allowDecimal={false} w={120} {...form.getInputProps(`lines.${i}.quantity`)} />
              <NumberInput label={t('orders.discount')} min={0} max={100} decimalScale={2} suffix=" %" w={110} {...form.getInputProps(`lines.${i}.discount`)} />
              <ActionIcon variant="subtle" color="red" mb={6} aria-label={t('common.delete')} disabled={form.values.lines.length === 1} onClick={() => form.removeListItem('lines', i)}>
                <IconTrash size={16} />
              </ActionIcon>
            </Group>
          ))}
          <Button variant="subtle" leftSection={<IconPlus size={16} />} onClick={() => form.insertListItem('lines', { product_id: null, quantity: 1, discount: 0 })} w="fit-content">
            {t('orders.addLine')}
          </Button>
          <TextInput label={t('orders.notes')} {...form.getInputProps('notes')} />
          <FormActions onCancel={onClose} saving={save.isPending} label={t('orders.createDraft')} />
        </Stack>
      </form>
    </Modal>
  );
}
