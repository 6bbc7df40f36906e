// A purpose-built delimited-text tokenizer. csv-parse is the reference it is tested against
// (test/read/tokenize.test.ts); this one exists because it also tracks the physical line each
// row starts and ends on, which every later message cites, and because it is several times
// faster on the hot path.

export interface RawRow {
  /** 1-based physical line where the row starts. */
  line: number;
  /** 1-based physical line where the row ends (differs when a quoted cell holds a newline). */
  endLine: number;
  cells: string[];
}

export type Delimiter = ',' | '\t' | ';' | '|';
export const DELIMITERS: readonly Delimiter[] = [',', '\t', ';', '|'];

const QUOTE = 34; // "
const CR = 13;
const LF = 10;

/**
 * Split text into rows of cells. Quotes are honoured only at the start of a cell (RFC 4180);
 * a quote elsewhere is literal, as spreadsheet exports write them. A quote that never closes is
 * taken literally too, so one stray quote cannot swallow the rest of the file.
 */
export function tokenizeDelimited(text: string, delimiter: string): RawRow[] {
  const rows: RawRow[] = [];
  const delim = delimiter.charCodeAt(0);
  const len = text.length;
  let pos = 0;
  let line = 1;
  while (pos < len) {
    const startLine = line;
    const cells: string[] = [];
    let endOfRow = false;
    while (!endOfRow) {
      if (text.charCodeAt(pos) === QUOTE) {
        const quoted = readQuotedCell(text, pos, delim);
        if (quoted) {
          cells.push(quoted.value);
          line += quoted.newlines;
          pos = quoted.next;
          const c = pos < len ? text.charCodeAt(pos) : -1;
          if (c === delim) {
            pos++;
            continue;
          }
          // Row ends (newline or EOF).
          if (c === CR) pos += text.charCodeAt(pos + 1) === LF ? 2 : 1;
          else if (c === LF) pos++;
          if (c === CR || c === LF) line++;
          endOfRow = true;
          continue;
        }
      }
      // Unquoted cell: scan to delimiter or end of line.
      let i = pos;
      while (i < len) {
        const c = text.charCodeAt(i);
        if (c === delim || c === LF || c === CR) break;
        i++;
      }
      cells.push(text.slice(pos, i));
      if (i < len && text.charCodeAt(i) === delim) {
        pos = i + 1;
        if (pos >= len) {
          cells.push('');
          endOfRow = true;
        }
        continue;
      }
      if (i < len) {
        pos = i + (text.charCodeAt(i) === CR && text.charCodeAt(i + 1) === LF ? 2 : 1);
        line++;
      } else {
        pos = i;
      }
      endOfRow = true;
    }
    rows.push({ line: startLine, endLine: rowEndLine(startLine, line, pos, len, text), cells });
  }
  return rows;
}

/** The row's last line: the line counter has already moved past its terminating newline. */
function rowEndLine(startLine: number, lineAfter: number, pos: number, len: number, text: string): number {
  const terminated = pos > 0 && pos <= len && (text.charCodeAt(pos - 1) === LF || text.charCodeAt(pos - 1) === CR);
  return Math.max(startLine, terminated ? lineAfter - 1 : lineAfter);
}

interface QuotedCell {
  value: string;
  next: number;
  newlines: number;
}

function readQuotedCell(text: string, start: number, delim: number): QuotedCell | null {
  const len = text.length;
  let i = start + 1;
  let value = '';
  let chunkStart = i;
  let newlines = 0;
  while (i < len) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      if (text.charCodeAt(i + 1) === QUOTE) {
        value += text.slice(chunkStart, i + 1);
        i += 2;
        chunkStart = i;
        continue;
      }
      value += text.slice(chunkStart, i);
      i++;
      let j = i;
      let blanksOnly = true;
      while (j < len) {
        const d = text.charCodeAt(j);
        if (d === delim || d === LF || d === CR) break;
        if (d !== 0x20 && d !== 0x09) blanksOnly = false;
        j++;
      }
      // Padding after the closing quote is kept as padding (`"0123" ` → `0123 `, trimmed later;
      // csv-parse would keep the quotes).
      if (blanksOnly) return { value: value + text.slice(i, j), next: j, newlines };
      // A quote followed by text is no closing quote: the cell was never a quoted one. It is read
      // as written, quotes and all, up to the next delimiter (as csv-parse's relax_quotes does):
      // `"b"x` → `"b"x`, and an unclosed `"6228…` keeps its quote.
      return { value: text.slice(start, j), next: j, newlines };
    }
    if (c === LF || (c === CR && text.charCodeAt(i + 1) !== LF)) newlines++;
    i++;
  }
  return null;
}

/**
 * Pick the delimiter that splits the sample lines into the most consistent, widest rows.
 * Lines are scored independently so a title line above the header does not decide.
 */
export function detectDelimiter(sampleText: string): Delimiter {
  const lines = sampleText.split(/\r\n|\n|\r/, 60).filter((l) => l.trim() !== '');
  let best: Delimiter = ',';
  let bestScore = -1;
  for (const d of DELIMITERS) {
    const counts = lines.map((l) => countOutsideQuotes(l, d));
    const freq = new Map<number, number>();
    for (const c of counts) if (c > 0) freq.set(c, (freq.get(c) ?? 0) + 1);
    // The most common non-zero count, weighted by how many lines share it.
    let score = 0;
    for (const [count, n] of freq) score = Math.max(score, n * 1000 + count);
    if (score > bestScore) {
      bestScore = score;
      best = d;
    }
  }
  return best;
}

function countOutsideQuotes(line: string, d: string): number {
  let n = 0;
  let inQuotes = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"') inQuotes = !inQuotes;
    else if (ch === d && !inQuotes) n++;
  }
  return n;
}

/** Count physical lines the way the tokenizer does (a final newline does not start a line). */
export function countPhysicalLines(text: string): number {
  if (text.length === 0) return 0;
  let n = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === LF) n++;
    else if (c === CR && text.charCodeAt(i + 1) !== LF) n++;
  }
  const last = text.charCodeAt(text.length - 1);
  if (last === LF || last === CR) n--;
  return n;
}
