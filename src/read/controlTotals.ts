// Control totals: what a file (or its companion summary file) says it holds, checked against
// what was actually read. A disagreement is a `control_total_mismatch`: rows lost in transit,
// a truncated download, or a channel's own miscount (the published WeChat fund-flow sample says
// 3 records and holds 2). Everything here is pure: text or rows in, values out.
import { Decimal } from 'decimal.js';
import { InputError, type CanonicalRecord, type LocalDate } from '../model.js';
import { normaliseLabel, TOTAL_KEYS, type ControlTotalsSpec, type TotalKey } from '../profiles/profile.js';
import { cleanCell } from '../normalise/cells.js';
import { formatYuan, parseAmount, type AmountUnit } from '../normalise/amount.js';
import { parseDate } from '../normalise/datetime.js';
import type { RawRow } from './tokenize.js';

/**
 * One stated total. Meaning of each key, as `checkControlTotals` computes it from records:
 * - `count`: number of records; `amount`, `fee`, `net`, `credit`, `debit`: signed sums of that field;
 * - `creditCount` / `debitCount`: records with a non-zero credit (收入) / debit (支出);
 * - `saleCount` / `saleAmount`: records that are not refunds, and the sum of their amounts;
 * - `refundCount` / `refundAmount`: refund records, and the sum of their amounts' magnitudes
 *   (a stated refund total is compared by magnitude whichever sign it is printed with).
 */
export interface ControlTotal {
  key: TotalKey;
  value: Decimal;
  /** The wording in the file, e.g. `总交易单数`, `商家实收共`. */
  label: string;
  /** 1-based line the total was read from. */
  line?: number;
  /**
   * The lines it covers when the file is several exports pasted together (the header printed
   * again between them): a footer states its own part's totals, rows after `from` and before `to`
   * — or after `orFrom`, the header printed last before it, when an export without a footer of
   * its own lies between (both layouts are real: page breaks inside an export, a footerless one).
   */
  part?: {
    from: number;
    to: number;
    /** Other starts it may be read from: the header printed last before it, the file's start (a running or grand total). */
    orFrom?: number[];
    /** It may state the whole file's (a total printed above the rows). */
    orWhole?: boolean;
  };
}

export interface ControlTotals {
  /** Where the totals came from, e.g. `summary row at line 6`, `RD summary 总计 line 13`. */
  source: string;
  totals: ControlTotal[];
  /** Lines that held the totals (the normaliser skipped them as footer lines). */
  lines: number[];
}

export interface ControlTotalMismatch {
  kind: 'control_total_mismatch';
  key: TotalKey;
  label: string;
  stated: Decimal;
  actual: Decimal;
  /** actual − stated. */
  difference: Decimal;
  line?: number;
  message: string;
  /** The part of the file the total covers (see ControlTotal.part). */
  part?: { from: number; to: number };
}

const COUNT_KEYS: ReadonlySet<TotalKey> = new Set(['count', 'creditCount', 'debitCount', 'saleCount', 'refundCount']);

function parseTotal(key: TotalKey, text: string, unit: AmountUnit): Decimal | null {
  const clean = cleanCell(text);
  if (clean === '') return null;
  if (COUNT_KEYS.has(key)) {
    const digits = clean.replace(/[,，\s]/g, '').replace(/笔$/u, '');
    return /^\d+$/.test(digits) ? new Decimal(digits) : null;
  }
  const r = parseAmount(clean, unit);
  return r.ok && r.value ? r.value : null;
}

/**
 * Read the totals a file states about itself, as its profile describes: a summary header row
 * followed by a value row (WeChat: `总交易单数,应结订单总金额,…` then `` `3,`0.03,… ``), or footer
 * lines with named groups (Alipay: `#交易合计：6笔，商家实收共1,234.00元`). Returns null when the
 * file states none. `delimiter` rebuilds a footer line the tokenizer split.
 */
