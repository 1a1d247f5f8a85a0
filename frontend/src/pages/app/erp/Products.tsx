import { useState } from 'react';
import { Badge, Button, Group, Select, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconFileImport, IconPlus, IconSearch } from '@tabler/icons-react';
import { DataTable } from 'mantine-datatable';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api, unwrap } from '../../../api/client';
import { useSession } from '../../../auth/session';
import { LoadMore } from '../../../components/LoadMore';
import { ExportCsvButton } from '../../../components/ExportCsvButton';
import { PageHeader } from '../../../components/PageHeader';
import { formatMoney, formatNumber } from '../../../lib/format';
import { cursorQuery, useCursorList } from '../../../lib/lists';
import { useLocale } from '../../../lib/useLocale';
import { ImportProducts } from './ImportProducts';
import { ProductForm } from './ProductForm';

export const productTypes = ['stocked', 'manufactured', 'purchased', 'service'] as const;

export function Products() {
  const { t } = useTranslation();
  const { can } = useSession();
  const { lang } = useLocale();
  const navigate = useNavigate();
  const [q, setQ] = useState('');
  const [type, setType] = useState<string | null>(null);
  const [active, setActive] = useState<string | null>('true');
  const [debounced] = useDebouncedValue(q, 250);
  const [creating, setCreating] = useState(false);
  const [importing, setImporting] = useState(false);
  const filters = { q: debounced, type: type ?? '', active: active ?? '' };
  const list = useCursorList(['products', filters], (cursor) =>
    unwrap(api.GET('/api/v1/products', { params: { query: cursorQuery(filters, cursor) as never } })),
  );
  const write = can('products:write');
  return (
    <>
      <PageHeader
        title={t('products.title')}
        description={t('products.description')}
        actions={
          <>
            <ExportCsvButton path="/api/v1/products.csv" filters={filters} />
            {write && can('imports:run') && (
              <Button variant="default" leftSection={<IconFileImport size={18} />} onClick={() => setImporting(true)}>
                {t('products.import')}
              </Button>
            )}
            {write && (
              <Button leftSection={<IconPlus size={18} />} onClick={() => setCreating(true)}>
                {t('products.new')}
              </Button>
            )}
          </>
        }
      />
      <Group mb="md" align="end">
        <TextInput label={t('common.search')} placeholder={t('products.searchHint')} leftSection={<IconSearch size={16} />} value={q} onChange={(e) => setQ(e.currentTarget.value)} w={280} />
        <Select label={t('products.type')} clearable placeholder={t('common.all')} data={productTypes.map((v) => ({ value: v, label: t(`products.types.${v}`) }))} value={type} onChange={setType} w={200} />
        <Select label={t('common.status')} clearable placeholder={t('common.all')} data={[{ value: 'true', label: t('common.active') }, { value: 'false', label: t('common.inactive') }]} value={active} onChange={setActive} w={160} />
      </Group>
      <DataTable
        withTableBorder
        borderRadius="md"
        highlightOnHover
        minHeight={160}
        fetching={list.loading}
        records={list.rows}
        noRecordsText={t('products.none')}
        onRowClick={({ record }) => navigate(`/app/products/${record.id}`)}
        columns={[
          { accessor: 'sku', title: 'SKU' },
          { accessor: 'name', title: t('common.name') },
          { accessor: 'type', title: t('products.type'), render: (p) => <Badge variant="light">{t(`products.types.${p.type}`)}</Badge> },
          { accessor: 'unit', title: t('products.unit') },
          { accessor: 'list_price_minor', title: t('products.listPrice'), textAlign: 'right', render: (p) => formatMoney(p.list_price_minor, p.currency, lang) },
          { accessor: 'reorder_point', title: t('products.reorderPoint'), textAlign: 'right', render: (p) => formatNumber(p.reorder_point, lang) },
          { accessor: 'active', title: t('common.status'), render: (p) => <Badge color={p.active ? 'green' : 'gray'}>{p.active ? t('common.active') : t('common.inactive')}</Badge> },
        ]}
      />
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.more} />
      {creating && <ProductForm onClose={() => setCreating(false)} onSaved={(p) => navigate(`/app/products/${p.id}`)} />}
      {importing && <ImportProducts onClose={() => setImporting(false)} />}
    </>
  );
}
