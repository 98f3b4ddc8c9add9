/**
 * `alliance validate --format github`: GitHub Actions workflow commands, and the Markdown
 * appended to $GITHUB_STEP_SUMMARY.
 *
 * - One annotation per finding, `::error file=F,line=L,col=C,title=CODE::message`
 *   (`::warning` for warnings; an unreadable file is an `::error`), escaped as the Actions
 *   toolkit does (% CR LF in the message; also : and , in properties). GitHub shows only
 *   the first few annotations of a step (10 errors and 10 warnings), and 66,667 of them
 *   were 13.7 MB of log: only the first `maxAnnotations` per code are written (default 10,
 *   0 = all), then one summary annotation with the exact counts per code and how many were
 *   shown.
 * - The step summary: the verdict, the files, the counts by code and every finding listed
 *   (within GitHub's 1 MiB limit).
 */
import { mdCell, mdCode, renderMarkdownTable } from '../../report/render.js';
import { printable } from '../../io/text-safety.js';
import type { Finding } from '../../validate/types.js';
import type { ValidationResult } from '../../validate/validate.js';
import { fileStatus } from '../../validate/validate.js';
import { DEFAULT_MAX_ANNOTATIONS } from './output-limits.js';
import { allFindings, codesTable, verdict } from './document.js';

export { DEFAULT_MAX_ANNOTATIONS };

/** Escapes workflow-command data (the message), as @actions/core does. */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a workflow-command property value (file, title): also ':' and ','. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** One annotation line; values from the data are `printable` first (no raw ESC in a CI log). */
export function githubAnnotation(f: Finding): string {
  const props = [`file=${escapeProperty(printable(f.file))}`];
  if (f.line !== null) props.push(`line=${f.line}`);
  if (f.line !== null && f.field !== null) props.push(`col=${f.field}`);
  props.push(`title=${escapeProperty(f.code)}`);
  const col = f.column !== null ? `column '${f.column}': ` : '';
  return `::${f.severity === 'warning' ? 'warning' : 'error'} ${props.join(',')}::${escapeData(printable(col + f.message))}`;
}

/** The annotations: the first `max` per code (0 = all), then a summary annotation with the exact counts. */
export function renderGithub(result: ValidationResult, strict: boolean, max = DEFAULT_MAX_ANNOTATIONS): string {
  const seen = new Map<string, number>();
  const shown = new Map<string, number>();
  const lines: string[] = [];
  for (const f of result.findings) {
    const n = (seen.get(f.code) ?? 0) + 1;
    seen.set(f.code, n);
    if (max === 0 || n <= max) {
      lines.push(githubAnnotation(f));
      for (const c of f.codes ?? [f.code]) shown.set(c, (shown.get(c) ?? 0) + 1);
    }
  }
  const s = result.summary.findings;
  if (s.byCode.length > 0) {
    const left = s.byCode.some((c) => (shown.get(c.code) ?? 0) < c.count);
    const counts = s.byCode.map((c) => {
      const n = shown.get(c.code) ?? 0;
      return `${c.code} ${c.count.toLocaleString('en')}${n < c.count ? ` (${n} shown)` : ''}`;
    });
    const how = left
      ? `; annotations: ${max > 0 ? `the first ${max} per code (--max-annotations)` : 'every finding listed'}${s.listed < s.fatal + s.errors + s.warnings ? ` of the ${s.listed.toLocaleString('en')} listed` : ''}; the step summary and --format json list more`
      : '';
    const level = s.fatal > 0 || s.errors > 0 ? 'error' : 'warning';
    lines.push(`::${level} title=alliance validate::${escapeData(printable(`${verdict(result, strict)}. By code: ${counts.join(', ')}${how}`))}`);
  }
  lines.push(verdict(result, strict));
  return lines.join('\n') + '\n';
}

/** GitHub rejects step summaries over 1 MiB: the findings list stops before that. */
export const STEP_SUMMARY_BUDGET = 900 * 1024;

/** Markdown for $GITHUB_STEP_SUMMARY: the verdict, the files, the counts by code and every finding (within the size budget). */
export function renderStepSummary(result: ValidationResult, strict: boolean): string {
  const out: string[] = [`## alliance validate: ${verdict(result, strict)}`, ''];
  const s = result.summary;
  out.push(
    // "files:" first: a name with two backticks makes a fence of three, which would open a code block at a line's start.
    `files: ${s.files.map((f) => `${mdCode(f.file)} (${f.rows === null ? 'not readable' : `${f.rows} rows, ${fileStatus(f, strict)}`})`).join(', ')}; clients: ${s.clients ?? 'n/a'}`,
    '',
  );
  if (s.findings.byCode.length > 0) {
    out.push(renderMarkdownTable(codesTable(result), 3));
    const t = allFindings(result);
    const head = renderMarkdownTable({ ...t, rows: [] }, 3)
      .trimEnd()
      .split('\n');
    out.push(head.join('\n'));
    let size = Buffer.byteLength(out.join('\n'));
    let written = 0;
    for (const f of result.findings) {
      const cells = t.columns.map((c) => {
        const v = (f as unknown as Record<string, string | number | null | undefined>)[c.key];
        return v === null || v === undefined ? '' : mdCell(String(v));
      });
      const line = `| ${cells.join(' | ')} |`;
      const bytes = Buffer.byteLength(line) + 1;
      if (size + bytes > STEP_SUMMARY_BUDGET) break;
      out.push(line);
      size += bytes;
      written++;
    }
    const total = s.findings.fatal + s.findings.errors + s.findings.warnings;
    if (written < result.findings.length) {
      out.push('', `... ${total - written} more findings not shown here (GitHub limits the step summary to 1 MiB); run with --format json for all.`);
    } else if (written < total) {
      out.push('', `... ${total - written} more findings not listed (--max-findings, or the in-memory cap of docs/validate.md); the counts above are exact.`);
    }
  }
  return out.join('\n') + '\n\n';
}
