import { useState } from 'react';
import { Alert, Anchor, Badge, Button, Card, Checkbox, Group, Modal, NumberInput, Select, SimpleGrid, Stack, Table, Text, Textarea, Timeline } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { DataTable } from 'mantine-datatable';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { api, unwrap } from '../../../api/client';
import type { components } from '../../../api/schema.gen';
import { useSession } from '../../../auth/session';
import { FormActions } from '../../../components/FormActions';
import { showError, showSaved } from '../../../components/forms';
import { LoadMore } from '../../../components/LoadMore';
import { PageHeader } from '../../../components/PageHeader';
import { WarehousePicker } from '../../../components/pickers';
import { formatDateTime, formatNumber } from '../../../lib/format';
import { cursorQuery, useCursorList, type Page } from '../../../lib/lists';
import { useLocale } from '../../../lib/useLocale';
import { creditNotesOf, defaultReceipt, receiptBody, returnColor, returnStatuses, returnTimeline, shortReceived, type Condition, type LineReceipt, type ReturnStatus } from '../../returns/returnText';
import { ReturnPhotos } from '../../returns/ReturnPhotos';
import { CreditNoteLink } from './InvoiceRefunds';

type Return = components['schemas']['Return'];

export function ReturnBadge({ status }: { status: ReturnStatus }) {
  const { t } = useTranslation();
  return (
    <Badge color={returnColor[status]} data-testid="return-status">
      {t(`returns.statuses.${status}`)}
    </Badge>
  );
}

/** ReturnList is the returns table, for the Returns page and an order's page. */
export function ReturnList({ orderId, status }: { orderId?: string; status?: string | null }) {
  const { t } = useTranslation();
  const { lang, timeZone } = useLocale();
  const navigate = useNavigate();
  const filters = { order_id: orderId ?? '', status: status ?? '' };
  // Staff read full Returns; the CustomerReturn alternative is the portal's (P4).
  const list = useCursorList(['returns', filters], async (cursor) => (await unwrap(api.GET('/api/v1/returns', { params: { query: cursorQuery(filters, cursor) as never } }))) as Page<Return>);
  return (
    <>
      <DataTable
        withTableBorder
        borderRadius="md"
        highlightOnHover
        minHeight={100}
        fetching={list.loading}
        records={list.rows}
        noRecordsText={t('returns.none')}
        onRowClick={({ record }) => navigate(`/app/returns/${record.id}`)}
        columns={[
          { accessor: 'number', title: t('returns.number') },
          { accessor: 'account_name', title: t('orders.account') },
          { accessor: 'order_number', title: t('returns.order') },
          { accessor: 'status', title: t('common.status'), render: (r) => <ReturnBadge status={r.status} /> },
          { accessor: 'created_at', title: t('returns.requestedAt'), render: (r) => formatDateTime(r.created_at, lang, timeZone) },
        ]}
      />
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.more} />
    </>
  );
}

export function Returns() {
  const { t } = useTranslation();
  const [status, setStatus] = useState<string | null>(null);
  return (
    <>
      <PageHeader title={t('returns.title')} description={t('returns.description')} />
      <Select mb="md" label={t('common.status')} clearable placeholder={t('common.all')} data={returnStatuses.map((s) => ({ value: s, label: t(`returns.statuses.${s}`) }))} value={status} onChange={setStatus} w={220} data-testid="returns-status-filter" />
      <ReturnList status={status} />
    </>
  );
}

/** RejectButton asks for the reason the customer will read. */
function RejectButton({ id }: { id: string }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const save = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/returns/{id}/reject', { params: { path: { id } }, body: { reason } })),
    onSuccess: () => {
      showSaved();
      setOpen(false);
      qc.invalidateQueries({ queryKey: ['returns'] });
    },
    onError: (e) => showError(e),
  });
  return (
    <>
      <Button color="red" variant="light" onClick={() => setOpen(true)}>
        {t('returns.actions.reject')}
      </Button>
      {open && (
        <Modal opened onClose={() => setOpen(false)} title={t('returns.actions.reject')}>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              save.mutate();
            }}
          >
            <Stack>
              <Textarea label={t('returns.rejectionReason')} description={t('returns.rejectHelp')} required value={reason} onChange={(e) => setReason(e.currentTarget.value)} data-testid="return-reject-reason" />
              <FormActions onCancel={() => setOpen(false)} saving={save.isPending} label={t('returns.actions.reject')} />
            </Stack>
          </form>
        </Modal>
      )}
    </>
  );
}

/**
 * ReceiveButton records what came back of each line: the units received (0
 * up to those requested: missing or never sent), and for a line with units
 * whether it is restocked or quarantined, and where. Only the received
 * units move stock and are refunded or replaced. A receipt with nothing at
 * all needs a tick first: it closes the return with nothing to give back.
 */
