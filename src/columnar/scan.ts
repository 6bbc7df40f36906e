// Byte-level scan of a delimited export into typed-array columns: the fast path's reader.
// It never decodes the file. Line ends, quotes and the delimiters ASCII below 0x40 (comma, tab,
// semicolon) never occur inside a multi-byte character in UTF-8 (whose such bytes are ≥ 0x80) or
// in GBK/GB18030 (second bytes ≥ 0x40, four-byte forms 0x30–0x39 and ≥ 0x81), so both encodings
// scan at the same speed; digits are only read in cells that must be all ASCII. Only the few
// distinct words (交易类型, 交易状态, 卡类型 …) and ids are decoded, once each.
//
// The scan is deliberately narrow. A line it does not fully understand (quotes, a cell count
// other than the header's, an amount like 1,234.56, a date in another format) is marked
// `other` and read later by the reference reader, so the fast path can only ever speed a row
// up, never read it differently.
import { isUtf8 } from 'node:buffer';
import { cleanCell } from '../normalise/cells.js';
import { EXCEL_ZEROED_MIN, checkIdentifier } from '../normalise/ids.js';
import { hasDeductionWord } from '../normalise/records.js';

export type ScanField =
  | 'rrn' | 'amount' | 'fee' | 'net' | 'time' | 'date' | 'settleDate' | 'businessDate' | 'merchantId' | 'terminalId'
  | 'trace' | 'card' | 'txnType' | 'status' | 'cardType' | 'channel' | 'memo';

/**
 * The cells whose distinct values make up a row's "words" (decoded once per combination). The
 * memo is not one of them: memos are often different on every row, and only whether a memo names
 * a deduction matters (ScannedFile.memoDeduction).
 */
export const WORD_FIELDS = ['txnType', 'status', 'cardType', 'channel'] as const;
export type WordField = (typeof WORD_FIELDS)[number];

export interface ScanPlan {
  /** Delimiter byte (0x2c comma, 0x09 tab, …). */
  delimiter: number;
  /** Cells in the header row: a data line with any other count is read the reference way. */
  width: number;
  /** Byte offset of the first line to scan, and its 1-based physical line number. */
  start: number;
  startLine: number;
  columns: Partial<Record<ScanField, number>>;
  /** Other id columns (batch, auth code, order no. …): plain alphanumerics or empty, else `other`. */
  idColumns: number[];
  /** The file's encoding (a WHATWG label: utf-8, gb18030). */
  encoding: string;
  /**
   * The encoding was forced (--encoding), not detected. A file forced to GB18030 that is in fact
   * UTF-8 is refused by the reference reader (its text would be garbled): the scan must notice
   * the same past the head.
   */
  encodingForced?: boolean;
  /** Strict decoder of that encoding: null for bytes that are not valid text. */
  decode: (bytes: Uint8Array) => string | null;
}

export const LINE_BLANK = 0;
/** Anything the scan does not fully understand: the reference reader decides what it is. */
export const LINE_OTHER = 1;
/** Every field the fast path uses parsed strictly; whether it may skip the reference is decided later. */
export const LINE_SIMPLE = 2;

export interface ScannedFile {
  count: number;
  /** Physical lines in the whole file, counted like the reference reader counts them. */
  totalLines: number;
  line: Int32Array;
  /** Byte range of the line including its terminator. */
  start: Float64Array;
  end: Float64Array;
  kind: Uint8Array;
  /** RRN as a number that keeps its digit count (so 0123 ≠ 123); NaN when empty. */
  rrn: Float64Array;
  amount: Float64Array;
  fee: Float64Array;
  net: Float64Array;
  /** Day number (days since 1970-01-01) and seconds of day of the transaction time; -1 when absent. */
  day: Int32Array;
  secs: Int32Array;
  settleDay: Int32Array;
  bizDay: Int32Array;
  merchant: Int32Array;
  terminal: Int32Array;
  trace: Float64Array;
  /**
   * The card number's last four digits (0–9999) when its cell ends in four digits; -2 when the
   * cell holds no digit at all (no card: a QR payment); -1 otherwise (not known).
   */
  cardTail: Int16Array;
  words: Int32Array;
  /** 1 when the row's memo (备注) names a deduction (押金, 流量费 …): a settlement line so is none of a sale's. */
  memoDeduction: Uint8Array;
  merchants: string[];
  terminals: string[];
  /** Per word combination: the cleaned cell of each word field (undefined when empty). */
  wordCombos: Partial<Record<WordField, string>>[];
}

