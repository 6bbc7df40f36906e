// The whole reconciliation as one pure function over parsed files: dedupe overlapping exports,
// match, classify, count. The CLI reads the files and prints the result; nothing here does I/O.
import { Decimal } from 'decimal.js';
import type { CanonicalRecord, LocalDate, LocalDateTime, RejectedRow } from './model.js';
import { parseDateTime } from './normalise/datetime.js';
import { DEFAULT_CONTRACT_FILE, type Contract } from './contract/contract.js';
import { dayNumber, type WorkCalendar } from './calendar/calendar.js';
import type { ParsedFile } from './read/readInput.js';
import { checkControlTotals, type ControlTotalMismatch, type UnionPaySummary } from './read/controlTotals.js';
import { dedupeAcrossFiles } from './match/dedupe.js';
import * as crypto from 'node:crypto';
import { canonicalCompare, localSeconds, recordFingerprint } from './match/keys.js';
import { classifyFindings, isPaidLine, type Finding, type FeeTotals, type TerminalSpan } from './classify/findings.js';
import { ALL_KINDS, SEVERITY, isException, type FindingKind } from './classify/kinds.js';
import { reconcileBank, type BankResult } from './bank/reconcileBank.js';
import { dailyTotals, type DailyPoint } from './bank/daily.js';
import { feeInFen, lineNet } from './bank/payouts.js';
import { signedDeductionFiles } from './fees/deductions.js';
import { sumYuan } from './normalise/amount.js';

export interface ReconcileInput {
  terminal: ParsedFile[];
  settlement: ParsedFile[];
  /** Bank statements (银行流水): the settlement payouts ↔ bank credits leg. */
  bank?: ParsedFile[];
  contract: Contract;
  calendar: WorkCalendar;
  /** Defaults to the latest settlement date the settlement files prove. */
  asOf?: LocalDate;
  /** Companion summary files (UnionPay RD) whose control totals the settlement detail must match. */
  summaries?: { file: string; summary: UnionPaySummary }[];
  /** Clean pairs the columnar fast path counted instead of materialising (src/columnar). */
  preMatched?: PreMatched;
}

/**
 * What clean matched pairs add to a result: counts and sums only. Each pair is a successful
 * sale and its settlement line, equal amounts, fee exactly as the contract (so over- and
 * undercharge are zero), no other row depending on them.
 */
export interface PreMatched {
  pairs: number;
  terminalSuccess: Decimal;
  settled: Decimal;
  fees: Decimal;
  net: Decimal;
  /** Fees checked against the contract (charged = per contract for each). */
  feeChecked: number;
  feeBuckets: Record<'byMonth' | 'byTerminal' | 'byCardType', Map<string, { charged: Decimal; count: number }>>;
  daily: Map<LocalDate, { expected: Decimal; settled: Decimal }>;
  latestSettleDate?: LocalDate;
  latestBusinessDate?: LocalDate;
  /** Distinct transaction dates, for the holiday-calendar coverage check. */
  dates: LocalDate[];
  /** Per settlement merchant id ('' for lines printing none): the latest settlement date of its clean pairs. */
  latestSettleByMerchant?: Record<string, LocalDate>;
  /** Files (either side) a clean pair's row of which prints a time off the minute. */
  filesPrintingSeconds?: string[];
  /** Per terminal file: the first and last transaction date of its clean pairs' rows, and their merchants. */
  terminalSpans?: TerminalSpan[];
}

export type { TerminalSpan };

export type RowDisposition = 'matched' | 'flagged' | 'informational';

