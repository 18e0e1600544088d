/**
 * The summary/description template language, deliberately tiny so a rule author cannot run code:
 *
 *   {{ $labels.<name> }}   a label of the alert ("" when missing)
 *   {{ $value }}           the value that was evaluated (4 significant digits)
 *   {{ $threshold }}       the threshold, or the expected band "lower–upper" for anomaly rules
 *   {{ $rule }}            the rule's name
 *   {{ ... | raw }}        a number without rounding
 *
 * Anything else between braces is a template error, reported when the rule is saved. Written by hand
 * because Go-template or Handlebars ports evaluate far more than this needs.
 */

export interface TemplateData {
  labels: Readonly<Record<string, string>>;
  value: number | null;
  threshold: string;
  rule: string;
}

const TOKEN = /\{\{\s*([^}]*?)\s*\}\}/g;
const EXPR = /^\$(labels\.([a-zA-Z_][a-zA-Z0-9_]*)|value|threshold|rule)(\s*\|\s*raw)?$/;

export class TemplateError extends Error {
  override name = 'TemplateError';
}

/** Throws a TemplateError naming the first expression it does not understand. */
export function checkTemplate(template: string): void {
  for (const m of template.matchAll(TOKEN)) {
    if (!EXPR.test(m[1] ?? '')) {
      throw new TemplateError(
        `unknown template expression "{{ ${m[1]} }}": use $labels.<name>, $value, $threshold or $rule`,
      );
    }
  }
}

export function formatNumber(value: number | null, raw = false): string {
  if (value === null || Number.isNaN(value)) return 'NaN';
  if (raw || !Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(4)));
}

export function renderTemplate(template: string, data: TemplateData): string {
  return template.replace(TOKEN, (whole, expr: string) => {
    const m = EXPR.exec(expr);
    if (!m) return whole;
    const raw = Boolean(m[3]);
    if (m[2] !== undefined) return data.labels[m[2]] ?? '';
    if (m[1] === 'value') return formatNumber(data.value, raw);
    if (m[1] === 'threshold') return data.threshold;
    return data.rule;
  });
}
