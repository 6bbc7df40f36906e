// The third leg: settlement payouts ↔ bank statement rows. One pure function from records to
// findings in the common Finding shape; the caller (src/reconcile.ts) merges them with the
// terminal ↔ settlement findings.
//
// Every bank row ends in exactly one category: it paid a payout, is held by an ambiguous payout,
// is an unexplained acquirer credit, an unexplained acquirer/fee debit, a deduction the contract
// allows, unrelated (rent, transfers, card spending), or a copy of a row in another input file.
import { Decimal } from 'decimal.js';
import type { CanonicalRecord, LocalDate } from '../model.js';
import type { Contract } from '../contract/contract.js';
import type { WorkCalendar } from '../calendar/calendar.js';
import type { Finding } from '../classify/findings.js';
import { businessDateOfRecord } from '../classify/findings.js';
import { SEVERITY, type FindingKind } from '../classify/kinds.js';
import { deductionMoney, deductionOrder, judgeDeduction, matchAllowedDeduction, signedDeductionFiles } from '../fees/deductions.js';
import { dedupeAcrossFiles } from '../match/dedupe.js';
import { formatYuan } from '../normalise/amount.js';
import { expectedPayouts, lineNet, type ExpectedPayout } from './payouts.js';
import { matchPayouts, type PayoutOutcome } from './matchPayouts.js';
import { checkBalanceChains, type BalanceChains } from './balance.js';
import { acquirerHint, acquirerNameIn, bookingDate, daysBetween, feeWordIn, movementOf, normText, orderBankRows, returnWordIn, where } from './rows.js';

export type BankRowCategory =
  | 'payout'
  | 'ambiguous'
  | 'unexplained_credit'
  | 'unexplained_debit'
  | 'allowed_deduction'
  | 'unrelated'
  | 'duplicate'
  /** An acquirer credit and the debit that returned it (退汇): no money received. */
  | 'returned';

export type BankRowDisposition = 'matched' | 'flagged' | 'informational';

export interface BankInput {
  /** Settlement records, already de-duplicated across files (re-sent files count once). */
  settlement: CanonicalRecord[];
  /**
   * Fen the settlement side spent per allowance period (classifyFindings' allowanceUsage: its
   * deduction lines and the deposits taken with a first sale's fee). Replayed from the deduction
   * lines when not given.
   */
  allowanceUsage?: ReadonlyMap<string, number>;
  /** Every bank record read, from every statement file (copies across files included). */
  bank: CanonicalRecord[];
  contract: Contract;
  asOf: LocalDate;
  /**
   * The as-of date was given (--as-of): judge as of it. Otherwise a statement running past a
   * payout's window proves no credit came in it, whatever date the settlement files reach.
   */
  asOfGiven?: boolean;
  /** Derives the settlement date of lines that print none (business date + contract cycle). */
  calendar?: WorkCalendar;
}

export interface BankTotals {
  /** Σ payouts > 0. */
  expected: Decimal;
  /** Σ credited for payouts (exact, merged, split, short, over). */
  credited: Decimal;
  missing: Decimal;
  pending: Decimal;
  short: Decimal;
  over: Decimal;
  unexplainedCredits: Decimal;
  unexplainedDebits: Decimal;
}

export interface BankResult {
  findings: Finding[];
  payouts: PayoutOutcome[];
  /** Every bank record (copies included) → its one category. */
  rows: Map<CanonicalRecord, BankRowCategory>;
  /** Every bank record → matched | flagged | informational, as for the other rows. */
  dispositions: Map<CanonicalRecord, BankRowDisposition>;
  balance: BalanceChains;
  /** Bank credits attributed back to the business dates of the settlement lines they paid. */
  creditedByDate: Map<LocalDate, Decimal>;
  /** Acquirer-looking credits by booking date (matched or not). */
  acquirerCreditsByDate: Map<LocalDate, Decimal>;
  totals: BankTotals;
  /** Booking dates covered by the statements. */
  statement: { from: LocalDate; to: LocalDate } | null;
  /** Dates in which acquirer credits are judged: first settlement date … last window end. */
  period: { from: LocalDate; to: LocalDate } | null;
  notes: string[];
}

