import { useState } from 'react';
import { Alert, Badge, Button, Card, Group, List, Menu, Modal, NumberInput, SimpleGrid, Stack, Tabs, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useDebouncedValue } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { IconChevronDown, IconDownload, IconFileImport, IconPencil, IconPlus, IconSearch, IconUsers } from '@tabler/icons-react';
import { DataTable } from 'mantine-datatable';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { api, newIdempotencyKey, unwrap } from '../../../api/client';
import type { components } from '../../../api/schema.gen';
import { useSession } from '../../../auth/session';
import { showError, showSaved } from '../../../components/forms';
import { isApiError } from '../../../api/problem';
import { ExportCsvButton } from '../../../components/ExportCsvButton';
import { FormActions } from '../../../components/FormActions';
import { ImportCsvModal, type CrmImportResource } from '../../../components/ImportCsvModal';
import { LoadMore } from '../../../components/LoadMore';
import { PageHeader } from '../../../components/PageHeader';
import { formatMoney } from '../../../lib/format';
import { minorToInput, parseMoneyToMinor } from '../../../lib/format';
import { cursorQuery, useCursorList } from '../../../lib/lists';
import { useLocale } from '../../../lib/useLocale';
import { OrderList } from './Orders';
import { InvoiceList } from './Invoices';
import { ContactsTab } from '../crm/Contacts';
import { ActivitiesTab } from '../crm/Activities';
import { OpportunitiesTab } from '../crm/Opportunities';
import { AccountTimeline } from './AccountTimeline';

type Account = components['schemas']['Account'];
type Duplicate = components['schemas']['AccountDuplicate'];

export function Accounts() {
  const { t } = useTranslation();
  const { can } = useSession();
  const { lang } = useLocale();
  const navigate = useNavigate();
  const [q, setQ] = useState('');
  const [debounced] = useDebouncedValue(q, 250);
  const [creating, setCreating] = useState(false);
  const [importing, setImporting] = useState<CrmImportResource | null>(null);
  const filters = { q: debounced };
  const list = useCursorList(['accounts', filters], (cursor) => unwrap(api.GET('/api/v1/accounts', { params: { query: cursorQuery(filters, cursor) } })));
  return (
    <>
      <PageHeader
        title={t('accounts.title')}
        description={t('accounts.description')}
        actions={
          <Group gap="xs">
            <ExportCsvButton path="/api/v1/accounts.csv" filters={filters} />
            {can('accounts:write') && (
              <Button variant="default" leftSection={<IconFileImport size={18} />} onClick={() => setImporting('accounts')}>
                {t('accounts.importCsv')}
              </Button>
            )}
            {(can('contacts:read') || can('contacts:write')) && (
              <Menu position="bottom-end">
                <Menu.Target>
                  <Button variant="default" leftSection={<IconUsers size={18} />} rightSection={<IconChevronDown size={14} />}>
                    {t('contacts.title')}
                  </Button>
                </Menu.Target>
                <Menu.Dropdown>
                  {can('contacts:read') && (
                    <Menu.Item component="a" href="/api/v1/contacts.csv" download leftSection={<IconDownload size={16} />}>
                      {t('accounts.exportContacts')}
                    </Menu.Item>
                  )}
                  {can('contacts:write') && (
                    <Menu.Item leftSection={<IconFileImport size={16} />} onClick={() => setImporting('contacts')}>
                      {t('accounts.importContacts')}
                    </Menu.Item>
                  )}
                </Menu.Dropdown>
              </Menu>
            )}
            {can('accounts:write') && (
              <Button leftSection={<IconPlus size={18} />} onClick={() => setCreating(true)}>
                {t('accounts.new')}
              </Button>
            )}
          </Group>
        }
      />
      <TextInput mb="md" label={t('common.search')} placeholder={t('accounts.searchHint')} leftSection={<IconSearch size={16} />} value={q} onChange={(e) => setQ(e.currentTarget.value)} w={320} />
      <DataTable
        withTableBorder
        borderRadius="md"
        highlightOnHover
        minHeight={120}
        fetching={list.loading}
        records={list.rows}
        noRecordsText={t('accounts.none')}
        onRowClick={({ record }) => navigate(`/app/accounts/${record.id}`)}
        columns={[
          { accessor: 'name', title: t('common.name') },
          { accessor: 'tax_id', title: t('accounts.taxId') },
          { accessor: 'email', title: t('auth.email') },
          { accessor: 'billing_address.city', title: t('accounts.city') },
          { accessor: 'credit_limit_minor', title: t('accounts.creditLimit'), textAlign: 'right', render: (a) => formatMoney(a.credit_limit_minor, a.currency, lang) },
          { accessor: 'active', title: t('common.status'), render: (a) => <Badge color={a.active ? 'green' : 'gray'}>{a.active ? t('common.active') : t('common.inactive')}</Badge> },
        ]}
      />
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.more} />
      {creating && <AccountForm onClose={() => setCreating(false)} onSaved={(a) => navigate(`/app/accounts/${a.id}`)} />}
      {importing && <ImportCsvModal resource={importing} onClose={() => setImporting(null)} />}
    </>
  );
}

