import { useState } from 'react';
import { Badge, Button, Checkbox, Group, Modal, SegmentedControl, Select, Stack, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { IconChecklist, IconNote, IconPhone } from '@tabler/icons-react';
import { DataTable } from 'mantine-datatable';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, newIdempotencyKey, unwrap } from '../../../api/client';
import type { components } from '../../../api/schema.gen';
import { useSession } from '../../../auth/session';
import { showError, showSaved } from '../../../components/forms';
import { FormActions } from '../../../components/FormActions';
import { LoadMore } from '../../../components/LoadMore';
import { PageHeader } from '../../../components/PageHeader';
import { AccountName } from '../../../components/pickers';
import { formatDateTime } from '../../../lib/format';
import { cursorQuery, useCursorList } from '../../../lib/lists';
import { useLocale } from '../../../lib/useLocale';
import { contactName } from './Contacts';

export type Activity = components['schemas']['Activity'];
type Kind = Activity['kind'];

export const activityKinds: Kind[] = ['call', 'email', 'meeting', 'task', 'note'];
const kindColor: Record<Kind, string> = { call: 'blue', email: 'cyan', meeting: 'grape', task: 'orange', note: 'gray' };

/** toLocalInput turns an ISO time into a datetime-local input's value (the browser's zone). */
function toLocalInput(iso?: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** fromLocalInput is toLocalInput's inverse; '' is no time. */
export function fromLocalInput(v: string): string | null {
  if (!v) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** useMarkDone toggles an activity's done flag. */
function useMarkDone() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, done }: { id: string; done: boolean }) => unwrap(api.PATCH('/api/v1/activities/{id}', { params: { path: { id } }, body: { done } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['activities'] }),
    onError: (e) => showError(e),
  });
}

function ActivityTable({ rows, loading, showAccount, empty }: { rows: Activity[]; loading: boolean; showAccount?: boolean; empty: string }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const { lang, timeZone } = useLocale();
  const done = useMarkDone();
  const [editing, setEditing] = useState<Activity | null>(null);
  return (
    <>
      <DataTable
        withTableBorder
        borderRadius="md"
        minHeight={100}
        fetching={loading}
        records={rows}
        noRecordsText={empty}
        onRowClick={can('activities:write') ? ({ record }) => setEditing(record) : undefined}
        columns={[
          {
            accessor: 'done',
            title: t('common.done'),
            width: 70,
            render: (a) =>
              a.kind === 'task' || a.kind === 'meeting' ? (
                <Checkbox
                  aria-label={t('activities.markDone', { subject: a.subject })}
                  checked={a.done}
                  disabled={!can('activities:write')}
                  onClick={(e) => e.stopPropagation()}
                  onChange={(e) => done.mutate({ id: a.id, done: e.currentTarget.checked })}
                />
              ) : null,
          },
          { accessor: 'kind', title: t('activities.kind'), render: (a) => <Badge color={kindColor[a.kind]}>{t(`activities.kinds.${a.kind}`)}</Badge> },
          {
            accessor: 'subject',
            title: t('activities.subject'),
            render: (a) => (
              <Stack gap={0}>
                <Text td={a.done ? 'line-through' : undefined}>{a.subject}</Text>
                {a.body && <Text size="xs" c="dimmed" lineClamp={2}>{a.body}</Text>}
              </Stack>
            ),
          },
          ...(showAccount
            ? [{ accessor: 'account_id', title: t('activities.account'), render: (a: Activity) => (a.account_id ? <Link to={`/app/accounts/${a.account_id}`} onClick={(e) => e.stopPropagation()}><AccountName id={a.account_id} /></Link> : '—') }]
            : []),
          { accessor: 'due_at', title: t('activities.due'), render: (a) => (a.due_at ? formatDateTime(a.due_at, lang, timeZone) : '—') },
          { accessor: 'created_at', title: t('common.when'), render: (a) => formatDateTime(a.created_at, lang, timeZone) },
        ]}
      />
      {editing && <ActivityForm accountId={editing.account_id ?? ''} activity={editing} onClose={() => setEditing(null)} />}
    </>
  );
}

/**
 * ActivitiesTab is an account's (or one of its opportunities') activities,
 * newest first, with quick "log a call", "add a note" and "add a task".
 */
export function ActivitiesTab({ accountId, opportunityId }: { accountId: string; opportunityId?: string }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const [adding, setAdding] = useState<Kind | null>(null);
  const filters = opportunityId ? { opportunity_id: opportunityId } : { account_id: accountId };
  const list = useCursorList(['activities', filters], (cursor) => unwrap(api.GET('/api/v1/activities', { params: { query: cursorQuery(filters, cursor) } })));
  return (
    <>
      <Group justify="space-between" mb="sm">
        <Title order={2} fz="h4">{t('activities.title')}</Title>
        {can('activities:write') && (
          <Group gap="xs">
            <Button size="xs" variant="light" leftSection={<IconPhone size={16} />} onClick={() => setAdding('call')}>{t('activities.logCall')}</Button>
            <Button size="xs" variant="light" leftSection={<IconNote size={16} />} onClick={() => setAdding('note')}>{t('activities.addNote')}</Button>
            <Button size="xs" leftSection={<IconChecklist size={16} />} onClick={() => setAdding('task')}>{t('activities.addTask')}</Button>
          </Group>
        )}
      </Group>
      <ActivityTable rows={list.rows} loading={list.loading} empty={t('activities.none')} />
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.more} />
      {adding && <ActivityForm accountId={accountId} opportunityId={opportunityId} kind={adding} onClose={() => setAdding(null)} />}
    </>
  );
}

