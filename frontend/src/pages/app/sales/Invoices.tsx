import { useState } from 'react';
import { Anchor, Badge, Button, Card, Checkbox, Group, Modal, NumberInput, Select, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { IconCash, IconFileInvoice, IconFileTypePdf, IconReceiptRefund } from '@tabler/icons-react';
import { DataTable } from 'mantine-datatable';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { api, newIdempotencyKey, unwrap } from '../../../api/client';
import type { components } from '../../../api/schema.gen';
import { useSession } from '../../../auth/session';
import { FormActions } from '../../../components/FormActions';
import { showError, showSaved } from '../../../components/forms';
import { LoadMore } from '../../../components/LoadMore';
import { ExportCsvButton } from '../../../components/ExportCsvButton';
import { PageHeader } from '../../../components/PageHeader';
import { AccountName } from '../../../components/pickers';
import { formatDate, formatMoney, formatNumber, minorToInput, parseMoneyToMinor } from '../../../lib/format';
import { cursorQuery, useCursorList, type Page } from '../../../lib/lists';
import { useLocale } from '../../../lib/useLocale';
import { receivedMinor } from '../../../lib/refunds';
import { InvoiceRefunds } from './InvoiceRefunds';

type Invoice = components['schemas']['Invoice'];
const statuses = ['issued', 'partially_paid', 'paid', 'credited'] as const;
const color: Record<string, string> = { issued: 'blue', partially_paid: 'orange', paid: 'green', credited: 'gray' };

/** InvoiceList is the invoices table, for the Invoices page, an order's and a customer's page. */
export function InvoiceList({ orderId, accountId, status, overdue }: { orderId?: string; accountId?: string; status?: string | null; overdue?: boolean }) {
  const { t } = useTranslation();
  const { lang } = useLocale();
  const navigate = useNavigate();
  const filters = { order_id: orderId ?? '', account_id: accountId ?? '', status: status ?? '', overdue: overdue ? 'true' : '' };
  // Staff read full Invoices; the API's CustomerInvoice alternative is the portal's (P3).
  const list = useCursorList(['invoices', filters], async (cursor) => (await unwrap(api.GET('/api/v1/invoices', { params: { query: cursorQuery(filters, cursor) as never } }))) as Page<Invoice>);
  return (
    <>
      <DataTable
        withTableBorder
        borderRadius="md"
        highlightOnHover
        minHeight={100}
        fetching={list.loading}
        records={list.rows}
        noRecordsText={t('invoices.none')}
        onRowClick={({ record }) => navigate(`/app/invoices/${record.id}`)}
        columns={[
          { accessor: 'number', title: t('orders.number') },
          { accessor: 'account_id', title: t('orders.account'), hidden: !!accountId, render: (i) => <AccountName id={i.account_id} /> },
          { accessor: 'issue_date', title: t('invoices.issued'), render: (i) => formatDate(i.issue_date, lang, 'UTC') },
          { accessor: 'due_date', title: t('invoices.due'), render: (i) => formatDate(i.due_date, lang, 'UTC') },
          { accessor: 'status', title: t('common.status'), render: (i) => <InvoiceStatus invoice={i} /> },
          { accessor: 'total_minor', title: t('orders.total'), textAlign: 'right', render: (i) => formatMoney(i.total_minor, i.currency, lang) },
          { accessor: 'balance_minor', title: t('invoices.balance'), textAlign: 'right', render: (i) => formatMoney(i.balance_minor, i.currency, lang) },
        ]}
      />
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.more} />
    </>
  );
}

function InvoiceStatus({ invoice }: { invoice: Invoice }) {
  const { t } = useTranslation();
  return (
    <Group gap={4}>
      <Badge color={color[invoice.status]} data-testid="invoice-status">{t(`invoices.statuses.${invoice.status}`)}</Badge>
      {invoice.overdue && <Badge color="red" variant="outline">{t('invoices.overdue')}</Badge>}
    </Group>
  );
}

export function Invoices() {
  const { t } = useTranslation();
  const [status, setStatus] = useState<string | null>(null);
  const [overdue, setOverdue] = useState(false);
  return (
    <>
      <PageHeader
        title={t('invoices.title')}
        description={t('invoices.description')}
        actions={<ExportCsvButton path="/api/v1/invoices.csv" filters={{ status: status ?? '', overdue: overdue ? 'true' : '' }} />}
      />
      <Group mb="md" align="end">
        <Select label={t('common.status')} clearable placeholder={t('common.all')} data={statuses.map((s) => ({ value: s, label: t(`invoices.statuses.${s}`) }))} value={status} onChange={setStatus} w={220} />
        <Checkbox label={t('invoices.onlyOverdue')} checked={overdue} onChange={(e) => setOverdue(e.currentTarget.checked)} mb={8} />
      </Group>
      <InvoiceList status={status} overdue={overdue} />
    </>
  );
}

