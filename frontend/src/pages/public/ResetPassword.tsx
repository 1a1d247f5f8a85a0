import { Alert, Button, PasswordInput, Stack } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { PublicShell } from '../../components/PublicShell';
import { showError } from '../../components/forms';

export function ResetPassword() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const tenant = params.get('tenant') ?? '';
  const token = params.get('token') ?? '';
  const form = useForm({
    initialValues: { password: '', confirm: '' },
    validate: {
      password: (v) => (v.length >= 12 ? null : t('validation.passwordLength')),
      confirm: (v, all) => (v === all.password ? null : t('validation.passwordsDiffer')),
    },
  });
  const reset = useMutation({
    mutationFn: (v: typeof form.values) =>
      unwrap(api.POST('/api/v1/auth/password-reset/confirm', { body: { tenant, token, password: v.password } })),
    onError: (e) => showError(e, form),
  });
  return (
    <PublicShell title={t('auth.resetTitle')}>
      {!token ? (
        <Alert color="red">{t('auth.badLink')}</Alert>
      ) : reset.isSuccess ? (
        <Stack>
          <Alert color="green">{t('auth.resetDone')}</Alert>
          <Button component={Link} to={`/login?tenant=${encodeURIComponent(tenant)}`}>
            {t('auth.login')}
          </Button>
        </Stack>
      ) : (
        <form onSubmit={form.onSubmit((v) => reset.mutate(v))} noValidate>
          <Stack>
            <PasswordInput label={t('auth.newPassword')} autoComplete="new-password" required {...form.getInputProps('password')} />
            <PasswordInput label={t('auth.confirmPassword')} autoComplete="new-password" required {...form.getInputProps('confirm')} />
            <Button type="submit" loading={reset.isPending}>
              {t('auth.setPassword')}
            </Button>
          </Stack>
        </form>
      )}
    </PublicShell>
  );
}
