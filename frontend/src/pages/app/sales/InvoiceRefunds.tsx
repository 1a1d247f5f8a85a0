import { useState } from 'react';
import { Anchor, Badge, Button, Card, Group, Modal, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { IconCreditCardRefund } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, unwrap } from '../../../api/client';
import type { components } from '../../../api/schema.gen';
import { useSession } from '../../../auth/session';
import { FormActions } from '../../../components/FormActions';
import { showError, showSaved } from '../../../components/forms';
import { formatDate, formatMoney } from '../../../lib/format';
import { cardRefundable } from '../../../lib/refunds';
import { useLocale } from '../../../lib/useLocale';
import { cursorQuery, useCursorList, type Page } from '../../../lib/lists';
import { LoadMore } from '../../../components/LoadMore';
import { AccountName } from '../../../components/pickers';
import { DataTable } from 'mantine-datatable';

type Invoice = components['schemas']['Invoice'];
type Refund = components['schemas']['Refund'];
const color: Record<string, string> = { due: 'orange', processing: 'blue', refunded: 'green' };

/** InvoiceRefunds lists the money credit notes owe back on a paid invoice, and lets finance pay it back: to the card through Stripe, or by recording a transfer. */
export function InvoiceRefunds({ invoice }: { invoice: Invoice }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const { lang } = useLocale();
  const qc = useQueryClient();
  const [recording, setRecording] = useState<Refund | null>(null);
  const refunds = invoice.refunds ?? [];
  const toCard = useMutation({
    mutationFn: (id: string) => unwrap(api.POST('/api/v1/refunds/{id}/stripe', { params: { path: { id } } })),
    onSuccess: () => {
      showSaved(t('refunds.sent'));
      qc.invalidateQueries({ queryKey: ['invoices'] });
    },
    onError: (e) => showError(e),
  });
  if (refunds.length === 0) return null;
  const money = (m: number) => formatMoney(m, invoice.currency, lang);
  return (
    <Card withBorder mt="lg" data-testid="invoice-refunds">
      <Title order={2} fz="h4" mb="sm">{t('refunds.title')}</Title>
      <Table>
        <Table.Tbody>
          {refunds.map((r) => (
            <Table.Tr key={r.id}>
              <Table.Td>{t(`refunds.reasons.${r.reason}`)}</Table.Td>
              <Table.Td ta="right">{money(r.amount_minor)}</Table.Td>
              <Table.Td>
                <Badge color={color[r.status]} variant="light">{t(`refunds.statuses.${r.status}`)}</Badge>
              </Table.Td>
              <Table.Td>
                {r.status === 'refunded' && r.method
                  ? t('refunds.refundedOn', { method: t(`invoices.methods.${r.method}`), date: formatDate(r.refunded_on, lang, 'UTC') })
                  : r.status === 'processing' ? t('refunds.inProgress') : ''}
                {r.reference || r.external_ref ? ` · ${r.reference || r.external_ref}` : ''}
              </Table.Td>
              <Table.Td>
                {can('payments:record') && r.status === 'due' && (
                  <Group gap="xs" justify="flex-end">
                    {cardRefundable(r, invoice.payments ?? []) && (
                      <Button size="xs" leftSection={<IconCreditCardRefund size={16} />} loading={toCard.isPending} onClick={() => toCard.mutate(r.id)}>
                        {t('refunds.toCard')}
                      </Button>
                    )}
                    <Button size="xs" variant="light" onClick={() => setRecording(r)}>{t('refunds.record')}</Button>
                  </Group>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {recording && <RecordRefundForm refund={recording} currency={invoice.currency} onClose={() => setRecording(null)} />}
    </Card>
  );
}

function RecordRefundForm({ refund, currency, onClose }: { refund: Refund; currency: string; onClose: () => void }) {
  const { t } = useTranslation();
  const { lang } = useLocale();
  const qc = useQueryClient();
  const form = useForm({ initialValues: { method: 'transfer', reference: '', refunded_on: '' } });
  const save = useMutation({
    mutationFn: (v: typeof form.values) =>
      unwrap(api.POST('/api/v1/refunds/{id}/record', {
        params: { path: { id: refund.id } },
        body: { method: v.method as never, ...(v.reference.trim() ? { reference: v.reference.trim() } : {}), ...(v.refunded_on ? { refunded_on: v.refunded_on } : {}) },
      })),
    onSuccess: () => {
      showSaved(t('refunds.recorded'));
      qc.invalidateQueries({ queryKey: ['invoices'] });
      onClose();
    },
    onError: (e) => showError(e, form),
  });
  return (
    <Modal opened onClose={onClose} title={t('refunds.record')}>
      <form onSubmit={form.onSubmit((v) => save.mutate(v))}>
        <Stack>
          <Text>{t('refunds.amount')}: <b>{formatMoney(refund.amount_minor, currency, lang)}</b></Text>
          <Select label={t('refunds.method')} allowDeselect={false} data={['transfer', 'manual'].map((m) => ({ value: m, label: t(`invoices.methods.${m}`) }))} {...form.getInputProps('method')} />
          <TextInput label={t('refunds.reference')} {...form.getInputProps('reference')} />
          <TextInput type="date" label={t('refunds.date')} {...form.getInputProps('refunded_on')} />
          <FormActions onCancel={onClose} saving={save.isPending} label={t('refunds.record')} />
        </Stack>
      </form>
    </Modal>
  );
}

/** CreditNoteLink names a credit note by number, links to its invoice, and says when it owes the customer a refund. */
export function CreditNoteLink({ id }: { id: string }) {
  const { t } = useTranslation();
  const { lang } = useLocale();
  const note = useQuery({
    queryKey: ['credit-notes', id],
    queryFn: async () => (await unwrap(api.GET('/api/v1/credit-notes/{id}', { params: { path: { id } } }))) as components['schemas']['CreditNote'],
  });
  const c = note.data;
  if (!c) return <Text data-testid="return-credit-note">…</Text>;
  return (
    <Text data-testid="return-credit-note">
      <Anchor component={Link} to={`/app/invoices/${c.invoice_id}`}>{c.number}</Anchor>
      {c.refund && ` · ${t('refunds.label')} ${formatMoney(c.refund.amount_minor, c.currency, lang)}: ${t(`refunds.statuses.${c.refund.status}`)}`}
    </Text>
  );
}

/** RefundsDue is finance's list of money owed back to customers, each linking to its invoice, where it is paid back. */
export function RefundsDue() {
  const { t } = useTranslation();
  const { lang } = useLocale();
  const list = useCursorList(['refunds', 'due'], async (cursor) =>
    (await unwrap(api.GET('/api/v1/refunds', { params: { query: cursorQuery({ status: 'due' }, cursor) as never } }))) as Page<Refund>,
  );
  if (!list.loading && list.rows.length === 0) return null;
  return (
    <Card withBorder mt="lg" data-testid="refunds-due">
      <Title order={2} fz="h4" mb="sm">{t('refunds.dueTitle')}</Title>
      <DataTable
        minHeight={80}
        fetching={list.loading}
        records={list.rows}
        columns={[
          { accessor: 'account_id', title: t('receivables.customer'), render: (r) => <AccountName id={r.account_id} /> },
          { accessor: 'reason', title: t('invoices.reason'), render: (r) => t(`refunds.reasons.${r.reason}`) },
          { accessor: 'amount_minor', title: t('refunds.amount'), textAlign: 'right', render: (r) => formatMoney(r.amount_minor, r.currency, lang) },
          {
            accessor: 'invoice_id',
            title: '',
            textAlign: 'right',
            render: (r) => (
              <Anchor component={Link} to={`/app/invoices/${r.invoice_id}`}>
                {t('refunds.open')}
              </Anchor>
            ),
          },
        ]}
      />
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.more} />
    </Card>
  );
}