/** InvoiceButton issues an invoice for an order's shipped, not yet invoiced units. */
export function InvoiceButton({ orderId }: { orderId: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const issue = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/invoices', { body: { order_id: orderId }, headers: { 'Idempotency-Key': newIdempotencyKey() } })),
    onSuccess: (i) => {
      showSaved();
      for (const k of ['invoices', 'orders']) qc.invalidateQueries({ queryKey: [k] });
      navigate(`/app/invoices/${i.id}`);
    },
    onError: (e) => showError(e),
  });
  return (
    <Button variant="light" leftSection={<IconFileInvoice size={18} />} loading={issue.isPending} onClick={() => issue.mutate()}>
      {t('invoices.issue')}
    </Button>
  );
}

export function InvoiceDetail() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const { can } = useSession();
  const { lang } = useLocale();
  const [paying, setPaying] = useState(false);
  const [crediting, setCrediting] = useState(false);
  const invoice = useQuery({ queryKey: ['invoices', id], queryFn: async () => (await unwrap(api.GET('/api/v1/invoices/{id}', { params: { path: { id } } }))) as Invoice });
  const inv = invoice.data;
  if (!inv) return null;
  const money = (m: number) => formatMoney(m, inv.currency, lang);
  const fact = (label: string, value: React.ReactNode, testid?: string) => (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">{label}</Text>
      <Text data-testid={testid}>{value}</Text>
    </Stack>
  );
  return (
    <>
      <PageHeader
        title={t('invoices.invoice', { number: inv.number })}
        actions={
          <>
            <Button component="a" href={`/api/v1/invoices/${inv.id}/pdf`} variant="default" leftSection={<IconFileTypePdf size={18} />}>
              PDF
            </Button>
            {can('payments:record') && inv.balance_minor > 0 && (
              <Button leftSection={<IconCash size={18} />} onClick={() => setPaying(true)}>{t('invoices.recordPayment')}</Button>
            )}
            {can('credit_notes:issue') && (inv.lines ?? []).some((l) => l.credited_qty < l.quantity) && (
              <Button variant="light" leftSection={<IconReceiptRefund size={18} />} onClick={() => setCrediting(true)}>{t('invoices.creditNote')}</Button>
            )}
          </>
        }
      />
      <Card withBorder mb="lg">
        <SimpleGrid cols={{ base: 2, md: 6 }}>
          <Stack gap={0}>
            <Text size="xs" c="dimmed">{t('common.status')}</Text>
            <InvoiceStatus invoice={inv} />
          </Stack>
          {fact(t('orders.account'), <Anchor component={Link} to={`/app/accounts/${inv.account_id}`}><AccountName id={inv.account_id} /></Anchor>)}
          {fact(t('invoices.issued'), formatDate(inv.issue_date, lang, 'UTC'))}
          {fact(t('invoices.due'), formatDate(inv.due_date, lang, 'UTC'))}
          {fact(t('orders.total'), money(inv.total_minor))}
          {fact(t('invoices.balance'), <b>{money(inv.balance_minor)}</b>, 'invoice-balance')}
          {receivedMinor(inv) > 0 && fact(t('refunds.received'), money(receivedMinor(inv)), 'invoice-received')}
          {inv.credited_minor > 0 && fact(t('invoices.credited'), money(inv.credited_minor), 'invoice-credited')}
          {(inv.refund_minor ?? 0) > 0 && fact(t('refunds.title'), money(inv.refund_minor ?? 0), 'invoice-refund')}
        </SimpleGrid>
      </Card>
      <Table withTableBorder striped mb="lg">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('invoices.line')}</Table.Th>
            <Table.Th ta="right">{t('stock.quantity')}</Table.Th>
            <Table.Th ta="right">{t('orders.unitPrice')}</Table.Th>
            <Table.Th ta="right">{t('orders.tax')}</Table.Th>
            <Table.Th ta="right">{t('orders.total')}</Table.Th>
            <Table.Th ta="right">{t('invoices.credited')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(inv.lines ?? []).map((l) => (
            <Table.Tr key={l.id}>
              <Table.Td>{l.description}</Table.Td>
              <Table.Td ta="right">{formatNumber(l.quantity, lang)}</Table.Td>
              <Table.Td ta="right">{money(l.unit_price_minor)}</Table.Td>
              <Table.Td ta="right">{money(l.tax_minor)}</Table.Td>
              <Table.Td ta="right">{money(l.total_minor)}</Table.Td>
              <Table.Td ta="right">{formatNumber(l.credited_qty, lang)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Card withBorder>
          <Title order={2} fz="h4" mb="sm">{t('invoices.payments')}</Title>
          {(inv.payments ?? []).length === 0 ? <Text c="dimmed">{t('invoices.noPayments')}</Text> : (
            <Table>
              <Table.Tbody>
                {(inv.payments ?? []).map((p) => (
                  <Table.Tr key={p.id}>
                    <Table.Td>{formatDate(p.received_on, lang, 'UTC')}</Table.Td>
                    <Table.Td>{t(`invoices.methods.${p.method}`)}{p.reference ? ` · ${p.reference}` : ''}</Table.Td>
                    <Table.Td ta="right">{money(p.amount_minor)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Card>
        <Card withBorder>
          <Title order={2} fz="h4" mb="sm">{t('invoices.creditNotes')}</Title>
          {(inv.credit_notes ?? []).length === 0 ? <Text c="dimmed">{t('invoices.noCreditNotes')}</Text> : (
            <Table>
              <Table.Tbody>
                {(inv.credit_notes ?? []).map((c) => (
                  <Table.Tr key={c.id}>
                    <Table.Td>{c.number}</Table.Td>
                    <Table.Td>{c.reason}</Table.Td>
                    <Table.Td ta="right">{money(c.total_minor)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Card>
      </SimpleGrid>
      <InvoiceRefunds invoice={inv} />
      {paying && <PaymentForm invoice={inv} onClose={() => setPaying(false)} />}
      {crediting && <CreditNoteForm invoice={inv} onClose={() => setCrediting(false)} />}
    </>
  );
}

function PaymentForm({ invoice, onClose }: { invoice: Invoice; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const form = useForm({
    initialValues: { amount: minorToInput(invoice.balance_minor, invoice.currency), method: 'transfer', reference: '' },
    validate: { amount: (v) => ((parseMoneyToMinor(v, invoice.currency) ?? 0) > 0 ? null : t('validation.amount')) },
  });
  const save = useMutation({
    mutationFn: (v: typeof form.values) =>
      unwrap(api.POST('/api/v1/payments', {
        headers: { 'Idempotency-Key': newIdempotencyKey() },
        body: { invoice_id: invoice.id, amount_minor: parseMoneyToMinor(v.amount, invoice.currency) ?? 0, method: v.method as never, ...(v.reference.trim() ? { reference: v.reference.trim() } : {}) },
      })),
    onSuccess: () => {
      showSaved(t('invoices.paid'));
      for (const k of ['invoices', 'orders']) qc.invalidateQueries({ queryKey: [k] });
      onClose();
    },
    onError: (e) => showError(e, form),
  });
  return (
    <Modal opened onClose={onClose} title={t('invoices.recordPayment')}>
      <form onSubmit={form.onSubmit((v) => save.mutate(v))}>
        <Stack>
          <TextInput label={t('invoices.amount')} description={invoice.currency} inputMode="decimal" required {...form.getInputProps('amount')} />
          <Select label={t('invoices.method')} allowDeselect={false} data={['transfer', 'card', 'manual'].map((m) => ({ value: m, label: t(`invoices.methods.${m}`) }))} {...form.getInputProps('method')} />
          <TextInput label={t('invoices.reference')} {...form.getInputProps('reference')} />
          <FormActions onCancel={onClose} saving={save.isPending} />
        </Stack>
      </form>
    </Modal>
  );
}

function CreditNoteForm({ invoice, onClose }: { invoice: Invoice; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const lines = invoice.lines ?? [];
  const form = useForm({
    initialValues: { reason: '', qty: Object.fromEntries(lines.map((l) => [l.id, 0])) as Record<string, number | string> },
    validate: { reason: (v) => (v.trim() ? null : t('validation.required')) },
  });
  const save = useMutation({
    mutationFn: (v: typeof form.values) =>
      unwrap(api.POST('/api/v1/credit-notes', {
        headers: { 'Idempotency-Key': newIdempotencyKey() },
        body: { invoice_id: invoice.id, reason: v.reason.trim(), lines: Object.entries(v.qty).filter(([, q]) => Number(q) > 0).map(([id, q]) => ({ invoice_line_id: id, quantity: Number(q) })) },
      })),
    onSuccess: () => {
      showSaved();
      qc.invalidateQueries({ queryKey: ['invoices'] });
      onClose();
    },
    onError: (e) => showError(e, form),
  });
  return (
    <Modal opened onClose={onClose} title={t('invoices.creditNote')} size="lg">
      <form onSubmit={form.onSubmit((v) => save.mutate(v))}>
        <Stack>
          {lines.map((l) => (
            <Group key={l.id} justify="space-between">
              <Text size="sm">{l.description}</Text>
              <NumberInput aria-label={t('invoices.creditQty', { line: l.description })} min={0} max={l.quantity - l.credited_qty} allowDecimal={false} w={120} {...form.getInputProps(`qty.${l.id}`)} />
            </Group>
          ))}
          <TextInput label={t('invoices.reason')} required {...form.getInputProps('reason')} />
          <FormActions onCancel={onClose} saving={save.isPending} label={t('invoices.issueCreditNote')} />
        </Stack>
      </form>
    </Modal>
  );
}
