import { useTranslation } from 'react-i18next';
import { formatDate, formatMoney } from '../lib/format';
import { refundPhrase, type RefundLike } from '../lib/refunds';

/** RefundText tells a customer where the money a credit note owes them is: due, on its way to their card, or refunded on a date. */
export function RefundText({ refund, currency, lang }: { refund: RefundLike; currency: string; lang: string }) {
  const { t } = useTranslation();
  return (
    <>
      {t(`refunds.${refundPhrase(refund)}`, {
        amount: formatMoney(refund.amount_minor, currency, lang),
        date: formatDate(refund.refunded_on, lang, 'UTC'),
      })}
    </>
  );
}
