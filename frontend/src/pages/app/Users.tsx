import { useState } from 'react';
import { ActionIcon, Badge, Button, Group, Menu, Modal, MultiSelect, Stack, TextInput, Title, VisuallyHidden,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { IconDots, IconUserPlus } from '@tabler/icons-react';
import { DataTable } from 'mantine-datatable';
import { useTranslation } from 'react-i18next';
import { api, newIdempotencyKey, unwrap } from '../../api/client';
import type { User } from '../../api/types';
import { useSession } from '../../auth/session';
import { LoadMore } from '../../components/LoadMore';
import { PageHeader } from '../../components/PageHeader';
import { showError, showSaved } from '../../components/forms';
import { formatDate, formatDateTime } from '../../lib/format';
import { roleLabel, useInvites, useRoles } from '../../lib/queries';
import { useLocale } from '../../lib/useLocale';
import { useSortedRecords } from '../../lib/sort';

export function Users() {
  const { t } = useTranslation();
  const { can, me } = useSession();
  const { lang, timeZone } = useLocale();
  const qc = useQueryClient();
  const roles = useRoles();
  const invites = useInvites();
  const [inviting, setInviting] = useState(false);
  const [editing, setEditing] = useState<User | null>(null);
  const manage = can('users:manage');

  const users = useInfiniteQuery({
    queryKey: ['users', 'pages'],
    initialPageParam: '',
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/v1/users', { params: { query: { limit: 50, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (last) => last.next_cursor || undefined,
  });
  const rows = users.data?.pages.flatMap((p) => p.items) ?? [];
  const { sorted, sortStatus, setSortStatus } = useSortedRecords(rows, 'name');

  const setStatus = useMutation({
    mutationFn: ({ id, action }: { id: string; action: 'activate' | 'deactivate' }) =>
      unwrap(
        action === 'activate'
          ? api.POST('/api/v1/users/{id}/activate', { params: { path: { id } } })
          : api.POST('/api/v1/users/{id}/deactivate', { params: { path: { id } } }),
      ),
    onSuccess: () => {
      showSaved();
      qc.invalidateQueries({ queryKey: ['users'] });
      qc.invalidateQueries({ queryKey: ['billing'] });
    },
    onError: (e) => showError(e),
  });
  const revoke = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/v1/invites/{id}', { params: { path: { id } } })),
    onSuccess: () => {
      showSaved(t('users.inviteRevoked'));
      qc.invalidateQueries({ queryKey: ['invites'] });
      qc.invalidateQueries({ queryKey: ['billing'] });
    },
    onError: (e) => showError(e),
  });

  return (
    <>
      <PageHeader
        title={t('users.title')}
        description={t('users.description')}
        actions={
          manage && (
            <Button leftSection={<IconUserPlus size={18} />} onClick={() => setInviting(true)}>
              {t('users.invite')}
            </Button>
          )
        }
      />
      <DataTable
        withTableBorder
        borderRadius="md"
        highlightOnHover
        minHeight={160}
        fetching={users.isPending}
        records={sorted}
        sortStatus={sortStatus}
        onSortStatusChange={setSortStatus}
        noRecordsText={t('common.noRecords')}
        columns={[
          { accessor: 'name', title: t('users.name'), sortable: true },
          { accessor: 'email', title: t('auth.email'), sortable: true },
          {
            accessor: 'roles',
            title: t('users.roles'),
            render: (u) => (
              <Group gap={4}>
                {u.roles.map((r) => (
                  <Badge key={r} variant="light">
                    {roleLabel(r, roles.data?.items)}
                  </Badge>
                ))}
              </Group>
            ),
          },
          {
            accessor: 'status',
            title: t('users.status'),
            sortable: true,
            render: (u) => <Badge color={u.status === 'active' ? 'green' : 'gray'}>{t(`users.statuses.${u.status}`)}</Badge>,
          },
          { accessor: 'totp_enabled', title: 'TOTP', render: (u) => (u.totp_enabled ? t('common.yes') : t('common.no')) },
          { accessor: 'last_login_at', title: t('users.lastLogin'), sortable: true, render: (u) => formatDateTime(u.last_login_at, lang, timeZone) },
          {
            accessor: 'actions',
            title: <VisuallyHidden>{t('common.actions')}</VisuallyHidden>,
            textAlign: 'right',
            hidden: !manage,
            render: (u) => (
              <Menu position="bottom-end" withinPortal>
                <Menu.Target>
                  <ActionIcon variant="subtle" aria-label={t('users.actionsFor', { name: u.name })}>
                    <IconDots size={18} />
                  </ActionIcon>
                </Menu.Target>
                <Menu.Dropdown>
                  <Menu.Item onClick={() => setEditing(u)}>{t('users.changeRoles')}</Menu.Item>
                  {u.id !== me?.user?.id &&
                    (u.status === 'active' ? (
                      <Menu.Item color="red" onClick={() => setStatus.mutate({ id: u.id, action: 'deactivate' })}>
                        {t('users.deactivate')}
                      </Menu.Item>
                    ) : (
                      <Menu.Item onClick={() => setStatus.mutate({ id: u.id, action: 'activate' })}>{t('users.activate')}</Menu.Item>
                    ))}
                </Menu.Dropdown>
              </Menu>
            ),
          },
        ]}
      />
      <LoadMore hasMore={!!users.hasNextPage} loading={users.isFetchingNextPage} onClick={() => users.fetchNextPage()} />

      <Title order={2} fz="h4" mt="xl" mb="sm">
        {t('users.pendingInvites')}
      </Title>
      <DataTable
        withTableBorder
        borderRadius="md"
        minHeight={120}
        records={invites.data?.items ?? []}
        fetching={invites.isPending}
        noRecordsText={t('users.noInvites')}
        columns={[
          { accessor: 'email', title: t('auth.email') },
          { accessor: 'roles', title: t('users.roles'), render: (i) => i.roles.map((r) => roleLabel(r, roles.data?.items)).join(', ') },
          { accessor: 'expires_at', title: t('users.expires'), render: (i) => formatDate(i.expires_at, lang, timeZone) },
          {
            accessor: 'actions',
            title: <VisuallyHidden>{t('common.actions')}</VisuallyHidden>,
            textAlign: 'right',
            hidden: !manage,
            render: (i) => (
              <Button size="xs" variant="subtle" color="red" onClick={() => revoke.mutate(i.id)}>
                {t('users.revoke')}
              </Button>
            ),
          },
        ]}
      />
      <InviteModal opened={inviting} onClose={() => setInviting(false)} />
      <RolesModal user={editing} onClose={() => setEditing(null)} />
    </>
  );
}

