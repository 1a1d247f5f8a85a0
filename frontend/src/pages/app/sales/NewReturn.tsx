import { useState } from 'react';
import { Button, Modal, Stack, Text, Textarea } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { IconArrowBackUp } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api, newIdempotencyKey, unwrap } from '../../../api/client';
import { FormActions } from '../../../components/FormActions';
import { showError, showSaved } from '../../../components/forms';
import { formatNumber } from '../../../lib/format';
import { useLocale } from '../../../lib/useLocale';
import { requestLines, returnableLines } from '../../returns/returnText';
import { ReturnLineCard, useReturnChoices } from '../../returns/ReturnLineCard';

/**
 * NewReturnButton is the staff "New return" of an order: a customer calls or
 * sends goods back without using the portal. It offers the lines with
 * shipped units not yet returned (staff also take back refused or lost
 * deliveries, so shipped rather than delivered is the limit), a quantity,
 * reason and comment for each, and opens the new return on the Returns
 * page. The server checks the same limits again under the order's lock.
 */
export function NewReturnButton({ orderId }: { orderId: string }) {
  const { t } = useTranslation();
  const { lang } = useLocale();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const form = useReturnChoices();
  const [empty, setEmpty] = useState(false);
  const returnable = useQuery({
    queryKey: ['returns', 'returnable', orderId],
    queryFn: () => unwrap(api.GET('/api/v1/orders/{id}/returnable', { params: { path: { id: orderId } } })),
  });
  const lines = returnableLines(returnable.data?.items ?? []);
  const save = useMutation({
    mutationFn: (body: { order_id: string; comment?: string; lines: ReturnType<typeof requestLines>['lines'] }) =>
      unwrap(api.POST('/api/v1/returns', { headers: { 'Idempotency-Key': newIdempotencyKey() }, body })),
    onSuccess: (r) => {
      showSaved();
      qc.invalidateQueries({ queryKey: ['returns'] });
      navigate(`/app/returns/${r.id}`);
    },
    onError: (e) => showError(e),
  });
  if (lines.length === 0) return null;
  const n = (v: number) => formatNumber(v, lang);
  const submit = () => {
    setEmpty(form.nothingChosen());
    const chosen = form.build();
    if (!chosen) return;
    save.mutate({ order_id: orderId, ...(form.comment.trim() ? { comment: form.comment.trim() } : {}), lines: chosen });
  };
  return (
    <>
      <Button variant="light" leftSection={<IconArrowBackUp size={18} />} onClick={() => setOpen(true)} data-testid="new-return">
        {t('returns.new')}
      </Button>
      {open && (
        <Modal opened onClose={() => setOpen(false)} title={t('returns.new')} size="lg">
          <form
            onSubmit={(e) => {
              e.preventDefault();
              submit();
            }}
          >
            <Stack>
              <Text size="sm" c="dimmed">
                {t('returns.newHelp')}
              </Text>
              {lines.map((l, k) => (
                <ReturnLineCard
                  key={l.order_line_id}
                  line={l}
                  index={k}
                  form={form}
                  ns="returns"
                  testid="new-return"
                  hint={t('returns.returnable', { shipped: n(l.shipped_qty), delivered: n(l.delivered_qty), returned: n(l.returned_qty), left: n(l.returnable_qty) })}
                />
              ))}
              <Textarea label={t('returns.comment')} maxLength={2000} value={form.comment} onChange={(e) => form.setComment(e.currentTarget.value)} data-testid="new-return-comment" />
              {empty && (
                <Text size="sm" c="red" data-testid="new-return-empty">
                  {t('returns.chooseUnits')}
                </Text>
              )}
              <FormActions onCancel={() => setOpen(false)} saving={save.isPending} label={t('returns.create')} />
            </Stack>
          </form>
        </Modal>
      )}
    </>
  );
}