function ReceiveButton({ ret }: { ret: Return }) {
  const { t } = useTranslation();
  const { lang } = useLocale();
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const [tried, setTried] = useState(false);
  const [confirmNothing, setConfirmNothing] = useState(false);
  const lines = ret.lines ?? [];
  const [receipts, setReceipts] = useState<Record<string, LineReceipt>>({});
  const receipt = (id: string): LineReceipt => receipts[id] ?? defaultReceipt(lines.find((l) => l.id === id)!);
  const set = (id: string, r: Partial<LineReceipt>) => setReceipts((all) => ({ ...all, [id]: { ...receipt(id), ...r } }));
  const plan = receiptBody(lines, Object.fromEntries(lines.map((l) => [l.id, receipt(l.id)])));
  const save = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/returns/{id}/receive', { params: { path: { id: ret.id } }, body: { lines: plan.lines } })),
    onSuccess: () => {
      showSaved();
      setOpen(false);
      for (const k of ['returns', 'stock', 'stock-moves']) qc.invalidateQueries({ queryKey: [k] });
    },
    onError: (e) => showError(e),
  });
  const submit = () => {
    setTried(true);
    if (plan.over.length > 0 || plan.noWarehouse.length > 0 || (plan.nothing && !confirmNothing)) return;
    save.mutate();
  };
  return (
    <>
      <Button onClick={() => setOpen(true)}>{t('returns.actions.receive')}</Button>
      {open && (
        <Modal opened onClose={() => setOpen(false)} title={t('returns.actions.receive')} size="lg">
          <form
            onSubmit={(e) => {
              e.preventDefault();
              submit();
            }}
          >
            <Stack>
              <Text size="sm" c="dimmed">
                {t('returns.receiveHelp')}
              </Text>
              {lines.map((l, k) => {
                const r = receipt(l.id);
                const none = !(r.received > 0);
                return (
                  <Card key={l.id} withBorder data-testid={`return-receive-line-${k}`}>
                    <Text fw={500} mb="xs">
                      {l.description} · {t('returns.requestedUnits', { formatted: formatNumber(l.quantity, lang) })}
                    </Text>
                    <Group grow align="flex-start">
                      <NumberInput
                        label={t('returns.receivedQty')}
                        min={0}
                        max={l.quantity}
                        allowDecimal={false}
                        allowNegative={false}
                        value={Number.isFinite(r.received) ? r.received : ''}
                        onChange={(v) => set(l.id, { received: typeof v === 'number' ? v : Number.NaN })}
                        error={tried && plan.over.includes(l.id) ? t('returns.tooMany', { formatted: formatNumber(l.quantity, lang) }) : undefined}
                        data-testid={`return-receive-qty-${k}`}
                      />
                      <Select
                        label={t('returns.condition')}
                        data={(['restock', 'quarantine'] as const).map((c) => ({ value: c, label: t(`returns.conditions.${c}`) }))}
                        value={r.condition}
                        onChange={(v) => set(l.id, { condition: (v ?? 'restock') as Condition })}
                        allowDeselect={false}
                        disabled={none}
                        data-testid={`return-receive-condition-${k}`}
                      />
                      <WarehousePicker
                        label={t('returns.warehouse')}
                        required={!none}
                        disabled={none}
                        value={r.warehouse_id}
                        onChange={(v) => set(l.id, { warehouse_id: v })}
                        error={tried && plan.noWarehouse.includes(l.id) ? t('returns.warehouseRequired') : undefined}
                        data-testid={`return-receive-warehouse-${k}`}
                      />
                    </Group>
                  </Card>
                );
              })}
              {plan.nothing && (
                <Alert color="orange" data-testid="return-receive-nothing">
                  <Text size="sm" mb="xs">
                    {t('returns.nothingReceived')}
                  </Text>
                  <Checkbox
                    label={t('returns.confirmNothing')}
                    checked={confirmNothing}
                    onChange={(e) => setConfirmNothing(e.currentTarget.checked)}
                    error={tried && !confirmNothing ? t('returns.confirmNothingRequired') : undefined}
                  />
                </Alert>
              )}
              <FormActions onCancel={() => setOpen(false)} saving={save.isPending} label={t('returns.actions.receive')} />
            </Stack>
          </form>
        </Modal>
      )}
    </>
  );
}

/** ReceivedQty is a line's received units, marked when fewer than requested came back. */
export function ReceivedQty({ line }: { line: { quantity: number; received_quantity: number | null } }) {
  const { t } = useTranslation();
  const { lang } = useLocale();
  if (line.received_quantity == null) return <>—</>;
  return (
    <Group gap={6} justify="flex-end" wrap="nowrap">
      <Text span data-testid="return-line-received">{formatNumber(line.received_quantity, lang)}</Text>
      {shortReceived(line) && (
        <Badge color="orange" variant="light" size="sm">
          {t('returns.missing', { formatted: formatNumber(line.quantity - line.received_quantity, lang) })}
        </Badge>
      )}
    </Group>
  );
}

