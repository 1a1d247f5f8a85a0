import { Alert, Anchor, Button, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { PublicShell } from '../../components/PublicShell';
import { showError } from '../../components/forms';

export function ForgotPassword() {
  const { t } = useTranslation();
  const form = useForm({
    initialValues: { email: '' },
    validate: { email: (v) => (/^\S+@\S+$/.test(v) ? null : t('validation.email')) },
  });
  const req = useMutation({
    mutationFn: (v: typeof form.values) => unwrap(api.POST('/api/v1/auth/password-reset', { body: v })),
    onError: (e) => showError(e, form),
  });
  return (
    <PublicShell title={t('auth.forgotTitle')}>
      {req.isSuccess ? (
        <Alert color="green" title={t('auth.checkEmail')}>
          {t('auth.resetSent')}
        </Alert>
      ) : (
        <form onSubmit={form.onSubmit((v) => req.mutate(v))} noValidate>
          <Stack>
            <TextInput label={t('auth.email')} type="email" autoComplete="email" required {...form.getInputProps('email')} />
            <Button type="submit" loading={req.isPending}>
              {t('auth.sendReset')}
            </Button>
          </Stack>
        </form>
      )}
      <Anchor component={Link} to="/login" size="sm" mt="md" display="block">
        {t('auth.backToLogin')}
      </Anchor>
    </PublicShell>
  );
}