export function readControlTotals(
  rows: RawRow[],
  spec: ControlTotalsSpec,
  delimiter = ',',
  /** Lines that were read as transactions: a data row is never a footer total, whatever its text. */
  isRecordLine: (line: number) => boolean = () => false,
  /**
   * Lines where the header is printed again (page breaks, or exports pasted into one file): with
   * a footer per pasted export, each footer states its own export's totals (ControlTotal.part).
   */
  repeatedHeaderLines: readonly number[] = [],
): ControlTotals | null {
  const unit = spec.unit ?? 'yuan';
  const totals: ControlTotal[] = [];
  const lines: number[] = [];
  const sources: string[] = [];
  const have = new Set<string>();
  const add = (t: ControlTotal) => {
    const id = t.part ? `${t.key}|${t.part.from}` : t.key;
    if (have.has(id)) return;
    have.add(id);
    totals.push(t);
  };

  if (spec.summaryHeader && spec.columns) {
    // The last matching header: a summary sits at the end of the file.
    for (let r = rows.length - 1; r >= 0; r--) {
      const first = cleanCell(rows[r].cells[0] ?? '');
      if (!spec.summaryHeader.test(first)) continue;
      const header = rows[r].cells.map(normaliseLabel);
      const valueRow = rows.slice(r + 1).find((row) => row.cells.some((c) => cleanCell(c) !== ''));
      if (!valueRow) break;
      for (const key of TOTAL_KEYS) {
        for (const alias of spec.columns[key] ?? []) {
          const idx = header.indexOf(normaliseLabel(alias));
          if (idx < 0) continue;
          const value = parseTotal(key, valueRow.cells[idx] ?? '', unit);
          if (value !== null) add({ key, value, label: rows[r].cells[idx].trim(), line: valueRow.line });
          break;
        }
      }
      lines.push(rows[r].line, valueRow.line);
      sources.push(`summary row at line ${valueRow.line}`);
      break;
    }
  }

  // Each candidate line's text once, for all the patterns (files have hundreds of thousands).
  const texts = spec.lines?.length ? rows.map((row) => (isRecordLine(row.line) ? null : row.cells.join(delimiter).trim())) : [];
  /** Which pasted-together part of the file a line is in (0 when the header is printed once). */
  const partOf = (line: number) => repeatedHeaderLines.filter((h) => h < line).length;
  for (const pattern of spec.lines ?? []) {
    // With group positions (flag d): the label is the text before the group itself, not before
    // the first place its digits occur (合计,1234.55,共2笔 is "共", not "1234.").
    const re = pattern.flags.includes('d') ? pattern : new RegExp(pattern.source, `${pattern.flags}d`);
    const found: { line: number; totals: ControlTotal[] }[] = [];
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      const text = texts[i];
      if (text === null) continue;
      const m = re.exec(text);
      if (!m?.groups) continue;
      const stated: ControlTotal[] = [];
      for (const [key, raw] of Object.entries(m.groups)) {
        if (raw === undefined || !TOTAL_KEYS.includes(key as TotalKey)) continue;
        const value = parseTotal(key as TotalKey, raw, unit);
        if (value === null) continue;
        const at = m.indices?.groups?.[key]?.[0] ?? m.index + m[0].indexOf(raw);
        stated.push({ key: key as TotalKey, value, label: labelBefore(text, at), line: row.line });
      }
      if (stated.length > 0) found.push({ line: row.line, totals: stated });
    }
    if (found.length === 0) continue;
    // The first such line states the file's totals; but in a file of several exports pasted
    // together (the header printed again), one footer per export states that export's rows:
    // those since the previous footer (checking the first against every row gave a false
    // mismatch, and a wrong second footer went unchecked). So does a lone footer with the header
    // printed again after it. A lone footer after page breaks that repeat the header, in the
    // last part, still states the whole file's.
    const parts = new Set(found.map((f) => partOf(f.line)));
    const lastPart = repeatedHeaderLines.length;
    if (lastPart > 0 && parts.size === found.length && (found.length > 1 || partOf(found[0].line) < lastPart)) {
      found.forEach((f, k) => {
        const from = k === 0 ? 0 : found[k - 1].line;
        const header = repeatedHeaderLines.filter((h) => h < f.line).pop();
        const orFrom = header !== undefined && header > from ? [header] : undefined;
        for (const t of f.totals) add({ ...t, part: { from, to: f.line, ...(orFrom ? { orFrom } : {}) } });
        lines.push(f.line);
      });
      sources.push(`footer line${found.length > 1 ? 's' : ''} ${found.map((f) => f.line).join(', ')}, each over its own export pasted into the file`);
      continue;
    }
    if (found.length > 1) {
      // Several footers in one export: page subtotals (合计 共2笔 per page), then perhaps a grand
      // total (总计 共3笔). Each states the rows since the footer before it (a page), or since the
      // file's start (a running or grand total); the first may state the whole file's (a total
      // printed twice). Checking the first against every row gave a false mismatch and left the
      // others unchecked.
      // Exports pasted together, each with a subtotal and a total, read each total from the
      // header printed last before it too.
      const firstRecord = rows.find((row) => isRecordLine(row.line))?.line ?? Infinity;
      found.forEach((f, k) => {
        const from = k === 0 ? 0 : found[k - 1].line;
        const header = repeatedHeaderLines.filter((h) => h < f.line).pop();
        const orFrom = [...(header !== undefined && header !== from ? [header] : []), ...(k > 0 ? [0] : [])];
        // Only a total above every row may state the whole file's: a first page subtotal that
        // fits the whole file would hide a row lost from that page.
        const above = f.line < firstRecord;
        for (const t of f.totals) add({ ...t, part: { from, to: f.line, ...(orFrom.length ? { orFrom } : {}), ...(above ? { orWhole: true } : {}) } });
        lines.push(f.line);
      });
      sources.push(`footer lines ${found.map((f) => f.line).join(', ')}, each over its page or everything before it`);
      continue;
    }
    for (const t of found[0].totals) add(t);
    lines.push(found[0].line);
    sources.push(`footer line ${found[0].line}`);
  }
  return totals.length > 0 ? { source: sources.join(', '), totals, lines } : null;
}

