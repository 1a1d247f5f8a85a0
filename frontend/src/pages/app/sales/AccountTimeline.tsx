import type { ReactNode } from 'react';
import { Anchor, Badge, Card, Group, SimpleGrid, Stack, Text, Timeline } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import {
  IconBuildingFactory2, IconCalendarEvent, IconCash, IconChecklist, IconFileDescription, IconFileInvoice, IconMail,
  IconHeadset, IconNote, IconPhone, IconCreditCardRefund, IconReceiptRefund, IconShoppingCart, IconTruckDelivery,
} from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, unwrap } from '../../../api/client';
import type { components } from '../../../api/schema.gen';
import { LoadMore } from '../../../components/LoadMore';
import { formatDateTime, formatMoney } from '../../../lib/format';
import { useLocale } from '../../../lib/useLocale';
import { timelineColor, timelineLink, timelineStatusKey } from './timeline';

type Item = components['schemas']['TimelineItem'];
type Credit = components['schemas']['AccountCredit'];

const kindIcon: Record<string, typeof IconNote> = {
  quote: IconFileDescription, order: IconShoppingCart, production: IconBuildingFactory2, shipment: IconTruckDelivery,
  invoice: IconFileInvoice, payment: IconCash, credit_note: IconReceiptRefund, refund: IconCreditCardRefund, ticket: IconHeadset,
};
const activityIcon: Record<string, typeof IconNote> = { call: IconPhone, email: IconMail, meeting: IconCalendarEvent, task: IconChecklist, note: IconNote };

/**
 * AccountTimeline is a customer's 360° view: its credit position, then
 * every activity, order, production order, shipment, invoice, payment and
 * credit note the user may see, newest first, page by page.
 */
export function AccountTimeline({ accountId }: { accountId: string }) {
  const { t } = useTranslation();
  const q = useInfiniteQuery({
    queryKey: ['accounts', accountId, 'timeline'],
    initialPageParam: '',
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/v1/accounts/{id}/timeline', { params: { path: { id: accountId }, query: pageParam ? { cursor: pageParam } : {} } })),
    getNextPageParam: (last) => last.next_cursor || undefined,
  });
  const pages = q.data?.pages ?? [];
  const items = pages.flatMap((p) => p.items);
  return (
    <>
      {pages[0] && <CreditSummary credit={pages[0].credit} />}
      {!q.isPending && items.length === 0 && <Text c="dimmed">{t('timeline.none')}</Text>}
      <Timeline bulletSize={26} lineWidth={2} data-testid="account-timeline">
        {items.map((it) => (
          <TimelineRow key={`${it.kind}:${it.id}`} it={it} />
        ))}
      </Timeline>
      <LoadMore hasMore={!!q.hasNextPage} loading={q.isFetchingNextPage} onClick={() => q.fetchNextPage()} />
    </>
  );
}

function CreditSummary({ credit }: { credit: Credit }) {
  const { t } = useTranslation();
  const { lang } = useLocale();
  const money = (minor: number) => formatMoney(minor, credit.currency, lang);
  const fact = (label: string, value: ReactNode, testId: string, hint?: string) => (
    <Stack gap={0} data-testid={testId}>
      <Text size="xs" c="dimmed">{label}</Text>
      {value}
      {hint && <Text size="xs" c="dimmed">{hint}</Text>}
    </Stack>
  );
  return (
    <Card withBorder mb="lg" data-testid="timeline-credit">
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        {fact(t('timeline.balance'), <Text fw={500}>{money(credit.open_invoices_minor)}</Text>, 'timeline-balance', t('timeline.balanceHint'))}
        {fact(t('timeline.openOrders'), <Text>{money(credit.open_orders_minor)}</Text>, 'timeline-open-orders')}
        {fact(t('accounts.creditLimit'), <Text>{credit.limited ? money(credit.limit_minor) : t('accounts.noCreditLimit')}</Text>, 'timeline-limit')}
        {fact(
          t('accounts.availableCredit'),
          <Text fw={500} c={credit.available_minor < 0 ? 'red' : undefined}>{credit.limited ? money(credit.available_minor) : '—'}</Text>,
          'timeline-available',
        )}
      </SimpleGrid>
    </Card>
  );
}

function TimelineRow({ it }: { it: Item }) {
  const { t } = useTranslation();
  const { lang, timeZone } = useLocale();
  const Icon = (it.kind === 'activity' && it.subtype ? activityIcon[it.subtype] : kindIcon[it.kind]) ?? IconNote;
  const link = timelineLink(it);
  const statusKey = timelineStatusKey(it);
  // A payment has no number: its reference, or else its method, names it.
  const subtypeTable = it.kind === 'payment' || it.kind === 'refund' ? 'invoices.methods' : it.kind === 'ticket' ? 'tickets.priorities' : 'activities.kinds';
  const subtypeLabel = it.subtype ? t(`${subtypeTable}.${it.subtype}`, it.subtype) : '';
  const title = it.title || subtypeLabel || t(`timeline.kinds.${it.kind}`, it.kind);
  return (
    <Timeline.Item
      bullet={<Icon size={14} />}
      color={timelineColor(it.kind)}
      data-testid="timeline-item"
      data-kind={it.kind}
      title={
        <Group justify="space-between" wrap="nowrap" gap="xs">
          <Group gap="xs" wrap="wrap">
            <Badge variant="light" color={timelineColor(it.kind)}>{t(`timeline.kinds.${it.kind}`, it.kind)}</Badge>
            {link ? <Anchor component={Link} to={link} fw={500}>{title}</Anchor> : <Text fw={500}>{title}</Text>}
            {it.status && <Badge variant="outline" color="gray">{statusKey ? t(statusKey) : it.status}</Badge>}
          </Group>
          {it.amount_minor !== undefined && it.currency && (
            <Text fw={500} style={{ whiteSpace: 'nowrap' }}>{formatMoney(it.amount_minor, it.currency, lang)}</Text>
          )}
        </Group>
      }
    >
      <Text size="xs" c="dimmed">
        {formatDateTime(it.at, lang, timeZone)}
        {subtypeLabel && it.title ? ` · ${subtypeLabel}` : ''}
      </Text>
      {it.summary && <Text size="sm" lineClamp={2}>{it.summary}</Text>}
    </Timeline.Item>
  );
}
