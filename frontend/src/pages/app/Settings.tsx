import { useState } from 'react';
import {
  Anchor,
  Button,
  ColorInput,
  FileButton,
  Group,
  Image,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Tabs,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { api, putBinary, unwrap } from '../../api/client';
import type { Settings } from '../../api/types';
import { meKey, useSession } from '../../auth/session';
import { PageHeader } from '../../components/PageHeader';
import { showError, showSaved } from '../../components/forms';

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
  return (
    <>
      <PageHeader title={t('settings.title')} description={t('settings.description')} />
      <Tabs defaultValue="company" keepMounted={false}>
        <Tabs.List mb="lg">
          <Tabs.Tab value="company">{t('settings.company')}</Tabs.Tab>
          <Tabs.Tab value="portal">{t('settings.portal')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="company">{settings.data && <CompanyForm settings={settings.data} manage={manage} />}</Tabs.Panel>
        <Tabs.Panel value="portal">{settings.data && <PortalBranding settings={settings.data} manage={manage} />}</Tabs.Panel>
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
