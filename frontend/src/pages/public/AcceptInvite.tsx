import { Alert, Button, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation } from '@tanstack/react-query';
import { useNavigate, useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { useSession } from '../../auth/session';
import { PublicShell } from '../../components/PublicShell';
import { showError } from '../../components/forms';

export function AcceptInvite() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const { signedIn } = useSession();
  const tenant = params.get('tenant') ?? '';
  const token = params.get('token') ?? '';
  const form = useForm({
    initialValues: { name: '', password: '' },
    validate: { password: (v) => (v.length >= 12 ? null : t('validation.passwordLength')) },
  });
  const accept = useMutation({
    mutationFn: (v: typeof form.values) =>
      unwrap(api.POST('/api/v1/auth/accept-invite', { body: { tenant, token, password: v.password, ...(v.name ? { name: v.name } : {}) } })),
    onSuccess: (me) => {
      signedIn(me);
      navigate('/app', { replace: true });
    },
    onError: (e) => showError(e, form),
  });
  return (
    <PublicShell title={t('invite.acceptTitle')}>
      {!token ? (
        <Alert color="red">{t('auth.badLink')}</Alert>
      ) : (
        <form onSubmit={form.onSubmit((v) => accept.mutate(v))} noValidate>
          <Stack>
            <Text c="dimmed">{t('invite.acceptIntro', { tenant })}</Text>
            <TextInput label={t('invite.yourName')} description={t('invite.nameHelp')} autoComplete="name" {...form.getInputProps('name')} />
            <PasswordInput label={t('auth.choosePassword')} autoComplete="new-password" required {...form.getInputProps('password')} />
            <Button type="submit" loading={accept.isPending}>
              {t('invite.accept')}
            </Button>
          </Stack>
        </form>
      )}
    </PublicShell>
  );
}
