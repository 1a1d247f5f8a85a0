import { Checkbox, Modal, NumberInput, Select, SimpleGrid, Stack, TextInput, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, newIdempotencyKey, unwrap } from '../../../api/client';
import type { components } from '../../../api/schema.gen';
import { useSession } from '../../../auth/session';
import { showError, showSaved } from '../../../components/forms';
import { FormActions } from '../../../components/FormActions';
import { minorToInput, parseMoneyToMinor } from '../../../lib/format';
import { productTypes } from './Products';

type Product = components['schemas']['Product'];

interface Values {
  sku: string;
  name: string;
  description: string;
  type: string;
  unit: string;
  price: string;
  currency: string;
  cost: string;
  tax_rate_id: string | null;
  lot_tracked: boolean;
  reorder_point: number | string;
  lead_time_days: number | string;
  daily_capacity: number | string;
  active: boolean;
}

/** ProductForm creates a product, or edits one when product is given. */
export function ProductForm({ product, onClose, onSaved }: { product?: Product; onClose: () => void; onSaved?: (p: Product) => void }) {
  const { t } = useTranslation();
  const { can, me } = useSession();
  const qc = useQueryClient();
  const seeCost = can('costs:read');
  const taxes = useQuery({ queryKey: ['tax-rates'], queryFn: () => unwrap(api.GET('/api/v1/tax-rates')), enabled: can('settings:read') });
  const currency = product?.currency ?? me?.tenant.base_currency ?? 'EUR';
  const form = useForm<Values>({
    initialValues: {
      sku: product?.sku ?? '',
      name: product?.name ?? '',
      description: product?.description ?? '',
      type: product?.type ?? 'stocked',
      unit: product?.unit ?? 'unit',
      price: product ? minorToInput(product.list_price_minor, currency) : '',
      currency,
      cost: product?.cost_minor != null ? minorToInput(product.cost_minor, currency) : '',
      tax_rate_id: product?.tax_rate_id ?? null,
      lot_tracked: product?.lot_tracked ?? false,
      reorder_point: product?.reorder_point ?? 0,
      lead_time_days: product?.lead_time_days ?? 0,
      daily_capacity: product?.daily_capacity ?? 0,
      active: product?.active ?? true,
    },
    validate: {
      sku: (v) => (v.trim() ? null : t('validation.required')),
      name: (v) => (v.trim() ? null : t('validation.required')),
      price: (v, all) => (parseMoneyToMinor(v, all.currency) === null ? t('validation.amount') : null),
      cost: (v, all) => (v && parseMoneyToMinor(v, all.currency) === null ? t('validation.amount') : null),
    },
  });
  const save = useMutation({
    mutationFn: (v: Values) => {
      const body = {
        sku: v.sku.trim(),
        name: v.name.trim(),
        description: v.description,
        type: v.type as Product['type'],
        unit: v.unit.trim() || 'unit',
        list_price_minor: parseMoneyToMinor(v.price, v.currency) ?? 0,
        currency: v.currency,
        tax_rate_id: v.tax_rate_id,
        lot_tracked: v.lot_tracked,
        reorder_point: Number(v.reorder_point) || 0,
        lead_time_days: Number(v.lead_time_days) || 0,
        daily_capacity: Number(v.daily_capacity) || 0,
        ...(seeCost && v.cost ? { cost_minor: parseMoneyToMinor(v.cost, v.currency) ?? 0 } : {}),
      };
      return product
        ? unwrap(api.PATCH('/api/v1/products/{id}', { params: { path: { id: product.id } }, body: { ...body, active: v.active } }))
        : unwrap(api.POST('/api/v1/products', { body, headers: { 'Idempotency-Key': newIdempotencyKey() } }));
    },
    onSuccess: (p) => {
      showSaved();
      qc.invalidateQueries({ queryKey: ['products'] });
      onSaved?.(p);
      onClose();
    },
    onError: (e) => showError(e, form),
  });
  return (
    <Modal opened onClose={onClose} title={product ? t('products.edit') : t('products.new')} size="lg">
      <form onSubmit={form.onSubmit((v) => save.mutate(v))}>
        <Stack>
          <SimpleGrid cols={2}>
            <TextInput label="SKU" required {...form.getInputProps('sku')} />
            <TextInput label={t('common.name')} required {...form.getInputProps('name')} />
            <Select label={t('products.type')} data={productTypes.map((v) => ({ value: v, label: t(`products.types.${v}`) }))} allowDeselect={false} {...form.getInputProps('type')} />
            <TextInput label={t('products.unit')} {...form.getInputProps('unit')} />
            <TextInput label={t('products.listPrice')} description={form.values.currency} required inputMode="decimal" {...form.getInputProps('price')} />
            {seeCost && <TextInput label={t('products.cost')} description={form.values.currency} inputMode="decimal" {...form.getInputProps('cost')} />}
            <Select
              label={t('products.taxRate')}
              clearable
              data={(taxes.data?.items ?? []).map((r) => ({ value: r.id, label: r.name }))}
              {...form.getInputProps('tax_rate_id')}
            />
            <NumberInput label={t('products.reorderPoint')} min={0} allowDecimal={false} {...form.getInputProps('reorder_point')} />
            <NumberInput label={t('products.leadTime')} min={0} allowDecimal={false} {...form.getInputProps('lead_time_days')} />
            <NumberInput label={t('products.dailyCapacity')} min={0} allowDecimal={false} {...form.getInputProps('daily_capacity')} />
          </SimpleGrid>
          <Textarea label={t('products.descriptionField')} autosize minRows={2} {...form.getInputProps('description')} />
          <Checkbox label={t('products.lotTracked')} {...form.getInputProps('lot_tracked', { type: 'checkbox' })} />
          {product && <Checkbox label={t('common.active')} {...form.getInputProps('active', { type: 'checkbox' })} />}
          <FormActions onCancel={onClose} saving={save.isPending} />
        </Stack>
      </form>
    </Modal>
  );
}
