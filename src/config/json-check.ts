/**
 * Finds where JSON text first goes wrong (V8's JSON.parse does not always say). Returns
 * null for valid JSON, else the 0-based offset of the offending character and what was
 * expected there.
 */
export function jsonErrorAt(text: string): { offset: number; expected: string } | null {
  let i = 0;
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
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
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
    if (e instanceof Bad) return { offset: e.offset, expected: e.expected };
    throw e;
  }
}
