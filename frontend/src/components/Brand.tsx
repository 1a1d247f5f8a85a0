import { Anchor, Group, Text } from '@mantine/core';
import { Link } from 'react-router';

export function Logo({ size = 28 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true">
      <rect width="32" height="32" rx="7" fill="#1c5fd4" />
      <path d="M9 23V9h3l8 9.5V9h3v14h-3l-8-9.5V23z" fill="#fff" />
    </svg>
  );
}

export function Brand() {
  return (
    <Anchor component={Link} to="/" underline="never" c="inherit" aria-label="Nexo">
      <Group gap={8} wrap="nowrap">
        <Logo />
        <Text fw={700} fz="lg" aria-hidden>
          Nexo
        </Text>
      </Group>
    </Anchor>
  );
}
