import { useState } from 'react';
import { Button, Code, Group, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useInfiniteQuery } from '@tanstack/react-query';
import { DataTable } from 'mantine-datatable';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { LoadMore } from '../../components/LoadMore';
import { PageHeader } from '../../components/PageHeader';
import { formatDateTime } from '../../lib/format';
import { useLocale } from '../../lib/useLocale';

interface Filters {
  action: string;
  resource: string;
  actor_id: string;
  from: string; // yyyy-mm-dd
  to: string;
}

const empty: Filters = { action: '', resource: '', actor_id: '', from: '', to: '' };

/** auditQuery turns the filter form into API query parameters (dates as whole days). */
export function auditQuery(f: Filters) {
  return {
    ...(f.action ? { action: f.action } : {}),
    ...(f.resource ? { resource: f.resource } : {}),
    ...(f.actor_id ? { actor_id: f.actor_id } : {}),
    ...(f.from ? { from: new Date(`${f.from}T00:00:00`).toISOString() } : {}),
    ...(f.to ? { to: new Date(`${f.to}T23:59:59.999`).toISOString() } : {}),
  };
}

export function Audit() {
  const { t } = useTranslation();
  const { lang, timeZone } = useLocale();
  const [filters, setFilters] = useState<Filters>(empty);
  const [expanded, setExpanded] = useState<string[]>([]);
  const form = useForm<Filters>({ initialValues: empty });
  const events = useInfiniteQuery({
    queryKey: ['audit', filters],
    initialPageParam: '',
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/api/v1/audit-events', {
          params: { query: { ...auditQuery(filters), limit: 50, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.next_cursor || undefined,
  });
  return (
    <>
      <PageHeader title={t('audit.title')} description={t('audit.description')} />
      <form onSubmit={form.onSubmit((v) => setFilters(v))} aria-label={t('audit.filters')}>
        <SimpleGrid cols={{ base: 1, sm: 3, lg: 5 }} mb="md">
          <TextInput label={t('audit.action')} placeholder="user.invited" {...form.getInputProps('action')} />
          <TextInput label={t('audit.resource')} placeholder="users" {...form.getInputProps('resource')} />
          <TextInput label={t('audit.actor')} {...form.getInputProps('actor_id')} />
          <TextInput type="date" label={t('audit.from')} {...form.getInputProps('from')} />
          <TextInput type="date" label={t('audit.to')} {...form.getInputProps('to')} />
        </SimpleGrid>
        <Group mb="lg">
          <Button type="submit">{t('audit.apply')}</Button>
          <Button
            variant="default"
            onClick={() => {
              form.setValues(empty);
              setFilters(empty);
            }}
          >
            {t('audit.clear')}
          </Button>
        </Group>
      </form>
      <DataTable
        withTableBorder
        borderRadius="md"
        minHeight={200}
        fetching={events.isPending}
        records={events.data?.pages.flatMap((p) => p.items) ?? []}
        noRecordsText={t('audit.none')}
        rowExpansion={{
          allowMultiple: true,
          expanded: { recordIds: expanded, onRecordIdsChange: setExpanded },
          content: ({ record }) => (
            <Stack p="md" gap="xs">
              <Text size="sm">
                {t('audit.request')}: <Code>{record.request_id || '—'}</Code> · IP <Code>{record.ip || '—'}</Code>
              </Text>
              <SimpleGrid cols={{ base: 1, md: 2 }}>
                <div>
                  <Text size="sm" fw={600}>
                    {t('audit.before')}
                  </Text>
                  <Code block>{JSON.stringify(record.before ?? null, null, 2)}</Code>
                </div>
                <div>
                  <Text size="sm" fw={600}>
                    {t('audit.after')}
                  </Text>
                  <Code block>{JSON.stringify(record.after ?? null, null, 2)}</Code>
                </div>
              </SimpleGrid>
            </Stack>
          ),
        }}
        columns={[
          { accessor: 'at', title: t('audit.when'), render: (e) => formatDateTime(e.at, lang, timeZone) },
          { accessor: 'action', title: t('audit.action'), render: (e) => <Code>{e.action}</Code> },
          { accessor: 'resource', title: t('audit.resource'), render: (e) => `${e.resource} ${e.resource_id.slice(0, 8)}` },
          { accessor: 'actor_id', title: t('audit.actor'), render: (e) => `${e.actor_type} ${e.actor_id.slice(0, 8)}` },
        ]}
      />
      <LoadMore hasMore={!!events.hasNextPage} loading={events.isFetchingNextPage} onClick={() => events.fetchNextPage()} />
    </>
  );
}