/** The words printed just before a value (`#交易合计：6笔，商家实收共1.00元` → `商家实收共`). */
function labelBefore(text: string, at: number): string {
  const before = text.slice(0, at).replace(/^#/, '');
  const parts = before.split(/[,，:：;；\s]+/u).filter((p) => p !== '');
  return parts[parts.length - 1] ?? before;
}

function sum(records: CanonicalRecord[], pick: (r: CanonicalRecord) => Decimal | undefined): Decimal {
  let total = new Decimal(0);
  for (const r of records) {
    const v = pick(r);
    if (v !== undefined) total = total.plus(v);
  }
  return total;
}

/** The value a total key describes, computed from the records actually read. */
export function actualTotal(records: CanonicalRecord[], key: TotalKey): Decimal {
  const refunds = records.filter((r) => r.txnType === 'refund');
  const sales = records.filter((r) => r.txnType !== 'refund');
  switch (key) {
    case 'count': return new Decimal(records.length);
    case 'amount': return sum(records, (r) => r.amount);
    case 'fee': return sum(records, (r) => r.fee);
    case 'net': return sum(records, (r) => r.net);
    case 'credit': return sum(records, (r) => r.credit);
    case 'debit': return sum(records, (r) => r.debit);
    case 'creditCount': return new Decimal(records.filter((r) => r.credit !== undefined && !r.credit.isZero()).length);
    case 'debitCount': return new Decimal(records.filter((r) => r.debit !== undefined && !r.debit.isZero()).length);
    case 'saleCount': return new Decimal(sales.length);
    case 'saleAmount': return sum(sales, (r) => r.amount);
    case 'refundCount': return new Decimal(refunds.length);
    case 'refundAmount': return sum(refunds, (r) => r.amount?.abs());
  }
}

const KEY_WORDS: Record<TotalKey, string> = {
  count: 'records', amount: 'amount', fee: 'fee', net: 'net', credit: 'credits (收入)', debit: 'debits (支出)',
  creditCount: 'credit (收入) records', debitCount: 'debit (支出) records', saleCount: 'sale records',
  saleAmount: 'sale amount', refundCount: 'refund records', refundAmount: 'refund amount',
};

function show(key: TotalKey, d: Decimal): string {
  return COUNT_KEYS.has(key) ? d.toString() : formatYuan(d);
}

/**
 * Compare stated control totals with the records read (the detail rows of the same file, or
 * of the detail file a summary file describes). Returns one mismatch per disagreeing total;
 * an empty list means the file ties out.
 */
export function checkControlTotals(
  detailRecords: CanonicalRecord[],
  totals: ControlTotals,
  /** Rows counted but not materialised (the fast path's clean pairs): added to each total. */
  extra?: Partial<Record<TotalKey, Decimal>>,
): ControlTotalMismatch[] {
  const out: ControlTotalMismatch[] = [];
  for (const t of totals.totals) {
    const stated = t.key === 'refundAmount' ? t.value.abs() : t.value;
    // The rows a total may state: the whole file, or its part; a part may also be read from an
    // earlier start (ControlTotal.part). The first reading that ties out settles it.
    const readings: { records: CanonicalRecord[]; from?: number; to?: number; extra?: Decimal }[] = [];
    if (t.part) {
      const { from, to, orFrom, orWhole } = t.part;
      const rowsFrom = (start: number) => detailRecords.filter((r) => r.source.line > start && r.source.line < to);
      readings.push({ records: rowsFrom(from), from, to });
      for (const start of orFrom ?? []) readings.push({ records: rowsFrom(start), from: start, to });
      if (orWhole) readings.push({ records: detailRecords });
    } else {
      readings.push({ records: detailRecords, extra: extra?.[t.key] });
    }
    const actuals = readings.map((r) => (r.extra ? actualTotal(r.records, t.key).plus(r.extra) : actualTotal(r.records, t.key)));
    if (readings.some((r, i) => tiesOut(t.key, stated, r.records, actuals[i]))) continue;
    // Reported against the reading nearest what the total states (a grand total after a page
    // subtotal is about everything before it, not the empty stretch since that subtotal).
    let best = 0;
    for (let i = 1; i < readings.length; i++) if (actuals[i].minus(stated).abs().lt(actuals[best].minus(stated).abs())) best = i;
    const { from, to } = readings[best];
    const actual = actuals[best];
    const difference = actual.minus(stated);
    const where = t.line !== undefined ? ` (line ${t.line})` : '';
    const part = from !== undefined && to !== undefined ? { from, to } : undefined;
    out.push({
      kind: 'control_total_mismatch',
      key: t.key,
      label: t.label,
      stated,
      actual,
      difference,
      line: t.line,
      ...(part ? { part } : {}),
      message: `control total ${t.label}${where} states ${show(t.key, stated)} ${KEY_WORDS[t.key]}, ` +
        `the rows read${!part ? '' : part.from === 0 ? ` before line ${part.to}` : ` after line ${part.from} and before line ${part.to}`} give ${show(t.key, actual)} (difference ${show(t.key, difference)})`,
    });
  }
  return out;
}

/** Whether `records` tie out with a stated total, `actual` being their total as computed. */
function tiesOut(key: TotalKey, stated: Decimal, records: CanonicalRecord[], actual: Decimal): boolean {
  if (actual.eq(stated)) return true;
  // Acquirers differ on whether a row count (合计：4笔) covers the deduction lines listed with
  // the transactions (押金, 流量费): a count of the transactions alone ties out too.
  if (key === 'count') {
    const deductions = records.reduce((n, r) => n + (r.txnType === 'deduction' ? 1 : 0), 0);
    if (deductions > 0 && actual.minus(deductions).eq(stated)) return true;
  }
  // A file printing its refunds and voids unsigned (signedByType) may total them as printed.
  if (key === 'amount' || key === 'net' || key === 'fee' || key === 'saleAmount') {
    const flipped = records.filter((r) => r.signedByType && (key !== 'saleAmount' || r.txnType !== 'refund'));
    const asPrinted = actual.plus(sum(flipped, (r) => (key === 'net' ? r.net : key === 'fee' ? r.fee : r.amount)?.abs().times(2)));
    if (flipped.length > 0 && asPrinted.eq(stated)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// UnionPay 全渠道 RD summary (商户交易汇总表): a GBK text report beside the ZM detail, e.g.
//   交易类型   交易笔数   交易金额(借 贷)   费用(借 贷)   资金清算差额(借 贷)
//   自助消费         8   0.00 13227.00   79.36 0.00   0.00 13147.64
//   总计             8   …
// Money is from the merchant's side: sales are credits (贷) of 交易金额 and 清算差额, fees debits.

export interface UnionPaySummaryRow {
  label: string;
  count: number;
  amountDebit: Decimal;
  amountCredit: Decimal;
  feeDebit: Decimal;
  feeCredit: Decimal;
  netDebit: Decimal;
  netCredit: Decimal;
  line: number;
}

export interface UnionPaySummary extends ControlTotals {
  merchantId?: string;
  acquirer?: string;
  clearingDate?: LocalDate;
  /** Rows of the first table (by 交易类型), without its 总计. */
  byTxnType: UnionPaySummaryRow[];
  /** Rows of the second table (by 卡性质), without its 总计. */
  byCardType: UnionPaySummaryRow[];
  /** The first table's 总计 row. */
  total: UnionPaySummaryRow;
}

const MONEY = '(-?[\\d,]+\\.\\d{2})';
const SUMMARY_ROW = new RegExp(`^\\s*(\\S+)\\s+(\\d+)\\s+${MONEY}\\s+${MONEY}\\s+${MONEY}\\s+${MONEY}\\s+${MONEY}\\s+${MONEY}\\s*$`, 'u');

function money(text: string): Decimal {
  return new Decimal(text.replace(/,/g, ''));
}

/**
 * Parse a UnionPay RD summary's text (decode the GBK bytes first, e.g. with decodeInput) into
 * its header facts, its per-type and per-card-type rows and the grand total as control totals:
 * `count`, `amount` (贷 − 借 of 交易金额), `fee` (借 − 贷 of 费用) and `net` (贷 − 借 of 资金清算差额).
 * Throws InputError when the text has no 总计 row.
 */
export function readUnionPaySummary(text: string, file = 'RD summary'): UnionPaySummary {
  const lines = text.split(/\r\n|\n|\r/);
  const header = (label: string): string | undefined => {
    const re = new RegExp(`${label}\\s*[:：]\\s*(\\S+)`, 'u');
    for (const l of lines) {
      const m = re.exec(l);
      if (m) return m[1];
    }
    return undefined;
  };
  const tables: UnionPaySummaryRow[][] = [[]];
  const totals: UnionPaySummaryRow[] = [];
  lines.forEach((l, i) => {
    const m = SUMMARY_ROW.exec(l);
    if (!m) return;
    const row: UnionPaySummaryRow = {
      label: m[1],
      count: Number(m[2]),
      amountDebit: money(m[3]),
      amountCredit: money(m[4]),
      feeDebit: money(m[5]),
      feeCredit: money(m[6]),
      netDebit: money(m[7]),
      netCredit: money(m[8]),
      line: i + 1,
    };
    if (row.label === '总计' || row.label === '合计') {
      totals.push(row);
      tables.push([]);
    } else {
      tables[tables.length - 1].push(row);
    }
  });
  const total = totals[0];
  if (!total) {
    throw new InputError(`${file}: no 总计 row found: not a UnionPay RD summary (商户交易汇总表)`, 'pass the RD file that came with the ZM detail');
  }
  const cleared = header('清算日期');
  const date = cleared ? parseDate(cleared) : undefined;
  const line = total.line;
  return {
    source: `RD summary 总计 line ${line}`,
    lines: [line],
    totals: [
      { key: 'count', value: new Decimal(total.count), label: '交易笔数', line },
      { key: 'amount', value: total.amountCredit.minus(total.amountDebit), label: '交易金额', line },
      { key: 'fee', value: total.feeDebit.minus(total.feeCredit), label: '费用', line },
      { key: 'net', value: total.netCredit.minus(total.netDebit), label: '资金清算差额', line },
    ],
    merchantId: header('商户代码'),
    acquirer: header('收单机构'),
    clearingDate: date?.ok ? date.value : undefined,
    byTxnType: tables[0] ?? [],
    byCardType: tables[1] ?? [],
    total,
  };
}