export interface ReconcileResult {
  asOf: LocalDate;
  asOfSource: string;
  /** The contract has fee rules (a run checking no fee says why: no rules, or no card lines). */
  feeRulesGiven?: boolean;
  /** The contract file the run used; none: the defaults. */
  contractFile?: string;
  files: ParsedFile[];
  findings: Finding[];
  counts: Record<FindingKind, number>;
  rows: { read: number; matched: number; flagged: number; informational: number; rejected: number };
  dispositions: Map<CanonicalRecord, RowDisposition>;
  rejected: RejectedRow[];
  totals: {
    terminalSuccess: Decimal;
    settled: Decimal;
    fees: Decimal;
    net: Decimal;
    dropped: Decimal;
    overdue: Decimal;
    pending: Decimal;
    deductions: Decimal;
    feeOvercharge: Decimal;
    feeUndercharge: Decimal;
  };
  fees: FeeTotals;
  /** Years touched by the data that the holiday calendar does not cover (weekends still apply). */
  missingCalendarYears: number[];
  auditOnly: boolean;
  /** The bank leg (payouts, bank rows, balance continuity); null without bank statements. */
  bank: BankResult | null;
  /** Per business date: expected (terminal), settled (acquirer), credited (bank), for charts. */
  daily: DailyPoint[];
  /**
   * The terminal exports run FEED_GAP_WORKING_DAYS or more working days (calendar days under a
   * D+N or D0 contract) past the as-of date the
   * settlement files gave: their sales cannot be judged (has the acquirer's file stopped?).
   */
  feedGap?: {
    terminalUntil: LocalDate;
    settlementUntil: LocalDate;
    workingDays: number;
    calendarDays: number;
    /** Which days the gap is judged in: `calendar` when the contract pays on calendar days (D+N, D0). */
    basis: 'working' | 'calendar';
  };
}

/**
 * Per merchant id, the latest settlement date its lines reach ('' for lines printing none): a
 * payment is overdue on its due date only when its own merchant's file of that date is in.
 */
function settledThrough(settlement: CanonicalRecord[], pre: PreMatched | undefined): Map<string, LocalDate> {
  const out = new Map<string, LocalDate>();
  const raise = (merchant: string, date: LocalDate) => {
    if ((out.get(merchant) ?? '') < date) out.set(merchant, date);
  };
  for (const s of settlement) if (s.settleDate) raise(s.merchantId ?? '', s.settleDate);
  for (const [m, d] of Object.entries(pre?.latestSettleByMerchant ?? {})) raise(m, d);
  return out;
}

/**
 * Per terminal file, the dates its rows run from and to (the fast path's clean pairs included)
 * and the merchant ids they print: a shop with two acquirers has an export from each, and one
 * acquirer's export of a day says nothing of the other's.
 */
function terminalSpans(terminal: CanonicalRecord[], pre: PreMatched | undefined, files: readonly ParsedFile[]): TerminalSpan[] {
  const spans = new Map<string, TerminalSpan>();
  const widen = (file: string, from: LocalDate, to: LocalDate, merchantIds: readonly string[], merchantlessTerminals: readonly string[], latest: LocalDateTime | undefined) => {
    let s = spans.get(file);
    if (!s) spans.set(file, (s = { file, from, to, merchantIds: [] }));
    if (from < s.from) s.from = from;
    if (to > s.to) s.to = to;
    for (const m of merchantIds) if (!s.merchantIds.includes(m)) s.merchantIds.push(m);
    for (const t of merchantlessTerminals) if (!(s.merchantlessTerminals ??= []).includes(t)) s.merchantlessTerminals.push(t);
    if (latest && latest > (s.latestTime ?? '')) s.latestTime = latest;
  };
  for (const t of terminal) {
    if (!t.time) continue;
    widen(t.source.file, t.time.slice(0, 10), t.time.slice(0, 10), t.merchantId ? [t.merchantId] : [], t.merchantId ? [] : [t.terminalId ?? ''], t.hasTime !== false ? t.time : undefined);
  }
  for (const s of pre?.terminalSpans ?? []) {
    widen(s.file, s.from, s.to, s.merchantIds, s.merchantlessTerminals ?? [], s.latestTime);
    if (s.matchedMerchants) (spans.get(s.file)!.matchedMerchants ??= []).push(...s.matchedMerchants);
  }
  for (const f of files) {
    const span = spans.get(f.file);
    const at = exportedAt(f);
    if (!span || !at || at.slice(0, 10) < span.to) continue;
    // An export time before rows the file holds is no export time (a template, a re-export pasted
    // below an older one) — unless only by minutes, a clock's skew: then its last row says it.
    const latest = span.latestTime ?? '';
    if (at >= latest) span.exportedAt = at;
    else if (localSeconds(latest) - localSeconds(at) <= EXPORT_CLOCK_SKEW_SECONDS) span.exportedAt = latest;
  }
  for (const s of spans.values()) delete s.latestTime;
  return [...spans.values()];
}

