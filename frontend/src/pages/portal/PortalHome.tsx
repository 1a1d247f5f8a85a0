import { Badge, Button, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Navigate, useNavigate, useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import type { CustomerOrder } from '../../api/types';
import { customerOf, useSession } from '../../auth/session';
import { formatDate, formatMoney } from '../../lib/format';
import { usePortal } from './PortalLayout';
import { PortalShipments } from './PortalShipments';

/** PortalHome is a signed-in customer's start page: their account's orders. */
export function PortalHome() {
  const { t, i18n } = useTranslation();
  const b = usePortal();
  const { slug = '' } = useParams();
  const { me, loading, signOut } = useSession();
  const navigate = useNavigate();
  const customer = customerOf(me);
  const ok = !!customer && customer.tenant.slug === slug;
  // The server binds the list to the customer's account; the page asks for no filter.
  const orders = useQuery({
    queryKey: ['portal-orders', customer?.customer.id],
    queryFn: () => unwrap(api.GET('/api/v1/orders', { params: { query: { limit: 50 } } })),
    enabled: ok,
  });
  if (loading) return null;
  if (!ok || !customer) return <Navigate to={`/portal/${slug}`} replace />;
  const lang = i18n.language.startsWith('es') ? 'es-ES' : 'en-GB';
  const rows = (orders.data?.items ?? []) as CustomerOrder[];
  return (
    <Stack>
      <Group justify="space-between">
        <div>
          <Title order={1} fz="h2">
            {t('portal.welcome', { name: customer.customer.name || customer.customer.email })}
          </Title>
          <Text c="dimmed" data-testid="portal-account">
            {customer.account.name}
          </Text>
        </div>
        <Button
          variant="default"
          onClick={async () => {
            await signOut();
            navigate(`/portal/${slug}`);
          }}
        >
          {t('auth.logout')}
        </Button>
      </Group>
      <Card withBorder padding="lg">
        <Title order={2} fz="h4" mb="sm">
          {t('portal.orders')}
        </Title>
        {orders.isSuccess && rows.length === 0 ? (
          <Text c="dimmed">{t('portal.noOrders', { name: b.display_name })}</Text>
        ) : (
          <Table striped aria-label={t('portal.orders')} data-testid="portal-orders">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('orders.number')}</Table.Th>
                <Table.Th>{t('common.status')}</Table.Th>
                <Table.Th>{t('orders.promised')}</Table.Th>
                <Table.Th ta="right">{t('orders.total')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((o) => (
                <Table.Tr key={o.id}>
                  <Table.Td>{o.number || t('portal.draft')}</Table.Td>
                  <Table.Td>
                    <Badge variant="light">{t(`orders.statuses.${o.status}`)}</Badge>
                  </Table.Td>
                  <Table.Td>{o.promised_date ? formatDate(o.promised_date, lang) : '—'}</Table.Td>
                  <Table.Td ta="right">{formatMoney(o.total_minor, o.currency, lang)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Card>
      <PortalShipments customerId={customer.customer.id} lang={lang} />
    </Stack>
  );
}
