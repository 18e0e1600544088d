import { currentLocale } from '../app/i18n';

// Swedish formatting is ISO-like: the same unambiguous "2025-06-01 14:03:07" in every UI language.
const absoluteFormat = new Intl.DateTimeFormat('sv-SE', {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

/** "2025-06-01 14:03:07" in the browser's time zone. */
export const formatAbsolute = (ms: number): string => absoluteFormat.format(new Date(ms));

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000],
];

/** "3 minutes ago" / "3 分钟前", in the UI language. */
export function formatRelative(ms: number, now = Date.now()): string {
  const diff = ms - now;
  const rtf = new Intl.RelativeTimeFormat(currentLocale(), { numeric: 'auto', style: 'long' });
  for (const [unit, size] of UNITS) {
    if (Math.abs(diff) >= size || unit === 'second') {
      return rtf.format(Math.round(diff / size), unit);
    }
  }
  return rtf.format(0, 'second');
}

/** The tail of an id: ids are UUIDv7, whose leading characters are a timestamp shared by neighbours. */
export const shortId = (id: string | null | undefined): string => (id ? id.slice(-8) : '');
