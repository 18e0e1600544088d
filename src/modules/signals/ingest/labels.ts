/** Prometheus's naming rules, shared by every ingestion path. */

/** A metric name: `[a-zA-Z_:][a-zA-Z0-9_:]*`. */
export const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
/** A label name: `[a-zA-Z_][a-zA-Z0-9_]*`. */
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Longest label value kept; longer values are almost always a mistake (a request body, a stack trace). */
export const MAX_LABEL_VALUE = 4096;
/** Most labels one series may carry. */
export const MAX_LABELS = 64;

/**
 * Why this label set is not a valid series, or undefined when it is. Empty values are legal on the wire
 * (Prometheus treats them as absent) and dropped by the caller, not refused here.
 */
export function labelProblem(labels: Readonly<Record<string, string>>): string | undefined {
  const name = labels.__name__;
  if (name === undefined || name === '') return 'the series has no metric name (__name__ label)';
  if (!METRIC_NAME.test(name))
    return `metric name "${name}" is not valid (must match [a-zA-Z_:][a-zA-Z0-9_:]*)`;
  let count = 0;
  for (const key in labels) {
    count++;
    const value = labels[key] as string;
    if (typeof value !== 'string') return `label "${key}" of ${name} must be a string`;
    if (!LABEL_NAME.test(key))
      return `label name "${key}" of ${name} is not valid (must match [a-zA-Z_][a-zA-Z0-9_]*)`;
    if (value.length > MAX_LABEL_VALUE)
      return `label "${key}" of ${name} is longer than ${MAX_LABEL_VALUE} characters`;
    // PostgreSQL text cannot hold NUL; refuse it on both engines alike.
    if (value.includes('\u0000')) return `label "${key}" of ${name} contains the NUL character`;
  }
  if (count > MAX_LABELS) return `${name} has ${count} labels (at most ${MAX_LABELS})`;
  return undefined;
}

/** A stable text key of a label set (sorted names), for grouping and de-duplication. */
export function seriesKey(labels: Readonly<Record<string, string>>): string {
  const keys = Object.keys(labels).sort();
  let out = '';
  for (const k of keys) out += `${k}\u0001${labels[k]}\u0002`;
  return out;
}
