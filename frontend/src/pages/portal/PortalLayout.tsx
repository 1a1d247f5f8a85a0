import { Box, Button, Center, Container, Group, Image, Loader, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Link, Outlet, useLocation, useOutletContext, useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { isApiError } from '../../api/problem';
import type { PortalBranding } from '../../api/types';
import { customerOf, useSession } from '../../auth/session';
import { LanguageSwitch } from '../../components/LanguageSwitch';
import { setLanguage } from '../../i18n';

/** usePortal gives portal pages the tenant's public branding. */
export function usePortal() {
  return useOutletContext<PortalBranding>();
}

/** PortalLayout frames the customer portal in the tenant's branding (name, logo, accent colour). */
export function PortalLayout() {
  const { t, i18n } = useTranslation();
  const { slug = '' } = useParams();
  const branding = useQuery({
    queryKey: ['portal', slug],
    queryFn: () => unwrap(api.GET('/api/v1/portal/{slug}', { params: { path: { slug } } })),
  });
  // A customer who chose a language (here or on another device) gets the
  // portal in it once signed in; their emails use the same choice.
  const saved = customerOf(useSession().me)?.customer.locale;
  useEffect(() => {
    if ((saved === 'en' || saved === 'es') && !i18n.language.startsWith(saved)) setLanguage(saved);
  }, [saved, i18n]);
  if (branding.isPending) {
    return (
      <Center h="100vh">
        <Loader aria-label={t('common.loading')} />
      </Center>
    );
  }
  if (branding.isError || !branding.data) {
    return (
      <Center h="100vh">
        <Stack align="center">
          <Title order={1} fz="h2">
            {isApiError(branding.error, 404) ? t('portal.unknown') : t('common.networkError')}
          </Title>
        </Stack>
      </Center>
    );
  }
  const b = branding.data;
  return (
    <Box mih="100vh" bg="var(--mantine-color-gray-0)">
      <Box component="header" style={{ borderTop: `4px solid ${b.accent_color}` }} bg="white" px="lg" py="sm">
        <Group justify="space-between">
          <Group gap="sm" data-testid="portal-brand">
            {b.logo_url && <Image src={b.logo_url} alt={b.display_name} h={36} w="auto" fit="contain" />}
            <Text fw={700} fz="lg">
              {b.display_name}
            </Text>
          </Group>
          <LanguageSwitch />
        </Group>
      </Box>
      <PortalNav slug={slug} accent={b.accent_color} />
      <Container size="sm" py="xl" component="main" id="main">
        <Outlet context={b} />
      </Container>
      <Text ta="center" size="xs" c="dimmed" pb="md">
        {t('portal.poweredBy')}
      </Text>
    </Box>
  );
}

/** PortalNav is the signed-in customer's sections; nobody else sees it. */
function PortalNav({ slug, accent }: { slug: string; accent: string }) {
  const { t } = useTranslation();
  const { me } = useSession();
  const { pathname } = useLocation();
  const customer = customerOf(me);
  if (!customer || customer.tenant.slug !== slug) return null;
  const items = [
    { to: `/portal/${slug}/home`, label: t('portal.nav.orders'), active: /\/(home|orders)(\/|$)/.test(pathname) },
    { to: `/portal/${slug}/quotes`, label: t('portal.nav.quotes'), active: pathname.includes(`/portal/${slug}/quotes`) },
    { to: `/portal/${slug}/invoices`, label: t('portal.nav.invoices'), active: /\/(invoices|credit-notes)(\/|$)/.test(pathname) },
    { to: `/portal/${slug}/returns`, label: t('portal.nav.returns'), active: pathname.includes(`/portal/${slug}/returns`) },
    { to: `/portal/${slug}/tickets`, label: t('portal.nav.tickets'), active: pathname.includes(`/portal/${slug}/tickets`) },
    { to: `/portal/${slug}/preferences`, label: t('portal.nav.preferences'), active: pathname.includes(`/portal/${slug}/preferences`) },
  ];
  return (
    <Box component="nav" aria-label={t('portal.nav.label')} bg="white" px="lg" pb="xs">
      <Group gap="xs">
        {items.map((i) => (
          <Button
            key={i.to}
            component={Link}
            to={i.to}
            size="compact-md"
            variant={i.active ? 'light' : 'subtle'}
            color={accent}
            aria-current={i.active ? 'page' : undefined}
          >
            {i.label}
          </Button>
        ))}
      </Group>
    </Box>
  );
}
