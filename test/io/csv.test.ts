import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { openCsv, openCsvTuned } from '../../src/io/csv.js';
import { cleanupSpooled } from '../../src/io/source.js';
import type { CsvInput, ReadOptions } from '../../src/io/types.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alliance-io-test-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let n = 0;
function file(content: string | Buffer, name?: string): string {
  const p = path.join(dir, name ?? `f${n++}.csv`);
  fs.writeFileSync(p, content);
  return p;
}

async function readAll(input: CsvInput, opts?: ReadOptions): Promise<{ rows: string[][]; lines: number[] }> {
  const rows: string[][] = [];
  const lines: number[] = [];
  await input.read((f, line) => {
    rows.push(f.slice());
    lines.push(line);
  }, opts);
  return { rows, lines };
}

async function userError(p: Promise<unknown>): Promise<UserError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e;
  }
  throw new Error('expected a UserError');
}

describe('openCsv: errors', () => {
  it('missing file', async () => {
    const e = await userError(openCsv(path.join(dir, 'nope.csv'), {}));
    expect(e.exitCode).toBe(2);
    expect(e.format()).toMatch(/nope\.csv: no such file\. Check/);
  });

  it('options.display names the input in errors instead of the resolved path', async () => {
    const e = await userError(openCsv(path.join(dir, 'nope.csv'), { display: 'data/nope.csv' }));
    expect(e.format()).toMatch(/^data\/nope\.csv: no such file/);
    const input = await openCsv(file('a,b\n'), { display: 'in.csv' });
    expect(input.display).toBe('in.csv');
    const e2 = await userError(openCsv(file('a,b\n1,"x\n'), { display: 'in.csv' }).then((i) => i.read(() => {})));
    expect(e2.format()).toMatch(/^in\.csv:2:2: unclosed quote/);
  });

  it('a directory', async () => {
    const e = await userError(openCsv(dir, {}));
    expect(e.exitCode).toBe(2);
    expect(e.format()).toContain('is a directory');
  });

  it('empty file', async () => {
    const e = await userError(openCsv(file(''), {}));
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain('file is empty');
  });

  it('only blank lines: no header', async () => {
    const e = await userError(openCsv(file('\n\r\n\n'), {}));
    expect(e.message).toContain('no header');
  });

  it('empty header fields', async () => {
    const e = await userError(openCsv(file(',,\n1,2,3\n'), {}));
    expect(e.message).toContain('header line is empty');
  });

  it('header-only file reads 0 records', async () => {
    const input = await openCsv(file('client,session,srs\n'), {});
    expect(input.header).toEqual(['client', 'session', 'srs']);
    const stats = await input.read(() => {
      throw new Error('no records expected');
    });
    expect(stats.records).toBe(0);
    expect(stats.lines).toBe(1);
  });

  it('unclosed quote names the line where the field began', async () => {
    const lines = ['a,b,c'];
    for (let i = 2; i < 57; i++) lines.push(`${i},x,y`);
    lines.push('57,x,"never closed');
    for (let i = 58; i < 70; i++) lines.push(`${i},x,y`);
    const p = file(lines.join('\n') + '\n', 'data.csv');
    for (const chunkSize of [3, 64, 1 << 20]) {
      const input = await openCsvTuned(p, {}, undefined, { chunkSize });
      const e = await userError(input.read(() => {}));
      expect(e.exitCode).toBe(2);
      expect(e.format()).toBe(
        `${p}:57:3: unclosed quote: the quoted field that starts here never ends. Close the quote or escape quotes inside a field by doubling them.`,
      );
    }
  });

  it('binary garbage', async () => {
    const bytes = Buffer.alloc(4096);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) % 256;
    const e = await userError(openCsv(file(bytes), {}));
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain('does not look like a CSV text file');
  });

  it('control characters without NUL', async () => {
    const e = await userError(openCsv(file('a,b\n' + '\x01\x02\x03\x04,\x05\x06\x07\x08\x0b\x0e\n'.repeat(20)), {}));
    expect(e.message).toContain('does not look like a CSV text file');
  });

  it('UTF-16 without a BOM suggests --encoding', async () => {
    const e = await userError(openCsv(file(Buffer.from('a,b\n1,2\n', 'utf16le')), {}));
    expect(e.hint).toContain('--encoding utf16le');
  });

  it('invalid UTF-8 in the header block names the line and --encoding latin1', async () => {
    const p = file(Buffer.concat([Buffer.from('client,name\n1,ok\n2,Ren'), Buffer.from([0xe9]), Buffer.from('e\n')]));
    const e = await userError(openCsv(p, {}));
    expect(e.exitCode).toBe(2);
    expect(e.location.line).toBe(3);
    expect(e.format()).toContain('--encoding latin1');
  });

  it('invalid UTF-8 far into the file is reported by read with its line', async () => {
    const parts = ['client,name\n'];
    for (let i = 0; i < 5000; i++) parts.push(`${i},René\n`);
    const good = Buffer.from(parts.join(''));
    const p = file(Buffer.concat([good, Buffer.from('5000,Ren'), Buffer.from([0xe9, 0x0a])]));
    const input = await openCsvTuned(p, {}, undefined, { chunkSize: 4096, sampleSize: 1024 });
    const e = await userError(input.read(() => {}));
    expect(e.location.line).toBe(5002);
    expect(e.format()).toMatch(/:5002: is not valid UTF-8 \(byte 0xE9\)\. Re-run with --encoding latin1/);
  });

  it('truncated UTF-8 at the end of the file', async () => {
    const p = file(Buffer.concat([Buffer.from('a,b\n1,'), Buffer.from([0xc3])]));
    const e = await userError(openCsv(p, {}));
    expect(e.message).toContain('not valid UTF-8');
  });
});

