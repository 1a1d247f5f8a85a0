import { useState } from 'react';
import { ActionIcon, Badge, Button, Card, Group, Modal, NumberInput, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { DataTable } from 'mantine-datatable';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { api, newIdempotencyKey, unwrap } from '../../../api/client';
import { useSession } from '../../../auth/session';
import { FormActions } from '../../../components/FormActions';
import { showError, showSaved } from '../../../components/forms';
import { LoadMore } from '../../../components/LoadMore';
import { PageHeader } from '../../../components/PageHeader';
import { ProductName, ProductPicker } from '../../../components/pickers';
import { formatMoney, formatNumber, parseMoneyToMinor } from '../../../lib/format';
import { cursorQuery, useCursorList } from '../../../lib/lists';
import { useLocale } from '../../../lib/useLocale';

export function PriceLists() {
  const { t } = useTranslation();
  const { can } = useSession();
  const navigate = useNavigate();
  const [creating, setCreating] = useState(false);
  const list = useCursorList(['price-lists', 'page'], (cursor) => unwrap(api.GET('/api/v1/price-lists', { params: { query: cursorQuery({}, cursor) } })));
  return (
    <>
      <PageHeader
        title={t('priceLists.title')}
        description={t('priceLists.description')}
        actions={can('products:write') && <Button leftSection={<IconPlus size={18} />} onClick={() => setCreating(true)}>{t('priceLists.new')}</Button>}
      />
      <DataTable
        withTableBorder
        borderRadius="md"
        highlightOnHover
        minHeight={120}
        fetching={list.loading}
        records={list.rows}
        noRecordsText={t('priceLists.none')}
        onRowClick={({ record }) => navigate(`/app/price-lists/${record.id}`)}
        columns={[
          { accessor: 'name', title: t('common.name') },
          { accessor: 'currency', title: t('priceLists.currency') },
          { accessor: 'active', title: t('common.status'), render: (p) => <Badge color={p.active ? 'green' : 'gray'}>{p.active ? t('common.active') : t('common.inactive')}</Badge> },
        ]}
      />
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.more} />
      {creating && <NewPriceList onClose={() => setCreating(false)} onSaved={(id) => navigate(`/app/price-lists/${id}`)} />}
    </>
  );
}

function NewPriceList({ onClose, onSaved }: { onClose: () => void; onSaved: (id: string) => void }) {
  const { t } = useTranslation();
  const { me } = useSession();
  const qc = useQueryClient();
  const form = useForm({
    initialValues: { name: '', currency: me?.tenant.base_currency ?? 'EUR' },
    validate: { name: (v) => (v.trim() ? null : t('validation.required')), currency: (v) => (/^[A-Z]{3}$/.test(v) ? null : 'EUR, USD…') },
  });
  const save = useMutation({
    mutationFn: (v: typeof form.values) => unwrap(api.POST('/api/v1/price-lists', { body: { name: v.name.trim(), currency: v.currency }, headers: { 'Idempotency-Key': newIdempotencyKey() } })),
    onSuccess: (p) => {
      showSaved();
      qc.invalidateQueries({ queryKey: ['price-lists'] });
      onSaved(p.id);
      onClose();
    },
    onError: (e) => showError(e, form),
  });
  return (
    <Modal opened onClose={onClose} title={t('priceLists.new')}>
      <form onSubmit={form.onSubmit((v) => save.mutate(v))}>
        <Stack>
          <TextInput label={t('common.name')} required {...form.getInputProps('name')} />
          <TextInput label={t('priceLists.currency')} maxLength={3} required {...form.getInputProps('currency')} />
          <FormActions onCancel={onClose} saving={save.isPending} />
        </Stack>
      </form>
    </Modal>
  );
}

/** PriceListDetail edits a list's prices: one per product and minimum quantity (quantity breaks). */
export function PriceListDetail() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const { can } = useSession();
  const { lang } = useLocale();
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ['price-lists', id], queryFn: () => unwrap(api.GET('/api/v1/price-lists/{id}', { params: { path: { id } } })) });
  const [product, setProduct] = useState<string | null>(null);
  const [minQty, setMinQty] = useState<number | string>(1);
  const [price, setPrice] = useState('');
  const save = useMutation({
    mutationFn: (items: { product_id: string; min_quantity: number; price_minor: number }[]) =>
      unwrap(api.PUT('/api/v1/price-lists/{id}/items', { params: { path: { id } }, body: { items } })),
    onSuccess: () => {
      showSaved();
      setProduct(null);
      setPrice('');
      qc.invalidateQueries({ queryKey: ['price-lists', id] });
    },
    onError: (e) => showError(e),
  });
  const pl = list.data;
  if (!pl) return null;
  const items = (pl.items ?? []).map((i) => ({ product_id: i.product_id, min_quantity: i.min_quantity, price_minor: i.price_minor }));
  const minor = parseMoneyToMinor(price, pl.currency);
  const edit = can('products:write');
  return (
    <>
      <PageHeader title={pl.name} description={`${pl.currency} · ${pl.active ? t('common.active') : t('common.inactive')}`} />
      <Card withBorder>
        <Title order={2} fz="h4" mb="sm">{t('priceLists.prices')}</Title>
        {items.length === 0 && <Text c="dimmed">{t('priceLists.empty')}</Text>}
        {items.length > 0 && (
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('stock.product')}</Table.Th>
                <Table.Th ta="right">{t('priceLists.fromQty')}</Table.Th>
                <Table.Th ta="right">{t('priceLists.price')}</Table.Th>
                {edit && <Table.Th />}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((i) => (
                <Table.Tr key={`${i.product_id}-${i.min_quantity}`}>
                  <Table.Td><ProductName id={i.product_id} /></Table.Td>
                  <Table.Td ta="right">{formatNumber(i.min_quantity, lang)}</Table.Td>
                  <Table.Td ta="right">{formatMoney(i.price_minor, pl.currency, lang)}</Table.Td>
                  {edit && (
                    <Table.Td ta="right">
                      <ActionIcon variant="subtle" color="red" aria-label={t('common.delete')} onClick={() => save.mutate(items.filter((x) => x !== i))}>
                        <IconTrash size={16} />
                      </ActionIcon>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {edit && (
          <Group mt="md" align="end">
            <ProductPicker label={t('stock.product')} value={product} onChange={setProduct} w={300} />
            <NumberInput label={t('priceLists.fromQty')} min={1} allowDecimal={false} value={minQty} onChange={setMinQty} w={120} />
            <TextInput label={t('priceLists.price')} description={pl.currency} inputMode="decimal" value={price} onChange={(e) => setPrice(e.currentTarget.value)} w={140} />
            <Button disabled={!product || minor === null} loading={save.isPending} onClick={() => product && minor !== null && save.mutate([...items, { product_id: product, min_quantity: Number(minQty) || 1, price_minor: minor }])}>
              {t('priceLists.addPrice')}
            </Button>
          </Group>
        )}
      </Card>
    </>
  );
}