export function AccountDetail() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const { can } = useSession();
  const { lang } = useLocale();
  const [editing, setEditing] = useState(false);
  const account = useQuery({ queryKey: ['accounts', id], queryFn: () => unwrap(api.GET('/api/v1/accounts/{id}', { params: { path: { id } } })) });
  const credit = useQuery({ queryKey: ['accounts', id, 'credit'], queryFn: () => unwrap(api.GET('/api/v1/accounts/{id}/credit', { params: { path: { id } } })) });
  const a = account.data;
  if (!a) return null;
  const addr = (x: Account['billing_address']) => [x.line1, x.line2, [x.postal_code, x.city].filter(Boolean).join(' '), x.region, x.country].filter(Boolean).join(', ') || '—';
  const fact = (label: string, value: string) => (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">{label}</Text>
      <Text>{value}</Text>
    </Stack>
  );
  return (
    <>
      <PageHeader
        title={a.name}
        description={a.tax_id || undefined}
        actions={can('accounts:write') && <Button leftSection={<IconPencil size={18} />} onClick={() => setEditing(true)}>{t('common.edit')}</Button>}
      />
      <Card withBorder mb="lg">
        <SimpleGrid cols={{ base: 1, md: 3 }}>
          {fact(t('auth.email'), a.email || '—')}
          {fact(t('accounts.phone'), a.phone || '—')}
          {fact(t('accounts.paymentTerms'), t('products.days', { count: a.payment_terms_days }))}
          {fact(t('accounts.creditLimit'), a.credit_limit_minor ? formatMoney(a.credit_limit_minor, a.currency, lang) : t('accounts.noCreditLimit'))}
          {credit.data?.limited && (
            <Stack gap={0} data-testid="account-credit">
              <Text size="xs" c="dimmed">{t('accounts.availableCredit')}</Text>
              <Text c={credit.data.available_minor < 0 ? 'red' : undefined} fw={500}>{formatMoney(credit.data.available_minor, credit.data.currency, lang)}</Text>
              <Text size="xs" c="dimmed">
                {t('accounts.creditUsed', {
                  invoices: formatMoney(credit.data.open_invoices_minor, credit.data.currency, lang),
                  orders: formatMoney(credit.data.open_orders_minor, credit.data.currency, lang),
                })}
              </Text>
            </Stack>
          )}
          {fact(t('accounts.billingAddress'), addr(a.billing_address))}
          {fact(t('accounts.shippingAddress'), addr(a.shipping_address))}
        </SimpleGrid>
      </Card>
      <Tabs defaultValue="timeline" keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="timeline">{t('timeline.title')}</Tabs.Tab>
          {can('contacts:read') && <Tabs.Tab value="contacts">{t('contacts.title')}</Tabs.Tab>}
          {can('activities:read') && <Tabs.Tab value="activities">{t('activities.title')}</Tabs.Tab>}
          {can('opportunities:read') && <Tabs.Tab value="opportunities">{t('opportunities.title')}</Tabs.Tab>}
          {can('orders:read') && <Tabs.Tab value="orders">{t('orders.title')}</Tabs.Tab>}
          {can('invoices:read') && <Tabs.Tab value="invoices">{t('invoices.title')}</Tabs.Tab>}
        </Tabs.List>
        <Tabs.Panel value="timeline"><AccountTimeline accountId={a.id} /></Tabs.Panel>
        <Tabs.Panel value="contacts"><ContactsTab accountId={a.id} /></Tabs.Panel>
        <Tabs.Panel value="activities"><ActivitiesTab accountId={a.id} /></Tabs.Panel>
        <Tabs.Panel value="opportunities"><OpportunitiesTab accountId={a.id} /></Tabs.Panel>
        <Tabs.Panel value="orders"><OrderList accountId={a.id} /></Tabs.Panel>
        <Tabs.Panel value="invoices"><InvoiceList accountId={a.id} /></Tabs.Panel>
      </Tabs>
      {editing && <AccountForm account={a} onClose={() => setEditing(false)} />}
    </>
  );
}