describe('openCsv: encodings', () => {
  const text = 'client;name;srs\n1;René;36,5\n2;Zoë 😀;38,0\n';

  it('UTF-8 with BOM: BOM stripped from the header', async () => {
    const input = await openCsv(file(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])), {});
    expect(input.dialect).toMatchObject({ encoding: 'utf8', bom: true, delimiter: ';', decimal: ',', lineEnding: '\n' });
    expect(input.header).toEqual(['client', 'name', 'srs']);
    expect((await readAll(input)).rows).toEqual([
      ['1', 'René', '36,5'],
      ['2', 'Zoë 😀', '38,0'],
    ]);
  });

  it('UTF-16LE with BOM', async () => {
    const input = await openCsvTuned(file(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])), {}, undefined, {
      chunkSize: 3,
    });
    expect(input.dialect).toMatchObject({ encoding: 'utf16le', bom: true });
    expect(input.header).toEqual(['client', 'name', 'srs']);
    expect((await readAll(input)).rows[1]).toEqual(['2', 'Zoë 😀', '38,0']);
  });

  it('UTF-16BE with BOM', async () => {
    const le = Buffer.from(text, 'utf16le');
    const be = Buffer.from(le).swap16();
    const input = await openCsvTuned(file(Buffer.concat([Buffer.from([0xfe, 0xff]), be])), {}, undefined, { chunkSize: 5 });
    expect(input.dialect).toMatchObject({ encoding: 'utf16be', bom: true });
    expect(input.header).toEqual(['client', 'name', 'srs']);
    expect((await readAll(input)).rows[1]).toEqual(['2', 'Zoë 😀', '38,0']);
  });

  it('latin1 forced (read as Windows-1252)', async () => {
    const bytes = Buffer.from('client,name,note\n1,Ren\xe9,\x80 5\n', 'latin1');
    const input = await openCsv(file(bytes), { encoding: 'latin1' });
    expect(input.dialect.encoding).toBe('latin1');
    expect((await readAll(input)).rows).toEqual([['1', 'René', '€ 5']]);
  });

  it('utf16le forced without BOM', async () => {
    const input = await openCsv(file(Buffer.from('a,b\n1,ü\n', 'utf16le')), { encoding: 'utf16le' });
    expect(input.dialect.bom).toBe(false);
    expect((await readAll(input)).rows).toEqual([['1', 'ü']]);
  });
});

