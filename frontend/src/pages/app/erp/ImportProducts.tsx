import { useState } from 'react';
import { Alert, Button, FileInput, Group, Modal, Stack, Table, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, newIdempotencyKey, unwrap } from '../../../api/client';
import type { components } from '../../../api/schema.gen';
import { showError, showSaved } from '../../../components/forms';

type Report = components['schemas']['ImportReport'];

/**
 * ImportProducts uploads a products CSV: a dry run first shows the per-row
 * report; applying runs the same file for real, all or nothing.
 */
export function ImportProducts({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [csv, setCsv] = useState<string | null>(null);
  const [report, setReport] = useState<Report | null>(null);
  const run = useMutation({
    mutationFn: (dryRun: boolean) =>
      unwrap(api.POST('/api/v1/imports', { body: { resource: 'products', dry_run: dryRun, csv: csv ?? '' }, headers: { 'Idempotency-Key': newIdempotencyKey() } })),
    onSuccess: (r) => {
      setReport(r);
      if (!r.dry_run) {
        showSaved(t('products.imported', { created: r.created, updated: r.updated }));
        qc.invalidateQueries({ queryKey: ['products'] });
        onClose();
      }
    },
    onError: (e) => showError(e),
  });
  const pick = async (f: File | null) => {
    setReport(null);
    setCsv(f ? await f.text() : null);
  };
  return (
    <Modal opened onClose={onClose} title={t('products.import')} size="lg">
      <Stack>
        <Text size="sm" c="dimmed">
          {t('products.importHelp')}
        </Text>
        <FileInput label={t('products.csvFile')} accept=".csv,text/csv" onChange={pick} clearable />
        {report && report.errors.length === 0 && (
          <Alert color="green">{t('products.dryRunOk', { rows: report.rows, created: report.created, updated: report.updated })}</Alert>
        )}
        {report && report.errors.length > 0 && (
          <Table striped withTableBorder>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('products.row')}</Table.Th>
                <Table.Th>{t('products.field')}</Table.Th>
                <Table.Th>{t('products.problem')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {report.errors.map((e, i) => (
                <Table.Tr key={i}>
                  <Table.Td>{e.row}</Table.Td>
                  <Table.Td>{e.field}</Table.Td>
                  <Table.Td>{e.message}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        <Group justify="flex-end">
          <Button variant="default" disabled={!csv} loading={run.isPending && run.variables} onClick={() => run.mutate(true)}>
            {t('products.dryRun')}
          </Button>
          <Button disabled={!report || report.errors.length > 0} loading={run.isPending && !run.variables} onClick={() => run.mutate(false)}>
            {t('products.apply')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
