import { useState } from 'react';
import { Alert, Badge, Button, Code, CopyButton, Group, Modal, Select, Stack, TextInput, VisuallyHidden,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { IconCheck, IconCopy, IconPlus } from '@tabler/icons-react';
import { DataTable } from 'mantine-datatable';
import { useTranslation } from 'react-i18next';
import { api, newIdempotencyKey, unwrap } from '../../api/client';
import { PageHeader } from '../../components/PageHeader';
import { LoadMore } from '../../components/LoadMore';
import { showError, showSaved } from '../../components/forms';
import { formatDateTime } from '../../lib/format';
import { roleLabel, useRoles } from '../../lib/queries';
import { useLocale } from '../../lib/useLocale';

export function ApiKeys() {
  const { t } = useTranslation();
  const { lang, timeZone } = useLocale();
  const qc = useQueryClient();
  const roles = useRoles();
  const [creating, setCreating] = useState(false);
  const keys = useInfiniteQuery({
    queryKey: ['api-keys'],
    initialPageParam: '',
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/v1/api-keys', { params: { query: { limit: 50, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (last) => last.next_cursor || undefined,
  });
  const revoke = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/v1/api-keys/{id}', { params: { path: { id } } })),
    onSuccess: () => {
      showSaved(t('apiKeys.revoked'));
      qc.invalidateQueries({ queryKey: ['api-keys'] });
    },
    onError: (e) => showError(e),
  });
  return (
    <>
      <PageHeader
        title={t('apiKeys.title')}
        description={t('apiKeys.description')}
        actions={
          <Button leftSection={<IconPlus size={18} />} onClick={() => setCreating(true)}>
            {t('apiKeys.create')}
          </Button>
        }
      />
      <DataTable
        withTableBorder
        borderRadius="md"
        minHeight={160}
        fetching={keys.isPending}
        records={keys.data?.pages.flatMap((p) => p.items) ?? []}
        noRecordsText={t('apiKeys.none')}
        columns={[
          { accessor: 'name', title: t('apiKeys.name') },
          { accessor: 'prefix', title: t('apiKeys.prefix'), render: (k) => <Code>{k.prefix}…</Code> },
          { accessor: 'role', title: t('apiKeys.role'), render: (k) => roleLabel(k.role ?? '', roles.data?.items) },
          { accessor: 'created_at', title: t('common.created'), render: (k) => formatDateTime(k.created_at, lang, timeZone) },
          { accessor: 'last_used_at', title: t('apiKeys.lastUsed'), render: (k) => formatDateTime(k.last_used_at, lang, timeZone) },
          {
            accessor: 'revoked_at',
            title: t('users.status'),
            render: (k) =>
              k.revoked_at ? <Badge color="gray">{t('apiKeys.statusRevoked')}</Badge> : <Badge color="green">{t('apiKeys.statusActive')}</Badge>,
          },
          {
            accessor: 'actions',
            title: <VisuallyHidden>{t('common.actions')}</VisuallyHidden>,
            textAlign: 'right',
            render: (k) =>
              !k.revoked_at && (
                <Button size="xs" variant="subtle" color="red" onClick={() => revoke.mutate(k.id!)} aria-label={t('apiKeys.revokeNamed', { name: k.name })}>
                  {t('users.revoke')}
                </Button>
              ),
          },
        ]}
      />
      <LoadMore hasMore={!!keys.hasNextPage} loading={keys.isFetchingNextPage} onClick={() => keys.fetchNextPage()} />
      <CreateKeyModal opened={creating} onClose={() => setCreating(false)} />
    </>
  );
}

function CreateKeyModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const roles = useRoles();
  const [secret, setSecret] = useState<string | null>(null);
  const [key, setKey] = useState(newIdempotencyKey);
  const form = useForm({
    initialValues: { name: '', role: '' },
    validate: { name: (v) => (v.trim() ? null : t('validation.required')), role: (v) => (v ? null : t('users.pickRole')) },
  });
  const create = useMutation({
    mutationFn: (v: typeof form.values) =>
      unwrap(api.POST('/api/v1/api-keys', { body: v, params: { header: { 'Idempotency-Key': key } } })),
    onSuccess: (k) => {
      setSecret(k.key ?? '');
      qc.invalidateQueries({ queryKey: ['api-keys'] });
    },
    onError: (e) => showError(e, form),
  });
  const close = () => {
    setSecret(null);
    setKey(newIdempotencyKey());
    form.reset();
    onClose();
  };
  const options = (roles.data?.items ?? []).filter((r) => r.key !== 'customer').map((r) => ({ value: r.key, label: r.name }));
  return (
    <Modal opened={opened} onClose={close} title={t('apiKeys.create')} closeOnClickOutside={!secret}>
      {secret ? (
        <Stack>
          <Alert color="yellow" title={t('apiKeys.copyNow')}>
            {t('apiKeys.shownOnce')}
          </Alert>
          <Code block data-testid="api-key-secret" style={{ wordBreak: 'break-all' }}>
            {secret}
          </Code>
          <Group justify="space-between">
            <CopyButton value={secret}>
              {({ copied, copy }) => (
                <Button leftSection={copied ? <IconCheck size={16} /> : <IconCopy size={16} />} color={copied ? 'teal' : undefined} onClick={copy}>
                  {copied ? t('common.copied') : t('common.copy')}
                </Button>
              )}
            </CopyButton>
            <Button variant="default" onClick={close}>
              {t('common.done')}
            </Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={form.onSubmit((v) => create.mutate(v))} noValidate>
          <Stack>
            <TextInput label={t('apiKeys.name')} description={t('apiKeys.nameHelp')} required data-autofocus {...form.getInputProps('name')} />
            <Select label={t('apiKeys.role')} data={options} required searchable {...form.getInputProps('role')} />
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                {t('common.cancel')}
              </Button>
              <Button type="submit" loading={create.isPending}>
                {t('apiKeys.create')}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
