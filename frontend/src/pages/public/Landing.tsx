import { Badge, Box, Button, Card, Container, Group, SimpleGrid, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { IconBuildingFactory2, IconLock, IconTruckDelivery, IconUsersGroup } from '@tabler/icons-react';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { Brand } from '../../components/Brand';
import { LanguageSwitch } from '../../components/LanguageSwitch';
import { useSession } from '../../auth/session';

const features = [
  { key: 'crm', icon: IconUsersGroup },
  { key: 'erp', icon: IconBuildingFactory2 },
  { key: 'portal', icon: IconTruckDelivery },
  { key: 'safe', icon: IconLock },
] as const;

export function Landing() {
  const { t } = useTranslation();
  const { me } = useSession();
  return (
    <Box>
      <Group justify="space-between" px="lg" py="md" component="header">
        <Brand />
        <Group gap="sm">
          <LanguageSwitch />
          {me ? (
            <Button component={Link} to="/app">
              {t('landing.openApp')}
            </Button>
          ) : (
            <>
              <Button variant="subtle" component={Link} to="/login">
                {t('auth.login')}
              </Button>
              <Button component={Link} to="/signup">
                {t('landing.cta')}
              </Button>
            </>
          )}
        </Group>
      </Group>
      <Container size="lg" py={64} component="main" id="main">
        <Stack align="center" gap="lg" ta="center">
          <Badge variant="light" size="lg">
            {t('landing.badge')}
          </Badge>
          <Title order={1} fz={{ base: 34, sm: 48 }} maw={820}>
            {t('landing.title')}
          </Title>
          <Text size="xl" c="dimmed" maw={680}>
            {t('landing.subtitle')}
          </Text>
          <Group>
            <Button size="lg" component={Link} to="/signup">
              {t('landing.cta')}
            </Button>
            <Button size="lg" variant="default" component={Link} to="/login">
              {t('auth.login')}
            </Button>
          </Group>
          <Text size="sm" c="dimmed">
            {t('landing.trialNote')}
          </Text>
        </Stack>
        <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }} mt={64}>
          {features.map(({ key, icon: Icon }) => (
            <Card key={key} withBorder padding="lg">
              <ThemeIcon size="xl" variant="light" mb="md" aria-hidden>
                <Icon size={26} />
              </ThemeIcon>
              <Title order={2} fz="h4" mb={6}>
                {t(`landing.features.${key}.title`)}
              </Title>
              <Text size="sm" c="dimmed">
                {t(`landing.features.${key}.body`)}
              </Text>
            </Card>
          ))}
        </SimpleGrid>
      </Container>
    </Box>
  );
}
