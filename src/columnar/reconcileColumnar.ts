// The fast path for large reconciliations (one or several files per side): scan the files into
// columns, prove most pairs clean in integer arithmetic, and give only the rest to the reference
// pipeline.
//
// A pair is "clean" when the reference pipeline would, provably, call it `matched` and it can
// change no other row's outcome: a successful sale and a settlement sale sharing an RRN that no
// other row in either file carries, same merchant, same amount, fee exactly as the contract,
// net = amount − fee. Such pairs are counted and summed (integer fen) and never become records.
// Every other row — failed, voided, unmatched, fee off contract, anything the scan did not fully
// understand — plus every clean-looking row another row's outcome could depend on (a void's
// original, a retry candidate, each terminal's first settlement line) is read by the reference
// reader and reconciled by the reference code, as is a "witness" row after every line that
// reader might reject or call junk (so its row-to-row judgements see what they see in the whole
// file). The two paths are differential-tested to give the same report, byte for byte.
//
// Pure apart from the ByteSource it reads through: the CLI opens the files, decides when to use
// the fast path, and gives it a second thread and the garbage collector.
import { Decimal } from 'decimal.js';
import type { LocalDate } from '../model.js';
import type { Contract } from '../contract/contract.js';
import { cutoffShifts, dayNumber, expectedSettlementDate, fromDayNumber, type WorkCalendar } from '../calendar/calendar.js';
import type { Encoding } from '../read/decode.js';
import { readInputFile, type ParsedFile, type ReadOptions } from '../read/readInput.js';
import { checkControlTotals } from '../read/controlTotals.js';
import type { Profile } from '../profiles/profile.js';
import { deriveWords, type RecordWords } from '../normalise/records.js';
import { walletOf } from '../normalise/wallets.js';
import { amountKey, localSeconds, normaliseRrn, normaliseTrace } from '../match/keys.js';
import { isCancellation } from '../match/cancellations.js';
import { reconcile, type PreMatched, type ReconcileResult } from '../reconcile.js';
import { LINE_OTHER, LINE_SIMPLE, ScanAbort, memorySource, quotedCellsClose, scanDelimited, type ByteSource, type ScanField, type ScannedFile, type ScanPlan } from './scan.js';
import { saleFeeRules, type FenCandidates } from './fees.js';
import { PairIndex, TERMINAL_STRIDE, expectedRrnKeys, indexRrnColumns, indexSettlementWithMates, unpairAt, type PairIndexParts, type RrnColumns, type RrnMates, type TerminalPack } from './keyIndex.js';

export interface ColumnarSide {
  file: string;
  /** The file's bytes, or random access to them (the CLI reads the file in blocks). */
  bytes: Uint8Array | ByteSource;
  /** --terminal-profile / --settlement-profile. */
  profile?: Profile;
}

export interface ColumnarInput {
  /** One file per side, or several (each is read on its own; RRNs must be unique across all). */
  terminal: ColumnarSide | ColumnarSide[];
  settlement: ColumnarSide | ColumnarSide[];
  profiles: Profile[];
  encoding?: Encoding;
  contract: Contract;
  calendar: WorkCalendar;
  asOf?: LocalDate;
  /** Told what the fast path is doing (the CLI's progress line on a terminal). */
  progress?: (text: string) => void;
  /**
   * Asks for a full garbage collection once the columns are no longer needed (their memory is
   * free before the residual rows become records). The CLI passes V8's gc: it lowers peak RSS, it
   * does not speed anything up. (A second one before the report no longer lowered the peak, which
   * is in the scan, and cost 0.1–0.2 s at 1M rows per side and 6 s at 10M: measured, removed.)
   */
  collectGarbage?: () => void;
  /** Scans the settlement files on another thread (the CLI gives a worker-thread scanner for large files). */
  parallelScan?: ParallelScanner;
  /**
   * Bytes at the start of each file read entirely by the reference reader, so layout and
   * delimiter detection see exactly what they see on the whole file. Tests lower it.
   */
  headBytes?: number;
  /**
   * Fall back when fewer than this share of the terminal rows (of 10,000 or more) could be clean
   * pairs: the columns would only add work. Default 0.25; tests lower it to exercise the columns.
   */
  minCandidateShare?: number;
}

export type ColumnarOutcome =
  | { result: ReconcileResult; stats: ColumnarStats }
  | { fallback: string };

export interface ColumnarStats {
  cleanPairs: number;
  residualRows: number;
  /** Milliseconds per phase (printed under --verbose). */
  phases: Record<string, number>;
}

/** Block size when re-reading residual lines from the source. */
const READ_BLOCK_BYTES = 4 * 1024 * 1024;

/** Detection reads the first 64 K characters and 40 rows; 256 KiB of bytes covers both. */
const DEFAULT_HEAD_BYTES = 256 * 1024;
/** Rows of the head normalised by the planner: enough to see records under the header. */
const HEAD_ROWS_NORMALISED = 100;

// Mapped fields the scan does not read; a layout that maps any of these is read the reference way.
// (A 币种 column is fine: no record field depends on it.)
const UNSUPPORTED_FIELDS = ['timeOfDay', 'credit', 'debit', 'balance', 'direction', 'counterparty', 'counterpartyAccount', 'refundAmount', 'refundOrderId', 'extraFee', 'payoutMode'] as const;
const ID_COLUMNS = ['batch', 'authCode', 'orderId', 'originalRef', 'originalTrace', 'payoutId'] as const;
const SCAN_FIELDS: ScanField[] = ['rrn', 'amount', 'fee', 'net', 'time', 'date', 'settleDate', 'businessDate', 'merchantId', 'terminalId', 'trace', 'card', 'txnType', 'status', 'cardType', 'channel', 'memo'];
const RETRY_WINDOW_SECONDS = 30 * 60;
/** Below this many terminal rows the candidate share is not judged (tests and small files engage as before). */
const MIN_ROWS_FOR_CANDIDATE_CHECK = 10_000;
const MIN_CANDIDATE_SHARE = 0.25;
/** Index value for a row the reference reader read (never a candidate). */
const NOT_SCANNED = -3;
const LF = 0x0a;

interface Side {
  file: string;
  source: ByteSource;
  /** The preamble and header (a copy): every reference read starts with them. */
  headBytes: Uint8Array;
  /** What detection found on the file's head (up to 256 KiB): profile, mapping, reason …, no rows. */
  head: ParsedFile;
  /** Bytes and lines of the preamble and header. */
  headEnd: number;
  headLines: number;
  /** Byte just past the header line (= headEnd). */
  headerEnd: number;
  scan: ScannedFile;
  words: (RecordWords & { channel?: string; wallet?: string })[];
  readOptions: ReadOptions;
}

class Fallback extends Error {}

function strictDecoder(encoding: string): (b: Uint8Array) => string | null {
  const decoder = new TextDecoder(encoding, { fatal: true });
  return (b) => {
    try {
      return decoder.decode(b);
    } catch {
      return null;
    }
  };
}

/** Scans one side's files somewhere else (another thread) while this thread scans the other side's. */
export interface ParallelScanner {
  /** Starts scanning `side`'s files, one plan each, in order (decoders are rebuilt from `plan.encoding` there). */
  start(side: 'terminal' | 'settlement', plans: Omit<ScanPlan, 'decode'>[]): ParallelScan;
}

export interface ParallelScan {
  /**
   * Hands the other side's RRN columns and pairing fields to the scanning thread: once its own
   * files are scanned it indexes both sides' RRNs (indexRrnColumns) and finds each of its rows'
   * RRN mate (indexSettlementWithMates) while this thread goes on; `join` returns the index and the mates too.
   * Must be called before `join`; `pack` is moved there (this thread no longer has it).
   */
  indexWith(other: RrnColumns, pack: TerminalPack): void;
  join(): ScanJoin;
}

export interface ScanJoin {
  scanned: ScannedFile[];
  index?: PairIndexParts;
  mates?: RrnMates;
}

/** `[██████··············]  30%` */
function progressBar(fraction: number): string {
  const f = Math.min(1, Math.max(0, fraction));
  const filled = Math.round(f * 20);
  return `[${'█'.repeat(filled)}${'·'.repeat(20 - filled)}] ${String(Math.floor(f * 100)).padStart(3)}%`;
}

/** A scan abort names its file (there may be several). */
function scanNamed<T>(file: string, scan: () => T): T {
  try {
    return scan();
  } catch (e) {
    if (e instanceof ScanAbort) throw new ScanAbort(`${file}: ${e.message}`);
    throw e;
  }
}

