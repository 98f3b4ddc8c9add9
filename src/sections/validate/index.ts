/**
 * The validate section of `alliance report`: the data checks, run on the whole input
 * before the report's filters; their verdict can stop the report (report.failOn).
 * `alliance validate` reads the same `validate:` keys (./options.ts) and renders the same
 * document, with its CI formats besides (src/cli/commands/validate.ts).
 */
import * as path from 'node:path';
import { UserError } from '../../errors.js';
import { sourceDateEpochDay } from '../../io/process.js';
import { parseDate } from '../../dataset/values.js';
import { validateDataset, type ValidationResult } from '../../validate/validate.js';
import { fileEntries, summaryJson, validationDocument } from './document.js';
import type { Section } from '../section.js';
import { SECTION_KEYS, validateOptions } from './options.js';

export interface ValidateSettings {
  strict: boolean;
  maxFindings: number;
  /** Absolute path of a Table Schema, or null. */
  schema: string | null;
}

const DAY_MS = 86_400_000;

function verdictLine(v: ValidationResult, strict: boolean): string {
  const { errors, warnings } = v.summary.findings;
  const fails = errors > 0 || (strict && warnings > 0);
  return `${fails ? 'Failed' : 'Passed'}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}.`;
}

export const validateSection: Section<ValidateSettings, ValidationResult> = {
  name: 'validate',
  keys: SECTION_KEYS,
  reportDefault: true,
  // Measured on the 1M-row bench file (README Performance); portable: yes, its findings and summary are plain data.
  readCost: { seconds: 0.19, portable: true },
  options(src) {
    const { strict, maxFindings, schema } = validateOptions(src);
    return { strict, maxFindings, schema };
  },
  async run(dataset, opts, ctx) {
    const { io, read, config } = ctx;
    // The schema reader (re2js, yaml) loads only when a schema is given.
    const schema = opts.schema ? await (await import('../../validate/schema.js')).loadSchema(opts.schema, io.cwd) : null;
    const todayText = read.today;
    let today = sourceDateEpochDay(io.env) ?? Math.floor(ctx.now.getTime() / DAY_MS);
    if (todayText !== undefined) {
      today = /^\d{4}-\d{2}-\d{2}$/.test(todayText) ? parseDate(todayText, 'iso') : NaN;
      if (Number.isNaN(today))
        throw new UserError(`today must be a date YYYY-MM-DD (got '${todayText}')`, { location: { file: config?.path, line: config?.lines.today } });
    }
    return validateDataset(dataset, { today, missing: read.missing ?? [], schema });
  },
  document(result, dataset, opts, ctx) {
    const doc = validationDocument(result, {
      maxFindings: opts.maxFindings,
      strict: opts.strict,
      notes: ctx.mode === 'command' ? [...dataset.mapping.notes] : [],
    });
    if (ctx.clientTables) return doc;
    // Row-level findings (file:line and masked values) only when client-level tables are asked for.
    doc.tables = doc.tables.filter((t) => t.id !== 'findings');
    doc.json = { summary: summaryJson(result, opts.strict), files: fileEntries(result, opts.strict, false) };
    return doc;
  },
  gate(result, opts) {
    const { errors, warnings } = result.summary.findings;
    return { errors, warnings, fails: errors > 0 || (opts.strict && warnings > 0) };
  },
  html: {
    id: 'validation',
    heading: 'Data checks',
    intro: (result, opts) => [`Validation of the whole input (before filters). ${verdictLine(result, opts.strict)}`],
  },
  headlines(v) {
    const { errors, warnings } = v.summary.findings;
    return [{ label: 'data checks', value: `${errors} error${errors === 1 ? '' : 's'}`, detail: `${warnings} warning${warnings === 1 ? '' : 's'}` }];
  },
  resolved: (opts, configDir) => (opts.schema ? { ...opts, schema: path.relative(configDir, opts.schema) } : opts),
  references: [],
};