describe('openCsv: dialect', () => {
  it.each([
    [',', 'a,b,c\n1,2,3\n4,5,6\n'],
    [';', 'a;b;c\n1;2;3\n4;5;6\n'],
    ['\t', 'a\tb\tc\n1\t2\t3\n4\t5\t6\n'],
    ['|', 'a|b|c\n1|2|3\n4|5|6\n'],
    [',', 'name,notes\n"Smith; J",a;b\n"x|y",c\n'],
    [';', 'a;b\n1,5;2,5\n3,0;"x;y"\n'],
  ])('sniffs %j', async (d, content) => {
    const input = await openCsv(file(content), {});
    expect(input.dialect.delimiter).toBe(d);
  });

  it('forced delimiter and named tab', async () => {
    const input = await openCsv(file('a;b,c\n1;2,3\n'), { delimiter: ',' });
    expect(input.header).toEqual(['a;b', 'c']);
    const tab = await openCsv(file('a\tb\n1\t2\n'), { delimiter: 'tab' });
    expect(tab.header).toEqual(['a', 'b']);
    await expect(openCsv(file('a\n'), { delimiter: '::' })).rejects.toThrow(UserError);
  });

  it('decimal comma only for ;-separated files with comma numbers and no point numbers', async () => {
    expect((await openCsv(file('a;b\n1,5;2\n'), {})).dialect.decimal).toBe(',');
    expect((await openCsv(file('a;b\n1,5;2.5\n'), {})).dialect.decimal).toBe('.');
    expect((await openCsv(file('a;b\n1;2\n'), {})).dialect.decimal).toBe('.');
    expect((await openCsv(file('a,b\n"1,5",2\n'), {})).dialect.decimal).toBe('.');
    expect((await openCsv(file('a;b\n1;2\n'), { decimal: ',' })).dialect.decimal).toBe(',');
  });

  it('line endings and physical line numbers with embedded newlines', async () => {
    for (const eol of ['\n', '\r\n', '\r']) {
      const content = ['a,b', '1,"x', 'y"', '', '2,"p', '', 'q"', '3,z'].join(eol);
      for (const chunkSize of [1, 2, 7, 1 << 20]) {
        const input = await openCsvTuned(file(content), {}, undefined, { chunkSize });
        expect(input.dialect.lineEnding).toBe(eol);
        const { rows, lines } = await readAll(input);
        expect(rows).toEqual([
          ['1', `x${eol}y`],
          ['2', `p${eol}${eol}q`],
          ['3', 'z'],
        ]);
        expect(lines).toEqual([2, 5, 8]);
        const stats = await input.read(() => {});
        expect(stats).toEqual({ records: 3, bytes: Buffer.byteLength(content), lines: 8 });
      }
    }
  });

  it('ragged records are delivered as they are', async () => {
    const input = await openCsv(file('a,b,c\n1,2\n1,2,3,4\n\n5,6,7\n'), {});
    expect((await readAll(input)).rows).toEqual([
      ['1', '2'],
      ['1', '2', '3', '4'],
      ['5', '6', '7'],
    ]);
  });

  it('projection fills only the requested fields', async () => {
    const input = await openCsv(file('a,b,c,d\n1,2,3,4\n5,"6,6",7\n8,9,10,11,12\n'), {});
    const { rows } = await readAll(input, { fields: [1, 3, 4] });
    expect(rows).toEqual([
      ['', '2', '', '4'],
      ['', '6,6', ''],
      ['', '9', '', '11', '12'],
    ]);
  });

  it('leading blank lines: header on the first non-blank line', async () => {
    const input = await openCsv(file('\n\na,b\n1,2\n'), {});
    expect(input.headerLine).toBe(3);
    expect((await readAll(input)).lines).toEqual([4]);
  });

  it('a handler that happens to return true does not stop the read', async () => {
    const input = await openCsv(file('a\n1\n2\n3\n'), {});
    let n = 0;
    const handler = (() => ++n > 0) as unknown as () => void;
    expect((await input.read(handler)).records).toBe(3);
    expect(n).toBe(3);
  });

  it('read can be called more than once and reports progress', async () => {
    const input = await openCsvTuned(file('a,b\n' + '1,2\n'.repeat(1000)), {}, undefined, { chunkSize: 100 });
    const s1 = await input.read(() => {});
    let last = 0;
    const s2 = await input.read(() => {}, { onProgress: (b) => (last = b) });
    expect(s1).toEqual(s2);
    expect(s1.records).toBe(1000);
    expect(last).toBe(input.bytes);
  });
});