const ZERO = new Decimal(0);
const yuan = (d: Decimal): string => formatYuan(d, { thousands: true });
const signedYuan = (d: Decimal): string => `${d.isNegative() && !d.isZero() ? '-' : ''}¥${yuan(d.abs())}`;

function finding(kind: FindingKind, message: string, related: CanonicalRecord[], extra: Partial<Pick<Finding, 'expected' | 'actual' | 'difference' | 'details'>> = {}): Finding {
  return { kind, severity: SEVERITY[kind], message, terminal: null, settlement: null, related, details: {}, ...extra };
}

/** Where a payout's lines are, to ask the acquirer about them: "settlement-1014.csv:3, 4, 5" (at most 8 lines named). */
function payoutLines(p: ExpectedPayout): string {
  const byFile = new Map<string, number[]>();
  for (const l of p.lines.slice(0, 8)) {
    const list = byFile.get(l.source.file);
    if (list) list.push(l.source.line);
    else byFile.set(l.source.file, [l.source.line]);
  }
  const named = [...byFile].map(([file, lines]) => `${file}:${lines.sort((a, b) => a - b).join(', ')}`).join('; ');
  return p.lines.length > 8 ? `${named} … (${p.lines.length} lines)` : named;
}

function describePayout(p: ExpectedPayout): string {
  const who = p.merchantId ? `merchant ${p.merchantId}` : 'merchant not printed';
  const id = p.payoutId ? `, payout ${p.payoutId}` : '';
  return `${who}${id}, settled ${p.date}${p.dateDerived ? ' (derived)' : ''}, ${p.lines.length} line(s)`;
}

function payoutDetails(p: ExpectedPayout): Record<string, string | number | boolean> {
  const d: Record<string, string | number | boolean> = {
    payout: p.key,
    settleDate: p.date,
    windowEnd: p.windowEnd,
    lines: p.lines.length,
  };
  if (p.merchantId) d.merchantId = p.merchantId;
  if (p.payoutId) d.payoutId = p.payoutId;
  if (p.dateDerived) d.settleDateDerived = true;
  return d;
}

function describeRow(r: CanonicalRecord): string {
  const text = [r.memo, r.counterparty].filter(Boolean).join(' / ');
  return `${bookingDate(r)}${text ? ` (${text})` : ''}`;
}

function rowDetails(r: CanonicalRecord, extra: Record<string, string | number | boolean> = {}): Record<string, string | number | boolean> {
  const d: Record<string, string | number | boolean> = { bookingDate: bookingDate(r), ...extra };
  if (r.balanceUnreadable !== undefined) d.balanceUnreadable = r.balanceUnreadable;
  return d;
}

/** How long after its credit a bank may still return it (退汇). */
const RETURN_WITHIN_DAYS = 7;

/**
 * Acquirer-looking credits and the debits that returned them: a debit saying 退汇 / 退票 of the
 * same amount, booked the same day or up to a week after the credit, from the same counterparty
 * where both print one. Each debit returns the latest such credit before it; each credit is
 * returned once.
 */
function returnedCredits(ordered: CanonicalRecord[], contract: Contract): Map<CanonicalRecord, CanonicalRecord> {
  const pairs = new Map<CanonicalRecord, CanonicalRecord>();
  ordered.forEach((d, i) => {
    const m = movementOf(d);
    if (m.side !== 'debit' || !returnWordIn(d)) return;
    for (let j = i - 1; j >= 0; j--) {
      const c = ordered[j];
      const days = daysBetween(bookingDate(c), bookingDate(d));
      if (days > RETURN_WITHIN_DAYS) break;
      const cm = movementOf(c);
      if (cm.side !== 'credit' || pairs.has(c) || !cm.amount.eq(m.amount) || !acquirerHint(c, contract)) continue;
      if (c.counterparty && d.counterparty && normText(c.counterparty) !== normText(d.counterparty)) continue;
      pairs.set(c, d);
      return;
    }
  });
  return pairs;
}

