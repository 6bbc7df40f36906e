// read → detect profile → normalise, for one file. Pure: bytes in, records and an account of
// every physical line out. The CLI layer does the file I/O.
import type { CanonicalRecord, LocalDate, RejectedRow, Role, SkippedLine } from '../model.js';
import { InputError } from '../model.js';
import { decodeInput, looksGarbled, type Encoding } from './decode.js';
import { countPhysicalLines, detectDelimiter, tokenizeDelimited, type RawRow } from './tokenize.js';
import { detectProfile, type ColumnMapping, type Detection } from '../profiles/detect.js';
import { normaliseLabel, type Profile } from '../profiles/profile.js';
import { normaliseRows } from '../normalise/records.js';
import { DETECTION_LINES, describeMisfit, detectFixedWidth, fixedWidthDetection, fixedWidthLines, fixedWidthRows } from './fixedWidth.js';
import { readSpreadsheet, shiftSerials1904, spreadsheetKind, type SpreadsheetKind, type SpreadsheetRows } from './excel.js';
import { prepareRows } from './cellRules.js';
import { checkControlTotals, readControlTotals, type ControlTotalMismatch, type ControlTotals } from './controlTotals.js';

export interface ReadOptions {
  profiles: Profile[];
  role?: Role;
  encoding?: Encoding;
  /** A profile forced with --profile. */
  profile?: Profile;
  /**
   * Clearing date (清算日期, YYYY-MM-DD or YYYYMMDD) for layouts whose times have no year
   * (UnionPay ZM); overrides the one taken from the file name.
   */
  clearingDate?: string;
  /**
   * Normalise only this many rows after the header: a head read for its detection alone (the
   * fast path's planner), whose rows are read again in their place.
   */
  normaliseRowsAfterHeader?: number;
}

export interface LineAccount {
  total: number;
  header: number;
  skipped: number;
  records: number;
  rejected: number;
}

/** How the file's content was laid out. */
export type InputFormat = 'delimited' | 'fixed-width' | 'spreadsheet';

export interface ParsedFile {
  file: string;
  /**
   * A workbook's sheets with rows that fit a layout but were not read (hidden, another layout,
   * named for other lines, a copy): the report says so, as the user may need them read.
   */
  sheetsNotRead?: { sheet: string; rows: number; why: string }[];
  /** Text encoding, or the spreadsheet kind for workbooks. */
  encoding: Encoding | SpreadsheetKind;
  encodingReason: string;
  delimiter: string;
  profile: Profile;
  role: Role;
  reason: string;
  /** The header fits a layout of another side better (a settlement file given as a terminal export). */
  /**
   * The header fits another side's layout better. `plainly`: it is that side's beyond doubt (as a
   * terminal file no status column and a settlement date the other layout maps; as a settlement
   * file neither fee, net nor settlement date) — a daily run refuses to store it as given.
   */
  readsBetterAs?: { role: Role; profile: string; plainly?: true };
  headerLine: number | null;
  mapping: ColumnMapping;
  records: CanonicalRecord[];
  /**
   * Rows the columnar fast path proved to be clean matched pairs: counted, never materialised
   * as records (src/columnar). 0 or absent on the reference path.
   */
  preMatched?: number;
  rejected: RejectedRow[];
  skipped: SkippedLine[];
  lines: LineAccount;
  format?: InputFormat;
  /** Clearing date of the file when its profile uses one (stamped on records as businessDate). */
  clearingDate?: LocalDate;
  /** Totals the file states about itself (summary row, footer), when its profile says where. */
  controlTotals?: ControlTotals;
  /** Stated totals that disagree with the rows read: `control_total_mismatch` findings to report. */
  controlTotalMismatches?: ControlTotalMismatch[];
}

/** Pseudo-delimiters of the non-delimited formats, named for `inspect` ("fixed-width field-separated"). */
/** Rows a file contributed: its records plus the clean pairs the fast path only counted. */
export function recordCount(f: Pick<ParsedFile, 'records' | 'preMatched'>): number {
  return f.records.length + (f.preMatched ?? 0);
}

export const FIXED_WIDTH_DELIMITER = 'fixed-width';
export const SPREADSHEET_DELIMITER = 'spreadsheet';
const DELIMITER_NAMES: Record<string, string> = {
  ',': 'comma', '\t': 'tab', ';': 'semicolon', '|': 'pipe',
  [FIXED_WIDTH_DELIMITER]: 'fixed-width field', [SPREADSHEET_DELIMITER]: 'spreadsheet cell',
};
export const delimiterName = (d: string): string => DELIMITER_NAMES[d] ?? JSON.stringify(d);

