import { useEffect, useState } from 'react';
import {
  Anchor,
  Badge,
  Button,
  ColorInput,
  FileButton,
  Group,
  Image,
  Modal,
  NumberInput,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Tabs,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { IconPlus } from '@tabler/icons-react';
import { DataTable } from 'mantine-datatable';
import { Link, useLocation } from 'react-router';
import { useTranslation } from 'react-i18next';
import { api, putBinary, unwrap } from '../../api/client';
import type { NumberSeries, Settings, TaxRate } from '../../api/types';
import { meKey, useSession } from '../../auth/session';
import { PageHeader } from '../../components/PageHeader';
import { showError, showSaved } from '../../components/forms';
import { formatPercentBp, parsePercentToBp } from '../../lib/format';
import { useLocale } from '../../lib/useLocale';
import { OnlinePayments } from './settings/OnlinePayments';

const currencies = ['EUR', 'USD', 'GBP', 'CHF', 'MXN', 'COP', 'ARS', 'CLP', 'PEN', 'BRL', 'CAD', 'SEK', 'NOK', 'DKK', 'PLN', 'CZK', 'MAD', 'JPY'];
const timeZones: string[] = (() => {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return ['UTC', 'Europe/Madrid', 'Europe/London', 'America/Mexico_City', 'America/New_York'];
  }
})();

export function SettingsPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const settings = useQuery({ queryKey: ['settings'], queryFn: () => unwrap(api.GET('/api/v1/settings')) });
  const manage = can('settings:manage');
  // Stripe's onboarding returns with ?stripe=return (or refresh): open its tab.
  const fromStripe = new URLSearchParams(useLocation().search).has('stripe');
  return (
    <>
      <PageHeader title={t('settings.title')} description={t('settings.description')} />
      <Tabs defaultValue={fromStripe ? 'payments' : 'company'} keepMounted={false}>
        <Tabs.List mb="lg">
          <Tabs.Tab value="company">{t('settings.company')}</Tabs.Tab>
          <Tabs.Tab value="taxes">{t('settings.taxes')}</Tabs.Tab>
          <Tabs.Tab value="series">{t('settings.series')}</Tabs.Tab>
          <Tabs.Tab value="portal">{t('settings.portal')}</Tabs.Tab>
          <Tabs.Tab value="payments">{t('onlinePayments.tab')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="company">{settings.data && <CompanyForm settings={settings.data} manage={manage} />}</Tabs.Panel>
        <Tabs.Panel value="taxes">
          <TaxRates manage={manage} />
        </Tabs.Panel>
        <Tabs.Panel value="series">
          <Series manage={manage} />
        </Tabs.Panel>
        <Tabs.Panel value="portal">{settings.data && <PortalBranding settings={settings.data} manage={manage} />}</Tabs.Panel>
        <Tabs.Panel value="payments">
          <OnlinePayments manage={manage} />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}

function useSaveSettings() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: Partial<Settings>) => unwrap(api.PATCH('/api/v1/settings', { body })),
    onSuccess: (s) => {
      qc.setQueryData(['settings'], s);
      qc.invalidateQueries({ queryKey: meKey });
      showSaved();
    },
  });
}

