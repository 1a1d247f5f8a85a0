import { useState } from 'react';
import { Alert, Anchor, Badge, Button, Card, Group, Modal, SimpleGrid, Stack, Table, Text, Textarea, Timeline, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { IconCheck } from '@tabler/icons-react';
import { Link, Navigate, useNavigate, useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { api, newIdempotencyKey, unwrap } from '../../api/client';
import type { components } from '../../api/schema.gen';
import { formatDate, formatDateTime, formatNumber } from '../../lib/format';
import { creditNotesOf, requestLines, returnableLines, returnColor, returnTimeline, shortReceived, type ReturnStatus } from '../returns/returnText';
import { ReturnLineCard, useReturnChoices } from '../returns/ReturnLineCard';
import { ReturnPhotos } from '../returns/ReturnPhotos';
import { usePortal } from './PortalLayout';
import { PortalDetailError, PortalProblem, usePortalCustomer } from './PortalQuotes';

type CustomerReturn = components['schemas']['CustomerReturn'];

function PortalReturnBadge({ status }: { status: ReturnStatus }) {
  const { t } = useTranslation();
  return (
    <Badge variant="light" color={returnColor[status]} data-testid="portal-return-status">
      {t(`returns.statuses.${status}`)}
    </Badge>
  );
}

/**
 * RequestReturn is the "Request a return" button of an order: the lines
 * with delivered units not yet returned, a quantity, reason and comment
 * for each. The server checks the same limits again under a lock.
 */
export function RequestReturn({ orderId, slug }: { orderId: string; slug: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const form = useReturnChoices();
  const returnable = useQuery({
    queryKey: ['portal-returns', 'returnable', orderId],
    queryFn: () => unwrap(api.GET('/api/v1/orders/{id}/returnable', { params: { path: { id: orderId } } })),
  });
  const lines = returnableLines(returnable.data?.items ?? []);
  const save = useMutation({
    mutationFn: (body: { order_id: string; comment?: string; lines: ReturnType<typeof requestLines>['lines'] }) =>
      unwrap(api.POST('/api/v1/returns', { headers: { 'Idempotency-Key': newIdempotencyKey() }, body })),
    onSuccess: (r) => {
      qc.invalidateQueries({ queryKey: ['portal-returns'] });
      navigate(`/portal/${slug}/returns/${r.id}`);
    },
  });
  if (lines.length === 0) return null;
  const submit = () => {
    const chosen = form.build();
    if (!chosen) return;
    save.mutate({ order_id: orderId, ...(form.comment.trim() ? { comment: form.comment.trim() } : {}), lines: chosen });
  };
  return (
    <>
      <Button variant="light" onClick={() => setOpen(true)} data-testid="portal-request-return">
        {t('portal.returns.request')}
      </Button>
      {open && (
        <Modal opened onClose={() => setOpen(false)} title={t('portal.returns.request')} size="lg">
          <form
            onSubmit={(e) => {
              e.preventDefault();
              submit();
            }}
          >
            <Stack>
              <Text size="sm" c="dimmed">
                {t('portal.returns.requestHelp')}
              </Text>
              {lines.map((l, k) => (
                <ReturnLineCard
                  key={l.order_line_id}
                  line={l}
                  index={k}
                  form={form}
                  ns="portal.returns"
                  testid="portal-return"
                  hint={t('portal.returns.left', { count: l.returnable_qty })}
                />
              ))}
              <Textarea label={t('portal.returns.comment')} maxLength={2000} value={form.comment} onChange={(e) => form.setComment(e.currentTarget.value)} />
              <PortalProblem error={save.error} />
              <Group justify="flex-end">
                <Button variant="default" onClick={() => setOpen(false)}>
                  {t('common.cancel')}
                </Button>
                <Button type="submit" loading={save.isPending} data-testid="portal-return-submit">
                  {t('portal.returns.send')}
                </Button>
              </Group>
            </Stack>
          </form>
        </Modal>
      )}
    </>
  );
}

/** PortalReturns lists the returns of the customer's account (the server binds the list to it). */
export function PortalReturns() {
  const { t } = useTranslation();
  const b = usePortal();
  const { slug, loading, customer, lang } = usePortalCustomer();
  const list = useQuery({
    queryKey: ['portal-returns', 'list', customer?.customer.id],
    queryFn: () => unwrap(api.GET('/api/v1/returns', { params: { query: { limit: 50 } } })),
    enabled: !!customer,
  });
  if (loading) return null;
  if (!customer) return <Navigate to={`/portal/${slug}`} replace />;
  const rows = (list.data?.items ?? []) as CustomerReturn[];
  return (
    <Stack>
      <Title order={1} fz="h2">
        {t('portal.returns.title')}
      </Title>
      <PortalProblem error={list.error} />
      <Card withBorder padding="lg">
        {list.isSuccess && rows.length === 0 ? (
          <Text c="dimmed">{t('portal.returns.none', { name: b.display_name })}</Text>
        ) : (
          <Table.ScrollContainer minWidth={480}>
            <Table striped aria-label={t('portal.returns.title')} data-testid="portal-returns">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('portal.returns.return')}</Table.Th>
                  <Table.Th>{t('portal.returns.order')}</Table.Th>
                  <Table.Th>{t('common.status')}</Table.Th>
                  <Table.Th>{t('portal.returns.requested')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((r) => (
                  <Table.Tr key={r.id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/portal/${slug}/returns/${r.id}`}>
                        {r.number}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{r.order_number}</Table.Td>
                    <Table.Td>
                      <PortalReturnBadge status={r.status} />
                    </Table.Td>
                    <Table.Td>{formatDate(r.created_at, lang)}</Table.Td>
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

/** PortalReturn is one return of the customer's account: its lines, its steps, why it was rejected, its credit note. */
export function PortalReturn() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const { slug, loading, customer, lang } = usePortalCustomer();
  const ret = useQuery({
    queryKey: ['portal-returns', id],
    queryFn: async () => (await unwrap(api.GET('/api/v1/returns/{id}', { params: { path: { id } } }))) as CustomerReturn,
    enabled: !!customer,
  });
  if (loading) return null;
  if (!customer) return <Navigate to={`/portal/${slug}`} replace />;
  const back = (
    <Anchor component={Link} to={`/portal/${slug}/returns`} size="sm">
      ← {t('portal.returns.back')}
    </Anchor>
  );
  if (ret.isError) return <PortalDetailError back={back} error={ret.error} notFound={t('portal.returns.notFound')} />;
  const r = ret.data;
  if (!r) return null;
  const steps = returnTimeline(r);
  const active = steps.reduce((last, s, k) => (s.at ? k : last), -1);
  return (
    <Stack>
      {back}
      <Title order={1} fz="h2">
        {t('portal.returns.heading', { number: r.number })}
      </Title>
      <Card withBorder padding="lg">
        <SimpleGrid cols={{ base: 2, sm: 3 }}>
          <Stack gap={0}>
            <Text size="xs" c="dimmed">
              {t('common.status')}
            </Text>
            <PortalReturnBadge status={r.status} />
          </Stack>
          <Stack gap={0}>
            <Text size="xs" c="dimmed">
              {t('portal.returns.order')}
            </Text>
            <Anchor component={Link} to={`/portal/${slug}/orders/${r.order_id}`}>
              {r.order_number}
            </Anchor>
          </Stack>
          {r.replacement_order_id ? (
            <Stack gap={0}>
              <Text size="xs" c="dimmed">
                {t('portal.returns.replacement')}
              </Text>
              <Anchor component={Link} to={`/portal/${slug}/orders/${r.replacement_order_id}`} data-testid="portal-return-replacement">
                {r.replacement_order_number}
              </Anchor>
            </Stack>
          ) : (
            <Stack gap={0}>
              <Text size="xs" c="dimmed">
                {t('portal.returns.creditNote')}
              </Text>
              {creditNotesOf(r).length > 0 ? (
                creditNotesOf(r).map((id, k) => (
                  <Anchor key={id} component={Link} to={`/portal/${slug}/credit-notes/${id}`} data-testid={k === 0 ? 'portal-return-credit-note' : `portal-return-credit-note-${k}`}>
                    {t('portal.returns.openCreditNote')}
                    {creditNotesOf(r).length > 1 ? ` ${k + 1}` : ''}
                  </Anchor>
                ))
              ) : (
                <Text>—</Text>
              )}
            </Stack>
          )}
        </SimpleGrid>
        {r.status === 'rejected' && (
          <Alert color="red" mt="md" data-testid="portal-return-rejection">
            {t('portal.returns.rejected', { reason: r.rejection_reason })}
          </Alert>
        )}
        {r.comment && (
          <Text size="sm" mt="md">
            {t('portal.returns.comment')}: {r.comment}
          </Text>
        )}
      </Card>
      <Card withBorder padding="lg">
        <Title order={2} fz="h4" mb="sm">
          {t('portal.returns.progress')}
        </Title>
        <Timeline active={active} bulletSize={22} lineWidth={2} data-testid="portal-return-timeline">
          {steps.map((s) => (
            <Timeline.Item key={s.step} title={t(`returns.statuses.${s.step}`)} bullet={s.at ? <IconCheck size={14} /> : undefined} data-reached={s.at ? 'true' : 'false'}>
              <Text size="sm" c="dimmed">
                {s.at ? formatDateTime(s.at, lang) : t('portal.order.notYet')}
              </Text>
            </Timeline.Item>
          ))}
        </Timeline>
      </Card>
      <ReturnPhotos ret={r} canAdd queryKey={['portal-returns', id]} />
      <Card withBorder padding="lg">
        {(r.lines ?? []).some(shortReceived) && (
          <Alert color="orange" mb="md" data-testid="portal-return-partial">
            {t('portal.returns.partial')}
          </Alert>
        )}
        <Table aria-label={t('portal.returns.lines')} data-testid="portal-return-lines">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('portal.order.description')}</Table.Th>
              <Table.Th ta="right">{t('portal.returns.requestedQty')}</Table.Th>
              <Table.Th ta="right">{t('portal.returns.receivedQty')}</Table.Th>
              <Table.Th>{t('portal.returns.reason')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(r.lines ?? []).map((l) => (
              <Table.Tr key={l.id} data-testid="portal-return-line">
                <Table.Td>
                  {l.description}
                  {l.comment && (
                    <Text size="xs" c="dimmed">
                      {l.comment}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td ta="right">{formatNumber(l.quantity, lang)}</Table.Td>
                <Table.Td ta="right" data-testid="portal-return-received">
                  {l.received_quantity == null ? '—' : formatNumber(l.received_quantity, lang)}
                  {shortReceived(l) && (
                    <Text size="xs" c="orange">
                      {t('portal.returns.missing', { formatted: formatNumber(l.quantity - (l.received_quantity ?? 0), lang) })}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>{t(`returns.reasons.${l.reason}`)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Card>
    </Stack>
  );
}
