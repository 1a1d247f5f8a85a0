import { useState } from 'react';
import { Card, Group, NumberInput, Select, Text, Textarea } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { requestLines, returnReasons, type LineChoice } from './returnText';

/**
 * useReturnChoices holds a return request being filled in, line by line:
 * the staff "New return" and the portal's "Request a return" share it.
 * build() answers the request's lines, or null while a chosen line lacks a
 * reason (missing names them) or nothing is chosen.
 */
export function useReturnChoices() {
  const [choices, setChoices] = useState<Record<string, LineChoice>>({});
  const [comment, setComment] = useState('');
  const [missing, setMissing] = useState<string[]>([]);
  const choice = (id: string): LineChoice => choices[id] ?? { quantity: 0, reason: '', comment: '' };
  const set = (id: string, c: Partial<LineChoice>) => setChoices((all) => ({ ...all, [id]: { ...choice(id), ...c } }));
  const build = () => {
    const { lines, missing: noReason } = requestLines(choices);
    setMissing(noReason);
    return noReason.length > 0 || lines.length === 0 ? null : lines;
  };
  const nothingChosen = () => {
    const { lines, missing: noReason } = requestLines(choices);
    return lines.length === 0 && noReason.length === 0;
  };
  return { choice, set, comment, setComment, missing, build, nothingChosen };
}

type Line = { order_line_id: string; description: string; returnable_qty: number };

/**
 * ReturnLineCard is one returnable line of a return request: how many
 * units, why, and a comment. ns is the translation namespace of the labels
 * (returns for staff, portal.returns for customers), testid the prefix of
 * its test ids.
 */
export function ReturnLineCard({ line, index, hint, form, ns, testid }: {
  line: Line;
  index: number;
  hint: string;
  form: ReturnType<typeof useReturnChoices>;
  ns: 'returns' | 'portal.returns';
  testid: string;
}) {
  const { t } = useTranslation();
  const id = line.order_line_id;
  const c = form.choice(id);
  return (
    <Card withBorder data-testid={`${testid}-line-${index}`}>
      <Text fw={500}>{line.description}</Text>
      <Text size="xs" c="dimmed" mb="xs">
        {hint}
      </Text>
      <Group grow align="flex-start">
        <NumberInput
          label={t(`${ns}.quantity`)}
          min={0}
          max={line.returnable_qty}
          allowDecimal={false}
          allowNegative={false}
          value={c.quantity}
          onChange={(v) => form.set(id, { quantity: typeof v === 'number' ? v : 0 })}
          data-testid={`${testid}-qty-${index}`}
        />
        <Select
          label={t(`${ns}.reason`)}
          data={returnReasons.map((r) => ({ value: r, label: t(`returns.reasons.${r}`) }))}
          value={c.reason || null}
          onChange={(v) => form.set(id, { reason: (v ?? '') as LineChoice['reason'] })}
          error={form.missing.includes(id) ? t(`${ns}.reasonRequired`) : undefined}
          data-testid={`${testid}-reason-${index}`}
        />
      </Group>
      <Textarea mt="xs" label={t(`${ns}.lineComment`)} maxLength={2000} value={c.comment} onChange={(e) => form.set(id, { comment: e.currentTarget.value })} />
    </Card>
  );
}