/**
 * Starts the scans: the settlement files go to the parallel scanner when there is one, the
 * terminal files are scanned here. The settlement scan is joined only when asked for, so work
 * on the terminal side can fill the time the other thread still needs.
 */
function startScans(t: PlannedSide[], s: PlannedSide[], input: ColumnarInput) {
  const progress = input.progress;
  const bytes = (files: PlannedSide[]) => files.reduce((n, f) => n + f.source.size, 0);
  const total = bytes(t) + bytes(s);
  // Percent of the bytes this thread has scanned so far, of both sides when it scans both.
  const scanHere = (files: PlannedSide[], before: number, scope: number) => {
    let done = before;
    return files.map((f) => {
      const from = done;
      done += f.source.size;
      const onProgress = progress ? (n: number) => progress(`scanning ${progressBar((from + n) / scope)} of ${(total / 2 ** 20).toFixed(0)} MiB`) : undefined;
      return scanNamed(f.file, () => scanDelimited(f.source, f.plan, onProgress));
    });
  };
  if (!input.parallelScan) {
    return {
      terminal: () => scanHere(t, 0, total),
      indexWith: (_terminal: RrnColumns, _pack: TerminalPack) => {},
      settlement: (): ScanJoin => ({ scanned: scanHere(s, bytes(t), total) }),
    };
  }
  const elsewhere = input.parallelScan.start('settlement', s.map(({ plan: { decode: _decode, ...plan } }) => plan));
  // The other thread keeps pace with this one: this side's progress stands for both.
  return { terminal: () => scanHere(t, 0, bytes(t)), indexWith: (terminal: RrnColumns, pack: TerminalPack) => elsewhere.indexWith(terminal, pack), settlement: () => elsewhere.join() };
}

export function reconcileColumnar(input: ColumnarInput): ColumnarOutcome {
  try {
    return run(input);
  } catch (e) {
    if (e instanceof Fallback || e instanceof ScanAbort) return { fallback: e.message };
    throw e;
  }
}

type PlannedSide = Omit<Side, 'scan' | 'words'> & { plan: ScanPlan };

/** What the second reference read needs of a side once its columns are gone. */
type ResidualSide = Pick<Side, 'file' | 'source' | 'headBytes' | 'headEnd' | 'headLines' | 'readOptions' | 'head'> & { totalLines: number };


function planSide(side: ColumnarSide, role: 'terminal' | 'settlement', input: ColumnarInput): PlannedSide {
  const source = side.bytes instanceof Uint8Array ? memorySource(side.bytes) : side.bytes;
  const headBytes = input.headBytes ?? DEFAULT_HEAD_BYTES;
  const cut = Math.min(source.size, headBytes);
  // The head ends at the end of the line holding its last byte (within the next MiB). A file
  // that ends there is all head (one small file among large ones, a short day's export):
  // detection sees all of it, as it would anyway.
  const window = new Uint8Array(source.read(0, Math.min(source.size, cut + (1 << 20))));
  const lf = cut >= source.size ? -1 : window.indexOf(LF, Math.max(0, cut - 1));
  const wholeFile = cut >= source.size || lf + 1 >= source.size || (lf < 0 && window.length >= source.size);
  if (!wholeFile && lf < 0) throw new Fallback(`${side.file}: no line end within 1 MiB after the head`);
  const headEnd = wholeFile ? source.size : lf + 1;
  // A copy, not a view: the head lives as long as the run, the 1 MiB window need not.
  const bytes = window.slice(0, headEnd);
  const readOptions: ReadOptions = { profiles: input.profiles, role, encoding: input.encoding, profile: side.profile };
  let head: ParsedFile;
  try {
    // Detection only: its rows are scanned and read again like every other (a hundred tell
    // whether the head holds records; normalising all of 256 KiB cost ~90 ms at 1M rows).
    head = readInputFile(bytes, side.file, { ...readOptions, normaliseRowsAfterHeader: HEAD_ROWS_NORMALISED });
  } catch (e) {
    throw new Fallback(`${side.file}: the head of the file needs the reference reader (${(e as Error).message})`);
  }
  const p = head.profile;
  const why = (reason: string) => new Fallback(`${side.file}: ${reason}`);
  if (head.format !== 'delimited' || head.delimiter.length !== 1 || head.delimiter.charCodeAt(0) > 0x7e) throw why('not a delimited text file');
  if (head.encoding !== 'utf-8' && head.encoding !== 'gb18030') throw why(`encoding ${head.encoding}`);
  // GBK trail bytes run 0x40–0xFE: a delimiter such as | (0x7C) can be half of a character.
  if (head.encoding === 'gb18030' && head.delimiter.charCodeAt(0) >= 0x40) throw why(`GBK text delimited by ${head.delimiter}`);
  if (p.rules?.length || p.clearingDate || Object.keys(p.transforms ?? {}).length || p.rowPattern || Object.keys(p.positions ?? {}).length || p.fixedWidth) {
    throw why(`profile ${p.name} rewrites or checks rows`);
  }
  // A header-only file (a day without sales) is fine when it is all head: nothing to scan.
  if (head.headerLine === null || (head.records.length === 0 && !wholeFile)) throw why('no header or no records in the head of the file');
  const cols = head.mapping.columns;
  if (UNSUPPORTED_FIELDS.some((f) => cols[f] !== undefined)) throw why(`profile ${p.name} maps fields the scan does not read`);
  if (head.mapping.joined) throw why(`profile ${p.name} joins columns`);
  if (head.mapping.repeatedTime) throw why('the header names the time column twice');
  if ((['amount', 'fee', 'net'] as const).some((f) => (p.units[f] ?? 'yuan') !== 'yuan')) throw why('amounts not in yuan');
  if (cols.amount === undefined) throw why('no amount column');

  // The rows in the head are scanned like all others: they must split into lines as the
  // reference reader splits them.
  let lineFrom = 0;
  let nextQuote = bytes.indexOf(0x22);
  for (let i = 0; i < headEnd; i++) {
    if (bytes[i] === LF) {
      // The head must end on a row boundary: a quoted cell open at a line end continues the row.
      if (nextQuote >= 0 && nextQuote < i) {
        if (!quotedCellsClose(bytes, lineFrom, i > lineFrom && bytes[i - 1] === 0x0d ? i - 1 : i, head.delimiter.charCodeAt(0))) {
          throw why('a quoted cell spanning lines in the head of the file');
        }
        nextQuote = bytes.indexOf(0x22, i + 1);
      }
      lineFrom = i + 1;
    }
    // The reference reader counts a bare CR as a line end too: line numbers would drift.
    else if (bytes[i] === 0x0d && bytes[i + 1] !== LF) throw why('a bare CR line end in the head of the file');
  }
  // The header line's cell count, as the tokenizer sees it (no quotes allowed in it).
  let lineStart = 0;
  for (let l = 1; l < head.headerLine; l++) lineStart = bytes.indexOf(LF, lineStart) + 1;
  // (A header-only file may end on its header without a line end.)
  const lineEnd = bytes.indexOf(LF, lineStart) < 0 ? headEnd : bytes.indexOf(LF, lineStart);
  const delimiter = head.delimiter.charCodeAt(0);
  let width = 1;
  for (let i = lineStart; i < lineEnd; i++) {
    if (bytes[i] === delimiter) width++;
    else if (bytes[i] === 0x22) throw why('quoted header');
  }
  const columns: ScanPlan['columns'] = {};
  for (const f of SCAN_FIELDS) if (cols[f] !== undefined) columns[f] = cols[f];
  // The head is read for detection only: its rows are scanned like every other, from the line
  // after the header (they would otherwise all be residual: ~2,300 rows a file).
  const headerEnd = Math.min(lineEnd + 1, headEnd);
  const plan: ScanPlan = {
    delimiter,
    width,
    start: headerEnd,
    startLine: head.headerLine + 1,
    columns,
    idColumns: ID_COLUMNS.map((f) => cols[f]).filter((i): i is number => i !== undefined),
    encoding: head.encoding,
    encodingForced: input.encoding !== undefined,
    decode: strictDecoder(head.encoding),
  };
  // Every pass reads the preamble and header, then the chosen lines. The head keeps what
  // detection found for the whole file (profile, reason, mapping …), not its rows.
  const detected: ParsedFile = { ...head, records: [], rejected: [], skipped: [], controlTotals: undefined, controlTotalMismatches: undefined };
  return { file: side.file, source, headBytes: bytes.slice(0, headerEnd), head: detected, headEnd: headerEnd, headLines: head.headerLine, headerEnd, plan, readOptions };
}

