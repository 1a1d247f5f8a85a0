import { useState } from 'react';
import { ActionIcon, Badge, Button, Checkbox, Group, Modal, Select, SimpleGrid, Stack, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { IconFileImport, IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import { DataTable } from 'mantine-datatable';
import { useTranslation } from 'react-i18next';
import { api, newIdempotencyKey, unwrap } from '../../../api/client';
import type { components } from '../../../api/schema.gen';
import { useSession } from '../../../auth/session';
import { showError, showSaved } from '../../../components/forms';
import { ExportCsvButton } from '../../../components/ExportCsvButton';
import { FormActions } from '../../../components/FormActions';
import { ImportCsvModal } from '../../../components/ImportCsvModal';
import { LoadMore } from '../../../components/LoadMore';
import { cursorQuery, useCursorList } from '../../../lib/lists';
import { PortalAccess, usePortalUsers } from '../../portal/PortalAccess';

export type Contact = components['schemas']['Contact'];
type ContactRole = Contact['role'];

export const contactRoles: ContactRole[] = ['buyer', 'accounts_payable', 'decision_maker', 'technical', 'other'];

export const contactName = (c: Pick<Contact, 'first_name' | 'last_name'>) => [c.first_name, c.last_name].filter(Boolean).join(' ');

/** ContactsTab lists an account's contacts, with add, edit and delete for holders of contacts:write. */
export function ContactsTab({ accountId }: { accountId: string }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const qc = useQueryClient();
  const [editing, setEditing] = useState<Contact | 'new' | null>(null);
  const [importing, setImporting] = useState(false);
  const filters = { account_id: accountId };
  const list = useCursorList(['contacts', filters], (cursor) => unwrap(api.GET('/api/v1/contacts', { params: { query: cursorQuery(filters, cursor) } })));
  const remove = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/v1/contacts/{id}', { params: { path: { id } } })),
    onSuccess: () => {
      showSaved(t('common.deleted'));
      qc.invalidateQueries({ queryKey: ['contacts'] });
      qc.invalidateQueries({ queryKey: ['activities'] });
    },
    onError: (e) => showError(e),
  });
  const write = can('contacts:write');
  const portal = usePortalUsers(accountId, can('contacts:read'));
  return (
    <>
      <Group justify="space-between" mb="sm">
        <Title order={2} fz="h4">{t('contacts.title')}</Title>
        <Group gap="xs">
          <ExportCsvButton path="/api/v1/contacts.csv" filters={filters} size="xs" />
          {write && (
            <Button size="xs" variant="default" leftSection={<IconFileImport size={16} />} onClick={() => setImporting(true)}>
              {t('accounts.importCsv')}
            </Button>
          )}
          {write && (
            <Button size="xs" leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')}>
              {t('contacts.new')}
            </Button>
          )}
        </Group>
      </Group>
      <DataTable
        withTableBorder
        borderRadius="md"
        minHeight={100}
        fetching={list.loading}
        records={list.rows}
        noRecordsText={t('contacts.none')}
        columns={[
          {
            accessor: 'name',
            title: t('common.name'),
            render: (c) => (
              <Group gap="xs">
                {contactName(c)}
                {c.primary && <Badge size="sm">{t('contacts.primary')}</Badge>}
                {!c.active && <Badge size="sm" color="gray">{t('common.inactive')}</Badge>}
              </Group>
            ),
          },
          { accessor: 'job_title', title: t('contacts.jobTitle') },
          { accessor: 'role', title: t('contacts.role'), render: (c) => t(`contacts.roles.${c.role}`) },
          { accessor: 'email', title: t('auth.email') },
          { accessor: 'phone', title: t('accounts.phone') },
          {
            accessor: 'portal',
            title: t('portal.access'),
            render: (c) => <PortalAccess contactId={c.id} email={c.email} access={portal.get(c.id)} write={write} />,
          },
          {
            accessor: 'actions',
            title: '',
            textAlign: 'right',
            hidden: !write,
            render: (c) => (
              <Group gap={4} justify="flex-end" wrap="nowrap">
                <ActionIcon variant="subtle" aria-label={t('common.edit')} onClick={() => setEditing(c)}>
                  <IconPencil size={16} />
                </ActionIcon>
                <ActionIcon
                  variant="subtle"
                  color="red"
                  aria-label={t('common.delete')}
                  onClick={() => window.confirm(t('contacts.confirmDelete', { name: contactName(c) })) && remove.mutate(c.id)}
                >
                  <IconTrash size={16} />
                </ActionIcon>
              </Group>
            ),
          },
        ]}
      />
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.more} />
      {editing && <ContactForm accountId={accountId} contact={editing === 'new' ? undefined : editing} onClose={() => setEditing(null)} />}
      {importing && <ImportCsvModal resource="contacts" onClose={() => setImporting(false)} />}
    </>
  );
}

