import { useState } from 'react';
import { Alert, Anchor, Button, Card, Group, Modal, SimpleGrid, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { IconAlertTriangle, IconCheck, IconEdit, IconFileTypePdf, IconGitBranch, IconSend, IconX } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { api, unwrap } from '../../../api/client';
import { isApiError } from '../../../api/problem';
import type { components } from '../../../api/schema.gen';
import { useSession } from '../../../auth/session';
import { FormActions } from '../../../components/FormActions';
import { showError, showSaved } from '../../../components/forms';
import { PageHeader } from '../../../components/PageHeader';
import { formatDate, formatMoney, formatNumber, formatPercentBp, minorToInput } from '../../../lib/format';
import { useLocale } from '../../../lib/useLocale';
import { LinesEditor, QuoteStatusBadge } from './Quotes';
import { availabilityText, creditView, quoteActions, quoteLinesBody, type EditLine, type LineBody, type Quote } from './quoteText';

type Accepted = components['schemas']['QuoteAccepted'];

/** Problem shows an API refusal where the action was tried, with its field errors. */
function Problem({ error }: { error: unknown }) {
  const { t } = useTranslation();
  if (!error) return null;
  const msg = isApiError(error) ? error.message : t('common.networkError');
  const fields = isApiError(error) ? Object.values(error.fields) : [];
  return (
    <Alert color="red" icon={<IconAlertTriangle size={18} />} title={t('common.error')} data-testid="quote-problem">
      {msg}
      {fields.map((f) => (
        <Text key={f} size="sm">{f}</Text>
      ))}
    </Alert>
  );
}

/** Fact is one labelled value in the quote's header card. */
function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">{label}</Text>
      {children}
    </Stack>
  );
}

