import type { ReactNode } from 'react';
import { Alert, Anchor, Badge, Card, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { IconAlertTriangle } from '@tabler/icons-react';
import { Link, Navigate, useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { isApiError } from '../../api/problem';
import { customerOf, useSession } from '../../auth/session';
import { formatDate, formatMoney } from '../../lib/format';
import { quoteStatusColor } from '../app/quotes/quoteText';
import { usePortal } from './PortalLayout';
import type { CustomerQuote } from './portalQuotes';

/** usePortalCustomer is the signed-in customer of this portal, or null (the page then sends them to sign in). */
export function usePortalCustomer() {
  const { i18n } = useTranslation();
  const { slug = '' } = useParams();
  const { me, loading } = useSession();
  const customer = customerOf(me);
  const ok = !!customer && customer.tenant.slug === slug;
  const lang = i18n.language.startsWith('es') ? 'es-ES' : 'en-GB';
  return { slug, loading, customer: ok ? customer : null, lang };
}

export function PortalQuoteBadge({ status }: { status: CustomerQuote['status'] }) {
  const { t } = useTranslation();
  return (
    <Badge variant="light" color={quoteStatusColor[status]} data-testid="portal-quote-status">
      {t(`quotes.statuses.${status}`)}
    </Badge>
  );
}

/** PortalProblem shows an API refusal (problem+json) where it happened, with its field errors. */
export function PortalProblem({ error }: { error: unknown }) {
  const { t } = useTranslation();
  if (!error) return null;
  const fields = isApiError(error) ? Object.values(error.fields) : [];
  return (
    <Alert color="red" icon={<IconAlertTriangle size={18} />} title={t('common.error')} role="alert" data-testid="portal-problem">
      {isApiError(error) ? error.message : t('common.networkError')}
      {fields.map((f) => (
        <Text key={f} size="sm">
          {f}
        </Text>
      ))}
    </Alert>
  );
}

/**
 * PortalDetailError is a portal document page that could not load: the
 * link back to its list, then "not found" for a 404 (another account's id
 * reads exactly like a missing one) or the problem.
 */
export function PortalDetailError({ back, error, notFound }: { back: ReactNode; error: unknown; notFound: string }) {
  return (
    <Stack>
      {back}
      {isApiError(error, 404) ? <Alert color="red">{notFound}</Alert> : <PortalProblem error={error} />}
    </Stack>
  );
}

/** PortalQuotes lists the quotes sent to the customer's account (the server never shows drafts or another account's). */
export function PortalQuotes() {
  const { t } = useTranslation();
  const b = usePortal();
  const { slug, loading, customer, lang } = usePortalCustomer();
  const quotes = useQuery({
    queryKey: ['portal-quotes', 'list', customer?.customer.id],
    queryFn: () => unwrap(api.GET('/api/v1/quotes', { params: { query: { limit: 50 } } })),
    enabled: !!customer,
  });
  if (loading) return null;
  if (!customer) return <Navigate to={`/portal/${slug}`} replace />;
  const rows = (quotes.data?.items ?? []) as CustomerQuote[];
  return (
    <Stack>
      <Title order={1} fz="h2">
        {t('portal.quotes.title')}
      </Title>
      <PortalProblem error={quotes.error} />
      <Card withBorder padding="lg">
        {quotes.isSuccess && rows.length === 0 ? (
          <Text c="dimmed">{t('portal.quotes.none', { name: b.display_name })}</Text>
        ) : (
          <Table.ScrollContainer minWidth={560}>
            <Table striped aria-label={t('portal.quotes.title')} data-testid="portal-quotes">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('portal.quotes.quote')}</Table.Th>
                  <Table.Th>{t('common.status')}</Table.Th>
                  <Table.Th>{t('quotes.validUntil')}</Table.Th>
                  <Table.Th>{t('portal.quotes.deliveryFrom')}</Table.Th>
                  <Table.Th ta="right">{t('quotes.total')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((q) => (
                  <Table.Tr key={q.id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/portal/${slug}/quotes/${q.id}`}>
                        {q.number}
                      </Anchor>{' '}
                      <Text span size="sm" c="dimmed">
                        {t('portal.quotes.rev', { revision: q.revision })}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <PortalQuoteBadge status={q.status} />
                    </Table.Td>
                    <Table.Td>{formatDate(q.valid_until, lang, 'UTC')}</Table.Td>
                    <Table.Td>{formatDate(q.promised_date, lang, 'UTC')}</Table.Td>
                    <Table.Td ta="right">{formatMoney(q.total_minor, q.currency, lang)}</Table.Td>
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
