import { useState } from 'react';
import { Anchor, Badge, Button, Card, Group, Select, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { IconPlus } from '@tabler/icons-react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { api, newIdempotencyKey, unwrap } from '../../api/client';
import type { CustomerOrder } from '../../api/types';
import { formatDateTime } from '../../lib/format';
import { ticketStatusColor } from '../app/support/tickets';
import { usePortal } from './PortalLayout';
import { PortalProblem, usePortalCustomer } from './PortalQuotes';
import { newTicketBody, orderProducts, type CustomerTicket } from './portalTickets';

export function PortalTicketBadge({ status }: { status: CustomerTicket['status'] }) {
  const { t } = useTranslation();
  return (
    <Badge variant="light" color={ticketStatusColor[status]} data-testid="portal-ticket-status">
      {t(`portal.tickets.statuses.${status}`)}
    </Badge>
  );
}

/** PortalTickets lists the account's support tickets, newest first, with a way to open one (P6). */
export function PortalTickets() {
  const { t } = useTranslation();
  const b = usePortal();
  const { slug, loading, customer, lang } = usePortalCustomer();
  const tickets = useQuery({
    queryKey: ['portal-tickets', 'list', customer?.customer.id],
    queryFn: () => unwrap(api.GET('/api/v1/tickets', { params: { query: { limit: 50 } } })),
    enabled: !!customer,
  });
  if (loading) return null;
  if (!customer) return <Navigate to={`/portal/${slug}`} replace />;
  const rows = (tickets.data?.items ?? []) as CustomerTicket[];
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} fz="h2">
          {t('portal.tickets.title')}
        </Title>
        <Button component={Link} to={`/portal/${slug}/tickets/new`} color={b.accent_color} autoContrast leftSection={<IconPlus size={18} />}>
          {t('portal.tickets.new')}
        </Button>
      </Group>
      <PortalProblem error={tickets.error} />
      <Card withBorder padding="lg">
        {tickets.isSuccess && rows.length === 0 ? (
          <Text c="dimmed">{t('portal.tickets.none', { name: b.display_name })}</Text>
        ) : (
          <Table.ScrollContainer minWidth={520}>
            <Table striped aria-label={t('portal.tickets.title')} data-testid="portal-tickets">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('portal.tickets.ticket')}</Table.Th>
                  <Table.Th>{t('portal.tickets.subject')}</Table.Th>
                  <Table.Th>{t('common.status')}</Table.Th>
                  <Table.Th>{t('portal.tickets.lastMessage')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((tk) => (
                  <Table.Tr key={tk.id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/portal/${slug}/tickets/${tk.id}`}>
                        {tk.number}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{tk.subject}</Table.Td>
                    <Table.Td>
                      <PortalTicketBadge status={tk.status} />
                    </Table.Td>
                    <Table.Td>{formatDateTime(tk.last_message_at, lang)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Card>
    </Stack>
  );
}

/**
 * PortalNewTicket opens a ticket: subject, message and, optionally, one of
 * the customer's orders (?order= preselects it, from the order page) and
 * a product of that order.
 */
export function PortalNewTicket() {
  const { t } = useTranslation();
  const b = usePortal();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [params] = useSearchParams();
  const { slug, loading, customer } = usePortalCustomer();
  const [subject, setSubject] = useState('');
  const [message, setMessage] = useState('');
  const [orderId, setOrderId] = useState<string | null>(params.get('order'));
  const [productId, setProductId] = useState<string | null>(null);
  const [missing, setMissing] = useState<string[]>([]);
  const orders = useQuery({
    queryKey: ['portal-orders', 'picker', customer?.customer.id],
    queryFn: () => unwrap(api.GET('/api/v1/orders', { params: { query: { limit: 100 } } })),
    enabled: !!customer,
  });
  const order = useQuery({
    queryKey: ['portal-orders', orderId],
    queryFn: async () => (await unwrap(api.GET('/api/v1/orders/{id}', { params: { path: { id: orderId! } } }))) as CustomerOrder,
    enabled: !!customer && !!orderId,
  });
  const open = useMutation({
    mutationFn: (body: Parameters<typeof newTicketBody>[0]) => {
      const b = newTicketBody(body);
      if ('missing' in b) throw new Error('missing');
      return unwrap(api.POST('/api/v1/tickets', { headers: { 'Idempotency-Key': newIdempotencyKey() }, body: b.body }));
    },
    onSuccess: (tk) => {
      qc.invalidateQueries({ queryKey: ['portal-tickets'] });
      navigate(`/portal/${slug}/tickets/${tk.id}`);
    },
  });
  if (loading) return null;
  if (!customer) return <Navigate to={`/portal/${slug}`} replace />;
  const orderOptions = ((orders.data?.items ?? []) as CustomerOrder[])
    .filter((o) => o.number)
    .map((o) => ({ value: o.id, label: o.number }));
  // An order linked from its page may be past the picker's first page: keep it choosable.
  if (orderId && order.data?.number && !orderOptions.some((o) => o.value === orderId)) orderOptions.unshift({ value: orderId, label: order.data.number });
  const products = orderId && order.data ? orderProducts(order.data.lines ?? []) : [];
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const form = { subject, message, orderId, productId };
    const b = newTicketBody(form);
    setMissing('missing' in b ? b.missing : []);
    if ('body' in b) open.mutate(form);
  };
  const req = (field: string) => (missing.includes(field) ? t('validation.required') : undefined);
  return (
    <Stack>
      <Anchor component={Link} to={`/portal/${slug}/tickets`} size="sm">
        ← {t('portal.tickets.back')}
      </Anchor>
      <Title order={1} fz="h2">
        {t('portal.tickets.new')}
      </Title>
      <Card withBorder padding="lg">
        <form onSubmit={submit} noValidate>
          <Stack>
            <TextInput label={t('portal.tickets.subject')} required maxLength={200} value={subject} onChange={(e) => setSubject(e.currentTarget.value)} error={req('subject')} />
            <Textarea label={t('portal.tickets.message')} required autosize minRows={4} maxLength={10000} value={message} onChange={(e) => setMessage(e.currentTarget.value)} error={req('message')} />
            <Select
              label={t('portal.tickets.order')}
              placeholder={t('portal.tickets.noOrder')}
              clearable
              searchable
              data={orderOptions}
              value={orderId}
              onChange={(v) => {
                setOrderId(v);
                setProductId(null);
              }}
              data-testid="portal-ticket-order"
            />
            {products.length > 0 && (
              <Select label={t('portal.tickets.product')} placeholder={t('portal.tickets.noProduct')} clearable data={products} value={productId} onChange={setProductId} />
            )}
            <PortalProblem error={open.error} />
            <Group justify="flex-end">
              <Button variant="default" component={Link} to={`/portal/${slug}/tickets`}>
                {t('common.cancel')}
              </Button>
              <Button type="submit" color={b.accent_color} autoContrast loading={open.isPending}>
                {t('portal.tickets.send')}
              </Button>
            </Group>
          </Stack>
        </form>
      </Card>
    </Stack>
  );
}

/** PortalOrderTicketLink opens a ticket about an order, from the order's page. */
export function PortalOrderTicketLink({ slug, orderId }: { slug: string; orderId: string }) {
  const { t } = useTranslation();
  return (
    <Anchor component={Link} to={`/portal/${slug}/tickets/new?order=${encodeURIComponent(orderId)}`} size="sm" data-testid="portal-order-ticket">
      {t('portal.tickets.aboutThisOrder')}
    </Anchor>
  );
}
