import { notifications } from '@mantine/notifications';
import type { UseFormReturnType } from '@mantine/form';
import i18n from 'i18next';
import { isApiError } from '../api/problem';

/**
 * showError puts an API problem where the user looks: field errors next to
 * their inputs (when a form is given and the field is on it), the detail in
 * a red toast.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function showError(e: unknown, form?: UseFormReturnType<any>) {
  if (isApiError(e)) {
    if (form) {
      const known = Object.entries(e.fields).filter(([k]) => k in form.values);
      if (known.length) form.setErrors(Object.fromEntries(known));
    }
    notifications.show({ color: 'red', title: i18n.t('common.error'), message: e.message });
    return;
  }
  notifications.show({ color: 'red', title: i18n.t('common.error'), message: i18n.t('common.networkError') });
}

export function showSaved(message?: string) {
  notifications.show({ color: 'green', message: message ?? i18n.t('common.saved') });
}
