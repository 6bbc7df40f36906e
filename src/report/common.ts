// What every human-facing format (table, markdown, HTML) says, computed once: the summary panel,
// the findings a person should see, their amounts and source references. Formats only lay it out.
import { printable } from './printable.js';
import { Decimal } from 'decimal.js';
import type { CanonicalRecord } from '../model.js';
import type { ReconcileResult } from '../reconcile.js';
import { recordCount, SUMMARY_SHEET, type ParsedFile } from '../read/readInput.js';
import type { Finding } from '../classify/findings.js';
import { EXCEPTION_KINDS, isException, type ExceptionKind, type FindingKind } from '../classify/kinds.js';
import { formatYuan } from '../normalise/amount.js';

/** ¥1,234.56 with thousands separators; negative as -¥12.00. */
export function money(d: Decimal): string {
  const text = formatYuan(d.abs());
  const [int, frac] = text.split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${d.isNegative() && !d.isZero() ? '-' : ''}¥${grouped}${frac !== undefined ? '.' + frac : ''}`;
}

/** Short plural labels for the summary panel. */
export const SHORT_LABELS: Record<ExceptionKind, string> = {
  dropped_order: 'dropped orders (掉单)',
  unsettled_overdue: 'unsettled, overdue (未到账)',
  amount_mismatch: 'amount mismatches',
  fee_mismatch: 'fee mismatches',
  net_mismatch: 'net ≠ amount − fee',
  duplicate_settlement: 'duplicate settlements',
  void_settled: 'voided but settled',
  refund_exceeds_sale: 'refunds beyond their sale',
  extra_deduction: 'extra deductions',
  ambiguous_match: 'ambiguous matches',
  fee_unverified: 'fees not covered by the contract',
  control_total_mismatch: 'control totals not matched',
  payout_missing: 'payouts not credited (未到账)',
  payout_short: 'payouts credited short',
  payout_over: 'payouts credited over',
  ambiguous_payout: 'ambiguous payouts',
  unexplained_credit: 'unexplained acquirer credits',
  unexplained_debit: 'unexplained acquirer/fee debits',
  balance_gap: 'statement balance gaps',
};

/** The amount a person looks at for a finding: the difference for mismatches, else the money involved. */
export function findingAmount(f: Finding): Decimal | undefined {
  if (f.kind === 'control_total_mismatch') {
    // A count difference is not money: leave the amount column empty, the message says it.
    return /count$/i.test(String(f.details.key)) ? undefined : f.difference;
  }
  if (f.kind === 'fee_mismatch' || f.kind === 'net_mismatch' || f.kind === 'amount_mismatch' || f.kind === 'refund_exceeds_sale') return f.difference;
  if (f.kind === 'payout_short' || f.kind === 'payout_over' || f.kind === 'balance_gap') return f.difference;
  // An allowed kind of deduction beyond its allowance: the excess is at stake (and in the
  // headline's total), the whole deduction is in the message.
  if (f.kind === 'extra_deduction' && f.difference) return f.difference;
  if (f.actual instanceof Decimal) return f.actual.abs();
  if (f.expected instanceof Decimal) return f.expected.abs();
  return (f.terminal?.amount ?? f.settlement?.amount ?? f.settlement?.net)?.abs();
}

/** The row a finding is about: its terminal row, else its settlement line, else the first related row. */
export function primaryRecord(f: Finding): CanonicalRecord | undefined {
  return f.terminal ?? f.settlement ?? f.related[0];
}

export function findingTime(f: Finding): string {
  const r = primaryRecord(f);
  // A payout not credited names no row: its settlement date.
  return r?.time ?? r?.settleDate ?? (typeof f.details.settleDate === 'string' ? f.details.settleDate : '');
}

export function refText(r: CanonicalRecord): string {
  return `${r.source.file}:${r.source.line}`;
}

/** Every row a finding cites, as file:line, terminal first, without repeats. */
export function findingRefs(f: Finding): string[] {
  const rows = [f.terminal, f.settlement, ...f.related].filter((x): x is CanonicalRecord => x !== null);
  return [...new Set(rows.map(refText))];
}

/** The transaction key a person searches for in the acquirer's portal. */
export function findingKey(f: Finding): string {
  const rows = [f.terminal, f.settlement, ...f.related].filter((x): x is CanonicalRecord => x !== null);
  const rrn = rows.find((r) => r.rrn)?.rrn;
  if (rrn) return `RRN ${rrn}`;
  const trace = rows.find((r) => r.trace)?.trace;
  if (trace) return `trace ${trace}`;
  const order = rows.find((r) => r.orderId)?.orderId;
  return order ? `order ${order}` : '';
}

export interface FindingGroup {
  kind: FindingKind;
  exception: boolean;
  findings: Finding[];
}

export interface GroupOptions {
  /** Informational kinds (pending, voided …) too, not only exceptions. */
  informational: boolean;
  /** `matched` pairs too (only meaningful with `informational`). */
  matched: boolean;
}

/**
 * Findings grouped by kind in report order (exceptions first), each group newest first: today's
 * problems are the ones a merchant can still fix at the counter. Rate drift is in the summary.
 */
export function groupFindings(result: ReconcileResult, opts: GroupOptions): FindingGroup[] {
  const groups = new Map<FindingKind, Finding[]>();
  for (const f of result.findings) {
    if (f.kind === 'fee_drift') continue;
    const visible = isException(f.kind) || (opts.informational && (f.kind !== 'matched' || opts.matched));
    if (!visible) continue;
    const g = groups.get(f.kind);
    if (g) g.push(f);
    else groups.set(f.kind, [f]);
  }
  return [...groups].map(([kind, list]) => ({
    kind,
    exception: isException(kind),
    findings: [...list].sort((a, b) => findingTime(b).localeCompare(findingTime(a))),
  }));
}

export interface SummaryKindLine {
  kind: ExceptionKind;
  label: string;
  count: number;
  /** Money at stake, when the kind has a total. */
  stake: string;
}

export interface Summary {
  title: string;
  asOf: string;
  asOfSource: string;
  inputs: string;
  rejectedInputs: number;
  /** "You were over-charged ¥5.60 in fees." when fees were over-charged. */
  overcharge: string | null;
  exceptionTotal: number;
  allClear: boolean;
  /** "10 exception(s) need attention:" or the all-clear sentence. */
  headline: string;
  kinds: SummaryKindLine[];
  /** Informational counts: matched, pending, voided … */
  info: string[];
  rows: string;
  calendarNote: string | null;
  /** The terminal exports ran on for days past the settlement files: a stopped feed? */
  feedNote: string | null;
  /** One note per input whose identifiers Excel (or a placeholder) destroyed: they cannot match. */
  inputNotes: string[];
  /** One sentence per detected rate change (fee_drift findings). */
  drifts: string[];
}

/**
 * " (2 of them do not fail the run: fee_mismatch, per --fail-on/--ignore)", with "; the run
 * fails on unsettled_pending" when an informational kind was asked to fail it; or nothing.
 */
export function exitNote(result: Pick<ReconcileResult, 'counts'>, failing: readonly FindingKind[] | undefined): string {
  if (!failing) return '';
  const present = (k: FindingKind) => result.counts[k] > 0;
  const notFailing = EXCEPTION_KINDS.filter((k) => present(k) && !failing.includes(k));
  const infoFailing = failing.filter((k) => !isException(k) && present(k));
  if (notFailing.length === 0 && infoFailing.length === 0) return '';
  const n = notFailing.reduce((sum, k) => sum + result.counts[k], 0);
  const parts = [
    ...(notFailing.length ? [`${n} of them do not fail the run: ${notFailing.join(', ')}`] : []),
    ...(infoFailing.length ? [`the run fails on ${infoFailing.join(', ')}`] : []),
  ];
  return ` (${parts.join('; ')}, per --fail-on/--ignore)`;
}

export const ALL_CLEAR = '平账 All clear: every transaction ties out.';

export interface SummaryOptions {
  /**
   * The kinds that set the exit code, when --fail-on / --ignore chose them: the headline says
   * which exceptions do not fail the run and which informational kinds do, so "need attention"
   * never reads as "the run failed" beside exit code 0, nor the other way round.
   */
  failing?: readonly FindingKind[];
}

export function summarize(result: ReconcileResult, opts: SummaryOptions = {}): Summary {
  const t = result.totals;
  const terminalFiles = result.files.filter((f) => f.role === 'terminal');
  const settlementFiles = result.files.filter((f) => f.role === 'settlement');
  const rowsOf = (files: typeof result.files) => files.reduce((n, f) => n + recordCount(f), 0);
  const exceptionTotal = EXCEPTION_KINDS.reduce((n, k) => n + result.counts[k], 0);
  const nothingWrong = exceptionTotal === 0 && result.rejected.length === 0;
  // Nothing wrong is not all clear while nothing has settled yet or the settlement feed stopped.
  const nothingKnown = result.counts.matched === 0 && result.counts.unsettled_pending > 0;
  const allClear = nothingWrong && !result.feedGap && !nothingKnown;
  // Lines of a day no terminal export of their merchant covers: a missing export, most likely.
  const uncovered = result.findings.filter((f) => f.kind === 'dropped_order' && f.details.terminalStatus === 'no_export_for_date').length;
  // A customer charged twice is money to give back, not money the shop is owed: said on the first screen (review CB).
  const doubleCharges = result.findings.filter((f) => f.kind === 'dropped_order' && f.details.possibleDoubleCharge === true).length;
  const droppedStake = [
    // Zero when every dropped line is a refund, has an unreadable terminal row or no export of its day: no money claim then.
    t.dropped.gt(0) ? `${money(t.dropped)} charged to customers, missing or failed on the terminal` : '',
    doubleCharges > 0 ? `${doubleCharges} of them a possible double charge of the customer` : '',
    uncovered > 0 ? `${uncovered} beyond what the terminal exports cover: add that export` : '',
  ].filter(Boolean).join('; ');
  const settledFor = (kind: ExceptionKind) =>
    result.findings.reduce((sum, f) => (f.kind === kind && f.actual instanceof Decimal ? sum.plus(f.actual.abs()) : sum), new Decimal(0));
  const stake: Partial<Record<ExceptionKind, string>> = {
    ...(droppedStake ? { dropped_order: droppedStake } : {}),
    // Overdue refunds are money the merchant still holds: no "not received" for them alone.
    ...(t.overdue.gt(0) || result.findings.every((f) => f.kind !== 'unsettled_overdue' || f.terminal?.txnType !== 'refund')
      ? { unsettled_overdue: `${money(t.overdue)} not received` }
      : { unsettled_overdue: 'refunds not yet debited' }),
    // Only the sides that differ: "¥0.00 over-charged" beside an under-charge says nothing.
    fee_mismatch: [t.feeOvercharge.gt(0) || !t.feeUndercharge.gt(0) ? `${money(t.feeOvercharge)} over-charged` : '', t.feeUndercharge.gt(0) ? `${money(t.feeUndercharge)} under-charged` : '']
      .filter(Boolean)
      .join(', '),
    extra_deduction: `${money(t.deductions)} deducted`,
    // Money the acquirer paid that a customer is owed back (review CB): the amount at stake too.
    ...(settledFor('void_settled').gt(0) ? { void_settled: `${money(settledFor('void_settled'))} settled though voided or reversed` } : {}),
    ...(result.bank
      ? {
          payout_missing: `${money(result.bank.totals.missing)} not credited to the bank account`,
          payout_short: `${money(result.bank.totals.short)} short`,
          payout_over: `${money(result.bank.totals.over)} over`,
          unexplained_credit: `${money(result.bank.totals.unexplainedCredits)} credited`,
          unexplained_debit: `${money(result.bank.totals.unexplainedDebits)} debited`,
        }
      : {}),
  };
  const info: string[] = result.auditOnly ? [`${result.fees.checked} fees checked against the contract`] : [`${result.counts.matched} matched`];
  if (result.counts.settled_late) info.push(`${result.counts.settled_late} settled after the contract date`);
  if (result.counts.unsettled_pending) info.push(`${result.counts.unsettled_pending} pending (${money(t.pending)}, not yet due)`);
  if (result.counts.voided) info.push(`${result.counts.voided} voided, correctly not settled`);
  if (result.counts.no_settlement_expected) info.push(`${result.counts.no_settlement_expected} failed row${result.counts.no_settlement_expected === 1 ? '' : 's'}, not settled`);
  if (result.counts.duplicate_export) info.push(`${result.counts.duplicate_export} repeated export rows counted once`);
  if (result.counts.allowed_deduction) info.push(`${result.counts.allowed_deduction} allowed deductions`);
  if (result.counts.deduction_returned) info.push(`${result.counts.deduction_returned} deductions given back`);
  // "All clear" must not read as "fees are fine" when no fee was checked at all.
  if (!result.auditOnly && result.fees.checked === 0 && result.counts.fee_unverified === 0) {
    const settlementLines = result.files.some((f) => f.role === 'settlement' && recordCount(f) > 0);
    info.push(!settlementLines ? 'fees not checked (no settlement lines yet)' : result.feeRulesGiven ? 'fees not checked (no card transaction lines)' : result.contractFile ? `fees not checked (${result.contractFile} has no fee rules)` : 'fees not checked (no contract fee rules: pass --contract)');
  }
  const r = result.rows;
  return {
    title: `posrecon ${result.auditOnly ? 'fee audit' : 'reconcile'} — as of ${result.asOf || '—'}`,
    asOf: result.asOf || '—',
    asOfSource: result.asOfSource,
    inputs: `${terminalFiles.length} terminal file(s), ${rowsOf(terminalFiles)} rows · ${settlementFiles.length} settlement file(s), ${rowsOf(settlementFiles)} rows`,
    rejectedInputs: result.rejected.length,
    overcharge: t.feeOvercharge.gt(0) ? `You were over-charged ${money(t.feeOvercharge)} in fees.` : null,
    exceptionTotal,
    allClear,
    // With no exception, an informational kind --fail-on asked for still fails the run: said so.
    headline: allClear
      ? ALL_CLEAR + exitNote(result, opts.failing)
      : nothingWrong && result.feedGap
        ? `No exceptions so far, but the settlement files stop at ${result.feedGap.settlementUntil}: sales since then cannot be judged yet (see the note).`
        : nothingWrong && nothingKnown
          ? `Nothing to act on yet: ${result.counts.unsettled_pending} payment(s) not yet due, none settled so far.`
          : exceptionTotal === 0
            ? `No exceptions, but ${result.rejected.length} row(s) could not be read (listed below): fix or re-export them, they are in no total.`
            : `${exceptionTotal} exception(s) need attention${exitNote(result, opts.failing)}:`,
    kinds: EXCEPTION_KINDS.filter((k) => result.counts[k] > 0).map((k) => ({ kind: k, label: SHORT_LABELS[k], count: result.counts[k], stake: stake[k] ?? '' })),
    info,
    rows: `Rows: ${r.read} read = ${r.matched} matched + ${r.flagged} flagged + ${r.informational} informational + ${r.rejected} rejected`,
    inputNotes: unusableIdNotes(result),
    calendarNote: result.missingCalendarYears.length
      ? `Note: no holiday calendar for ${result.missingCalendarYears.join(', ')}; only weekends and the fixed-date holidays (1 Jan, 1–2 May, 1–3 Oct) are treated as days off, not 春节, 清明, 端午, 中秋 or make-up working days (add the year's notice with --holidays FILE).`
      : null,
    feedNote: result.feedGap
      ? `Note: the terminal exports run to ${result.feedGap.terminalUntil}, the settlement files only to ${result.feedGap.settlementUntil} (${result.feedGap.basis === 'calendar' ? `${result.feedGap.calendarDays} days later; the contract pays every calendar day` : `${result.feedGap.workingDays} working days later`}): sales since then count as not yet due. Has the acquirer's file stopped coming? (--as-of DATE judges them as of that date.)`
      : null,
    drifts: result.findings.filter((f) => f.kind === 'fee_drift').map((f) => `Rate change: ${f.message}`),
  };
}

