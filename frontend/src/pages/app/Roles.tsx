import { useMemo, useState } from 'react';
import { Badge, Button, Checkbox, Drawer, Group, Paper, SimpleGrid, Stack, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { IconPlus } from '@tabler/icons-react';
import { DataTable } from 'mantine-datatable';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import type { Permission, Role } from '../../api/types';
import { useSession } from '../../auth/session';
import { PageHeader } from '../../components/PageHeader';
import { showError, showSaved } from '../../components/forms';
import { useRoles } from '../../lib/queries';

/** groupByModule keeps the API's order of modules and permissions. */
export function groupByModule(perms: Permission[]): [string, Permission[]][] {
  const groups = new Map<string, Permission[]>();
  for (const p of perms) groups.set(p.module, [...(groups.get(p.module) ?? []), p]);
  return [...groups.entries()];
}

export function Roles() {
  const { t } = useTranslation();
  const { can } = useSession();
  const roles = useRoles();
  const [editing, setEditing] = useState<Role | 'new' | null>(null);
  const manage = can('roles:manage');
  return (
    <>
      <PageHeader
        title={t('roles.title')}
        description={t('roles.description')}
        actions={
          manage && (
            <Button leftSection={<IconPlus size={18} />} onClick={() => setEditing('new')}>
              {t('roles.create')}
            </Button>
          )
        }
      />
      <DataTable
        withTableBorder
        borderRadius="md"
        highlightOnHover
        minHeight={160}
        fetching={roles.isPending}
        records={roles.data?.items ?? []}
        idAccessor="key"
        noRecordsText={t('common.noRecords')}
        onRowClick={manage ? ({ record }) => !record.builtin && setEditing(record) : undefined}
        columns={[
          { accessor: 'name', title: t('roles.name') },
          { accessor: 'description', title: t('roles.descriptionField') },
          {
            accessor: 'builtin',
            title: t('roles.kind'),
            render: (r) => <Badge variant="light" color={r.builtin ? 'gray' : 'blue'}>{r.builtin ? t('roles.builtin') : t('roles.custom')}</Badge>,
          },
          { accessor: 'permissions', title: t('roles.permissions'), render: (r) => r.permissions.length },
        ]}
      />
      {manage && <RoleDrawer role={editing} onClose={() => setEditing(null)} />}
    </>
  );
}

function RoleDrawer({ role, onClose }: { role: Role | 'new' | null; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const perms = useQuery({ queryKey: ['permissions'], queryFn: () => unwrap(api.GET('/api/v1/permissions')), enabled: !!role });
  const groups = useMemo(() => groupByModule(perms.data?.items ?? []), [perms.data]);
  const existing = role && role !== 'new' ? role : null;
  const form = useForm({
    initialValues: { name: '', description: '', permissions: [] as string[] },
    validate: {
      name: (v) => (v.trim() ? null : t('validation.required')),
      permissions: (v) => (v.length ? null : t('roles.pickPermission')),
    },
  });
  const [loadedFor, setLoadedFor] = useState<string | null>(null);
  const id = existing?.id ?? 'new';
  if (role && loadedFor !== id) {
    setLoadedFor(id);
    form.setValues({ name: existing?.name ?? '', description: existing?.description ?? '', permissions: existing?.permissions ?? [] });
    form.resetDirty();
  }
  const done = () => {
    qc.invalidateQueries({ queryKey: ['roles'] });
    setLoadedFor(null);
    onClose();
  };
  const save = useMutation({
    mutationFn: (v: typeof form.values) =>
      existing?.id
        ? unwrap(api.PATCH('/api/v1/roles/{id}', { params: { path: { id: existing.id } }, body: v }))
        : unwrap(api.POST('/api/v1/roles', { body: v })),
    onSuccess: () => {
      showSaved();
      done();
    },
    onError: (e) => showError(e, form),
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/roles/{id}', { params: { path: { id: existing!.id! } } })),
    onSuccess: () => {
      showSaved(t('roles.deleted'));
      done();
    },
    onError: (e) => showError(e),
  });
  const toggle = (key: string, on: boolean) =>
    form.setFieldValue('permissions', on ? [...form.values.permissions, key] : form.values.permissions.filter((p) => p !== key));
  return (
    <Drawer
      opened={!!role}
      onClose={() => {
        setLoadedFor(null);
        onClose();
      }}
      position="right"
      size="xl"
      title={existing ? t('roles.edit', { name: existing.name }) : t('roles.create')}
    >
      <form onSubmit={form.onSubmit((v) => save.mutate(v))} noValidate>
        <Stack>
          <TextInput label={t('roles.name')} required data-autofocus {...form.getInputProps('name')} />
          <Textarea label={t('roles.descriptionField')} autosize minRows={2} {...form.getInputProps('description')} />
          <Text fw={600}>{t('roles.permissions')}</Text>
          {form.errors.permissions && (
            <Text c="red" size="sm" role="alert">
              {form.errors.permissions}
            </Text>
          )}
          {groups.map(([module, list]) => {
            const keys = list.map((p) => p.key);
            const picked = keys.filter((k) => form.values.permissions.includes(k)).length;
            return (
              <Paper key={module} withBorder p="md">
                <Group justify="space-between" mb="xs">
                  <Title order={3} fz="h5">
                    {t(`modules.${module}`, { defaultValue: module })}
                  </Title>
                  <Checkbox
                    label={t('roles.all')}
                    checked={picked === keys.length}
                    indeterminate={picked > 0 && picked < keys.length}
                    onChange={(e) => {
                      const on = e.currentTarget.checked;
                      const rest = form.values.permissions.filter((p) => !keys.includes(p));
                      form.setFieldValue('permissions', on ? [...rest, ...keys] : rest);
                    }}
                  />
                </Group>
                <SimpleGrid cols={{ base: 1, md: 2 }} spacing="xs">
                  {list.map((p) => (
                    <Checkbox
                      key={p.key}
                      label={p.key}
                      description={p.description}
                      checked={form.values.permissions.includes(p.key)}
                      onChange={(e) => toggle(p.key, e.currentTarget.checked)}
                    />
                  ))}
                </SimpleGrid>
              </Paper>
            );
          })}
          <Group justify="space-between">
            {existing?.id ? (
              <Button variant="subtle" color="red" onClick={() => remove.mutate()} loading={remove.isPending}>
                {t('common.delete')}
              </Button>
            ) : (
              <span />
            )}
            <Button type="submit" loading={save.isPending}>
              {t('common.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Drawer>
  );
}
