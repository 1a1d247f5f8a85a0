import { useState } from 'react';
import { Alert, Anchor, Badge, Button, Card, Group, Paper, Stack, Text, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, Navigate, useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { formatDateTime } from '../../lib/format';
import { usePortal } from './PortalLayout';
import { PortalDetailError, PortalProblem, usePortalCustomer } from './PortalQuotes';
import { PortalTicketBadge } from './PortalTickets';
import { waitingOnCustomer, type CustomerTicket } from './portalTickets';

/** PortalTicket is one of the customer's tickets: the public thread, a reply box, and closing it. */
export function PortalTicket() {
  const { t } = useTranslation();
  const b = usePortal();
  const { id = '' } = useParams();
  const qc = useQueryClient();
  const { slug, loading, customer, lang } = usePortalCustomer();
  const [body, setBody] = useState('');
  const ticket = useQuery({
    queryKey: ['portal-tickets', id],
    queryFn: async () => (await unwrap(api.GET('/api/v1/tickets/{id}', { params: { path: { id } } }))) as CustomerTicket,
    enabled: !!customer,
  });
  const done = (tk: unknown) => {
    qc.setQueryData(['portal-tickets', id], tk);
    qc.invalidateQueries({ queryKey: ['portal-tickets', 'list'] });
  };
  const reply = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/tickets/{id}/messages', { params: { path: { id } }, body: { body } })),
    onSuccess: (tk) => {
      setBody('');
      done(tk);
    },
  });
  const close = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/tickets/{id}/close', { params: { path: { id } } })),
    onSuccess: done,
  });
  if (loading) return null;
  if (!customer) return <Navigate to={`/portal/${slug}`} replace />;
  const back = (
    <Anchor component={Link} to={`/portal/${slug}/tickets`} size="sm">
      ← {t('portal.tickets.back')}
    </Anchor>
  );
  if (ticket.isError) return <PortalDetailError back={back} error={ticket.error} notFound={t('portal.tickets.notFound')} />;
  const tk = ticket.data;
  if (!tk) return null;
  const closed = tk.status === 'closed';
  return (
    <Stack>
      {back}
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={1} fz="h2">
            {tk.subject}
          </Title>
          <Group gap="xs" mt={4}>
            <Text c="dimmed">{t('portal.tickets.heading', { number: tk.number })}</Text>
            <PortalTicketBadge status={tk.status} />
          </Group>
        </div>
        {!closed && (
          <Button variant="default" loading={close.isPending} onClick={() => close.mutate()}>
            {t('portal.tickets.close')}
          </Button>
        )}
      </Group>
      {tk.order_id && (
        <Text size="sm">
          {t('portal.tickets.aboutOrder')}{' '}
          <Anchor component={Link} to={`/portal/${slug}/orders/${tk.order_id}`}>
            {tk.order_number}
          </Anchor>
          {tk.product_name && ` · ${tk.product_name}`}
        </Text>
      )}
      {waitingOnCustomer(tk) && <Alert color="yellow">{t('portal.tickets.waitingOnYou')}</Alert>}
      {tk.status === 'resolved' && <Alert color="green">{t('portal.tickets.resolvedNote')}</Alert>}
      <Stack gap="sm" data-testid="portal-ticket-thread">
        {(tk.messages ?? []).map((m) => (
          <Paper key={m.id} withBorder p="sm" bg={m.from_staff ? 'blue.0' : undefined} data-testid="portal-ticket-message">
            <Group justify="space-between" mb={4}>
              <Group gap="xs">
                <Text fw={600} size="sm">
                  {m.author_name || (m.from_staff ? b.display_name : t('portal.tickets.you'))}
                </Text>
                {m.from_staff && (
                  <Badge size="xs" variant="light">
                    {b.display_name}
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
      {closed ? (
        <Alert color="gray">{t('portal.tickets.closedNote')}</Alert>
      ) : (
        <Card withBorder>
          <Stack gap="sm">
            <Textarea label={t('portal.tickets.reply')} autosize minRows={3} maxLength={10000} value={body} onChange={(e) => setBody(e.currentTarget.value)} />
            <PortalProblem error={reply.error ?? close.error} />
            <Group justify="flex-end">
              <Button color={b.accent_color} autoContrast disabled={!body.trim()} loading={reply.isPending} onClick={() => reply.mutate()}>
                {t('portal.tickets.sendReply')}
              </Button>
            </Group>
          </Stack>
        </Card>
      )}
    </Stack>
  );
}
