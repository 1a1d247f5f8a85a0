import { useState } from 'react';
import { Badge, Button, Card, Group, Modal, ScrollArea, SegmentedControl, Select, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { DndContext, KeyboardSensor, PointerSensor, useDraggable, useDroppable, useSensor, useSensors, type DragEndEvent } from '@dnd-kit/core';
import { IconLayoutKanban, IconList, IconPlus } from '@tabler/icons-react';
import { DataTable } from 'mantine-datatable';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { api, newIdempotencyKey, unwrap } from '../../../api/client';
import type { components } from '../../../api/schema.gen';
import { useSession } from '../../../auth/session';
import { showError, showSaved } from '../../../components/forms';
import { FormActions } from '../../../components/FormActions';
import { LoadMore } from '../../../components/LoadMore';
import { PageHeader } from '../../../components/PageHeader';
import { AccountPicker } from '../../../components/pickers';
import { formatDate, formatMoney, parseMoneyToMinor } from '../../../lib/format';
import { cursorQuery, useCursorList } from '../../../lib/lists';
import { useLocale } from '../../../lib/useLocale';

export type Opportunity = components['schemas']['Opportunity'];
export type Pipeline = components['schemas']['Pipeline'];
type Status = Opportunity['status'];

const statusColor: Record<Status, string> = { open: 'blue', won: 'green', lost: 'gray' };

/** usePipelines reads the tenant's pipelines (the server creates the default one on first read). */
export function usePipelines() {
  return useQuery({ queryKey: ['pipelines'], queryFn: () => unwrap(api.GET('/api/v1/pipelines')), staleTime: 30_000 });
}

/** useOpportunityActions moves, wins and loses opportunities, refreshing every view of them. */
export function useOpportunityActions() {
  const qc = useQueryClient();
  const done = () => qc.invalidateQueries({ queryKey: ['opportunities'] });
  const move = useMutation({
    mutationFn: ({ id, stage_id }: { id: string; stage_id: string }) =>
      unwrap(api.PATCH('/api/v1/opportunities/{id}', { params: { path: { id } }, body: { stage_id } })),
    onSettled: done,
    onError: (e) => showError(e),
  });
  const win = useMutation({
    mutationFn: (id: string) => unwrap(api.POST('/api/v1/opportunities/{id}/win', { params: { path: { id } } })),
    onSuccess: () => showSaved(),
    onSettled: done,
    onError: (e) => showError(e),
  });
  const lose = useMutation({
    mutationFn: ({ id, lost_reason }: { id: string; lost_reason: string }) =>
      unwrap(api.POST('/api/v1/opportunities/{id}/lose', { params: { path: { id } }, body: { lost_reason } })),
    onSuccess: () => showSaved(),
    onSettled: done,
    onError: (e) => showError(e),
  });
  return { move, win, lose };
}

/** StatusBadge shows open, won or lost. */
export function StatusBadge({ status }: { status: Status }) {
  const { t } = useTranslation();
  return <Badge color={statusColor[status]}>{t(`opportunities.statuses.${status}`)}</Badge>;
}

/** LoseDialog asks why the deal was lost (the server requires a reason). */
export function LoseDialog({ opportunity, onClose }: { opportunity: Opportunity; onClose: () => void }) {
  const { t } = useTranslation();
  const { lose } = useOpportunityActions();
  const form = useForm({ initialValues: { lost_reason: '' }, validate: { lost_reason: (v) => (v.trim() ? null : t('validation.required')) } });
  return (
    <Modal opened onClose={onClose} title={t('opportunities.loseTitle', { name: opportunity.name })}>
      <form
        noValidate
        onSubmit={form.onSubmit((v) => lose.mutate({ id: opportunity.id, lost_reason: v.lost_reason.trim() }, { onSuccess: onClose, onError: (e) => showError(e, form) }))}
      >
        <Stack>
          <Textarea label={t('opportunities.lostReason')} required autosize minRows={2} data-autofocus {...form.getInputProps('lost_reason')} />
          <FormActions onCancel={onClose} saving={lose.isPending} label={t('opportunities.lose')} />
        </Stack>
      </form>
    </Modal>
  );
}

/** CloseButtons are the Won / Lost buttons of an open opportunity. */
export function CloseButtons({ opportunity, size = 'xs' }: { opportunity: Opportunity; size?: string }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const { win } = useOpportunityActions();
  const [losing, setLosing] = useState(false);
  if (opportunity.status !== 'open' || !can('opportunities:write')) return null;
  return (
    <Group gap={4} onPointerDown={(e) => e.stopPropagation()}>
      <Button size={size} color="green" variant="light" loading={win.isPending} onClick={() => win.mutate(opportunity.id)}>
        {t('opportunities.win')}
      </Button>
      <Button size={size} color="gray" variant="light" onClick={() => setLosing(true)}>
        {t('opportunities.lose')}
      </Button>
      {losing && <LoseDialog opportunity={opportunity} onClose={() => setLosing(false)} />}
    </Group>
  );
}

function OpportunityCard({ o }: { o: Opportunity }) {
  const { lang } = useLocale();
  const navigate = useNavigate();
  const { can } = useSession();
  const { attributes, listeners, setNodeRef, transform, isDragging } = useDraggable({ id: o.id, disabled: !can('opportunities:write') });
  const style = transform ? { transform: `translate(${transform.x}px, ${transform.y}px)`, zIndex: 10 } : undefined;
  return (
    <Card
      ref={setNodeRef}
      withBorder
      padding="xs"
      radius="md"
      style={{ ...style, opacity: isDragging ? 0.7 : 1, cursor: 'grab' }}
      data-testid={`opportunity-card-${o.name}`}
      {...listeners}
      {...attributes}
    >
      <Text fw={600} size="sm" style={{ cursor: 'pointer' }} onClick={() => navigate(`/app/opportunities/${o.id}`)}>
        {o.name}
      </Text>
      <Text size="xs" c="dimmed">{o.account_name}</Text>
      <Group justify="space-between" mt={4}>
        <Text size="sm">{formatMoney(o.amount_minor, o.currency, lang)}</Text>
        <Text size="xs" c="dimmed">{o.owner_name}</Text>
      </Group>
      <Group mt={6} justify="flex-end">
        <CloseButtons opportunity={o} />
      </Group>
    </Card>
  );
}

function Column({ stage, items }: { stage: Pipeline['stages'][number]; items: Opportunity[] }) {
  const { lang } = useLocale();
  const { setNodeRef, isOver } = useDroppable({ id: stage.id });
  const total = items.reduce((s, o) => s + o.amount_minor, 0);
  const currency = items[0]?.currency;
  return (
    <Stack
      ref={setNodeRef}
      gap="xs"
      p="xs"
      w={260}
      miw={260}
      data-testid={`stage-${stage.name}`}
      style={{ borderRadius: 8, background: isOver ? 'var(--mantine-color-blue-light)' : 'var(--mantine-color-default-hover)', minHeight: 300 }}
    >
      <Group justify="space-between">
        <Text fw={600} size="sm">{stage.name}</Text>
        <Badge variant="light">{stage.probability} %</Badge>
      </Group>
      {currency && <Text size="xs" c="dimmed">{items.length} · {formatMoney(total, currency, lang)}</Text>}
      {items.map((o) => (
        <OpportunityCard key={o.id} o={o} />
      ))}
    </Stack>
  );
}

/** Board shows a pipeline's open opportunities by stage; dropping a card on another open stage moves it there. */
function Board({ pipeline, mine }: { pipeline: Pipeline; mine: boolean }) {
  const { move } = useOpportunityActions();
  const filters = { pipeline_id: pipeline.id, status: 'open' as const, ...(mine ? { owner: 'me' } : {}) };
  // The board reads up to 500 open opportunities (five pages of 100).
  const list = useQuery({
    queryKey: ['opportunities', filters, 'board'],
    queryFn: async () => {
      const out: Opportunity[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < 5; i++) {
        const page = await unwrap(api.GET('/api/v1/opportunities', { params: { query: cursorQuery(filters, cursor, 100) } }));
        out.push(...page.items);
        if (!page.next_cursor) break;
        cursor = page.next_cursor;
      }
      return out;
    },
  });
  const [moved, setMoved] = useState<Record<string, string>>({});
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 6 } }), useSensor(KeyboardSensor));
  const open = pipeline.stages.filter((s) => !s.won && !s.lost);
  const stageOf = (o: Opportunity) => moved[o.id] ?? o.stage_id;
  const onDragEnd = (e: DragEndEvent) => {
    const id = String(e.active.id);
    const to = e.over ? String(e.over.id) : null;
    const o = list.data?.find((x) => x.id === id);
    if (!o || !to || to === stageOf(o) || !open.some((s) => s.id === to)) return;
    setMoved((m) => ({ ...m, [id]: to }));
    move.mutate({ id, stage_id: to }, { onSettled: () => setMoved((m) => Object.fromEntries(Object.entries(m).filter(([k]) => k !== id))) });
  };
  return (
    <DndContext sensors={sensors} onDragEnd={onDragEnd}>
      <ScrollArea type="auto">
        <Group align="flex-start" wrap="nowrap" gap="sm" pb="md">
          {open.map((s) => (
            <Column key={s.id} stage={s} items={(list.data ?? []).filter((o) => stageOf(o) === s.id)} />
          ))}
        </Group>
      </ScrollArea>
    </DndContext>
  );
}