/** The side once scanned: its rows in columns and the words of each distinct combination. */
function scannedSide(planned: PlannedSide, scan: ScannedFile): Side {
  const p = planned.head.profile;
  const words = scan.wordCombos.map((w) => {
    const channel = w.channel ?? p.defaults.channel;
    // The memo is judged per row (ScannedFile.memoDeduction); without it the words are the same.
    const derived = deriveWords(p, { rawType: w.txnType, rawStatus: w.status, rawCardType: w.cardType, channel, noKey: false, negativeOnly: false, charge: true });
    return { ...derived, channel, wallet: walletOf(w.cardType) ? w.cardType : undefined };
  });
  return { ...planned, scan, words };
}

/**
 * One side's files as one set of columns: each file keeps its own head, profile and line
 * numbers (in `files`), while the rows of all files sit end to end in `scan`, merchant and
 * terminal ids interned across files and word combinations numbered across files (each derived
 * with its own file's profile). With one file, `scan` is that file's scan.
 */
interface Group {
  files: FileSide[];
  scan: ScannedFile;
  words: Side['words'];
  /** File f holds rows firstRow[f] … firstRow[f + 1] − 1 of `scan`. */
  firstRow: number[];
}

/** A file of a group: everything but its columns, which live in the group's. */
type FileSide = Omit<Side, 'scan' | 'words'> & { totalLines: number };

function groupSides(sides: Side[]): Group {
  const files = sides.map(({ scan, words: _words, ...rest }) => ({ ...rest, totalLines: scan.totalLines }));
  const firstRow = [0];
  for (const side of sides) firstRow.push(firstRow[firstRow.length - 1] + side.scan.count);
  if (sides.length === 1) return { files, scan: sides[0].scan, words: sides[0].words, firstRow };
  const count = firstRow[sides.length];
  const first = sides[0].scan;
  // Same column types as the scan's, all files end to end.
  const joined = <K extends 'line' | 'start' | 'end' | 'kind' | 'rrn' | 'amount' | 'fee' | 'net' | 'day' | 'secs' | 'settleDay' | 'bizDay' | 'trace' | 'cardTail' | 'memoDeduction'>(key: K): ScannedFile[K] => {
    const out = new (first[key].constructor as new (n: number) => ScannedFile[K])(count);
    sides.forEach((side, f) => out.set(side.scan[key].subarray(0, side.scan.count) as never, firstRow[f]));
    return out;
  };
  // Ids interned per file become ids of the group (the same terminal in two files is one terminal).
  const interned = (key: 'merchant' | 'terminal', names: 'merchants' | 'terminals') => {
    const list: string[] = [];
    const idOf = new Map<string, number>();
    const out = new Int32Array(count);
    sides.forEach((side, f) => {
      const remap = side.scan[names].map((name) => {
        let id = idOf.get(name);
        if (id === undefined) idOf.set(name, (id = list.push(name) - 1));
        return id;
      });
      const column = side.scan[key];
      for (let r = 0; r < side.scan.count; r++) out[firstRow[f] + r] = column[r] < 0 ? column[r] : remap[column[r]];
    });
    return { list, out };
  };
  const merchants = interned('merchant', 'merchants');
  const terminals = interned('terminal', 'terminals');
  const words: Side['words'] = [];
  const wordColumn = new Int32Array(count);
  sides.forEach((side, f) => {
    const base = words.length;
    for (const w of side.words) words.push(w); // not push(...): a file can hold 100k+ combinations
    for (let r = 0; r < side.scan.count; r++) wordColumn[firstRow[f] + r] = side.scan.words[r] < 0 ? side.scan.words[r] : base + side.scan.words[r];
  });
  const scan: ScannedFile = {
    count,
    totalLines: -1, // per file: FileSide.totalLines
    line: joined('line'), start: joined('start'), end: joined('end'), kind: joined('kind'), rrn: joined('rrn'), amount: joined('amount'),
    fee: joined('fee'), net: joined('net'), day: joined('day'), secs: joined('secs'), settleDay: joined('settleDay'), bizDay: joined('bizDay'),
    merchant: merchants.out, terminal: terminals.out, trace: joined('trace'), cardTail: joined('cardTail'), words: wordColumn, memoDeduction: joined('memoDeduction'),
    merchants: merchants.list, terminals: terminals.list, wordCombos: [],
  };
  return { files, scan, words, firstRow };
}

/** The group's rows (ascending) split by file. */
function byFile(group: Group, rows: number[]): number[][] {
  const out: number[][] = group.files.map(() => []);
  let f = 0;
  for (const r of rows) {
    while (r >= group.firstRow[f + 1]) f++;
    out[f].push(r);
  }
  return out;
}

/** Where a line is: byte range (with its line end) and physical line number. */
interface LineRefs {
  start: Float64Array;
  end: Float64Array;
  line: Int32Array;
}

/** The chosen rows' line references, copied out so the columns can be let go. */
function lineRefs(scan: ScannedFile, rows: number[]): LineRefs {
  const refs = { start: new Float64Array(rows.length), end: new Float64Array(rows.length), line: new Int32Array(rows.length) };
  rows.forEach((r, i) => {
    refs.start[i] = scan.start[r];
    refs.end[i] = scan.end[r];
    refs.line[i] = scan.line[r];
  });
  return refs;
}

/** Reads the head zone plus the chosen rows (of this file, numbered in the group) with the reference reader, line numbers restored. */
function readLines(side: FileSide, scan: ScannedFile, rows: number[], opts: { forceProfile: boolean }): ParsedFile {
  return readLineRefs(side, lineRefs(scan, rows), opts);
}

/** readLines for lines already copied out of the columns (the second pass). */
function readLineRefs(side: Pick<FileSide, 'source' | 'headBytes' | 'headEnd' | 'headLines' | 'file' | 'readOptions' | 'head'>, refs: LineRefs, opts: { forceProfile: boolean }): ParsedFile {
  const { source } = side;
  const count = refs.line.length;
  let size = side.headEnd;
  for (let i = 0; i < count; i++) size += refs.end[i] - refs.start[i] + 1;
  const skeleton = new Uint8Array(size);
  skeleton.set(side.headBytes, 0);
  let at = side.headEnd;
  const lineOf: number[] = [];
  let unterminatedLast = -1;
  // Rows come in file order: read the file forward in blocks and copy out the lines wanted.
  let block: Uint8Array = new Uint8Array(0);
  let blockStart = 0;
  for (let i = 0; i < count; i++) {
    const start = refs.start[i];
    const end = refs.end[i];
    if (start < blockStart || end > blockStart + block.length) {
      blockStart = start;
      block = source.read(start, Math.min(source.size - start, Math.max(READ_BLOCK_BYTES, end - start)));
    }
    const part = block.subarray(start - blockStart, end - blockStart);
    skeleton.set(part, at);
    at += part.length;
    // (The file's own last line keeps its missing line end: a line cut off reads as one.)
    if (part[part.length - 1] !== LF && end < source.size) skeleton[at++] = LF;
    if (part[part.length - 1] !== LF && end >= source.size) unterminatedLast = refs.line[i];
    lineOf.push(refs.line[i]);
  }
  let parsed: ParsedFile;
  try {
    parsed = readInputFile(skeleton.subarray(0, at), side.file, opts.forceProfile ? { ...side.readOptions, profile: side.head.profile } : side.readOptions);
  } catch (e) {
    throw new Fallback(`${side.file}: the reference reader failed on the residual rows (${(e as Error).message})`);
  }
  if (parsed.profile.name !== side.head.profile.name) throw new Fallback(`${side.file}: profile detection differs on the residual rows`);
  const remap = (line: number) => (line <= side.headLines ? line : lineOf[line - side.headLines - 1]);
  for (const r of parsed.records) r.source = { file: r.source.file, line: remap(r.source.line) };
  // The file's last line without a line end, short of the header's cells: whether it is cut off
  // is judged by the columns the whole file's rows fill, which only a whole reading sees.
  if (unterminatedLast >= 0) {
    const last = (line: number) => remap(line) === unterminatedLast;
    if (parsed.records.some((r) => r.source.line === unterminatedLast) || parsed.rejected.some((r) => last(r.line) && /looks cut off/.test(r.reason))) {
      if (lastLineShort(side, source)) throw new Fallback(`${side.file}: its last line has no line end and fewer cells than the header`);
    }
  }
  for (const r of parsed.rejected) r.line = remap(r.line);
  for (const s of parsed.skipped) s.line = remap(s.line);
  if (parsed.controlTotals) {
    parsed.controlTotals = {
      ...parsed.controlTotals,
      // "footer line 8" names a line of the residual text: say the file's line.
      source: parsed.controlTotals.source.replace(/\bline (\d+)/g, (_m, n: string) => `line ${remap(Number(n))}`),
      lines: parsed.controlTotals.lines.map(remap),
      totals: parsed.controlTotals.totals.map((t) => (t.line === undefined ? t : { ...t, line: remap(t.line) })),
    };
  }
  return parsed;
}

