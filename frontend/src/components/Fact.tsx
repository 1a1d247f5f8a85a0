import { Stack, Text } from '@mantine/core';

/** Fact is one labelled value on a document page (a date, a total, a status). */
export function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      {children}
    </Stack>
  );
}
