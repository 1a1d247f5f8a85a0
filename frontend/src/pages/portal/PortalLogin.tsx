import { Alert, Button, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation } from '@tanstack/react-query';
import { useNavigate, useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { ApiError, isApiError } from '../../api/problem';
import { useSession } from '../../auth/session';
import type { Me } from '../../api/types';
import { usePortal } from './PortalLayout';

// The portal's customer accounts arrive with the customer portal module;
// until the server offers the sign-in route it answers 404 and this page
// says so instead of failing silently.
async function portalLogin(slug: string, body: { email: string; password: string }): Promise<Me> {
  const res = await fetch(`/api/v1/portal/${encodeURIComponent(slug)}/login`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw ApiError.from(res.status, data);
  return data as Me;
}

export function PortalLogin() {
  const { t } = useTranslation();
  const b = usePortal();
  const { slug = '' } = useParams();
  const { signedIn } = useSession();
  const navigate = useNavigate();
  const form = useForm({
    initialValues: { email: '', password: '' },
    validate: {
      email: (v) => (/^\S+@\S+$/.test(v) ? null : t('validation.email')),
      password: (v) => (v ? null : t('validation.required')),
    },
  });
  const login = useMutation({
    mutationFn: (v: typeof form.values) => portalLogin(slug, v),
    onSuccess: (me) => {
      signedIn(me);
      navigate(`/portal/${slug}/home`);
    },
  });
  return (
    <Paper withBorder shadow="sm" p="xl" maw={440} mx="auto">
      <Title order={1} fz="h3" mb={4}>
        {t('portal.loginTitle', { name: b.display_name })}
      </Title>
      <Text c="dimmed" size="sm" mb="lg">
        {t('portal.loginIntro')}
      </Text>
      {login.isError && (
        <Alert color={isApiError(login.error, 404) ? 'yellow' : 'red'} mb="md" role="alert">
          {isApiError(login.error, 404) ? t('portal.notOpen') : login.error.message}
        </Alert>
      )}
      <form onSubmit={form.onSubmit((v) => login.mutate(v))} noValidate>
        <Stack>
          <TextInput label={t('auth.email')} type="email" autoComplete="username" required {...form.getInputProps('email')} />
          <PasswordInput label={t('auth.password')} autoComplete="current-password" required {...form.getInputProps('password')} />
          <Button type="submit" color={b.accent_color} autoContrast loading={login.isPending}>
            {t('auth.login')}
          </Button>
        </Stack>
      </form>
    </Paper>
  );
}
