import { useInfiniteQuery } from '@tanstack/react-query';

/** A page of a cursor-paged list, as every /api/v1 list answers. */
export interface Page<T> {
  items: T[];
  next_cursor?: string;
}

/**
 * useCursorList reads a cursor-paged list page by page ("Load more"). key
 * names the resource first (['products', filters]) so mutations can
 * invalidate every filtered view with the resource key alone.
 */
export function useCursorList<T>(key: unknown[], fetchPage: (cursor?: string) => Promise<Page<T>>, enabled = true) {
  const q = useInfiniteQuery({
    queryKey: key,
    initialPageParam: '',
    queryFn: ({ pageParam }) => fetchPage(pageParam || undefined),
    getNextPageParam: (last: Page<T>) => last.next_cursor || undefined,
    enabled,
  });
  return {
    rows: q.data?.pages.flatMap((p) => p.items) ?? [],
    loading: q.isPending && enabled,
    hasMore: !!q.hasNextPage,
    more: () => q.fetchNextPage(),
    loadingMore: q.isFetchingNextPage,
  };
}

/** cursorQuery adds limit and, when there is one, the cursor to a query. */
export function cursorQuery<Q extends object>(q: Q, cursor?: string, limit = 50) {
  const clean = Object.fromEntries(Object.entries(q).filter(([, v]) => v !== '' && v !== undefined && v !== null));
  return { ...clean, limit, ...(cursor ? { cursor } : {}) } as Q & { limit: number; cursor?: string };
}
