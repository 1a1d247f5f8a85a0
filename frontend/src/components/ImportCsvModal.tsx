import { useState } from 'react';
import { Alert, Button, Checkbox, FileInput, Group, Modal, Stack, Table, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, newIdempotencyKey, unwrap } from '../api/client';
import type { components } from '../api/schema.gen';
import { showError, showSaved } from './forms';

export type CrmImportReport = components['schemas']['CRMImportReport'];
export type CrmImportResource = 'accounts' | 'contacts';

/**
 * canApply says whether a dry run's report lets the file be applied: no
 * problems, or only look-alike rows the user confirmed ("create anyway").
 */
export function canApply(report: CrmImportReport | null, confirmDuplicates: boolean): boolean {
  if (!report) return false;
  if (report.errors.length === 0) return true;
  return confirmDuplicates && report.errors.every((e) => e.duplicate);
}

/** readText reads a picked file as text (FileReader: jsdom's File has no text()). */
function readText(f: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result ?? ''));
    r.onerror = () => reject(r.error);
    r.readAsText(f);
  });
}

function runImport(resource: CrmImportResource, body: { csv: string; dry_run: boolean; confirm_duplicates: boolean }) {
  const headers = { 'Idempotency-Key': newIdempotencyKey() };
  return resource === 'accounts'
    ? unwrap(api.POST('/api/v1/accounts/import', { body, headers }))
    : unwrap(api.POST('/api/v1/contacts/import', { body, headers }));
}

/**
 * ImportCsvModal imports a customers or contacts CSV (the export's columns):
 * a dry run shows the counts and every row's problems; rows that only look
 * like existing customers can be imported anyway; applying runs the same
 * file for real, all or nothing.
 */
export function ImportCsvModal({ resource, onClose }: { resource: CrmImportResource; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [csv, setCsv] = useState<string | null>(null);
  const [report, setReport] = useState<CrmImportReport | null>(null);
  const [confirm, setConfirm] = useState(false);
  const run = useMutation({
    mutationFn: (dryRun: boolean) => runImport(resource, { csv: csv ?? '', dry_run: dryRun, confirm_duplicates: confirm }),
    onSuccess: (r) => {
      setReport(r);
      if (!r.dry_run) {
        showSaved(t('csvImport.imported', { created: r.created, updated: r.updated }));
        qc.invalidateQueries({ queryKey: [resource] });
        onClose();
      }
    },
    onError: (e) => showError(e),
  });
  const pick = async (f: File | null) => {
    setReport(null);
    setConfirm(false);
    setCsv(f ? await readText(f) : null);
  };
  return (
    <Modal opened onClose={onClose} title={t(`csvImport.title.${resource}`)} size="xl">
      <Stack>
        <Text size="sm" c="dimmed">{t(`csvImport.help.${resource}`)}</Text>
        <FileInput label={t('csvImport.file')} accept=".csv,text/csv" onChange={pick} clearable data-testid="csv-import-file" />
        {report && report.errors.length === 0 && (
          <Alert color="green" data-testid="csv-import-ok">{t('csvImport.dryRunOk', { rows: report.rows, created: report.created, updated: report.updated })}</Alert>
        )}
        {report && report.errors.length > 0 && (
          <>
            <Alert color="red" data-testid="csv-import-problems">
              {t('csvImport.problems', { count: report.errors.length, rows: report.rows, created: report.created, updated: report.updated })}
            </Alert>
            <Table striped withTableBorder>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('csvImport.row')}</Table.Th>
                  <Table.Th>{t('csvImport.field')}</Table.Th>
                  <Table.Th>{t('csvImport.problem')}</Table.Th>
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
          </>
        )}
        {report && report.duplicates > 0 && (
          <Alert color="yellow" title={t('csvImport.duplicatesTitle', { count: report.duplicates })}>
            <Checkbox label={t('csvImport.confirmDuplicates')} checked={confirm} onChange={(e) => setConfirm(e.currentTarget.checked)} />
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" disabled={!csv} loading={run.isPending && run.variables} onClick={() => run.mutate(true)}>
            {t('csvImport.dryRun')}
          </Button>
          <Button disabled={!canApply(report, confirm)} loading={run.isPending && !run.variables} onClick={() => run.mutate(false)}>
            {t('csvImport.apply')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