/** Why a whole file cannot be scanned (the reference reader then reads all of it). */
export class ScanAbort extends Error {}

const LF = 0x0a;
/** GB18030 validation decodes this much at a time (the text is only checked, then dropped). */
const GB_CHECK_BYTES = 256 * 1024;
const CR = 0x0d;
const QUOTE = 0x22;
const ZERO = 0x30;
const NINE = 0x39;
const KEY_BASE = 1024;
const RRN_MAX_DIGITS = 14;

/** Random access to a file's bytes: the fast path never needs the whole file in memory. */
export interface ByteSource {
  size: number;
  /** Bytes [position, position + length). The view may be reused by the next call: copy what you keep. */
  read(position: number, length: number): Uint8Array;
}

export function memorySource(bytes: Uint8Array): ByteSource {
  return { size: bytes.length, read: (position, length) => bytes.subarray(position, position + length) };
}

/** Bytes read per step; lines longer than this double it for that step. */
const BLOCK_BYTES = 8 * 1024 * 1024;

function indexOrEnd(bytes: Uint8Array, byte: number, from: number): number {
  const i = bytes.indexOf(byte, from);
  return i < 0 ? bytes.length : i;
}

/**
 * Whether every quoted cell on the line closes on it. Quotes open a cell only at its start (as
 * the reference tokenizer reads them); elsewhere they are literal. A closing quote followed by
 * anything but the delimiter or the line end is a shape this scan does not follow: false.
 */
export function quotedCellsClose(bytes: Uint8Array, from: number, to: number, delim: number): boolean {
  let cellStart = true;
  for (let i = from; i < to; i++) {
    const b = bytes[i];
    if (cellStart && b === QUOTE) {
      let j = i + 1;
      for (;;) {
        if (j >= to) return false;
        if (bytes[j] === QUOTE) {
          if (j + 1 < to && bytes[j + 1] === QUOTE) {
            j += 2;
            continue;
          }
          break;
        }
        j++;
      }
      if (j + 1 < to && bytes[j + 1] !== delim) return false;
      i = j; // the loop's i++ lands on the delimiter (or the end)
      cellStart = false;
      continue;
    }
    cellStart = b === delim;
  }
  return true;
}

/**
 * Splits a line whose quoted cells close on it (see quotedCellsClose) into cells, a quoted
 * cell's range being its inside. Returns the cell count, or -1 when a quoted cell holds a doubled
 * quote (its text is not the raw bytes): such a row is left to the reference reader.
 */
function splitQuoted(bytes: Uint8Array, from: number, to: number, delim: number, width: number, cellStart: Int32Array, cellEnd: Int32Array): number {
  let cells = 0;
  let i = from;
  for (;;) {
    let s = i;
    let e: number;
    if (i < to && bytes[i] === QUOTE) {
      const close = bytes.indexOf(QUOTE, i + 1);
      if (close < 0 || close >= to) return -1;
      if (close + 1 < to && bytes[close + 1] === QUOTE) return -1; // "" inside: an escaped quote
      s = i + 1;
      e = close;
      i = close + 1; // on the delimiter or the line end (quotedCellsClose checked)
    } else {
      while (i < to && bytes[i] !== delim) i++;
      e = i;
    }
    if (cells < width) {
      cellStart[cells] = s;
      cellEnd[cells] = e;
    }
    cells++;
    if (i >= to) return cells;
    i++; // past the delimiter
    if (i === to) {
      // A trailing delimiter: one more, empty cell.
      if (cells < width) {
        cellStart[cells] = to;
        cellEnd[cells] = to;
      }
      return cells + 1;
    }
  }
}

/** Any byte outside tab, LF, CR and printable ASCII: what the reference's garble check looks for in the text. */
function hasUnprintable(bytes: Uint8Array, s: number, e: number): boolean {
  for (let i = s; i < e; i++) {
    const b = bytes[i];
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b > 0x7e) return true;
  }
  return false;
}

function hasNonAscii(bytes: Uint8Array, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if (bytes[i] >= 0x80) return true;
  return false;
}

function isBlank(b: number): boolean {
  return b === 0x20 || b === 0x09;
}