/**
 * Whether the file's last line (no line end) has fewer cells than the header names (delimiters
 * inside quotes not counted; trailing empty header cells not counted: rows may leave them out).
 */
function lastLineShort(side: Pick<FileSide, 'headBytes' | 'headLines' | 'head'>, source: ByteSource): boolean {
  const delim = side.head.delimiter.charCodeAt(0);
  const cellsOf = (bytes: Uint8Array, { named }: { named: boolean }) => {
    let n = 1;
    let lastNamed = 0;
    let quoted = false;
    let content = false;
    for (const b of bytes) {
      if (b === 0x22) quoted = !quoted;
      else if (b === delim && !quoted) {
        if (content) lastNamed = n;
        n++;
        content = false;
      } else if (b !== 0x20 && b !== 0x09 && b !== 0x0d) content = true;
    }
    if (content) lastNamed = n;
    return named ? lastNamed : n;
  };
  let start = 0;
  for (let l = 1; l < side.headLines; l++) start = side.headBytes.indexOf(LF, start) + 1;
  const headerEnd = side.headBytes.indexOf(LF, start);
  const width = cellsOf(side.headBytes.subarray(start, headerEnd < 0 ? side.headBytes.length : headerEnd), { named: true });
  const tail = source.read(Math.max(0, source.size - 65536), Math.min(source.size, 65536));
  return cellsOf(tail.subarray(tail.lastIndexOf(LF) + 1), { named: false }) < width;
}

type Phase = (name: string, next?: string) => void;

/** Ends a timed phase (stats.phases, printed under --verbose) and tells the progress line what comes next. */
function phaseClock(input: ColumnarInput): { phases: Record<string, number>; phase: Phase } {
  const phases: Record<string, number> = {};
  let mark = performance.now();
  return {
    phases,
    phase: (name, next) => {
      const now = performance.now();
      phases[name] = Math.round(now - mark);
      mark = now;
      if (next) input.progress?.(next);
    },
  };
}

/**
 * Scan, read the non-candidate rows, prove the clean pairs, pick the context rows, sum the clean
 * pairs. Everything large (columns, indexes) lives in this function's scope and goes when it
 * returns: the caller reads the residual rows and reconciles them without it.
 */