export function readInputFile(bytes: Uint8Array, file: string, opts: ReadOptions): ParsedFile {
  const sheet = spreadsheetKind(bytes);
  if (sheet) return readWorkbook(bytes, file, opts, sheet);

  const decoded = decodeInput(bytes, file, opts.encoding);
  const text = decoded.text;
  if (text.trim() === '') throw new InputError(`${file}: the file is empty`, 'check that the export finished downloading');

  // Fixed-width layouts are recognised by record length and first field before any delimiter guess.
  const candidates = opts.profile ? [opts.profile] : opts.profiles.filter((p) => !opts.role || p.role === opts.role);
  const fixedProfiles = candidates.filter((p) => p.format === 'fixed-width');
  if (fixedProfiles.length > 0) {
    const sample = fixedWidthLines(bytes, text, decoded.encoding, DETECTION_LINES);
    const fit = detectFixedWidth(sample, fixedProfiles, decoded.encoding, Boolean(opts.profile));
    if (fit || opts.profile) {
      const profile = fit?.profile ?? opts.profile!;
      if (!fit) {
        throw new InputError(
          `${file}: does not look like ${profile.name} (fixed width): ${describeMisfit(sample, profile)}`,
          'check the file, or drop --profile to let posrecon detect the layout',
        );
      }
      const lines = fixedWidthLines(bytes, text, decoded.encoding);
      const { rows, isRecord } = fixedWidthRows(lines, profile, decoded.encoding);
      const detection = fixedWidthDetection(profile, fit, Boolean(opts.profile));
      return finish(rows, detection, file, opts, {
        encoding: decoded.encoding,
        encodingReason: decoded.encodingReason,
        delimiter: FIXED_WIDTH_DELIMITER,
        format: 'fixed-width',
        totalLines: countPhysicalLines(text),
        isData: isRecord,
      });
    }
  }

  const delimiter = opts.profile?.delimiter ?? detectDelimiter(text.slice(0, 64 * 1024));
  const rows = tokenizeDelimited(text, delimiter);
  let detection: Detection;
  try {
    detection = detectDelimitedProfile(rows, file, opts, decoded.encoding);
  } catch (e) {
    // A summary report passed where transactions are expected: say what it is.
    if (e instanceof InputError && !opts.profile && UNIONPAY_SUMMARY.test(text.slice(0, 4096))) {
      throw new InputError(
        `${file}: this is a UnionPay RD summary (商户交易汇总表), not a transaction file`,
        'read the ZM detail file that came with it; the summary holds its control totals (see docs/layouts.md)',
      );
    }
    throw e;
  }
  return finish(rows, detection, file, opts, {
    encoding: decoded.encoding,
    encodingReason: decoded.encodingReason,
    delimiter,
    format: 'delimited',
    totalLines: countPhysicalLines(text),
    lastLineUnterminated: text.length > 0 && !/[\r\n]$/.test(text),
  });
}

