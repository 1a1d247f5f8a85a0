import { useState } from 'react';
import { Anchor, Button, Card, Modal, Stack, Text, Textarea, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { DataTable } from 'mantine-datatable';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, unwrap } from '../../../api/client';
import type { components } from '../../../api/schema.gen';
import { useSession } from '../../../auth/session';
import { FormActions } from '../../../components/FormActions';
import { LoadMore } from '../../../components/LoadMore';
import { showError, showSaved } from '../../../components/forms';
import { formatDateTime, formatMoney } from '../../../lib/format';
import { cursorQuery, useCursorList, type Page } from '../../../lib/lists';
import { useLocale } from '../../../lib/useLocale';

type Attempt = components['schemas']['PaymentAttempt'];

/** received shows what Stripe collected, in its own currency (which may not be the invoice's); older attempts did not keep it. */
function received(a: Attempt, lang: string, unknown: string): string {
  return a.received_currency ? formatMoney(a.received_minor, a.received_currency, lang) : `${a.received_minor} (${unknown})`;
}

/**
 * PaymentsToReview is finance's list of card payments Stripe took that could
 * not be recorded on their invoice (another currency, no amount, the invoice
 * no longer payable): each is handled in Stripe or by hand, then resolved
 * here with a note. Hidden when there are none.
 */
export function PaymentsToReview() {
  const { t } = useTranslation();
  const { lang } = useLocale();
  const { can } = useSession();
  const [resolving, setResolving] = useState<Attempt | null>(null);
  const list = useCursorList(['payment-attempts', 'review'], async (cursor) =>
    (await unwrap(api.GET('/api/v1/payment-attempts', { params: { query: cursorQuery({ status: 'review' }, cursor) as never } }))) as Page<Attempt>,
  );
  if (!list.loading && list.rows.length === 0) return null;
  return (
    <Card withBorder mt="lg" data-testid="payments-to-review">
      <Title order={2} fz="h4" mb="xs">{t('paymentReview.title')}</Title>
      <Text c="dimmed" size="sm" mb="sm">{t('paymentReview.description')}</Text>
      <DataTable
        minHeight={80}
        fetching={list.loading}
        records={list.rows}
        columns={[
          {
            accessor: 'invoice_number',
            title: t('paymentReview.invoice'),
            render: (a) => (
              <Anchor component={Link} to={`/app/invoices/${a.invoice_id}`}>
                {a.invoice_number || t('refunds.open')}
              </Anchor>
            ),
          },
          { accessor: 'account_name', title: t('receivables.customer') },
          { accessor: 'received_minor', title: t('paymentReview.received'), textAlign: 'right', render: (a) => received(a, lang, t('paymentReview.unknownCurrency')) },
          { accessor: 'updated_at', title: t('paymentReview.date'), render: (a) => formatDateTime(a.updated_at, lang) },
          { accessor: 'payment_intent_id', title: t('paymentReview.paymentIntent'), render: (a) => <Text ff="monospace" size="sm">{a.payment_intent_id ?? '—'}</Text> },
          {
            accessor: 'id',
            title: '',
            textAlign: 'right',
            render: (a) =>
              can('payments:record') && (
                <Button size="xs" variant="light" onClick={() => setResolving(a)}>
                  {t('paymentReview.resolve')}
                </Button>
              ),
          },
        ]}
      />
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.more} />
      {resolving && <ResolveForm attempt={resolving} onClose={() => setResolving(null)} />}
    </Card>
  );
}

function ResolveForm({ attempt, onClose }: { attempt: Attempt; onClose: () => void }) {
  const { t } = useTranslation();
  const { lang } = useLocale();
  const qc = useQueryClient();
  const form = useForm({
    initialValues: { note: '' },
    validate: { note: (v) => (v.trim() ? null : t('paymentReview.noteRequired')) },
  });
  const save = useMutation({
    mutationFn: (v: typeof form.values) =>
      unwrap(api.POST('/api/v1/payment-attempts/{id}/resolve', { params: { path: { id: attempt.id } }, body: { note: v.note.trim() } })),
    onSuccess: () => {
      showSaved(t('paymentReview.resolved'));
      qc.invalidateQueries({ queryKey: ['payment-attempts'] });
      onClose();
    },
    onError: (e) => {
      showError(e, form);
      qc.invalidateQueries({ queryKey: ['payment-attempts'] });
    },
  });
  return (
    <Modal opened onClose={onClose} title={t('paymentReview.resolveTitle')}>
      <form onSubmit={form.onSubmit((v) => save.mutate(v))}>
        <Stack>
          <Text>
            {attempt.invoice_number} · <b>{received(attempt, lang, t('paymentReview.unknownCurrency'))}</b>
          </Text>
          <Textarea label={t('paymentReview.note')} description={t('paymentReview.noteHint')} autosize minRows={3} maxLength={500} data-autofocus {...form.getInputProps('note')} />
          <FormActions onCancel={onClose} saving={save.isPending} label={t('paymentReview.resolve')} />
        </Stack>
      </form>
    </Modal>
  );
}