/** How far an export's stated time may lag its own last row (two clocks). */
const EXPORT_CLOCK_SKEW_SECONDS = 10 * 60;
// 导出时间：2025-05-07 08:00:00 (下载时间, 生成时间, 打印时间, 制表时间, 查询时间) in a title or footer line.
const EXPORT_TIME = /(?:导出|下载|生成|打印|制表|查询)(?:时间|日期)\s*[:：]?\s*(\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?)\s*(\d{1,2}:\d{2}(?::\d{2})?)?/gu;
/** Right after a time: the start of a period (查询时间 2025-10-01 00:00:00 至 2025-10-07 23:59:59). */
const RANGE_AFTER = /^\s*(?:至|到|~|～|—|--|-)\s*\d{4}/u;

/** When an export says it was taken (the latest such time with a time of day): it holds nothing later. */
function exportedAt(f: ParsedFile): LocalDateTime | undefined {
  let latest: LocalDateTime | undefined;
  for (const line of f.skipped) {
    if (line.kind === 'blank' || line.kind === 'header-repeat') continue;
    for (const m of line.text.matchAll(EXPORT_TIME)) {
      if (!m[2] || RANGE_AFTER.test(line.text.slice(m.index! + m[0].length))) continue;
      const t = parseDateTime(m[1], m[2]);
      if (!t.ok || !t.hasTime) continue;
      // Printed to the minute: taken some time in that minute.
      const at = m[2].split(':').length === 2 ? `${t.value.slice(0, 17)}59` : t.value;
      if (!latest || at > latest) latest = at;
    }
  }
  return latest;
}

/**
 * Days of terminal exports past the settlement files' date that make a stopped feed likely:
 * working days under T+N, calendar days under D+N/D0 (a payout is due every day then).
 */
export const FEED_GAP_WORKING_DAYS = 2;

/** Working days after `from` up to and including `to`. */
function workingDaysAfter(from: LocalDate, to: LocalDate, calendar: ReconcileInput['calendar']): number {
  let n = 0;
  for (let d = calendar.addCalendarDays(from, 1); d <= to; d = calendar.addCalendarDays(d, 1)) if (calendar.isWorkingDay(d)) n++;
  return n;
}

const KIND_ORDER = new Map(ALL_KINDS.map((k, i) => [k, i]));

/**
 * The settlement date the inputs prove: the latest 清算日期, else the latest transaction date
 * (a stated business date, else the calendar date of the time). Not the date after the cut-off:
 * one 23:30 line in a calendar day's file proves nothing of the next business day, and taking
 * it as proven would call that day's sales overdue a day early.
 */
export function defaultAsOf(settlement: CanonicalRecord[]): { asOf: LocalDate; source: string } | null {
  let latestSettle: string | undefined;
  let latestBusiness: string | undefined;
  for (const s of settlement) {
    if (s.settleDate && (!latestSettle || s.settleDate > latestSettle)) latestSettle = s.settleDate;
    const b = s.businessDate ?? s.time?.slice(0, 10) ?? s.settleDate;
    if (b && (!latestBusiness || b > latestBusiness)) latestBusiness = b;
  }
  if (latestSettle) return { asOf: latestSettle, source: 'latest settlement date in the settlement files' };
  if (latestBusiness) return { asOf: latestBusiness, source: 'latest transaction date in the settlement files (they print no settlement date)' };
  return null;
}

function findingTime(f: Finding): string {
  const r = f.terminal ?? f.settlement ?? f.related[0];
  // A payout not credited names no row: it sorts by its settlement date.
  return r?.time ?? r?.settleDate ?? (typeof f.details.settleDate === 'string' ? f.details.settleDate : '');
}

function findingSource(f: Finding): string {
  const r = f.terminal ?? f.settlement ?? f.related[0];
  return r ? `${r.source.file}\u0000${String(r.source.line).padStart(10, '0')}` : '';
}

