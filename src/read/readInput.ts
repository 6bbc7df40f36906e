// read → detect profile → normalise, for one file. Pure: bytes in, records and an account of
// every physical line out. The CLI layer does the file I/O.
import type { CanonicalRecord, RejectedRow, Role, SkippedLine } from '../model.js';
import { InputError } from '../model.js';
import { decodeInput, looksGarbled, type Encoding } from './decode.js';
import { countPhysicalLines, detectDelimiter, tokenizeDelimited, type RawRow } from './tokenize.js';
import { detectProfile, type ColumnMapping } from '../profiles/detect.js';
import type { Profile } from '../profiles/profile.js';
import { normaliseRows } from '../normalise/records.js';

export interface ReadOptions {
  profiles: Profile[];
  role?: Role;
  encoding?: Encoding;
  /** A profile forced with --profile. */
  profile?: Profile;
}

export interface LineAccount {
  total: number;
  header: number;
  skipped: number;
  records: number;
  rejected: number;
}

export interface ParsedFile {
  file: string;
  encoding: Encoding;
  encodingReason: string;
  delimiter: string;
  profile: Profile;
  role: Role;
  reason: string;
  headerLine: number | null;
  mapping: ColumnMapping;
  records: CanonicalRecord[];
  rejected: RejectedRow[];
  skipped: SkippedLine[];
  lines: LineAccount;
}

const DELIMITER_NAMES: Record<string, string> = { ',': 'comma', '\t': 'tab', ';': 'semicolon', '|': 'pipe' };
export const delimiterName = (d: string): string => DELIMITER_NAMES[d] ?? JSON.stringify(d);

export function readInputFile(bytes: Uint8Array, file: string, opts: ReadOptions): ParsedFile {
  const decoded = decodeInput(bytes, file, opts.encoding);
  const text = decoded.text;
  if (text.trim() === '') throw new InputError(`${file}: the file is empty`, 'check that the export finished downloading');
  const delimiter = opts.profile?.delimiter ?? detectDelimiter(text.slice(0, 64 * 1024));
  const rows = tokenizeDelimited(text, delimiter);
  const detection = detectProfile(rows, opts.profiles, {
    role: opts.role,
    file,
    forced: opts.profile,
    encoding: decoded.encoding,
    garbled: looksGarbled,
  });
  const result = normaliseRows(rows, detection, file);
  const lines = accountLines(rows, detection.headerIndex, result, countPhysicalLines(text));
  return {
    file,
    encoding: decoded.encoding,
    encodingReason: decoded.encodingReason,
    delimiter,
    profile: detection.profile,
    role: detection.profile.role,
    reason: detection.reason,
    headerLine: detection.headerIndex >= 0 ? rows[detection.headerIndex].line : null,
    mapping: detection.mapping,
    ...result,
    lines,
  };
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
