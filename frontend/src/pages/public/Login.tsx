import { useState } from 'react';
import { Anchor, Button, Group, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation } from '@tanstack/react-query';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { isApiError } from '../../api/problem';
import { useSession } from '../../auth/session';
import { PublicShell } from '../../components/PublicShell';
import { showError } from '../../components/forms';

/** safeNext keeps post-login redirects inside the staff app. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/app') && !next.startsWith('//') ? next : '/app';
}

export function Login() {
  const { t } = useTranslation();
  const { signedIn } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  // The tenant and TOTP inputs appear only when the API asks for them: an
  // email in several companies, or an account with TOTP on.
  const [needTenant, setNeedTenant] = useState(false);
  const [needTOTP, setNeedTOTP] = useState(false);
  const form = useForm({
    initialValues: { email: '', password: '', tenant: params.get('tenant') ?? '', totp: '' },
    validate: {
      email: (v) => (/^\S+@\S+$/.test(v) ? null : t('validation.email')),
      password: (v) => (v ? null : t('validation.required')),
    },
  });
  const login = useMutation({
    mutationFn: (v: typeof form.values) =>
      unwrap(
        api.POST('/api/v1/auth/login', {
          body: { email: v.email, password: v.password, ...(v.tenant ? { tenant: v.tenant } : {}), ...(v.totp ? { totp: v.totp } : {}) },
        }),
      ),
    onSuccess: (me) => {
      signedIn(me);
      navigate(safeNext(params.get('next')), { replace: true });
    },
    onError: (e) => {
      if (isApiError(e)) {
        if (e.fields.tenant) setNeedTenant(true);
        if (e.fields.totp) setNeedTOTP(true);
      }
      showError(e, form);
    },
  });
  return (
    <PublicShell title={t('auth.loginTitle')}>
      <form onSubmit={form.onSubmit((v) => login.mutate(v))} noValidate>
        <Stack>
          <TextInput label={t('auth.email')} type="email" autoComplete="username" required {...form.getInputProps('email')} />
          <PasswordInput label={t('auth.password')} autoComplete="current-password" required {...form.getInputProps('password')} />
          {needTenant && (
            <TextInput label={t('auth.company')} description={t('auth.companyHelp')} {...form.getInputProps('tenant')} />
          )}
          {needTOTP && (
            <TextInput
              label={t('auth.totp')}
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={6}
              {...form.getInputProps('totp')}
            />
          )}
          <Group justify="flex-end">
            <Anchor component={Link} to="/forgot-password" size="sm">
              {t('auth.forgot')}
            </Anchor>
          </Group>
          <Button type="submit" loading={login.isPending} fullWidth>
            {t('auth.login')}
          </Button>
          <Text size="sm" ta="center">
            {t('auth.noAccount')}{' '}
            <Anchor component={Link} to="/signup">
              {t('landing.cta')}
            </Anchor>
          </Text>
        </Stack>
      </form>
    </PublicShell>
  );
}