/** Narrows cell k to the text cleanCell would read, for ASCII wrappers: trims, ="…", a leading `. */
function unwrapCell(bytes: Uint8Array, k: number, cellStart: Int32Array, cellEnd: Int32Array): void {
  let s = cellStart[k];
  let e = cellEnd[k];
  for (let round = 0; round < 3; round++) {
    while (s < e && isBlank(bytes[s])) s++;
    while (e > s && isBlank(bytes[e - 1])) e--;
    if (s < e && bytes[s] === 0x60) {
      s++; // WeChat's backtick
      continue;
    }
    // Excel's ="…", unless a quote inside needs cleanCell's un-doubling.
    if (e - s >= 3 && bytes[s] === 0x3d && bytes[s + 1] === QUOTE && bytes[e - 1] === QUOTE && bytes.indexOf(QUOTE, s + 2) === e - 1) {
      s += 2;
      e -= 1;
      continue;
    }
    break;
  }
  cellStart[k] = s;
  cellEnd[k] = e;
}

/** Interns byte slices: one decode and clean per distinct value, no string per row. */
class SliceInterner {
  private readonly byHash = new Map<number, number>();
  private readonly slices: Uint8Array[] = [];
  private readonly next: number[] = [];
  readonly values: (string | null)[] = [];

  constructor(private readonly toValue: (bytes: Uint8Array) => string | null) {}

  /** The previous call's slice and id: consecutive rows often repeat a value (merchant, status). */
  private lastId = -1;

  id(buf: Uint8Array, s: number, e: number): number {
    if (this.lastId >= 0) {
      const last = this.slices[this.lastId];
      if (last.length === e - s) {
        let same = true;
        for (let i = 0; i < last.length; i++) if (last[i] !== buf[s + i]) { same = false; break; }
        if (same) return this.lastId;
      }
    }
    const id = this.lookup(buf, s, e);
    this.lastId = id;
    return id;
  }

  private lookup(buf: Uint8Array, s: number, e: number): number {
    let h = 0x811c9dc5;
    for (let i = s; i < e; i++) h = Math.imul(h ^ buf[i], 0x01000193);
    let id = this.byHash.get(h) ?? -1;
    while (id >= 0) {
      const slice = this.slices[id];
      if (slice.length === e - s) {
        let same = true;
        for (let i = 0; i < slice.length; i++) if (slice[i] !== buf[s + i]) { same = false; break; }
        if (same) return id;
      }
      id = this.next[id];
    }
    const copy = buf.slice(s, e);
    const newId = this.slices.length;
    this.slices.push(copy);
    this.next.push(this.byHash.get(h) ?? -1);
    this.byHash.set(h, newId);
    this.values.push(this.toValue(copy));
    return newId;
  }
}

