import { useState } from 'react';
import { ActionIcon, Badge, Button, Card, Checkbox, Group, NumberInput, Radio, Select, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { IconArrowDown, IconArrowUp, IconPlus, IconTrash } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { api, newIdempotencyKey, unwrap } from '../../../api/client';
import { showError, showSaved } from '../../../components/forms';
import { PageHeader } from '../../../components/PageHeader';
import { usePipelines, type Pipeline } from './Opportunities';

type StageRow = { id?: string; name: string; probability: number; won: boolean; lost: boolean };

const rowsOf = (p: Pipeline): StageRow[] => p.stages.map((s) => ({ id: s.id, name: s.name, probability: s.probability, won: s.won, lost: s.lost }));

/** Pipelines is the settings screen of the tenant's pipelines and their stages (pipelines:manage). */
export function Pipelines() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const pipelines = usePipelines();
  const [chosen, setChosen] = useState<string | null>(null);
  const items = pipelines.data?.items ?? [];
  const p = items.find((x) => x.id === chosen) ?? items[0];
  const create = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/pipelines', { body: { name: t('pipelines.newName') }, headers: { 'Idempotency-Key': newIdempotencyKey() } })),
    onSuccess: (np) => {
      qc.invalidateQueries({ queryKey: ['pipelines'] });
      setChosen(np.id);
    },
    onError: (e) => showError(e),
  });
  return (
    <>
      <PageHeader
        title={t('pipelines.title')}
        description={t('pipelines.description')}
        actions={<Button leftSection={<IconPlus size={16} />} loading={create.isPending} onClick={() => create.mutate()}>{t('pipelines.new')}</Button>}
      />
      <Select
        mb="md"
        aria-label={t('pipelines.pipeline')}
        allowDeselect={false}
        value={p?.id ?? null}
        onChange={setChosen}
        data={items.map((x) => ({ value: x.id, label: x.default ? `${x.name} ★` : x.name }))}
      />
      {p && <PipelineEditor key={p.id + p.updated_at} pipeline={p} onDeleted={() => setChosen(null)} />}
    </>
  );
}

function PipelineEditor({ pipeline, onDeleted }: { pipeline: Pipeline; onDeleted: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [name, setName] = useState(pipeline.name);
  const [isDefault, setDefault] = useState(pipeline.default);
  const [stages, setStages] = useState<StageRow[]>(rowsOf(pipeline));
  const done = () => qc.invalidateQueries({ queryKey: ['pipelines'] });
  const save = useMutation({
    mutationFn: () =>
      unwrap(
        api.PATCH('/api/v1/pipelines/{id}', {
          params: { path: { id: pipeline.id } },
          body: { name: name.trim(), ...(isDefault && !pipeline.default ? { default: true } : {}), stages },
        }),
      ),
    onSuccess: () => {
      showSaved();
      done();
    },
    onError: (e) => showError(e),
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/pipelines/{id}', { params: { path: { id: pipeline.id } } })),
    onSuccess: () => {
      showSaved(t('common.deleted'));
      onDeleted();
      done();
    },
    onError: (e) => showError(e),
  });
  const set = (i: number, patch: Partial<StageRow>) => setStages((s) => s.map((x, j) => (j === i ? { ...x, ...patch } : x)));
  const swap = (i: number, j: number) => setStages((s) => s.map((x, k) => (k === i ? s[j]! : k === j ? s[i]! : x)));
  // The won and lost stages are chosen with radios: exactly one of each.
  const closing = (i: number, kind: 'won' | 'lost') =>
    setStages((s) => s.map((x, j) => ({ ...x, [kind]: j === i, ...(j === i ? { [kind === 'won' ? 'lost' : 'won']: false, probability: kind === 'won' ? 100 : 0 } : {}) })));
  return (
    <Card withBorder>
      <Stack>
        <Group align="flex-end">
          <TextInput label={t('common.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} />
          <Checkbox mb={8} label={t('pipelines.default')} checked={isDefault} disabled={pipeline.default} onChange={(e) => setDefault(e.currentTarget.checked)} />
        </Group>
        <Text fw={600}>{t('pipelines.stages')}</Text>
        {stages.map((s, i) => (
          <Group key={s.id ?? `new-${i}`} align="flex-end" wrap="nowrap" data-testid={`stage-row-${i}`}>
            <TextInput label={i === 0 ? t('common.name') : undefined} aria-label={t('common.name')} style={{ flex: 2 }} value={s.name} onChange={(e) => set(i, { name: e.currentTarget.value })} />
            <NumberInput
              label={i === 0 ? t('opportunities.probability') : undefined}
              aria-label={t('opportunities.probability')}
              style={{ flex: 1 }}
              min={0}
              max={100}
              suffix=" %"
              disabled={s.won || s.lost}
              value={s.probability}
              onChange={(v) => set(i, { probability: Number(v) || 0 })}
            />
            <Radio mb={8} label={t('opportunities.statuses.won')} checked={s.won} onChange={() => closing(i, 'won')} />
            <Radio mb={8} label={t('opportunities.statuses.lost')} checked={s.lost} onChange={() => closing(i, 'lost')} />
            {!s.id && <Badge mb={8} variant="light">{t('pipelines.newStage')}</Badge>}
            <ActionIcon variant="subtle" mb={4} disabled={i === 0} aria-label={t('pipelines.up')} onClick={() => swap(i, i - 1)}><IconArrowUp size={16} /></ActionIcon>
            <ActionIcon variant="subtle" mb={4} disabled={i === stages.length - 1} aria-label={t('pipelines.down')} onClick={() => swap(i, i + 1)}><IconArrowDown size={16} /></ActionIcon>
            <ActionIcon variant="subtle" color="red" mb={4} aria-label={t('common.delete')} onClick={() => setStages(stages.filter((_, j) => j !== i))}><IconTrash size={16} /></ActionIcon>
          </Group>
        ))}
        <Group justify="space-between">
          <Button size="xs" variant="subtle" leftSection={<IconPlus size={16} />} onClick={() => setStages([...stages, { name: '', probability: 50, won: false, lost: false }])}>
            {t('pipelines.addStage')}
          </Button>
          <Group>
            {!pipeline.default && <Button color="red" variant="subtle" loading={remove.isPending} onClick={() => remove.mutate()}>{t('common.delete')}</Button>}
            <Button variant="default" onClick={() => setStages(rowsOf(pipeline))}>{t('common.cancel')}</Button>
            <Button loading={save.isPending} onClick={() => save.mutate()}>{t('common.save')}</Button>
          </Group>
        </Group>
        <Text size="xs" c="dimmed">{t('pipelines.rules')}</Text>
      </Stack>
    </Card>
  );
}