export function ReturnDetail() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const { can } = useSession();
  const { lang, timeZone } = useLocale();
  const qc = useQueryClient();
  const ret = useQuery({ queryKey: ['returns', id], queryFn: async () => (await unwrap(api.GET('/api/v1/returns/{id}', { params: { path: { id } } }))) as Return });
  const act = useMutation({
    mutationFn: (step: 'approve' | 'refund' | 'replace') => {
      const opts = { params: { path: { id } } };
      if (step === 'approve') return unwrap(api.POST('/api/v1/returns/{id}/approve', opts));
      if (step === 'refund') return unwrap(api.POST('/api/v1/returns/{id}/refund', opts));
      return unwrap(api.POST('/api/v1/returns/{id}/replace', opts));
    },
    onSuccess: () => {
      showSaved();
      for (const k of ['returns', 'invoices', 'credit-notes', 'orders']) qc.invalidateQueries({ queryKey: [k] });
    },
    onError: (e) => showError(e),
  });
  const r = ret.data;
  if (!r) return null;
  const manage = can('returns:manage');
  return (
    <>
      <PageHeader
        title={t('returns.heading', { number: r.number })}
        actions={
          <Group>
            {manage && r.status === 'requested' && (
              <>
                <Button loading={act.isPending && act.variables === 'approve'} onClick={() => act.mutate('approve')}>
                  {t('returns.actions.approve')}
                </Button>
                <RejectButton id={r.id} />
              </>
            )}
            {manage && r.status === 'approved' && <ReceiveButton ret={r} />}
            {can('credit_notes:issue') && r.status === 'received' && (
              <Button loading={act.isPending && act.variables === 'refund'} onClick={() => act.mutate('refund')}>
                {t('returns.actions.refund')}
              </Button>
            )}
            {can('orders:confirm') && r.status === 'received' && (
              <Button variant="default" loading={act.isPending && act.variables === 'replace'} onClick={() => act.mutate('replace')} data-testid="return-replace">
                {t('returns.actions.replace')}
              </Button>
            )}
          </Group>
        }
      />
      <Card withBorder mb="lg">
        <SimpleGrid cols={{ base: 2, md: 4 }}>
          <Stack gap={0}>
            <Text size="xs" c="dimmed">{t('common.status')}</Text>
            <ReturnBadge status={r.status} />
          </Stack>
          <Stack gap={0}>
            <Text size="xs" c="dimmed">{t('orders.account')}</Text>
            <Anchor component={Link} to={`/app/accounts/${r.account_id}`}>{r.account_name}</Anchor>
          </Stack>
          <Stack gap={0}>
            <Text size="xs" c="dimmed">{t('returns.order')}</Text>
            <Anchor component={Link} to={`/app/orders/${r.order_id}`}>{r.order_number}</Anchor>
          </Stack>
          <Stack gap={0}>
            {r.replacement_order_id ? (
              <>
                <Text size="xs" c="dimmed">{t('returns.replacement')}</Text>
                <Anchor component={Link} to={`/app/orders/${r.replacement_order_id}`} data-testid="return-replacement">{r.replacement_order_number}</Anchor>
              </>
            ) : (
              <>
                <Text size="xs" c="dimmed">{t('returns.creditNote')}</Text>
                {creditNotesOf(r).length > 0 ? creditNotesOf(r).map((id) => <CreditNoteLink key={id} id={id} />) : <Text>—</Text>}
              </>
            )}
          </Stack>
        </SimpleGrid>
        {r.comment && (
          <Text mt="md" size="sm">
            {t('returns.comment')}: {r.comment}
          </Text>
        )}
        {r.rejection_reason && (
          <Text mt="md" size="sm" c="red">
            {t('returns.rejectionReason')}: {r.rejection_reason}
          </Text>
        )}
      </Card>
      <Table withTableBorder striped mb="lg">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('returns.item')}</Table.Th>
            <Table.Th ta="right">{t('returns.requestedQty')}</Table.Th>
            <Table.Th ta="right">{t('returns.receivedQty')}</Table.Th>
            <Table.Th>{t('returns.reason')}</Table.Th>
            <Table.Th>{t('returns.comment')}</Table.Th>
            <Table.Th>{t('returns.condition')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(r.lines ?? []).map((l) => (
            <Table.Tr key={l.id} data-testid="return-line">
              <Table.Td>{l.description}</Table.Td>
              <Table.Td ta="right">{formatNumber(l.quantity, lang)}</Table.Td>
              <Table.Td ta="right">
                <ReceivedQty line={l} />
              </Table.Td>
              <Table.Td>{t(`returns.reasons.${l.reason}`)}</Table.Td>
              <Table.Td>{l.comment || '—'}</Table.Td>
              <Table.Td>{l.condition ? t(`returns.conditions.${l.condition}`) : '—'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <ReturnPhotos ret={r} canAdd={can('returns:request')} queryKey={['returns', id]} />
      <Timeline mt="lg" active={returnTimeline(r).reduce((last, s, k) => (s.at ? k : last), -1)} bulletSize={14} lineWidth={2}>
        {returnTimeline(r).map((s) => (
          <Timeline.Item key={s.step} title={t(`returns.statuses.${s.step}`)}>
            <Text size="xs" c="dimmed">{s.at ? formatDateTime(s.at, lang, timeZone) : t('returns.notYet')}</Text>
          </Timeline.Item>
        ))}
      </Timeline>
    </>
  );
}