class Columns {
  capacity: number;
  count = 0;
  line: Int32Array; start: Float64Array; end: Float64Array; kind: Uint8Array; rrn: Float64Array;
  amount: Float64Array; fee: Float64Array; net: Float64Array; day: Int32Array; secs: Int32Array;
  settleDay: Int32Array; bizDay: Int32Array; merchant: Int32Array; terminal: Int32Array;
  trace: Float64Array; cardTail: Int16Array; words: Int32Array; memoDeduction: Uint8Array;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.line = new Int32Array(capacity); this.start = new Float64Array(capacity); this.end = new Float64Array(capacity);
    this.kind = new Uint8Array(capacity); this.rrn = new Float64Array(capacity); this.amount = new Float64Array(capacity);
    this.fee = new Float64Array(capacity); this.net = new Float64Array(capacity); this.day = new Int32Array(capacity);
    this.secs = new Int32Array(capacity); this.settleDay = new Int32Array(capacity); this.bizDay = new Int32Array(capacity);
    this.merchant = new Int32Array(capacity); this.terminal = new Int32Array(capacity); this.trace = new Float64Array(capacity);
    this.words = new Int32Array(capacity); this.cardTail = new Int16Array(capacity);
    this.memoDeduction = new Uint8Array(capacity);
  }

  grow(): void {
    const n = this.capacity * 2;
    const g = <T extends Int32Array | Float64Array | Uint8Array | Int16Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.line = g(this.line, (k) => new Int32Array(k)); this.start = g(this.start, (k) => new Float64Array(k));
    this.end = g(this.end, (k) => new Float64Array(k)); this.kind = g(this.kind, (k) => new Uint8Array(k));
    this.rrn = g(this.rrn, (k) => new Float64Array(k)); this.amount = g(this.amount, (k) => new Float64Array(k));
    this.fee = g(this.fee, (k) => new Float64Array(k)); this.net = g(this.net, (k) => new Float64Array(k));
    this.day = g(this.day, (k) => new Int32Array(k)); this.secs = g(this.secs, (k) => new Int32Array(k));
    this.settleDay = g(this.settleDay, (k) => new Int32Array(k)); this.bizDay = g(this.bizDay, (k) => new Int32Array(k));
    this.merchant = g(this.merchant, (k) => new Int32Array(k)); this.terminal = g(this.terminal, (k) => new Int32Array(k));
    this.trace = g(this.trace, (k) => new Float64Array(k)); this.words = g(this.words, (k) => new Int32Array(k));
    this.memoDeduction = g(this.memoDeduction, (k) => new Uint8Array(k)); this.cardTail = g(this.cardTail, (k) => new Int16Array(k));
    this.capacity = n;
  }
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Day number of YYYY-MM-DD at `s`, or -1 when not a real date in 2000–2099. */
function dateAt(buf: Uint8Array, s: number, cache: Map<number, number>): number {
  if (buf[s + 4] !== 0x2d || buf[s + 7] !== 0x2d) return -1;
  const d0 = buf[s] - ZERO, d1 = buf[s + 1] - ZERO, d2 = buf[s + 2] - ZERO, d3 = buf[s + 3] - ZERO;
  const d5 = buf[s + 5] - ZERO, d6 = buf[s + 6] - ZERO, d8 = buf[s + 8] - ZERO, d9 = buf[s + 9] - ZERO;
  // Unsigned compare: a byte below '0' wraps to a large number.
  if ((d0 >>> 0) > 9 || (d1 >>> 0) > 9 || (d2 >>> 0) > 9 || (d3 >>> 0) > 9 || (d5 >>> 0) > 9 || (d6 >>> 0) > 9 || (d8 >>> 0) > 9 || (d9 >>> 0) > 9) return -1;
  const y = d0 * 1000 + d1 * 100 + d2 * 10 + d3;
  const m = d5 * 10 + d6;
  const day = d8 * 10 + d9;
  const key = y * 10000 + m * 100 + day;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  let n = -1;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  if (y >= 2000 && y <= 2099 && m >= 1 && m <= 12 && day >= 1 && day <= (m === 2 && leap ? 29 : DAYS_IN_MONTH[m - 1])) {
    n = Date.UTC(y, m - 1, day) / 86_400_000;
  }
  cache.set(key, n);
  return n;
}

/** Seconds of day of HH:MM:SS at `s`, or -1. */
function clockAt(buf: Uint8Array, s: number): number {
  if (buf[s + 2] !== 0x3a || buf[s + 5] !== 0x3a) return -1;
  const d0 = buf[s] - ZERO, d1 = buf[s + 1] - ZERO, d3 = buf[s + 3] - ZERO;
  const d4 = buf[s + 4] - ZERO, d6 = buf[s + 6] - ZERO, d7 = buf[s + 7] - ZERO;
  if ((d0 >>> 0) > 9 || (d1 >>> 0) > 9 || (d3 >>> 0) > 9 || (d4 >>> 0) > 9 || (d6 >>> 0) > 9 || (d7 >>> 0) > 9) return -1;
  const h = d0 * 10 + d1;
  const mi = d3 * 10 + d4;
  const se = d6 * 10 + d7;
  return h < 24 && mi < 60 && se < 60 ? h * 3600 + mi * 60 + se : -1;
}

/** Yuan with at most two decimals (`12`, `12.5`, `0.05`) as integer fen; NaN for anything else. */
function fenAt(buf: Uint8Array, s: number, e: number): number {
  let i = s;
  let whole = 0;
  let digits = 0;
  while (i < e && buf[i] >= ZERO && buf[i] <= NINE) {
    whole = whole * 10 + (buf[i] - ZERO);
    digits++;
    i++;
  }
  // A leading zero (007.50) is not how amounts are printed: let the reference reader judge it.
  if (digits === 0 || digits > 11 || (digits > 1 && buf[s] === ZERO)) return NaN;
  if (i === e) return whole * 100;
  if (buf[i] !== 0x2e) return NaN;
  i++;
  const fracDigits = e - i;
  if (fracDigits < 1 || fracDigits > 2) return NaN;
  let frac = 0;
  for (; i < e; i++) {
    const c = buf[i];
    if (c < ZERO || c > NINE) return NaN;
    frac = frac * 10 + (c - ZERO);
  }
  return whole * 100 + (fracDigits === 1 ? frac * 10 : frac);
}

