/**
 * The manuscript formats (`--format apa|latex|docx`), apart from their renderers so that a
 * command can declare its --format choices without loading them.
 */
export type ManuscriptFormat = 'apa' | 'latex' | 'docx';
export const MANUSCRIPT_FORMATS: readonly ManuscriptFormat[] = ['apa', 'latex', 'docx'];

export function isManuscriptFormat(f: string): f is ManuscriptFormat {
  return (MANUSCRIPT_FORMATS as readonly string[]).includes(f);
}
