/**
 * The container formats recognised from their first bytes (see ./table.ts for how each is
 * read). Shared by the format dispatch and the standard-input spool, which must let these
 * binary formats through while refusing other binary data.
 */
export type Sniffed = 'gzip' | 'zip' | 'sav' | 'parquet' | 'text';

/** The most bytes `sniffMagic` looks at. */
export const MAGIC_BYTES = 8;

export function sniffMagic(b: Buffer): Sniffed {
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
  if (b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04) return 'zip';
  if (b.length >= 4 && (b.toString('latin1', 0, 4) === '$FL2' || b.toString('latin1', 0, 4) === '$FL3')) return 'sav';
  if (b.length >= 4 && b.toString('latin1', 0, 4) === 'PAR1') return 'parquet';
  return 'text';
}