/**
 * "Note: t.csv: 7 参考号 values unusable (e.g. 2.5093E+11) …" per input whose ids could not be
 * used: matching falls back to other keys, and the user should learn the export is degraded
 * before a day comes when no other key decides.
 */
function unusableIdNotes(result: ReconcileResult): string[] {
  const notes: string[] = [];
  for (const f of result.files) {
    if (f.readsBetterAs) {
      notes.push(`Note: ${f.file} was given as a ${f.role} file but reads better as a ${f.readsBetterAs.role} file (${f.readsBetterAs.profile}): if it is one, pass it with --${f.readsBetterAs.role}; its findings above assume it is what it was given as.`);
    }
    const sheets = sheetsNotReadNote(f);
    if (sheets) notes.push(sheets);
    const byField = new Map<string, { count: number; example: string }>();
    for (const r of f.records) {
      for (const u of r.unusable) {
        const name = f.mapping.headers[u.field] ?? u.field;
        const seen = byField.get(name);
        if (seen) seen.count++;
        else byField.set(name, { count: 1, example: u.raw });
      }
    }
    if (byField.size === 0) continue;
    const list = [...byField].map(([name, { count, example }]) => `${count} ${name} (e.g. ${example})`).join(', ');
    notes.push(`Note: ${f.file}: unusable identifiers: ${list}; matched by other keys where possible. Re-export with these columns as text.`);
  }
  return notes;
}

