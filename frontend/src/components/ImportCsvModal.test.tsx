import { describe, expect, it } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { canApply, ImportCsvModal, type CrmImportReport } from './ImportCsvModal';
import { mockFetch, renderRoute } from '../test/render';

const report = (over: Partial<CrmImportReport>): CrmImportReport => ({
  resource: 'accounts', dry_run: true, valid: true, applied: false, rows: 2, created: 1, updated: 1, duplicates: 0, errors: [], ...over,
});
const dupIssue = { row: 2, field: 'name', message: 'looks like the account "Acme"', duplicate: true };
const badIssue = { row: 3, field: 'credit_limit', message: 'must be an amount', duplicate: false };

describe('canApply', () => {
  it('needs a clean dry run, or only confirmed look-alikes', () => {
    expect(canApply(null, true)).toBe(false);
    expect(canApply(report({}), false)).toBe(true);
    expect(canApply(report({ errors: [dupIssue], duplicates: 1 }), false)).toBe(false);
    expect(canApply(report({ errors: [dupIssue], duplicates: 1 }), true)).toBe(true);
    expect(canApply(report({ errors: [dupIssue, badIssue], duplicates: 1 }), true)).toBe(false);
  });
});

describe('ImportCsvModal', () => {
  it('dry-runs the file, shows the problems, and imports look-alikes once confirmed', async () => {
    const calls = mockFetch({
      'GET /api/v1/me': [401, { title: 'Unauthorized', status: 401, code: 'unauthenticated' }],
      'POST /api/v1/accounts/import': [200, report({ valid: false, created: 0, errors: [dupIssue], duplicates: 1 })],
    });
    renderRoute([{ path: '/', element: <ImportCsvModal resource="accounts" onClose={() => {}} /> }], '/');
    const user = userEvent.setup();
    const input = await waitFor(() => {
      const el = document.body.querySelector('input[type="file"]');
      expect(el).not.toBeNull();
      return el as HTMLInputElement;
    });
    await user.upload(input, new File(['name\nACME SL\n'], 'accounts.csv', { type: 'text/csv' }));
    await user.click(await screen.findByRole('button', { name: 'Check (dry run)' }));
    expect(await screen.findByText(/looks like the account "Acme"/)).toBeInTheDocument();
    const apply = screen.getByRole('button', { name: 'Import' });
    expect(apply).toBeDisabled();
    expect(calls.at(-1)?.body).toContain('"dry_run":true');
    expect(calls.at(-1)?.body).toContain('"csv":"name\\nACME SL\\n"');

    await user.click(screen.getByLabelText(/Create them anyway/));
    expect(apply).toBeEnabled();
    const sent = mockFetch({ 'POST /api/v1/accounts/import': [200, report({ dry_run: false, applied: true, created: 1, updated: 0 })] });
    await user.click(apply);
    await waitFor(() => expect(sent.length).toBe(1));
    expect(sent[0]?.body).toContain('"dry_run":false');
    expect(sent[0]?.body).toContain('"confirm_duplicates":true');
  });
});
