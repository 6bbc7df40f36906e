// One row per finding with every source reference, for spreadsheets and scripts.
//
// UTF-8 with a BOM (Excel otherwise opens Chinese as mojibake), CRLF line ends (RFC 4180).
// CSV/formula injection: a text cell that begins with = + - @ TAB or CR would be run as a
// formula by Excel/WPS/LibreOffice, so it gets a leading single quote. Money cells are never
// quoted: we produce them ourselves from decimals, and each must match /^-?\d+\.\d+$/ (checked
// here), which no spreadsheet reads as a formula — so -12.00 stays a number accountants can sum.
import { Decimal } from 'decimal.js';
import type { CanonicalRecord } from '../model.js';
import type { ReconcileResult } from '../reconcile.js';
import type { Finding } from '../classify/findings.js';
import { isException } from '../classify/kinds.js';
import { formatYuan } from '../normalise/amount.js';
import { findingAmount, findingTime, refText } from './common.js';

export interface CsvOptions {
  /** List matched pairs too (as the JSON does with --include-matched). */
  includeMatched: boolean;
}

export const CSV_BOM = '\uFEFF';
const EOL = '\r\n';
const MONEY = /^-?\d+\.\d+$/;
const FORMULA_START = /^[=+\-@\t\r]/;

/** A cell value: text (neutralised against formula injection) or money (kept numeric). */
type Cell = { text: string } | { money: Decimal } | { count: number } | null;

const text = (v: string | undefined | null): Cell => (v === undefined || v === null || v === '' ? null : { text: v });
const money = (d: Decimal | undefined): Cell => (d === undefined ? null : { money: d });

/** Text that a spreadsheet would evaluate gets a leading `'`, which Excel shows as plain text. */
export function neutraliseText(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

export function moneyCell(d: Decimal): string {
  const s = formatYuan(d);
  if (!MONEY.test(s)) throw new Error(`money cell "${s}" is not a plain decimal`);
  return s;
}

function quote(s: string): string {
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function cellText(c: Cell): string {
  if (c === null) return '';
  if ('money' in c) return moneyCell(c.money);
  if ('count' in c) return String(c.count);
  return quote(neutraliseText(c.text));
}

/** expected/actual are money, or a rate such as "0.63%" for a fee drift. */
const value = (v: Decimal | string | undefined): Cell => (v instanceof Decimal ? money(v) : text(v));

function details(f: Finding): string {
  return Object.entries(f.details)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join('; ');
}

interface Column {
  name: string;
  cell: (f: Finding) => Cell;
}

const side = (r: CanonicalRecord | null) => ({
  file: text(r?.source.file),
  line: r ? ({ count: r.source.line } as Cell) : null,
});

/**
 * The key fields come from the terminal row when there is one, else from the settlement line;
 * a payout finding's merchant from its payout (its rows are bank rows, which print none).
 */
const key = (f: Finding, field: 'merchantId' | 'terminalId' | 'rrn' | 'trace' | 'orderId' | 'card'): Cell =>
  text(
    f.terminal?.[field] ?? f.settlement?.[field] ?? f.related.find((r) => r[field])?.[field] ??
      (field === 'merchantId' && typeof f.details.merchantId === 'string' ? f.details.merchantId : undefined),
  );

export const CSV_COLUMNS: readonly Column[] = [
  { name: 'id', cell: (f) => text(f.id) },
  { name: 'kind', cell: (f) => text(f.kind) },
  { name: 'exception', cell: (f) => text(isException(f.kind) ? 'yes' : 'no') },
  { name: 'severity', cell: (f) => text(f.severity) },
  { name: 'time', cell: (f) => text(findingTime(f)) },
  { name: 'amount', cell: (f) => money(findingAmount(f)) },
  { name: 'expected', cell: (f) => value(f.expected) },
  { name: 'actual', cell: (f) => value(f.actual) },
  { name: 'difference', cell: (f) => money(f.difference) },
  { name: 'merchant_id', cell: (f) => key(f, 'merchantId') },
  { name: 'terminal_id', cell: (f) => key(f, 'terminalId') },
  { name: 'rrn', cell: (f) => key(f, 'rrn') },
  { name: 'trace', cell: (f) => key(f, 'trace') },
  { name: 'order_id', cell: (f) => key(f, 'orderId') },
  { name: 'card', cell: (f) => key(f, 'card') },
  { name: 'message', cell: (f) => text(f.message) },
  { name: 'terminal_file', cell: (f) => side(f.terminal).file },
  { name: 'terminal_line', cell: (f) => side(f.terminal).line },
  { name: 'terminal_amount', cell: (f) => money(f.terminal?.amount) },
  { name: 'settlement_file', cell: (f) => side(f.settlement).file },
  { name: 'settlement_line', cell: (f) => side(f.settlement).line },
  { name: 'settle_date', cell: (f) => text(f.settlement?.settleDate) },
  { name: 'settlement_amount', cell: (f) => money(f.settlement?.amount) },
  { name: 'settlement_fee', cell: (f) => money(f.settlement?.fee) },
  { name: 'settlement_net', cell: (f) => money(f.settlement?.net) },
  { name: 'related', cell: (f) => text(f.related.map(refText).join('; ')) },
  { name: 'details', cell: (f) => text(details(f)) },
];

export function renderCsv(result: ReconcileResult, opts: CsvOptions = { includeMatched: false }): string {
  return [...renderCsvChunks(result, opts)].join('');
}

/** The CSV report in chunks of about 1 MiB, so a large one streams to its file. */
export function* renderCsvChunks(result: ReconcileResult, opts: CsvOptions = { includeMatched: false }): Generator<string> {
  let chunk = CSV_BOM + CSV_COLUMNS.map((c) => c.name).join(',') + EOL;
  for (const f of result.findings) {
    if (f.kind === 'matched' && !opts.includeMatched) continue;
    chunk += CSV_COLUMNS.map((c) => cellText(c.cell(f))).join(',') + EOL;
    if (chunk.length >= 1 << 20) {
      yield chunk;
      chunk = '';
    }
  }
  const rows: string[] = [];
  // Rows posrecon could not read are not findings, but they fail the run (exit 1), so a sheet
  // that lists what needs attention lists them too, under the pseudo-kind `rejected`.
  const roleOf = new Map(result.files.map((f) => [f.file, f.role]));
  for (const rj of result.rejected) {
    const cells: Record<string, Cell> = {
      kind: text('rejected'),
      exception: text('yes'),
      severity: text('error'),
      message: text(`${rj.column ? `column ${rj.column}: ` : ''}${rj.reason}`),
      [roleOf.get(rj.file) === 'terminal' ? 'terminal_file' : 'settlement_file']: text(rj.file),
      [roleOf.get(rj.file) === 'terminal' ? 'terminal_line' : 'settlement_line']: { count: rj.line },
    };
    rows.push(CSV_COLUMNS.map((c) => cellText(cells[c.name] ?? null)).join(','));
  }
  yield chunk + rows.map((r) => r + EOL).join('');
}