/** ContactForm adds a contact to an account or edits one; the server's field errors land on the inputs. */
export function ContactForm({ accountId, contact, onClose }: { accountId: string; contact?: Contact; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const form = useForm({
    initialValues: {
      first_name: contact?.first_name ?? '',
      last_name: contact?.last_name ?? '',
      email: contact?.email ?? '',
      phone: contact?.phone ?? '',
      job_title: contact?.job_title ?? '',
      role: (contact?.role ?? 'other') as ContactRole,
      primary: contact?.primary ?? false,
      active: contact?.active ?? true,
    },
    validate: {
      last_name: (v, all) => (v.trim() || all.first_name.trim() ? null : t('contacts.nameRequired')),
      email: (v) => (!v.trim() || /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v.trim()) ? null : t('validation.email')),
    },
  });
  const save = useMutation({
    mutationFn: (v: typeof form.values) => {
      const body = { ...v, first_name: v.first_name.trim(), last_name: v.last_name.trim(), email: v.email.trim(), phone: v.phone.trim(), job_title: v.job_title.trim() };
      return contact
        ? unwrap(api.PATCH('/api/v1/contacts/{id}', { params: { path: { id: contact.id } }, body }))
        : unwrap(api.POST('/api/v1/contacts', { body: { ...body, account_id: accountId }, headers: { 'Idempotency-Key': newIdempotencyKey() } }));
    },
    onSuccess: () => {
      showSaved();
      qc.invalidateQueries({ queryKey: ['contacts'] });
      onClose();
    },
    onError: (e) => showError(e, form),
  });
  return (
    <Modal opened onClose={onClose} title={contact ? t('contacts.edit') : t('contacts.new')} size="lg">
      <form onSubmit={form.onSubmit((v) => save.mutate(v))} noValidate>
        <Stack>
          <SimpleGrid cols={2}>
            <TextInput label={t('contacts.firstName')} {...form.getInputProps('first_name')} />
            <TextInput label={t('contacts.lastName')} {...form.getInputProps('last_name')} />
            <TextInput label={t('auth.email')} type="email" {...form.getInputProps('email')} />
            <TextInput label={t('accounts.phone')} {...form.getInputProps('phone')} />
            <TextInput label={t('contacts.jobTitle')} {...form.getInputProps('job_title')} />
            <Select
              label={t('contacts.role')}
              allowDeselect={false}
              data={contactRoles.map((r) => ({ value: r, label: t(`contacts.roles.${r}`) }))}
              {...form.getInputProps('role')}
            />
          </SimpleGrid>
          <Group>
            <Checkbox label={t('contacts.primaryHint')} {...form.getInputProps('primary', { type: 'checkbox' })} />
            <Checkbox label={t('common.active')} {...form.getInputProps('active', { type: 'checkbox' })} />
          </Group>
          <FormActions onCancel={onClose} saving={save.isPending} />
        </Stack>
      </form>
    </Modal>
  );
}
