import { useState } from 'react';
import { ActionIcon, Badge, Button, Group, Modal, NumberInput, Select, Stack, Textarea, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { IconPlus, IconSearch, IconTrash } from '@tabler/icons-react';
import { DataTable } from 'mantine-datatable';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api, newIdempotencyKey, unwrap } from '../../../api/client';
import { useSession } from '../../../auth/session';
import { FormActions } from '../../../components/FormActions';
import { showError, showSaved } from '../../../components/forms';
import { LoadMore } from '../../../components/LoadMore';
import { PageHeader } from '../../../components/PageHeader';
import { AccountPicker, ProductPicker } from '../../../components/pickers';
import { formatDate, formatMoney } from '../../../lib/format';
import { cursorQuery, useCursorList } from '../../../lib/lists';
import { useLocale } from '../../../lib/useLocale';
import { quoteLinesBody, quoteStatusColor, quoteStatuses, type EditLine, type LineBody, type QuoteStatus } from './quoteText';

export function QuoteStatusBadge({ status }: { status: QuoteStatus }) {
  const { t } = useTranslation();
  return (
    <Badge color={quoteStatusColor[status]} data-testid="quote-status">
      {t(`quotes.statuses.${status}`)}
    </Badge>
  );
}

/** QuoteList is the quotes table, for the Quotes page and an opportunity's page. */
export function QuoteList({ opportunityId, status, q }: { opportunityId?: string; status?: string | null; q?: string }) {
  const { t } = useTranslation();
  const { lang } = useLocale();
  const navigate = useNavigate();
  const filters = { opportunity_id: opportunityId ?? '', status: status ?? '', q: q ?? '' };
  const list = useCursorList(['quotes', filters], (cursor) => unwrap(api.GET('/api/v1/quotes', { params: { query: cursorQuery(filters, cursor) as never } })));
  return (
    <>
      <DataTable
        withTableBorder
        borderRadius="md"
        highlightOnHover
        minHeight={100}
        fetching={list.loading}
        records={list.rows}
        noRecordsText={t('quotes.none')}
        onRowClick={({ record }) => navigate(`/app/quotes/${record.id}`)}
        columns={[
          { accessor: 'number', title: t('quotes.number') },
          { accessor: 'revision', title: t('quotes.rev'), textAlign: 'right' },
          { accessor: 'account_name', title: t('quotes.account'), hidden: !!opportunityId },
          { accessor: 'status', title: t('common.status'), render: (r) => <QuoteStatusBadge status={r.status} /> },
          { accessor: 'valid_until', title: t('quotes.validUntil'), render: (r) => formatDate(r.valid_until, lang, 'UTC') },
          { accessor: 'total_minor', title: t('quotes.total'), textAlign: 'right', render: (r) => formatMoney(r.total_minor, r.currency, lang) },
        ]}
      />
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.more} />
    </>
  );
}

export function Quotes() {
  const { t } = useTranslation();
  const { can } = useSession();
  const navigate = useNavigate();
  const [status, setStatus] = useState<string | null>(null);
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 250);
  const [creating, setCreating] = useState(false);
  return (
    <>
      <PageHeader
        title={t('quotes.title')}
        description={t('quotes.description')}
        actions={
          can('quotes:write') && (
            <Button leftSection={<IconPlus size={18} />} onClick={() => setCreating(true)}>
              {t('quotes.new')}
            </Button>
          )
        }
      />
      <Group mb="md" align="end">
        <TextInput label={t('common.search')} placeholder={t('quotes.searchHint')} leftSection={<IconSearch size={16} />} value={search} onChange={(e) => setSearch(e.currentTarget.value)} w={260} />
        <Select label={t('common.status')} clearable placeholder={t('common.all')} data={quoteStatuses.map((s) => ({ value: s, label: t(`quotes.statuses.${s}`) }))} value={status} onChange={setStatus} w={220} />
      </Group>
      <QuoteList status={status} q={q} />
      {creating && <NewQuote onClose={() => setCreating(false)} onSaved={(id) => navigate(`/app/quotes/${id}`)} />}
    </>
  );
}

export const blankLine = (): EditLine => ({ product_id: null, quantity: 1, unit_price: '', discount: 0 });

/**
 * LinesEditor edits a quote's lines. Lines already on the quote keep their
 * product (shown as quoted); new lines pick one. An empty unit price takes
 * the catalog's (or the price list's).
 */
