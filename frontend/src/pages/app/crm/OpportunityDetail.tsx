import { useState } from 'react';
import { ActionIcon, Alert, Button, Card, Group, NumberInput, Select, SimpleGrid, Stack, Table, Text, TextInput, Timeline, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api, unwrap } from '../../../api/client';
import { useSession } from '../../../auth/session';
import { showError, showSaved } from '../../../components/forms';
import { PageHeader } from '../../../components/PageHeader';
import { ProductPicker } from '../../../components/pickers';
import { formatDateTime, formatMoney, minorToInput, parseMoneyToMinor } from '../../../lib/format';
import { useLocale } from '../../../lib/useLocale';
import { CreateQuoteButton, OpportunitySales } from '../quotes/OpportunitySales';
import { ActivitiesTab } from './Activities';
import { CloseButtons, StatusBadge, usePipelines, type Opportunity } from './Opportunities';

/** OpportunityDetail shows an opportunity's facts, lines, stage history and activities. */
export function OpportunityDetail() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const { lang, timeZone } = useLocale();
  const o = useQuery({ queryKey: ['opportunities', id], queryFn: () => unwrap(api.GET('/api/v1/opportunities/{id}', { params: { path: { id } } })) });
  if (o.isError) return <Alert color="red">{t('opportunities.notFound')}</Alert>;
  if (!o.data) return null;
  const opp = o.data;
  return (
    <>
      <PageHeader
        title={opp.name}
        description={opp.account_name}
        actions={
          <>
            <StatusBadge status={opp.status} />
            {opp.status === 'open' && <CreateQuoteButton opportunityId={opp.id} />}
            <CloseButtons opportunity={opp} size="sm" />
          </>
        }
      />
      {opp.status === 'lost' && <Alert color="gray" mb="md" title={t('opportunities.lostReason')}>{opp.lost_reason}</Alert>}
      <SimpleGrid cols={{ base: 1, md: 2 }} mb="lg">
        <Facts opp={opp} />
        <Card withBorder>
          <Title order={2} fz="h4" mb="sm">{t('opportunities.history')}</Title>
          <Timeline bulletSize={12} lineWidth={2}>
            {(opp.stage_history ?? []).map((h, i) => (
              <Timeline.Item key={i} title={h.to_stage_name}>
                <Text size="xs" c="dimmed">{formatDateTime(h.changed_at, lang, timeZone)}</Text>
              </Timeline.Item>
            ))}
          </Timeline>
        </Card>
      </SimpleGrid>
      <Lines opp={opp} />
      <OpportunitySales opportunityId={opp.id} />
      <Stack mt="lg">
        <ActivitiesTab accountId={opp.account_id} opportunityId={opp.id} />
      </Stack>
    </>
  );
}

function Facts({ opp }: { opp: Opportunity }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const qc = useQueryClient();
  const pipelines = usePipelines();
  const { lang } = useLocale();
  const pipeline = pipelines.data?.items.find((p) => p.id === opp.pipeline_id);
  const editable = opp.status === 'open' && can('opportunities:write');
  const form = useForm({
    initialValues: {
      name: opp.name,
      stage_id: opp.stage_id,
      expected_close: opp.expected_close ?? '',
      probability: opp.probability_manual ? opp.probability : ('' as number | ''),
      amount: minorToInput(opp.amount_minor, opp.currency),
    },
  });
  const save = useMutation({
    mutationFn: (v: typeof form.values) =>
      unwrap(
        api.PATCH('/api/v1/opportunities/{id}', {
          params: { path: { id: opp.id } },
          body: {
            name: v.name.trim(),
            ...(v.stage_id !== opp.stage_id ? { stage_id: v.stage_id } : {}),
            expected_close: v.expected_close || null,
            probability: v.probability === '' ? null : Number(v.probability),
            ...(opp.lines.length === 0 ? { amount_minor: parseMoneyToMinor(v.amount, opp.currency) ?? opp.amount_minor } : {}),
          },
        }),
      ),
    onSuccess: () => {
      showSaved();
      qc.invalidateQueries({ queryKey: ['opportunities'] });
    },
    onError: (e) => showError(e, form),
  });
  return (
    <Card withBorder>
      <form onSubmit={form.onSubmit((v) => save.mutate(v))} noValidate>
        <Stack gap="xs">
          <Group justify="space-between">
            <Text c="dimmed" size="sm">{t('opportunities.account')}</Text>
            <Link to={`/app/accounts/${opp.account_id}`}>{opp.account_name}</Link>
          </Group>
          <Group justify="space-between">
            <Text c="dimmed" size="sm">{t('opportunities.owner')}</Text>
            <Text size="sm">{opp.owner_name}</Text>
          </Group>
          <Group justify="space-between">
            <Text c="dimmed" size="sm">{t('opportunities.amount')}</Text>
            <Text fw={600}>{formatMoney(opp.amount_minor, opp.currency, lang)}</Text>
          </Group>
          <TextInput label={t('common.name')} disabled={!editable} {...form.getInputProps('name')} />
          <Select
            label={t('opportunities.stage')}
            disabled={!editable}
            allowDeselect={false}
            data={(pipeline?.stages ?? []).filter((s) => (!s.won && !s.lost) || s.id === opp.stage_id).map((s) => ({ value: s.id, label: `${s.name} (${s.probability} %)` }))}
            {...form.getInputProps('stage_id')}
          />
          <Group grow>
            <TextInput label={t('opportunities.expectedClose')} type="date" disabled={!editable} {...form.getInputProps('expected_close')} />
            <NumberInput label={t('opportunities.probability')} description={t('opportunities.probabilityHint')} min={0} max={100} disabled={!editable} {...form.getInputProps('probability')} />
          </Group>
          {opp.lines.length === 0 && <TextInput label={t('opportunities.amount')} disabled={!editable} {...form.getInputProps('amount')} />}
          {editable && (
            <Group justify="flex-end">
              <Button type="submit" loading={save.isPending}>{t('common.save')}</Button>
            </Group>
          )}
        </Stack>
      </form>
    </Card>
  );
}

