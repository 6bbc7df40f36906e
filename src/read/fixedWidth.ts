// Fixed-width layouts (UnionPay 全渠道 ZM detail): a profile declares its fields with widths or
// offsets; this module splits each physical line into those fields and recognises which
// fixed-width profile, if any, a file is. Field widths count bytes of the file's encoding by
// default (a GBK Chinese character is two), as the layouts' specifications do.
import type { CanonicalField } from '../model.js';
import type { Encoding } from './decode.js';
import type { RawRow } from './tokenize.js';
import type { ColumnMapping, Detection } from '../profiles/detect.js';
import type { FixedWidthLayout, Profile } from '../profiles/profile.js';
import { cleanCell } from '../normalise/cells.js';

/** One physical line, sliceable in the profile's width unit. */
export interface FixedLine {
  line: number;
  text: string;
  /** Length in bytes (ASCII-compatible encodings) or characters. */
  byteLength: number;
  bytes?: Uint8Array;
}

const CR = 13;
const LF = 10;
/** Non-empty lines looked at to recognise a layout. */
const SAMPLE_LINES = 40;
/** Physical lines read to find them (blank lines included). */
export const DETECTION_LINES = 200;

/**
 * Split a file into physical lines, keeping each line's bytes when the encoding lets fields be
 * cut by byte offsets (UTF-8, GB18030: CR and LF never occur inside a multi-byte character).
 * Numbering matches the delimited tokenizer: a final newline does not start a line.
 */
export function fixedWidthLines(bytes: Uint8Array, text: string, encoding: Encoding, maxLines = Infinity): FixedLine[] {
  const out: FixedLine[] = [];
  if (encoding === 'utf-8' || encoding === 'gb18030') {
    let start = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    const decoder = new TextDecoder(encoding);
    let line = 1;
    let i = start;
    while (start < bytes.length && out.length < maxLines) {
      while (i < bytes.length && bytes[i] !== CR && bytes[i] !== LF) i++;
      const b = bytes.subarray(start, i);
      out.push({ line: line++, text: decoder.decode(b), byteLength: b.length, bytes: b });
      if (i < bytes.length && bytes[i] === CR && bytes[i + 1] === LF) i += 2;
      else i += 1;
      start = i;
    }
    return out;
  }
  const parts = text.split(/\r\n|\n|\r/, Number.isFinite(maxLines) ? maxLines + 1 : undefined);
  // Past the limit the rest was not split; otherwise a final newline does not start a line.
  if (parts.length > maxLines) parts.length = maxLines;
  else if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  parts.forEach((t, idx) => out.push({ line: idx + 1, text: t, byteLength: t.length }));
  return out;
}

function sliceField(l: FixedLine, layout: FixedWidthLayout, offset: number, width: number, decoder: TextDecoder | null): string {
  if (layout.widthUnit === 'bytes' && l.bytes && decoder) return decoder.decode(l.bytes.subarray(offset, offset + width));
  return l.text.slice(offset, offset + width);
}

function lengthOf(l: FixedLine, layout: FixedWidthLayout): number {
  return layout.widthUnit === 'bytes' && l.bytes ? l.byteLength : l.text.length;
}

/** First field of a line, for the profile's rowPattern. */
function firstField(l: FixedLine, layout: FixedWidthLayout, decoder: TextDecoder | null): string {
  const f = layout.fields[0];
  return cleanCell(sliceField(l, layout, f.offset, f.width, decoder));
}

function recordLike(l: FixedLine, profile: Profile, decoder: TextDecoder | null): boolean {
  const layout = profile.fixedWidth!;
  return !profile.rowPattern || profile.rowPattern.test(firstField(l, layout, decoder));
}

function lengthFits(l: FixedLine, layout: FixedWidthLayout): boolean {
  const n = lengthOf(l, layout);
  // Trailing filler may be trimmed by whoever copied the file; it may also end in one separator.
  return n >= layout.minLength && n <= layout.recordLength + layout.separatorWidth;
}

function decoderFor(encoding: Encoding): TextDecoder | null {
  return encoding === 'utf-8' || encoding === 'gb18030' ? new TextDecoder(encoding) : null;
}

