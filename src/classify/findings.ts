// Turn match results into findings a merchant can act on. Pure: records, contract and calendar
// in; findings out. Every record ends referenced by at least one finding or a clean pair.
import { Decimal } from 'decimal.js';
import type { CanonicalRecord, LocalDate, LocalDateTime, RejectedRow, TxnType } from '../model.js';
import type { Contract, FeeRule } from '../contract/contract.js';
import { citeRule, settlementTermsOf } from '../contract/contract.js';
import { businessDateOf, dayNumber, expectedSettlementDate, type WorkCalendar } from '../calendar/calendar.js';
import { expectedFee, expectedRefundOfSale, feeDifferenceReason, feeWithinTolerance, plainRateOf } from '../fees/expectedFee.js';
import { detectRateDrift, type DriftSample } from '../fees/drift.js';
import { allowancesForLabel, deductionMoney, deductionOrder, judgeDeduction, matchAllowedDeduction, signedDeductionFiles } from '../fees/deductions.js';
import { linkCancellations, isCancellation, relinkToUnsettled } from '../match/cancellations.js';
import { matchTransactions, type MatchResult } from '../match/transactions.js';
import { localSeconds, normaliseRrn, normaliseTrace, sameCard, sameMerchant, sameTerminal, amountKey } from '../match/keys.js';
import { exactFen, formatYuan, sumYuan } from '../normalise/amount.js';
import { SEVERITY, type FindingKind, type Severity } from './kinds.js';

export interface Finding {
  /** Stable across runs for the same rows: kind + the fingerprints of the rows involved. */
  id?: string;
  kind: FindingKind;
  severity: Severity;
  message: string;
  terminal: CanonicalRecord | null;
  settlement: CanonicalRecord | null;
  /** Other rows a person should look at: candidates, the retry, the cancelling void, the repeated line. */
  related: CanonicalRecord[];
  expected?: Decimal | string;
  actual?: Decimal | string;
  difference?: Decimal;
  /** Kind-specific facts (rule cited, reason, first_swipe, expected date …). */
  details: Record<string, string | number | boolean>;
}

/** The first and last transaction date of a terminal file's rows, and the merchant ids they print. */
export interface TerminalSpan {
  file: string;
  from: LocalDate;
  to: LocalDate;
  /**
   * The merchant ids its rows print; the fast path adds the merchant of each clean pair's
   * settlement line where the terminal row prints none (a cash register's export).
   */
  merchantIds: string[];
  /** The fast path's clean pairs whose terminal row prints no merchant: its terminal id ('' for none) and the line's merchant. */
  matchedMerchants?: { terminalId: string; merchantId: string }[];
  /** The terminal ids ('' for none) of its rows printing no 商户号: a file mixing both may hold other merchants' lines of those terminals. */
  merchantlessTerminals?: string[];
  /** Its latest row's time of day (the fast path's clean pairs), to judge a stated export time by. */
  latestTime?: LocalDateTime;
  /** When the export says it was taken (导出时间 with a time of day): it holds nothing later. */
  exportedAt?: LocalDateTime;
}