type LineRow = { product_id: string; quantity: number; unit_price: string; discount: number };

/** Lines edits the product lines; saving replaces them and the amount becomes their sum. */
function Lines({ opp }: { opp: Opportunity }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const { lang } = useLocale();
  const qc = useQueryClient();
  const editable = opp.status === 'open' && can('opportunities:write');
  const [rows, setRows] = useState<LineRow[] | null>(null);
  const save = useMutation({
    mutationFn: (lines: LineRow[]) =>
      unwrap(
        api.PATCH('/api/v1/opportunities/{id}', {
          params: { path: { id: opp.id } },
          body: {
            lines: lines.map((l) => ({
              product_id: l.product_id,
              quantity: l.quantity,
              discount_bp: Math.round(l.discount * 100),
              ...(l.unit_price ? { unit_price_minor: parseMoneyToMinor(l.unit_price, opp.currency) ?? 0 } : {}),
            })),
          },
        }),
      ),
    onSuccess: () => {
      showSaved();
      setRows(null);
      qc.invalidateQueries({ queryKey: ['opportunities'] });
    },
    onError: (e) => showError(e),
  });
  const edit = () =>
    setRows(opp.lines.map((l) => ({ product_id: l.product_id, quantity: l.quantity, unit_price: minorToInput(l.unit_price_minor, opp.currency), discount: l.discount_bp / 100 })));
  const set = (i: number, patch: Partial<LineRow>) => setRows((r) => (r ?? []).map((x, j) => (j === i ? { ...x, ...patch } : x)));
  return (
    <Card withBorder>
      <Group justify="space-between" mb="sm">
        <Title order={2} fz="h4">{t('opportunities.lines')}</Title>
        {editable && !rows && <Button size="xs" variant="light" onClick={edit}>{t('opportunities.editLines')}</Button>}
      </Group>
      {!rows ? (
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('opportunities.product')}</Table.Th>
              <Table.Th ta="right">{t('opportunities.quantity')}</Table.Th>
              <Table.Th ta="right">{t('opportunities.unitPrice')}</Table.Th>
              <Table.Th ta="right">{t('opportunities.discount')}</Table.Th>
              <Table.Th ta="right">{t('opportunities.amount')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {opp.lines.map((l) => (
              <Table.Tr key={l.id}>
                <Table.Td>{l.sku} · {l.product_name}</Table.Td>
                <Table.Td ta="right">{l.quantity}</Table.Td>
                <Table.Td ta="right">{formatMoney(l.unit_price_minor, opp.currency, lang)}</Table.Td>
                <Table.Td ta="right">{l.discount_bp / 100} %</Table.Td>
                <Table.Td ta="right">{formatMoney(l.amount_minor, opp.currency, lang)}</Table.Td>
              </Table.Tr>
            ))}
            {opp.lines.length === 0 && (
              <Table.Tr>
                <Table.Td colSpan={5}><Text c="dimmed" size="sm">{t('opportunities.noLines')}</Text></Table.Td>
              </Table.Tr>
            )}
          </Table.Tbody>
        </Table>
      ) : (
        <Stack>
          {rows.map((l, i) => (
            <Group key={i} align="flex-end" wrap="nowrap">
              <ProductPicker label={t('opportunities.product')} style={{ flex: 3 }} value={l.product_id || null} onChange={(v) => set(i, { product_id: v ?? '' })} />
              <NumberInput label={t('opportunities.quantity')} style={{ flex: 1 }} min={1} allowDecimal={false} value={l.quantity} onChange={(v) => set(i, { quantity: Number(v) || 0 })} />
              <TextInput label={t('opportunities.unitPrice')} placeholder={t('opportunities.listPrice')} style={{ flex: 1 }} value={l.unit_price} onChange={(e) => set(i, { unit_price: e.currentTarget.value })} />
              <NumberInput label={t('opportunities.discount')} suffix=" %" style={{ flex: 1 }} min={0} max={100} decimalScale={2} value={l.discount} onChange={(v) => set(i, { discount: Number(v) || 0 })} />
              <ActionIcon variant="subtle" color="red" mb={4} aria-label={t('common.delete')} onClick={() => setRows(rows.filter((_, j) => j !== i))}>
                <IconTrash size={16} />
              </ActionIcon>
            </Group>
          ))}
          <Group justify="space-between">
            <Button size="xs" variant="subtle" leftSection={<IconPlus size={16} />} onClick={() => setRows([...rows, { product_id: '', quantity: 1, unit_price: '', discount: 0 }])}>
              {t('opportunities.addLine')}
            </Button>
            <Group>
              <Button variant="default" onClick={() => setRows(null)}>{t('common.cancel')}</Button>
              <Button loading={save.isPending} onClick={() => save.mutate(rows)}>{t('common.save')}</Button>
            </Group>
          </Group>
        </Stack>
      )}
    </Card>
  );
}