function selectClean(input: ColumnarInput, phase: Phase) {
  const { contract } = input;
  input.progress?.('reading the heads of both files');
  const list = (x: ColumnarSide | ColumnarSide[]) => (Array.isArray(x) ? x : [x]);
  if (list(input.terminal).length === 0 || list(input.settlement).length === 0) throw new Fallback('terminal and settlement files are both needed');
  // The columns know one cut-off and one cycle.
  if (input.contract.settlementByMerchant.size > 0) throw new Fallback('the contract gives some merchants settlement terms of their own (settlement.merchants)');
  const tPlanned = list(input.terminal).map((side) => planSide(side, 'terminal', input));
  const sPlanned = list(input.settlement).map((side) => planSide(side, 'settlement', input));
  phase('read heads, plan', 'scanning both files');
  const scans = startScans(tPlanned, sPlanned, input);
  // The per-file scans are an argument only: with several files per side they go once joined.
  const grouped = (planned: PlannedSide[], scanned: ScannedFile[]) => groupSides(planned.map((p, f) => scannedSide(p, scanned[f])));
  const T = grouped(tPlanned, scans.terminal());
  // A successful charge of a type no vocabulary knows is a row the reference reader rejects:
  // the reader judges it (and the line after it) like any line the scan did not understand.
  {
    const ts = T.scan;
    const unknownCharge = T.words.map((w) => w.txnType === 'other' && w.status === 'success');
    // So is a row whose status word no vocabulary knows.
    const unreadStatus = T.words.map((w) => w.unreadStatus === true);
    for (let r = 0; r < ts.count; r++) {
      if (ts.kind[r] !== LINE_SIMPLE || ts.words[r] < 0) continue;
      if ((unknownCharge[ts.words[r]] && ts.amount[r] > 0) || unreadStatus[ts.words[r]]) ts.kind[r] = LINE_OTHER;
    }
  }
  phase(input.parallelScan ? 'scan terminal (settlement on a 2nd thread)' : 'scan terminal', 'reading the rows that need a closer look');
  const ts = T.scan;
  const shifts = cutoffShifts({ cutoff: contract.settlement.cutoff, cutoffRule: contract.settlement.cutoffRule });

  // --- Per-row candidacy (no cross-row facts yet) -------------------------------------------
  const tCandidate = (r: number) => {
    if (ts.kind[r] !== LINE_SIMPLE || Number.isNaN(ts.rrn[r]) || !(ts.amount[r] > 0) || ts.day[r] < 0) return false;
    const w = T.words[ts.words[r]];
    return w.txnType === 'sale' && w.status === 'success' && !w.cancelled;
  };
  const tCand = new Uint8Array(ts.count);
  let candidates = 0;
  for (let r = 0; r < ts.count; r++) candidates += tCand[r] = tCandidate(r) ? 1 : 0;
  // Few rows that could be clean pairs (no RRNs printed, mostly failures or voids): the columns
  // would only add a scan and a second read to the reference engine's work (measured ~1.3×).
  if (ts.count >= MIN_ROWS_FOR_CANDIDATE_CHECK && candidates < ts.count * (input.minCandidateShare ?? MIN_CANDIDATE_SHARE)) {
    throw new Fallback(`only ${candidates.toLocaleString('en-US')} of ${ts.count.toLocaleString('en-US')} terminal rows could be clean pairs (successful sales with an RRN)`);
  }

  // --- Pass 1: the reference reader on every non-candidate line (+ the witness after each line
  // it may reject or call junk, so "a good row follows" holds as it does in the whole file) ----
  // Per file (rows numbered in the group): each file's reader judges its own rows.
  const firstPass = (group: Group, cand: Uint8Array) => group.files.map((_file, f) => {
    const scan = group.scan;
    const rows: number[] = [];
    // The head's last lines may be rejected or junk as well: the first candidate after it is a witness too.
    let needWitness = true;
    for (let r = group.firstRow[f]; r < group.firstRow[f + 1]; r++) {
      if (!cand[r]) {
        rows.push(r);
        if (scan.kind[r] === LINE_OTHER) needWitness = true;
        continue;
      }
      if (needWitness) {
        rows.push(r);
        cand[r] = 0;
        needWitness = false;
      }
    }
    return rows;
  });
  const readFirst = (group: Group, rows: number[][]) => group.files.map((file, f) => {
    const parsed = readLines(file, group.scan, rows[f], { forceProfile: true });
    checkSimpleBecameRecords(file, group.scan, rows[f], parsed);
    return parsed;
  });
  // Business days (after the cut-off) of the terminal candidates: packed for pairing below.
  const qrMidnight = contract.settlement.qrCutoff === 'midnight';
  const bizDays = (group: Group, cand: Uint8Array) => {
    const sc = group.scan;
    const out = new Int32Array(sc.count).fill(-1);
    const qrWords = group.words.map((w) => qrMidnight && w.cardType === 'qr');
    group.files.forEach((file, f) => {
      const midnight = Boolean(file.head.profile.midnightCutoff);
      for (let r = group.firstRow[f]; r < group.firstRow[f + 1]; r++) {
        if (!cand[r]) continue;
        if (sc.bizDay[r] >= 0) out[r] = sc.bizDay[r];
        else if (sc.day[r] >= 0) out[r] = midnight || (sc.words[r] >= 0 && qrWords[sc.words[r]]) ? sc.day[r] : sc.day[r] + (shifts(sc.secs[r]) ? 1 : 0);
        else out[r] = sc.settleDay[r];
      }
    });
    return out;
  };
  const tBiz = bizDays(T, tCand);
  const tRowsFirst = firstPass(T, tCand);
  // The terminal rows as pairing reads them: settlement rows come in their own order, so each
  // terminal row is a random access; one stride holds what is read (one cache miss per pair).
  const tPacked = new Int32Array(ts.count * TERMINAL_STRIDE);
  for (let t = 0; t < ts.count; t++) {
    const o = t * TERMINAL_STRIDE;
    // Amounts past 2^31 fen (21 million yuan) do not fit: such a sale is simply left residual.
    tPacked[o] = tCand[t] && ts.amount[t] <= 0x7fffffff ? ts.amount[t] : -1;
    tPacked[o + 1] = ts.merchant[t];
    tPacked[o + 2] = ts.words[t];
    tPacked[o + 3] = ts.terminal[t];
    tPacked[o + 4] = tBiz[t];
  }
  // The other thread indexes both sides' RRNs once it has scanned its own, and finds each
  // settlement row's RRN mate (indexSettlementWithMates), while this one reads rows.
  scans.indexWith(T.scan, { packed: tPacked, merchants: ts.merchants });
  // The terminal side's first pass runs while the other thread may still be scanning.
  const tFirst = readFirst(T, tRowsFirst);
  phase('terminal pass 1 (reference reader)', 'scanning both files');

  const { scanned: sScanned, index: scannedRrns, mates: scannedMates } = scans.settlement();
  const S = grouped(sPlanned, sScanned);
  phase(input.parallelScan ? 'settlement scan (rest)' : 'scan settlement', 'reading the rows that need a closer look');
  const ss = S.scan;
  // A line whose status word no vocabulary knows is a row the reference reader rejects, as on the terminal side.
  {
    const unreadStatus = S.words.map((w) => w.unreadStatus === true);
    if (unreadStatus.includes(true)) {
      for (let r = 0; r < ss.count; r++) if (ss.kind[r] === LINE_SIMPLE && ss.words[r] >= 0 && unreadStatus[ss.words[r]]) ss.kind[r] = LINE_OTHER;
    }
  }
  const sCandidate = (r: number) => {
    // A memo naming a deduction makes the line a deduction, not a sale (deriveWords with its memo).
    if (ss.kind[r] !== LINE_SIMPLE || Number.isNaN(ss.rrn[r]) || !(ss.amount[r] > 0) || ss.memoDeduction[r]) return false;
    const w = S.words[ss.words[r]];
    return w.txnType === 'sale' && w.status === 'success' && !w.cancelled;
  };
  const sCand = new Uint8Array(ss.count);
  for (let r = 0; r < ss.count; r++) sCand[r] = sCandidate(r) ? 1 : 0;
  const sFirst = readFirst(S, firstPass(S, sCand));
  // Head zones + first-pass rows of every file, all as the reference reads them.
  const tRecords = tFirst.flatMap((parsed) => parsed.records);
  const sRecords = sFirst.flatMap((parsed) => parsed.records);

  phase('settlement pass 1 (reference reader)', 'matching by RRN');
  // --- RRN uniqueness over every row of each file ---------------------------------------------
  // Scanned rows index by their column; rows the reference reader read (the head of the file,
  // lines the scan left alone) by their record's RRN, under a row number no candidate has.
  const rrns = scannedRrns ? PairIndex.fromParts(scannedRrns) : new PairIndex(expectedRrnKeys(ts.count, ss.count));
  let mates: RrnMates;
  if (scannedRrns) {
    if (!scannedMates) throw new Error('the scan worker sent the RRN table without the mates');
    mates = scannedMates;
  } else {
    indexRrnColumns(rrns, 0, [ts]);
    mates = indexSettlementWithMates(rrns, [ss], { packed: tPacked, merchants: ts.merchants });
  }
  const indexRrns = (group: Group, which: 0 | 1, firsts: ParsedFile[]) => {
    const scan = group.scan;
    group.files.forEach((file, f) => {
      const scanned = new Uint8Array(file.totalLines + 1);
      for (let r = group.firstRow[f]; r < group.firstRow[f + 1]; r++) if (scan.kind[r] === LINE_SIMPLE) scanned[scan.line[r]] = 1;
      for (const rec of firsts[f].records) {
        if (scanned[rec.source.line]) continue; // indexed from its column (indexRrnColumns)
        const k = rrnKey(normaliseRrn(rec.rrn));
        if (k === undefined) continue;
        unpairAt(rrns, k, mates);
        rrns.add(k, which, NOT_SCANNED);
      }
    });
  };
  indexRrns(T, 0, tFirst);
  indexRrns(S, 1, sFirst);
  /** The terminal candidate holding this RRN alone in its file, or -1. */
  const terminalOfRrn = (key: number) => {
    const t = rrns.rowAt(rrns.slot(key), 0);
    return t >= 0 && tCand[t] ? t : -1;
  };

  phase('rrn index');
  // --- Pairs proven clean ------------------------------------------------------------------
  // Business dates (after the cut-off) of the candidate rows, once.
  // QR payments may cut at midnight (settlement.qrCutoff), by each row's own card type.
  const sBiz = bizDays(S, sCand);
  const dateText = new Map<number, string>();
  const dateOf = (day: number) => {
    let d = dateText.get(day);
    if (d === undefined) dateText.set(day, (d = fromDayNumber(day)));
    return d;
  };
  const feeRules = contract.fees.rules.length > 0 ? saleFeeRules(contract) : null;
  const mode = contract.settlement.cycle.days === 0 ? 'D0' : 'T1';
  // Candidate rules per (settlement words, terminal words[, date]) when no rule names a merchant
  // or terminal: a number key instead of a string per row.
  const byWords = feeRules && !feeRules.uses.merchant && !feeRules.uses.terminal ? new Map<number, FenCandidates>() : null;
  const wordsKeyBase = T.words.length + 1;
  // A pair paid after its due date is no clean pair: the reference code reports it settled_late.
  // Due day per business day, by day number (0: not worked out yet); days after 2149 are rare enough to work out each time.
  const dueDays = new Int32Array(65536);
  const dueDayOf = (biz: number) => {
    let due = biz < dueDays.length ? dueDays[biz] : 0;
    if (due === 0) {
      const expected = expectedSettlementDate(dateOf(biz), { kind: contract.settlement.cycle.basis, days: contract.settlement.cycle.days }, input.calendar);
      due = dayNumber(input.calendar.addCalendarDays(expected, contract.settlement.graceDays));
      if (biz < dueDays.length) dueDays[biz] = due;
    }
    return due;
  };
  const pairOf = new Int32Array(ss.count).fill(-1); // settlement row → terminal row of a clean pair
  for (let s = 0; s < ss.count; s++) {
    if (!sCand[s]) continue;
    // The same RRN once on each side, the same amount, no other merchant (indexSettlementWithMates).
    const t = mates.terminal[s];
    if (t < 0) continue;
    const paidOn = ss.settleDay[s];
    const biz = mates.terminalBiz[s];
    if (paidOn >= 0 && paidOn > biz && paidOn > dueDayOf(biz)) continue;
    const amount = ss.amount[s];
    const sm = ss.merchant[s] >= 0 ? ss.merchants[ss.merchant[s]] : undefined;
    const feeFen = ss.fee[s];
    const netFen = ss.net[s];
    if (!Number.isNaN(feeFen) && !Number.isNaN(netFen) && netFen !== amount - feeFen) continue;
    // No fee printed: the fee taken is amount − net (as the reference fee check reads it).
    const chargedFen = !Number.isNaN(feeFen) ? feeFen : amount - netFen;
    if (feeRules && !Number.isNaN(chargedFen)) {
      const tWords = mates.terminalWords[s];
      const key = byWords ? (ss.words[s] * wordsKeyBase + tWords) * (feeRules.uses.date ? 1 << 20 : 1) + (feeRules.uses.date ? sBiz[s] : 0) : 0;
      let candidates = byWords?.get(key);
      if (!candidates) {
        const sw = S.words[ss.words[s]];
        const tw = T.words[tWords];
        candidates = feeRules.candidates({
          cardType: sw.cardType !== 'unknown' ? sw.cardType : tw.cardType,
          channel: sw.channel ?? tw.channel ?? sw.wallet ?? tw.wallet,
          merchantId: sm,
          terminalId: ss.terminal[s] >= 0 ? ss.terminals[ss.terminal[s]] : ts.terminal[t] >= 0 ? ts.terminals[ts.terminal[t]] : undefined,
          businessDate: dateOf(sBiz[s]),
          mode,
        });
        byWords?.set(key, candidates);
      }
      // NO_RULE and NOT_IN_FEN are negative: never equal to a printed fee.
      if (feeRules.feeFen(candidates, amount) !== chargedFen) continue;
    }
    pairOf[s] = t;
  }

  phase('clean pairs');
  // --- Rows whose outcome could depend on a clean pair: keep those pairs in the residual ------
  const keep = new Uint8Array(ss.count); // settlement rows of clean pairs that must stay residual
  const tKeep = new Uint8Array(ts.count);
  const pairOfTerminal = new Int32Array(ts.count).fill(-1);
  for (let s = 0; s < ss.count; s++) if (pairOf[s] >= 0) pairOfTerminal[pairOf[s]] = s;
  const keepTerminal = (t: number) => {
    if (pairOfTerminal[t] >= 0) tKeep[t] = 1;
  };

  // Each terminal's earliest settlement line (首刷 on a fee finding: which line, ties broken in
  // canonical order) and earliest settlement date (首刷 on a deduction: only the date matters).
  const firstLine = new Int32Array(ss.terminals.length).fill(-1);
  const firstDate = new Int32Array(ss.terminals.length).fill(-1);
  const lineTime = (s: number) => (ss.day[s] >= 0 ? ss.day[s] * 86400 + ss.secs[s] : ss.settleDay[s] * 86400 - 0.5);
  const lineDate = (s: number) => (ss.settleDay[s] >= 0 ? ss.settleDay[s] : sBiz[s]);
  // After the time, canonical order compares merchant id, terminal id (equal here), then RRN text.
  const canonicallyBefore = (a: number, b: number) => {
    const ma = ss.merchant[a] >= 0 ? ss.merchants[ss.merchant[a]] : '';
    const mb = ss.merchant[b] >= 0 ? ss.merchants[ss.merchant[b]] : '';
    return ma !== mb ? ma < mb : rrnText(ss.rrn[a]) < rrnText(ss.rrn[b]);
  };
  for (let s = 0; s < ss.count; s++) {
    const term = ss.terminal[s];
    if (pairOf[s] < 0 || term < 0) continue;
    const prev = firstLine[term];
    if (prev < 0 || lineTime(s) < lineTime(prev) || (lineTime(s) === lineTime(prev) && canonicallyBefore(s, prev))) firstLine[term] = s;
    const d = firstDate[term];
    if (d < 0 || lineDate(s) < lineDate(d)) firstDate[term] = s;
  }
  for (const s of firstLine) if (s >= 0) keep[s] = 1;
  for (const s of firstDate) if (s >= 0) keep[s] = 1;

  // Voids and reversals link to their sale by 原参考号, 原凭证号, or amount + day.
  const tByTrace = new Map<number, number[]>();
  const tByAmountDay = new Map<string, number[]>();
  const cancellations = tRecords.filter(isCancellation);
  if (cancellations.length > 0) {
    for (let t = 0; t < ts.count; t++) {
      if (pairOfTerminal[t] < 0) continue;
      if (!Number.isNaN(ts.trace[t])) push(tByTrace, ts.trace[t], t);
      push(tByAmountDay, `${ts.amount[t]}|${ts.day[t]}`, t);
    }
  }
  for (const c of cancellations) {
    const ref = normaliseRrn(c.originalRef);
    const refKey = rrnKey(ref);
    if (refKey !== undefined) {
      const t = terminalOfRrn(refKey);
      if (t >= 0) keepTerminal(t);
    }
    const otrace = normaliseTrace(c.originalTrace);
    if (otrace !== undefined && /^\d+$/.test(otrace)) {
      for (const t of tByTrace.get(Number(otrace)) ?? []) {
        const tid = ts.terminal[t] >= 0 ? ts.terminals[ts.terminal[t]] : '';
        if (tid === (c.terminalId ?? '')) keepTerminal(t);
      }
    }
    if (!ref && !otrace && c.time) {
      const fen = fenOf(amountKey(c));
      const day = Math.floor(localSeconds(c.time) / 86400);
      // The day before too: a sale late in the evening shares its business day with a void after midnight.
      for (const d of [day, day - 1]) for (const t of tByAmountDay.get(`${fen}|${d}`) ?? []) keepTerminal(t);
    }
  }

  // A refund names its sale (原参考号): the fee expected back is a share of that sale's fee, so
  // the sale's line must be among the rows the reference code sees.
  for (const list of [tRecords, sRecords]) {
    for (const r of list) {
      const key = rrnKey(normaliseRrn(r.originalRef));
      if (key === undefined) continue;
      const slot = rrns.slot(key);
      const s = rrns.rowAt(slot, 1);
      if (s >= 0 && pairOf[s] >= 0) keep[s] = 1;
      const t = rrns.rowAt(slot, 0);
      if (t >= 0) keepTerminal(t);
    }
  }

  // A failed or missing charge names a successful retry of the same amount within 30 minutes:
  // on its own terminal, or on another where both rows print the same card (its last four
  // digits tell two customers apart; a card the columns cannot read may be anyone's).
  // Card tails as the scan keeps them: 0–9999, -2 no digit at all (no card), -1 not known.
  const retryNeeds: { fen: number; at: number; terminal?: string; tail: number }[] = [];
  const tailOf = (card: string | undefined) => (!card || !/\d/.test(card) ? -2 : /\d{4}$/.test(card) ? Number(card.slice(-4)) : -1);
  // A date-only row counts as 00:00:00 there (retryOf compares its time as printed).
  for (const r of tRecords) {
    if (!r.time) continue;
    if (r.status === 'success' && (r.txnType === 'sale' || r.txnType === 'preauth_complete' || r.txnType === 'refund')) continue;
    retryNeeds.push({ fen: fenOf(amountKey(r)), at: localSeconds(r.time), terminal: r.terminalId, tail: tailOf(r.card) });
  }
  for (const r of sRecords) {
    if (!r.time) continue;
    retryNeeds.push({ fen: fenOf(amountKey(r)), at: localSeconds(r.time), terminal: r.terminalId, tail: tailOf(r.card) });
  }
  // Settlement candidates that end unpaired or off contract stay residual and may be dropped orders too.
  for (let s = 0; s < ss.count; s++) {
    if (sCand[s] && pairOf[s] < 0 && ss.day[s] >= 0) {
      retryNeeds.push({ fen: ss.amount[s], at: ss.day[s] * 86400 + ss.secs[s], terminal: ss.terminal[s] >= 0 ? ss.terminals[ss.terminal[s]] : undefined, tail: ss.cardTail[s] });
    }
  }
  if (retryNeeds.length > 0) {
    const wanted = new Map<number, { at: number; terminal?: string; tail: number }[]>();
    // A bitmap of the wanted amounts (low 20 bits) spares most rows the map lookup.
    const maybe = new Uint8Array(1 << 20);
    for (const n of retryNeeds) {
      push(wanted, n.fen, n);
      if (n.fen >= 0) maybe[n.fen & 0xfffff] = 1;
    }
    for (let t = 0; t < ts.count; t++) {
      if (pairOfTerminal[t] < 0 || !maybe[ts.amount[t] & 0xfffff]) continue;
      const needs = wanted.get(ts.amount[t]);
      if (!needs) continue;
      const at = ts.day[t] * 86400 + ts.secs[t];
      const tid = ts.terminal[t] >= 0 ? ts.terminals[ts.terminal[t]] : undefined;
      const tail = ts.cardTail[t];
      for (const n of needs) {
        // Another terminal only where both rows may print the same card (retryOf: card digits on both).
        const sameCardMaybe = tail !== -2 && n.tail !== -2 && (tail === -1 || n.tail === -1 || tail === n.tail);
        if (Math.abs(at - n.at) <= RETRY_WINDOW_SECONDS && (!tid || !n.terminal || tid === n.terminal || sameCardMaybe)) {
          keepTerminal(t);
          break;
        }
      }
    }
  }
  for (let t = 0; t < ts.count; t++) if (tKeep[t]) keep[pairOfTerminal[t]] = 1;

  phase('context rows');
  // --- Pass 2: the reference reader on candidates that did not end in a clean pair ---------
  const isClean = (s: number) => pairOf[s] >= 0 && !keep[s];
  const tClean = new Uint8Array(ts.count);
  for (let s = 0; s < ss.count; s++) if (isClean(s)) tClean[pairOf[s]] = 1;
  const tSecondRows: number[] = [];
  for (let t = 0; t < ts.count; t++) if (tCand[t] && !tClean[t]) tSecondRows.push(t);
  const sSecondRows: number[] = [];
  for (let s = 0; s < ss.count; s++) if (sCand[s] && !isClean(s)) sSecondRows.push(s);

  // --- Sums of the clean pairs, in fen ------------------------------------------------------
  // Accumulated per business day, settlement terminal and card type in typed arrays; turned
  // into the report's month / terminal / card-type buckets once at the end.
  // Each side's own fields are summed in its own order (sequential reads); only what needs both
  // rows of a pair (the fee's card type when the line prints none) looks across.
  let minDay = Infinity;
  let maxDay = -Infinity;
  let dayBase = Infinity;
  let dayTop = -Infinity;
  for (let t = 0; t < ts.count; t++) {
    if (!tClean[t]) continue;
    minDay = Math.min(minDay, tBiz[t]);
    maxDay = Math.max(maxDay, tBiz[t]);
    dayBase = Math.min(dayBase, ts.day[t]);
    dayTop = Math.max(dayTop, ts.day[t]);
  }
  for (let s = 0; s < ss.count; s++) {
    if (!isClean(s)) continue;
    minDay = Math.min(minDay, sBiz[s]);
    maxDay = Math.max(maxDay, sBiz[s]);
    const sDay = ss.day[s] >= 0 ? ss.day[s] : ss.settleDay[s];
    if (sDay >= 0) {
      dayBase = Math.min(dayBase, sDay);
      dayTop = Math.max(dayTop, sDay);
    }
  }
  const span = maxDay >= minDay ? maxDay - minDay + 1 : 0;
  const dayExpected = new Float64Array(span);
  const daySettled = new Float64Array(span);
  const dayFee = new Float64Array(span);
  const dayFeeCount = new Float64Array(span);
  const termFee = new Float64Array(ss.terminals.length + T.scan.terminals.length + 1);
  const termFeeCount = new Float64Array(termFee.length);
  const cardFee = new Map<string, FenBucket>();
  let pairs = 0;
  let amountSum = 0;
  let feeSum = 0;
  let netSum = 0;
  let latestSettle = -1;
  let latestBusiness = -1;
  // Per settlement merchant (the last slot: lines printing none), the latest settlement day.
  const merchantSettle = new Int32Array(ss.merchants.length + 1).fill(-1);
  let feeChecked = 0;
  // Transaction dates, for the holiday-calendar check.
  const seenDay = new Uint8Array(dayTop >= dayBase ? dayTop - dayBase + 1 : 0);
  for (let t = 0; t < ts.count; t++) {
    if (!tClean[t]) continue;
    dayExpected[tBiz[t] - minDay] += ts.amount[t];
    seenDay[ts.day[t] - dayBase] = 1;
  }
  for (let s = 0; s < ss.count; s++) {
    if (!isClean(s)) continue;
    pairs++;
    const amount = ss.amount[s];
    amountSum += amount;
    // A line printing no net pays amount − fee (as the reference totals read it).
    if (!Number.isNaN(ss.net[s])) netSum += ss.net[s];
    else if (!Number.isNaN(ss.fee[s])) netSum += amount - ss.fee[s];
    else netSum += amount;
    if (ss.settleDay[s] > latestSettle) latestSettle = ss.settleDay[s];
    const mi = ss.merchant[s] >= 0 ? ss.merchant[s] : ss.merchants.length;
    if (ss.settleDay[s] > merchantSettle[mi]) merchantSettle[mi] = ss.settleDay[s];
    // The transaction date it proves (as defaultAsOf reads it): stated, else the calendar date.
    const provenDay = ss.bizDay[s] >= 0 ? ss.bizDay[s] : ss.day[s] >= 0 ? ss.day[s] : ss.settleDay[s];
    if (provenDay > latestBusiness) latestBusiness = provenDay;
    daySettled[sBiz[s] - minDay] += amount;
    const sDay = ss.day[s] >= 0 ? ss.day[s] : ss.settleDay[s];
    if (sDay >= 0) seenDay[sDay - dayBase] = 1;
    const printedFee = ss.fee[s];
    if (!Number.isNaN(printedFee)) feeSum += printedFee;
    // A line printing no fee is checked by amount − net (the reference fee check does the same).
    const fee = !Number.isNaN(printedFee) ? printedFee : amount - ss.net[s];
    if (Number.isNaN(fee) || !feeRules) continue;
    feeChecked++;
    dayFee[sBiz[s] - minDay] += fee;
    dayFeeCount[sBiz[s] - minDay]++;
    // Settlement terminal first, else the terminal export's (offset past the settlement ids).
    const t = pairOf[s];
    const term = ss.terminal[s] >= 0 ? ss.terminal[s] : ts.terminal[t] >= 0 ? ss.terminals.length + ts.terminal[t] : termFee.length - 1;
    termFee[term] += fee;
    termFeeCount[term]++;
    const sw = S.words[ss.words[s]];
    addBucket(cardFee, sw.cardType !== 'unknown' ? sw.cardType : T.words[ts.words[t]].cardType, fee);
  }
  const byMonth = new Map<string, FenBucket>();
  const daily = new Map<string, { expected: number; settled: number }>();
  for (let i = 0; i < span; i++) {
    const date = dateOf(minDay + i);
    if (dayFeeCount[i] > 0) {
      const month = date.slice(0, 7);
      const b = byMonth.get(month);
      if (b) {
        b.fen += dayFee[i];
        b.count += dayFeeCount[i];
      } else byMonth.set(month, { fen: dayFee[i], count: dayFeeCount[i] });
    }
    if (dayExpected[i] !== 0 || daySettled[i] !== 0) daily.set(date, { expected: dayExpected[i], settled: daySettled[i] });
  }
  const byTerminal = new Map<string, FenBucket>();
  for (let i = 0; i < termFee.length; i++) {
    if (termFeeCount[i] === 0) continue;
    const name = i < ss.terminals.length ? ss.terminals[i] : i < termFee.length - 1 ? ts.terminals[i - ss.terminals.length] : '(none)';
    const b = byTerminal.get(name);
    if (b) {
      b.fen += termFee[i];
      b.count += termFeeCount[i];
    } else byTerminal.set(name, { fen: termFee[i], count: termFeeCount[i] });
  }
  const feeBuckets = { byMonth, byTerminal, byCardType: cardFee };
  for (const v of [amountSum, feeSum, netSum]) if (!Number.isSafeInteger(v)) throw new Fallback('sums beyond exact integer range');

  phase('sums', 'reading the rows that need a closer look (2)');
  // From here on only the residual rows' places are needed: copied out, so the columns and
  // indexes can go before the reference reader and reconciliation allocate their records.
  const residualSide = (side: FileSide): ResidualSide => ({
    // The second read forces the detected profile: the preamble and header suffice as its head.
    file: side.file, source: side.source, headBytes: side.headBytes.slice(0, side.headerEnd), headEnd: side.headerEnd, headLines: side.head.headerLine ?? 0,
    readOptions: side.readOptions, head: side.head, totalLines: side.totalLines,
  });
  const tRest = T.files.map(residualSide);
  const sRest = S.files.map(residualSide);
  const tRefs = byFile(T, tSecondRows).map((rows) => lineRefs(ts, rows));
  const sRefs = byFile(S, sSecondRows).map((rows) => lineRefs(ss, rows));
  // Per file: its line account and the totals it states about itself include its clean rows.
  const fileSums = (group: Group, clean: (r: number) => boolean): CleanSums[] => group.files.map((_file, f) => {
    const sc = group.scan;
    const sums = { rows: 0, amount: 0, fee: 0, net: 0 };
    for (let r = group.firstRow[f]; r < group.firstRow[f + 1]; r++) {
      if (!clean(r)) continue;
      sums.rows++;
      sums.amount += sc.amount[r];
      if (!Number.isNaN(sc.fee[r])) sums.fee += sc.fee[r];
      if (!Number.isNaN(sc.net[r])) sums.net += sc.net[r];
    }
    return sums;
  });
  const terminalSums = fileSums(T, (t) => tClean[t] === 1);
  const settlementSums = fileSums(S, isClean);
  const yuan = (fen: number) => new Decimal(fen).div(100);
  const preMatched: PreMatched = {
    pairs,
    terminalSuccess: yuan(amountSum),
    settled: yuan(amountSum),
    fees: yuan(feeSum),
    net: yuan(netSum),
    feeChecked,
    feeBuckets: Object.fromEntries(
      Object.entries(feeBuckets).map(([k, m]) => [k, new Map([...m].map(([key, b]) => [key, { charged: yuan(b.fen), count: b.count }]))]),
    ) as PreMatched['feeBuckets'],
    daily: new Map([...daily].map(([d, v]) => [d, { expected: yuan(v.expected), settled: yuan(v.settled) }])),
    latestSettleDate: latestSettle >= 0 ? dateOf(latestSettle) : undefined,
    latestBusinessDate: latestBusiness >= 0 ? dateOf(latestBusiness) : undefined,
    dates: [...seenDay.keys()].filter((i) => seenDay[i]).map((i) => dateOf(dayBase + i)),
    latestSettleByMerchant: Object.fromEntries(
      [...merchantSettle].flatMap((day, i) => (day >= 0 ? [[i < ss.merchants.length ? ss.merchants[i] : '', dateOf(day)]] : [])),
    ),
    // Files some clean row of which prints a time off the minute (the same-second matching rules
    // hold only in such files): the residual rows alone would not tell.
    filesPrintingSeconds: [
      ...T.files.filter((_file, f) => someRow(T.firstRow[f], T.firstRow[f + 1], (r) => tClean[r] === 1 && ts.secs[r] > 0 && ts.secs[r] % 60 !== 0)).map((file) => file.file),
      ...S.files.filter((_file, f) => someRow(S.firstRow[f], S.firstRow[f + 1], (r) => isClean(r) && ss.secs[r] > 0 && ss.secs[r] % 60 !== 0)).map((file) => file.file),
    ],
    // Each terminal file's first and last transaction date over its clean pairs' rows (the rows
    // that become records widen it in reconcile; a row the reference reader rejects does not).
    terminalSpans: T.files.flatMap((file, f) => {
      let from = Infinity;
      let to = -Infinity;
      // The merchant ids its rows print; where they print none, the merchant of the line each
      // matched, per terminal id (as classify reads a merchantless export).
      const merchants = new Set<string>();
      const matched = new Map<string, { terminalId: string; merchantId: string }>();
      const merchantless = new Set<string>();
      let latest = -1;
      for (let r = T.firstRow[f]; r < T.firstRow[f + 1]; r++) {
        const d = ts.day[r];
        if (d < 0 || !tClean[r]) continue;
        if (d < from) from = d;
        if (d > to) to = d;
        if (ts.secs[r] >= 0 && d * 86400 + ts.secs[r] > latest) latest = d * 86400 + ts.secs[r];
        if (ts.merchant[r] >= 0) {
          merchants.add(ts.merchants[ts.merchant[r]]);
          continue;
        }
        const terminalId = ts.terminal[r] >= 0 ? ts.terminals[ts.terminal[r]] : '';
        merchantless.add(terminalId);
        if (ss.merchant[pairOfTerminal[r]] >= 0) {
          const merchantId = ss.merchants[ss.merchant[pairOfTerminal[r]]];
          matched.set(`${terminalId}|${merchantId}`, { terminalId, merchantId });
        }
      }
      const clock = (secs: number) => [Math.floor(secs / 3600), Math.floor(secs / 60) % 60, secs % 60].map((n) => String(n).padStart(2, '0')).join(':');
      return to >= from
        ? [{
            file: file.file, from: dateOf(from), to: dateOf(to), merchantIds: [...merchants],
            ...(matched.size ? { matchedMerchants: [...matched.values()] } : {}),
            ...(merchantless.size ? { merchantlessTerminals: [...merchantless] } : {}),
            ...(latest >= 0 ? { latestTime: `${dateOf(Math.floor(latest / 86400))} ${clock(latest % 86400)}` } : {}),
          }]
        : [];
    }),
  };
  // Only plain data leaves: no closure over this scope (V8 would keep the whole scope, columns
  // included, alive with it).
  return { tRest, sRest, tFirst, sFirst, tRefs, sRefs, terminalSums, settlementSums, preMatched };
}