/** Findings in report order: kind, then time, then file and line. Keys are built once per finding, not per comparison. */
function sortFindings(list: Finding[]): Finding[] {
  const keyed = list.map((f) => ({ f, kind: KIND_ORDER.get(f.kind) ?? 0, time: findingTime(f), source: findingSource(f) }));
  keyed.sort(
    (a, b) =>
      a.kind - b.kind ||
      (a.time < b.time ? -1 : a.time > b.time ? 1 : 0) ||
      (a.source < b.source ? -1 : a.source > b.source ? 1 : 0),
  );
  return keyed.map((k) => k.f);
}

export function reconcile(input: ReconcileInput): ReconcileResult {
  const terminalRaw = input.terminal.flatMap((f) => f.records);
  const settlementRaw = input.settlement.flatMap((f) => f.records);
  const terminalDedupe = dedupeAcrossFiles(terminalRaw);
  const settlementDedupe = dedupeAcrossFiles(settlementRaw);
  const terminal = terminalDedupe.kept.sort(canonicalCompare);
  const settlement = settlementDedupe.kept.sort(canonicalCompare);

  const pre = input.preMatched;
  const auto = mergeAsOf(defaultAsOf(settlement), pre);
  const asOf = input.asOf ?? auto?.asOf ?? terminal.reduce((m, t) => ((t.time ?? '') > m ? (t.time ?? '').slice(0, 10) : m), '');
  // A day without sales (header-only files) has no date to judge as of: said so, never an empty date.
  const asOfSource = input.asOf ? '--as-of' : auto ? auto.source : asOf === '' ? 'none: no dated row in the files' : 'latest terminal date (no settlement rows)';

  const classified = classifyFindings({
    terminal,
    settlement,
    duplicateExports: [...terminalDedupe.duplicates, ...settlementDedupe.duplicates],
    contract: input.contract,
    calendar: input.calendar,
    asOf,
    asOfFromSettlementFiles: !input.asOf && auto !== null,
    settledThrough: settledThrough(settlement, pre),
    terminalSpans: terminalSpans(terminal, pre, input.terminal),
    filesPrintingSeconds: pre?.filesPrintingSeconds,
    haveTerminal: input.terminal.length > 0,
    rejectedSettlement: input.settlement.flatMap((f) => f.rejected),
    rejectedTerminal: input.terminal.flatMap((f) => f.rejected),
  });
  const bankFiles = input.bank ?? [];
  const bankRaw = bankFiles.flatMap((f) => f.records);
  const bank = bankFiles.length
    ? reconcileBank({ settlement, bank: bankRaw, contract: input.contract, asOf, asOfGiven: input.asOf !== undefined, calendar: input.calendar, allowanceUsage: classified.allowanceUsage })
    : null;
  const controlFindings = controlTotalFindings(input, settlementRaw);
  const findings = sortFindings([...classified.findings, ...(bank?.findings ?? []), ...controlFindings]);

  assignFindingIds(findings);

  const counts = Object.fromEntries(ALL_KINDS.map((k) => [k, 0])) as Record<FindingKind, number>;
  for (const f of findings) counts[f.kind]++;
  if (pre) counts.matched += pre.pairs;

  // Every record gets exactly one disposition: flagged beats matched beats informational.
  const dispositions = new Map<CanonicalRecord, RowDisposition>();
  const rank: Record<RowDisposition, number> = { informational: 0, matched: 1, flagged: 2 };
  const mark = (r: CanonicalRecord | null, d: RowDisposition) => {
    if (!r) return;
    const prev = dispositions.get(r);
    if (!prev || rank[d] > rank[prev]) dispositions.set(r, d);
  };
  for (const f of findings) {
    const d: RowDisposition = isException(f.kind) ? 'flagged' : f.kind === 'matched' ? 'matched' : 'informational';
    mark(f.terminal, d);
    mark(f.settlement, d);
    // Related rows that are part of the finding itself (the cancelling void, the candidates).
    if (f.kind === 'ambiguous_match' || f.kind === 'void_settled' || f.kind === 'voided') for (const r of f.related) mark(r, d);
  }
  // Bank rows: the bank leg puts every row in exactly one category and disposition.
  for (const [r, d] of bank?.dispositions ?? []) dispositions.set(r, d);
  const allRecords = [...terminalRaw, ...settlementRaw, ...bankRaw];
  // Records no finding names (e.g. a clean settlement line in a fee audit) were checked and are fine.
  for (const r of allRecords) if (!dispositions.has(r)) dispositions.set(r, 'informational');
  const rejected = [...input.terminal, ...input.settlement, ...bankFiles].flatMap((f) => f.rejected);
  const rows = { read: allRecords.length + rejected.length, matched: 0, flagged: 0, informational: 0, rejected: rejected.length };
  for (const d of dispositions.values()) rows[d]++;
  if (pre) {
    rows.read += 2 * pre.pairs;
    rows.matched += 2 * pre.pairs;
  }

  // Voided or reversed sales never settle: they are no part of what the terminal took.
  const cancelledSales = new Set(findings.filter((f) => (f.kind === 'voided' || f.kind === 'void_settled') && f.terminal).map((f) => f.terminal!));
  const sum = sumYuan;
  const signedFiles = signedDeductionFiles(settlement);
  const byKind = (k: FindingKind) => findings.filter((f) => f.kind === k);
  const totals = {
    terminalSuccess: sum(
      terminal
        .filter((t) => t.status === 'success' && !t.cancelled && !cancelledSales.has(t) && (t.txnType === 'sale' || t.txnType === 'preauth_complete'))
        .map((t) => t.amount),
    ),
    settled: sum(settlement.filter((s) => s.txnType !== 'deduction' && isPaidLine(s)).map((s) => s.amount)),
    // A line its file marks unpaid (未结算, 交易失败) took no fee and paid no net.
    // Fees and net as money moved, in whole fen (a fee printed to 5 decimals, taken by the contract's rounding).
    fees: sum(settlement.filter((s) => s.txnType === 'deduction' || isPaidLine(s)).map((s) => (s.fee && s.txnType !== 'deduction' ? feeInFen(s.fee, input.contract.fees.rounding) : s.fee))),
    // What the lines pay, as the payouts count it: a card line printing no net (a WeChat bill)
    // pays amount − fee; a deduction takes its money (a fee-only line its fee), signed as it reads.
    net: sum(settlement.filter((s) => s.txnType === 'deduction' || isPaidLine(s)).map((s) => lineNet(s, signedFiles, input.contract.fees.rounding))),
    // Money charged to customers: a refund line settled without its terminal refund took money
    // from the merchant for a customer, it charged no one.
    // (Nor a line whose terminal row is there but unreadable: that is a row to fix, not a charge;
    // nor one of a day no terminal export of its merchant covers: an export to add.)
    dropped: sum(byKind('dropped_order').filter((f) => f.details.terminalStatus !== 'unreadable' && f.details.terminalStatus !== 'no_export_for_date').map((f) => f.settlement?.amount ?? f.settlement?.net).filter((a) => a?.gt(0))),
    // Money not received: an unsettled refund is money the merchant still holds.
    overdue: sum(byKind('unsettled_overdue').filter((f) => f.terminal?.txnType !== 'refund').map((f) => f.terminal?.amount?.abs())),
    pending: sum(byKind('unsettled_pending').filter((f) => f.terminal?.txnType !== 'refund').map((f) => f.terminal?.amount?.abs())),
    // Beyond an allowance only the excess is off contract (difference); otherwise all of it.
    deductions: sum(byKind('extra_deduction').map((f) => (f.difference ?? (f.actual instanceof Decimal ? f.actual : undefined)))),
    feeOvercharge: classified.fees.overcharge,
    feeUndercharge: classified.fees.undercharge,
  };
  if (pre) {
    totals.terminalSuccess = totals.terminalSuccess.plus(pre.terminalSuccess);
    totals.settled = totals.settled.plus(pre.settled);
    totals.fees = totals.fees.plus(pre.fees);
    totals.net = totals.net.plus(pre.net);
    addPreMatchedFees(classified.fees, pre);
  }
  // Bank booking dates need no holiday calendar; only the settlement timing does.
  const dates = [...terminalRaw, ...settlementRaw].map((r) => (r.time ?? r.settleDate ?? '').slice(0, 10)).filter(Boolean);
  if (asOf !== '') dates.push(asOf);
  if (pre) dates.push(...pre.dates);
  // A sale past the settlement files' date stays "pending" however long ago it was: say when the
  // terminal side has run on for days without them. (A clean pair's terminal time can be past
  // it too: a terminal clock days ahead. Its date is in the fast path's terminal spans.)
  let feedGap: ReconcileResult['feedGap'];
  if (!input.asOf && auto && (terminal.length > 0 || (pre?.terminalSpans?.length ?? 0) > 0)) {
    let terminalUntil = terminal.reduce((m, t) => ((t.time ?? '').slice(0, 10) > m ? (t.time ?? '').slice(0, 10) : m), '');
    for (const span of pre?.terminalSpans ?? []) if (span.to > terminalUntil) terminalUntil = span.to;
    const workingDays = terminalUntil > asOf ? workingDaysAfter(asOf, terminalUntil, input.calendar) : 0;
    // Counted as the contract pays: a D+1 or D0 merchant is paid on holidays too, so two calendar
    // days without a file are already two missed payouts (a feed that stops over 国庆 would
    // otherwise stay silent for a week); T+N counts working days.
    const calendarDays = terminalUntil > asOf ? dayNumber(terminalUntil) - dayNumber(asOf) : 0;
    const paidDaily = [input.contract.settlement, ...input.contract.settlementByMerchant.values()].some((t) => t.cycle.basis === 'D');
    const basis = paidDaily ? 'calendar' : 'working';
    if ((paidDaily ? calendarDays : workingDays) >= FEED_GAP_WORKING_DAYS) feedGap = { terminalUntil, settlementUntil: asOf, workingDays, calendarDays, basis };
  }
  return {
    ...(feedGap ? { feedGap } : {}),
    asOf,
    asOfSource,
    files: [...input.terminal, ...input.settlement, ...bankFiles],
    findings,
    counts,
    rows,
    dispositions,
    rejected,
    totals,
    fees: classified.fees,
    missingCalendarYears: input.calendar.missingYears(dates),
    auditOnly: input.terminal.length === 0,
    feeRulesGiven: input.contract.fees.rules.length > 0,
    ...(input.contract.file !== DEFAULT_CONTRACT_FILE ? { contractFile: input.contract.file } : {}),
    bank,
    daily: mergeDaily(
      dailyTotals({
        terminal: input.terminal.length > 0 ? terminal : null,
        settlement,
        findings,
        contract: input.contract,
        creditedByDate: bank?.creditedByDate ?? null,
      }),
      pre,
    ),
  };
}

