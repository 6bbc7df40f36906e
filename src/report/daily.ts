// Money per business day, for the HTML chart: what the terminal says should settle (expected),
// what the acquirer settled, and — when the bank leg supplies it — what the bank credited.
// Every series is optional: a fee audit has no terminal side, a run without bank statements no
// credited side, and the chart simply leaves a missing series out.
import { Decimal } from 'decimal.js';
import type { CanonicalRecord, LocalDate } from '../model.js';
import type { ReconcileResult } from '../reconcile.js';
import { lineNet } from '../bank/payouts.js';
import { signedDeductionFiles } from '../fees/deductions.js';

export type DayStatus = 'ok' | 'pending' | 'gap';

export interface DailyPoint {
  date: LocalDate;
  /** Successful terminal sales and pre-auth completions minus refunds, voided sales excluded. */
  expected?: Decimal;
  /** Settled transaction amounts (deductions excluded; a duplicate settlement counts twice, as paid). */
  settled?: Decimal;
  /** Settled net (amount − fee), deduction lines included: what the bank should receive for the day. */
  settledNet?: Decimal;
  /** Bank credits attributed to the day by the bank leg. */
  credited?: Decimal;
  /** Part of expected − settled that is not due yet (unsettled_pending). */
  pending: Decimal;
  /** settled − expected (negative: money missing; positive: settled more than sold). */
  gap?: Decimal;
  /** credited − settledNet, when both are known. */
  creditGap?: Decimal;
  status: DayStatus;
}

export interface DailySeries {
  points: DailyPoint[];
  hasExpected: boolean;
  hasSettled: boolean;
  hasCredited: boolean;
}

export interface DailyOptions {
  /** Business date of a record (the CLI passes the contract's cut-off rule); default: stated business date, else the date of its time. */
  dateOf?: (r: CanonicalRecord) => LocalDate | undefined;
  /**
   * Bank credits per business date (net of fees, compared with the settled net). Default: the
   * bank leg's `result.bank.creditedByDate`, which attributes each credit to the business dates
   * of the settlement lines it paid. Absent (no bank statements): no credited series is drawn.
   */
  credited?: ReadonlyMap<LocalDate, Decimal>;
}

export function defaultDateOf(r: CanonicalRecord): LocalDate | undefined {
  return r.businessDate ?? r.time?.slice(0, 10) ?? r.settleDate;
}

const ZERO = new Decimal(0);
const EXPECTS_SETTLEMENT = new Set(['sale', 'preauth_complete']);

function signedAmount(r: CanonicalRecord): Decimal | undefined {
  const a = r.amount ?? r.net;
  if (!a) return undefined;
  // Terminals print refunds positive, settlement files negative: a refund always takes money back.
  return r.txnType === 'refund' ? a.abs().neg() : a;
}

export function dailySeries(result: ReconcileResult, opts: DailyOptions = {}): DailySeries {
  const dateOf = opts.dateOf ?? defaultDateOf;
  // Rows that must not count: voided/reversed sales, and rows repeated in another export.
  const cancelled = new Set<CanonicalRecord>();
  const repeated = new Set<CanonicalRecord>();
  const pendingRows: CanonicalRecord[] = [];
  for (const f of result.findings) {
    if ((f.kind === 'voided' || f.kind === 'void_settled') && f.terminal) cancelled.add(f.terminal);
    if (f.kind === 'duplicate_export') for (const r of [f.terminal, f.settlement]) if (r) repeated.add(r);
    if (f.kind === 'unsettled_pending' && f.terminal) pendingRows.push(f.terminal);
  }
  const records = result.files.flatMap((f) => f.records).filter((r) => !repeated.has(r));
  const terminal = records.filter((r) => r.role === 'terminal');
  const settlement = records.filter((r) => r.role === 'settlement');
  const hasExpected = !result.auditOnly && result.files.some((f) => f.role === 'terminal');
  const hasSettled = result.files.some((f) => f.role === 'settlement');
  const credited = opts.credited ?? result.bank?.creditedByDate;
  const hasCredited = credited !== undefined;

  const days = new Map<LocalDate, { expected: Decimal; settled: Decimal; settledNet: Decimal; pending: Decimal }>();
  const day = (d: LocalDate) => {
    let v = days.get(d);
    if (!v) days.set(d, (v = { expected: ZERO, settled: ZERO, settledNet: ZERO, pending: ZERO }));
    return v;
  };
  if (hasExpected) {
    for (const t of terminal) {
      if (t.status !== 'success' || t.cancelled || cancelled.has(t)) continue;
      if (!EXPECTS_SETTLEMENT.has(t.txnType) && t.txnType !== 'refund') continue;
      const d = dateOf(t);
      const a = signedAmount(t);
      if (!d || !a) continue;
      day(d).expected = day(d).expected.plus(a);
    }
    for (const t of pendingRows) {
      const d = dateOf(t);
      if (d && t.amount) day(d).pending = day(d).pending.plus(signedAmount(t) ?? ZERO);
    }
  }
  const signedFiles = signedDeductionFiles(settlement);
  for (const s of settlement) {
    const d = dateOf(s);
    if (!d || (s.txnType === 'deduction' && !hasCredited)) continue;
    // Deductions are not sales (not in settled) but are taken out of the payout (in the net).
    // The net is what the bank leg attributes a payout's credit by (lineNet), so the two compare.
    const a = s.txnType === 'deduction' ? undefined : signedAmount(s);
    const v = day(d);
    if (a) v.settled = v.settled.plus(a);
    v.settledNet = v.settledNet.plus(lineNet(s, signedFiles));
  }
  for (const d of credited?.keys() ?? []) day(d);

  const points = [...days.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([date, v]): DailyPoint => {
      const creditedDay = credited ? (credited.get(date) ?? ZERO) : undefined;
      const gap = hasExpected && hasSettled ? v.settled.minus(v.expected) : undefined;
      const creditGap = creditedDay !== undefined && hasSettled ? creditedDay.minus(v.settledNet) : undefined;
      // Money not settled yet but not due yet is not a gap; anything else that differs is.
      const unexplained = gap ? gap.plus(v.pending) : ZERO;
      const status: DayStatus = !unexplained.isZero() || (creditGap && !creditGap.isZero()) ? 'gap' : !v.pending.isZero() ? 'pending' : 'ok';
      return {
        date,
        expected: hasExpected ? v.expected : undefined,
        settled: hasSettled ? v.settled : undefined,
        settledNet: hasSettled ? v.settledNet : undefined,
        credited: creditedDay,
        pending: v.pending,
        gap,
        creditGap,
        status,
      };
    });
  return { points, hasExpected, hasSettled, hasCredited };
}