function useRoleOptions() {
  const roles = useRoles();
  // The customer role belongs to portal contacts, never to staff.
  return (roles.data?.items ?? []).filter((r) => r.key !== 'customer').map((r) => ({ value: r.key, label: r.name }));
}

function InviteModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const options = useRoleOptions();
  const form = useForm({
    initialValues: { email: '', name: '', roles: [] as string[] },
    validate: {
      email: (v) => (/^\S+@\S+\.\S+$/.test(v) ? null : t('validation.email')),
      roles: (v) => (v.length ? null : t('users.pickRole')),
    },
  });
  const [key] = useState(newIdempotencyKey);
  const invite = useMutation({
    mutationFn: (v: typeof form.values) =>
      unwrap(api.POST('/api/v1/invites', { body: v, params: { header: { 'Idempotency-Key': key } } })),
    onSuccess: (inv) => {
      showSaved(t('users.invited', { email: inv.email }));
      qc.invalidateQueries({ queryKey: ['invites'] });
      qc.invalidateQueries({ queryKey: ['billing'] });
      form.reset();
      onClose();
    },
    onError: (e) => showError(e, form),
  });
  return (
    <Modal opened={opened} onClose={onClose} title={t('users.invite')}>
      <form onSubmit={form.onSubmit((v) => invite.mutate(v))} noValidate>
        <Stack>
          <TextInput label={t('auth.email')} type="email" required data-autofocus {...form.getInputProps('email')} />
          <TextInput label={t('users.name')} {...form.getInputProps('name')} />
          <MultiSelect label={t('users.roles')} data={options} required searchable {...form.getInputProps('roles')} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={invite.isPending}>
              {t('users.sendInvite')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function RolesModal({ user, onClose }: { user: User | null; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const options = useRoleOptions();
  const [roles, setRoles] = useState<string[] | null>(null);
  const value = roles ?? user?.roles ?? [];
  const save = useMutation({
    mutationFn: () => unwrap(api.PATCH('/api/v1/users/{id}', { params: { path: { id: user!.id } }, body: { roles: value } })),
    onSuccess: () => {
      showSaved();
      qc.invalidateQueries({ queryKey: ['users'] });
      close();
    },
    onError: (e) => showError(e),
  });
  const close = () => {
    setRoles(null);
    onClose();
  };
  return (
    <Modal opened={!!user} onClose={close} title={t('users.rolesOf', { name: user?.name ?? '' })}>
      <Stack>
        <MultiSelect label={t('users.roles')} data={options} value={value} onChange={setRoles} searchable data-autofocus />
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            {t('common.cancel')}
          </Button>
          <Button onClick={() => save.mutate()} loading={save.isPending} disabled={!value.length}>
            {t('common.save')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