function AccountForm({ account, onClose, onSaved }: { account?: Account; onClose: () => void; onSaved?: (a: Account) => void }) {
  const { t } = useTranslation();
  const { me } = useSession();
  const qc = useQueryClient();
  const currency = account?.currency ?? me?.tenant.base_currency ?? 'EUR';
  // A 409 on create, or on an edit of the name, tax id or email, lists the
  // existing accounts this one looks like; the user opens one of them or
  // confirms and saves it anyway.
  const [duplicates, setDuplicates] = useState<Duplicate[] | null>(null);
  const empty = { line1: '', line2: '', city: '', postal_code: '', region: '', country: '' };
  const form = useForm({
    initialValues: {
      name: account?.name ?? '',
      tax_id: account?.tax_id ?? '',
      email: account?.email ?? '',
      phone: account?.phone ?? '',
      payment_terms_days: account?.payment_terms_days ?? 30,
      credit: account ? minorToInput(account.credit_limit_minor, currency) : '0',
      billing_address: account?.billing_address ?? empty,
    },
    validate: {
      name: (v) => (v.trim() ? null : t('validation.required')),
      credit: (v) => (parseMoneyToMinor(v, currency) === null ? t('validation.amount') : null),
    },
  });
  const save = useMutation({
    mutationFn: ({ v, confirm }: { v: typeof form.values; confirm?: boolean }) => {
      const body = {
        name: v.name.trim(),
        tax_id: v.tax_id.trim(),
        email: v.email.trim(),
        phone: v.phone.trim(),
        payment_terms_days: Number(v.payment_terms_days) || 0,
        credit_limit_minor: parseMoneyToMinor(v.credit, currency) ?? 0,
        billing_address: v.billing_address,
        ...(account ? {} : { shipping_address: v.billing_address }),
      };
      const sent = confirm ? { ...body, confirm_duplicate: true } : body;
      return account
        ? unwrap(api.PATCH('/api/v1/accounts/{id}', { params: { path: { id: account.id } }, body: sent }))
        : unwrap(api.POST('/api/v1/accounts', { body: sent, headers: { 'Idempotency-Key': newIdempotencyKey() } }));
    },
    onSuccess: (a) => {
      showSaved();
      qc.invalidateQueries({ queryKey: ['accounts'] });
      onSaved?.(a);
      onClose();
    },
    onError: (e) => {
      const candidates = isApiError(e, 409) ? (e.problem as { candidates?: Duplicate[] }).candidates : undefined;
      if (candidates?.length) setDuplicates(candidates);
      else showError(e, form);
    },
  });
  return (
    <Modal opened onClose={onClose} title={account ? t('accounts.edit') : t('accounts.new')} size="lg">
      <form onSubmit={form.onSubmit((v) => save.mutate({ v }))}>
        <Stack>
          {duplicates && (
            <Alert color="yellow" title={t('accounts.duplicateTitle')} data-testid="account-duplicates">
              <Text size="sm" mb="xs">{t(account ? 'accounts.duplicateBodyEdit' : 'accounts.duplicateBody')}</Text>
              <List size="sm" mb="sm">
                {duplicates.map((d) => (
                  <List.Item key={d.account.id}>
                    <Link to={`/app/accounts/${d.account.id}`} onClick={onClose}>{d.account.name}</Link>
                    {d.account.tax_id && ` (${d.account.tax_id})`} — {d.reasons.map((r) => t(`accounts.duplicateReason.${r}`)).join(', ')}
                  </List.Item>
                ))}
              </List>
              <Button size="xs" variant="outline" color="yellow" loading={save.isPending} onClick={() => save.mutate({ v: form.values, confirm: true })}>
                {t(account ? 'accounts.saveAnyway' : 'accounts.createAnyway')}
              </Button>
            </Alert>
          )}
          <SimpleGrid cols={2}>
            <TextInput label={t('common.name')} required {...form.getInputProps('name')} />
            <TextInput label={t('accounts.taxId')} {...form.getInputProps('tax_id')} />
            <TextInput label={t('auth.email')} type="email" {...form.getInputProps('email')} />
            <TextInput label={t('accounts.phone')} {...form.getInputProps('phone')} />
            <NumberInput label={t('accounts.paymentTerms')} min={0} max={365} allowDecimal={false} {...form.getInputProps('payment_terms_days')} />
            <TextInput label={t('accounts.creditLimit')} description={currency} inputMode="decimal" {...form.getInputProps('credit')} />
            <TextInput label={t('accounts.line1')} {...form.getInputProps('billing_address.line1')} />
            <TextInput label={t('accounts.city')} {...form.getInputProps('billing_address.city')} />
            <TextInput label={t('accounts.postalCode')} {...form.getInputProps('billing_address.postal_code')} />
            <TextInput label={t('accounts.country')} description="ES, FR, DE…" maxLength={2} {...form.getInputProps('billing_address.country')} />
          </SimpleGrid>
          <FormActions onCancel={onClose} saving={save.isPending} />
        </Stack>
      </form>
    </Modal>
  );
}
