import { Button } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';

/**
 * ExportCsvButton downloads `<resource>.csv` with the list's current
 * filters (empty ones left out), so the file holds what the screen lists,
 * every page at once. label replaces "Export CSV" where a page exports
 * more than one list.
 */
export function ExportCsvButton({ path, filters, label, size }: { path: string; filters: Record<string, string>; label?: string; size?: string }) {
  const { t } = useTranslation();
  const query = new URLSearchParams(Object.entries(filters).filter(([, v]) => v)).toString();
  return (
    <Button component="a" href={query ? `${path}?${query}` : path} download variant="default" size={size} leftSection={<IconDownload size={18} />}>
      {label ?? t('common.exportCsv')}
    </Button>
  );
}