function run(input: ColumnarInput): ColumnarOutcome {
  const { phases, phase } = phaseClock(input);
  const clean = selectClean(input, phase);
  input.collectGarbage?.();
  const { preMatched } = clean;
  const terminalFiles = clean.tRest.map((rest, f) => mergeSecondPass(rest, clean.tFirst[f], clean.tRefs[f], clean.terminalSums[f]));
  const settlementFiles = clean.sRest.map((rest, f) => mergeSecondPass(rest, clean.sFirst[f], clean.sRefs[f], clean.settlementSums[f]));
  const residualRows = [...terminalFiles, ...settlementFiles].reduce((n, file) => n + file.records.length, 0);
  phase('pass 2 (reference reader)', `reconciling ${residualRows.toLocaleString('en-US')} rows that are not clean pairs`);
  const result = reconcile({
    terminal: terminalFiles,
    settlement: settlementFiles,
    contract: input.contract,
    calendar: input.calendar,
    asOf: input.asOf,
    preMatched,
  });
  phase('reconcile residual');
  return { result, stats: { cleanPairs: preMatched.pairs, residualRows, phases } };
}

interface FenBucket {
  fen: number;
  count: number;
}

function addBucket(map: Map<string, FenBucket>, key: string, fen: number): void {
  const b = map.get(key);
  if (b) {
    b.fen += fen;
    b.count++;
  } else {
    map.set(key, { fen, count: 1 });
  }
}