/** MyTasks is the caller's open tasks (assigned_to=me&open=true), or all of theirs. */
export function MyTasks() {
  const { t } = useTranslation();
  const [show, setShow] = useState<'open' | 'all'>('open');
  const filters = { assigned_to: 'me', kind: 'task' as const, ...(show === 'open' ? { open: true } : {}) };
  const list = useCursorList(['activities', filters], (cursor) => unwrap(api.GET('/api/v1/activities', { params: { query: cursorQuery(filters, cursor) } })));
  return (
    <>
      <PageHeader title={t('activities.myTasks')} description={t('activities.myTasksHint')} />
      <SegmentedControl
        mb="md"
        value={show}
        onChange={(v) => setShow(v as 'open' | 'all')}
        data={[
          { value: 'open', label: t('activities.open') },
          { value: 'all', label: t('common.all') },
        ]}
      />
      <ActivityTable rows={list.rows} loading={list.loading} showAccount empty={t('activities.noTasks')} />
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.more} />
    </>
  );
}

/** ActivityForm logs an activity on an account or edits one; the server's field errors land on the inputs. */
export function ActivityForm({ accountId, opportunityId, activity, kind, onClose }: { accountId: string; opportunityId?: string; activity?: Activity; kind?: Kind; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const contacts = useQuery({
    queryKey: ['contacts', { account_id: accountId }, 'options'],
    queryFn: () => unwrap(api.GET('/api/v1/contacts', { params: { query: { account_id: accountId, limit: 100 } } })),
    enabled: !!accountId,
  });
  const form = useForm({
    initialValues: {
      kind: (activity?.kind ?? kind ?? 'note') as Kind,
      subject: activity?.subject ?? '',
      body: activity?.body ?? '',
      contact_id: activity?.contact_id ?? '',
      due_at: toLocalInput(activity?.due_at),
      done: activity?.done ?? false,
    },
    validate: {
      subject: (v) => (v.trim() ? null : t('validation.required')),
      due_at: (v) => (v && !fromLocalInput(v) ? t('activities.badDate') : null),
    },
  });
  const save = useMutation({
    mutationFn: (v: typeof form.values) => {
      const body = {
        kind: v.kind,
        subject: v.subject.trim(),
        body: v.body.trim(),
        contact_id: v.contact_id || null,
        due_at: fromLocalInput(v.due_at),
        done: v.done,
      };
      return activity
        ? unwrap(api.PATCH('/api/v1/activities/{id}', { params: { path: { id: activity.id } }, body }))
        : unwrap(api.POST('/api/v1/activities', { body: { ...body, account_id: accountId, ...(opportunityId ? { opportunity_id: opportunityId } : {}) }, headers: { 'Idempotency-Key': newIdempotencyKey() } }));
    },
    onSuccess: () => {
      showSaved();
      qc.invalidateQueries({ queryKey: ['activities'] });
      onClose();
    },
    onError: (e) => showError(e, form),
  });
  const dated = form.values.kind === 'task' || form.values.kind === 'meeting';
  return (
    <Modal opened onClose={onClose} title={activity ? t('activities.edit') : t(`activities.new.${form.values.kind}`)} size="lg">
      <form onSubmit={form.onSubmit((v) => save.mutate(v))} noValidate>
        <Stack>
          <Select
            label={t('activities.kind')}
            allowDeselect={false}
            data={activityKinds.map((k) => ({ value: k, label: t(`activities.kinds.${k}`) }))}
            {...form.getInputProps('kind')}
          />
          <TextInput label={t('activities.subject')} required {...form.getInputProps('subject')} />
          <Textarea label={t('activities.body')} autosize minRows={3} maxRows={10} {...form.getInputProps('body')} />
          <Select
            label={t('activities.contact')}
            clearable
            data={(contacts.data?.items ?? []).map((c) => ({ value: c.id, label: contactName(c) }))}
            {...form.getInputProps('contact_id')}
          />
          {dated && (
            <Group align="flex-end">
              <TextInput label={t('activities.due')} type="datetime-local" {...form.getInputProps('due_at')} />
              <Checkbox mb={8} label={t('common.done')} {...form.getInputProps('done', { type: 'checkbox' })} />
            </Group>
          )}
          <FormActions onCancel={onClose} saving={save.isPending} />
        </Stack>
      </form>
    </Modal>
  );
}
