import { Anchor } from '@mantine/core';
import { DataTable } from 'mantine-datatable';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, unwrap } from '../../../api/client';
import { LoadMore } from '../../../components/LoadMore';
import { PageHeader } from '../../../components/PageHeader';
import { formatMoney } from '../../../lib/format';
import { cursorQuery, useCursorList } from '../../../lib/lists';
import { useLocale } from '../../../lib/useLocale';
import { useSession } from '../../../auth/session';
import { RefundsDue } from './InvoiceRefunds';
import { PaymentsToReview } from './PaymentReview';

/**
 * Receivables is accounts receivable aging (E7): what each customer owes,
 * per currency, by days past the due date, paged by customer.
 */
export function Receivables() {
  const { t } = useTranslation();
  const { lang } = useLocale();
  const { can } = useSession();
  const list = useCursorList(['ar-aging'], (cursor) => unwrap(api.GET('/api/v1/ar-aging', { params: { query: cursorQuery({}, cursor) } })));
  const money = (key: 'current_minor' | 'days_1_30_minor' | 'days_31_60_minor' | 'days_61_90_minor' | 'over_90_minor' | 'total_minor', title: string) => ({
    accessor: key,
    title,
    textAlign: 'right' as const,
    render: (r: (typeof list.rows)[number]) => (r[key] ? formatMoney(r[key], r.currency, lang) : '—'),
  });
  return (
    <>
      <PageHeader title={t('receivables.title')} description={t('receivables.description')} />
      <DataTable
        withTableBorder
        borderRadius="md"
        minHeight={160}
        fetching={list.loading}
        records={list.rows}
        idAccessor={(r) => `${r.account_id}-${r.currency}`}
        noRecordsText={t('receivables.none')}
        columns={[
          {
            accessor: 'account_name',
            title: t('receivables.customer'),
            render: (r) => (
              <Anchor component={Link} to={`/app/accounts/${r.account_id}`}>
                {r.account_name}
              </Anchor>
            ),
          },
          money('current_minor', t('receivables.current')),
          money('days_1_30_minor', t('receivables.days', { range: '1–30' })),
          money('days_31_60_minor', t('receivables.days', { range: '31–60' })),
          money('days_61_90_minor', t('receivables.days', { range: '61–90' })),
          money('over_90_minor', t('receivables.over90')),
          money('total_minor', t('receivables.total')),
        ]}
      />
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.more} />
      {can('payments:read') && <PaymentsToReview />}
      {can('payments:read') && <RefundsDue />}
    </>
  );
}
