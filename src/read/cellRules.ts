// Profile-declared cell rewrites applied between detection and normalisation, for every format
// (delimited, fixed-width, spreadsheet). They keep "a new layout is a profile file" true for
// layouts whose cells need more than a column mapping:
//   - transforms: `D000000002861` sign letters, year-less `MMDDhhmmss` times (year from the
//     clearing date);
//   - the clearing date itself, stamped on every record as its business date (清算日期);
//   - rules: conditional rewrites such as "a WeChat REFUND row is a refund of -退款金额".
// Pure: rows in, new rows out (input rows are not modified).
import { basename, dirname } from 'node:path';
import { InputError, type CanonicalField, type LocalDate } from '../model.js';
import type { ColumnMapping } from '../profiles/detect.js';
import { RULE_TEMPLATE, type FieldTransform, type Profile } from '../profiles/profile.js';
import { cleanCell } from '../normalise/cells.js';
import { parseDate, parseMonthDayTime } from '../normalise/datetime.js';
import type { RawRow } from './tokenize.js';

export interface ClearingDate {
  date: LocalDate;
  /** How it was found, for `inspect`. */
  source: string;
}

/**
 * The clearing date (清算日期) of a file: the explicit option wins, then the file name when the
 * profile says `clearingDateFrom: filename` (`802310048993424_20150905` → 2015-09-05).
 */
export function resolveClearingDate(profile: Profile, file: string, option?: string): ClearingDate | undefined {
  if (option !== undefined) {
    const d = parseDate(option);
    if (!d.ok) throw new InputError(`clearing date "${option}": expected ${d.expected}`);
    return { date: d.value, source: 'given as an option' };
  }
  const spec = profile.clearingDate;
  if (!spec || spec.from !== 'filename' || !spec.pattern) return undefined;
  // The file's own name, else its folder's: UnionPay delivers 802310048993424_20150905/INN15090588ZM_….
  for (const [name, what] of [[basename(file), 'file name'], [basename(dirname(file)), 'folder name']] as const) {
    const m = spec.pattern.exec(name);
    // The first group that took part; six digits are YYMMDD (INN150905…).
    const text = m ? (m.slice(1).find((g) => g !== undefined) ?? m[0]) : undefined;
    if (!text) continue;
    const d = parseDate(/^\d{6}$/.test(text) ? `20${text}` : text);
    if (d.ok) return { date: d.value, source: `from the ${what} "${name}"` };
  }
  return undefined;
}

function needsClearingDate(profile: Profile): CanonicalField | undefined {
  for (const [field, t] of Object.entries(profile.transforms ?? {}) as [CanonicalField, FieldTransform][]) {
    if (t.format === 'MMDDhhmmss') return field;
  }
  return undefined;
}

/** Flip the sign of a printed amount: `12.00` → `-12.00`, `-12.00` → `12.00`, `` stays empty. */
export function negateText(text: string): string {
  if (text === '') return text;
  if (text.startsWith('-')) return text.slice(1);
  if (text.startsWith('+')) return '-' + text.slice(1);
  return '-' + text;
}

function applyTransform(cell: string, t: FieldTransform, clearing: LocalDate | undefined): string {
  let v = cleanCell(cell);
  if (v === '') return v;
  if (t.signPrefix) {
    const sign = t.signPrefix[v[0]];
    // An unknown letter stays in the text so the amount parser rejects the row, naming it.
    if (sign !== undefined) v = (sign === '-' ? '-' : '') + v.slice(1).trim();
  }
  if (t.format === 'MMDDhhmmss' && clearing !== undefined) {
    const r = parseMonthDayTime(v, clearing);
    // A bad value stays as printed: the date parser then rejects the row with the text in it.
    if (r.ok) v = r.value;
  }
  return v;
}

export interface PreparedRows {
  rows: RawRow[];
  mapping: ColumnMapping;
  clearingDate?: ClearingDate;
}

/**
 * Apply the profile's transforms, clearing date and rules to the data rows (`dataFrom` on; for
 * fixed-width files only rows `isData` accepts). Fields the layout lacks but a rule or the
 * clearing date sets get a new column after the last one.
 */