export function QuoteDetail() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const { can } = useSession();
  const { lang } = useLocale();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [dialog, setDialog] = useState<'edit' | 'send' | 'accept' | 'decline' | null>(null);
  const [accepted, setAccepted] = useState<Accepted | null>(null);
  // Staff read the full Quote; the API's CustomerQuote alternative is the portal's (P5).
  const quote = useQuery({ queryKey: ['quotes', id], queryFn: async () => (await unwrap(api.GET('/api/v1/quotes/{id}', { params: { path: { id } } }))) as Quote });
  const oppId = quote.data?.opportunity_id;
  const opp = useQuery({
    queryKey: ['opportunities', oppId],
    queryFn: () => unwrap(api.GET('/api/v1/opportunities/{id}', { params: { path: { id: oppId! } } })),
    enabled: !!oppId && can('opportunities:read'),
  });
  const orderId = accepted?.order.id ?? quote.data?.order_id;
  const order = useQuery({
    queryKey: ['orders', orderId],
    queryFn: () => unwrap(api.GET('/api/v1/orders/{id}', { params: { path: { id: orderId! } } })),
    enabled: !!orderId && can('orders:read'),
  });
  const revise = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/quotes/{id}/revise', { params: { path: { id } } })),
    onSuccess: (next) => {
      showSaved(t('quotes.revised', { revision: next.revision }));
      qc.invalidateQueries({ queryKey: ['quotes'] });
      navigate(`/app/quotes/${next.id}`);
    },
    onError: (e) => showError(e),
  });
  if (quote.isError) return <Alert color="red">{t('quotes.notFound')}</Alert>;
  const q = quote.data;
  if (!q) return null;
  const money = (m: number) => formatMoney(m, q.currency, lang);
  const may = quoteActions(q.status, can);
  const close = () => setDialog(null);
  return (
    <>
      <PageHeader
        title={`${t('quotes.quote', { number: q.number })} · ${t('quotes.revision', { revision: q.revision })}`}
        description={q.account_name}
        actions={
          <>
            {may.edit && <Button variant="default" leftSection={<IconEdit size={18} />} onClick={() => setDialog('edit')}>{t('quotes.edit')}</Button>}
            <Button variant="default" component="a" href={`/api/v1/quotes/${q.id}/pdf`} target="_blank" rel="noopener" leftSection={<IconFileTypePdf size={18} />}>
              {t('quotes.pdf')}
            </Button>
            {may.send && <Button leftSection={<IconSend size={18} />} onClick={() => setDialog('send')}>{t('quotes.send')}</Button>}
            {may.accept && <Button color="green" leftSection={<IconCheck size={18} />} onClick={() => setDialog('accept')}>{t('quotes.accept')}</Button>}
            {may.decline && <Button color="red" variant="light" leftSection={<IconX size={18} />} onClick={() => setDialog('decline')}>{t('quotes.decline')}</Button>}
            {may.revise && (
              <Button variant="light" leftSection={<IconGitBranch size={18} />} loading={revise.isPending} onClick={() => revise.mutate()}>
                {t('quotes.revise')}
              </Button>
            )}
          </>
        }
      />
      {revise.error && <Problem error={revise.error} />}
      {accepted && <AcceptResult accepted={accepted} />}
      {!accepted && q.status === 'accepted' && (
        <Alert color="green" mb="md" title={t('quotes.acceptedInto')}>
          {q.order_id && (order.data ? (
            <Anchor component={Link} to={`/app/orders/${q.order_id}`}>{t('quotes.openOrder', { number: order.data.number })}</Anchor>
          ) : null)}
        </Alert>
      )}
      {q.status === 'superseded' && q.superseded_by && (
        <Alert color="gray" mb="md" title={t('quotes.superseded')}>
          <Anchor component={Link} to={`/app/quotes/${q.superseded_by}`}>{t('quotes.openNewer')}</Anchor>
        </Alert>
      )}
      {q.status === 'expired' && <Alert color="orange" mb="md">{t('quotes.expired')}</Alert>}
      {q.status === 'declined' && <Alert color="red" mb="md">{t('quotes.declinedBecause', { reason: q.decline_reason })}</Alert>}
      <Card withBorder mb="lg">
        <SimpleGrid cols={{ base: 2, md: 6 }}>
          <Fact label={t('common.status')}><QuoteStatusBadge status={q.status} /></Fact>
          <Fact label={t('quotes.account')}>
            <Anchor component={Link} to={`/app/accounts/${q.account_id}`}>{q.account_name}</Anchor>
          </Fact>
          <Fact label={t('quotes.opportunity')}>
            {q.opportunity_id ? (
              <Anchor component={Link} to={`/app/opportunities/${q.opportunity_id}`} data-testid="quote-opportunity">{opp.data?.name ?? t('quotes.opportunity')}</Anchor>
            ) : (
              <Text>—</Text>
            )}
          </Fact>
          <Fact label={t('quotes.validUntil')}><Text data-testid="quote-valid-until">{formatDate(q.valid_until, lang, 'UTC')}</Text></Fact>
          <Fact label={t('quotes.promised')}><Text data-testid="quote-promised">{formatDate(q.promised_date, lang, 'UTC')}</Text></Fact>
          <Fact label={t('quotes.total')}><Text fw={700} data-testid="quote-total">{money(q.total_minor)}</Text></Fact>
        </SimpleGrid>
        {q.sent_to && <Text size="sm" c="dimmed" mt="sm">{t('quotes.sentTo')}: {q.sent_to}</Text>}
        {q.notes && <Text size="sm" mt="sm" style={{ whiteSpace: 'pre-wrap' }}>{q.notes}</Text>}
      </Card>
      <Lines quote={q} />
      <Group justify="flex-end" mt="sm" gap="xl">
        <Text>{t('quotes.subtotal')}: {money(q.subtotal_minor)}</Text>
        <Text>{t('quotes.tax')}: {money(q.tax_minor)}</Text>
        <Text fw={700}>{t('quotes.total')}: {money(q.total_minor)}</Text>
      </Group>
      <CreditPanel quote={q} />
      {dialog === 'edit' && <EditQuote quote={q} onClose={close} />}
      {dialog === 'send' && <SendQuote quote={q} onClose={close} />}
      {dialog === 'accept' && <AcceptQuote quote={q} onClose={close} onAccepted={setAccepted} />}
      {dialog === 'decline' && <DeclineQuote quote={q} onClose={close} />}
    </>
  );
}

