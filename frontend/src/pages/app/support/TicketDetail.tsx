import { useState } from 'react';
import { Alert, Anchor, Badge, Button, Card, Group, Paper, Select, SimpleGrid, Stack, Text, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { IconLock, IconSend } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api, unwrap } from '../../../api/client';
import { useSession } from '../../../auth/session';
import { showError, showSaved } from '../../../components/forms';
import { formatDateTime } from '../../../lib/format';
import { useLocale } from '../../../lib/useLocale';
import { SLABadge, TicketPriorityBadge, TicketStatusBadge, useAssignees } from './Tickets';
import { assigneeOptions, canReply, ticketPriorities, ticketStatuses, type Ticket, type TicketMessage, type TicketPriority, type TicketStatus } from './tickets';
import { Fact } from '../../../components/Fact';

type Patch = { status?: TicketStatus; priority?: TicketPriority; assignee_id?: string | null };

/** TicketDetail is one ticket for staff: its links and SLA, the thread with internal notes, replies and changes. */
export function TicketDetail() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const { can, me } = useSession();
  const { lang } = useLocale();
  const qc = useQueryClient();
  const assignees = useAssignees(can('tickets:write'));
  // Staff read the full Ticket; the API's CustomerTicket alternative is the portal's (P6).
  const ticket = useQuery({ queryKey: ['tickets', id], queryFn: async () => (await unwrap(api.GET('/api/v1/tickets/{id}', { params: { path: { id } } }))) as Ticket });
  const done = (tk: unknown) => {
    qc.setQueryData(['tickets', id], tk);
    qc.invalidateQueries({ queryKey: ['tickets'] });
  };
  const patch = useMutation({
    mutationFn: (body: Patch) => unwrap(api.PATCH('/api/v1/tickets/{id}', { params: { path: { id } }, body })),
    onSuccess: (tk) => {
      showSaved();
      done(tk);
    },
    onError: (e) => showError(e),
  });
  if (ticket.isError) return <Alert color="red">{t('tickets.notFound')}</Alert>;
  const tk = ticket.data;
  if (!tk) return null;
  const write = can('tickets:write') && tk.status !== 'closed';
  const myId = me?.user?.id;
  return (
    <Stack>
      <Anchor component={Link} to="/app/tickets" size="sm">
        ← {t('tickets.back')}
      </Anchor>
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={1} fz="h2">
            {tk.number} · {tk.subject}
          </Title>
          <Group gap="xs" mt={4}>
            <TicketStatusBadge status={tk.status} />
            <TicketPriorityBadge priority={tk.priority} />
            <SLABadge ticket={tk} />
          </Group>
        </div>
        {write && (
          <Group gap="sm" align="end">
            <Select
              label={t('common.status')}
              data={ticketStatuses.map((s) => ({ value: s, label: t(`tickets.statuses.${s}`) }))}
              value={tk.status}
              onChange={(v) => v && v !== tk.status && patch.mutate({ status: v as TicketStatus })}
              allowDeselect={false}
              w={190}
              data-testid="ticket-status-select"
            />
            <Select
              label={t('tickets.priority')}
              data={ticketPriorities.map((p) => ({ value: p, label: t(`tickets.priorities.${p}`) }))}
              value={tk.priority}
              onChange={(v) => v && v !== tk.priority && patch.mutate({ priority: v as TicketPriority })}
              allowDeselect={false}
              w={150}
              data-testid="ticket-priority-select"
            />
          </Group>
        )}
      </Group>
      <Card withBorder>
        <SimpleGrid cols={{ base: 2, sm: 4 }}>
          <Fact label={t('tickets.account')}>
            <Anchor component={Link} to={`/app/accounts/${tk.account_id}`}>
              {tk.account_name}
            </Anchor>
          </Fact>
          <Fact label={t('tickets.order')}>
            {tk.order_id ? (
              <Anchor component={Link} to={`/app/orders/${tk.order_id}`}>
                {tk.order_number || '—'}
              </Anchor>
            ) : (
              '—'
            )}
          </Fact>
          <Fact label={t('tickets.product')}>
            {tk.product_id ? (
              <Anchor component={Link} to={`/app/products/${tk.product_id}`}>
                {tk.product_name}
              </Anchor>
            ) : (
              '—'
            )}
          </Fact>
          <Fact label={t('tickets.lot')}>
            {tk.lot_id ? (
              <Anchor component={Link} to={`/app/lots/${tk.lot_id}`}>
                {tk.lot_code}
              </Anchor>
            ) : (
              '—'
            )}
          </Fact>
          <Fact label={t('tickets.opened')}>{formatDateTime(tk.created_at, lang)}</Fact>
          <Fact label={t('tickets.slaDue')}>{formatDateTime(tk.sla_due_at, lang)}</Fact>
          <Fact label={t('tickets.firstResponse')}>{tk.first_response_at ? formatDateTime(tk.first_response_at, lang) : '—'}</Fact>
          <Fact label={t('tickets.assignee')}>
            {write ? (
              <Stack gap={4}>
                {/* Who the server says can handle tickets; clearing unassigns. */}
                <Select
                  aria-label={t('tickets.assignee')}
                  placeholder={t('tickets.unassigned')}
                  data={assigneeOptions(assignees.data ?? [], { id: tk.assignee_id, name: tk.assignee_name })}
                  value={tk.assignee_id ?? null}
                  onChange={(v) => v !== (tk.assignee_id ?? null) && patch.mutate({ assignee_id: v })}
                  searchable
                  clearable
                  clearButtonProps={{ 'aria-label': t('tickets.unassign') }}
                  nothingFoundMessage={t('tickets.noAssignees')}
                  size="xs"
                  data-testid="ticket-assignee-select"
                />
                {myId && tk.assignee_id !== myId && assignees.data?.some((a) => a.id === myId) && (
                  <Button size="compact-xs" variant="light" onClick={() => patch.mutate({ assignee_id: myId })}>
                    {t('tickets.assignToMe')}
                  </Button>
                )}
              </Stack>
            ) : (
              <Text data-testid="ticket-assignee">{tk.assignee_name || t('tickets.unassigned')}</Text>
            )}
          </Fact>
        </SimpleGrid>
      </Card>
      <Title order={2} fz="h4">
        {t('tickets.thread')}
      </Title>
      <Thread messages={tk.messages ?? []} lang={lang} />
      {can('tickets:write') && canReply(tk) && <ReplyBox id={id} onDone={done} />}
      {tk.status === 'closed' && <Alert color="gray">{t('tickets.closedNote')}</Alert>}
    </Stack>
  );
}

