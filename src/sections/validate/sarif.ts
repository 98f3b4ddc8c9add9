/**
 * `alliance validate --format sarif`: a SARIF 2.1.0 log (OASIS Static Analysis Results
 * Interchange Format, https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html), the
 * format GitHub code scanning uploads (github/codeql-action/upload-sarif) and shows on
 * the file. Tests validate it against the SARIF 2.1.0 JSON schema.
 *
 * - One run; the tool's rules are the finding codes (all of them, in catalogue order),
 *   each with its title, how to fix it and its default level.
 * - One result per finding listed: `ruleId` the code, `level` error or warning (an
 *   unreadable file is an error; its `properties.severity` says `fatal`), the message,
 *   and the location: the file as given (a relative path against %SRCROOT%, the checkout)
 *   and the line. SARIF columns count characters, not CSV fields, so the field number is
 *   in `properties.field`, not in `startColumn`. Findings about a whole file or a column
 *   point at line 1 (the header line of a CSV): code scanning needs a line.
 * - `invocations[0].executionSuccessful` is false when a file could not be read;
 *   `run.properties` has the verdict and the exact counts.
 */
import * as path from 'node:path';
import { CODES } from '../../validate/codes.js';
import type { Finding } from '../../validate/types.js';
import type { ValidationResult } from '../../validate/validate.js';
import { filesByStatus } from './document.js';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';

const level = (severity: string): 'error' | 'warning' => (severity === 'warning' ? 'warning' : 'error');

/**
 * A file as a SARIF artifact location: relative paths against %SRCROOT%, absolute ones as file:
 * URIs. Each segment is percent-encoded whole (encodeURI left # and ?, so "site#2.csv" was
 * the file "site" with a fragment).
 */
export function artifactLocation(file: string): { uri: string; uriBaseId?: string } {
  const slashed = file.split(path.sep).join('/');
  const encode = (p: string) => p.split('/').map(encodeURIComponent).join('/');
  if (path.isAbsolute(file)) return { uri: `file://${encode(slashed.startsWith('/') ? slashed : `/${slashed}`)}` };
  return { uri: encode(slashed.replace(/^\.\//, '')), uriBaseId: '%SRCROOT%' };
}

function sarifResult(f: Finding, ruleIndex: Map<string, number>): Record<string, unknown> {
  const properties: Record<string, unknown> = { severity: f.severity };
  if (f.column !== null) properties.column = f.column;
  if (f.field !== null) properties.field = f.field;
  if (f.value !== null) properties.value = f.value;
  if (f.cell !== undefined) properties.cell = f.cell;
  if (f.codes !== undefined) properties.codes = f.codes;
  return {
    ruleId: f.code,
    ruleIndex: ruleIndex.get(f.code),
    level: level(f.severity),
    message: { text: f.column !== null ? `column '${f.column}': ${f.message}` : f.message },
    locations: [{ physicalLocation: { artifactLocation: artifactLocation(f.file), region: { startLine: f.line ?? 1 } } }],
    properties,
  };
}

/** The SARIF log object (JSON.stringify it to write). */
export function validateSarif(result: ValidationResult, strict: boolean, version: string): Record<string, unknown> {
  const ruleIndex = new Map(CODES.map((c, i) => [c.code, i]));
  const s = result.summary.findings;
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'alliance validate',
            semanticVersion: version,
            rules: CODES.map((c) => ({
              id: c.code,
              shortDescription: { text: c.title },
              help: { text: c.fix },
              defaultConfiguration: { level: level(c.severity) },
              properties: { severity: c.severity },
            })),
          },
        },
        invocations: [{ executionSuccessful: s.fatal === 0 }],
        results: result.findings.map((f) => sarifResult(f, ruleIndex)),
        properties: {
          passed: s.fatal === 0 && s.errors === 0 && !(strict && s.warnings > 0),
          strict,
          files: filesByStatus(result, strict),
          fatal: s.fatal,
          errors: s.errors,
          warnings: s.warnings,
          listed: s.listed,
          truncated: s.truncated,
        },
      },
    ],
  };
}