function readWorkbook(bytes: Uint8Array, file: string, opts: ReadOptions, kind: SpreadsheetKind): ParsedFile {
  let firstError: unknown;
  const sheets = readSpreadsheet(bytes, file, kind);
  const fits: { sheet: SpreadsheetRows; detection: Detection; rows: number }[] = [];
  for (const sheet of sheets) {
    try {
      const detection = detectDelimitedProfile(sheet.rows, file, opts, kind);
      fits.push({ sheet, detection, rows: sheet.rows.length - detection.headerIndex - 1 });
    } catch (e) {
      firstError ??= e;
    }
  }
  if (fits.length === 0) throw firstError;
  // A hidden sheet (a backup copy) is no detail while a visible one fits.
  const visible = fits.filter((f) => !f.sheet.hidden);
  const pool = visible.length > 0 ? visible : fits;
  // A sheet whose header maps far fewer columns than the best is a summary (汇总: terminal,
  // count, total), however many rows it has; one whose name says it holds something else
  // (退款明细, 未结算明细, 汇总, 备份) is the detail only when nothing else fits.
  const top = Math.max(...pool.map((f) => f.detection.score ?? 0));
  const detailLike = pool.filter((f) => (f.detection.score ?? 0) * 4 >= top * 3);
  const plain = detailLike.filter((f) => (f.sheet.sheet.match(OTHER_SHEET_WORDS) ?? []).length === 0);
  const choice = plain.length > 0 ? plain : detailLike;
  // Then the longest (the sales, not the day's one refund), then the first in the workbook.
  const best = choice.reduce((a, b) => (b.rows > a.rows ? b : a));
  // Sheets laid out exactly like it (one sheet per 清算日期 or per store) hold more of the same
  // rows: read too, in the workbook's order, as if pasted one after another (each later sheet's
  // header is a repeated header, its title lines a pasted export's preamble). Not a sheet that
  // repeats one of their rows (an accountant's filtered copy), nor one named for other lines.
  const labels = (d: Detection) => d.headerCells.map(normaliseLabel);
  // Transaction rows: an amount and a date or time (not a disclaimer or title every sheet repeats).
  const transactionRows = (f: (typeof fits)[number]) => {
    const cols = f.detection.mapping.columns;
    const dated = [cols.time, cols.date, cols.settleDate, cols.businessDate].filter((c): c is number => c !== undefined);
    return f.sheet.rows.slice(f.detection.headerIndex + 1)
      .filter((r) => cols.amount !== undefined && (r.cells[cols.amount] ?? '').trim() !== '' && dated.some((c) => (r.cells[c] ?? '').trim() !== ''))
      .map((r) => r.cells.join('\u001f'));
  };
  // A name word saying what a sheet holds counts only where the detail's own name lacks it:
  // 11月5日(含退款) and 11月6日(含退款) are two days of one layout.
  const nameWords = (name: string) => new Set((name.match(OTHER_SHEET_WORDS) ?? []).map((w) => w.toLowerCase()));
  const bestWords = nameWords(best.sheet.sheet);
  const seen = new Set(transactionRows(best));
  const read = [best];
  const notRead: { sheet: string; rows: number; why: string }[] = [];
  for (const f of fits) {
    if (f === best) continue;
    const theirs = transactionRows(f);
    const repeated = theirs.filter((r) => seen.has(r)).length;
    const missing = labels(best.detection).filter((l, i) => l !== '' && !labels(f.detection).includes(l) && best.detection.headerCells[i] !== undefined);
    const extra = f.detection.headerCells.filter((c, i) => labels(f.detection)[i] !== '' && !labels(best.detection).includes(labels(f.detection)[i]));
    const differs = [...(extra.length ? [`${extra.map((c) => c.trim()).join(', ')} added`] : []), ...(missing.length ? [`${missing.length} of its columns missing`] : [])].join(', ') || 'its columns in another order';
    const why = f.sheet.hidden ? 'hidden'
      : (f.detection.score ?? 0) * 4 < top * 3 ? SUMMARY_SHEET
      : !(f.detection.profile === best.detection.profile && labels(f.detection).join('\u001f') === labels(best.detection).join('\u001f')) ? `its columns differ from sheet "${best.sheet.sheet}" (${differs})`
      : [...nameWords(f.sheet.sheet)].some((w) => !bestWords.has(w)) ? 'its name says it holds other lines'
      // A filtered or pasted copy repeats the rows already read; a day's sheet holds its own.
      : theirs.length > 0 && repeated * 2 >= theirs.length ? `it repeats rows of sheet "${best.sheet.sheet}"`
      : undefined;
    if (why === undefined) {
      for (const r of theirs) seen.add(r);
      read.push(f);
    } else if (f.rows > 0) notRead.push({ sheet: f.sheet.sheet, rows: f.rows, why });
  }
  read.sort((a, b) => sheets.indexOf(a.sheet) - sheets.indexOf(b.sheet));
  const first = read[0];
  const rows: RawRow[] = [];
  const parts: string[] = [];
  for (const f of read) {
    const offset = rows.length === 0 ? 0 : rows[rows.length - 1].endLine;
    for (const row of f.sheet.rows) rows.push(offset === 0 ? row : { ...row, line: row.line + offset, endLine: row.endLine + offset });
    const last = f.sheet.rows[f.sheet.rows.length - 1]?.endLine ?? 0;
    parts.push(offset === 0 ? `"${f.sheet.sheet}" (lines 1–${last})` : `"${f.sheet.sheet}" (lines ${offset + 1}–${offset + last}: its rows 1–${last})`);
  }
  const detection = first.detection;
  const dateColumns = (['time', 'date', 'settleDate', 'businessDate'] as const).map((f) => detection.mapping.columns[f]).filter((c): c is number => c !== undefined);
  const shifted = first.sheet.date1904 ? shiftSerials1904(rows, dateColumns, detection.headerIndex + 1) : rows;
  const others = sheets.filter((s) => !read.some((f) => f.sheet === s)).map((s) => `"${s.sheet}"`);
  const which = read.length > 1
    ? first.sheet.reason.replace(/, sheet "[^"]*"( of \d+)?/, `, sheets ${parts.join(' and ')}, read one after another`)
    : first.sheet.reason;
  const reason = others.length > 0 ? `${which} (${read.length > 1 ? 'the sheets laid out as the detail' : 'the detail sheet'}; not read: ${others.join(', ')})` : which;
  const parsed = finish(shifted, detection, file, opts, {
    encoding: kind,
    encodingReason: reason,
    delimiter: SPREADSHEET_DELIMITER,
    format: 'spreadsheet',
    totalLines: rows.length === 0 ? 0 : rows[rows.length - 1].endLine,
  });
  if (notRead.length > 0) parsed.sheetsNotRead = notRead;
  return parsed;
}

