import { useState } from 'react';
import { Alert, Anchor, Button, Card, Group, Modal, SimpleGrid, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { IconCheck, IconFileTypePdf, IconX } from '@tabler/icons-react';
import { Link, Navigate, useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { isApiError } from '../../api/problem';
import type { CustomerOrder } from '../../api/types';
import { showSaved } from '../../components/forms';
import { formatDate, formatMoney, formatNumber, formatPercentBp } from '../../lib/format';
import { usePortal } from './PortalLayout';
import { PortalDetailError, PortalProblem, PortalQuoteBadge, usePortalCustomer } from './PortalQuotes';
import { declineReason, quoteStanding, type CustomerQuote, type QuoteAccepted } from './portalQuotes';
import { Fact } from '../../components/Fact';

/** Fact is one labelled value in the quote's header card. */

/** PortalQuote is one quote as sent to the customer, who may accept or decline it while it is open. */
export function PortalQuote() {
  const { t } = useTranslation();
  const b = usePortal();
  const { id = '' } = useParams();
  const { slug, loading, customer, lang } = usePortalCustomer();
  const [dialog, setDialog] = useState<'accept' | 'decline' | null>(null);
  const [accepted, setAccepted] = useState<QuoteAccepted['order'] | null>(null);
  const quote = useQuery({
    queryKey: ['portal-quotes', id],
    queryFn: async () => (await unwrap(api.GET('/api/v1/quotes/{id}', { params: { path: { id } } }))) as CustomerQuote,
    enabled: !!customer,
  });
  if (loading) return null;
  if (!customer) return <Navigate to={`/portal/${slug}`} replace />;
  const back = (
    <Anchor component={Link} to={`/portal/${slug}/quotes`} size="sm">
      ← {t('portal.quotes.back')}
    </Anchor>
  );
  if (quote.isError) return <PortalDetailError back={back} error={quote.error} notFound={t('portal.quotes.notFound')} />;
  const q = quote.data;
  if (!q) return null;
  const money = (m: number) => formatMoney(m, q.currency, lang);
  const standing = quoteStanding(q);
  const close = () => setDialog(null);
  return (
    <Stack>
      {back}
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={1} fz="h2">
            {t('portal.quotes.heading', { number: q.number })}
          </Title>
          <Text c="dimmed">
            {t('portal.quotes.revision', { revision: q.revision })} · {q.account_name}
          </Text>
        </div>
        <Group gap="sm">
          <Button
            variant="default"
            component="a"
            href={`/api/v1/quotes/${q.id}/pdf`}
            target="_blank"
            rel="noopener"
            leftSection={<IconFileTypePdf size={18} />}
          >
            {t('quotes.pdf')}
          </Button>
          {standing.kind === 'open' && (
            <>
              <Button color={b.accent_color} autoContrast leftSection={<IconCheck size={18} />} onClick={() => setDialog('accept')}>
                {t('portal.quotes.accept')}
              </Button>
              <Button color="red" variant="light" leftSection={<IconX size={18} />} onClick={() => setDialog('decline')}>
                {t('portal.quotes.decline')}
              </Button>
            </>
          )}
        </Group>
      </Group>
      {accepted ? <OrderCreated slug={slug} order={accepted} /> : <StandingNotice quote={q} slug={slug} lang={lang} />}
      <Card withBorder>
        <SimpleGrid cols={{ base: 2, sm: 4 }}>
          <Fact label={t('common.status')}>
            <div>
              <PortalQuoteBadge status={q.status} />
            </div>
          </Fact>
          <Fact label={t('quotes.validUntil')}>
            <Text data-testid="portal-quote-valid-until">{formatDate(q.valid_until, lang, 'UTC')}</Text>
          </Fact>
          <Fact label={t('portal.quotes.deliveryFrom')}>
            <Text data-testid="portal-quote-promised">{formatDate(q.promised_date, lang, 'UTC')}</Text>
          </Fact>
          <Fact label={t('quotes.total')}>
            <Text fw={700} data-testid="portal-quote-total">
              {money(q.total_minor)}
            </Text>
          </Fact>
        </SimpleGrid>
        {q.notes && (
          <Text size="sm" mt="sm" style={{ whiteSpace: 'pre-wrap' }} data-testid="portal-quote-notes">
            {q.notes}
          </Text>
        )}
      </Card>
      <Table.ScrollContainer minWidth={640}>
        <Table withTableBorder striped aria-label={t('quotes.lines')} data-testid="portal-quote-lines">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('portal.quotes.description')}</Table.Th>
              <Table.Th ta="right">{t('quotes.quantity')}</Table.Th>
              <Table.Th ta="right">{t('quotes.unitPrice')}</Table.Th>
              <Table.Th ta="right">{t('quotes.discount')}</Table.Th>
              <Table.Th ta="right">{t('portal.quotes.net')}</Table.Th>
              <Table.Th ta="right">{t('quotes.tax')}</Table.Th>
              <Table.Th ta="right">{t('portal.quotes.lineTotal')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(q.lines ?? []).map((l, i) => (
              <Table.Tr key={i}>
                <Table.Td>{l.description}</Table.Td>
                <Table.Td ta="right">{formatNumber(l.quantity, lang)}</Table.Td>
                <Table.Td ta="right">{money(l.unit_price_minor)}</Table.Td>
                <Table.Td ta="right">{l.discount_bp ? formatPercentBp(l.discount_bp, lang) : '—'}</Table.Td>
                <Table.Td ta="right">{money(l.net_minor)}</Table.Td>
                <Table.Td ta="right">
                  {money(l.tax_minor)}{' '}
                  <Text span size="xs" c="dimmed">
                    ({formatPercentBp(l.tax_rate_bp, lang)})
                  </Text>
                </Table.Td>
                <Table.Td ta="right">{money(l.total_minor)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Group justify="flex-end" gap="xl">
        <Text>
          {t('quotes.subtotal')}: {money(q.subtotal_minor)}
        </Text>
        <Text>
          {t('quotes.tax')}: {money(q.tax_minor)}
        </Text>
        <Text fw={700}>
          {t('quotes.total')}: {money(q.total_minor)}
        </Text>
      </Group>
      {dialog === 'accept' && <AcceptDialog quote={q} total={money(q.total_minor)} onClose={close} onAccepted={setAccepted} />}
      {dialog === 'decline' && <DeclineDialog quote={q} onClose={close} />}
    </Stack>
  );
}

/** OrderCreated answers an acceptance: the order's number and status, and where the customer follows it. */
function OrderCreated({ slug, order }: { slug: string; order: QuoteAccepted['order'] }) {
  const { t } = useTranslation();
  return (
    <Alert color="green" icon={<IconCheck size={18} />} title={t('portal.quotes.orderCreated', { number: order.number })} data-testid="portal-order-created">
      <Stack gap={4}>
        <Text size="sm">{t('portal.quotes.orderStatus', { status: t(`orders.statuses.${order.status}`) })}</Text>
        <Anchor component={Link} to={`/portal/${slug}/orders`} size="sm">
          {t('portal.quotes.seeOrders')}
        </Anchor>
      </Stack>
    </Alert>
  );
}

/** StandingNotice says why a quote can no longer be answered, or what became of it. */
function StandingNotice({ quote, slug, lang }: { quote: CustomerQuote; slug: string; lang: string }) {
  const { t } = useTranslation();
  const b = usePortal();
  const s = quoteStanding(quote);
  const orderId = s.kind === 'accepted' ? s.orderId : null;
  const nextId = s.kind === 'superseded' ? s.next : null;
  const order = useQuery({
    queryKey: ['portal-orders', 'one', orderId],
    queryFn: async () => (await unwrap(api.GET('/api/v1/orders/{id}', { params: { path: { id: orderId! } } }))) as CustomerOrder,
    enabled: !!orderId,
  });
  // The newer revision is linked only once it is visible to the customer (sent): a draft revision is not found.
  const next = useQuery({
    queryKey: ['portal-quotes', nextId],
    queryFn: () => unwrap(api.GET('/api/v1/quotes/{id}', { params: { path: { id: nextId! } } })),
    enabled: !!nextId,
  });
  switch (s.kind) {
    case 'open':
      return null;
    case 'expired':
      return (
        <Alert color="orange" data-testid="portal-quote-standing">
          {t('portal.quotes.expired', { date: formatDate(s.validUntil, lang, 'UTC'), name: b.display_name })}
        </Alert>
      );
    case 'superseded':
      return (
        <Alert color="gray" data-testid="portal-quote-standing">
          <Stack gap={4}>
            <Text size="sm">{t('portal.quotes.superseded', { name: b.display_name })}</Text>
            {next.isSuccess && (
              <Anchor component={Link} to={`/portal/${slug}/quotes/${nextId}`} size="sm">
                {t('portal.quotes.openNewer')}
              </Anchor>
            )}
          </Stack>
        </Alert>
      );
    case 'accepted':
      return (
        <Alert color="green" icon={<IconCheck size={18} />} data-testid="portal-quote-standing">
          <Stack gap={4}>
            <Text size="sm">{t('portal.quotes.accepted', { date: formatDate(s.at, lang) })}</Text>
            {order.data && (
              <>
                <Text size="sm">
                  {t('portal.quotes.acceptedOrder', { number: order.data.number, status: t(`orders.statuses.${order.data.status}`) })}
                </Text>
                <Anchor component={Link} to={`/portal/${slug}/orders`} size="sm">
                  {t('portal.quotes.seeOrders')}
                </Anchor>
              </>
            )}
          </Stack>
        </Alert>
      );
    case 'declined':
      return (
        <Alert color="red" data-testid="portal-quote-standing">
          {t('portal.quotes.declined', { date: formatDate(s.at, lang), reason: s.reason })}
        </Alert>
      );
    default:
      return <Alert color="gray">{t('portal.quotes.closed')}</Alert>;
  }
}

/** useRefresh reloads what an answer changes: the quotes and the customer's orders. */
function useRefresh() {
  const qc = useQueryClient();
  return () => {
    qc.invalidateQueries({ queryKey: ['portal-quotes'] });
    qc.invalidateQueries({ queryKey: ['portal-orders'] });
  };
}

function AcceptDialog({
  quote,
  total,
  onClose,
  onAccepted,
}: {
  quote: CustomerQuote;
  total: string;
  onClose: () => void;
  onAccepted: (o: QuoteAccepted['order']) => void;
}) {
  const { t } = useTranslation();
  const b = usePortal();
  const refresh = useRefresh();
  const accept = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/quotes/{id}/accept', { params: { path: { id: quote.id } } })),
    onSuccess: (a) => {
      onAccepted(a.order);
      refresh();
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title={t('portal.quotes.acceptTitle', { number: quote.number })}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          accept.mutate();
        }}
      >
        <Stack>
          <PortalProblem error={accept.error} />
          <Text size="sm">{t('portal.quotes.acceptBody', { name: b.display_name, total })}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" color={b.accent_color} autoContrast loading={accept.isPending}>
              {t('portal.quotes.acceptConfirm')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function DeclineDialog({ quote, onClose }: { quote: CustomerQuote; onClose: () => void }) {
  const { t } = useTranslation();
  const b = usePortal();
  const refresh = useRefresh();
  const [text, setText] = useState('');
  const [missing, setMissing] = useState(false);
  const decline = useMutation({
    mutationFn: (reason: string) => unwrap(api.POST('/api/v1/quotes/{id}/decline', { params: { path: { id: quote.id } }, body: { reason } })),
    onSuccess: () => {
      showSaved(t('portal.quotes.declinedToast'));
      refresh();
      onClose();
    },
  });
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const reason = declineReason(text);
    setMissing(!reason);
    if (reason) decline.mutate(reason);
  };
  return (
    <Modal opened onClose={onClose} title={t('portal.quotes.declineTitle', { number: quote.number })}>
      <form onSubmit={submit} noValidate>
        <Stack>
          <PortalProblem error={decline.error} />
          <Text size="sm">{t('portal.quotes.declineBody', { name: b.display_name })}</Text>
          <Textarea
            label={t('portal.quotes.reason')}
            required
            autosize
            minRows={2}
            maxLength={500}
            value={text}
            onChange={(e) => setText(e.currentTarget.value)}
            error={missing ? t('validation.required') : isApiError(decline.error) ? decline.error.fields.reason : undefined}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" color="red" loading={decline.isPending}>
              {t('portal.quotes.declineConfirm')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
