import type { ReactNode } from 'react';
import { Box, Container, Group, Paper, Title } from '@mantine/core';
import { Brand } from './Brand';
import { LanguageSwitch } from './LanguageSwitch';

/** PublicShell frames the signed-out pages: brand, language, one card. */
export function PublicShell({ title, children, width = 440 }: { title: string; children: ReactNode; width?: number }) {
  return (
    <Box mih="100vh" bg="var(--mantine-color-gray-0)">
      <Group justify="space-between" px="lg" py="md">
        <Brand />
        <LanguageSwitch />
      </Group>
      <Container size={width} py="xl" component="main" id="main">
        <Paper withBorder shadow="sm" p="xl" radius="md">
          <Title order={1} fz="h2" mb="lg">
            {title}
          </Title>
          {children}
        </Paper>
      </Container>
    </Box>
  );
}
