import { Alert, Button, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation } from '@tanstack/react-query';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/problem';
import { useSession } from '../../auth/session';
import { showError } from '../../components/forms';
import { usePortal } from './PortalLayout';
import { portalAcceptInvite } from './portalApi';

/** PortalAcceptInvite lets an invited contact choose a password; they are then signed in. */
export function PortalAcceptInvite() {
  const { t } = useTranslation();
  const b = usePortal();
  const { slug = '' } = useParams();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const { signedIn } = useSession();
  const navigate = useNavigate();
  const form = useForm({
    initialValues: { password: '', confirm: '' },
    validate: {
      password: (v) => (v.length >= 12 ? null : t('portal.passwordRule')),
      confirm: (v, all) => (v === all.password ? null : t('portal.passwordsDiffer')),
    },
  });
  const accept = useMutation({
    mutationFn: (v: typeof form.values) => portalAcceptInvite(slug, { token, password: v.password }),
    onSuccess: (me) => {
      signedIn(me);
      navigate(`/portal/${slug}/home`, { replace: true });
    },
    onError: (e) => showError(e, form),
  });
  const badToken = isApiError(accept.error) && !!accept.error.fields.token;
  return (
    <Paper withBorder shadow="sm" p="xl" maw={440} mx="auto">
      <Title order={1} fz="h3" mb={4}>
        {t('portal.acceptTitle', { name: b.display_name })}
      </Title>
      <Text c="dimmed" size="sm" mb="lg">
        {t('portal.acceptIntro')}
      </Text>
      {(!token || badToken) && (
        <Alert color="red" mb="md" role="alert">
          {t('portal.badInvite')}
        </Alert>
      )}
      <form onSubmit={form.onSubmit((v) => accept.mutate(v))} noValidate>
        <Stack>
          <PasswordInput label={t('portal.newPassword')} autoComplete="new-password" required {...form.getInputProps('password')} />
          <PasswordInput label={t('portal.confirmPassword')} autoComplete="new-password" required {...form.getInputProps('confirm')} />
          <Button type="submit" color={b.accent_color} autoContrast loading={accept.isPending} disabled={!token}>
            {t('portal.acceptButton')}
          </Button>
        </Stack>
      </form>
    </Paper>
  );
}