/** The calendar day after `date` (UTC arithmetic on the date alone: no time zone involved). */
function nextDay(date: LocalDate): LocalDate {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/** `2025-09-27 … 2025-09-28, 2025-09-30`: the terminal files' spans, merged where they overlap or meet. */
function coverage(spans: readonly { from: LocalDate; to: LocalDate }[]): string {
  const sorted = [...spans].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  const merged: { from: LocalDate; to: LocalDate }[] = [];
  for (const s of sorted) {
    const last = merged[merged.length - 1];
    if (last && s.from <= nextDay(last.to)) {
      if (s.to > last.to) last.to = s.to;
    } else merged.push({ ...s });
  }
  return merged.map((s) => (s.from === s.to ? s.from : `${s.from} … ${s.to}`)).join(', ');
}

export interface ClassifyInput {
  terminal: CanonicalRecord[];
  settlement: CanonicalRecord[];
  duplicateExports: { record: CanonicalRecord; of: CanonicalRecord }[];
  contract: Contract;
  calendar: WorkCalendar;
  asOf: LocalDate;
  /**
   * The as-of date is the settlement files' own latest date: a line due that day would be among
   * them, so a T+1 or D+1 payment missing from them on its due date is already overdue. (With an
   * explicit --as-of, or D0, whose day's file may still be filling, only after the due date.)
   */
  asOfFromSettlementFiles?: boolean;
  /**
   * Per merchant id ('' for lines printing none), the latest settlement date of its lines: with
   * several merchants or acquirers, one's file of the day being in says nothing of another's.
   */
  settledThrough?: ReadonlyMap<string, LocalDate>;
  /** False for a pure fee audit (settlement files only): no claims that need terminal data. */
  haveTerminal: boolean;
  /** Settlement rows that could not be read: an unsettled payment may be one of them. */
  rejectedSettlement?: RejectedRow[];
  /**
   * The dates each terminal file runs from and to (clean pairs included): a settled line of a
   * date no file spans is more likely a missing export than a dropped order, and is named so.
   */
  terminalSpans?: readonly TerminalSpan[];
  /** Files the fast path saw printing seconds in rows it did not hand over (see MatchOptions). */
  filesPrintingSeconds?: readonly string[];
  /** Terminal rows that could not be read: a settled line "missing" on the terminal may be one. */
  rejectedTerminal?: RejectedRow[];
}

export interface FeeTotals {
  checked: number;
  charged: Decimal;
  perContract: Decimal;
  overcharge: Decimal;
  undercharge: Decimal;
  byMonth: Map<string, FeeBucket>;
  byTerminal: Map<string, FeeBucket>;
  byCardType: Map<string, FeeBucket>;
}

export interface FeeBucket {
  charged: Decimal;
  perContract: Decimal;
  overcharge: Decimal;
  undercharge: Decimal;
  count: number;
}

export interface ClassifyResult {
  findings: Finding[];
  match: MatchResult;
  fees: FeeTotals;
  /**
   * Fen spent per allowance period by the settlement side (deduction lines and deposits taken
   * with a first sale's fee), for the bank leg: a bank debit cannot spend what these spent.
   */
  allowanceUsage: Map<string, number>;
}

/** A retry within this many minutes with the same card and amount suggests a double charge. */
const DOUBLE_CHARGE_MINUTES = 30;
/** A first transaction whose fee exceeds the contract by this much looks like a first-swipe charge. */
const FIRST_SWIPE_EXCESS = new Decimal(10);

const EXPECTS_SETTLEMENT = new Set(['sale', 'preauth_complete', 'refund']);

const ROUNDING: Record<Contract['fees']['rounding'], Decimal.Rounding> = {
  'half-up': Decimal.ROUND_HALF_UP,
  'half-even': Decimal.ROUND_HALF_EVEN,
  down: Decimal.ROUND_DOWN,
  up: Decimal.ROUND_UP,
};

function finding(
  kind: FindingKind,
  message: string,
  rows: { terminal?: CanonicalRecord | null; settlement?: CanonicalRecord | null; related?: CanonicalRecord[] },
  extra: Partial<Pick<Finding, 'expected' | 'actual' | 'difference' | 'details'>> = {},
): Finding {
  return {
    kind,
    severity: SEVERITY[kind],
    message,
    terminal: rows.terminal ?? null,
    settlement: rows.settlement ?? null,
    related: rows.related ?? [],
    details: {},
    ...extra,
  };
}

const yuan = (d: Decimal | undefined): string => (d ? formatYuan(d, { thousands: true }) : '?');

function describe(r: CanonicalRecord): string {
  // A date-only row must not show an invented 00:00:00.
  const parts = [r.time ? (r.hasTime === false ? r.time.slice(0, 10) : r.time) : (r.settleDate ?? '')];
  if (r.terminalId) parts.push(`terminal ${r.terminalId}`);
  if (r.rrn) parts.push(`RRN ${r.rrn}`);
  else if (r.trace) parts.push(`trace ${r.trace}`);
  else if (r.orderId) parts.push(`order ${r.orderId}`);
  if (r.card) parts.push(`card ${r.card}`);
  return parts.filter(Boolean).join(', ');
}

const where = (r: CanonicalRecord) => `${r.source.file}:${r.source.line}`;

/**
 * How late a matched sale was paid: its settlement date (as the line prints it) past its due date
 * (expected date under the cycle, plus grace days). Undefined when on time or not knowable: a
 * line printing no settlement date, a refund (money the merchant keeps longer), or a settlement
 * date that is the clearing date (never after the due date).
 */
export function settlementLateness(
  t: CanonicalRecord,
  s: CanonicalRecord,
  contract: Contract,
  calendar: WorkCalendar,
  /** Expected and due date per business date, kept across calls (one calendar walk per date). */
  dueDates: Map<LocalDate, { expectedDate: LocalDate; dueDate: LocalDate }> = new Map(),
  /** Whose settlement terms apply: the sale's merchant (printed, or its file's), else the line's. */
  merchantId: string | undefined = t.merchantId ?? s.merchantId,
): { businessDate: LocalDate; expectedDate: LocalDate; dueDate: LocalDate; daysLate: number; cycle: string } | undefined {
  if (!s.settleDate || (t.txnType !== 'sale' && t.txnType !== 'preauth_complete')) return undefined;
  const businessDate = businessDateOfRecord(t, contract, merchantId);
  if (!businessDate || s.settleDate <= businessDate) return undefined;
  const terms = settlementTermsOf(contract, merchantId);
  // A line that charged a 秒到 fee bought a same-day (D0) payout, whatever the contract's cycle
  // (a T0 or D0 contract is same-day already, with its own idea of which days count).
  const instant = Boolean(s.instantFee) && terms.cycle.days > 0;
  const cycle = instant ? { basis: 'D' as const, days: 0, text: 'D0' } : terms.cycle;
  const key = `${terms === contract.settlement ? '' : merchantId}|${businessDate}${instant ? '|D0' : ''}`;
  let due = dueDates.get(key);
  if (!due) {
    const expected = expectedSettlementDate(businessDate, { kind: cycle.basis, days: cycle.days }, calendar);
    dueDates.set(key, (due = { expectedDate: expected, dueDate: calendar.addCalendarDays(expected, terms.graceDays) }));
  }
  const { expectedDate, dueDate } = due;
  if (s.settleDate <= dueDate) return undefined;
  return { businessDate, expectedDate, dueDate, daysLate: dayNumber(s.settleDate) - dayNumber(dueDate), cycle: cycle.text };
}

/** Whether a settlement line paid out: its file prints no status, or a success word. */
export function isPaidLine(s: CanonicalRecord): boolean {
  return s.status === 'success';
}

/** The business date a transaction belongs to after the cut-off shift (日切). */
export function businessDateOfRecord(
  r: CanonicalRecord,
  contract: Contract,
  /** Whose cut-off applies (settlement.merchants): the row's own merchant unless told. */
  merchantId: string | undefined = r.merchantId,
): LocalDate | undefined {
  if (r.businessDate) return r.businessDate;
  // A deduction (流量费, 押金 …) is no card transaction: the card cut-off does not move it, and
  // its file stamps it with the day it was taken (often 23:59:59).
  if (r.time && r.txnType === 'deduction') return r.time.slice(0, 10);
  if (r.time) {
    const terms = settlementTermsOf(contract, merchantId);
    return r.hasTime === false
      ? r.time.slice(0, 10)
      : r.cardType === 'qr' && terms.qrCutoff === 'midnight'
        ? r.time.slice(0, 10)
        : businessDateOf(r.time, { cutoff: terms.cutoff, cutoffRule: terms.cutoffRule });
  }
  return r.settleDate;
}

export function classifyFindings(input: ClassifyInput): ClassifyResult {
  const { contract, calendar, asOf } = input;
  const findings: Finding[] = [];
  const links = linkCancellations(input.terminal, { businessDate: (r) => businessDateOfRecord(r, contract) });
  const dueDates = new Map<LocalDate, { expectedDate: LocalDate; dueDate: LocalDate }>();
  const lateSettlement = (t: CanonicalRecord, s: CanonicalRecord) => settlementLateness(t, s, contract, calendar, dueDates, merchantOfRow(t) ?? s.merchantId);
  // A line the settlement file itself marks failed or not (yet) paid (交易失败, 未结算, 结算失败)
  // settled nothing: it claims no charge and pays no sale, which stays unsettled until paid.
  const settlementCard = input.settlement.filter((s) => s.txnType !== 'deduction' && isPaidLine(s));
  const unpaidLines = input.settlement.filter((s) => s.txnType !== 'deduction' && !isPaidLine(s));
  const deductions = input.settlement.filter((s) => s.txnType === 'deduction');
  for (const s of unpaidLines) {
    findings.push(finding('no_settlement_expected', `Settlement line says "${s.rawStatus ?? s.status}": ¥${yuan(s.amount ?? s.net)} (${describe(s)}) was not paid out, so it settles nothing`, { settlement: s }, { details: { settlementStatus: s.status } }));
  }

  // Cancellation rows themselves never claim settlement lines; their originals do. But an
  // acquirer may clear a void as well (sale +88, then −88 under the void's own RRN): such a line
  // is the void row's, and is set aside from matching.
  const cancellationByRrn = new Map<string, CanonicalRecord>();
  for (const c of input.haveTerminal ? input.terminal : []) {
    const rrn = isCancellation(c) ? normaliseRrn(c.rrn) : undefined;
    if (rrn && !cancellationByRrn.has(rrn)) cancellationByRrn.set(rrn, c);
  }
  const clearedCancellations = new Map<CanonicalRecord, CanonicalRecord>(); // settlement line → void row
  if (cancellationByRrn.size > 0) {
    for (const s of settlementCard) {
      const rrn = normaliseRrn(s.rrn);
      const c = rrn ? cancellationByRrn.get(rrn) : undefined;
      if (c && (s.amount ?? s.net)?.isNegative() && amountKey(s) === amountKey(c) && sameMerchant(c, s)) clearedCancellations.set(s, c);
    }
  }
  const matchableSettlement = clearedCancellations.size > 0 ? settlementCard.filter((s) => !clearedCancellations.has(s)) : settlementCard;
  const matchable = input.haveTerminal ? input.terminal.filter((t) => !isCancellation(t)) : [];
  const match = input.haveTerminal
    ? matchTransactions(matchable, matchableSettlement, { ...contract.matching, filesPrintingSeconds: input.filesPrintingSeconds })
    : { pairs: [], duplicates: [], ambiguous: [], unmatchedTerminal: [], unmatchedSettlement: settlementCard };
  if (!input.haveTerminal) {
    // Audit mode still recognises duplicate lines.
    const dup = matchTransactions([], settlementCard, contract.matching);
    match.duplicates = dup.duplicates;
    match.unmatchedSettlement = dup.unmatchedSettlement;
  }

  const settledSales = new Set(match.pairs.map((p) => p.terminal));

  // The merchants each terminal file holds: those its rows print, and for rows printing none (a
  // cash register's export) those of the settlement lines they matched, per terminal id (one
  // register may serve two acquirers' terminals). A file that shows neither may hold any merchant.
  const fileMerchants = new Map<string, Set<string>>();
  const printedMerchants = new Map<string, Set<string>>();
  const matchedByTerminal = new Map<string, Set<string>>();
  const add = (map: Map<string, Set<string>>, key: string, merchantId: string) => {
    const set = map.get(key);
    if (set) set.add(merchantId);
    else map.set(key, new Set([merchantId]));
  };
  for (const span of input.terminalSpans ?? []) {
    for (const m of span.merchantIds) {
      add(fileMerchants, span.file, m);
      add(printedMerchants, span.file, m);
    }
    for (const { terminalId, merchantId } of span.matchedMerchants ?? []) {
      add(fileMerchants, span.file, merchantId);
      add(matchedByTerminal, `${span.file}|${terminalId}`, merchantId);
    }
  }
  for (const p of match.pairs) {
    if (p.terminal.merchantId || !p.settlement.merchantId) continue;
    add(fileMerchants, p.terminal.source.file, p.settlement.merchantId);
    add(matchedByTerminal, `${p.terminal.source.file}|${p.terminal.terminalId ?? ''}`, p.settlement.merchantId);
  }
  /** Whether some terminal file is known to hold this merchant (prints it, or matched its lines). */
  const merchantHasExports = (merchantId: string) => (input.terminalSpans ?? []).some((x) => fileMerchants.get(x.file)?.has(merchantId));
  /**
   * The terminal files that may hold a line of this merchant: where the merchant has exports of
   * its own, those and the files that show no merchant at all; where it has none (its only line
   * the dropped one, or its export forgotten), only files printing no 商户号 — an export printing
   * other merchants' ids does not hold it.
   */
  const merchantlessTerminals = new Map((input.terminalSpans ?? []).map((x) => [x.file, new Set(x.merchantlessTerminals ?? [])]));
  const mayHold = (file: string, line: CanonicalRecord) =>
    merchantHasExports(line.merchantId!)
      ? (fileMerchants.get(file)?.has(line.merchantId!) ?? true)
      // A file printing 商户号 holds another merchant's line only in rows that print none, of the
      // line's terminal (one stray row of its own must not make it hold everyone's).
      : !printedMerchants.has(file) || Boolean(merchantlessTerminals.get(file)?.has(line.terminalId ?? ''));
  // The merchants whose settlement lines print each terminal id, matched or not.
  const lineMerchantsByTerminal = new Map<string, Set<string>>();
  for (const s of input.settlement) if (s.terminalId && s.merchantId) add(lineMerchantsByTerminal, s.terminalId, s.merchantId);
  /**
   * A terminal row's merchant: printed, else the one merchant the rows of its terminal in its
   * file matched, else the one whose settlement lines print its terminal id (else unknown: the
   * contract's own terms).
   */
  const merchantOfRow = (t: CanonicalRecord): string | undefined => {
    if (t.merchantId) return t.merchantId;
    const held = matchedByTerminal.get(`${t.source.file}|${t.terminalId ?? ''}`) ?? (t.terminalId ? lineMerchantsByTerminal.get(t.terminalId) : undefined);
    return held?.size === 1 ? [...held][0] : undefined;
  };

  relinkToUnsettled(links, (sale) => settledSales.has(sale));
  // A cleared void whose sale cleared too nets to zero; one whose sale never cleared took money
  // back for nothing: it stays an unclaimed settlement line.
  const clearedLineOf = new Map<CanonicalRecord, CanonicalRecord>(); // void row → its settlement line
  for (const [s, c] of clearedCancellations) {
    const sale = links.originalOf.get(c);
    if (sale && settledSales.has(sale)) clearedLineOf.set(c, s);
    else match.unmatchedSettlement.push(s);
  }

  const successfulSales = input.terminal.filter(
    (t) => EXPECTS_SETTLEMENT.has(t.txnType) && t.txnType !== 'refund' && t.status === 'success' && !links.cancelledBy.has(t) && !t.cancelled,
  );
  // Index successful sales by card + amount so each double-charge check is a lookup, not a scan.
  const salesByCardAmount = new Map<string, CanonicalRecord[]>();
  for (const s of successfulSales) {
    if (!s.time) continue;
    const key = `${cardDigits(s.card)}|${amountKey(s)}`;
    const list = salesByCardAmount.get(key);
    if (list) list.push(s);
    else salesByCardAmount.set(key, [s]);
  }
  const retryOf = (r: CanonicalRecord, self?: CanonicalRecord): CanonicalRecord | undefined => {
    if (!r.time) return undefined;
    const t0 = localSeconds(r.time);
    return salesByCardAmount.get(`${cardDigits(r.card)}|${amountKey(r)}`)?.find(
      (s) => s !== self && sameCard(s.card, r.card) && Math.abs(localSeconds(s.time!) - t0) <= DOUBLE_CHARGE_MINUTES * 60 &&
        // "This machine is stuck, use the other one": on another terminal of the merchant, a
        // success after the failed try, with both cards printed well enough to name one customer
        // (first and last digits: a last-four-only mask fits one customer in ten thousand, and a
        // QR payment names none).
        (sameTerminal(s, r) || (localSeconds(s.time!) >= t0 && namesCustomer(s.card) && namesCustomer(r.card) && sameMerchant(s, r))),
    );
  };

  // --- Pairs -------------------------------------------------------------------------------
  for (const { terminal: t, settlement: s, pass } of match.pairs) {
    const cancel = links.cancelledBy.get(t);
    const clearedVoid = cancel ? clearedLineOf.get(cancel) : undefined;
    if (cancel && clearedVoid) {
      findings.push(
        finding(
          'voided',
          `${t.rawType ?? 'Sale'} of ¥${yuan(t.amount)} (${describe(t)}) ${cancel.txnType === 'reversal' ? 'reversed' : 'voided'} by ${where(cancel)}; the acquirer cleared the sale and its ${cancel.txnType === 'reversal' ? 'reversal' : 'void'} (${where(clearedVoid)}): net ¥0.00`,
          { terminal: t, settlement: s, related: [cancel, clearedVoid] },
          { details: { pass } },
        ),
      );
      continue;
    }
    if (cancel || t.cancelled) {
      findings.push(
        finding(
          'void_settled',
          `Sale of ¥${yuan(t.amount)} (${describe(t)}) was ${cancel ? (cancel.txnType === 'reversal' ? 'reversed' : 'voided') + ` at ${where(cancel)}` : `marked ${t.rawStatus}`} but settled anyway — ask the acquirer to reverse it`,
          { terminal: t, settlement: s, related: cancel ? [cancel] : [] },
          { actual: s.amount, details: { pass } },
        ),
      );
      continue;
    }
    if (t.status !== 'success' || !EXPECTS_SETTLEMENT.has(t.txnType)) {
      const retry = retryOf(t, t);
      const status = t.rawStatus ?? t.status;
      findings.push(
        finding(
          'dropped_order',
          `Card was charged ¥${yuan(s.amount ?? s.net)} (${describe(s)}) but the terminal shows "${status}"` +
            (retry ? ` — possible double charge: ${retryText(retry, t)}` : ''),
          { terminal: t, settlement: s, related: retry ? [retry] : [] },
          { actual: s.amount ?? s.net, details: { pass, terminalStatus: status, possibleDoubleCharge: Boolean(retry) } },
        ),
      );
      continue;
    }
    const tAmount = t.amount?.abs();
    const sAmount = (s.amount ?? s.net)?.abs();
    if (tAmount && sAmount && !tAmount.eq(sAmount)) {
      findings.push(
        finding(
          'amount_mismatch',
          `Terminal shows ¥${yuan(tAmount)} but ¥${yuan(sAmount)} was settled (${describe(t)})`,
          { terminal: t, settlement: s },
          { expected: tAmount, actual: sAmount, difference: sAmount.minus(tAmount), details: { pass } },
        ),
      );
    } else {
      findings.push(finding('matched', `Matched by ${pass}`, { terminal: t, settlement: s }, { details: { pass } }));
      const late = lateSettlement(t, s);
      if (late) {
        findings.push(
          finding(
            'settled_late',
            `¥${yuan(t.amount)} (${describe(t)}) settled on ${s.settleDate}, ${late.daysLate} day${late.daysLate === 1 ? '' : 's'} after its due date ${late.dueDate} under ${late.cycle}` +
              (s.instantFee ? ` — a 秒到 fee of ¥${yuan(s.instantFee)} was charged for a same-day payout` : ''),
            { terminal: t, settlement: s },
            { details: { pass, businessDate: late.businessDate, expectedDate: late.expectedDate, dueDate: late.dueDate, settleDate: s.settleDate!, daysLate: late.daysLate } },
          ),
        );
      }
    }
  }

  /**
   * How far the settlement lines that could be this row's reach: its merchant's, and those that
   * print no merchant id; every line's when the terminal row itself prints none.
   */
  const merchantSettledThrough = (t: CanonicalRecord): LocalDate => {
    const through = input.settledThrough;
    if (!through || t.merchantId === undefined) return asOf;
    const own = through.get(t.merchantId) ?? '';
    const anonymous = through.get('') ?? '';
    return own > anonymous ? own : anonymous;
  };

  // --- Settlement lines no terminal row claimed -----------------------------------------------
  const ambiguousLines = new Set(match.ambiguous.flatMap((a) => a.candidates));
  const usedRejected = new Set<RejectedRow>();
  if (input.haveTerminal) {
    for (const s of match.unmatchedSettlement) {
      if (ambiguousLines.has(s)) continue;
      const isRefund = s.txnType === 'refund' || (s.amount ?? s.net)?.isNegative() === true;
      // Money given back is no charge: no double charge to name (review CD).
      const retry = isRefund ? undefined : retryOf(s);
      // A terminal row that failed to read but names this line's RRN, or its terminal and trace,
      // is most likely its row: say so rather than "no such transaction".
      const unread = unreadableRowOf(input.rejectedTerminal, s, usedRejected);
      const day = s.time?.slice(0, 10);
      const spans = input.terminalSpans ?? [];
      // The exports that may hold this line's merchant: another acquirer's export of the day says
      // nothing of it.
      // Only where the merchant has exports of its own (on other days): a merchant no export is
      // known to hold may be in any file printing no 商户号 (its only line the dropped one).
      const ofMerchant = s.merchantId ? spans.filter((x) => mayHold(x.file, s)) : spans;
      const ofDay = day === undefined ? [] : ofMerchant.filter((x) => x.from <= day && day <= x.to);
      // The day's exports were all taken before the line's time (a morning export, a D0 day).
      const takenBefore = ofDay.length > 0 && s.hasTime !== false && s.time !== undefined && ofDay.every((x) => x.exportedAt !== undefined && x.exportedAt < s.time!);
      const uncovered = !unread && !clearedCancellations.has(s) && day !== undefined && spans.length > 0 && (ofDay.length === 0 || takenBefore);
      const held = ofMerchant.length === spans.length ? `the terminal files hold ${coverage(spans)}`
        : ofMerchant.length > 0 ? `the terminal files of merchant ${s.merchantId} hold ${coverage(ofMerchant)}`
        : `no terminal file holds merchant ${s.merchantId}`;
      findings.push(
        finding(
          'dropped_order',
          (clearedCancellations.has(s)
            ? `${clearedCancellations.get(s)!.txnType === 'reversal' ? 'Reversal' : 'Void'} of ¥${yuan((s.amount ?? s.net)?.abs())} cleared (${describe(s)}) for ${where(clearedCancellations.get(s)!)}, but the sale it cancels never cleared: money taken back for a sale that was not paid`
            : unread
            ? `${isRefund ? 'Refund' : 'Charge'} of ¥${yuan((s.amount ?? s.net)?.abs())} settled (${describe(s)}); its terminal row is probably the unreadable row ${unread.file}:${unread.line} (${unread.reason}): fix that row and run again`
            : uncovered
              ? `${isRefund ? 'Refund' : 'Charge'} of ¥${yuan((s.amount ?? s.net)?.abs())} settled (${describe(s)}), but ${takenBefore ? `the terminal export of ${day} was taken at ${ofDay.map((x) => x.exportedAt!.slice(11)).sort().pop()}, before it: add a later export` : `no terminal export covers ${day} (${held}): add that day's export`}; if it is in, this is a dropped order`
            : isRefund
              ? `Refund of ¥${yuan((s.amount ?? s.net)?.abs())} settled (${describe(s)}) but the terminal export has no such refund`
              : `Card was charged ¥${yuan(s.amount ?? s.net)} (${describe(s)}) but the terminal export has no such transaction`) +
            (retry ? ` — possible double charge: the terminal shows a successful charge of the same card and amount at ${retry.time}${otherTerminal(retry, s)} (${where(retry)})` : ''),
          { settlement: s, related: retry ? [retry] : [] },
          {
            actual: s.amount ?? s.net,
            details: { terminalStatus: clearedCancellations.has(s) ? 'voided' : unread ? 'unreadable' : uncovered ? 'no_export_for_date' : 'missing', possibleDoubleCharge: Boolean(retry), ...(unread ? { rejectedTerminalRow: `${unread.file}:${unread.line}` } : {}) },
          },
        ),
      );
    }
  }
  for (const { settlement: s, of } of match.duplicates) {
    findings.push(
      finding(
        'duplicate_settlement',
        `Settled again: ¥${yuan(s.amount ?? s.net)} (${describe(s)}) repeats ${where(of)}`,
        { settlement: s, related: [of] },
        { actual: s.amount ?? s.net },
      ),
    );
  }
  for (const { terminal: t, candidates, rivals } of match.ambiguous) {
    // Whatever the pairing, more lines settled than the terminal shows successful charges: the
    // customer paid more often than the merchant sold (a timed-out charge and its retry, both cleared).
    const charges = [t, ...rivals].filter((r) => r.status === 'success' && EXPECTS_SETTLEMENT.has(r.txnType) && r.txnType !== 'refund').length;
    const overSettled = candidates.length > charges && [t, ...rivals].some((r) => r.status !== 'success');
    const message =
      (candidates.length > 1
        ? `¥${yuan(t.amount)} (${describe(t)}) fits ${candidates.length} settlement lines (${candidates.map(where).join(', ')}); decide which one is its settlement`
        : `¥${yuan(t.amount)} (${describe(t)}) and ${rivals.length} other terminal row(s) (${rivals.map(where).join(', ')}) all fit the one settlement line ${where(candidates[0])}; decide which it settles`) +
      (overSettled ? ` — possible double charge: ${candidates.length} lines settled for ${charges} successful charge(s)` : '');
    findings.push(
      finding('ambiguous_match', message, { terminal: t, related: candidates }, { details: { candidates: candidates.length, rivals: rivals.length, ...(overSettled ? { possibleDoubleCharge: true } : {}) } }),
    );
  }

  // --- Terminal rows no settlement line claimed -------------------------------------------------
  const ambiguousTerminal = new Set(match.ambiguous.map((a) => a.terminal));
  if (input.haveTerminal) {
    for (const t of match.unmatchedTerminal) {
      if (ambiguousTerminal.has(t)) continue;
      const cancel = links.cancelledBy.get(t);
      if (cancel || t.cancelled) {
        findings.push(
          finding(
            'voided',
            `${t.rawType ?? 'Sale'} of ¥${yuan(t.amount)} (${describe(t)}) ${cancel ? `${cancel.txnType === 'reversal' ? 'reversed' : 'voided'} by ${where(cancel)}` : `marked ${t.rawStatus}`}; not settled, as expected`,
            { terminal: t, related: cancel ? [cancel] : [] },
          ),
        );
        continue;
      }
      if (t.status !== 'success' || !EXPECTS_SETTLEMENT.has(t.txnType)) {
        // A void or reversal that failed (not a cancellation) cancels nothing: one finding says so.
        const what = t.txnType === 'void' || t.txnType === 'reversal' ? 'cancels nothing' : 'no settlement expected, none found';
        findings.push(finding('no_settlement_expected', `${t.rawType ?? t.txnType} ${t.rawStatus ?? t.status}: ${what}`, { terminal: t }));
        continue;
      }
      // A row printing no 商户号 goes by the one merchant its file is known to hold.
      const merchant = merchantOfRow(t);
      const businessDate = businessDateOfRecord(t, contract, merchant);
      if (!businessDate) continue;
      const terms = settlementTermsOf(contract, merchant);
      const expectedDate = expectedSettlementDate(businessDate, { kind: terms.cycle.basis, days: terms.cycle.days }, calendar);
      const dueDate = calendar.addCalendarDays(expectedDate, terms.graceDays);
      const overdue = asOf > dueDate || (input.asOfFromSettlementFiles === true && terms.cycle.days >= 1 && asOf === dueDate && merchantSettledThrough(t) >= dueDate);
      // A settlement row that failed to read but names this transaction's RRN or trace is the
      // likely answer: point at it instead of leaving a bare "nothing settled".
      const suspect = unreadableRowOf(input.rejectedSettlement, t, usedRejected);
      const suspectNote = suspect ? `; its settlement line is probably the unreadable row ${suspect.file}:${suspect.line} (${suspect.reason})` : '';
      // With grace days, "due 10-08" read as overdue on 10-09 beside "not yet due": name the last day.
      const grace = terms.graceDays > 0 ? ` (+${terms.graceDays} grace day${terms.graceDays === 1 ? '' : 's'}: overdue after ${dueDate})` : '';
      findings.push(
        finding(
          overdue ? 'unsettled_overdue' : 'unsettled_pending',
          overdue
            ? `Terminal shows ${t.txnType === 'refund' ? 'a refund' : 'a successful charge'} of ¥${yuan(t.amount)} (${describe(t)}) but nothing settled; due ${expectedDate} under ${terms.cycle.text}${grace}${suspectNote}`
            : `¥${yuan(t.amount)} (${describe(t)}) not settled yet; due ${expectedDate} under ${terms.cycle.text}${grace}${suspectNote}`,
          { terminal: t },
          { expected: t.amount, details: { businessDate, expectedDate, dueDate, ...(suspect ? { rejectedSettlementRow: `${suspect.file}:${suspect.line}` } : {}) } },
        ),
      );
    }
    // A cancellation whose sale got no voided/void_settled finding (the sale is ambiguous) must
    // still be accounted for: report it on its own, naming the sale it cancels.
    const namedCancellations = new Set(findings.filter((f) => f.kind === 'voided' || f.kind === 'void_settled').flatMap((f) => f.related));
    for (const [c, original] of links.originalOf) {
      if (namedCancellations.has(c)) continue;
      findings.push(finding('voided', `${c.rawType ?? c.txnType} of ${where(original)}, whose settlement is undecided (see the ambiguous match)`, { terminal: c, related: [original] }));
    }
    // Cancellation rows whose original is not among the inputs (its sale was in an earlier export).
    for (const c of links.unlinked) {
      findings.push(finding('voided', `${c.rawType ?? c.txnType} of ¥${yuan(c.amount)} (${describe(c)}): original sale not among the inputs`, { terminal: c }));
    }
  }

  // --- Fees, net arithmetic, deductions --------------------------------------------------------
  const duplicateLines = new Set(match.duplicates.map((d) => d.settlement));
  const pairedTerminal = new Map(match.pairs.map((p) => [p.settlement, p.terminal]));
  for (const [c, s] of clearedLineOf) pairedTerminal.set(s, c);
  const feeSums = new FeeSums();
  const driftSamples: DriftSample[] = [];
  const firstSettlementOfTerminal = firstSettlementDates(settlementCard, contract);
  const firstLineOfTerminal = new Map<string, CanonicalRecord>();
  for (const s of settlementCard) {
    if (!s.terminalId || duplicateLines.has(s)) continue;
    const prev = firstLineOfTerminal.get(s.terminalId);
    if (!prev || (s.time ?? s.settleDate ?? '') < (prev.time ?? prev.settleDate ?? '')) firstLineOfTerminal.set(s.terminalId, s);
  }
  // A refund's sale by its RRN (原参考号 on the refund line, or on its terminal refund row): the fee
  // expected back is a share of that sale's fee (expectedRefundOfSale).
  // RRNs are unique within a merchant, not across merchants: the sale is the refund's merchant's.
  const saleLinesByRrn = new Map<string, CanonicalRecord[]>();
  for (const s of settlementCard) {
    const rrn = normaliseRrn(s.rrn);
    if (!rrn || duplicateLines.has(s) || s.txnType === 'refund' || !(s.amount ?? s.net)?.gt(0)) continue;
    push(saleLinesByRrn, rrn, s);
  }
  // And by the terminal's sale rows: a refund whose sale settled in a file not given still names
  // the sale's amount and card there, and a capped or tiered fee comes back as the sale's share.
  const terminalSalesByRrn = new Map<string, CanonicalRecord[]>();
  for (const t of input.terminal) {
    const rrn = normaliseRrn(t.rrn);
    if (rrn && t.txnType === 'sale' && t.status === 'success') push(terminalSalesByRrn, rrn, t);
  }
  // The refund's merchant and terminal: its own, else its pair's (a terminal export printing no
  // 商户号). The sale is the candidate of that merchant (a sale printing no merchant id must be on
  // the refund's terminal); of several, the one on the refund's terminal (a refund may be keyed
  // at another counter of the shop); two that fit are no answer.
  const pairedSettlement = new Map(match.pairs.map((p) => [p.terminal, p.settlement]));
  const saleNamedBy = (sales: Map<string, CanonicalRecord[]>, rrn: string | undefined, refund: CanonicalRecord): CanonicalRecord | undefined => {
    const candidates = rrn ? sales.get(rrn) : undefined;
    if (!candidates) return undefined;
    const pair = refund.role === 'settlement' ? pairedTerminal.get(refund) : pairedSettlement.get(refund);
    const merchantId = refund.merchantId ?? pair?.merchantId;
    const terminalId = refund.terminalId ?? pair?.terminalId;
    const sameTerminalAs = (sale: CanonicalRecord) => !terminalId || !sale.terminalId || sale.terminalId === terminalId;
    // Of the merchant: by id where both print one; where either does not, only on the same terminal.
    const ofMerchant = candidates.filter((sale) => (merchantId && sale.merchantId ? sale.merchantId === merchantId : sameTerminalAs(sale)));
    if (ofMerchant.length <= 1) return ofMerchant[0];
    const onTerminal = ofMerchant.filter(sameTerminalAs);
    return onTerminal.length === 1 ? onTerminal[0] : undefined;
  };
  const returnedOf = new Map<CanonicalRecord, Decimal>();
  const feeSubject = (line: CanonicalRecord, amount: Decimal, txnType: TxnType) => {
    const t = pairedTerminal.get(line);
    return {
      cardType: line.cardType !== 'unknown' ? line.cardType : (t?.cardType ?? 'unknown'),
      // A printed channel on either side, else a wallet a card-type cell names.
      channel: line.channel ?? t?.channel ?? line.wallet ?? t?.wallet,
      txnType,
      merchantId: line.merchantId,
      terminalId: line.terminalId ?? t?.terminalId,
      amount,
      businessDate: businessDateOfRecord(line, contract) ?? asOf,
      // The payout mode (D0 rules carry 秒到费 add-ons): D0 for a line printing a 秒到 fee, else
      // the contract's settlement cycle.
      // As the line says (结算方式), else a 秒到 fee printed apart or a D0 contract make it D0.
      mode: line.payoutMode ?? (instantPaid(line) || settlementTermsOf(contract, line.merchantId).cycle.days === 0 ? ('D0' as const) : ('T1' as const)),
    };
  };
  /**
   * Whether a line printing a 秒到 fee was paid as one: not when it prints a settlement date after
   * its business date, a working day — the fee bought no same-day payout, and the line is judged
   * under the contract's own cycle (review CH: "秒到费 charged on days I did not use 秒到").
   */
  const instantPaid = (line: CanonicalRecord) => {
    if (!line.instantFee) return false;
    const businessDate = businessDateOfRecord(line, contract);
    return !(line.settleDate && businessDate && line.settleDate > businessDate && calendar.isWorkingDay(businessDate));
  };
  /**
   * Sale lines these settlement files paid, by gross amount: a reversal returning no fee is a
   * finding only when one of them may be the sale it reverses — same merchant, terminal and card
   * where both print them, and at most REVERSAL_WINDOW_SECONDS before it (a 冲正 follows its
   * timed-out sale within minutes; the approved retry after it is another sale). A 冲正 of a sale
   * that never cleared — declined, timed out, 已冲正 — has none. Judged from the settlement lines
   * alone: which terminal row a cancellation belongs to is a guess (reused traces, RRNs of other
   * merchants, retried reversals) that hid real fees.
   */
  const grossKey = (r: CanonicalRecord) => (r.amount ?? (r.net && r.fee ? r.net.plus(r.fee) : r.net))?.abs().toFixed(2) ?? '';
  const paidSalesByGross = new Map<string, CanonicalRecord[]>();
  for (const line of settlementCard) {
    if (!duplicateLines.has(line) && (line.txnType === 'sale' || line.txnType === 'preauth_complete') && (line.amount ?? line.net)?.gt(0)) push(paidSalesByGross, grossKey(line), line);
  }
  /**
   * Whether this reversal reverses a sale that was never charged: the terminal row it names
   * (原参考号, or 原凭证号 on its terminal) timed out or was declined within the window before
   * it, or no paid sale line can be the one it reverses.
   */
  const noSaleCharged = (c: CanonicalRecord, t: CanonicalRecord | undefined) => {
    const cancellation = clearedCancellations.get(c) ?? (t && isCancellation(t) ? t : undefined);
    const original = cancellation ? links.originalOf.get(cancellation) : undefined;
    if (cancellation && original && links.named.has(cancellation) && (original.status === 'timeout' || original.status === 'failed') && withinReversalWindow(original, cancellation)) {
      return true;
    }
    for (const sale of paidSalesByGross.get(grossKey(c)) ?? []) {
      if (sameMerchant(sale, c) && sameTerminal(sale, c) && sameCard(sale.card, c.card) && withinReversalWindow(sale, c)) return false;
    }
    return true;
  };
  /**
   * Whether `sale` may be the sale `reversal` reverses by their times: at most the window before
   * it, or a few minutes after (the two clocks differ). Without both times: the same business
   * date or the day before (a reversal after midnight).
   */
  const withinReversalWindow = (sale: CanonicalRecord, reversal: CanonicalRecord) => {
    if (!sale.time || !reversal.time || sale.hasTime === false || reversal.hasTime === false) {
      const a = businessDateOfRecord(sale, contract);
      const b = businessDateOfRecord(reversal, contract);
      return a !== undefined && b !== undefined && (a === b || dayNumber(b) - dayNumber(a) === 1);
    }
    const gap = localSeconds(reversal.time) - localSeconds(sale.time);
    return gap >= -CLOCK_SKEW_SECONDS && gap <= REVERSAL_WINDOW_SECONDS;
  };
  /**
   * The allowance a first-swipe excess is, when the contract allows it and its period has room:
   * by the line's own words (首刷押金), else any first-swipe kind of allowance (押金, 服务费, 激活费).
   */
  const foldedAllowance = (s: CanonicalRecord, excess: Decimal, date: string, used: ReadonlyMap<string, number>) => {
    const words = [s.rawType, s.memo].filter(Boolean).join(' ');
    const subject = (label: string) => ({ label, amount: excess, businessDate: date, terminalId: s.terminalId, merchantId: s.merchantId });
    // Named on the line (首刷押金): within what its allowance has left.
    if (words.includes('首刷') || FIRST_SWIPE_KINDS.test(words)) {
      const use = matchAllowedDeduction(contract, subject(words), used);
      if (use) return use;
    }
    // Else (unnamed, or named in words no allowance uses, 首刷扣费): only an excess of exactly an
    // allowed first-swipe amount (a fee 99.00 over is the 押金 99.00; one 30.00 over is no deposit
    // the contract names).
    for (const a of contract.fees.allowedDeductions) {
      if (!(FIRST_SWIPE_KINDS.test(a.label) || a.label.includes('首刷')) || !a.amount.eq(excess)) continue;
      const use = matchAllowedDeduction(contract, subject(a.label), used);
      if (use) return use;
    }
    return null;
  };
  /** Whether an allowance of the contract could take this first-swipe excess at all (its budget aside). */
  const foldable = (s: CanonicalRecord, excess: Decimal) => {
    const words = [s.rawType, s.memo].filter(Boolean).join(' ');
    if ((words.includes('首刷') || FIRST_SWIPE_KINDS.test(words)) && allowancesForLabel(contract, words).length > 0) return true;
    return contract.fees.allowedDeductions.some((a) => (FIRST_SWIPE_KINDS.test(a.label) || a.label.includes('首刷')) && a.amount.eq(excess));
  };
  /**
   * First sales whose fee may carry an allowed deposit: judged with the deduction lines, in date
   * order (classifyDeductions), so a deposit spends its allowance where it falls in time — a 押金
   * line of yesterday stays allowed when today's first sale carries another, and a folded one
   * stays allowed when a 押金 line comes the next day.
   */
  const folds: FoldCandidate[] = [];
  /** First lines named 首刷 by their excess, and the plain rate their fee fits. */
  const firstLineRates: { f: Finding; rateKey: string }[] = [];
  /** Merchant | card type | rate of the other lines charged a plain rate off contract (not named 首刷). */
  const offContractRates = new Set<string>();
  for (const s of settlementCard) {
    if (duplicateLines.has(s)) continue; // duplicates are reported only as duplicates
    checkNet(s, pairedTerminal.get(s) ?? null, findings);
    // A line printing no fee (no 手续费 column, a blank or '-' cell) still took one: amount − net.
    const feeDerived = s.fee === undefined && s.amount !== undefined && s.net !== undefined;
    if (contract.fees.rules.length === 0 || (s.fee === undefined && !feeDerived)) continue;
    const amount = s.amount ?? (s.net && s.fee ? s.net.plus(s.fee) : undefined);
    if (!amount) continue;
    const t = pairedTerminal.get(s);
    const cardType = s.cardType !== 'unknown' ? s.cardType : (t?.cardType ?? 'unknown');
    const businessDate = businessDateOfRecord(s, contract) ?? asOf;
    const isRefund = s.txnType === 'refund' || amount.isNegative();
    const saleRef = isRefund ? normaliseRrn(s.originalRef ?? t?.originalRef) : undefined;
    // The sale's settlement line, else its terminal row (its line settled in a file not given).
    const sale = saleNamedBy(saleLinesByRrn, saleRef, s) ?? saleNamedBy(terminalSalesByRrn, saleRef, s);
    const saleAmount = sale ? (sale.amount ?? (sale.net && sale.fee ? sale.net.plus(sale.fee) : undefined)) : undefined;
    // A terminal row printing no 卡类型 is the refund's card, and prints no payout mode (结算方式):
    // the refund line says both.
    const fromTerminal = sale?.role === 'terminal';
    const saleSubject = sale && saleAmount
      ? { ...feeSubject(sale, saleAmount, 'sale'), ...(sale.cardType === 'unknown' ? { cardType } : {}), ...(fromTerminal && s.payoutMode ? { mode: s.payoutMode } : {}) }
      : undefined;
    const ofSale = saleSubject ? expectedRefundOfSale(contract, saleSubject, amount, returnedOf.get(sale!) ?? new Decimal(0)) : null;
    if (sale && ofSale) returnedOf.set(sale, (returnedOf.get(sale) ?? new Decimal(0)).minus(ofSale.fee));
    // A void or reversal cancels the sale whole, fee included, whatever the contract keeps on a
    // refund (退货): under `fee-kept` it is still judged as returning the fee.
    const cancels = isRefund && (s.txnType === 'void' || s.txnType === 'reversal' || t?.txnType === 'void' || t?.txnType === 'reversal');
    const terms = cancels && contract.fees.refunds === 'fee-kept' ? { ...contract, fees: { ...contract.fees, refunds: 'fee-returned' as const } } : contract;
    const expected = (cancels && !ofSale && sale && saleSubject ? expectedRefundOfSale(terms, saleSubject, amount, returnedOf.get(sale) ?? new Decimal(0)) : null) ??
      ofSale ??
      expectedFee(terms, feeSubject(s, amount, isRefund ? 'refund' : s.txnType));
    if (!expected) {
      findings.push(
        finding('fee_unverified', `No contract rule covers this ${cardType} ${s.txnType} of ¥${yuan(amount)} on ${businessDate} (${describe(s)}): add a rule to check its fee`, { settlement: s, terminal: t ?? null }, { actual: feeDerived ? amount.minus(s.net!) : s.fee, details: { cardType, businessDate } }),
      );
      continue;
    }
    const printed = feeDerived ? amount.minus(s.net!) : signedFee(s, amount);
    // Channels that print fees below the fen (WeChat: 0.05940) accrue exactly and charge the
    // fee rounded to the fen; compare what is charged, with the contract's rounding.
    const actual = printed.decimalPlaces() > 2 ? printed.toDecimalPlaces(2, ROUNDING[contract.fees.rounding]) : printed;
    // A reversal (冲正) returning no fee where no paid sale line of these files could be the one
    // it reverses is no finding: it reverses a sale that never cleared (timed out, declined),
    // which was charged no fee. A void (撤销) cancels an approved sale: its fee is owed back even
    // when the sale's line is in a file not given.
    const reversal = s.txnType === 'reversal' || t?.txnType === 'reversal';
    const withinTolerance = feeWithinTolerance(contract, expected.fee, actual) || (cancels && reversal && !sale && actual.isZero() && noSaleCharged(s, t));
    const sumKeys = { month: businessDate.slice(0, 7), terminal: s.terminalId ?? t?.terminalId ?? '(none)', cardType };
    if (withinTolerance) {
      feeSums.add(sumKeys, actual, expected.fee, { withinTolerance });
      continue;
    }
    const paidLater = s.instantFee && !s.payoutMode && !isRefund && !instantPaid(s) && settlementTermsOf(contract, s.merchantId).cycle.days > 0 ? `, paid on ${s.settleDate}, not the same day` : '';
    const sameDay = feeSubject(s, amount, isRefund ? 'refund' : s.txnType).mode === 'D0';
    const reason = feeDifferenceReason(expected.fee, actual, expected.rule, amount, { instantFee: s.instantFee, refunds: terms.fees.refunds, sameDay }) + (feeDerived ? ' (no fee printed: amount − net)' : '') + (s.instantFee ? ` (incl. 秒到 fee ${s.instantFee.toFixed(2)}${paidLater})` : '');
    // 首刷: the very first settled transaction of a terminal carrying a fee far above contract by
    // whole yuan (a 99 or 199 deposit folded into the fee). Not a cap the acquirer ignored: on a
    // daily file every terminal has a "first" line, and a big debit sale charged the plain rate
    // is a cap finding, nothing more.
    const excess = actual.minus(expected.fee);
    const rule = expected.rule;
    const capIgnored = reason.startsWith('cap ') && actual.eq(amount.abs().times(rule.rate).toDecimalPlaces(2, ROUNDING[contract.fees.rounding]).plus(rule.fixed ?? 0));
    // A line whose own words say 首刷 (备注: 首刷服务费) is one wherever it falls.
    const namedFirstSwipe = excess.gt(0) && [s.rawType, s.memo].some((w) => w?.includes('首刷'));
    // Never on a refund: a fee kept on a refund is no deposit taken from a first payout.
    const firstSwipe = !isRefund && (namedFirstSwipe || (excess.gte(FIRST_SWIPE_EXCESS) && excess.isInteger() && !capIgnored && !!s.terminalId && firstLineOfTerminal.get(s.terminalId) === s));
    // The plain rate the fee fits, if any (10000.00 → 60.00 is 0.60%): when another line of the
    // merchant's of that card type was charged that rate off contract too, the first line shows a
    // rate, not a deposit (debit cards charged the credit rate on every terminal): no 首刷 (below).
    const plainRate = s.terminalId ? plainRateOf(actual.minus(s.instantFee ?? rule.fixed ?? 0), amount.abs()) : undefined;
    const rateKey = plainRate ? `${s.merchantId ?? ''}|${cardType}|${plainRate.toString()}` : undefined;
    // A deposit the contract allows (押金 99 per terminal), taken with the first sale's fee
    // (105.00 = 6.00 + 99.00): the allowance is spent as if the deposit had its own line, and the
    // fee itself is on contract.
    const fold = (used: Map<string, number>): boolean => {
      // A first line whose fee fits a rate other lines of the merchant were charged off contract
      // is that rate (debit cards charged the credit rate everywhere), not a deposit: no fold.
      if (rateKey && !namedFirstSwipe && offContractRates.has(rateKey)) return false;
      const folded = foldedAllowance(s, excess, s.settleDate ?? businessDate, used);
      if (!folded) return false;
      used.set(folded.usageKey, folded.usedFen);
      feeSums.add(sumKeys, expected.fee, expected.fee);
      const { allowance } = folded;
      findings.push(
        finding(
          'allowed_deduction',
          `${allowance.label} ¥${yuan(excess)} taken with the fee of the terminal's first sale (首刷扣费: fee ¥${yuan(actual)} on ¥${yuan(amount)}, ${describe(s)}, contract fee ¥${yuan(expected.fee)}): allowed by the contract (${allowance.label} ${formatYuan(allowance.amount)} per ${allowance.per})`,
          { settlement: s, terminal: t ?? null },
          { actual: excess, details: { label: allowance.label, rule: `allowance at ${allowance.file}:${allowance.line}`, foldedIntoFee: true, fee: citeRule(expected.rule) } },
        ),
      );
      return true;
    };
    const reportMismatch = () => {
    feeSums.add(sumKeys, actual, expected.fee, { withinTolerance });
    const f = finding(
        'fee_mismatch',
        `Fee ¥${yuan(actual)} on ¥${yuan(amount)} (${describe(s)}); contract allows ¥${yuan(expected.fee)}: ${reason}${firstSwipe ? (namedFirstSwipe ? ' — a first-swipe charge (首刷扣费) taken with the fee' : FIRST_LINE_FIRST_SWIPE) : ''}`,
        { settlement: s, terminal: t ?? null },
        {
          expected: expected.fee,
          actual,
          difference: actual.minus(expected.fee),
          details: { rule: citeRule(expected.rule), reason, explanation: expected.explanation, first_swipe: firstSwipe, cardType, feePrinted: !feeDerived },
        },
      );
    findings.push(f);
    if (rateKey && firstSwipe && !namedFirstSwipe) firstLineRates.push({ f, rateKey });
    else if (rateKey && !namedFirstSwipe) offContractRates.add(rateKey);
    const sampleFee = driftSampleFee(expected.fee, actual, rule, amount, s.instantFee);
    if (sampleFee) driftSamples.push({ cardType, businessDate, amount: amount.abs(), actualFee: sampleFee, expectedRate: rule.rate });
    };
    if (firstSwipe && foldable(s, excess)) folds.push({ line: s, order: s.settleDate ?? s.time ?? businessDate, fold, reportMismatch });
    else reportMismatch();
  }
  // Deposits in date order, lines and folded ones together (before the first-line rates below:
  // a fold that finds no allowance left is a fee finding like any other).
  const allowanceUsage = classifyDeductions(deductions, firstSettlementOfTerminal, contract, findings, folds);
  for (const { f, rateKey } of firstLineRates) {
    if (!offContractRates.has(rateKey)) continue;
    f.message = f.message.replace(FIRST_LINE_FIRST_SWIPE, '');
    f.details.first_swipe = false;
  }
  for (const drift of detectRateDrift(driftSamples, { rounding: contract.fees.rounding })) {
    findings.push(
      finding(
        'fee_drift',
        `From ${drift.from} ${drift.cardType} cards were charged ${drift.rate}, contract says ${drift.contractRate} (${drift.count} of ${drift.mismatched} fees differing from then on by more than a fen fit ${drift.rate} exactly)`,
        {},
        { expected: drift.contractRate, actual: drift.rate, details: { cardType: drift.cardType, from: drift.from, until: drift.until, count: drift.count } },
      ),
    );
  }

  // --- Refunds beyond their sale -----------------------------------------------------------------
  // Refunds naming a sale by its RRN (原参考号) that add up to more than the sale: money paid back
  // that was never taken (a slip at the till, or fraud). The settlement lines first (money that
  // moved), else the terminal's refund rows.
  const reported = new Set<CanonicalRecord>();
  const refundsBeyond = (sales: Map<string, CanonicalRecord[]>, refunds: { row: CanonicalRecord; sale?: string }[], side: 'settlement' | 'terminal') => {
    const bySale = new Map<CanonicalRecord, CanonicalRecord[]>();
    for (const { row, sale } of refunds) {
      const named = saleNamedBy(sales, sale, row);
      if (named) push(bySale, named, row);
    }
    for (const [sale, rows] of bySale) {
      const saleAmount = (sale.amount ?? sale.net)?.abs();
      const refunded = sumYuan(rows.map((r) => (r.amount ?? r.net)?.abs()));
      // Reported once per sale: by its settlement line, or else by its terminal row.
      const terminalSale = side === 'settlement' ? pairedTerminal.get(sale) : sale;
      if (!saleAmount || !refunded.gt(saleAmount) || reported.has(sale) || (terminalSale && reported.has(terminalSale))) continue;
      reported.add(sale);
      if (terminalSale) reported.add(terminalSale);
      findings.push(
        finding(
          'refund_exceeds_sale',
          `${rows.length} refund${rows.length === 1 ? '' : 's'} of ¥${yuan(refunded)} name the sale of ¥${yuan(saleAmount)} (${describe(sale)}): ¥${yuan(refunded.minus(saleAmount))} more refunded than was charged`,
          side === 'settlement' ? { settlement: sale, terminal: terminalSale ?? null, related: rows } : { terminal: sale, related: rows },
          { expected: saleAmount, actual: refunded, difference: refunded.minus(saleAmount), details: { side, refunds: rows.length } },
        ),
      );
    }
  };
  refundsBeyond(
    saleLinesByRrn,
    settlementCard
      .filter((s) => !duplicateLines.has(s) && (s.txnType === 'refund' || (s.amount ?? s.net)?.isNegative()) && s.txnType !== 'void' && s.txnType !== 'reversal')
      .map((s) => ({ row: s, sale: normaliseRrn(s.originalRef ?? pairedTerminal.get(s)?.originalRef) })),
    'settlement',
  );
  refundsBeyond(
    terminalSalesByRrn,
    input.terminal.filter((t) => t.txnType === 'refund' && t.status === 'success').map((t) => ({ row: t, sale: normaliseRrn(t.originalRef) })),
    'terminal',
  );

  // `matched` means amounts and fee agree: a pair whose line has a fee or net finding is
  // counted under that finding instead.
  const feeFlagged = new Set(findings.filter((f) => f.kind === 'fee_mismatch' || f.kind === 'net_mismatch').map((f) => f.settlement));
  const kept = findings.filter((f) => !(f.kind === 'matched' && feeFlagged.has(f.settlement)));
  // Copy back in a loop: spreading a million findings into push() overflows the call stack.
  findings.length = 0;
  for (const f of kept) findings.push(f);

  for (const { record, of } of input.duplicateExports) {
    findings.push(finding('duplicate_export', `Same row as ${where(of)}; counted once`, { [record.role === 'terminal' ? 'terminal' : 'settlement']: record, related: [of] }));
  }
  return { findings, match, fees: feeSums.totals(), allowanceUsage };
}

/** Whether a rejected row carries this transaction's RRN, or its terminal and trace, each in its own column. */
function mentions(rejected: RejectedRow, t: CanonicalRecord): boolean {
  const ids = rejected.ids;
  if (!ids) return false;
  const rrn = normaliseRrn(t.rrn);
  if (rrn && ids.rrn?.some((v) => normaliseRrn(v) === rrn)) return true;
  const trace = normaliseTrace(t.trace);
  return Boolean(trace && t.terminalId && ids.trace?.some((v) => normaliseTrace(v) === trace) && ids.terminalId?.includes(t.terminalId));
}

/** The first rejected row that names `t` and no earlier finding has pointed at (each row is one transaction). */
function unreadableRowOf(rows: RejectedRow[] | undefined, t: CanonicalRecord, used: Set<RejectedRow>): RejectedRow | undefined {
  const row = rows?.find((rj) => !used.has(rj) && mentions(rj, t));
  if (row) used.add(row);
  return row;
}

/** Last four digits of a masked card: the part every masking style keeps. */
/** "a successful retry … followed at …" — or "came … before" when the success was the earlier swipe. */
function retryText(retry: CanonicalRecord, failed: CanonicalRecord): string {
  const before = failed.time && retry.time && localSeconds(retry.time) < localSeconds(failed.time);
  return before
    ? `a successful charge of the same card and amount came just before, at ${retry.time}${otherTerminal(retry, failed)} (${where(retry)})`
    : `a successful retry of the same card and amount followed at ${retry.time}${otherTerminal(retry, failed)} (${where(retry)})`;
}

/** A card printed with its first and its last digits (622848******1234, 8 or more in all): enough to take two rows for one customer. */
function namesCustomer(card: string | undefined): boolean {
  return card !== undefined && /^\d{4}/.test(card.replace(/[^0-9*]/g, '')) && /\d{4}$/.test(card) && card.replace(/\D/g, '').length >= 8;
}

/** " on terminal 10000002" when the retry was on another terminal than the row it follows. */
function otherTerminal(retry: CanonicalRecord, of: CanonicalRecord): string {
  return retry.terminalId && of.terminalId && retry.terminalId !== of.terminalId ? ` on terminal ${retry.terminalId}` : '';
}

function cardDigits(card: string | undefined): string {
  return card ? card.replace(/\D/g, '').slice(-4) : '';
}

/** A 冲正 follows the sale it reverses within minutes (the terminal reverses a timed-out sale at once). */
const REVERSAL_WINDOW_SECONDS = 30 * 60;
/** How far a terminal's and an acquirer's clocks may differ. */
const CLOCK_SKEW_SECONDS = 5 * 60;

const FIRST_LINE_FIRST_SWIPE = ' — on the terminal\'s first settlement (首刷扣费)';

/**
 * The rate part of a fee for drift analysis: fee = round(amount × rate) with nothing else in play.
 * A cap or minimum is in play when either fee (the contract's or the one charged) reaches it, and
 * then the line says nothing about the rate; a fixed add-on is taken off a sale's fee. Undefined
 * for such a line. (A capped debit rule still shows a rate raised on its sales below the cap.)
 */
function driftSampleFee(expected: Decimal, actual: Decimal, rule: FeeRule, amount: Decimal, instantFee: Decimal | undefined): Decimal | undefined {
  // A refund or cancellation returns its sale's fee, at the sale's rate and date: no sample of
  // what is charged now (voids returning nothing read as "charged 0.00%").
  if (amount.isNegative()) return undefined;
  // The contract's fee holds its fixed add-on; the charged one a 秒到 fee printed apart, if any.
  const contractPart = expected.abs().minus(rule.fixed ?? 0);
  const chargedPart = actual.abs().minus(instantFee ?? rule.fixed ?? 0);
  if (chargedPart.lt(0)) return undefined;
  if (rule.cap && (contractPart.gte(rule.cap) || chargedPart.gte(rule.cap))) return undefined;
  if (rule.min && (contractPart.lte(rule.min) || chargedPart.lte(rule.min))) return undefined;
  return chargedPart;
}

/**
 * Fee with the sign the contract uses: positive when charged, negative when returned on a
 * refund. Refund lines print the returned fee either signed or unsigned; the net tells which.
 */
function signedFee(s: CanonicalRecord, amount: Decimal): Decimal {
  const fee = s.fee!;
  if (fee.isZero()) return fee;
  if (!amount.isNegative()) {
    // Some exports print a fee as the money movement it is (−6.00 taken off a sale's 1000.00);
    // the net (994.00) tells a fee charged from a fee paid back.
    if (fee.isNegative() && s.net && amount.minus(s.net).eq(fee.neg())) return fee.neg();
    return fee;
  }
  if (s.net) {
    // net = amount − fee: a returned fee makes the net smaller in magnitude than the amount.
    const implied = amount.minus(s.net);
    if (implied.abs().eq(fee.abs())) return implied;
  }
  return fee.isNegative() ? fee : fee.neg();
}

function checkNet(s: CanonicalRecord, t: CanonicalRecord | null, findings: Finding[]): void {
  if (!s.amount || !s.fee || !s.net) return;
  const computed = s.amount.minus(signedFee(s, s.amount));
  if (computed.eq(s.net)) return;
  findings.push(
    finding(
      'net_mismatch',
      `Net ¥${yuan(s.net)} ≠ amount ¥${yuan(s.amount)} − fee ¥${yuan(s.fee)} = ¥${yuan(computed)} (${describe(s)})`,
      { settlement: s, terminal: t },
      { expected: computed, actual: s.net, difference: s.net.minus(computed) },
    ),
  );
}

/** First settlement (or business) date per terminal: where a first-swipe charge would land. */
function firstSettlementDates(lines: CanonicalRecord[], contract: Contract): Map<string, string> {
  const first = new Map<string, string>();
  for (const s of lines) {
    if (!s.terminalId) continue;
    const d = s.settleDate ?? businessDateOfRecord(s, contract);
    if (!d) continue;
    const prev = first.get(s.terminalId);
    if (!prev || d < prev) first.set(s.terminalId, d);
  }
  return first;
}

/** Deductions typical of a first swipe (首刷); annual and data fees recur and never are. */
const FIRST_SWIPE_KINDS = /押金|服务费|激活费/u;

/** A first sale whose fee may carry a deposit the contract allows (see the fee loop). */
interface FoldCandidate {
  line: CanonicalRecord;
  /** Its place among the deduction lines: settlement date, else time. */
  order: string;
  /** Spends the allowance and reports the deposit, if the allowance has room; false if not. */
  fold: (usage: Map<string, number>) => boolean;
  /** The fee finding it is otherwise. */
  reportMismatch: () => void;
}

function classifyDeductions(
  deductions: CanonicalRecord[],
  firstSettlementOfTerminal: Map<string, string>,
  contract: Contract,
  findings: Finding[],
  /** First sales whose fee may carry an allowed deposit, judged in date order among the lines. */
  folds: FoldCandidate[] = [],
): Map<string, number> {
  const usage = new Map<string, number>();
  const signedFiles = signedDeductionFiles(deductions);
  const ordered: (CanonicalRecord | FoldCandidate)[] = [...deductions, ...folds].sort((a, b) => {
    const ka = 'fold' in a ? a.order : (a.settleDate ?? a.time ?? '');
    const kb = 'fold' in b ? b.order : (b.settleDate ?? b.time ?? '');
    if (ka !== kb) return ka < kb ? -1 : 1;
    return deductionOrder('fold' in a ? a.line : a, 'fold' in b ? b.line : b);
  });
  for (const entry of ordered) {
    if ('fold' in entry) {
      if (!entry.fold(usage)) entry.reportMismatch();
      continue;
    }
    const d = entry;
    const signed = deductionMoney(d);
    const amount = signed.abs();
    const label = [d.rawType, d.memo].filter(Boolean).join(' ') || 'deduction';
    const date = d.settleDate ?? businessDateOfRecord(d, contract) ?? '';
    const onTerminal = d.terminalId ? ` (terminal ${d.terminalId})` : '';
    const verdict = judgeDeduction(contract, { label, amount, signed, signedFile: signedFiles.has(d.source.file), businessDate: date, terminalId: d.terminalId, merchantId: d.merchantId }, usage);
    // A deposit paid back once the terminal reached its volume: money in, not a second deduction.
    if (verdict.kind === 'returned') {
      findings.push(finding('deduction_returned', `${label} ¥${yuan(amount)} ${/调账|差错|补/u.test(label) ? 'credited' : 'returned'} on ${date}${onTerminal}`, { settlement: d }, { actual: amount, details: { label } }));
      continue;
    }
    // 首刷 is named outright, or is a deposit / activation fee on the terminal's first payout in
    // the files. A daily file starts every terminal on its "first" date: a 年费 there is no 首刷.
    // On or before that payout's date: a deduction is dated by its own day, the first sale by
    // its business day (a 23:40 sale after a 23:00 cut-off belongs to the next one).
    const firstSwipe = label.includes('首刷') || (!!d.terminalId && FIRST_SWIPE_KINDS.test(label) && date <= (firstSettlementOfTerminal.get(d.terminalId) ?? ''));
    if (verdict.kind === 'allowed') {
      const allowed = verdict.use;
      findings.push(
        finding('allowed_deduction', `${label} ¥${yuan(amount)} on ${date}: allowed by the contract (${allowed.allowance.label} ${formatYuan(allowed.allowance.amount)} per ${allowed.allowance.per})`, { settlement: d }, { actual: amount, details: { label, rule: `allowance at ${allowed.allowance.file}:${allowed.allowance.line}` } }),
      );
      continue;
    }
    const swipeNote = firstSwipe ? ' from the terminal\'s first payout (首刷扣费)' : '';
    // An allowed kind of deduction beyond its budget: only the excess is off contract.
    if (verdict.kind === 'exceeded') {
      const { over } = verdict;
      const { allowance } = over;
      const budget = `${allowance.label} ${formatYuan(allowance.amount)} per ${allowance.per}`;
      findings.push(
        finding(
          'extra_deduction',
          `${label} ¥${yuan(amount)} deducted on ${date}${onTerminal}${swipeNote}; the contract allows ${budget}` +
            (over.remaining.isZero() ? ', already used up in this period' : `, ¥${yuan(over.remaining)} of it left in this period: ¥${yuan(over.excess)} over`),
          { settlement: d },
          {
            expected: over.remaining,
            actual: amount,
            difference: over.excess,
            details: { label, first_swipe: firstSwipe, rule: `allowance at ${allowance.file}:${allowance.line}` },
          },
        ),
      );
      continue;
    }
    findings.push(
      finding(
        'extra_deduction',
        `${label} ¥${yuan(amount)} deducted on ${date}${onTerminal}${swipeNote}; the contract allows no such deduction`,
        { settlement: d },
        { actual: amount, details: { label, first_swipe: firstSwipe } },
      ),
    );
  }
  return usage;
}

/** A Decimal of at most two decimals as integer fen; NaN otherwise. */
const fenOf = exactFen;

/** Sums in integer fen, with an exact Decimal remainder for anything finer than a fen. */
class FenBucket {
  private readonly fen = [0, 0, 0, 0]; // charged, per contract, overcharge, undercharge
  private rest: Decimal[] | null = null;
  count = 0;

  addFen(actual: number, expected: number, opts: { differs: boolean }): void {
    const f = this.fen;
    f[0] += actual;
    f[1] += expected;
    if (opts.differs && actual > expected) f[2] += actual - expected;
    if (opts.differs && actual < expected) f[3] += expected - actual;
    this.count++;
  }

  addDecimal(actual: Decimal, expected: Decimal, opts: { differs: boolean }): void {
    const r = (this.rest ??= [new Decimal(0), new Decimal(0), new Decimal(0), new Decimal(0)]);
    const diff = actual.minus(expected);
    r[0] = r[0].plus(actual);
    r[1] = r[1].plus(expected);
    if (opts.differs && diff.gt(0)) r[2] = r[2].plus(diff);
    if (opts.differs && diff.lt(0)) r[3] = r[3].minus(diff);
    this.count++;
  }

  bucket(): FeeBucket {
    const v = (i: number) => {
      const d = new Decimal(this.fen[i]).div(100);
      return this.rest ? d.plus(this.rest[i]) : d;
    };
    return { charged: v(0), perContract: v(1), overcharge: v(2), undercharge: v(3), count: this.count };
  }
}

/**
 * Fee totals accumulated in integer fen (a Decimal addition per line and bucket cost more than
 * the rest of the fee check); turned into the Decimal FeeTotals once, at the end.
 */
class FeeSums {
  private readonly all = new FenBucket();
  private readonly byMonth = new Map<string, FenBucket>();
  private readonly byTerminal = new Map<string, FenBucket>();
  private readonly byCardType = new Map<string, FenBucket>();

  /** `withinTolerance`: the line is charged and expected as printed, but differs by no more than the contract's tolerance: no over- or under-charge. */
  add(keys: { month: string; terminal: string; cardType: string }, actual: Decimal, expected: Decimal, opts: { withinTolerance?: boolean } = {}): void {
    const a = fenOf(actual);
    const e = fenOf(expected);
    const exact = !Number.isNaN(a) && !Number.isNaN(e);
    const counted = { differs: !opts.withinTolerance };
    for (const b of [this.all, this.bucketOf(this.byMonth, keys.month), this.bucketOf(this.byTerminal, keys.terminal), this.bucketOf(this.byCardType, keys.cardType)]) {
      if (exact) b.addFen(a, e, counted);
      else b.addDecimal(actual, expected, counted);
    }
  }

  private bucketOf(map: Map<string, FenBucket>, key: string): FenBucket {
    let b = map.get(key);
    if (!b) map.set(key, (b = new FenBucket()));
    return b;
  }

  totals(): FeeTotals {
    const all = this.all.bucket();
    const buckets = (m: Map<string, FenBucket>) => new Map([...m].map(([k, b]) => [k, b.bucket()]));
    return {
      checked: all.count,
      charged: all.charged,
      perContract: all.perContract,
      overcharge: all.overcharge,
      undercharge: all.undercharge,
      byMonth: buckets(this.byMonth),
      byTerminal: buckets(this.byTerminal),
      byCardType: buckets(this.byCardType),
    };
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