function Lines({ quote }: { quote: Quote }) {
  const { t } = useTranslation();
  const { lang } = useLocale();
  const money = (m: number) => formatMoney(m, quote.currency, lang);
  const open = quote.status === 'draft' || quote.status === 'sent';
  return (
    <Table.ScrollContainer minWidth={800}>
      <Table withTableBorder striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('quotes.product')}</Table.Th>
            <Table.Th ta="right">{t('quotes.quantity')}</Table.Th>
            <Table.Th ta="right">{t('quotes.unitPrice')}</Table.Th>
            <Table.Th ta="right">{t('quotes.discount')}</Table.Th>
            <Table.Th ta="right">{t('quotes.amount')}</Table.Th>
            <Table.Th ta="right">{t('quotes.tax')}</Table.Th>
            {open && <Table.Th>{t('quotes.availability')}</Table.Th>}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(quote.lines ?? []).map((l) => (
            <Table.Tr key={l.id}>
              <Table.Td>
                <Anchor component={Link} to={`/app/products/${l.product_id}`}>{l.description}</Anchor>
              </Table.Td>
              <Table.Td ta="right">{formatNumber(l.quantity, lang)}</Table.Td>
              <Table.Td ta="right">{money(l.unit_price_minor)}</Table.Td>
              <Table.Td ta="right">{l.discount_bp ? formatPercentBp(l.discount_bp, lang) : '—'}</Table.Td>
              <Table.Td ta="right">{money(l.net_minor)}</Table.Td>
              <Table.Td ta="right">{money(l.tax_minor)}</Table.Td>
              {open && (
                <Table.Td data-testid="line-availability">
                  {l.availability ? (
                    <Text size="sm" c={l.availability.later > 0 ? 'orange.8' : 'green.8'}>{availabilityText(l.availability, l.quantity, t, lang)}</Text>
                  ) : (
                    '—'
                  )}
                </Table.Td>
              )}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** CreditPanel is the credit check the rep sees before sending (F4). */
function CreditPanel({ quote }: { quote: Quote }) {
  const { t } = useTranslation();
  const { lang } = useLocale();
  const v = creditView(quote.credit, lang);
  if (v.kind === 'none') return null;
  return (
    <Card withBorder mt="lg" data-testid="credit-panel">
      <Title order={2} fz="h4" mb="sm">{t('quotes.credit.title')}</Title>
      {v.kind === 'unlimited' ? (
        <Text data-testid="credit-summary">{t('quotes.credit.noLimit')}</Text>
      ) : (
        <>
          <SimpleGrid cols={{ base: 2, md: 5 }} mb="sm">
            <Fact label={t('quotes.credit.limit')}><Text data-testid="credit-limit">{v.limit}</Text></Fact>
            <Fact label={t('quotes.credit.openInvoices')}><Text data-testid="credit-invoices">{v.invoices}</Text></Fact>
            <Fact label={t('quotes.credit.openOrders')}><Text data-testid="credit-orders">{v.orders}</Text></Fact>
            <Fact label={t('quotes.credit.available')}><Text fw={600} data-testid="credit-available">{v.available}</Text></Fact>
            <Fact label={t('quotes.credit.thisQuote')}><Text data-testid="credit-quote">{v.quote}</Text></Fact>
          </SimpleGrid>
          {v.kind === 'exceeds' ? (
            <Alert color="red" icon={<IconAlertTriangle size={18} />} title={t('quotes.credit.exceedsTitle')}>
              <Text data-testid="credit-summary">{t('quotes.credit.exceeds', { available: v.available, over: v.exceedsBy })}</Text>
              <Text size="sm" mt={4}>{t('quotes.credit.exceedsHint')}</Text>
            </Alert>
          ) : (
            <Text c="green.8" data-testid="credit-summary">{t('quotes.credit.fits')}</Text>
          )}
        </>
      )}
    </Card>
  );
}

function AcceptResult({ accepted }: { accepted: Accepted }) {
  const { t } = useTranslation();
  return (
    <Alert color="green" mb="md" icon={<IconCheck size={18} />} title={t('quotes.orderCreated', { number: accepted.order.number })} data-testid="accept-result">
      <Stack gap={4}>
        <Text size="sm">{t('quotes.orderStatus', { status: t(`orders.statuses.${accepted.order.status}`) })}</Text>
        <Text size="sm" data-testid="accept-production">
          {accepted.production_orders.length > 0 ? t('quotes.productionOrders', { numbers: accepted.production_orders.join(', ') }) : t('quotes.noProduction')}
        </Text>
        {accepted.plan_note && <Text size="sm" data-testid="accept-plan-note">{accepted.plan_note}</Text>}
        <Anchor component={Link} to={`/app/orders/${accepted.order.id}`}>{t('quotes.openOrder', { number: accepted.order.number })}</Anchor>
      </Stack>
    </Alert>
  );
}

/** invalidate refreshes every view a quote action may change. */
function useInvalidate() {
  const qc = useQueryClient();
  return () => {
    for (const k of ['quotes', 'opportunities', 'orders', 'production-orders', 'stock']) qc.invalidateQueries({ queryKey: [k] });
  };
}

function EditQuote({ quote, onClose }: { quote: Quote; onClose: () => void }) {
  const { t } = useTranslation();
  const invalidate = useInvalidate();
  const [validUntil, setValidUntil] = useState(quote.valid_until);
  const [notes, setNotes] = useState(quote.notes);
  const [rows, setRows] = useState<EditLine[]>(
    (quote.lines ?? []).map((l) => ({
      product_id: l.product_id,
      description: l.description,
      quantity: l.quantity,
      unit_price: minorToInput(l.unit_price_minor, quote.currency),
      discount: l.discount_bp / 100,
    })),
  );
  const [invalid, setInvalid] = useState<{ index: number; field: string } | null>(null);
  const save = useMutation({
    mutationFn: (lines: LineBody[]) =>
      unwrap(api.PATCH('/api/v1/quotes/{id}', { params: { path: { id: quote.id } }, body: { valid_until: validUntil, notes, lines } })),
    onSuccess: () => {
      showSaved();
      invalidate();
      onClose();
    },
  });
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const body = quoteLinesBody(rows, quote.currency);
    if ('index' in body) {
      setInvalid(body);
      return;
    }
    setInvalid(null);
    save.mutate(body.lines);
  };
  return (
    <Modal opened onClose={onClose} title={t('quotes.editTitle', { number: quote.number })} size="xl">
      <form onSubmit={submit} noValidate>
        <Stack>
          <Problem error={save.error} />
          <TextInput label={t('quotes.validUntil')} type="date" w={220} value={validUntil} onChange={(e) => setValidUntil(e.currentTarget.value)} />
          <LinesEditor rows={rows} onChange={setRows} errors={invalid} />
          <Textarea label={t('quotes.notes')} autosize minRows={2} value={notes} onChange={(e) => setNotes(e.currentTarget.value)} />
          <FormActions onCancel={onClose} saving={save.isPending} />
        </Stack>
      </form>
    </Modal>
  );
}

function SendQuote({ quote, onClose }: { quote: Quote; onClose: () => void }) {
  const { t } = useTranslation();
  const invalidate = useInvalidate();
  const [to, setTo] = useState('');
  const [message, setMessage] = useState('');
  const send = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/quotes/{id}/send', {
          params: { path: { id: quote.id } },
          body: { ...(to.trim() ? { to: to.trim() } : {}), ...(message.trim() ? { message: message.trim() } : {}) },
        }),
      ),
    onSuccess: () => {
      showSaved(t('quotes.sent'));
      invalidate();
      onClose();
    },
  });
  const fieldError = (f: string) => (isApiError(send.error) ? send.error.fields[f] : undefined);
  return (
    <Modal opened onClose={onClose} title={t('quotes.sendTitle', { number: quote.number })}>
      <form onSubmit={(e) => { e.preventDefault(); send.mutate(); }} noValidate>
        <Stack>
          <Problem error={send.error} />
          <TextInput label={t('quotes.to')} description={t('quotes.toHint')} type="email" value={to} onChange={(e) => setTo(e.currentTarget.value)} error={fieldError('to')} />
          <Textarea label={t('quotes.message')} autosize minRows={3} value={message} onChange={(e) => setMessage(e.currentTarget.value)} error={fieldError('message')} />
          <FormActions onCancel={onClose} saving={send.isPending} label={t('quotes.send')} />
        </Stack>
      </form>
    </Modal>
  );
}

