/**
 * Arrays and objects nested deeper than this are not followed (the check recurses, and a
 * 1 MiB config of brackets overflowed the stack: an internal error); a config is a mapping
 * with sections one or two levels deep.
 */
export const MAX_JSON_DEPTH = 1000;

/**
 * Finds where JSON text first goes wrong (V8's JSON.parse does not always say). Returns
 * null for valid JSON, else the 0-based offset of the offending character and what was
 * expected there; `tooDeep` when the text nests arrays and objects past MAX_JSON_DEPTH
 * (the offset of the bracket that went past).
 */
export function jsonErrorAt(text: string): { offset: number; expected: string; tooDeep?: true } | null {
  let i = 0;
  let depth = 0;
  let tooDeep = false;
  const n = text.length;
  class Bad extends Error {
    constructor(
      readonly offset: number,
      readonly expected: string,
    ) {
      super(expected);
    }
  }
  const ws = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const expect = (what: string): never => {
    throw new Bad(i, what);
  };
  const str = () => {
    if (text[i] !== '"') expect('a string in double quotes');
    i++;
    while (i < n && text[i] !== '"') {
      if (text[i] === '\\') i++;
      else if (text.charCodeAt(i) < 32) expect('no control characters inside a string');
      i++;
    }
    if (i >= n) expect('a closing quote');
    i++;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if ((c === '{' || c === '[') && ++depth > MAX_JSON_DEPTH) {
      tooDeep = true;
      expect(`at most ${MAX_JSON_DEPTH} levels of nesting`);
    }
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        depth--;
        return;
      }
      for (;;) {
        ws();
        str();
        ws();
        if (text[i] !== ':') expect("':'");
        i++;
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          depth--;
          return;
        }
        expect("',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        depth--;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          depth--;
          return;
        }
        expect("',' or ']'");
      }
    }
    if (c === '"') return str();
    const m = /^(-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
    if (!m) expect('a value');
    i += m![0].length;
  };
  try {
    value();
    ws();
    if (i < n) expect('the end of the text');
    return null;
  } catch (e) {
    if (e instanceof Bad) return tooDeep ? { offset: e.offset, expected: e.expected, tooDeep } : { offset: e.offset, expected: e.expected };
    throw e;
  }
}