/** OpportunityTable is a paged list of opportunities. */
export function OpportunityTable({ filters }: { filters: Record<string, string> }) {
  const { t } = useTranslation();
  const { lang, timeZone } = useLocale();
  const navigate = useNavigate();
  const list = useCursorList(['opportunities', filters], (cursor) => unwrap(api.GET('/api/v1/opportunities', { params: { query: cursorQuery(filters, cursor) } })));
  const pipelines = usePipelines();
  const stageName = (o: Opportunity) => pipelines.data?.items.find((p) => p.id === o.pipeline_id)?.stages.find((s) => s.id === o.stage_id)?.name ?? '…';
  return (
    <>
      <DataTable
        withTableBorder
        borderRadius="md"
        minHeight={100}
        fetching={list.loading}
        records={list.rows}
        noRecordsText={t('opportunities.none')}
        onRowClick={({ record }) => navigate(`/app/opportunities/${record.id}`)}
        columns={[
          { accessor: 'name', title: t('common.name') },
          { accessor: 'account_name', title: t('opportunities.account') },
          { accessor: 'stage_id', title: t('opportunities.stage'), render: stageName },
          { accessor: 'amount_minor', title: t('opportunities.amount'), textAlign: 'right', render: (o) => formatMoney(o.amount_minor, o.currency, lang) },
          { accessor: 'probability', title: t('opportunities.probability'), render: (o) => `${o.probability} %` },
          { accessor: 'expected_close', title: t('opportunities.expectedClose'), render: (o) => (o.expected_close ? formatDate(o.expected_close, lang, timeZone) : '—') },
          { accessor: 'owner_name', title: t('opportunities.owner') },
          { accessor: 'status', title: t('common.status'), render: (o) => <StatusBadge status={o.status} /> },
        ]}
      />
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.more} />
    </>
  );
}