function CompanyForm({ settings, manage }: { settings: Settings; manage: boolean }) {
  const { t } = useTranslation();
  const form = useForm({
    initialValues: {
      name: settings.name,
      base_currency: settings.base_currency,
      locale: settings.locale,
      timezone: settings.timezone,
      require_totp: settings.require_totp,
    },
    validate: { name: (v) => (v.trim() ? null : t('validation.required')) },
  });
  const save = useSaveSettings();
  return (
    <Paper withBorder p="lg" maw={720}>
      <form onSubmit={form.onSubmit((v) => save.mutate(v, { onError: (e) => showError(e, form) }))} noValidate>
        <fieldset disabled={!manage} style={{ border: 0, padding: 0, margin: 0 }}>
          <Stack>
            <TextInput label={t('settings.name')} required {...form.getInputProps('name')} />
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <Select label={t('settings.currency')} data={currencies} searchable allowDeselect={false} {...form.getInputProps('base_currency')} />
              <Select
                label={t('settings.locale')}
                data={[
                  { value: 'es', label: 'Español' },
                  { value: 'en', label: 'English' },
                ]}
                allowDeselect={false}
                {...form.getInputProps('locale')}
              />
              <Select label={t('settings.timezone')} data={timeZones} searchable allowDeselect={false} {...form.getInputProps('timezone')} />
            </SimpleGrid>
            <Switch label={t('settings.requireTotp')} description={t('settings.requireTotpHelp')} {...form.getInputProps('require_totp', { type: 'checkbox' })} />
            {manage && (
              <Group>
                <Button type="submit" loading={save.isPending}>
                  {t('common.save')}
                </Button>
              </Group>
            )}
          </Stack>
        </fieldset>
      </form>
    </Paper>
  );
}

function TaxRates({ manage }: { manage: boolean }) {
  const { t } = useTranslation();
  const { lang } = useLocale();
  const qc = useQueryClient();
  const rates = useQuery({ queryKey: ['tax-rates'], queryFn: () => unwrap(api.GET('/api/v1/tax-rates')) });
  const [editing, setEditing] = useState<TaxRate | 'new' | null>(null);
  const remove = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/v1/tax-rates/{id}', { params: { path: { id } } })),
    onSuccess: () => {
      showSaved(t('common.deleted'));
      qc.invalidateQueries({ queryKey: ['tax-rates'] });
    },
    onError: (e) => showError(e),
  });
  return (
    <Stack maw={820}>
      <Group justify="space-between">
        <Text c="dimmed">{t('settings.taxesHelp')}</Text>
        {manage && (
          <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')}>
            {t('settings.addTax')}
          </Button>
        )}
      </Group>
      <DataTable
        withTableBorder
        borderRadius="md"
        minHeight={140}
        fetching={rates.isPending}
        records={rates.data?.items ?? []}
        noRecordsText={t('settings.noTaxes')}
        columns={[
          { accessor: 'name', title: t('settings.taxName') },
          { accessor: 'rate_bp', title: t('settings.rate'), render: (r) => formatPercentBp(r.rate_bp, lang) },
          { accessor: 'is_default', title: t('settings.default'), render: (r) => r.is_default && <Badge>{t('settings.default')}</Badge> },
          {
            accessor: 'actions',
            title: <VisuallyHidden>{t('common.actions')}</VisuallyHidden>,
            textAlign: 'right',
            hidden: !manage,
            render: (r) => (
              <Group gap={4} justify="flex-end">
                <Button size="xs" variant="subtle" onClick={() => setEditing(r)}>
                  {t('common.edit')}
                </Button>
                <Button size="xs" variant="subtle" color="red" onClick={() => remove.mutate(r.id)}>
                  {t('common.delete')}
                </Button>
              </Group>
            ),
          },
        ]}
      />
      <TaxModal rate={editing} onClose={() => setEditing(null)} />
    </Stack>
  );
}