/** Each statement file's first and last booking date. */
function statementSpans(rows: CanonicalRecord[]): { from: LocalDate; to: LocalDate }[] {
  const spans = new Map<string, { from: LocalDate; to: LocalDate }>();
  for (const r of rows) {
    const d = bookingDate(r);
    const s = spans.get(r.source.file);
    if (!s) spans.set(r.source.file, { from: d, to: d });
    else {
      if (d < s.from) s.from = d;
      if (d > s.to) s.to = d;
    }
  }
  return [...spans.values()];
}

export function reconcileBank(input: BankInput): BankResult {
  const { contract, asOf } = input;
  const findings: Finding[] = [];
  const rows = new Map<CanonicalRecord, BankRowCategory>();
  const signedFiles = signedDeductionFiles(input.settlement);
  const notes: string[] = [];

  // Overlapping statements: a row in two files is one movement.
  const dedupe = dedupeAcrossFiles(input.bank);
  for (const { record, of } of dedupe.duplicates) {
    rows.set(record, 'duplicate');
    findings.push(finding('duplicate_export', `Same bank row as ${where(of)}; counted once`, [record, of], { details: rowDetails(record) }));
  }
  const ordered = orderBankRows(dedupe.kept);
  const statement = ordered.length ? { from: bookingDate(ordered[0]), to: bookingDate(ordered[ordered.length - 1]) } : null;

  const payouts = expectedPayouts(input.settlement, contract, input.calendar);
  const period = payouts.length
    ? { from: payouts.reduce((m, p) => (p.date < m ? p.date : m), payouts[0].date), to: payouts.reduce((m, p) => (p.windowEnd > m ? p.windowEnd : m), payouts[0].windowEnd) }
    : null;
  const inPeriod = (r: CanonicalRecord) => !!period && bookingDate(r) >= period.from && bookingDate(r) <= period.to;

  // A payout the bank returned (退汇, 退票): the credit and the debit that took it back cancel out,
  // neither pays a payout nor is a fee, and the payout stays unpaid.
  const returned = returnedCredits(ordered, contract);
  for (const [credit, debit] of returned) {
    rows.set(credit, 'returned');
    rows.set(debit, 'returned');
    const amount = movementOf(credit).amount;
    findings.push(
      finding('credit_returned', `Credit ¥${yuan(amount)} on ${describeRow(credit)} was returned by the bank on ${describeRow(debit)} (${where(debit)}): no money received`, [credit, debit], {
        actual: amount,
        details: rowDetails(credit, { returnedBy: where(debit), returnedOn: bookingDate(debit), word: returnWordIn(debit)! }),
      }),
    );
  }
  const returnedDebits = new Set(returned.values());
  const acquirerCredits: CanonicalRecord[] = [];
  const outOfPeriod: CanonicalRecord[] = [];
  const debits: CanonicalRecord[] = [];
  const acquirerCreditsByDate = new Map<LocalDate, Decimal>();
  for (const r of ordered) {
    if (returned.has(r) || returnedDebits.has(r)) continue;
    const m = movementOf(r);
    if (m.side === 'debit') debits.push(r);
    if (m.side !== 'credit' || !acquirerHint(r, contract)) continue;
    acquirerCreditsByDate.set(bookingDate(r), (acquirerCreditsByDate.get(bookingDate(r)) ?? ZERO).plus(m.amount));
    if (inPeriod(r)) acquirerCredits.push(r);
    else outOfPeriod.push(r);
  }

  // --- Payouts ↔ credits -----------------------------------------------------------------------
  const match = matchPayouts({ payouts, credits: acquirerCredits, debits, tolerance: contract.payoutTolerance, asOf, namesAcquirer: new Set(acquirerCredits.filter((c) => acquirerNameIn(c, contract))), ...(input.asOfGiven ? {} : { statementSpans: statementSpans(input.bank), ...(input.calendar ? { isWorkingDay: (d: LocalDate) => input.calendar!.isWorkingDay(d) } : {}) }) });
  const totals: BankTotals = {
    expected: ZERO, credited: ZERO, missing: ZERO, pending: ZERO, short: ZERO, over: ZERO, unexplainedCredits: ZERO, unexplainedDebits: ZERO,
  };
  for (const p of payouts) if (p.amount.gt(0)) totals.expected = totals.expected.plus(p.amount);
  const creditedByDate = new Map<LocalDate, Decimal>();
  const attribute = (date: LocalDate, amount: Decimal) => creditedByDate.set(date, (creditedByDate.get(date) ?? ZERO).plus(amount));

  /** "; a credit of ¥888.68 on 10-10 was returned (退汇) on 10-10 (bank.csv:20)" for a payout such a credit would have paid. */
  const returnedNote = (p: ExpectedPayout): string => {
    for (const [credit, debit] of returned) {
      const d = bookingDate(credit);
      if (movementOf(credit).amount.eq(p.amount) && d >= p.date && d <= p.windowEnd) {
        return `; a credit of ¥${yuan(p.amount)} on ${d} (${where(credit)}) was returned (${returnWordIn(debit)}) on ${bookingDate(debit)} (${where(debit)})`;
      }
    }
    return '';
  };
  const shortLumpSums = new Map<CanonicalRecord, PayoutOutcome>();
  for (const o of match.outcomes) if ((o.status === 'short' || o.status === 'over') && o.mergedWith?.length) shortLumpSums.set(o.credits[0], o);
  for (const o of match.outcomes) {
    const p = o.payout;
    const details = payoutDetails(p);
    const credits = o.credits.map((c) => `¥${yuan(movementOf(c).amount)} on ${bookingDate(c)} (${where(c)})`);
    if (o.credited) totals.credited = totals.credited.plus(o.credited);
    if (o.status === 'matched' || o.status === 'merged' || o.status === 'split' || o.status === 'short' || o.status === 'over') {
      // Attribute what arrived to the business dates of the lines it paid; a short or over
      // difference goes to the payout's latest business date.
      // A deduction line has no business date of its own (its date is the payout's): it goes with
      // the latest sales it was taken from, not to a day of its own.
      let latest = '';
      for (const l of p.lines) {
        if (l.txnType === 'deduction') continue;
        const d = businessDateOfRecord(l, contract) ?? p.date;
        if (d > latest) latest = d;
        attribute(d, lineNet(l, signedFiles, contract.fees.rounding));
      }
      for (const l of p.lines) if (l.txnType === 'deduction') attribute(latest || p.date, lineNet(l, signedFiles, contract.fees.rounding));
      if (o.difference) attribute(latest || p.date, o.difference);
    }
    switch (o.status) {
      case 'matched':
        findings.push(finding('payout_matched', `Payout ¥${yuan(p.amount)} (${describePayout(p)}) credited ${credits[0]}`, o.credits, { expected: p.amount, actual: o.credited, details: { ...details, mode: 'exact' } }));
        break;
      case 'merged': {
        const others = (o.mergedWith ?? []).map((q) => q.date);
        const credit = movementOf(o.credits[0]).amount;
        // A lump sum short or over as a whole: the difference is on its latest payout's finding.
        const whole = shortLumpSums.get(o.credits[0]);
        const off = whole ? ` (the credit is ¥${yuan(whole.difference!.abs())} ${whole.status}: see the payout of ${whole.payout.date})` : '';
        findings.push(
          finding('payout_matched', `Payout ¥${yuan(p.amount)} (${describePayout(p)}) arrived in one credit of ${credits[0]} together with the payout(s) of ${others.join(', ')}${off}`, o.credits, {
            expected: p.amount,
            actual: p.amount,
            details: { ...details, mode: 'merged', mergedWith: others.join(','), creditAmount: formatYuan(credit) },
          }),
        );
        break;
      }
      case 'split':
        findings.push(
          finding('payout_matched', `Payout ¥${yuan(p.amount)} (${describePayout(p)}) arrived in ${o.credits.length} credits: ${credits.join(', ')}`, o.credits, {
            expected: p.amount,
            actual: p.amount,
            details: { ...details, mode: 'split', credits: o.credits.length, ...(o.note ? { note: o.note } : {}) },
          }),
        );
        break;
      case 'short':
      case 'over': {
        const diff = o.difference!;
        if (o.status === 'short') totals.short = totals.short.plus(diff.abs());
        else totals.over = totals.over.plus(diff);
        if (o.mergedWith?.length) {
          // Several days paid in one credit, short or over as a whole (a holiday less a transfer fee).
          const run = [...o.mergedWith, p].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
          const sum = run.reduce((acc, q) => acc.plus(q.amount), ZERO);
          const credit = movementOf(o.credits[0]).amount;
          findings.push(
            finding(
              o.status === 'short' ? 'payout_short' : 'payout_over',
              `Payouts of ${run[0].date} … ${run[run.length - 1].date} (${run.length} payouts, ¥${yuan(sum)} together; ${describePayout(p)}) arrived in one credit of ${credits[0]}: ¥${yuan(diff.abs())} ${o.status === 'short' ? 'short' : 'over'} — likely cause: ${o.cause!.text}`,
              o.cause?.row && o.cause.row.role === 'bank' ? [...o.credits, o.cause.row] : o.credits,
              { expected: sum, actual: credit, difference: diff, details: { ...details, mode: 'merged', mergedWith: run.filter((q) => q !== p).map((q) => q.date).join(','), cause: o.cause!.code, causeText: o.cause!.text, ...(o.cause?.row ? { causeRow: where(o.cause.row) } : {}) } },
            ),
          );
          break;
        }
        findings.push(
          finding(
            o.status === 'short' ? 'payout_short' : 'payout_over',
            `Payout ¥${yuan(p.amount)} (${describePayout(p)}) credited ${o.credits.length > 1 ? `¥${yuan(o.credited!)} in ${o.credits.length} credits: ${credits.join(', ')}` : credits[0]}: ¥${yuan(diff.abs())} ${o.status === 'short' ? 'short' : 'over'} — likely cause: ${o.cause!.text}`,
            o.cause?.row && o.cause.row.role === 'bank' ? [...o.credits, o.cause.row] : o.credits,
            { expected: p.amount, actual: o.credited, difference: diff, details: { ...details, cause: o.cause!.code, causeText: o.cause!.text, ...(o.cause?.row ? { causeRow: where(o.cause.row) } : {}), ...(o.credits.length > 1 ? { credits: o.credits.length } : {}) } },
          ),
        );
        break;
      }
      case 'ambiguous': {
        const sets = (o.candidates ?? []).map((s) => s.map((c) => `¥${yuan(movementOf(c).amount)} (${where(c)})`).join(' + '));
        findings.push(
          finding('ambiguous_payout', `Payout ¥${yuan(p.amount)} (${describePayout(p)}) fits ${sets.length} sets of bank credits ${o.nearSets ? 'within tolerance (none exactly)' : 'equally'}: ${sets.join(' | ')}; decide which paid it`, o.credits, {
            expected: p.amount,
            details: { ...details, sets: sets.length, candidates: sets.join(' | '), ...(o.note ? { note: o.note } : {}) },
          }),
        );
        break;
      }
      case 'missing': {
        totals.missing = totals.missing.plus(p.amount);
        // A window the statement covers only in part (a payout of 09-28 whose window runs past
        // 国庆 to 10-09, an October statement): missing as far as it shows, and it says so.
        const short =
          // A statement that starts after the window opened cannot show a credit booked before
          // it: said, not guessed — a quiet account that only receives payouts starts with the
          // first payout after a freeze, and the payouts held before it are the point (review CD).
          (statement && statement.from > p.windowEnd
            ? `; the bank statement starts on ${statement.from}, after this window closed: if an earlier statement shows the credit, it arrived — else ask the acquirer (payouts held?)`
            : statement && statement.from > p.date ? `; the bank statement starts on ${statement.from}, after the window opened: its credit may be in an earlier one` : '') +
          (statement && statement.to < p.windowEnd ? `; the bank statement ends on ${statement.to}, check a later one` : '') +
          returnedNote(p);
        findings.push(
          finding('payout_missing', `Payout ¥${yuan(p.amount)} (${describePayout(p)}) not credited to the bank account by ${p.windowEnd} (未到账)${short}${o.note ? ` (${o.note})` : ''}; its lines: ${payoutLines(p)}`, [], {
            expected: p.amount,
            details: { ...details, settlementLines: payoutLines(p), ...(statement ? { statementStarts: statement.from, statementEnds: statement.to } : {}), ...(o.note ? { note: o.note } : {}) },
          }),
        );
        break;
      }
      case 'pending':
        totals.pending = totals.pending.plus(p.amount);
        findings.push(finding('payout_pending', `Payout ¥${yuan(p.amount)} (${describePayout(p)}) not credited yet; due by ${p.windowEnd}${returnedNote(p)}`, [], { expected: p.amount, details }));
        break;
      case 'nothing_due':
        break; // deductions only (or nothing): no credit expected, the deduction lines are judged on the settlement side
    }
  }
  for (const c of match.paid.keys()) rows.set(c, 'payout');
  for (const c of match.reserved.keys()) rows.set(c, 'ambiguous');

  // --- Acquirer credits that pay nothing --------------------------------------------------------
  for (const c of acquirerCredits) {
    if (rows.has(c)) continue;
    rows.set(c, 'unexplained_credit');
    const amount = movementOf(c).amount;
    totals.unexplainedCredits = totals.unexplainedCredits.plus(amount);
    const hint = acquirerHint(c, contract)!;
    findings.push(
      finding('unexplained_credit', `Credit ¥${yuan(amount)} on ${describeRow(c)} looks like an acquirer payout ("${hint}") but pays no expected payout`, [c], {
        actual: amount,
        details: rowDetails(c, { hint }),
      }),
    );
  }
  for (const c of outOfPeriod) {
    rows.set(c, 'unrelated');
    const amount = movementOf(c).amount;
    const span = period ? `the settlement files' period (${period.from} … ${period.to})` : 'any settlement payout';
    findings.push(
      finding('bank_unrelated', `Credit ¥${yuan(amount)} on ${describeRow(c)} looks like an acquirer payout but falls outside ${span}: not judged`, [c], {
        actual: amount,
        details: rowDetails(c, { side: 'credit', reason: 'outside the settlement period', hint: acquirerHint(c, contract)! }),
      }),
    );
  }

  // --- Acquirer and fee debits: allowed by the contract, or not --------------------------------
  // What the settlement side spent (deposits taken with a fee included), else replayed from its lines.
  const usage = input.allowanceUsage ? new Map(input.allowanceUsage) : settlementAllowanceUsage(input.settlement, contract);
  for (const d of debits) {
    const acquirer = acquirerHint(d, contract);
    const feeWord = feeWordIn(d);
    if (!acquirer && !feeWord) continue;
    const word = [acquirer, feeWord].filter(Boolean).map((w) => `"${w}"`).join(', ');
    const amount = movementOf(d).amount;
    const label = [d.memo, d.counterparty].filter(Boolean).join(' ') || (acquirer ?? feeWord)!;
    const allowed = matchAllowedDeduction(contract, { label, amount, businessDate: bookingDate(d) }, usage);
    if (allowed) {
      usage.set(allowed.usageKey, allowed.usedFen);
      rows.set(d, 'allowed_deduction');
      findings.push(
        finding('allowed_deduction', `${label} ¥${yuan(amount)} debited on ${bookingDate(d)}: allowed by the contract (${allowed.allowance.label} ${formatYuan(allowed.allowance.amount)} per ${allowed.allowance.per})`, [d], {
          actual: amount,
          details: rowDetails(d, { label, rule: `allowance at ${allowed.allowance.file}:${allowed.allowance.line}` }),
        }),
      );
      continue;
    }
    rows.set(d, 'unexplained_debit');
    totals.unexplainedDebits = totals.unexplainedDebits.plus(amount);
    findings.push(
      finding('unexplained_debit', `Debit ¥${yuan(amount)} on ${describeRow(d)} is an acquirer or fee debit (${word}) the contract does not allow`, [d], {
        actual: amount,
        details: rowDetails(d, { label, ...(acquirer ? { acquirer } : {}), ...(feeWord ? { feeWord } : {}) }),
      }),
    );
  }

  // --- Everything else is not the acquirer's business ------------------------------------------
  for (const r of ordered) {
    if (rows.has(r)) continue;
    rows.set(r, 'unrelated');
    const m = movementOf(r);
    findings.push(
      finding('bank_unrelated', `${m.side === 'credit' ? 'Credit' : m.side === 'debit' ? 'Debit' : 'Row'} ¥${yuan(m.amount)} on ${describeRow(r)}: not an acquirer payout or fee`, [r], {
        actual: m.amount,
        details: rowDetails(r, { side: m.side }),
      }),
    );
  }

  // --- Running balance ---------------------------------------------------------------------------
  const balance = checkBalanceChains(input.bank);
  for (const g of balance.gaps) {
    findings.push(
      finding(
        'balance_gap',
        `Balance ${signedYuan(g.actual)} on ${bookingDate(g.row)} does not follow from ${signedYuan(g.previous.balance!)} at ${where(g.previous)}: expected ${signedYuan(g.expected)}, ` +
          `so ¥${yuan(g.difference.abs())} of ${g.difference.isNegative() ? 'debits' : 'credits'} are missing between ${bookingDate(g.previous)} and ${bookingDate(g.row)} (a missing row or page)`,
        [g.row, g.previous],
        { expected: g.expected, actual: g.actual, difference: g.difference, details: rowDetails(g.row, { previous: where(g.previous), carried: g.carried }) },
      ),
    );
  }
  for (const g of balance.links) {
    notes.push(
      `${g.row.source.file} does not continue the balance of ${g.previous.source.file} (${signedYuan(g.previous.balance!)} at ${where(g.previous)}, ` +
        `then ${signedYuan(g.actual)} at ${where(g.row)}, expected ${signedYuan(g.expected)}): another account, or rows missing between the statements`,
    );
  }
  if (balance.unreadable.length) {
    notes.push(
      `balance unreadable on ${balance.unreadable.length} of ${input.bank.length} bank rows (e.g. "${balance.unreadable[0].balanceUnreadable}", masked or not a number): ` +
        'those rows skip the continuity check; balances are not guessed',
    );
  }
  if (balance.missing === input.bank.length && input.bank.length > 0) notes.push('the statements print no running balance: continuity not checked');
  if (ordered.length === 0) notes.push('the bank statements hold no rows: every payout due is read as not credited (an export of the wrong account or dates?)');
  const before = statement ? match.outcomes.filter((o) => o.status === 'missing' && o.payout.windowEnd < statement.from) : [];
  if (before.length > 0) {
    notes.push(
      `${before.length} payout(s) not credited (¥${yuan(before.reduce((sum, o) => sum.plus(o.payout.amount), ZERO))}) were due before the bank statement starts on ${statement!.from}: ` +
        'give the statement of those days, or ask the acquirer whether it held them',
    );
  }

  // --- One disposition per bank row ----------------------------------------------------------------
  const dispositions = new Map<CanonicalRecord, BankRowDisposition>();
  for (const [r, category] of rows) {
    let d: BankRowDisposition;
    if (category === 'payout') {
      const paidBy = match.paid.get(r) ?? [];
      d = paidBy.some((o) => o.status === 'short' || o.status === 'over') ? 'flagged' : 'matched';
    } else if (category === 'ambiguous' || category === 'unexplained_credit' || category === 'unexplained_debit') d = 'flagged';
    else d = 'informational';
    dispositions.set(r, d);
  }
  for (const g of balance.gaps) dispositions.set(g.row, 'flagged');

  return {
    findings,
    payouts: match.outcomes,
    rows,
    dispositions,
    balance,
    creditedByDate,
    acquirerCreditsByDate,
    totals,
    statement,
    period,
    notes,
  };
}

/**
 * Allowances already used by the settlement file's deduction lines, replayed in the order the
 * settlement side judges them, so a bank debit cannot spend a budget a settlement line spent.
 */
function settlementAllowanceUsage(settlement: CanonicalRecord[], contract: Contract): Map<string, number> {
  const usage = new Map<string, number>();
  const deductions = settlement
    .filter((s) => s.txnType === 'deduction')
    .sort(deductionOrder);
  const signedFiles = signedDeductionFiles(settlement);
  for (const d of deductions) {
    const signed = deductionMoney(d);
    const label = [d.rawType, d.memo].filter(Boolean).join(' ') || 'deduction';
    const date = d.settleDate ?? businessDateOfRecord(d, contract) ?? '';
    judgeDeduction(contract, { label, amount: signed.abs(), signed, signedFile: signedFiles.has(d.source.file), businessDate: date, terminalId: d.terminalId, merchantId: d.merchantId }, usage);
  }
  return usage;
}