/** OpportunityForm opens an opportunity (for a given account, or one the user picks). */
export function OpportunityForm({ accountId, pipeline, onClose }: { accountId?: string; pipeline?: Pipeline; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const pipelines = usePipelines();
  const p = pipeline ?? pipelines.data?.items[0];
  const form = useForm({
    initialValues: { name: '', account_id: accountId ?? '', stage_id: '', amount: '', currency: 'EUR', expected_close: '' },
    validate: {
      name: (v) => (v.trim() ? null : t('validation.required')),
      account_id: (v) => (v ? null : t('validation.required')),
      amount: (v, vals) => (v && parseMoneyToMinor(v, vals.currency) === null ? t('validation.amount') : null),
    },
  });
  const save = useMutation({
    mutationFn: (v: typeof form.values) =>
      unwrap(
        api.POST('/api/v1/opportunities', {
          body: {
            name: v.name.trim(),
            account_id: v.account_id,
            pipeline_id: p?.id,
            stage_id: v.stage_id || undefined,
            amount_minor: v.amount ? (parseMoneyToMinor(v.amount, v.currency) ?? 0) : undefined,
            expected_close: v.expected_close || undefined,
          },
          headers: { 'Idempotency-Key': newIdempotencyKey() },
        }),
      ),
    onSuccess: (o) => {
      showSaved();
      qc.invalidateQueries({ queryKey: ['opportunities'] });
      onClose();
      if (!accountId) navigate(`/app/opportunities/${o.id}`);
    },
    onError: (e) => showError(e, form),
  });
  return (
    <Modal opened onClose={onClose} title={t('opportunities.new')}>
      <form onSubmit={form.onSubmit((v) => save.mutate(v))} noValidate>
        <Stack>
          <TextInput label={t('common.name')} required data-autofocus {...form.getInputProps('name')} />
          {!accountId && <AccountPicker label={t('opportunities.account')} required {...form.getInputProps('account_id')} />}
          <Select
            label={t('opportunities.stage')}
            placeholder={p?.stages[0]?.name}
            clearable
            data={(p?.stages ?? []).filter((s) => !s.won && !s.lost).map((s) => ({ value: s.id, label: s.name }))}
            {...form.getInputProps('stage_id')}
          />
          <Group grow>
            <TextInput label={t('opportunities.amount')} description={t('opportunities.amountHint')} {...form.getInputProps('amount')} />
            <TextInput label={t('opportunities.expectedClose')} type="date" {...form.getInputProps('expected_close')} />
          </Group>
          <FormActions onCancel={onClose} saving={save.isPending} />
        </Stack>
      </form>
    </Modal>
  );
}

/** Opportunities is the pipeline board (or list) of the caller's visible opportunities. */
export function Opportunities() {
  const { t } = useTranslation();
  const { can } = useSession();
  const pipelines = usePipelines();
  const [pipelineId, setPipelineId] = useState<string | null>(null);
  const [view, setView] = useState<'board' | 'list'>('board');
  const [mine, setMine] = useState(false);
  const [status, setStatus] = useState<string>('open');
  const [q, setQ] = useState('');
  const [adding, setAdding] = useState(false);
  const items = pipelines.data?.items ?? [];
  const pipeline = items.find((p) => p.id === pipelineId) ?? items[0];
  return (
    <>
      <PageHeader
        title={t('opportunities.title')}
        description={t('opportunities.description')}
        actions={
          <>
            {can('pipelines:manage') && (
              <Button variant="default" component={Link} to="/app/pipelines">
                {t('pipelines.title')}
              </Button>
            )}
            {can('opportunities:write') && (
              <Button leftSection={<IconPlus size={16} />} onClick={() => setAdding(true)} disabled={!pipeline}>
                {t('opportunities.new')}
              </Button>
            )}
          </>
        }
      />
      <Group mb="md" wrap="wrap">
        <Select
          aria-label={t('pipelines.pipeline')}
          allowDeselect={false}
          value={pipeline?.id ?? null}
          onChange={setPipelineId}
          data={items.map((p) => ({ value: p.id, label: p.name }))}
        />
        <SegmentedControl
          value={view}
          onChange={(v) => setView(v as 'board' | 'list')}
          data={[
            { value: 'board', label: <Group gap={4} wrap="nowrap"><IconLayoutKanban size={16} />{t('opportunities.board')}</Group> },
            { value: 'list', label: <Group gap={4} wrap="nowrap"><IconList size={16} />{t('opportunities.list')}</Group> },
          ]}
        />
        <SegmentedControl
          value={mine ? 'me' : 'all'}
          onChange={(v) => setMine(v === 'me')}
          data={[
            { value: 'all', label: t('opportunities.everyone') },
            { value: 'me', label: t('opportunities.mine') },
          ]}
        />
        {view === 'list' && (
          <>
            <Select
              aria-label={t('common.status')}
              value={status}
              onChange={(v) => setStatus(v ?? '')}
              data={[
                { value: '', label: t('common.all') },
                ...(['open', 'won', 'lost'] as const).map((s) => ({ value: s, label: t(`opportunities.statuses.${s}`) })),
              ]}
            />
            <TextInput placeholder={t('opportunities.searchHint')} value={q} onChange={(e) => setQ(e.currentTarget.value)} />
          </>
        )}
      </Group>
      {pipeline && view === 'board' && <Board pipeline={pipeline} mine={mine} />}
      {pipeline && view === 'list' && <OpportunityTable filters={{ pipeline_id: pipeline.id, status, q, ...(mine ? { owner: 'me' } : {}) }} />}
      {adding && <OpportunityForm pipeline={pipeline} onClose={() => setAdding(false)} />}
    </>
  );
}

/** OpportunitiesTab is an account's opportunities on its page. */
export function OpportunitiesTab({ accountId }: { accountId: string }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const [adding, setAdding] = useState(false);
  return (
    <>
      <Group justify="flex-end" mb="sm">
        {can('opportunities:write') && (
          <Button size="xs" leftSection={<IconPlus size={16} />} onClick={() => setAdding(true)}>
            {t('opportunities.new')}
          </Button>
        )}
      </Group>
      <OpportunityTable filters={{ account_id: accountId }} />
      {adding && <OpportunityForm accountId={accountId} onClose={() => setAdding(false)} />}
    </>
  );
}
