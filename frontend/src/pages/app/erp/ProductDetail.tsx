import { useState } from 'react';
import { ActionIcon, Anchor, Badge, Button, Card, Group, NumberInput, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { IconPencil, IconTrash } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api, unwrap } from '../../../api/client';
import { useSession } from '../../../auth/session';
import { showError, showSaved } from '../../../components/forms';
import { PageHeader } from '../../../components/PageHeader';
import { ProductPicker } from '../../../components/pickers';
import { formatMoney, formatNumber } from '../../../lib/format';
import { useLocale } from '../../../lib/useLocale';
import { ProductForm } from './ProductForm';
import { StockLevels } from './Stock';

export function ProductDetail() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const { can } = useSession();
  const { lang } = useLocale();
  const [editing, setEditing] = useState(false);
  const product = useQuery({ queryKey: ['products', id], queryFn: () => unwrap(api.GET('/api/v1/products/{id}', { params: { path: { id } } })) });
  const p = product.data;
  if (!p) return null;
  const fact = (label: string, value: string) => (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text>{value}</Text>
    </Stack>
  );
  return (
    <>
      <PageHeader
        title={`${p.sku} · ${p.name}`}
        description={p.description || undefined}
        actions={
          can('products:write') && (
            <Button leftSection={<IconPencil size={18} />} onClick={() => setEditing(true)}>
              {t('common.edit')}
            </Button>
          )
        }
      />
      <Card withBorder mb="lg">
        <SimpleGrid cols={{ base: 2, md: 4 }}>
          {fact(t('products.type'), t(`products.types.${p.type}`))}
          {fact(t('products.listPrice'), formatMoney(p.list_price_minor, p.currency, lang))}
          {p.cost_minor != null && fact(t('products.cost'), formatMoney(p.cost_minor, p.currency, lang))}
          {fact(t('products.unit'), p.unit)}
          {fact(t('products.reorderPoint'), formatNumber(p.reorder_point, lang))}
          {fact(t('products.leadTime'), t('products.days', { count: p.lead_time_days }))}
          {p.type === 'manufactured' && fact(t('products.dailyCapacity'), formatNumber(p.daily_capacity, lang))}
          {fact(t('products.lotTracked'), p.lot_tracked ? t('common.yes') : t('common.no'))}
          {fact(t('common.status'), p.active ? t('common.active') : t('common.inactive'))}
        </SimpleGrid>
      </Card>
      {can('stock:read') && (
        <>
          <Title order={2} fz="h4" mb="sm">
            {t('stock.title')}
          </Title>
          <StockLevels productId={p.id} />
        </>
      )}
      {p.type === 'manufactured' && can('production:read') && <BOMCard productId={p.id} />}
      {editing && <ProductForm product={p} onClose={() => setEditing(false)} />}
    </>
  );
}

/** BOMCard shows and edits what one unit of a manufactured product takes. */
function BOMCard({ productId }: { productId: string }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const qc = useQueryClient();
  const bom = useQuery({ queryKey: ['boms', productId], queryFn: () => unwrap(api.GET('/api/v1/boms/{id}', { params: { path: { id: productId } } })) });
  const [component, setComponent] = useState<string | null>(null);
  const [qty, setQty] = useState<number | string>(1);
  const lines = bom.data?.lines ?? [];
  const save = useMutation({
    mutationFn: (next: { component_id: string; quantity: number }[]) =>
      unwrap(api.PUT('/api/v1/boms/{id}', { params: { path: { id: productId } }, body: { lines: next } })),
    onSuccess: () => {
      showSaved();
      setComponent(null);
      qc.invalidateQueries({ queryKey: ['boms', productId] });
    },
    onError: (e) => showError(e),
  });
  const edit = can('production:write');
  const plain = lines.map((l) => ({ component_id: l.component_id, quantity: l.quantity }));
  return (
    <Card withBorder mt="lg">
      <Title order={2} fz="h4" mb="sm">
        {t('products.bom')}
      </Title>
      {lines.length === 0 && <Text c="dimmed">{t('products.bomEmpty')}</Text>}
      {lines.length > 0 && (
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('products.component')}</Table.Th>
              <Table.Th ta="right">{t('products.perUnit')}</Table.Th>
              {edit && <Table.Th />}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {lines.map((l) => (
              <Table.Tr key={l.component_id}>
                <Table.Td>
                  <Anchor component={Link} to={`/app/products/${l.component_id}`}>
                    {l.sku} · {l.name}
                  </Anchor>
                </Table.Td>
                <Table.Td ta="right">
                  {l.quantity} {l.unit}
                </Table.Td>
                {edit && (
                  <Table.Td ta="right">
                    <ActionIcon variant="subtle" color="red" aria-label={t('common.delete')} onClick={() => save.mutate(plain.filter((x) => x.component_id !== l.component_id))}>
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
          <ProductPicker label={t('products.component')} value={component} onChange={setComponent} w={320} />
          <NumberInput label={t('products.perUnit')} min={1} allowDecimal={false} value={qty} onChange={setQty} w={120} />
          <Button disabled={!component} loading={save.isPending} onClick={() => component && save.mutate([...plain, { component_id: component, quantity: Number(qty) || 1 }])}>
            {t('products.addComponent')}
          </Button>
        </Group>
      )}
      {!edit && <Badge variant="light">{t('common.readOnly')}</Badge>}
    </Card>
  );
}