function AcceptQuote({ quote, onClose, onAccepted }: { quote: Quote; onClose: () => void; onAccepted: (a: Accepted) => void }) {
  const { t } = useTranslation();
  const invalidate = useInvalidate();
  const accept = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/quotes/{id}/accept', { params: { path: { id: quote.id } } })),
    onSuccess: (a) => {
      showSaved(t('quotes.accepted'));
      onAccepted(a);
      invalidate();
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title={t('quotes.acceptTitle')}>
      <form onSubmit={(e) => { e.preventDefault(); accept.mutate(); }}>
        <Stack>
          <Problem error={accept.error} />
          <Text size="sm">{t('quotes.acceptBody')}</Text>
          <FormActions onCancel={onClose} saving={accept.isPending} label={t('quotes.acceptConfirm')} />
        </Stack>
      </form>
    </Modal>
  );
}

function DeclineQuote({ quote, onClose }: { quote: Quote; onClose: () => void }) {
  const { t } = useTranslation();
  const invalidate = useInvalidate();
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState(false);
  const decline = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/quotes/{id}/decline', { params: { path: { id: quote.id } }, body: { reason: reason.trim() } })),
    onSuccess: () => {
      showSaved(t('quotes.declined'));
      invalidate();
      onClose();
    },
  });
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    setMissing(!reason.trim());
    if (reason.trim()) decline.mutate();
  };
  return (
    <Modal opened onClose={onClose} title={t('quotes.declineTitle')}>
      <form onSubmit={submit} noValidate>
        <Stack>
          <Problem error={decline.error} />
          <Textarea
            label={t('quotes.reason')}
            required
            autosize
            minRows={2}
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            error={missing ? t('validation.required') : isApiError(decline.error) ? decline.error.fields.reason : undefined}
          />
          <FormActions onCancel={onClose} saving={decline.isPending} label={t('quotes.decline')} />
        </Stack>
      </form>
    </Modal>
  );
}
