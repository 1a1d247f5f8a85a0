import { useState } from 'react';
import { Badge, Button, Card, Group, Modal, Select, SimpleGrid, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { IconPlus, IconSearch } from '@tabler/icons-react';
import { DataTable } from 'mantine-datatable';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api, newIdempotencyKey, unwrap } from '../../../api/client';
import { useSession } from '../../../auth/session';
import { FormActions } from '../../../components/FormActions';
import { showError, showSaved } from '../../../components/forms';
import { LoadMore } from '../../../components/LoadMore';
import { PageHeader } from '../../../components/PageHeader';
import { AccountPicker } from '../../../components/pickers';
import { cursorQuery, useCursorList } from '../../../lib/lists';
import {
  assigneeOptions, duration, queueQuery, slaState, ticketPriorities, ticketPriorityColor, ticketStatuses, ticketStatusColor,
  type QueueFilters, type Ticket, type TicketPriority, type TicketStatus,
} from './tickets';

/**
 * useAssignees is who tickets can be assigned to (GET /tickets/assignees),
 * for tickets:write holders, who need not be able to list users.
 */
export function useAssignees(enabled: boolean) {
  return useQuery({
    queryKey: ['tickets', 'assignees'],
    queryFn: async () => (await unwrap(api.GET('/api/v1/tickets/assignees'))).items,
    enabled,
    staleTime: 60_000,
  });
}

export function TicketStatusBadge({ status }: { status: TicketStatus }) {
  const { t } = useTranslation();
  return (
    <Badge variant="light" color={ticketStatusColor[status]} data-testid="ticket-status">
      {t(`tickets.statuses.${status}`)}
    </Badge>
  );
}

export function TicketPriorityBadge({ priority }: { priority: TicketPriority }) {
  const { t } = useTranslation();
  return (
    <Badge color={ticketPriorityColor[priority]} variant={priority === 'urgent' ? 'filled' : 'light'} data-testid="ticket-priority">
      {t(`tickets.priorities.${priority}`)}
    </Badge>
  );
}

/** SLABadge is a ticket's SLA clock: breached (red), due within the hour (orange), due in … or nothing once settled. */
export function SLABadge({ ticket }: { ticket: Pick<Ticket, 'status' | 'sla_due_at' | 'breached'> }) {
  const { t } = useTranslation();
  const s = slaState(ticket, new Date());
  switch (s.kind) {
    case 'settled':
      return <Text c="dimmed">—</Text>;
    case 'breached':
      return (
        <Badge color="red" variant="filled" data-testid="ticket-breached">
          {t('tickets.breachedBy', { time: duration(s.minutes) })}
        </Badge>
      );
    default:
      return (
        <Text size="sm" c={s.kind === 'soon' ? 'orange' : undefined} fw={s.kind === 'soon' ? 700 : undefined}>
          {t('tickets.dueIn', { time: duration(s.minutes) })}
        </Text>
      );
  }
}

/** Summary is the support dashboard (D4): open tickets by priority, breaches and unassigned. */
function Summary() {
  const { t } = useTranslation();
  const s = useQuery({ queryKey: ['tickets', 'summary'], queryFn: () => unwrap(api.GET('/api/v1/tickets/summary')) });
  if (!s.data) return null;
  const d = s.data;
  const card = (label: string, value: number, testId: string, color?: string) => (
    <Card withBorder padding="sm" key={testId}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={700} fz="xl" c={color} data-testid={testId}>
        {value}
      </Text>
    </Card>
  );
  return (
    <SimpleGrid cols={{ base: 2, sm: 4, lg: 7 }} mb="md">
      {card(t('tickets.summary.open'), d.open, 'tickets-open')}
      {ticketPriorities.map((p) => card(t(`tickets.priorities.${p}`), d.open_by_priority[p], `tickets-open-${p}`))}
      {card(t('tickets.summary.breached'), d.breached, 'tickets-breached', d.breached > 0 ? 'red' : undefined)}
      {card(t('tickets.summary.unassigned'), d.unassigned, 'tickets-unassigned')}
    </SimpleGrid>
  );
}

/** TicketList is the queue: soonest due first, with priority, status and the SLA clock. */
export function TicketList({ filters }: { filters: QueueFilters }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const query = queueQuery(filters);
  const list = useCursorList(['tickets', query], (cursor) => unwrap(api.GET('/api/v1/tickets', { params: { query: cursorQuery(query, cursor) as never } })));
  const rows = list.rows as Ticket[];
  return (
    <>
      <DataTable
        withTableBorder
        borderRadius="md"
        highlightOnHover
        minHeight={100}
        fetching={list.loading}
        records={rows}
        noRecordsText={t('tickets.none')}
        onRowClick={({ record }) => navigate(`/app/tickets/${record.id}`)}
        aria-label={t('tickets.title')}
        data-testid="ticket-queue"
        columns={[
          { accessor: 'number', title: t('tickets.number') },
          { accessor: 'subject', title: t('tickets.subject') },
          { accessor: 'account_name', title: t('tickets.account'), hidden: !!filters.accountId },
          { accessor: 'priority', title: t('tickets.priority'), render: (r) => <TicketPriorityBadge priority={r.priority} /> },
          { accessor: 'status', title: t('common.status'), render: (r) => <TicketStatusBadge status={r.status} /> },
          { accessor: 'sla_due_at', title: t('tickets.sla'), render: (r) => <SLABadge ticket={r} /> },
          { accessor: 'assignee_name', title: t('tickets.assignee'), render: (r) => r.assignee_name || '—' },
        ]}
      />
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.more} />
    </>
  );
}

