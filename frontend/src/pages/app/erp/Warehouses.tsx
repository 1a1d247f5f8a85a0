import { useState } from 'react';
import { Badge, Button, Checkbox, Modal, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { IconPlus } from '@tabler/icons-react';
import { DataTable } from 'mantine-datatable';
import { useTranslation } from 'react-i18next';
import { api, newIdempotencyKey, unwrap } from '../../../api/client';
import type { components } from '../../../api/schema.gen';
import { useSession } from '../../../auth/session';
import { showError, showSaved } from '../../../components/forms';
import { FormActions } from '../../../components/FormActions';
import { LoadMore } from '../../../components/LoadMore';
import { PageHeader } from '../../../components/PageHeader';
import { cursorQuery, useCursorList } from '../../../lib/lists';

type Warehouse = components['schemas']['Warehouse'];

export function Warehouses() {
  const { t } = useTranslation();
  const { can } = useSession();
  const [editing, setEditing] = useState<Warehouse | 'new' | null>(null);
  const list = useCursorList(['warehouses', 'page'], (cursor) => unwrap(api.GET('/api/v1/warehouses', { params: { query: cursorQuery({}, cursor) } })));
  const manage = can('warehouses:manage');
  return (
    <>
      <PageHeader
        title={t('warehouses.title')}
        description={t('warehouses.description')}
        actions={
          manage && (
            <Button leftSection={<IconPlus size={18} />} onClick={() => setEditing('new')}>
              {t('warehouses.new')}
            </Button>
          )
        }
      />
      <DataTable
        withTableBorder
        borderRadius="md"
        highlightOnHover={manage}
        minHeight={120}
        fetching={list.loading}
        records={list.rows}
        noRecordsText={t('warehouses.none')}
        onRowClick={manage ? ({ record }) => setEditing(record) : undefined}
        columns={[
          { accessor: 'code', title: t('warehouses.code') },
          { accessor: 'name', title: t('common.name') },
          { accessor: 'active', title: t('common.status'), render: (w) => <Badge color={w.active ? 'green' : 'gray'}>{w.active ? t('common.active') : t('common.inactive')}</Badge> },
        ]}
      />
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.more} />
      {editing && <WarehouseForm warehouse={editing === 'new' ? undefined : editing} onClose={() => setEditing(null)} />}
    </>
  );
}

function WarehouseForm({ warehouse, onClose }: { warehouse?: Warehouse; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const form = useForm({
    initialValues: { code: warehouse?.code ?? '', name: warehouse?.name ?? '', active: warehouse?.active ?? true },
    validate: { code: (v) => (v.trim() ? null : t('validation.required')), name: (v) => (v.trim() ? null : t('validation.required')) },
  });
  const save = useMutation({
    mutationFn: (v: typeof form.values) =>
      warehouse
        ? unwrap(api.PATCH('/api/v1/warehouses/{id}', { params: { path: { id: warehouse.id } }, body: { name: v.name.trim(), active: v.active } }))
        : unwrap(api.POST('/api/v1/warehouses', { body: { code: v.code.trim(), name: v.name.trim() }, headers: { 'Idempotency-Key': newIdempotencyKey() } })),
    onSuccess: () => {
      showSaved();
      qc.invalidateQueries({ queryKey: ['warehouses'] });
      onClose();
    },
    onError: (e) => showError(e, form),
  });
  return (
    <Modal opened onClose={onClose} title={warehouse ? t('warehouses.edit') : t('warehouses.new')}>
      <form onSubmit={form.onSubmit((v) => save.mutate(v))}>
        <Stack>
          <TextInput label={t('warehouses.code')} required disabled={!!warehouse} {...form.getInputProps('code')} />
          <TextInput label={t('common.name')} required {...form.getInputProps('name')} />
          {warehouse && <Checkbox label={t('common.active')} {...form.getInputProps('active', { type: 'checkbox' })} />}
          <FormActions onCancel={onClose} saving={save.isPending} />
        </Stack>
      </form>
    </Modal>
  );
}
