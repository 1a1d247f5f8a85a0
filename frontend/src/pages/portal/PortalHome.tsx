import { Button, Card, Stack, Text, Title } from '@mantine/core';
import { Navigate, useNavigate, useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../auth/session';
import { usePortal } from './PortalLayout';

/** PortalHome is a signed-in customer's start page; orders, invoices and returns join it with the portal module. */
export function PortalHome() {
  const { t } = useTranslation();
  const b = usePortal();
  const { slug = '' } = useParams();
  const { me, loading, signOut } = useSession();
  const navigate = useNavigate();
  if (loading) return null;
  if (!me || me.kind !== 'customer' || me.tenant.slug !== slug) return <Navigate to={`/portal/${slug}`} replace />;
  return (
    <Stack>
      <Title order={1} fz="h2">
        {t('portal.welcome', { name: me.user?.name ?? '' })}
      </Title>
      <Card withBorder padding="lg">
        <Text>{t('portal.empty', { name: b.display_name })}</Text>
      </Card>
      <Button
        variant="default"
        onClick={async () => {
          await signOut();
          navigate(`/portal/${slug}`);
        }}
      >
        {t('auth.logout')}
      </Button>
    </Stack>
  );
}
