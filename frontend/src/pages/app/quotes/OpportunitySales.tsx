import { Anchor, Badge, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { IconFilePlus } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { api, newIdempotencyKey, unwrap } from '../../../api/client';
import { useSession } from '../../../auth/session';
import { showError, showSaved } from '../../../components/forms';
import { formatDate, formatMoney } from '../../../lib/format';
import { cursorQuery, useCursorList } from '../../../lib/lists';
import { useLocale } from '../../../lib/useLocale';
import { InvoiceList } from '../sales/Invoices';
import { statusColor } from '../sales/Orders';
import { QuoteList } from './Quotes';

/** CreateQuoteButton drafts a quote from the opportunity (its customer, contact, currency and lines) and opens it. */
export function CreateQuoteButton({ opportunityId }: { opportunityId: string }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const create = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/quotes', { headers: { 'Idempotency-Key': newIdempotencyKey() }, body: { opportunity_id: opportunityId } })),
    onSuccess: (q) => {
      showSaved();
      qc.invalidateQueries({ queryKey: ['quotes'] });
      navigate(`/app/quotes/${q.id}`);
    },
    onError: (e) => showError(e),
  });
  if (!can('quotes:write')) return null;
  return (
    <Button size="sm" leftSection={<IconFilePlus size={16} />} loading={create.isPending} onClick={() => create.mutate()}>
      {t('quotes.create')}
    </Button>
  );
}

/**
 * OpportunitySales follows the deal past the pipeline: its quotes, the
 * orders its accepted quote made (with their status) and those orders'
 * invoices (with status and balance), each shown to holders of its read
 * permission.
 */
export function OpportunitySales({ opportunityId }: { opportunityId: string }) {
  const { t } = useTranslation();
  const { can } = useSession();
  return (
    <Stack mt="lg">
      {can('quotes:read') && (
        <Card withBorder>
          <Title order={2} fz="h4" mb="sm">{t('quotes.fromOpportunity.quotes')}</Title>
          <QuoteList opportunityId={opportunityId} />
        </Card>
      )}
      {can('orders:read') && <Orders opportunityId={opportunityId} />}
    </Stack>
  );
}

function Orders({ opportunityId }: { opportunityId: string }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const { lang } = useLocale();
  const filters = { opportunity_id: opportunityId };
  const list = useCursorList(['orders', filters], (cursor) => unwrap(api.GET('/api/v1/orders', { params: { query: cursorQuery(filters, cursor) as never } })));
  return (
    <Card withBorder data-testid="opportunity-orders">
      <Title order={2} fz="h4" mb="sm">{t('quotes.fromOpportunity.orders')}</Title>
      {!list.loading && list.rows.length === 0 && <Text c="dimmed" size="sm">{t('quotes.fromOpportunity.noOrders')}</Text>}
      <Stack>
        {list.rows.map((o) => (
          <Stack key={o.id} gap="xs" data-testid="opportunity-order">
            <Group gap="md">
              <Anchor component={Link} to={`/app/orders/${o.id}`} fw={600}>{t('orders.order', { number: o.number })}</Anchor>
              <Badge color={statusColor[o.status]} data-testid="opportunity-order-status">{t(`orders.statuses.${o.status}`)}</Badge>
              <Text size="sm" c="dimmed">{t('orders.promised')}: {formatDate(o.promised_date, lang, 'UTC')}</Text>
              <Text size="sm" fw={600}>{formatMoney(o.total_minor, o.currency, lang)}</Text>
            </Group>
            {can('invoices:read') && !['draft', 'credit_hold', 'cancelled'].includes(o.status) && (
              <>
                <Text size="sm" fw={500}>{t('quotes.fromOpportunity.invoicesOf', { number: o.number })}</Text>
                <InvoiceList orderId={o.id} />
              </>
            )}
          </Stack>
        ))}
      </Stack>
    </Card>
  );
}