export interface FixedWidthFit {
  profile: Profile;
  fitting: number;
  considered: number;
}

/**
 * The fixed-width profile whose record length and first-field pattern fit most of the first
 * non-empty lines (at least half of them, at least one), or null. Profiles without a rowPattern
 * are only considered when forced.
 */
export function detectFixedWidth(lines: FixedLine[], profiles: Profile[], encoding: Encoding, forced = false): FixedWidthFit | null {
  const decoder = decoderFor(encoding);
  const sample = lines.filter((l) => l.text.trim() !== '').slice(0, SAMPLE_LINES);
  let best: FixedWidthFit | null = null;
  for (const profile of profiles) {
    const layout = profile.fixedWidth;
    // Line length alone would claim any file of even lines: without a rowPattern, only when forced.
    if (!layout || (!profile.rowPattern && !forced)) continue;
    const fitting = sample.filter((l) => lengthFits(l, layout) && recordLike(l, profile, decoder)).length;
    if (fitting === 0 || fitting * 2 < sample.length) continue;
    if (!best || fitting > best.fitting) best = { profile, fitting, considered: sample.length };
  }
  return best;
}

/** Why a forced fixed-width profile does not fit: the first line's length against the layout. */
export function describeMisfit(lines: FixedLine[], profile: Profile): string {
  const layout = profile.fixedWidth!;
  const first = lines.find((l) => l.text.trim() !== '');
  if (!first) return 'the file has no non-empty lines';
  const unit = layout.widthUnit === 'bytes' ? 'bytes' : 'characters';
  return `line ${first.line} is ${lengthOf(first, layout)} ${unit} long; ${profile.name} records are ${layout.minLength}–${layout.recordLength + layout.separatorWidth}`;
}

/**
 * Rows of cells, one per physical line. A line whose first field matches the profile's
 * rowPattern is cut into the declared fields; any other line stays whole in one cell, so the
 * normaliser reports it as a skipped title/footer line (or a rejected row), never drops it.
 */
export function fixedWidthRows(lines: FixedLine[], profile: Profile, encoding: Encoding): { rows: RawRow[]; isRecord: (row: RawRow) => boolean } {
  const layout = profile.fixedWidth!;
  const decoder = decoderFor(encoding);
  const records = new Set<RawRow>();
  const rows = lines.map((l): RawRow => {
    if (l.text.trim() === '' || !recordLike(l, profile, decoder)) return { line: l.line, endLine: l.line, cells: [l.text] };
    const row: RawRow = {
      line: l.line,
      endLine: l.line,
      cells: layout.fields.map((f) => sliceField(l, layout, f.offset, f.width, decoder)),
    };
    records.add(row);
    return row;
  });
  return { rows, isRecord: (row) => records.has(row) };
}

/** Column mapping of a fixed-width profile: field index per canonical field. */
export function fixedWidthDetection(profile: Profile, fit: FixedWidthFit | null, forced: boolean): Detection {
  const layout = profile.fixedWidth!;
  const columns: Partial<Record<CanonicalField, number>> = {};
  const headers: Partial<Record<CanonicalField, string>> = {};
  const unmapped: string[] = [];
  const unit = layout.widthUnit === 'bytes' ? 'byte' : 'char';
  layout.fields.forEach((f, i) => {
    if (f.field) {
      columns[f.field] = i;
      headers[f.field] = `${f.name} (${unit}s ${f.offset}–${f.offset + f.width - 1})`;
    } else {
      unmapped.push(f.name);
    }
  });
  const mapping: ColumnMapping = { columns, headers, unmapped };
  const pattern = profile.rowPattern ? ` and the first field matches ${profile.rowPattern.source}` : '';
  const reason = (forced ? 'forced by --profile; ' : '') +
    (fit
      ? `fixed width: ${fit.fitting} of the first ${fit.considered} non-empty lines are ${layout.minLength}–${layout.recordLength + layout.separatorWidth} ${unit}s long${pattern}`
      : 'fixed width');
  return { profile, headerIndex: -1, headerCells: [], mapping, reason };
}
