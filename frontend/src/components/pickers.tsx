import { useState } from 'react';
import { Select, type SelectProps } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';

// Searchable pickers over the API's lists: they ask the server (q=…) as the
// user types, so they work for catalogs far larger than one page.

type Option = { value: string; label: string };
type PickerProps = Omit<SelectProps, 'data' | 'searchValue' | 'onSearchChange' | 'onChange'> & {
  onChange?: (value: string | null) => void;
};

/**
 * ServerSelect keeps the chosen option even when the next search no longer
 * returns it, and does not search for the chosen label itself.
 */
function ServerSelect({ load, queryKey, ...props }: PickerProps & { queryKey: string; load: (q: string) => Promise<Option[]> }) {
  const [search, setSearch] = useState('');
  const [chosen, setChosen] = useState<Option | null>(null);
  const [debounced] = useDebouncedValue(search, 200);
  const q = chosen && debounced === chosen.label ? '' : debounced;
  const list = useQuery({ queryKey: [queryKey, 'picker', q], queryFn: () => load(q) });
  const data = [...(list.data ?? [])];
  if (chosen && !data.some((o) => o.value === chosen.value)) data.unshift(chosen);
  return (
    <Select
      searchable
      clearable
      nothingFoundMessage="—"
      filter={({ options }) => options}
      {...props}
      data={data}
      searchValue={search}
      onSearchChange={setSearch}
      onChange={(v, option) => {
        setChosen(option ?? null);
        props.onChange?.(v);
      }}
    />
  );
}

export function ProductPicker({ filterType, ...props }: PickerProps & { filterType?: string }) {
  return (
    <ServerSelect
      {...props}
      queryKey={`products-${filterType ?? 'all'}`}
      load={async (q) => {
        const r = await unwrap(api.GET('/api/v1/products', { params: { query: { q: q || undefined, active: true, limit: 20, type: filterType as never } } }));
        return r.items.map((p) => ({ value: p.id, label: `${p.sku} · ${p.name}` }));
      }}
    />
  );
}

export function AccountPicker(props: PickerProps) {
  return (
    <ServerSelect
      {...props}
      queryKey="accounts"
      load={async (q) => {
        const r = await unwrap(api.GET('/api/v1/accounts', { params: { query: { q: q || undefined, limit: 20 } } }));
        return r.items.map((a) => ({ value: a.id, label: a.tax_id ? `${a.name} (${a.tax_id})` : a.name }));
      }}
    />
  );
}

export function WarehousePicker(props: PickerProps) {
  const list = useQuery({
    queryKey: ['warehouses', 'picker'],
    queryFn: () => unwrap(api.GET('/api/v1/warehouses', { params: { query: { active: true, limit: 100 } } })),
  });
  return <Select {...props} data={(list.data?.items ?? []).map((w) => ({ value: w.id, label: `${w.code} · ${w.name}` }))} />;
}

/** PriceListPicker chooses one of the tenant's active price lists. */
export function PriceListPicker(props: PickerProps) {
  const list = useQuery({
    queryKey: ['price-lists', 'picker'],
    queryFn: () => unwrap(api.GET('/api/v1/price-lists', { params: { query: { active: true, limit: 100 } } })),
  });
  return <Select clearable {...props} data={(list.data?.items ?? []).map((l) => ({ value: l.id, label: `${l.name} (${l.currency})` }))} />;
}

// Names of referenced records, read once per id and cached by TanStack
// Query, for tables whose rows carry only ids.

export function ProductName({ id }: { id: string }) {
  const p = useQuery({ queryKey: ['products', id], queryFn: () => unwrap(api.GET('/api/v1/products/{id}', { params: { path: { id } } })), staleTime: 60_000 });
  return <>{p.data ? `${p.data.sku} · ${p.data.name}` : '…'}</>;
}

export function AccountName({ id }: { id: string }) {
  const a = useQuery({ queryKey: ['accounts', id], queryFn: () => unwrap(api.GET('/api/v1/accounts/{id}', { params: { path: { id } } })), staleTime: 60_000 });
  return <>{a.data ? a.data.name : '…'}</>;
}
