/** How a manuscript names the measures: by instrument where one is bound, else by the column. */
import type { Dataset, MeasureBinding } from '../../dataset/types.js';
import { instrumentWork, type Work } from './references.js';

function binding(dataset: Dataset, column: string): MeasureBinding | undefined {
  return dataset.mapping.measures.find((m) => m.name === column);
}

/** "PHQ-9" for a column bound to PHQ-9 (unless two columns share it), else the column name. */
export function measureLabel(dataset: Dataset, column: string): string {
  const b = binding(dataset, column);
  if (!b?.instrument) return column;
  const same = dataset.mapping.measures.filter((m) => m.instrument?.id === b.instrument!.id);
  return same.length > 1 ? `${b.instrument.id} (${column})` : b.instrument.id;
}

/** Which way the outcome scale runs, for the reader of a sign ("Higher PHQ-9 scores indicate worse outcome."). */
export function directionSentence(dataset: Dataset, column: string): string | null {
  const b = binding(dataset, column);
  if (!b?.instrument) return null;
  return `Higher ${measureLabel(dataset, column)} scores indicate ${b.instrument.higherIsBetter ? 'better' : 'worse'} ${b.role === 'alliance' ? 'alliance' : 'outcome'}.`;
}

/** The sources of the instruments bound to these columns (as the registry cites them). */
export function instrumentWorks(dataset: Dataset, columns: string[]): Work[] {
  const out: Work[] = [];
  for (const c of columns) {
    const ins = binding(dataset, c)?.instrument;
    if (ins) out.push(instrumentWork(ins.id, ins.range.source));
  }
  return out;
}

/** The instruments named for the methods: "the SRS (Session Rating Scale)". */
export function instrumentNames(dataset: Dataset, columns: string[]): string[] {
  const out: string[] = [];
  for (const c of columns) {
    const ins = binding(dataset, c)?.instrument;
    out.push(ins ? `${measureLabel(dataset, c)} (${ins.name})` : `${c} (no instrument bound)`);
  }
  return [...new Set(out)];
}
