import { useState } from 'react';
import { Alert, Anchor, Button, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation } from '@tanstack/react-query';
import { useNavigate, useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/problem';
import { useSession } from '../../auth/session';
import { usePortal } from './PortalLayout';
import { portalLogin, portalMagicLink } from './portalApi';

/** PortalLogin signs a customer in with a password, or emails them a one-time link. */
export function PortalLogin() {
  const { t } = useTranslation();
  const b = usePortal();
  const { slug = '' } = useParams();
  const { signedIn } = useSession();
  const navigate = useNavigate();
  const [mode, setMode] = useState<'password' | 'link'>('password');
  const form = useForm({
    initialValues: { email: '', password: '' },
    validate: {
      email: (v) => (/^\S+@\S+$/.test(v) ? null : t('validation.email')),
      password: (v) => (mode === 'link' || v ? null : t('validation.required')),
    },
  });
  const login = useMutation({
    mutationFn: (v: typeof form.values) => portalLogin(slug, v),
    onSuccess: (me) => {
      signedIn(me);
      navigate(`/portal/${slug}/home`);
    },
  });
  const link = useMutation({ mutationFn: (email: string) => portalMagicLink(slug, email) });
  const error = login.error ?? link.error;
  return (
    <Paper withBorder shadow="sm" p="xl" maw={440} mx="auto">
      <Title order={1} fz="h3" mb={4}>
        {t('portal.loginTitle', { name: b.display_name })}
      </Title>
      <Text c="dimmed" size="sm" mb="lg">
        {t('portal.loginIntro')}
      </Text>
      {error && (
        <Alert color="red" mb="md" role="alert">
          {isApiError(error, 401) ? t('portal.badLogin') : isApiError(error) ? error.message : t('common.networkError')}
        </Alert>
      )}
      {link.isSuccess && (
        <Alert color="green" mb="md" role="status">
          {t('portal.linkSent')}
        </Alert>
      )}
      <form onSubmit={form.onSubmit((v) => (mode === 'password' ? login.mutate(v) : link.mutate(v.email)))} noValidate>
        <Stack>
          <TextInput label={t('auth.email')} type="email" autoComplete="username" required {...form.getInputProps('email')} />
          {mode === 'password' && (
            <PasswordInput label={t('auth.password')} autoComplete="current-password" required {...form.getInputProps('password')} />
          )}
          <Button type="submit" color={b.accent_color} autoContrast loading={login.isPending || link.isPending}>
            {mode === 'password' ? t('auth.login') : t('portal.sendLink')}
          </Button>
          <Anchor
            component="button"
            type="button"
            size="sm"
            onClick={() => {
              setMode(mode === 'password' ? 'link' : 'password');
              login.reset();
              link.reset();
            }}
          >
            {mode === 'password' ? t('portal.useLink') : t('portal.usePassword')}
          </Anchor>
        </Stack>
      </form>
    </Paper>
  );
}