function TaxModal({ rate, onClose }: { rate: TaxRate | 'new' | null; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const existing = rate && rate !== 'new' ? rate : null;
  const form = useForm({
    initialValues: { name: '', percent: '', is_default: false },
    validate: {
      name: (v) => (v.trim() ? null : t('validation.required')),
      percent: (v) => (parsePercentToBp(v) === null ? t('settings.rateRule') : null),
    },
  });
  useEffect(() => {
    if (rate) {
      form.setValues({
        name: existing?.name ?? '',
        percent: existing ? String(existing.rate_bp / 100).replace('.', ',') : '',
        is_default: existing?.is_default ?? false,
      });
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [rate]);
  const save = useMutation({
    mutationFn: (v: typeof form.values) => {
      const body = { name: v.name, rate_bp: parsePercentToBp(v.percent)!, is_default: v.is_default };
      return existing
        ? unwrap(api.PATCH('/api/v1/tax-rates/{id}', { params: { path: { id: existing.id } }, body }))
        : unwrap(api.POST('/api/v1/tax-rates', { body }));
    },
    onSuccess: () => {
      showSaved();
      qc.invalidateQueries({ queryKey: ['tax-rates'] });
      onClose();
    },
    onError: (e) => {
      const fields = (e as { fields?: Record<string, string> }).fields;
      if (fields?.rate_bp) form.setFieldError('percent', fields.rate_bp);
      showError(e, form);
    },
  });
  return (
    <Modal opened={!!rate} onClose={onClose} title={existing ? t('settings.editTax') : t('settings.addTax')}>
      <form onSubmit={form.onSubmit((v) => save.mutate(v))} noValidate>
        <Stack>
          <TextInput label={t('settings.taxName')} placeholder="IVA 21%" required data-autofocus {...form.getInputProps('name')} />
          <TextInput label={t('settings.ratePercent')} placeholder="21" inputMode="decimal" required {...form.getInputProps('percent')} />
          <Switch label={t('settings.makeDefault')} {...form.getInputProps('is_default', { type: 'checkbox' })} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {t('common.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function Series({ manage }: { manage: boolean }) {
  const { t } = useTranslation();
  const series = useQuery({ queryKey: ['number-series'], queryFn: () => unwrap(api.GET('/api/v1/number-series')) });
  const [editing, setEditing] = useState<NumberSeries | null>(null);
  return (
    <Stack maw={820}>
      <Text c="dimmed">{t('settings.seriesHelp')}</Text>
      <DataTable
        withTableBorder
        borderRadius="md"
        minHeight={140}
        fetching={series.isPending}
        records={series.data?.items ?? []}
        idAccessor="code"
        columns={[
          { accessor: 'code', title: t('settings.document'), render: (s) => t(`settings.seriesCodes.${s.code}`, { defaultValue: s.code }) },
          { accessor: 'prefix', title: t('settings.prefix') },
          { accessor: 'padding', title: t('settings.padding') },
          { accessor: 'next_number', title: t('settings.nextNumber') },
          { accessor: 'example', title: t('settings.example') },
          {
            accessor: 'actions',
            title: <VisuallyHidden>{t('common.actions')}</VisuallyHidden>,
            textAlign: 'right',
            hidden: !manage,
            render: (s) => (
              <Button size="xs" variant="subtle" onClick={() => setEditing(s)}>
                {t('common.edit')}
              </Button>
            ),
          },
        ]}
      />
      <SeriesModal series={editing} onClose={() => setEditing(null)} />
    </Stack>
  );
}

function SeriesModal({ series, onClose }: { series: NumberSeries | null; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const form = useForm({ initialValues: { prefix: '', padding: 6, next_number: 1 } });
  useEffect(() => {
    if (series) form.setValues({ prefix: series.prefix, padding: series.padding, next_number: series.next_number });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [series]);
  const save = useMutation({
    mutationFn: (v: typeof form.values) =>
      unwrap(api.PATCH('/api/v1/number-series/{code}', { params: { path: { code: series!.code } }, body: v })),
    onSuccess: () => {
      showSaved();
      qc.invalidateQueries({ queryKey: ['number-series'] });
      onClose();
    },
    onError: (e) => showError(e, form),
  });
  return (
    <Modal opened={!!series} onClose={onClose} title={t('settings.editSeries')}>
      <form onSubmit={form.onSubmit((v) => save.mutate(v))} noValidate>
        <Stack>
          <TextInput label={t('settings.prefix')} description={t('settings.prefixHelp')} data-autofocus {...form.getInputProps('prefix')} />
          <NumberInput label={t('settings.padding')} min={1} max={12} allowDecimal={false} {...form.getInputProps('padding')} />
          <NumberInput
            label={t('settings.nextNumber')}
            description={t('settings.nextHelp')}
            min={series?.next_number ?? 1}
            allowDecimal={false}
            {...form.getInputProps('next_number')}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {t('common.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function PortalBranding({ settings, manage }: { settings: Settings; manage: boolean }) {
  const { t } = useTranslation();
  const { me } = useSession();
  const qc = useQueryClient();
  const slug = me?.tenant.slug ?? '';
  const form = useForm({
    initialValues: { portal_display_name: settings.portal_display_name, accent_color: settings.accent_color },
    validate: { accent_color: (v) => (/^#[0-9a-fA-F]{6}$/.test(v) ? null : t('settings.colorRule')) },
  });
  const save = useSaveSettings();
  const [logoVersion, setLogoVersion] = useState(0);
  const upload = useMutation({
    mutationFn: (file: File) => putBinary('/api/v1/settings/logo', file),
    onSuccess: () => {
      showSaved(t('settings.logoSaved'));
      setLogoVersion((v) => v + 1);
      qc.invalidateQueries({ queryKey: ['settings'] });
    },
    onError: (e) => showError(e),
  });
  const removeLogo = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/settings/logo')),
    onSuccess: () => {
      showSaved();
      qc.invalidateQueries({ queryKey: ['settings'] });
    },
    onError: (e) => showError(e),
  });
  return (
    <Paper withBorder p="lg" maw={720}>
      <form onSubmit={form.onSubmit((v) => save.mutate(v, { onError: (e) => showError(e, form) }))} noValidate>
        <fieldset disabled={!manage} style={{ border: 0, padding: 0, margin: 0 }}>
          <Stack>
            <TextInput
              label={t('settings.displayName')}
              description={t('settings.displayNameHelp')}
              placeholder={settings.name}
              {...form.getInputProps('portal_display_name')}
            />
            <ColorInput label={t('settings.accent')} format="hex" swatches={['#1c5fd4', '#0b7285', '#2b8a3e', '#c92a2a', '#5f3dc4', '#e8590c', '#212529']} {...form.getInputProps('accent_color')} />
            <div>
              <Text size="sm" fw={500} mb={4}>
                {t('settings.logo')}
              </Text>
              <Group>
                {settings.has_logo ? (
                  <Image src={`/api/v1/portal/${slug}/logo?v=${logoVersion}-${settings.has_logo}`} alt={t('settings.logoAlt')} h={56} w="auto" fit="contain" />
                ) : (
                  <Text size="sm" c="dimmed">
                    {t('settings.noLogo')}
                  </Text>
                )}
                {manage && (
                  <>
                    <FileButton onChange={(f) => f && upload.mutate(f)} accept="image/png,image/jpeg,image/webp">
                      {(props) => (
                        <Button variant="default" loading={upload.isPending} {...props}>
                          {t('settings.uploadLogo')}
                        </Button>
                      )}
                    </FileButton>
                    {settings.has_logo && (
                      <Button variant="subtle" color="red" onClick={() => removeLogo.mutate()} loading={removeLogo.isPending}>
                        {t('settings.removeLogo')}
                      </Button>
                    )}
                  </>
                )}
              </Group>
              <Text size="xs" c="dimmed" mt={4}>
                {t('settings.logoHelp')}
              </Text>
            </div>
            <Group justify="space-between">
              <Anchor component={Link} to={`/portal/${slug}`} target="_blank">
                {t('settings.openPortal')}
              </Anchor>
              {manage && (
                <Button type="submit" loading={save.isPending}>
                  {t('common.save')}
                </Button>
              )}
            </Group>
          </Stack>
        </fieldset>
      </form>
      <Title order={3} fz="h6" mt="lg" c="dimmed">
        {t('settings.portalAddress')}: {`${location.origin}/portal/${slug}`}
      </Title>
    </Paper>
  );
}
