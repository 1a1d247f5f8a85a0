import { Button } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';

/**
 * ExportCsvButton downloads `<resource>.csv` with the list's current
 * filters (empty ones left out), so the file holds what the screen lists,
 * every page at once.
 */
export function ExportCsvButton({ path, filters }: { path: string; filters: Record<string, string> }) {
  const { t } = useTranslation();
  const query = new URLSearchParams(Object.entries(filters).filter(([, v]) => v)).toString();
  return (
    <Button component="a" href={query ? `${path}?${query}` : path} download variant="default" leftSection={<IconDownload size={18} />}>
      {t('common.exportCsv')}
    </Button>
  );
}
