/**
 * How a flag or config value reads as text: strings as they are, numbers and booleans as
 * written, anything else (a YAML list or mapping where a word was expected) as JSON, so
 * that a message says `got {"a":1}` rather than `got [object Object]`.
 */
export function valueText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v === undefined) return '';
  return JSON.stringify(v) ?? '';
}
