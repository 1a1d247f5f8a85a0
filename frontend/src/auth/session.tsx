import { createContext, useCallback, useContext, useMemo, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, setCsrfToken, unwrap } from '../api/client';
import { isApiError } from '../api/problem';
import type { CustomerMe, Me } from '../api/types';

interface Session {
  me: Me | null;
  loading: boolean;
  /** can reports whether the signed-in user holds a permission. The server
   * stays the authority: this only decides what the UI shows. */
  can: (perm: string) => boolean;
  /** signedIn stores the caller returned by login or signup. */
  signedIn: (me: Me) => void;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export const meKey = ['me'] as const;

async function fetchMe(): Promise<Me | null> {
  try {
    // A portal customer's /me is a CustomerMe (see customerOf); the staff
    // app only admits kind "user" (RequireStaff), so the union stays here.
    const me = (await unwrap(api.GET('/api/v1/me'))) as Me;
    setCsrfToken(me.csrf_token);
    return me;
  } catch (e) {
    if (isApiError(e, 401)) return null;
    throw e;
  }
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: meKey, queryFn: fetchMe, staleTime: 60_000, retry: false });
  const me = q.data ?? null;

  const signedIn = useCallback(
    (m: Me) => {
      setCsrfToken(m.csrf_token);
      // Another user's cached reads must not leak into this session; the
      // "me" query stays (observed by this provider) and gets the new caller.
      qc.removeQueries({ predicate: (q) => q.queryKey[0] !== meKey[0] });
      qc.setQueryData(meKey, m);
    },
    [qc],
  );

  const signOut = useCallback(async () => {
    try {
      await unwrap(api.POST('/api/v1/auth/logout'));
    } finally {
      setCsrfToken('');
      qc.setQueryData(meKey, null);
      qc.removeQueries({ predicate: (q) => q.queryKey[0] !== meKey[0] });
    }
  }, [qc]);

  const value = useMemo<Session>(() => {
    const perms = new Set(me?.permissions ?? []);
    return { me, loading: q.isPending, can: (p) => perms.has(p), signedIn, signOut };
  }, [me, q.isPending, signedIn, signOut]);

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** customerOf returns the signed-in portal customer, or null for staff, API keys and nobody. */
export function customerOf(me: Me | CustomerMe | null): CustomerMe | null {
  return me && me.kind === 'customer' && 'account' in me ? (me as CustomerMe) : null;
}