/** Every simple line given to the reference reader must come back a record, as in the whole file. */
function checkSimpleBecameRecords(side: FileSide, scan: ScannedFile, rows: number[], parsed: ParsedFile): void {
  const recordLines = new Set(parsed.records.map((r) => r.source.line));
  // A balance or subtotal line between the rows (a dated 小计) is judged by its own cells alone,
  // never by the lines around it: read in pass 1 (it is no candidate) it is what it is in the file.
  // (Not a line stating the file's control totals: where those are can depend on the lines before.)
  const totalsLines = new Set(parsed.controlTotals?.lines ?? []);
  for (const s of parsed.skipped) if (s.kind === 'summary' && s.line > side.headLines && !totalsLines.has(s.line)) recordLines.add(s.line);
  for (const r of rows) {
    if (scan.kind[r] === LINE_SIMPLE && !recordLines.has(scan.line[r])) {
      throw new Fallback(`${side.file}:${scan.line[r]}: read differently in context`);
    }
  }
}

/** Sums over one file's clean rows, in fen. */
interface CleanSums {
  rows: number;
  amount: number;
  fee: number;
  net: number;
}

/** The first pass's file plus the second pass's records; line account and control totals of the whole file. */
function mergeSecondPass(side: ResidualSide, first: ParsedFile, refs: LineRefs, clean: CleanSums): ParsedFile {
  const cleanRows = clean.rows;
  let records = first.records;
  if (refs.line.length > 0) {
    const second = readLineRefs(side, refs, { forceProfile: true });
    const extra = second.records.filter((r) => r.source.line > side.headLines);
    if (extra.length !== refs.line.length || second.rejected.length > 0) throw new Fallback(`${side.file}: a candidate row did not read as a record`);
    records = [...first.records, ...extra].sort((a, b) => a.source.line - b.source.line);
  }
  let controlTotalMismatches = first.controlTotalMismatches;
  // Totals of each part of a file pasted together from several exports: the clean rows would
  // have to be counted per part.
  if (first.controlTotals?.totals.some((t) => t.part)) throw new Fallback(`${side.file}: footers over the parts of several exports pasted together`);
  if (first.controlTotals) {
    const yuan = (fen: number) => new Decimal(fen).div(100);
    // Clean rows are sales: they count as records, sales, and add their amount, fee and net.
    const extra = {
      count: new Decimal(cleanRows), saleCount: new Decimal(cleanRows),
      amount: yuan(clean.amount), saleAmount: yuan(clean.amount), fee: yuan(clean.fee), net: yuan(clean.net),
    };
    // A stated row count covers rejected rows too (as readInputFile judges it).
    controlTotalMismatches = checkControlTotals(records, first.controlTotals, extra).filter(
      (m) => !(m.key === 'count' && m.stated.eq(records.length + cleanRows + first.rejected.length)),
    );
  }
  // What detection found on the whole file's head (both passes read with the profile forced).
  const { encoding, encodingReason, delimiter, profile, role, reason, headerLine, mapping, format, clearingDate, readsBetterAs } = side.head;
  return {
    ...first,
    encoding, encodingReason, delimiter, profile, role, reason, headerLine, mapping, format, clearingDate,
    ...(readsBetterAs ? { readsBetterAs } : {}),
    records,
    controlTotalMismatches,
    preMatched: cleanRows,
    lines: { ...first.lines, total: side.totalLines, records: first.lines.records + (records.length - first.records.length) + cleanRows },
  };
}

/** An RRN as the scan keys it (digit count kept, so 0123 ≠ 123); undefined when not all digits. */
function rrnKey(rrn: string | undefined): number | undefined {
  if (!rrn || rrn.length > 14 || !/^\d+$/.test(rrn)) return undefined;
  const v = Number(rrn);
  return v === 0 ? undefined : rrn.length * 1e14 + v;
}

/** The RRN text back from its key. */
function rrnText(key: number): string {
  const digits = Math.floor(key / 1e14);
  return String(key - digits * 1e14).padStart(digits, '0');
}

/** amountKey ("1234.50") as integer fen, without a float in between. */
function fenOf(key: string): number {
  return key === '' ? NaN : Number(key.replace('.', ''));
}

function someRow(from: number, to: number, test: (r: number) => boolean): boolean {
  for (let r = from; r < to; r++) if (test(r)) return true;
  return false;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