/** The default as-of date over residual rows and clean pairs together (same priority as defaultAsOf). */
function mergeAsOf(auto: { asOf: LocalDate; source: string } | null, pre: PreMatched | undefined): { asOf: LocalDate; source: string } | null {
  if (!pre || pre.pairs === 0) return auto;
  const bySettle = auto?.source.startsWith('latest settlement date') ?? false;
  if (pre.latestSettleDate) {
    const asOf = bySettle && auto!.asOf > pre.latestSettleDate ? auto!.asOf : pre.latestSettleDate;
    return { asOf, source: 'latest settlement date in the settlement files' };
  }
  if (bySettle) return auto;
  if (!pre.latestBusinessDate) return auto;
  const asOf = auto && auto.asOf > pre.latestBusinessDate ? auto.asOf : pre.latestBusinessDate;
  return { asOf, source: 'latest transaction date in the settlement files (they print no settlement date)' };
}

function addPreMatchedFees(fees: FeeTotals, pre: PreMatched): void {
  fees.checked += pre.feeChecked;
  for (const key of ['byMonth', 'byTerminal', 'byCardType'] as const) {
    for (const [k, b] of pre.feeBuckets[key]) {
      fees.charged = key === 'byMonth' ? fees.charged.plus(b.charged) : fees.charged;
      fees.perContract = key === 'byMonth' ? fees.perContract.plus(b.charged) : fees.perContract;
      const bucket = fees[key].get(k);
      if (bucket) {
        bucket.charged = bucket.charged.plus(b.charged);
        bucket.perContract = bucket.perContract.plus(b.charged);
        bucket.count += b.count;
      } else {
        fees[key].set(k, { charged: b.charged, perContract: b.charged, overcharge: new Decimal(0), undercharge: new Decimal(0), count: b.count });
      }
    }
  }
}