/** Words in a sheet name saying it holds other lines than the detail: summaries, refunds, held or failed lines, copies. */
const OTHER_SHEET_WORDS = /汇总|统计|合计|小计|未结算|未清算|暂缓|冻结|挂账|退款|退货|撤销|冲正|失败|异常|差错|拒绝|备份|副本|说明|copy|backup|summary|total|refund|fail|error|reject|revers|pending|unsettled|withheld|(?<![a-z])(?:held|hold|void)/giu;
/** Why a sheet mapping far fewer columns than the detail was not read: it is no detail. */
export const SUMMARY_SHEET = 'a summary (its header maps far fewer columns)';

const UNIONPAY_SUMMARY = /全渠道商户交易汇总表|商户交易汇总表/u;

/** How many leading rows header markers are looked for in (as many as header detection searches). */
const MARKER_SEARCH_ROWS = 40;

/**
 * Profile detection for rows of cells (delimited text, spreadsheets). Fixed-width profiles never
 * apply here, and a profile with `headerMarkers` is only a candidate when one of the first rows
 * holds all its markers, so a channel-specific layout cannot claim a generic export.
 */
function detectDelimitedProfile(rows: RawRow[], file: string, opts: ReadOptions, encoding: string): Detection {
  let profiles = opts.profiles.filter((p) => p.format !== 'fixed-width');
  if (!opts.profile) {
    const labelRows = rows.slice(0, MARKER_SEARCH_ROWS).map((r) => new Set(r.cells.map(normaliseLabel)));
    profiles = profiles.filter((p) => {
      if (!p.headerMarkers || p.headerMarkers.length === 0) return true;
      const want = p.headerMarkers.map(normaliseLabel);
      return labelRows.some((labels) => want.every((m) => labels.has(m)));
    });
  } else if (opts.profile.format === 'fixed-width') {
    throw new InputError(`${file}: ${opts.profile.name} is a fixed-width layout; this file is not fixed-width text`, 'drop --profile to let posrecon detect the layout');
  }
  const detection = detectProfile(rows, profiles, {
    role: opts.role,
    file,
    forced: opts.profile,
    encoding,
    garbled: looksGarbled,
  });
  // Given to one side, but the same header fits another side's layout better (a settlement file
  // in the terminal glob): the report says so, the file is still read as given.
  if (opts.role && !opts.profile && detection.score !== undefined) {
    let other: Detection | undefined;
    try {
      other = detectProfile(rows, profiles.filter((p) => p.role !== opts.role), { file, encoding });
    } catch {
      other = undefined;
    }
    if (other?.score !== undefined && other.headerIndex === detection.headerIndex && other.score > detection.score) {
      const given = detection.mapping.columns;
      const plainly =
        opts.role === 'terminal' ? given.status === undefined && given.settleDate === undefined && other.mapping.columns.settleDate !== undefined
        : opts.role === 'settlement' ? given.fee === undefined && given.net === undefined && given.settleDate === undefined
        : false;
      detection.readsBetterAs = { role: other.profile.role, profile: other.profile.name, ...(plainly ? { plainly: true as const } : {}) };
    }
  }
  return detection;
}

