import { useEffect, useRef } from 'react';
import { Alert, Anchor, Center, Loader, Paper } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../auth/session';
import { portalMagicConfirm } from './portalApi';

/** PortalMagicLink spends a one-time login link's token and signs the customer in. */
export function PortalMagicLink() {
  const { t } = useTranslation();
  const { slug = '' } = useParams();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const { signedIn } = useSession();
  const navigate = useNavigate();
  const confirm = useMutation({
    mutationFn: () => portalMagicConfirm(slug, token),
    onSuccess: (me) => {
      signedIn(me);
      navigate(`/portal/${slug}/home`, { replace: true });
    },
  });
  // The token works once: spend it once even when React mounts twice.
  const sent = useRef(false);
  useEffect(() => {
    if (!sent.current && token) {
      sent.current = true;
      confirm.mutate();
    }
  }, [token, confirm]);
  if (token && !confirm.isError) {
    return (
      <Center py="xl">
        <Loader aria-label={t('portal.loading')} />
      </Center>
    );
  }
  return (
    <Paper withBorder p="xl" maw={440} mx="auto">
      <Alert color="red" role="alert" mb="md">
        {t('portal.badLink')}
      </Alert>
      <Anchor component={Link} to={`/portal/${slug}`}>
        {t('portal.backToLogin')}
      </Anchor>
    </Paper>
  );
}