/** All-digit cell as a number; NaN otherwise. */
function digitsAt(buf: Uint8Array, s: number, e: number, max: number): number {
  if (e - s < 1 || e - s > max) return NaN;
  let v = 0;
  for (let i = s; i < e; i++) {
    const c = buf[i];
    if (c < ZERO || c > NINE) return NaN;
    v = v * 10 + (c - ZERO);
  }
  return v;
}

/** Empty, or letters and digits only, and not a value Excel or a placeholder could have changed. */
function plainIdAt(buf: Uint8Array, s: number, e: number): boolean {
  if (s === e) return true;
  let exponent = false;
  for (let i = s; i < e; i++) {
    const c = buf[i];
    const digit = c >= ZERO && c <= NINE;
    const letter = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
    if (!digit && !letter) return false;
    if (c === 0x45 || c === 0x65) exponent = true;
  }
  const last = buf[e - 1];
  if (exponent && last >= ZERO && last <= NINE) return false; // 4E27 may be Excel's scientific notation
  if (e - s >= EXCEL_ZEROED_MIN && last === ZERO) {
    // A long number whose tail Excel zeroed (checkIdentifier rejects it): for the reference reader.
    let zeroed = true;
    let significant = false;
    for (let i = s; i < e && zeroed; i++) {
      zeroed = buf[i] >= ZERO && buf[i] <= NINE && (i - s < 15 || buf[i] === ZERO);
      if (buf[i] !== ZERO) significant = true;
    }
    if (zeroed && significant) return false;
  }
  if (e - s === 4) {
    const w = String.fromCharCode(buf[s], buf[s + 1], buf[s + 2], buf[s + 3]).toLowerCase();
    if (w === 'null') return false;
  }
  return true;
}

/**
 * Scans `bytes` from `plan.start`. Throws ScanAbort when line boundaries could differ from the
 * reference tokenizer's (a bare CR line end, a quoted cell spanning lines).
 */
