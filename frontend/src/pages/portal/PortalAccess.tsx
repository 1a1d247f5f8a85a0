import { Badge, Button, Group } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import type { PortalUser } from '../../api/types';
import { showError, showSaved } from '../../components/forms';

const statusColor: Record<PortalUser['status'], string> = { invited: 'yellow', active: 'green', disabled: 'gray' };

/** usePortalUsers loads an account's portal access, by contact id, for the staff contacts list. */
export function usePortalUsers(accountId: string, enabled: boolean) {
  const q = useQuery({
    queryKey: ['portal-users', accountId],
    queryFn: () => unwrap(api.GET('/api/v1/portal-users', { params: { query: { account_id: accountId, limit: 100 } } })),
    enabled,
  });
  return new Map((q.data?.items ?? []).map((u) => [u.contact_id, u]));
}

/** PortalAccess shows a contact's portal status and lets staff invite (or re-invite) and disable it. */
export function PortalAccess({ contactId, email, access, write }: { contactId: string; email: string; access?: PortalUser; write: boolean }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const done = (msg: string) => {
    showSaved(msg);
    qc.invalidateQueries({ queryKey: ['portal-users'] });
  };
  const invite = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/contacts/{id}/portal-invite', { params: { path: { id: contactId } } })),
    onSuccess: () => done(t('portal.invited')),
    onError: (e) => showError(e),
  });
  const disable = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/contacts/{id}/portal-disable', { params: { path: { id: contactId } } })),
    onSuccess: () => done(t('portal.disabledToast')),
    onError: (e) => showError(e),
  });
  return (
    <Group gap={6} wrap="nowrap">
      {access && (
        <Badge size="sm" variant="light" color={statusColor[access.status]} data-testid="portal-status">
          {t(`portal.statuses.${access.status}`)}
        </Badge>
      )}
      {write && email && access?.status !== 'active' && (
        <Button size="compact-xs" variant="light" loading={invite.isPending} onClick={() => invite.mutate()}>
          {access?.status === 'invited' ? t('portal.reinvite') : t('portal.invite')}
        </Button>
      )}
      {write && access?.status === 'active' && (
        <Button size="compact-xs" variant="subtle" color="red" loading={disable.isPending} onClick={() => disable.mutate()}>
          {t('portal.disable')}
        </Button>
      )}
    </Group>
  );
}