interface FinishInfo {
  encoding: Encoding | SpreadsheetKind;
  encodingReason: string;
  delimiter: string;
  format: InputFormat;
  totalLines: number;
  isData?: (row: RawRow) => boolean;
  /** The text does not end with a line end: its last line may be cut off (a download in progress). */
  lastLineUnterminated?: boolean;
}

/** Profile rewrites → normalise → control totals → line account. */
function finish(rows: RawRow[], detection: Detection, file: string, opts: ReadOptions, info: FinishInfo): ParsedFile {
  const profile = detection.profile;
  const prepared = prepareRows(rows, detection.mapping, profile, {
    file,
    dataFrom: detection.headerIndex + 1,
    clearingDate: opts.clearingDate,
    isData: info.isData,
  });
  const prepDetection: Detection = { ...detection, mapping: prepared.mapping };
  const limit = opts.normaliseRowsAfterHeader;
  const toNormalise = limit === undefined ? prepared.rows : prepared.rows.slice(0, Math.max(0, detection.headerIndex + 1) + limit);
  const result = normaliseRows(toNormalise, prepDetection, file, { lastLineUnterminated: info.lastLineUnterminated, delimiter: info.format === 'delimited' ? info.delimiter : undefined });
  const lines = accountLines(prepared.rows, detection.headerIndex, result, info.totalLines);

  let controlTotals: ControlTotals | undefined;
  let controlTotalMismatches: ControlTotalMismatch[] | undefined;
  if (profile.controlTotals) {
    const recordLines = new Set(result.records.map((r) => r.source.line));
    const repeatedHeaders = result.skipped.filter((s) => s.kind === 'header-repeat').map((s) => s.line);
    controlTotals = readControlTotals(rows, profile.controlTotals, info.delimiter.length === 1 ? info.delimiter : ',', (line) => recordLines.has(line), repeatedHeaders) ?? undefined;
    if (controlTotals) {
      // A stated row count covers the rows that were rejected too: those are already reported,
      // so a count that matches records + rejected is no second finding.
      const inPart = (m: ControlTotalMismatch) => (line: number) => !m.part || (line > m.part.from && line < m.part.to);
      controlTotalMismatches = checkControlTotals(result.records, controlTotals).filter(
        (m) => !(m.key === 'count' && m.stated.eq(result.records.filter((r) => inPart(m)(r.source.line)).length + result.rejected.filter((r) => inPart(m)(r.line)).length)),
      );
      const summaryLines = new Set(controlTotals.lines);
      for (const s of result.skipped) if (summaryLines.has(s.line)) s.kind = 'summary';
    }
  }
  const parsed: ParsedFile = {
    file,
    encoding: info.encoding,
    encodingReason: info.encodingReason,
    delimiter: info.delimiter,
    profile,
    role: profile.role,
    reason: detection.reason,
    ...(detection.readsBetterAs ? { readsBetterAs: detection.readsBetterAs } : {}),
    headerLine: detection.headerIndex >= 0 ? rows[detection.headerIndex].line : null,
    mapping: prepared.mapping,
    ...result,
    lines,
    format: info.format,
  };
  if (prepared.clearingDate) parsed.clearingDate = prepared.clearingDate.date;
  if (controlTotals) {
    parsed.controlTotals = controlTotals;
    parsed.controlTotalMismatches = controlTotalMismatches;
  }
  return parsed;
}

/** Lines in = header + skipped + records + rejected; a quoted cell with a newline spans lines. */
function accountLines(
  rows: RawRow[],
  headerIndex: number,
  result: { records: CanonicalRecord[]; rejected: RejectedRow[]; skipped: SkippedLine[] },
  total: number,
): LineAccount {
  const span = new Map<number, number>();
  for (const r of rows) span.set(r.line, r.endLine - r.line + 1);
  const sum = (lines: number[]) => lines.reduce((acc, l) => acc + (span.get(l) ?? 1), 0);
  return {
    total,
    header: headerIndex >= 0 ? (span.get(rows[headerIndex].line) ?? 1) : 0,
    skipped: sum(result.skipped.map((s) => s.line)),
    records: sum(result.records.map((r) => r.source.line)),
    rejected: sum(result.rejected.map((r) => r.line)),
  };
}