export function scanDelimited(input: Uint8Array | ByteSource, plan: ScanPlan, onProgress?: (done: number, total: number) => void): ScannedFile {
  const source = input instanceof Uint8Array ? memorySource(input) : input;
  const size = source.size;
  const cols = new Columns(Math.max(1024, Math.ceil((size - plan.start) / 80)));
  const dateCache = new Map<number, number>();
  const decodeClean = (b: Uint8Array) => {
    const text = plan.decode(b);
    return text === null ? null : cleanCell(text);
  };
  const wordInterners = WORD_FIELDS.map(() => new SliceInterner(decodeClean));
  const idValue = (b: Uint8Array) => {
    const text = decodeClean(b);
    if (text === null) return null;
    const r = checkIdentifier(text);
    return r.ok ? r.value : null;
  };
  const merchants = new SliceInterner(idValue);
  const terminals = new SliceInterner(idValue);
  const comboIds = new Map<number, number>();
  const wordCombos: Partial<Record<WordField, string>>[] = [];

  const c = plan.columns;
  const width = plan.width;
  const cellStart = new Int32Array(width + 1);
  const cellEnd = new Int32Array(width + 1);
  const wordCols = WORD_FIELDS.map((f) => c[f] ?? -1);
  const col = (f: ScanField): number => c[f] ?? -1;
  const ia = col('amount'), ifee = col('fee'), inet = col('net'), it = col('time'), isd = col('settleDate'), ibd = col('businessDate');
  const ir = col('rrn'), itr = col('trace'), im = col('merchantId'), iterm = col('terminalId'), idate = col('date'), imemo = col('memo'), icard = col('card');
  const idColumns = plan.idColumns;
  const usedColumns = [...new Set([...Object.values(c), ...idColumns])].filter((k): k is number => k !== undefined && k >= 0 && k < width);
  const delim = plan.delimiter;
  const checkUtf8 = plan.encoding === 'utf-8';
  // The reference reader decodes the whole file strictly: bytes that are not valid GB18030 in a
  // cell the scan never reads (a card number, an unmapped shop name) must still refuse the file.
  const gb18030 = plan.encoding === 'gb18030' ? new TextDecoder('gb18030', { fatal: true }) : null;
  let allUtf8 = true;
  let unprintable = false;
  let lineNo = plan.startLine;
  let blockStart = plan.start;
  let blockSize = BLOCK_BYTES;

  // Block by block: only one block of the file is in memory at a time (plus the columns).
  while (blockStart < size) {
    const length = Math.min(blockSize, size - blockStart);
    const bytes = source.read(blockStart, length);
    // Whole lines only: the partial line at the end of the block starts the next block.
    const n = blockStart + length >= size ? length : bytes.lastIndexOf(LF) + 1;
    if (n === 0) {
      blockSize *= 2; // a line longer than the block
      continue;
    }
    blockSize = BLOCK_BYTES;
    // UTF-8 and GB18030 sequences never span a line end (LF is no trail byte in either), so each
    // block's lines validate alone.
    if (checkUtf8 && !isUtf8(bytes.subarray(0, n))) throw new ScanAbort('bytes that are not valid UTF-8');
    if (gb18030) {
      // In slices ending on a line end: the text is thrown away at once, so keep it small.
      for (let from = 0; from < n; ) {
        const lf = from + GB_CHECK_BYTES >= n ? n - 1 : bytes.lastIndexOf(LF, from + GB_CHECK_BYTES);
        const to = lf >= from ? lf + 1 : n;
        try {
          gb18030.decode(bytes.subarray(from, to));
        } catch {
          throw new ScanAbort('bytes that are not valid GB18030');
        }
        from = to;
      }
      if (plan.encodingForced) {
        allUtf8 &&= isUtf8(bytes.subarray(0, n));
        unprintable ||= hasUnprintable(bytes, 0, n);
      }
    }
    onProgress?.(blockStart + n, size);
    let pos = 0;
    let nextQuote = -1;
    let nextCr = -1;

    while (pos < n) {
      const lineStart = pos;
      let eol = bytes.indexOf(LF, pos);
      const next = eol < 0 ? n : eol + 1;
      if (eol < 0) eol = n;
      let contentEnd = eol;
      if (contentEnd > pos && bytes[contentEnd - 1] === CR) contentEnd--;

      if (cols.count === cols.capacity) cols.grow();
      const r = cols.count++;
      cols.line[r] = lineNo;
      cols.start[r] = blockStart + pos;
      cols.end[r] = blockStart + next;
      cols.rrn[r] = NaN;
      cols.amount[r] = NaN;
      cols.fee[r] = NaN;
      cols.net[r] = NaN;
      cols.trace[r] = NaN;
      cols.cardTail[r] = -1;
      cols.day[r] = -1;
      cols.secs[r] = -1;
      cols.settleDay[r] = -1;
      cols.bizDay[r] = -1;
      cols.merchant[r] = -1;
      cols.terminal[r] = -1;
      cols.words[r] = -1;
      lineNo++;

      // Quotes and bare CRs are rare: find them with native searches, not per byte.
      if (nextQuote < pos) nextQuote = indexOrEnd(bytes, QUOTE, pos);
      if (nextCr < pos) nextCr = indexOrEnd(bytes, CR, pos);
      if (nextCr < contentEnd) throw new ScanAbort('a bare CR line end');
      let quotes = 0;
      if (nextQuote < contentEnd) for (let i = nextQuote; i < contentEnd; i++) if (bytes[i] === QUOTE) quotes++;
      // Split cells.
      let cells = 0;
      let s = pos;
      for (let i = pos; i < contentEnd; i++) {
        if (bytes[i] === delim) {
          if (cells < width) {
            cellStart[cells] = s;
            cellEnd[cells] = i;
          }
          cells++;
          s = i + 1;
        }
      }
      if (cells < width) {
        cellStart[cells] = s;
        cellEnd[cells] = contentEnd;
      }
      cells++;
      pos = next;

      if (contentEnd === lineStart) {
        cols.kind[r] = LINE_BLANK;
        continue;
      }
      // A quoted cell still open at the line end continues on the next line: only the reference
      // tokenizer may decide where such a row ends (and so which line is which row).
      if (quotes > 0 && !quotedCellsClose(bytes, lineStart, contentEnd, delim)) throw new ScanAbort('a quoted cell spanning lines (or quotes the scan does not follow)');
      cols.kind[r] = LINE_OTHER;
      // Quoted cells ("…", as many exports write every cell): split again honouring them.
      if (quotes > 0) cells = splitQuoted(bytes, lineStart, contentEnd, delim, width, cellStart, cellEnd);
      if (cells !== width) continue;
      // Cell text as cleanCell reads it: spaces and tabs trimmed, Excel's ="…" and WeChat's ` unwrapped.
      for (let k = 0; k < usedColumns.length; k++) unwrapCell(bytes, usedColumns[k], cellStart, cellEnd);

      // Money: amount required; fee and net optional.
      if (ia < 0) continue;
      const amount = fenAt(bytes, cellStart[ia], cellEnd[ia]);
      if (!(amount >= 0)) continue;
      cols.amount[r] = amount;
      if (ifee >= 0 && cellStart[ifee] !== cellEnd[ifee]) {
        const v = fenAt(bytes, cellStart[ifee], cellEnd[ifee]);
        if (!(v >= 0)) continue;
        cols.fee[r] = v;
      }
      if (inet >= 0 && cellStart[inet] !== cellEnd[inet]) {
        const v = fenAt(bytes, cellStart[inet], cellEnd[inet]);
        if (!(v >= 0)) continue;
        cols.net[r] = v;
      }
      // Time: YYYY-MM-DD HH:MM:SS exactly, or split: a date column YYYY-MM-DD and a time column
      // HH:MM:SS (a time column holding the full timestamp wins, as in the reference reader).
      const timeLength = it >= 0 ? cellEnd[it] - cellStart[it] : 0;
      if (timeLength === 19) {
        if (bytes[cellStart[it] + 10] !== 0x20) continue;
        const day = dateAt(bytes, cellStart[it], dateCache);
        const secs = clockAt(bytes, cellStart[it] + 11);
        if (day < 0 || secs < 0) continue;
        cols.day[r] = day;
        cols.secs[r] = secs;
      } else if (timeLength === 8 && idate >= 0 && cellEnd[idate] - cellStart[idate] === 10) {
        const day = dateAt(bytes, cellStart[idate], dateCache);
        const secs = clockAt(bytes, cellStart[it]);
        if (day < 0 || secs < 0) continue;
        cols.day[r] = day;
        cols.secs[r] = secs;
      } else if (timeLength !== 0 || (idate >= 0 && cellStart[idate] !== cellEnd[idate])) {
        continue; // another form, or a date without a time: the reference reader's
      }
      if (isd >= 0 && cellStart[isd] !== cellEnd[isd]) {
        const day = cellEnd[isd] - cellStart[isd] === 10 ? dateAt(bytes, cellStart[isd], dateCache) : -1;
        if (day < 0) continue;
        cols.settleDay[r] = day;
      }
      if (ibd >= 0 && cellStart[ibd] !== cellEnd[ibd]) {
        const day = cellEnd[ibd] - cellStart[ibd] === 10 ? dateAt(bytes, cellStart[ibd], dateCache) : -1;
        if (day < 0) continue;
        cols.bizDay[r] = day;
      }
      if (cols.day[r] < 0 && cols.settleDay[r] < 0 && cols.bizDay[r] < 0) continue;
      // Keys.
      if (ir >= 0 && cellStart[ir] !== cellEnd[ir]) {
        const len = cellEnd[ir] - cellStart[ir];
        const v = digitsAt(bytes, cellStart[ir], cellEnd[ir], RRN_MAX_DIGITS);
        // An all-zero RRN means "none": leave such a row to the reference reader.
        if (!(v > 0)) continue;
        cols.rrn[r] = len * 1e14 + v;
      }
      if (itr >= 0 && cellStart[itr] !== cellEnd[itr]) {
        const v = digitsAt(bytes, cellStart[itr], cellEnd[itr], 15);
        if (Number.isNaN(v)) continue;
        cols.trace[r] = v;
      }
      // The card's last four digits: only to tell two customers apart (a retry on another terminal).
      if (icard >= 0) {
        let e = cellEnd[icard];
        while (e > cellStart[icard] && (bytes[e - 1] === 0x20 || bytes[e - 1] === 0x09)) e--;
        let tail = e - cellStart[icard] >= 4 ? 0 : -1;
        for (let i = e - 4; i < e && tail >= 0; i++) tail = bytes[i] >= ZERO && bytes[i] <= NINE ? tail * 10 + bytes[i] - ZERO : -1;
        if (tail >= 0) cols.cardTail[r] = tail;
        else {
          // No four digits at the end: no digit at all is no card; a byte past ASCII (full-width
          // digits ６２２８…, which the reader folds to ASCII) or any other digit leaves it unknown.
          let digit = false;
          for (let i = cellStart[icard]; i < e && !digit; i++) digit = bytes[i] >= 0x80 || (bytes[i] >= ZERO && bytes[i] <= NINE);
          cols.cardTail[r] = digit ? -1 : -2;
        }
      }
      let ok = true;
      for (let k = 0; k < idColumns.length; k++) {
        if (!plainIdAt(bytes, cellStart[idColumns[k]], cellEnd[idColumns[k]])) { ok = false; break; }
      }
      if (!ok) continue;
      if (im >= 0 && cellStart[im] !== cellEnd[im]) {
        const id = merchants.id(bytes, cellStart[im], cellEnd[im]);
        const value = merchants.values[id];
        if (value === null) continue;
        cols.merchant[r] = value === '' ? -1 : id;
      }
      if (iterm >= 0 && cellStart[iterm] !== cellEnd[iterm]) {
        const id = terminals.id(bytes, cellStart[iterm], cellEnd[iterm]);
        const value = terminals.values[id];
        if (value === null) continue;
        cols.terminal[r] = value === '' ? -1 : id;
      }
      // Words: one id per distinct combination of the word cells.
      let key = 0;
      for (let w = 0; w < wordCols.length; w++) {
        const k = wordCols[w];
        let id = 0;
        if (k >= 0 && cellStart[k] !== cellEnd[k]) {
          id = wordInterners[w].id(bytes, cellStart[k], cellEnd[k]) + 1;
          if (wordInterners[w].values[id - 1] === null || id >= KEY_BASE) { ok = false; break; }
        }
        key = key * KEY_BASE + id;
      }
      if (!ok) continue;
      let combo = comboIds.get(key);
      if (combo === undefined) {
        combo = wordCombos.length;
        comboIds.set(key, combo);
        const words: Partial<Record<WordField, string>> = {};
        let rest = key;
        for (let w = wordCols.length - 1; w >= 0; w--) {
          const id = rest % KEY_BASE;
          rest = Math.floor(rest / KEY_BASE);
          const v = id > 0 ? wordInterners[w].values[id - 1] : '';
          if (v) words[WORD_FIELDS[w]] = v;
        }
        wordCombos.push(words);
      }
      cols.words[r] = combo;
      // Deduction words are all Chinese: an ASCII memo names none, whatever it says.
      cols.memoDeduction[r] = 0;
      if (imemo >= 0 && cellStart[imemo] !== cellEnd[imemo] && hasNonAscii(bytes, cellStart[imemo], cellEnd[imemo])) {
        const memo = decodeClean(bytes.slice(cellStart[imemo], cellEnd[imemo]));
        if (memo === null) continue;
        if (hasDeductionWord(memo)) cols.memoDeduction[r] = 1;
      }
      cols.kind[r] = LINE_SIMPLE;
    }
    blockStart += n;
  }

  if (gb18030 && plan.encodingForced && allUtf8 && unprintable) throw new ScanAbort('a file forced to GB18030 that is UTF-8 (the reference reader refuses it)');
  // Physical lines as the reference counts them: a final line without a line end still counts.
  const lastLine = lineNo - 1;
  return {
    count: cols.count,
    totalLines: lastLine,
    line: cols.line, start: cols.start, end: cols.end, kind: cols.kind, rrn: cols.rrn, amount: cols.amount,
    fee: cols.fee, net: cols.net, day: cols.day, secs: cols.secs, settleDay: cols.settleDay, bizDay: cols.bizDay,
    merchant: cols.merchant, terminal: cols.terminal, trace: cols.trace, cardTail: cols.cardTail, words: cols.words, memoDeduction: cols.memoDeduction,
    merchants: merchants.values.map((v) => v ?? ''),
    terminals: terminals.values.map((v) => v ?? ''),
    wordCombos,
  };
}
