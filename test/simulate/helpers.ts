/** Plain parsing and statistics for checking simulated data (independent of src/). */
export interface Parsed {
  header: string[];
  rows: string[][];
}

/** The simulator never quotes fields, so a split is a faithful parse. */
export function parseCsv(text: string): Parsed {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return { header: lines[0].split(','), rows: lines.slice(1).map((l) => l.split(',')) };
}

export function col(p: Parsed, name: string): number {
  const i = p.header.indexOf(name);
  if (i < 0) throw new Error(`no column ${name}`);
  return i;
}

export function pearson(x: number[], y: number[]): number {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** Rows with both values present, grouped by client in file order. */
export function byClient(p: Parsed, a: string, o: string): Map<string, { x: number[]; y: number[] }> {
  const ic = col(p, 'client_id');
  const ia = col(p, a);
  const io = col(p, o);
  const m = new Map<string, { x: number[]; y: number[] }>();
  for (const r of p.rows) {
    if (r[ia] === '' || r[io] === '') continue;
    let g = m.get(r[ic]);
    if (!g) m.set(r[ic], (g = { x: [], y: [] }));
    g.x.push(Number(r[ia]));
    g.y.push(Number(r[io]));
  }
  return m;
}

/** Correlation of per-client means (n = clients). */
export function betweenR(groups: Map<string, { x: number[]; y: number[] }>): number {
  const mx: number[] = [];
  const my: number[] = [];
  for (const g of groups.values()) {
    mx.push(g.x.reduce((s, v) => s + v, 0) / g.x.length);
    my.push(g.y.reduce((s, v) => s + v, 0) / g.y.length);
  }
  return pearson(mx, my);
}

/** Pooled correlation of client-mean-centred values (the rmcorr point estimate). */
export function withinR(groups: Map<string, { x: number[]; y: number[] }>): number {
  const cx: number[] = [];
  const cy: number[] = [];
  for (const g of groups.values()) {
    if (g.x.length < 2) continue;
    const mx = g.x.reduce((s, v) => s + v, 0) / g.x.length;
    const my = g.y.reduce((s, v) => s + v, 0) / g.y.length;
    for (let i = 0; i < g.x.length; i++) {
      cx.push(g.x[i] - mx);
      cy.push(g.y[i] - my);
    }
  }
  return pearson(cx, cy);
}
