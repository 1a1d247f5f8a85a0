import { Anchor, Card, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link, Navigate, useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema.gen';
import { formatDate, formatMoney, formatNumber } from '../../lib/format';
import { PortalDetailError, PortalProblem, usePortalCustomer } from './PortalQuotes';
import { Fact } from '../../components/Fact';
import { RefundText } from '../../components/RefundText';

type CustomerCreditNote = components['schemas']['CustomerCreditNote'];
type CustomerInvoice = components['schemas']['CustomerInvoice'];

/** PortalCreditNote is one credit note of the customer's account: what was credited, and the credited invoice's balance now. */
export function PortalCreditNote() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const { slug, loading, customer, lang } = usePortalCustomer();
  const note = useQuery({
    queryKey: ['portal-credit-notes', id],
    queryFn: async () => (await unwrap(api.GET('/api/v1/credit-notes/{id}', { params: { path: { id } } }))) as CustomerCreditNote,
    enabled: !!customer,
  });
  const invoiceId = note.data?.invoice_id ?? '';
  const invoice = useQuery({
    queryKey: ['portal-invoices', invoiceId],
    queryFn: async () => (await unwrap(api.GET('/api/v1/invoices/{id}', { params: { path: { id: invoiceId } } }))) as CustomerInvoice,
    enabled: !!invoiceId,
  });
  if (loading) return null;
  if (!customer) return <Navigate to={`/portal/${slug}`} replace />;
  const back = (
    <Anchor component={Link} to={`/portal/${slug}/invoices`} size="sm">
      ← {t('portal.invoices.back')}
    </Anchor>
  );
  if (note.isError) return <PortalDetailError back={back} error={note.error} notFound={t('portal.creditNote.notFound')} />;
  const c = note.data;
  if (!c) return null;
  const money = (m: number) => formatMoney(m, c.currency, lang);
  return (
    <Stack>
      {back}
      <Title order={1} fz="h2">
        {t('portal.creditNote.heading', { number: c.number })}
      </Title>
      <Card withBorder padding="lg">
        <SimpleGrid cols={{ base: 2, sm: 4 }}>
          <Fact label={t('portal.creditNote.invoice')}>
            <Anchor component={Link} to={`/portal/${slug}/invoices/${c.invoice_id}`}>
              {c.invoice_number || t('portal.creditNote.openInvoice')}
            </Anchor>
          </Fact>
          <Fact label={t('portal.invoices.issued')}>{formatDate(c.issue_date, lang, 'UTC')}</Fact>
          <Fact label={t('portal.creditNote.total')}>
            <Text fw={700} data-testid="portal-credit-note-total">
              {money(c.total_minor)}
            </Text>
          </Fact>
          <Fact label={t('portal.creditNote.newBalance')}>
            <Text fw={700} data-testid="portal-credit-note-balance">
              {invoice.data ? formatMoney(invoice.data.balance_minor, invoice.data.currency, lang) : '…'}
            </Text>
          </Fact>
        </SimpleGrid>
        {c.refund && (
          <Text fw={700} mt="md" data-testid="portal-credit-note-refund">
            <RefundText refund={c.refund} currency={c.currency} lang={lang} />
          </Text>
        )}
        {c.reason && (
          <Text size="sm" mt="md">
            {t('portal.creditNote.reason')}: {c.reason}
          </Text>
        )}
        <PortalProblem error={invoice.error} />
      </Card>
      <Card withBorder padding="lg">
        <Table aria-label={t('portal.creditNote.heading', { number: c.number })} data-testid="portal-credit-note-lines">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('portal.invoices.description')}</Table.Th>
              <Table.Th ta="right">{t('portal.invoices.quantity')}</Table.Th>
              <Table.Th ta="right">{t('portal.invoices.net')}</Table.Th>
              <Table.Th ta="right">{t('portal.invoices.tax')}</Table.Th>
              <Table.Th ta="right">{t('portal.invoices.total')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(c.lines ?? []).map((l, k) => (
              <Table.Tr key={k}>
                <Table.Td>{l.description}</Table.Td>
                <Table.Td ta="right">{formatNumber(l.quantity, lang)}</Table.Td>
                <Table.Td ta="right">{money(l.net_minor)}</Table.Td>
                <Table.Td ta="right">{money(l.tax_minor)}</Table.Td>
                <Table.Td ta="right">{money(l.total_minor)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Card>
    </Stack>
  );
}