/**
 * A workbook's sheets left unread that may hold lines to reconcile: not a hidden sheet, a copy
 * repeating rows read, or a summary (inspect names those; a note every run would be noise).
 */
export function sheetsWorthANote(f: Pick<ParsedFile, 'sheetsNotRead'>): NonNullable<ParsedFile['sheetsNotRead']> {
  return (f.sheetsNotRead ?? []).filter((n) => n.why !== 'hidden' && n.why !== SUMMARY_SHEET && !n.why.startsWith('it repeats rows'));
}

/** The note naming them (also printed on stderr by a quiet run). */
export function sheetsNotReadNote(f: Pick<ParsedFile, 'file' | 'sheetsNotRead'>): string | null {
  const notRead = sheetsWorthANote(f);
  if (notRead.length === 0) return null;
  const list = notRead.map((n) => `"${printable(n.sheet)}" (${n.rows} row${n.rows === 1 ? '' : 's'}: ${printable(n.why)})`).join(', ');
  return `Note: ${f.file}: sheet${notRead.length === 1 ? '' : 's'} not read: ${list}; if ${notRead.length === 1 ? 'it holds' : 'they hold'} transactions to reconcile, save ${notRead.length === 1 ? 'it' : 'each'} as a file of its own and pass it too.`;
}

const ROLE_ORDER: Record<string, number> = { terminal: 0, settlement: 1, bank: 2 };

/** Input files by role, then path: a report's bytes do not depend on the order files were given in. */
export function inputsInOrder<F extends { role: string; file: string }>(files: readonly F[]): F[] {
  return [...files].sort((a, b) => (ROLE_ORDER[a.role] ?? 3) - (ROLE_ORDER[b.role] ?? 3) || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}
