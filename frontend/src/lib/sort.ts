import { useMemo, useState } from 'react';
import type { DataTableSortStatus } from 'mantine-datatable';

/** compareValues orders strings by locale, numbers and dates naturally, empty last. */
export function compareValues(a: unknown, b: unknown): number {
  if (a == null || a === '') return b == null || b === '' ? 0 : 1;
  if (b == null || b === '') return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return String(a).localeCompare(String(b), undefined, { numeric: true, sensitivity: 'base' });
}

/** useSortedRecords sorts a loaded page of records by a DataTable's sort status. */
export function useSortedRecords<T extends object>(records: T[], initial: keyof T & string) {
  const [sortStatus, setSortStatus] = useState<DataTableSortStatus<T>>({ columnAccessor: initial, direction: 'asc' });
  const sorted = useMemo(() => {
    const key = sortStatus.columnAccessor as keyof T;
    const out = [...records].sort((x, y) => compareValues(x[key], y[key]));
    return sortStatus.direction === 'desc' ? out.reverse() : out;
  }, [records, sortStatus]);
  return { sorted, sortStatus, setSortStatus };
}
