import type { ReactNode } from 'react';
import { Button, Center, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useSession } from '../auth/session';

/** RequirePerm shows a page only to holders of perm; the API enforces the same permission. */
export function RequirePerm({ perm, children }: { perm: string; children: ReactNode }) {
  const { t } = useTranslation();
  const { can } = useSession();
  if (can(perm)) return <>{children}</>;
  return (
    <Center mih="50vh">
      <Stack align="center">
        <Title order={1} fz="h2">
          {t('forbidden.title')}
        </Title>
        <Text c="dimmed">{t('forbidden.body')}</Text>
        <Button component={Link} to="/app">
          {t('forbidden.home')}
        </Button>
      </Stack>
    </Center>
  );
}
