// The same sessions as the long benchmark CSV in other formats and layouts, for
// `npm run bench` (bench/run.mjs): gzip, zip, wide (one row per client), REDCap, Parquet
// (hyparquet-writer, a devDependency), Excel (exceljs, a devDependency; all rows: a sheet
// holds up to 1,048,576) and SPSS .sav and .zsav (R haven, when Rscript with haven is
// installed). Files are written once to bench/data/ and reused.
import { createReadStream, createWriteStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createGzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';

async function* records(file) {
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of rl) if (line !== '') yield line.split(',');
}

async function writeLines(out, gen) {
  const ws = createWriteStream(out);
  for await (const line of gen) if (!ws.write(line + '\n')) await new Promise((r) => ws.once('drain', r));
  await new Promise((r) => ws.end(r));
}

async function wide(src, out) {
  let header = null;
  let K = 0;
  // One pass to find the largest session number (the simulate files have 20 per client).
  for await (const r of records(src)) {
    if (!header) {
      header = r;
      continue;
    }
    K = Math.max(K, Number(r[header.indexOf('session')]));
  }
  const fixed = ['client_id', 'therapist_id', 'site'].map((h) => header.indexOf(h));
  const per = header.map((h, i) => i).filter((i) => !fixed.includes(i) && header[i] !== 'session');
  await writeLines(
    out,
    (async function* () {
      const names = [];
      for (let k = 1; k <= K; k++) for (const i of per) names.push(`${header[i]}_t${k}`);
      yield [...fixed.map((i) => header[i]), ...names].join(',');
      let client = null;
      let row = null;
      let first = true;
      for await (const r of records(src)) {
        if (first) {
          first = false;
          continue;
        }
        if (r[0] !== client) {
          if (row) yield row.join(',');
          client = r[0];
          row = [...fixed.map((i) => r[i]), ...new Array(K * per.length).fill('')];
        }
        const k = Number(r[header.indexOf('session')]);
        per.forEach((i, j) => (row[fixed.length + (k - 1) * per.length + j] = r[i]));
      }
      if (row) yield row.join(',');
    })(),
  );
}

async function redcap(src, out) {
  let header = null;
  await writeLines(
    out,
    (async function* () {
      for await (const r of records(src)) {
        if (!header) {
          header = r;
          yield ['record_id', 'redcap_event_name', ...header.filter((h) => h !== 'client_id' && h !== 'session')].join(',');
          continue;
        }
        const s = r[header.indexOf('session')];
        yield [r[0], `session_${s}_arm_1`, ...r.filter((_, i) => header[i] !== 'client_id' && header[i] !== 'session')].join(',');
      }
    })(),
  );
}

async function parquet(src, out) {
  const { parquetWriteFile } = await import('hyparquet-writer');
  const text = readFileSync(src, 'utf8').trim().split('\n');
  const header = text[0].split(',');
  const cols = header.map(() => []);
  for (let i = 1; i < text.length; i++) {
    const r = text[i].split(',');
    for (let j = 0; j < r.length; j++) cols[j].push(r[j]);
  }
  const num = (s) => (s === '' ? null : Number(s));
  const columnData = header.map((h, j) => {
    if (h === 'session') return { name: h, data: cols[j].map(Number), type: 'INT32' };
    if (h === 'date') return { name: h, data: cols[j].map((d) => (d === '' ? null : Math.round(Date.parse(`${d}T00:00:00Z`) / 86400000))), type: 'INT32' };
    if (['client_id', 'therapist_id', 'site'].includes(h)) return { name: h, data: cols[j], type: 'STRING' };
    return { name: h, data: cols[j].map(num), type: 'DOUBLE' };
  });
  parquetWriteFile({ filename: out, columnData, rowGroupSize: 100_000 });
}

async function xlsx(src, out, maxRows) {
  const ExcelJS = (await import('exceljs')).default;
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: out });
  const ws = wb.addWorksheet('Sessions');
  let n = 0;
  let header = null;
  for await (const r of records(src)) {
    if (!header) {
      header = r;
      ws.addRow(r).commit();
      continue;
    }
    if (++n > maxRows) break;
    ws.addRow(r.map((v, j) => (['client_id', 'therapist_id', 'site', 'date'].includes(header[j]) || v === '' ? (v === '' ? null : v) : Number(v)))).commit();
  }
  await wb.commit();
}

function sav(src, out, compress = 'byte') {
  if (spawnSync('Rscript', ['-e', 'library(haven)']).status !== 0) return false;
  const r = spawnSync(
    'Rscript',
    [
      '-e',
      `d <- read.csv("${src}", stringsAsFactors = FALSE, na.strings = ""); d$date <- as.Date(d$date); haven::write_sav(d, "${out}", compress = "${compress}")`,
    ],
    { stdio: 'inherit' },
  );
  return r.status === 0;
}

/** [{ name, file }] of the format files for `src` (generated when missing). */
export async function formatFiles(src, n) {
  const base = src.replace(/\.csv$/, '');
  const out = [];
  const make = async (name, file, fn) => {
    if (!existsSync(file)) {
      console.error(`bench: writing ${file} ...`);
      const ok = await fn(file);
      if (ok === false) {
        console.error(`bench: skipping ${name} (needs Rscript with haven)`);
        return;
      }
    }
    out.push({ name, file });
  };
  await make('gzip CSV', `${base}.csv.gz`, (f) => pipeline(createReadStream(src), createGzip(), createWriteStream(f)));
  await make('wide CSV', `${base}-wide.csv`, (f) => wide(src, f));
  await make('REDCap CSV', `${base}-redcap.csv`, (f) => redcap(src, f));
  await make('Parquet', `${base}.parquet`, (f) => parquet(src, f));
  await make('SPSS .sav', `${base}.sav`, (f) => sav(src, f));
  await make('SPSS .zsav', `${base}.zsav`, (f) => sav(src, f, 'zsav'));
  await make('Excel .xlsx', `${base}.xlsx`, (f) => xlsx(src, f, n));
  writeFileSync(`${base}.formats.json`, JSON.stringify(out));
  return out;
}
