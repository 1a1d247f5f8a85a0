import { useState } from 'react';
import { Alert, Anchor, Badge, Button, Card, Group, Modal, Select, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { IconLock, IconLockOpen, IconSearch } from '@tabler/icons-react';
import { DataTable } from 'mantine-datatable';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { api, unwrap } from '../../../api/client';
import { useSession } from '../../../auth/session';
import { showError, showSaved } from '../../../components/forms';
import { LoadMore } from '../../../components/LoadMore';
import { PageHeader } from '../../../components/PageHeader';
import { ProductName } from '../../../components/pickers';
import { formatDate, formatDateTime, formatNumber } from '../../../lib/format';
import { cursorQuery, useCursorList } from '../../../lib/lists';
import { useLocale } from '../../../lib/useLocale';

export function Lots() {
  const { t } = useTranslation();
  const { lang, timeZone } = useLocale();
  const navigate = useNavigate();
  const [code, setCode] = useState('');
  const [hold, setHold] = useState<string | null>(null);
  const filters = { code, on_hold: hold ?? '' };
  const list = useCursorList(['lots', filters], (cursor) => unwrap(api.GET('/api/v1/lots', { params: { query: cursorQuery(filters, cursor) as never } })));
  return (
    <>
      <PageHeader title={t('lots.title')} description={t('lots.description')} />
      <Group mb="md" align="end">
        <TextInput label={t('lots.code')} leftSection={<IconSearch size={16} />} value={code} onChange={(e) => setCode(e.currentTarget.value)} w={220} />
        <Select label={t('common.status')} clearable placeholder={t('common.all')} data={[{ value: 'true', label: t('lots.onHold') }, { value: 'false', label: t('lots.released') }]} value={hold} onChange={setHold} w={180} />
      </Group>
      <DataTable
        withTableBorder
        borderRadius="md"
        highlightOnHover
        minHeight={120}
        fetching={list.loading}
        records={list.rows}
        noRecordsText={t('lots.none')}
        onRowClick={({ record }) => navigate(`/app/lots/${record.id}`)}
        columns={[
          { accessor: 'code', title: t('lots.code') },
          { accessor: 'production_date', title: t('lots.productionDate'), render: (l) => formatDate(l.production_date, lang, 'UTC') },
          { accessor: 'expires_on', title: t('lots.expiresOn'), render: (l) => formatDate(l.expires_on, lang, 'UTC') },
          { accessor: 'on_hold', title: t('common.status'), render: (l) => (l.on_hold ? <Badge color="red">{t('lots.onHold')}</Badge> : <Badge color="green">{t('lots.released')}</Badge>) },
          { accessor: 'created_at', title: t('common.created'), render: (l) => formatDateTime(l.created_at, lang, timeZone) },
        ]}
      />
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.more} />
    </>
  );
}

