import { useState } from 'react';
import { Alert, Badge, Button, Code, Group, Paper, PinInput, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { QRCodeSVG } from 'qrcode.react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { meKey, useSession } from '../../auth/session';
import { PageHeader } from '../../components/PageHeader';
import { showError, showSaved } from '../../components/forms';

export function Security() {
  const { t } = useTranslation();
  const { me } = useSession();
  const qc = useQueryClient();
  const [setup, setSetup] = useState<{ secret: string; otpauth_url: string } | null>(null);
  const [code, setCode] = useState('');
  const enabled = !!me?.user?.totp_enabled;
  const refresh = () => qc.invalidateQueries({ queryKey: meKey });

  const start = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/me/totp')),
    onSuccess: (s) => setSetup(s),
    onError: (e) => showError(e),
  });
  const confirm = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/me/totp/confirm', { body: { code } })),
    onSuccess: () => {
      showSaved(t('security.enabledToast'));
      setSetup(null);
      setCode('');
      refresh();
    },
    onError: (e) => showError(e),
  });
  const disable = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/me/totp/disable', { body: { code } })),
    onSuccess: () => {
      showSaved(t('security.disabledToast'));
      setCode('');
      refresh();
    },
    onError: (e) => showError(e),
  });

  return (
    <>
      <PageHeader title={t('security.title')} description={t('security.description')} />
      <Paper withBorder p="lg" maw={640}>
        <Group justify="space-between" mb="sm">
          <Title order={2} fz="h4">
            {t('security.totp')}
          </Title>
          <Badge color={enabled ? 'green' : 'gray'}>{enabled ? t('security.on') : t('security.off')}</Badge>
        </Group>
        {enabled ? (
          <Stack>
            <Text>{t('security.disableHelp')}</Text>
            <PinInput length={6} type="number" oneTimeCode value={code} onChange={setCode} aria-label={t('auth.totp')} />
            <Group>
              <Button color="red" variant="light" onClick={() => disable.mutate()} loading={disable.isPending} disabled={code.length !== 6}>
                {t('security.disable')}
              </Button>
            </Group>
          </Stack>
        ) : setup ? (
          <Stack>
            <Text>{t('security.scan')}</Text>
            <Group align="flex-start">
              <Paper p="sm" bg="white" withBorder role="img" aria-label={t('security.qrTitle')}>
                <QRCodeSVG value={setup.otpauth_url} size={180} aria-hidden />
              </Paper>
              <Stack gap={4}>
                <Text size="sm">{t('security.manual')}</Text>
                <Code data-testid="totp-secret">{setup.secret}</Code>
              </Stack>
            </Group>
            <Text>{t('security.enterCode')}</Text>
            <PinInput length={6} type="number" oneTimeCode value={code} onChange={setCode} aria-label={t('auth.totp')} />
            <Group>
              <Button onClick={() => confirm.mutate()} loading={confirm.isPending} disabled={code.length !== 6}>
                {t('security.confirm')}
              </Button>
              <Button variant="default" onClick={() => setSetup(null)}>
                {t('common.cancel')}
              </Button>
            </Group>
          </Stack>
        ) : (
          <Stack>
            <Text>{t('security.intro')}</Text>
            {me?.roles.some((r) => ['owner', 'admin', 'finance'].includes(r)) && (
              <Alert color="blue" variant="light">
                {t('security.recommended')}
              </Alert>
            )}
            <Group>
              <Button onClick={() => start.mutate()} loading={start.isPending}>
                {t('security.setUp')}
              </Button>
            </Group>
          </Stack>
        )}
      </Paper>
    </>
  );
}