/** Tickets is the support queue page (C6, D4). */
export function Tickets() {
  const { t } = useTranslation();
  const { can } = useSession();
  const navigate = useNavigate();
  const assignees = useAssignees(can('tickets:write'));
  const [view, setView] = useState<QueueFilters['view']>('active');
  const [priority, setPriority] = useState<TicketPriority | null>(null);
  const [assignee, setAssignee] = useState<QueueFilters['assignee']>(null);
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search, 250);
  const [creating, setCreating] = useState(false);
  const views = [
    { value: 'active', label: t('tickets.views.active') },
    { value: 'breached', label: t('tickets.views.breached') },
    ...ticketStatuses.map((s) => ({ value: s, label: t(`tickets.statuses.${s}`) })),
    { value: 'all', label: t('common.all') },
  ];
  return (
    <>
      <PageHeader
        title={t('tickets.title')}
        description={t('tickets.description')}
        actions={
          can('tickets:write') && (
            <Button leftSection={<IconPlus size={18} />} onClick={() => setCreating(true)}>
              {t('tickets.new')}
            </Button>
          )
        }
      />
      <Summary />
      <Group mb="md" align="end">
        <TextInput label={t('common.search')} placeholder={t('tickets.searchHint')} leftSection={<IconSearch size={16} />} value={search} onChange={(e) => setSearch(e.currentTarget.value)} w={240} />
        <Select label={t('tickets.show')} data={views} value={view} onChange={(v) => setView((v ?? 'active') as QueueFilters['view'])} allowDeselect={false} w={200} />
        <Select
          label={t('tickets.priority')}
          clearable
          placeholder={t('common.all')}
          data={ticketPriorities.map((p) => ({ value: p, label: t(`tickets.priorities.${p}`) }))}
          value={priority}
          onChange={(v) => setPriority(v as TicketPriority | null)}
          w={160}
        />
        <Select
          label={t('tickets.assignee')}
          clearable
          placeholder={t('tickets.anyone')}
          data={[
            { value: 'me', label: t('tickets.mine') },
            { value: 'none', label: t('tickets.unassigned') },
            ...assigneeOptions(assignees.data ?? []),
          ]}
          value={assignee}
          onChange={(v) => setAssignee(v)}
          searchable
          w={200}
        />
      </Group>
      <TicketList filters={{ view, priority, assignee, q }} />
      {creating && <NewTicket onClose={() => setCreating(false)} onSaved={(id) => navigate(`/app/tickets/${id}`)} />}
    </>
  );
}

/** NewTicket opens a ticket on a customer's behalf (a call, an email). */
function NewTicket({ onClose, onSaved }: { onClose: () => void; onSaved: (id: string) => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [accountId, setAccountId] = useState<string | null>(null);
  const [subject, setSubject] = useState('');
  const [message, setMessage] = useState('');
  const [priority, setPriority] = useState<TicketPriority>('normal');
  const [missing, setMissing] = useState(false);
  const save = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/tickets', {
          headers: { 'Idempotency-Key': newIdempotencyKey() },
          body: { account_id: accountId ?? '', subject, message, priority },
        }),
      ),
    onSuccess: (tk) => {
      showSaved();
      qc.invalidateQueries({ queryKey: ['tickets'] });
      onSaved(tk.id);
      onClose();
    },
    onError: (e) => showError(e),
  });
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const bad = !accountId || !subject.trim() || !message.trim();
    setMissing(bad);
    if (!bad) save.mutate();
  };
  const req = (v: string | null) => (missing && !v?.trim() ? t('validation.required') : undefined);
  return (
    <Modal opened onClose={onClose} title={t('tickets.new')} size="lg">
      <form onSubmit={submit} noValidate>
        <Stack>
          <AccountPicker label={t('tickets.account')} required value={accountId} onChange={setAccountId} error={req(accountId)} />
          <TextInput label={t('tickets.subject')} required maxLength={200} value={subject} onChange={(e) => setSubject(e.currentTarget.value)} error={req(subject)} />
          <Textarea label={t('tickets.message')} required autosize minRows={3} value={message} onChange={(e) => setMessage(e.currentTarget.value)} error={req(message)} />
          <Select
            label={t('tickets.priority')}
            data={ticketPriorities.map((p) => ({ value: p, label: t(`tickets.priorities.${p}`) }))}
            value={priority}
            onChange={(v) => setPriority((v ?? 'normal') as TicketPriority)}
            allowDeselect={false}
          />
          <FormActions onCancel={onClose} saving={save.isPending} label={t('tickets.open')} />
        </Stack>
      </form>
    </Modal>
  );
}
