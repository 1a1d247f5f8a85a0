import { useEffect } from 'react';
import { Alert, Button, Card, Group, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { IconCreditCard } from '@tabler/icons-react';
import { useLocation } from 'react-router';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema.gen';
import { showError } from '../../components/forms';
import { formatDate, formatMoney } from '../../lib/format';
import { groupIBAN, payReturn, payView } from './portalPay';

type CustomerInvoice = components['schemas']['CustomerInvoice'];
type BankDetails = components['schemas']['BankDetails'];

/** InvoicePayment is how the customer pays an invoice: Pay now (Stripe Checkout), or the bank details; and what was paid. */
export function InvoicePayment({ invoice, lang }: { invoice: CustomerInvoice; lang: string }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const back = payReturn(useLocation().search);
  const id = invoice.id;
  const options = useQuery({
    queryKey: ['portal-invoices', id, 'payment-options'],
    queryFn: () => unwrap(api.GET('/api/v1/invoices/{id}/payment-options', { params: { path: { id } } })),
  });
  const view = payView(invoice, options.data, back);
  // Back from Checkout before Stripe's confirmation: look again every
  // two seconds until the payment is on the invoice.
  const processing = view.kind === 'processing';
  useEffect(() => {
    if (!processing) return;
    const timer = setInterval(() => qc.invalidateQueries({ queryKey: ['portal-invoices', id] }), 2000);
    return () => clearInterval(timer);
  }, [processing, qc, id]);
  const pay = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/invoices/{id}/pay', { params: { path: { id } } })),
    onSuccess: (s) => window.location.assign(s.url),
    onError: (e) => showError(e),
  });
  const money = (m: number) => formatMoney(m, invoice.currency, lang);
  return (
    <>
      <Card withBorder padding="lg" data-testid="portal-invoice-pay">
        <Title order={2} fz="h4" mb="sm">
          {t('portalPay.title')}
        </Title>
        {view.kind === 'paid' &&
          (view.justPaid ? (
            <Alert color="green" data-testid="portal-pay-received">
              {t('portalPay.received')}
            </Alert>
          ) : (
            <Text c="dimmed">{t('portalPay.nothingDue')}</Text>
          ))}
        {view.kind === 'processing' && (
          <Group gap="xs" data-testid="portal-pay-processing">
            <Loader size="xs" />
            <Text>{t('portalPay.processing')}</Text>
          </Group>
        )}
        {view.kind === 'online' && (
          <Stack gap="sm" align="flex-start">
            {view.canceled && <Alert color="yellow">{t('portalPay.canceled')}</Alert>}
            <Text>{t('portalPay.onlineIntro', { amount: money(invoice.balance_minor) })}</Text>
            <Button leftSection={<IconCreditCard size={18} />} loading={pay.isPending} onClick={() => pay.mutate()} data-testid="portal-pay-now">
              {t('portalPay.payNow', { amount: money(invoice.balance_minor) })}
            </Button>
          </Stack>
        )}
        {view.kind === 'bank' && options.data?.bank && <BankTransfer bank={options.data.bank} reference={options.data.reference} amount={money(invoice.balance_minor)} />}
        {view.kind === 'contact' && <Text c="dimmed">{t('portalPay.contact')}</Text>}
      </Card>
      {(invoice.payments ?? []).length > 0 && (
        <Card withBorder padding="lg">
          <Title order={2} fz="h4" mb="sm">
            {t('portalPay.history')}
          </Title>
          <Table aria-label={t('portalPay.history')} data-testid="portal-invoice-payments">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('portalPay.date')}</Table.Th>
                <Table.Th>{t('portalPay.method')}</Table.Th>
                <Table.Th ta="right">{t('portalPay.amount')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(invoice.payments ?? []).map((p, k) => (
                <Table.Tr key={k}>
                  <Table.Td>{formatDate(p.received_on, lang, 'UTC')}</Table.Td>
                  <Table.Td>{t(`portalPay.methods.${p.method}`)}</Table.Td>
                  <Table.Td ta="right">{formatMoney(p.amount_minor, p.currency, lang)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Card>
      )}
    </>
  );
}

function BankTransfer({ bank, reference, amount }: { bank: BankDetails; reference: string; amount: string }) {
  const { t } = useTranslation();
  const rows: [string, string][] = [
    [t('portalPay.holder'), bank.account_holder],
    [t('portalPay.iban'), groupIBAN(bank.iban)],
    [t('portalPay.bic'), bank.bic],
    [t('portalPay.bank'), bank.bank_name],
    [t('portalPay.reference'), reference],
  ];
  return (
    <Stack gap="xs" data-testid="portal-pay-bank">
      <Text>{t('portalPay.bankIntro', { amount })}</Text>
      <Table variant="vertical" withTableBorder>
        <Table.Tbody>
          {rows
            .filter(([, v]) => v)
            .map(([k, v]) => (
              <Table.Tr key={k}>
                <Table.Th w={160}>{k}</Table.Th>
                <Table.Td>{v}</Table.Td>
              </Table.Tr>
            ))}
        </Table.Tbody>
      </Table>
      {bank.instructions && (
        <Text size="sm" c="dimmed" style={{ whiteSpace: 'pre-line' }}>
          {bank.instructions}
        </Text>
      )}
    </Stack>
  );
}
