import { Alert, Anchor, Button, Card, FileButton, Group, Image, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { IconCamera } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { sendBinary } from '../../api/client';
import { isApiError } from '../../api/problem';
import type { components } from '../../api/schema.gen';

type CustomerReturn = components['schemas']['CustomerReturn'];

/** ReturnPhotos shows a return's photos and, while it is requested, lets the customer add some (up to five). */
export function ReturnPhotos({ ret, canAdd, queryKey }: { ret: Pick<CustomerReturn, 'id' | 'status' | 'photos'>; canAdd: boolean; queryKey: unknown[] }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const photos = ret.photos ?? [];
  const upload = useMutation({
    mutationFn: (file: File) => sendBinary('POST', `/api/v1/returns/${ret.id}/photos`, file),
    onSuccess: () => qc.invalidateQueries({ queryKey }),
  });
  const open = canAdd && ret.status === 'requested' && photos.length < 5;
  if (photos.length === 0 && !open) return null;
  return (
    <Card withBorder padding="lg">
      <Group justify="space-between" mb="sm">
        <Title order={2} fz="h4">
          {t('returns.photos')}
        </Title>
        {open && (
          <FileButton onChange={(f) => f && upload.mutate(f)} accept="image/png,image/jpeg,image/webp">
            {(props) => (
              <Button {...props} variant="light" leftSection={<IconCamera size={18} />} loading={upload.isPending} data-testid="return-photo-add">
                {t('returns.addPhoto')}
              </Button>
            )}
          </FileButton>
        )}
      </Group>
      {upload.error != null && (
        <Alert color="red" mb="sm" role="alert">
          {isApiError(upload.error) ? upload.error.message : t('common.networkError')}
        </Alert>
      )}
      {open && (
        <Text size="xs" c="dimmed" mb="sm">
          {t('returns.photoHelp')}
        </Text>
      )}
      <Group gap="sm" data-testid="return-photos">
        {photos.map((p) => (
          <Anchor key={p.id} href={p.url} target="_blank" rel="noopener">
            <Image src={p.url} alt={t('returns.photo')} h={96} w={96} fit="cover" radius="sm" />
          </Anchor>
        ))}
      </Group>
    </Card>
  );
}