export function prepareRows(
  rows: RawRow[],
  mapping: ColumnMapping,
  profile: Profile,
  opts: { file: string; dataFrom: number; clearingDate?: string; isData?: (row: RawRow) => boolean },
): PreparedRows {
  const transforms = Object.entries(profile.transforms ?? {}) as [CanonicalField, FieldTransform][];
  const rules = profile.rules ?? [];
  const yearless = needsClearingDate(profile);
  // Only layouts that use a clearing date look at the option (or the file name).
  const clearing = profile.clearingDate || yearless ? resolveClearingDate(profile, opts.file, opts.clearingDate) : undefined;
  if (yearless && !clearing) {
    const col = mapping.headers[yearless] ?? yearless;
    const fromName = profile.clearingDate?.from === 'filename' && profile.clearingDate.pattern;
    throw new InputError(
      `${opts.file}: cannot tell the year of ${col} (printed as MMDDhhmmss): ` +
        (fromName ? `neither the file name nor its folder's holds a clearing date matching ${profile.clearingDate!.pattern!.source}` : 'no clearing date was given'),
      fromName
        ? 'keep the file in the folder it was delivered in (…_20150905/) or under its original name (INN150905…), or put the date in the file name (…_20150905)'
        : 'pass the clearing date (YYYY-MM-DD) explicitly',
    );
  }
  const stampBusinessDate = clearing !== undefined && profile.clearingDate !== undefined && mapping.columns.businessDate === undefined;
  if (transforms.length === 0 && rules.length === 0 && !stampBusinessDate) return { rows, mapping, clearingDate: clearing };

  // Columns for fields set by rules or the clearing date but absent from the layout.
  const columns = { ...mapping.columns };
  const headers = { ...mapping.headers };
  let width = 0;
  for (const r of rows) width = Math.max(width, r.cells.length);
  for (const idx of Object.values(columns)) if (idx !== undefined) width = Math.max(width, idx + 1);
  const addColumn = (field: CanonicalField, label: string) => {
    if (columns[field] !== undefined) return;
    columns[field] = width++;
    headers[field] = label;
  };
  if (stampBusinessDate) addColumn('businessDate', `清算日期 (${clearing!.source})`);
  rules.forEach((rule, i) => {
    for (const field of Object.keys(rule.set) as CanonicalField[]) addColumn(field, `(${field} set by rule ${i + 1})`);
  });

  const cellAt = (cells: string[], field: CanonicalField): string => {
    const idx = columns[field];
    return idx === undefined ? '' : cleanCell(cells[idx] ?? '');
  };

  const out = rows.map((row, i) => {
    if (i < opts.dataFrom || (opts.isData && !opts.isData(row))) return row;
    if (row.cells.every((c) => c.trim() === '')) return row;
    const cells = row.cells.slice();
    for (const [field, t] of transforms) {
      const idx = columns[field];
      if (idx !== undefined && cells[idx] !== undefined) cells[idx] = applyTransform(cells[idx], t, clearing?.date);
    }
    if (stampBusinessDate) setCell(cells, columns.businessDate!, clearing!.date);
    for (const rule of rules) {
      const holds = (Object.entries(rule.when) as [CanonicalField, RegExp][]).every(([f, re]) => re.test(cellAt(cells, f)));
      if (!holds) continue;
      // All values are computed from the cells before this rule writes any of them.
      const values = (Object.entries(rule.set) as [CanonicalField, string][]).map(([f, v]) => {
        const tpl = RULE_TEMPLATE.exec(v);
        if (!tpl) return [f, v] as const;
        const source = cellAt(cells, tpl[2] as CanonicalField);
        return [f, tpl[1] === '-' ? negateText(source) : source] as const;
      });
      for (const [f, v] of values) setCell(cells, columns[f]!, v);
    }
    return { ...row, cells };
  });
  return { rows: out, mapping: { ...mapping, columns, headers }, clearingDate: clearing };
}

function setCell(cells: string[], idx: number, value: string): void {
  while (cells.length < idx) cells.push('');
  cells[idx] = value;
}
