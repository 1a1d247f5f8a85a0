import { Anchor, Badge, Button, Card, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { IconFileTypePdf } from '@tabler/icons-react';
import { Link, Navigate, useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema.gen';
import { formatDate, formatMoney, formatNumber, formatPercentBp } from '../../lib/format';
import { InvoicePayment } from './PortalInvoicePay';
import { usePortal } from './PortalLayout';
import { PortalDetailError, PortalProblem, usePortalCustomer } from './PortalQuotes';
import { Fact } from '../../components/Fact';
import { RefundText } from '../../components/RefundText';
import { receivedMinor } from '../../lib/refunds';

type CustomerInvoice = components['schemas']['CustomerInvoice'];
const invoiceColor: Record<CustomerInvoice['status'], string> = { issued: 'blue', partially_paid: 'orange', paid: 'green', credited: 'gray' };

function InvoiceBadge({ invoice }: { invoice: CustomerInvoice }) {
  const { t } = useTranslation();
  return (
    <Group gap={4}>
      <Badge variant="light" color={invoiceColor[invoice.status]} data-testid="portal-invoice-status">
        {t(`invoices.statuses.${invoice.status}`)}
      </Badge>
      {invoice.overdue && (
        <Badge variant="light" color="red">
          {t('portal.invoices.overdue')}
        </Badge>
      )}
    </Group>
  );
}

/** PortalInvoices lists the invoices of the customer's account (the server binds the list to it). */
export function PortalInvoices() {
  const { t } = useTranslation();
  const b = usePortal();
  const { slug, loading, customer, lang } = usePortalCustomer();
  const invoices = useQuery({
    queryKey: ['portal-invoices', 'list', customer?.customer.id],
    queryFn: () => unwrap(api.GET('/api/v1/invoices', { params: { query: { limit: 50 } } })),
    enabled: !!customer,
  });
  if (loading) return null;
  if (!customer) return <Navigate to={`/portal/${slug}`} replace />;
  const rows = (invoices.data?.items ?? []) as CustomerInvoice[];
  return (
    <Stack>
      <Title order={1} fz="h2">
        {t('portal.invoices.title')}
      </Title>
      <PortalProblem error={invoices.error} />
      <Card withBorder padding="lg">
        {invoices.isSuccess && rows.length === 0 ? (
          <Text c="dimmed">{t('portal.invoices.none', { name: b.display_name })}</Text>
        ) : (
          <Table.ScrollContainer minWidth={560}>
            <Table striped aria-label={t('portal.invoices.title')} data-testid="portal-invoices">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('portal.invoices.invoice')}</Table.Th>
                  <Table.Th>{t('common.status')}</Table.Th>
                  <Table.Th>{t('portal.invoices.due')}</Table.Th>
                  <Table.Th ta="right">{t('portal.invoices.total')}</Table.Th>
                  <Table.Th ta="right">{t('portal.invoices.balance')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((i) => (
                  <Table.Tr key={i.id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/portal/${slug}/invoices/${i.id}`}>
                        {i.number}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>
                      <InvoiceBadge invoice={i} />
                    </Table.Td>
                    <Table.Td>{formatDate(i.due_date, lang, 'UTC')}</Table.Td>
                    <Table.Td ta="right">{formatMoney(i.total_minor, i.currency, lang)}</Table.Td>
                    <Table.Td ta="right">{formatMoney(i.balance_minor, i.currency, lang)}</Table.Td>
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

/** PortalInvoice is one invoice of the customer's account, with its lines, the PDF, how to pay it and its payments. */
export function PortalInvoice() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const { slug, loading, customer, lang } = usePortalCustomer();
  const invoice = useQuery({
    queryKey: ['portal-invoices', id],
    queryFn: async () => (await unwrap(api.GET('/api/v1/invoices/{id}', { params: { path: { id } } }))) as CustomerInvoice,
    enabled: !!customer,
  });
  if (loading) return null;
  if (!customer) return <Navigate to={`/portal/${slug}`} replace />;
  const back = (
    <Anchor component={Link} to={`/portal/${slug}/invoices`} size="sm">
      ← {t('portal.invoices.back')}
    </Anchor>
  );
  if (invoice.isError) return <PortalDetailError back={back} error={invoice.error} notFound={t('portal.invoices.notFound')} />;
  const inv = invoice.data;
  if (!inv) return null;
  const money = (m: number) => formatMoney(m, inv.currency, lang);
  return (
    <Stack>
      {back}
      <Group justify="space-between" align="flex-start">
        <Title order={1} fz="h2">
          {t('portal.invoices.heading', { number: inv.number })}
        </Title>
        <Button variant="default" component="a" href={`/api/v1/invoices/${inv.id}/pdf`} target="_blank" rel="noopener" leftSection={<IconFileTypePdf size={18} />}>
          {t('portal.invoices.pdf')}
        </Button>
      </Group>
      <Card withBorder padding="lg">
        <SimpleGrid cols={{ base: 2, sm: 4 }}>
          <Fact label={t('common.status')}>
            <InvoiceBadge invoice={inv} />
          </Fact>
          <Fact label={t('portal.invoices.issued')}>{formatDate(inv.issue_date, lang, 'UTC')}</Fact>
          <Fact label={t('portal.invoices.due')}>{formatDate(inv.due_date, lang, 'UTC')}</Fact>
          <Fact label={t('portal.invoices.balance')}>
            <Text fw={700} data-testid="portal-invoice-balance">
              {money(inv.balance_minor)}
            </Text>
          </Fact>
        </SimpleGrid>
      </Card>
      <InvoicePayment invoice={inv} lang={lang} />
      <Card withBorder padding="lg">
        <Table.ScrollContainer minWidth={560}>
          <Table aria-label={t('portal.invoices.heading', { number: inv.number })} data-testid="portal-invoice-lines">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('portal.invoices.description')}</Table.Th>
                <Table.Th ta="right">{t('portal.invoices.quantity')}</Table.Th>
                <Table.Th ta="right">{t('portal.invoices.unitPrice')}</Table.Th>
                <Table.Th ta="right">{t('portal.invoices.tax')}</Table.Th>
                <Table.Th ta="right">{t('portal.invoices.total')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(inv.lines ?? []).map((l, k) => (
                <Table.Tr key={k}>
                  <Table.Td>{l.description}</Table.Td>
                  <Table.Td ta="right">{formatNumber(l.quantity, lang)}</Table.Td>
                  <Table.Td ta="right">{money(l.unit_price_minor)}</Table.Td>
                  <Table.Td ta="right">{formatPercentBp(l.tax_rate_bp, lang)}</Table.Td>
                  <Table.Td ta="right">{money(l.total_minor)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <Stack gap={2} align="flex-end" mt="md">
          <Text size="sm">
            {t('portal.invoices.net')}: {money(inv.net_minor)}
          </Text>
          <Text size="sm">
            {t('portal.invoices.tax')}: {money(inv.tax_minor)}
          </Text>
          <Text fw={700}>
            {t('portal.invoices.total')}: {money(inv.total_minor)}
          </Text>
          {receivedMinor(inv) > 0 && (
            <Text size="sm">
              {t('portal.invoices.paid')}: {money(receivedMinor(inv))}
            </Text>
          )}
          {inv.credited_minor > 0 && (
            <Text size="sm">
              {t('portal.invoices.credited')}: {money(inv.credited_minor)}
            </Text>
          )}
          {(inv.refunds ?? []).map((r) => (
            <Text size="sm" key={r.id} data-testid="portal-invoice-refund">
              <RefundText refund={r} currency={inv.currency} lang={lang} />
            </Text>
          ))}
        </Stack>
      </Card>
      {(inv.credit_notes ?? []).length > 0 && (
        <Card withBorder padding="lg">
          <Title order={2} fz="h4" mb="sm">
            {t('portal.invoices.creditNotes')}
          </Title>
          {(inv.credit_notes ?? []).map((c) => (
            <Text key={c.id} size="sm">
              <Anchor component={Link} to={`/portal/${slug}/credit-notes/${c.id}`}>
                {c.number}
              </Anchor>{' '}
              · {formatDate(c.issue_date, lang, 'UTC')} · {money(c.total_minor)}
              {c.reason ? ` · ${c.reason}` : ''}
            </Text>
          ))}
        </Card>
      )}
    </Stack>
  );
}