/** Thread is the conversation, oldest first; internal notes stand out so nobody mistakes them for what the customer read. */
function Thread({ messages, lang }: { messages: TicketMessage[]; lang: string }) {
  const { t } = useTranslation();
  return (
    <Stack gap="sm" data-testid="ticket-thread">
      {messages.map((m) => (
        <Paper
          key={m.id}
          withBorder
          p="sm"
          bg={m.internal ? 'yellow.0' : m.author_kind === 'customer' ? undefined : 'blue.0'}
          data-testid={m.internal ? 'ticket-note' : 'ticket-message'}
        >
          <Group justify="space-between" mb={4}>
            <Group gap="xs">
              <Text fw={600} size="sm">
                {m.author_name || t(`tickets.authors.${m.author_kind}`)}
              </Text>
              <Badge size="xs" variant="light" color={m.author_kind === 'customer' ? 'gray' : 'blue'}>
                {t(`tickets.authors.${m.author_kind}`)}
              </Badge>
              {m.internal && (
                <Badge size="xs" color="yellow" leftSection={<IconLock size={10} />}>
                  {t('tickets.internalNote')}
                </Badge>
              )}
            </Group>
            <Text size="xs" c="dimmed">
              {formatDateTime(m.created_at, lang)}
            </Text>
          </Group>
          <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
            {m.body}
          </Text>
        </Paper>
      ))}
    </Stack>
  );
}

/** ReplyBox answers the customer publicly, or adds a note only staff read. */
function ReplyBox({ id, onDone }: { id: string; onDone: (tk: unknown) => void }) {
  const { t } = useTranslation();
  const [body, setBody] = useState('');
  const send = useMutation({
    mutationFn: (internal: boolean) => unwrap(api.POST('/api/v1/tickets/{id}/messages', { params: { path: { id } }, body: { body, internal } })),
    onSuccess: (tk, internal) => {
      showSaved(internal ? t('tickets.noteAdded') : t('tickets.replied'));
      setBody('');
      onDone(tk);
    },
    onError: (e) => showError(e),
  });
  const empty = !body.trim();
  return (
    <Card withBorder>
      <Stack gap="sm">
        <Textarea label={t('tickets.reply')} autosize minRows={3} maxLength={10000} value={body} onChange={(e) => setBody(e.currentTarget.value)} />
        <Group justify="flex-end">
          <Button variant="light" color="yellow" leftSection={<IconLock size={16} />} disabled={empty} loading={send.isPending && send.variables} onClick={() => send.mutate(true)}>
            {t('tickets.addNote')}
          </Button>
          <Button leftSection={<IconSend size={16} />} disabled={empty} loading={send.isPending && !send.variables} onClick={() => send.mutate(false)}>
            {t('tickets.sendReply')}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
