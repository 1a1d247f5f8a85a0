import { Alert, Badge, Button, Group, Paper, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { IconBrandStripe } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../../api/client';
import type { components } from '../../../api/schema.gen';
import { showError, showSaved } from '../../../components/forms';

type StripeState = components['schemas']['StripeConnectState'];
type BankDetails = components['schemas']['BankDetails'];

const stripeKey = ['settings', 'stripe'];
const statusColor: Record<StripeState['status'], string> = {
  unavailable: 'gray',
  not_connected: 'gray',
  onboarding: 'orange',
  enabled: 'green',
  disconnected: 'gray',
};

/** OnlinePayments is the settings tab for how customers pay: Stripe (online) and bank details (transfers). */
export function OnlinePayments({ manage }: { manage: boolean }) {
  return (
    <Stack maw={720}>
      <StripeCard manage={manage} />
      <BankForm manage={manage} />
    </Stack>
  );
}

function StripeCard({ manage }: { manage: boolean }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const state = useQuery({ queryKey: stripeKey, queryFn: () => unwrap(api.GET('/api/v1/settings/stripe')) });
  const connect = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/settings/stripe/connect')),
    onSuccess: (s) => {
      qc.invalidateQueries({ queryKey: stripeKey });
      // Stripe's onboarding collects the company's details, then returns here.
      if (s.status !== 'enabled' && s.url) window.location.assign(s.url);
    },
    onError: (e) => showError(e),
  });
  const disconnect = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/settings/stripe')),
    onSuccess: (s) => qc.setQueryData(stripeKey, s),
    onError: (e) => showError(e),
  });
  const s = state.data;
  return (
    <Paper withBorder p="lg" data-testid="stripe-connect">
      <Group justify="space-between" mb="xs">
        <Title order={2} fz="h4">
          {t('onlinePayments.stripeTitle')}
        </Title>
        {s && (
          <Badge color={statusColor[s.status]} variant="light" data-testid="stripe-connect-status">
            {t(`onlinePayments.statuses.${s.status}`)}
          </Badge>
        )}
      </Group>
      <Text size="sm" c="dimmed" mb="md">
        {t('onlinePayments.stripeHelp')}
      </Text>
      {s?.status === 'unavailable' && <Alert color="gray">{t('onlinePayments.unavailable')}</Alert>}
      {s && s.status !== 'unavailable' && (
        <Stack gap="sm" align="flex-start">
          {s.account_id && (
            <Text size="sm">
              {t('onlinePayments.account')}: <code>{s.account_id}</code>
            </Text>
          )}
          {s.status === 'onboarding' && <Text size="sm">{t('onlinePayments.onboardingHelp')}</Text>}
          {manage && (
            <Group>
              {s.status !== 'enabled' && (
                <Button leftSection={<IconBrandStripe size={18} />} loading={connect.isPending} onClick={() => connect.mutate()} data-testid="stripe-connect-button">
                  {s.status === 'not_connected' ? t('onlinePayments.connect') : s.status === 'onboarding' ? t('onlinePayments.continue') : t('onlinePayments.reconnect')}
                </Button>
              )}
              {(s.status === 'enabled' || s.status === 'onboarding') && (
                <Button variant="default" color="red" loading={disconnect.isPending} onClick={() => disconnect.mutate()}>
                  {t('onlinePayments.disconnect')}
                </Button>
              )}
            </Group>
          )}
        </Stack>
      )}
    </Paper>
  );
}

function BankForm({ manage }: { manage: boolean }) {
  const qc = useQueryClient();
  const bank = useQuery({ queryKey: ['settings', 'bank-details'], queryFn: () => unwrap(api.GET('/api/v1/settings/bank-details')) });
  if (!bank.data) return null;
  return <BankFormFields key={JSON.stringify(bank.data)} bank={bank.data} manage={manage} onSaved={(b) => qc.setQueryData(['settings', 'bank-details'], b)} />;
}

function BankFormFields({ bank, manage, onSaved }: { bank: BankDetails; manage: boolean; onSaved: (b: BankDetails) => void }) {
  const { t } = useTranslation();
  const form = useForm({ initialValues: bank });
  const save = useMutation({
    mutationFn: (body: BankDetails) => unwrap(api.PUT('/api/v1/settings/bank-details', { body })),
    onSuccess: (b) => {
      onSaved(b);
      showSaved();
    },
  });
  return (
    <Paper withBorder p="lg">
      <Title order={2} fz="h4" mb="xs">
        {t('onlinePayments.bankTitle')}
      </Title>
      <Text size="sm" c="dimmed" mb="md">
        {t('onlinePayments.bankHelp')}
      </Text>
      <form onSubmit={form.onSubmit((v) => save.mutate(v, { onError: (e) => showError(e, form) }))} noValidate>
        <fieldset disabled={!manage} style={{ border: 0, padding: 0, margin: 0 }}>
          <Stack>
            <TextInput label={t('onlinePayments.holder')} {...form.getInputProps('account_holder')} />
            <TextInput label={t('onlinePayments.iban')} {...form.getInputProps('iban')} />
            <Group grow>
              <TextInput label={t('onlinePayments.bic')} {...form.getInputProps('bic')} />
              <TextInput label={t('onlinePayments.bankName')} {...form.getInputProps('bank_name')} />
            </Group>
            <Textarea label={t('onlinePayments.instructions')} description={t('onlinePayments.instructionsHelp')} autosize minRows={2} {...form.getInputProps('instructions')} />
            {manage && (
              <Group>
                <Button type="submit" loading={save.isPending} data-testid="bank-details-save">
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