describe('openCsv: stdin', () => {
  it('spools stdin to a temp file that can be read twice', async () => {
    const stdin = Readable.from([Buffer.from('a,b\n1,'), Buffer.from('2\n3,4\n')]);
    const input = await openCsv('-', {}, stdin);
    expect(input.display).toBe('<stdin>');
    expect(input.path).toBe('-');
    expect(input.bytes).toBe(12);
    expect((await readAll(input)).rows).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
    expect((await readAll(input)).rows).toHaveLength(2);
    const spools = fs.readdirSync(os.tmpdir()).filter((d) => d.startsWith('alliance-stdin-'));
    expect(spools.length).toBeGreaterThan(0);
    cleanupSpooled();
  });

  it('a named pipe is spooled like stdin', async () => {
    const { execFileSync, spawn } = await import('node:child_process');
    const fifo = path.join(dir, 'pipe.csv');
    try {
      execFileSync('mkfifo', [fifo]);
    } catch {
      return; // no mkfifo on this platform
    }
    const writer = spawn('sh', ['-c', `printf 'a,b\\n1,2\\n' > '${fifo}'`]);
    const exited = new Promise((r) => writer.on('exit', r));
    const input = await openCsv(fifo, {});
    expect(input.display).toBe(fifo);
    expect((await readAll(input)).rows).toEqual([['1', '2']]);
    expect((await readAll(input)).rows).toEqual([['1', '2']]);
    await exited;
    cleanupSpooled();
  });

  it('a terminal on stdin is a UserError, not a hang', async () => {
    const tty = Object.assign(Readable.from([]), { isTTY: true });
    const e = await userError(openCsv('-', {}, tty));
    expect(e.format()).toMatch(/^<stdin>: standard input is a terminal/);
  });

  it('empty stdin', async () => {
    const e = await userError(openCsv('-', {}, Readable.from([])));
    expect(e.format()).toMatch(/^<stdin>: standard input is empty/);
    cleanupSpooled();
  });

  it('the spool file is removed at process exit', async () => {
    const { spawnSync } = await import('node:child_process');
    // Run a child that spools stdin and prints the spool path; after it exits the path must be gone.
    // Needs the built dist/ (test/global-setup.ts builds it when stale); fails rather than skips when it is absent.
    const built = path.resolve(__dirname, '../../dist/io/source.js');
    expect(fs.existsSync(built), 'dist/ is missing: run npm run build').toBe(true);
    const child = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(built)});
         const s = await m.openSource('-', process.stdin); console.log(s.file);`,
      ],
      { input: 'a,b\n1,2\n', encoding: 'utf8' },
    );
    const out = child.stdout.trim();
    expect(out).toContain('alliance-stdin-');
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('openCsv: Excel sep= line', () => {
  it('takes the delimiter from "sep=;" and reads the header from the next line', async () => {
    const input = await openCsv(file('sep=;\r\nclient;srs\r\n1;36,5\r\n'), {});
    expect(input.dialect).toMatchObject({ delimiter: ';', decimal: ',', lineEnding: '\r\n' });
    expect(input.header).toEqual(['client', 'srs']);
    expect(input.headerLine).toBe(2);
    expect(await readAll(input)).toEqual({ rows: [['1', '36,5']], lines: [3] });
  });
  it('a first line sep=" names the file and the line (it was "--delimiter must be one character", a flag never given)', async () => {
    const e = await userError(openCsv(file('sep="\nclient,srs\n1,36\n', 'quote-sep.csv'), {}));
    expect(e.format()).toMatch(
      /quote-sep\.csv:1: the first line 'sep="' names a quote as the delimiter\. Delete that line \(the delimiter is then detected\), or give --delimiter\.$/,
    );
  });
});

describe('openCsv: long records', () => {
  it('a quoted field spanning many chunks', async () => {
    const big = 'x'.repeat(50_000) + '\n' + 'é'.repeat(100_000) + '""' + 'y'.repeat(60_000);
    const content = `a,b\n1,"${big}"\n2,z\n`;
    const input = await openCsvTuned(file(content), {}, undefined, { chunkSize: 4096 });
    const { rows, lines } = await readAll(input);
    expect(rows).toEqual([
      ['1', big.replace('""', '"')],
      ['2', 'z'],
    ]);
    expect(lines).toEqual([2, 4]);
  });

  it('an unclosed quote early in a long file names its line', async () => {
    const content = 'a,b\n1,2\n3,"oops\n' + '4,5\n'.repeat(100_000);
    const input = await openCsvTuned(file(content), {}, undefined, { chunkSize: 8192 });
    const e = await userError(input.read(() => {}));
    expect(e.location).toMatchObject({ line: 3, column: 2 });
  });

  it('a record longer than the limit is a UserError', async () => {
    const content = 'a,b\n1,' + 'y'.repeat(100_000) + '\n';
    const input = await openCsvTuned(file(content), {}, undefined, { chunkSize: 1000, maxRecordBytes: 50_000 });
    const e = await userError(input.read(() => {}));
    expect(e.location.line).toBe(2);
    expect(e.message).toContain('runs on for more than');
  });
});