/** LotDetail is the lot's trace both ways and its quality hold (E9, F3). */
export function LotDetail() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const { can } = useSession();
  const { lang, timeZone } = useLocale();
  const qc = useQueryClient();
  const [holding, setHolding] = useState(false);
  const trace = useQuery({ queryKey: ['lots', id, 'trace'], queryFn: () => unwrap(api.GET('/api/v1/lots/{id}/trace', { params: { path: { id } } })) });
  const release = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/lots/{id}/release', { params: { path: { id } } })),
    onSuccess: () => {
      showSaved(t('lots.holdLifted'));
      qc.invalidateQueries({ queryKey: ['lots'] });
      qc.invalidateQueries({ queryKey: ['stock'] });
    },
    onError: (e) => showError(e),
  });
  const tr = trace.data;
  if (!tr) return null;
  const lot = tr.lot;
  const lotLink = (l: { id: string; code: string }) => (
    <Anchor component={Link} to={`/app/lots/${l.id}`}>
      {l.code}
    </Anchor>
  );
  return (
    <>
      <PageHeader
        title={t('lots.lot', { code: lot.code })}
        actions={
          can('stock:adjust') &&
          (lot.on_hold ? (
            <Button color="green" leftSection={<IconLockOpen size={18} />} loading={release.isPending} onClick={() => release.mutate()}>
              {t('lots.liftHold')}
            </Button>
          ) : (
            <Button color="red" leftSection={<IconLock size={18} />} onClick={() => setHolding(true)}>
              {t('lots.putOnHold')}
            </Button>
          ))
        }
      />
      {lot.on_hold && (
        <Alert color="red" mb="md" title={t('lots.onHold')}>
          {lot.hold_reason} · {formatDateTime(lot.held_at, lang, timeZone)}
        </Alert>
      )}
      <Card withBorder mb="lg">
        <SimpleGrid cols={{ base: 2, md: 4 }}>
          <Stack gap={0}>
            <Text size="xs" c="dimmed">{t('stock.product')}</Text>
            <Anchor component={Link} to={`/app/products/${lot.product_id}`}><ProductName id={lot.product_id} /></Anchor>
          </Stack>
          <Stack gap={0}>
            <Text size="xs" c="dimmed">{t('lots.productionDate')}</Text>
            <Text>{formatDate(lot.production_date, lang, 'UTC')}</Text>
          </Stack>
          <Stack gap={0}>
            <Text size="xs" c="dimmed">{t('lots.expiresOn')}</Text>
            <Text>{formatDate(lot.expires_on, lang, 'UTC')}</Text>
          </Stack>
          <Stack gap={0}>
            <Text size="xs" c="dimmed">{t('lots.customers')}</Text>
            <Text data-testid="lot-customers">{formatNumber(tr.customers.length, lang)}</Text>
          </Stack>
        </SimpleGrid>
      </Card>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Card withBorder>
          <Title order={2} fz="h4" mb="sm">{t('lots.backward')}</Title>
          {tr.components.length === 0 ? <Text c="dimmed">{t('lots.noComponents')}</Text> : (
            <Table>
              <Table.Tbody>
                {tr.components.map((c) => (
                  <Table.Tr key={`${c.lot.id}-${c.via}`}>
                    <Table.Td style={{ paddingLeft: 8 + 16 * (c.depth - 1) }}>{lotLink(c.lot)}</Table.Td>
                    <Table.Td ta="right">{formatNumber(c.quantity, lang)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Card>
        <Card withBorder>
          <Title order={2} fz="h4" mb="sm">{t('lots.forward')}</Title>
          {tr.used_in.length === 0 && tr.shipments.length === 0 ? <Text c="dimmed">{t('lots.notUsed')}</Text> : (
            <Table>
              <Table.Tbody>
                {tr.used_in.map((u) => (
                  <Table.Tr key={`u-${u.lot.id}-${u.via}`}>
                    <Table.Td>{t('lots.madeInto')} {lotLink(u.lot)}</Table.Td>
                    <Table.Td ta="right">{formatNumber(u.quantity, lang)}</Table.Td>
                  </Table.Tr>
                ))}
                {tr.shipments.map((s) => (
                  <Table.Tr key={s.move_id}>
                    <Table.Td>
                      {t('lots.shipped')} {formatDate(s.at, lang, timeZone)}
                      {s.ref_type === 'shipment' && (
                        <> · <Anchor component={Link} to={`/app/shipments/${s.ref_id}`}>{s.number}</Anchor></>
                      )}
                      {s.account_id && (
                        <>
                          {' · '}
                          {can('accounts:read') ? (
                            <Anchor component={Link} to={`/app/accounts/${s.account_id}`} data-testid="lot-customer">{s.account_name}</Anchor>
                          ) : (
                            <span data-testid="lot-customer">{s.account_name}</span>
                          )}
                        </>
                      )}
                    </Table.Td>
                    <Table.Td ta="right">{formatNumber(s.quantity, lang)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Card>
      </SimpleGrid>
      {holding && <HoldForm id={id} onClose={() => setHolding(false)} />}
    </>
  );
}

function HoldForm({ id, onClose }: { id: string; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [reason, setReason] = useState('');
  const hold = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/lots/{id}/hold', { params: { path: { id } }, body: { reason } })),
    onSuccess: (r) => {
      showSaved(t('lots.held', { count: r.released_reservations?.length ?? 0 }));
      for (const k of ['lots', 'stock', 'orders']) qc.invalidateQueries({ queryKey: [k] });
      onClose();
    },
    onError: (e) => showError(e),
  });
  return (
    <Modal opened onClose={onClose} title={t('lots.putOnHold')}>
      <Stack>
        <Text size="sm">{t('lots.holdHelp')}</Text>
        <TextInput label={t('lots.reason')} required value={reason} onChange={(e) => setReason(e.currentTarget.value)} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>{t('common.cancel')}</Button>
          <Button color="red" disabled={!reason.trim()} loading={hold.isPending} onClick={() => hold.mutate()}>{t('lots.putOnHold')}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