function mergeDaily(points: DailyPoint[], pre: PreMatched | undefined): DailyPoint[] {
  if (!pre || pre.daily.size === 0) return points;
  const byDate = new Map(points.map((p) => [p.date, { ...p }]));
  for (const [date, v] of pre.daily) {
    const p = byDate.get(date);
    if (p) {
      p.expected = p.expected ? p.expected.plus(v.expected) : p.expected;
      p.settled = p.settled.plus(v.settled);
    } else {
      const credited = points.length > 0 && points[0].credited !== null ? new Decimal(0) : null;
      byDate.set(date, { date, expected: v.expected, settled: v.settled, credited });
    }
  }
  return [...byDate.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

// One-shot crypto.hash (Node ≥ 20.12) is several times cheaper per call than createHash; same digest.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;
const sha1Hex = (text: string): string => (oneShot ? oneShot('sha1', text, 'hex') : crypto.createHash('sha1').update(text).digest('hex'));

/**
 * Finding ids depend only on content (kind + fingerprints of the rows named, file names
 * excluded), so the same problem keeps its id across runs, re-exports and renamed files.
 */
export function assignFindingIds(findings: Finding[]): void {
  const seen = new Map<string, number>();
  for (const f of findings) {
    const terminal = f.terminal ? recordFingerprint(f.terminal) : '-';
    const settlement = f.settlement ? recordFingerprint(f.settlement) : '-';
    // Bank-leg findings name no terminal or settlement row: their bank rows and payout identify them.
    const bankRows = f.terminal || f.settlement ? '' : f.related.map(recordFingerprint).join('\u0003') + String(f.details.payout ?? '');
    const extra =
      f.kind === 'fee_drift' ? `${f.details.cardType}|${f.details.from}`
      : f.kind === 'control_total_mismatch' ? `${f.details.key}|${String(f.expected)}|${String(f.actual)}|${f.details.label}`
      : bankRows;
    const base = sha1Hex(`${f.kind}\u0002${terminal}\u0002${settlement}\u0002${extra}`).slice(0, 12);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    f.id = n === 0 ? base : `${base}-${n}`;
  }
}

function controlFinding(file: string, m: ControlTotalMismatch, source: string): Finding {
  return {
    kind: 'control_total_mismatch',
    severity: SEVERITY.control_total_mismatch,
    message: `${file}${m.line ? `:${m.line}` : ''}: ${m.message} (${source})`,
    terminal: null,
    settlement: null,
    related: [],
    // Counts are not money: keep them as plain integers in every format.
    ...(/count$/i.test(m.key)
      ? { expected: m.stated.toString(), actual: m.actual.toString() }
      : { expected: m.stated, actual: m.actual, difference: m.difference }),
    details: { file, key: m.key, label: m.label, source, ...(m.line ? { line: m.line } : {}) },
  };
}

/**
 * Totals a file states about itself (WeChat summary row, Alipay footer) and totals a companion
 * summary states about its detail file (UnionPay RD ↔ ZM, same clearing date and merchant).
 */
function controlTotalFindings(input: ReconcileInput, settlementRecords: CanonicalRecord[]): Finding[] {
  const out: Finding[] = [];
  for (const f of [...input.terminal, ...input.settlement, ...(input.bank ?? [])]) {
    for (const m of f.controlTotalMismatches ?? []) out.push(controlFinding(f.file, m, f.controlTotals?.source ?? 'stated in the file'));
  }
  for (const { file, summary } of input.summaries ?? []) {
    // The detail lines of the same clearing date and merchant; re-sent copies count once.
    const detail = dedupeAcrossFiles(
      settlementRecords.filter(
        (r) => (!summary.clearingDate || r.businessDate === summary.clearingDate || r.settleDate === summary.clearingDate) &&
          (!summary.merchantId || !r.merchantId || r.merchantId === summary.merchantId),
      ),
    ).kept;
    for (const m of checkControlTotals(detail, summary)) out.push(controlFinding(file, m, `RD summary for ${summary.clearingDate ?? 'its clearing date'}, ${detail.length} detail lines found`));
  }
  return out;
}
