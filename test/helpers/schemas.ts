/**
 * Validators for the machine-readable outputs: the JSON documents against the schemas the
 * package ships (schemas/<command>.schema.json, Ajv), JUnit XML against
 * test/schemas/junit.xsd (xmllint compiled to WebAssembly) and SARIF against the SARIF
 * 2.1.0 schema (OASIS; the copy shipped by the npm package @microsoft/jest-sarif).
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import { validateXML } from 'xmllint-wasm';
import { ROOT } from './spawn.js';

const SCHEMAS = path.join(ROOT, 'schemas');

/** Ajv with every schema of schemas/ (they refer to each other by file name: defs.schema.json, ...). */
function loadAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, strictRequired: false });
  for (const f of readdirSync(SCHEMAS)
    .filter((n) => n.endsWith('.schema.json'))
    .sort()) {
    ajv.addSchema(JSON.parse(readFileSync(path.join(SCHEMAS, f), 'utf8')) as object);
  }
  return ajv;
}

let shipped: Ajv | null = null;

const describeErrors = (errors: ErrorObject[] | null | undefined): string[] => (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);

/** Errors of `doc` against schemas/<command>.schema.json ([] when valid). */
export function validateJsonDocument(command: string, doc: unknown): string[] {
  const v = (shipped ??= loadAjv()).getSchema(`${command}.schema.json`);
  if (!v) throw new Error(`no schemas/${command}.schema.json`);
  return v(doc) ? [] : describeErrors(v.errors);
}

const JUNIT_XSD = readFileSync(path.join(ROOT, 'test/schemas/junit.xsd'), 'utf8');

/** Errors of a JUnit XML document against test/schemas/junit.xsd ([] when valid). */
export async function validateJunitXml(xml: string): Promise<string[]> {
  const r = await validateXML({ xml: [{ fileName: 'junit.xml', contents: xml }], schema: [{ fileName: 'junit.xsd', contents: JUNIT_XSD }] });
  return r.valid ? [] : r.errors.map((e) => e.rawMessage);
}

/**
 * Ajv for JSON Schema draft-04 (the SARIF schema's draft); a CommonJS module whose export is the
 * class. unicodeRegExp off: one pattern of the SARIF schema ("^[a-zA-Z]{2}|...]?$") is not a
 * valid regular expression with the u flag.
 */
const AjvDraft04 = createRequire(import.meta.url)('ajv-draft-04') as new (opts: Options) => { compile(schema: object): ValidateFunction };

let sarif: ValidateFunction | null = null;

/** The SARIF 2.1.0 JSON schema (draft-04), as published by OASIS, from the @microsoft/jest-sarif package. */
export function sarifSchemaPath(): string {
  return path.join(path.dirname(createRequire(import.meta.url).resolve('@microsoft/jest-sarif/package.json')), 'lib/schemas/sarif-2.1.0-rtm.5.json');
}

/** Errors of a SARIF log against the SARIF 2.1.0 schema ([] when valid). */
export function validateSarif(log: unknown): string[] {
  const v = (sarif ??= new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false }).compile(
    JSON.parse(readFileSync(sarifSchemaPath(), 'utf8')) as object,
  ));
  return v(log) ? [] : describeErrors(v.errors);
}
