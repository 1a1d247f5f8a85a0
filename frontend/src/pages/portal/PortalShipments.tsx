import { Anchor, Badge, Card, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { IconExternalLink } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema.gen';
import { formatDate } from '../../lib/format';

type CustomerShipment = components['schemas']['CustomerShipment'];
const shipmentColor: Record<CustomerShipment['status'], string> = {
  draft: 'gray', packed: 'blue', shipped: 'cyan', in_transit: 'indigo', delivered: 'green', cancelled: 'red',
};

/**
 * PortalShipments is the customer's deliveries with their carrier's tracking
 * links (the server binds the list to the account); with orderId, one order's.
 */
export function PortalShipments({ customerId, lang, orderId }: { customerId: string; lang: string; orderId?: string }) {
  const { t } = useTranslation();
  const shipments = useQuery({
    queryKey: ['portal-shipments', customerId, orderId ?? 'all'],
    queryFn: () => unwrap(api.GET('/api/v1/shipments', { params: { query: { limit: 50, order_id: orderId } } })),
  });
  // The latest step's date: delivered, else shipped.
  const step = (s: CustomerShipment) =>
    s.delivered_at
      ? `${t('portal.shipments.delivered')} ${formatDate(s.delivered_at, lang)}`
      : s.shipped_at
        ? `${t('portal.shipments.shipped')} ${formatDate(s.shipped_at, lang)}`
        : '';
  // Drafts are the warehouse's work in progress, not yet a delivery.
  const rows = ((shipments.data?.items ?? []) as CustomerShipment[]).filter((s) => s.status !== 'draft');
  return (
    <Card withBorder padding="lg">
      <Title order={2} fz="h4" mb="sm">
        {t('portal.shipments.title')}
      </Title>
      {shipments.isSuccess && rows.length === 0 ? (
        <Text c="dimmed">{t('portal.shipments.none')}</Text>
      ) : (
        <Table.ScrollContainer minWidth={560}>
          <Table striped aria-label={t('portal.shipments.title')} data-testid="portal-shipments">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('portal.shipments.shipment')}</Table.Th>
                <Table.Th>{t('portal.shipments.order')}</Table.Th>
                <Table.Th>{t('common.status')}</Table.Th>
                <Table.Th>{t('portal.shipments.tracking')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((s) => (
                <Table.Tr key={s.id}>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{s.number}</Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{s.order_number}</Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={shipmentColor[s.status]}>
                      {t(`shipments.statuses.${s.status}`)}
                    </Badge>
                    {step(s) && (
                      <Text size="xs" c="dimmed">
                        {step(s)}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {s.carrier && (
                      <Text size="xs" c="dimmed">
                        {t('portal.shipments.carrier')}: {s.carrier}
                      </Text>
                    )}
                    {/* The server accepts https tracking links only; checked again so no other scheme becomes a link. */}
                    {s.tracking_url.startsWith('https://') ? (
                      <Anchor href={s.tracking_url} target="_blank" rel="noopener noreferrer" style={{ whiteSpace: 'nowrap' }}>
                        {s.tracking_number || t('portal.shipments.track', { number: s.number })} <IconExternalLink size={14} />
                      </Anchor>
                    ) : (
                      <Text size="sm">{s.tracking_number || '—'}</Text>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Card>
  );
}
