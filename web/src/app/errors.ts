import { App, type FormInstance } from 'antd';
import type { TFunction } from 'i18next';
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from './api';

/** A person-readable message for any error: known codes are translated, others show the server's text. */
export function errorMessage(err: unknown, t: TFunction): string {
  if (!(err instanceof ApiError)) return err instanceof Error ? err.message : String(err);
  switch (err.code) {
    case 'too_many_requests': {
      const seconds = err.details?.retryAfterSeconds;
      return typeof seconds === 'number' ? t('errors.tooManyRequests', { seconds }) : err.message;
    }
    case 'invalid_credentials':
      return t('errors.invalidCredentials');
    case 'wrong_password':
      return t('errors.wrongPassword');
    case 'forbidden':
      return t('errors.forbidden');
    case 'csrf':
      return t('errors.csrf');
    case 'network':
      return t('errors.network');
    case 'internal':
      return t('errors.internal');
    default:
      return err.message;
  }
}

const toNamePath = (path: string): (string | number)[] =>
  path.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part));

export interface ShowErrorOptions {
  /** Field errors from `details.issues` (and `details.field`) go onto this form when they name its fields. */
  form?: FormInstance;
  /** A 409 without a named field is shown on this field too (e.g. a unique name). */
  conflictField?: string;
}

/** `showError(err, { form })`: field errors onto the form, everything else as a message. */
export function useShowError() {
  const { message } = App.useApp();
  const { t } = useTranslation();
  return useCallback(
    (err: unknown, opts: ShowErrorOptions = {}) => {
      const text = errorMessage(err, t);
      const { form } = opts;
      if (form && err instanceof ApiError) {
        const known = new Set(Object.keys(form.getFieldsValue() ?? {}));
        const fields = err.issues
          .filter((i) => known.has(i.path.split('.')[0] ?? ''))
          .map((i) => ({ name: toNamePath(i.path), errors: [i.message] }));
        const named = typeof err.details?.field === 'string' ? err.details.field : undefined;
        const field = named ?? (err.status === 409 ? opts.conflictField : undefined);
        if (field) fields.push({ name: [field], errors: [text] });
        if (fields.length > 0) form.setFields(fields);
        if (fields.length > 0 && err.status === 400) return;
      }
      void message.error(text);
    },
    [message, t],
  );
}