export function LinesEditor({ rows, onChange, errors }: { rows: EditLine[]; onChange: (rows: EditLine[]) => void; errors?: { index: number; field: string } | null }) {
  const { t } = useTranslation();
  const set = (i: number, patch: Partial<EditLine>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const err = (i: number, field: string) => (errors && errors.index === i && errors.field === field ? (field === 'unit_price' ? t('validation.amount') : field === 'quantity' ? t('validation.quantity') : t('validation.required')) : undefined);
  return (
    <Stack gap="xs">
      <Title order={3} fz="h5">{t('quotes.lines')}</Title>
      {rows.map((l, i) => (
        <Group key={i} align="flex-start" wrap="nowrap" data-testid="quote-line-editor">
          {l.description ? (
            <TextInput label={t('quotes.product')} style={{ flex: 3 }} value={l.description} readOnly />
          ) : (
            <ProductPicker label={t('quotes.product')} required style={{ flex: 3 }} value={l.product_id} onChange={(v) => set(i, { product_id: v })} error={err(i, 'product_id')} />
          )}
          <NumberInput label={t('quotes.quantity')} style={{ flex: 1 }} min={1} allowDecimal={false} value={l.quantity} onChange={(v) => set(i, { quantity: v })} error={err(i, 'quantity')} />
          <TextInput label={t('quotes.unitPrice')} placeholder={t('quotes.listPrice')} style={{ flex: 1 }} value={l.unit_price} onChange={(e) => set(i, { unit_price: e.currentTarget.value })} error={err(i, 'unit_price')} />
          <NumberInput label={t('quotes.discount')} suffix=" %" style={{ flex: 1 }} min={0} max={100} decimalScale={2} value={l.discount} onChange={(v) => set(i, { discount: v })} error={err(i, 'discount')} />
          <ActionIcon variant="subtle" color="red" mt={28} aria-label={t('common.delete')} disabled={rows.length === 1} onClick={() => onChange(rows.filter((_, j) => j !== i))}>
            <IconTrash size={16} />
          </ActionIcon>
        </Group>
      ))}
      <Button size="xs" variant="subtle" w="fit-content" leftSection={<IconPlus size={16} />} onClick={() => onChange([...rows, blankLine()])}>
        {t('quotes.addLine')}
      </Button>
    </Stack>
  );
}

/** NewQuote drafts a quote for a customer with lines typed in. */
function NewQuote({ onClose, onSaved }: { onClose: () => void; onSaved: (id: string) => void }) {
  const { t } = useTranslation();
  const { currency } = useLocale();
  const qc = useQueryClient();
  const [accountId, setAccountId] = useState<string | null>(null);
  const [validUntil, setValidUntil] = useState('');
  const [notes, setNotes] = useState('');
  const [rows, setRows] = useState<EditLine[]>([blankLine()]);
  const [invalid, setInvalid] = useState<{ index: number; field: string } | null>(null);
  const [accountError, setAccountError] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (lines: LineBody[]) =>
      unwrap(
        api.POST('/api/v1/quotes', {
          headers: { 'Idempotency-Key': newIdempotencyKey() },
          body: { account_id: accountId ?? '', lines, notes, ...(validUntil ? { valid_until: validUntil } : {}) },
        }),
      ),
    onSuccess: (q) => {
      showSaved();
      qc.invalidateQueries({ queryKey: ['quotes'] });
      onSaved(q.id);
      onClose();
    },
    onError: (e) => showError(e),
  });
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    setAccountError(accountId ? null : t('validation.required'));
    const body = quoteLinesBody(rows, currency);
    if ('index' in body) {
      setInvalid(body);
      return;
    }
    setInvalid(null);
    if (accountId) save.mutate(body.lines);
  };
  return (
    <Modal opened onClose={onClose} title={t('quotes.new')} size="xl">
      <form onSubmit={submit} noValidate>
        <Stack>
          <Group grow align="flex-start">
            <AccountPicker label={t('quotes.account')} required value={accountId} onChange={setAccountId} error={accountError} />
            <TextInput label={t('quotes.validUntil')} description={t('quotes.validUntilHint')} type="date" value={validUntil} onChange={(e) => setValidUntil(e.currentTarget.value)} />
          </Group>
          <LinesEditor rows={rows} onChange={setRows} errors={invalid} />
          <Textarea label={t('quotes.notes')} autosize minRows={2} value={notes} onChange={(e) => setNotes(e.currentTarget.value)} />
          <FormActions onCancel={onClose} saving={save.isPending} label={t('quotes.createDraft')} />
        </Stack>
      </form>
    </Modal>
  );
}
