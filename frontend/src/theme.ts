import { createTheme } from '@mantine/core';

// Blue 7+ on white and white on blue 7 both pass WCAG AA contrast, so the
// primary shade is pinned there instead of Mantine's lighter default.
export const theme = createTheme({
  primaryColor: 'blue',
  primaryShade: { light: 7, dark: 5 },
  focusRing: 'auto',
  defaultRadius: 'md',
  fontFamily: 'Inter, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  headings: { fontWeight: '650' },
});
