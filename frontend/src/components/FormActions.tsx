import { Button, Group } from '@mantine/core';
import { useTranslation } from 'react-i18next';

/** FormActions is the Cancel / Save row at the foot of a dialog's form. */
export function FormActions({ onCancel, saving, label }: { onCancel: () => void; saving: boolean; label?: string }) {
  const { t } = useTranslation();
  return (
    <Group justify="flex-end">
      <Button variant="default" onClick={onCancel}>
        {t('common.cancel')}
      </Button>
      <Button type="submit" loading={saving}>
        {label ?? t('common.save')}
      </Button>
    </Group>
  );
}
