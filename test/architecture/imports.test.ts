/**
 * The house's layering, checked on the sources: every relative import under src/ (type
 * imports and re-exports included) points to the same area or to a lower layer, and no
 * chain of imports comes back to where it started. README "How it is built" draws it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve('src');

/**
 * Areas by path under src/ (the longest matching prefix wins) and their layer: an area
 * may import its own files and those of areas in lower layers only.
 */
const AREAS: [prefix: string, layer: number][] = [
  ['errors.ts', 0],
  ['names.ts', 0],
  ['version.ts', 0],
  ['sequence.ts', 0],
  ['stats/', 0],
  ['io/', 1],
  ['instruments/', 1],
  ['privacy/', 1],
  ['dataset/', 2],
  ['config/', 3],
  ['validate/', 3],
  ['analysis/', 3],
  ['simulate/', 3],
  ['report/', 4],
  ['sections/', 5],
  ['report/batch/', 6],
  ['cli/', 7],
];

function areaOf(rel: string): [string, number] {
  let best: [string, number] | undefined;
  for (const a of AREAS) if (rel.startsWith(a[0]) && (!best || a[0].length > best[0].length)) best = a;
  if (!best) throw new Error(`src/${rel} is in no area: add it to AREAS (and to README "How it is built")`);
  return best;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Relative import targets of a file, as paths under src/ (`.js` specifiers name `.ts` sources). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  const re =
    /(?:^|[;\s])(?:import|export)\s(?:type\s)?[^;'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)|^import\s+['"](\.{1,2}\/[^'"]+)['"]/gm;
  for (const m of text.matchAll(re)) {
    const spec = m[1] ?? m[2] ?? m[3];
    out.push(
      path
        .relative(SRC, path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts')))
        .split(path.sep)
        .join('/'),
    );
  }
  return out;
}

const files = sources(SRC)
  .map((f) => path.relative(SRC, f).split(path.sep).join('/'))
  .sort();
const graph = new Map(files.map((f) => [f, importsOf(path.join(SRC, f))]));

describe('the import graph of src/', () => {
  it('finds the imports (the parser is not blind)', () => {
    expect(graph.get('cli/main.ts')).toContain('cli/commands/index.ts');
    expect(graph.get('sections/registry.ts')).toContain('sections/section.ts');
    expect([...graph.values()].reduce((n, xs) => n + xs.length, 0)).toBeGreaterThan(300);
    for (const [f, xs] of graph) for (const x of xs) expect(files, `${f} imports ${x}, which does not exist`).toContain(x);
  });

  it('points only to the same area or down a layer', () => {
    const up: string[] = [];
    for (const [from, targets] of graph) {
      const [a, la] = areaOf(from);
      for (const to of targets) {
        const [b, lb] = areaOf(to);
        if (a !== b && lb >= la) up.push(`${from} -> ${to} (${a} is layer ${la}, ${b} is layer ${lb})`);
      }
    }
    expect(up).toEqual([]);
  });

  it('has no cycle', () => {
    // Tarjan's strongly connected components: any component of more than one file (or a
    // file importing itself) is a cycle.
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const on = new Set<string>();
    const cycles: string[][] = [];
    let next = 0;
    const visit = (v: string): void => {
      index.set(v, next);
      low.set(v, next++);
      stack.push(v);
      on.add(v);
      for (const w of graph.get(v) ?? []) {
        if (!index.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v)!, low.get(w)!));
        } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
      if (low.get(v) === index.get(v)) {
        const comp: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          on.delete(w);
          comp.push(w);
        } while (w !== v);
        if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(comp.sort());
      }
    };
    for (const f of files) if (!index.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });

  it("keeps each section's document builder in its folder and the report step files small", () => {
    // A section is one folder (README "How to add an analysis"): its options, its Section
    // and its ResultDocument builder; src/report holds only what the builders share.
    const folders = files.filter((f) => /^sections\/[a-z]+\/index\.ts$/.test(f)).map((f) => f.split('/')[1]);
    expect(folders.length).toBeGreaterThanOrEqual(6);
    for (const name of folders) expect(files, `sections/${name}/document.ts`).toContain(`sections/${name}/document.ts`);
    expect(files.filter((f) => f.startsWith('report/documents/'))).toEqual([]);
    for (const f of files.filter((x) => x.startsWith('report/batch/'))) {
      const lines = readFileSync(path.join(SRC, f), 'utf8').split('\n').length;
      expect(lines, `src/${f} has ${lines} lines`).toBeLessThan(500);
    }
  });

  it('stats imports nothing of ours', () => {
    for (const [from, targets] of graph) if (from.startsWith('stats/')) for (const to of targets) expect(to, from).toMatch(/^stats\//);
  });
});
