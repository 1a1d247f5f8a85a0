import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { useSession } from '../auth/session';

// Shared reads, keyed so that mutations can invalidate them by prefix.

export function useRoles() {
  const { can } = useSession();
  return useQuery({
    queryKey: ['roles'],
    queryFn: () => unwrap(api.GET('/api/v1/roles')),
    enabled: can('roles:read') || can('users:read'),
  });
}

export function useUsers() {
  const { can } = useSession();
  return useQuery({
    queryKey: ['users'],
    queryFn: () => unwrap(api.GET('/api/v1/users', { params: { query: { limit: 100 } } })),
    enabled: can('users:read'),
  });
}

export function useInvites() {
  const { can } = useSession();
  return useQuery({
    queryKey: ['invites'],
    queryFn: () => unwrap(api.GET('/api/v1/invites', { params: { query: { limit: 100 } } })),
    enabled: can('users:read'),
  });
}

export function useBilling() {
  const { can } = useSession();
  return useQuery({ queryKey: ['billing'], queryFn: () => unwrap(api.GET('/api/v1/billing')), enabled: can('billing:read') });
}

/** roleLabel names a role key ("sales", "custom:<id>") for people. */
export function roleLabel(key: string, roles: { key: string; name: string }[] | undefined): string {
  return roles?.find((r) => r.key === key)?.name ?? key;
}
