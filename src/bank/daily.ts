// The per-day series of a reconciliation, for charts (`result.daily`, JSON `summary.daily`).
// Days are business dates (交易日, after the cut-off), the same days src/report/daily.ts uses:
//   expected — successful terminal sales and pre-auth completions minus refunds, cancelled sales
//              excluded (null without terminal files: a fee audit cannot know it);
//   settled  — settled transaction amounts (gross, deduction lines excluded, as printed);
//   credited — bank credits attributed back to the business dates of the settlement lines they
//              paid (a short/over difference to the payout's latest business date); null without
//              bank statements. Unexplained credits pay no line and are not attributed.
import { Decimal } from 'decimal.js';
import type { CanonicalRecord, LocalDate } from '../model.js';
import type { Contract } from '../contract/contract.js';
import { businessDateOfRecord, isPaidLine, type Finding } from '../classify/findings.js';
import { sumYuan } from '../normalise/amount.js';

export interface DailyPoint {
  date: LocalDate;
  expected: Decimal | null;
  settled: Decimal;
  credited: Decimal | null;
}

export interface DailyInput {
  /** Terminal records kept after de-duplication; null in a fee audit. */
  terminal: CanonicalRecord[] | null;
  /** Settlement records kept after de-duplication. */
  settlement: CanonicalRecord[];
  /** Findings of the run, to leave voided sales out of `expected`. */
  findings: Finding[];
  contract: Contract;
  /** From the bank leg; null without bank statements. */
  creditedByDate: ReadonlyMap<LocalDate, Decimal> | null;
}

const ZERO = new Decimal(0);

function signed(r: CanonicalRecord): Decimal | undefined {
  const a = r.amount ?? r.net;
  if (!a) return undefined;
  return r.txnType === 'refund' ? a.abs().neg() : a;
}

export function dailyTotals(input: DailyInput): DailyPoint[] {
  const { contract } = input;
  // Amounts per day, summed once at the end (exactly, in fen where they are whole fen).
  const days = new Map<LocalDate, { expected: Decimal[]; settled: Decimal[] }>();
  const day = (d: LocalDate) => {
    let v = days.get(d);
    if (!v) days.set(d, (v = { expected: [], settled: [] }));
    return v;
  };
  const cancelled = new Set(input.findings.filter((f) => f.kind === 'voided' || f.kind === 'void_settled').map((f) => f.terminal));
  for (const t of input.terminal ?? []) {
    if (t.status !== 'success' || t.cancelled || cancelled.has(t)) continue;
    if (t.txnType !== 'sale' && t.txnType !== 'preauth_complete' && t.txnType !== 'refund') continue;
    const d = businessDateOfRecord(t, contract);
    const a = signed(t);
    if (d && a) day(d).expected.push(a);
  }
  for (const s of input.settlement) {
    // Deductions are no sales; a line its file marks unpaid (未结算) settled nothing.
    if (s.txnType === 'deduction' || !isPaidLine(s)) continue;
    const d = businessDateOfRecord(s, contract);
    const a = signed(s);
    if (d && a) day(d).settled.push(a);
  }
  for (const d of input.creditedByDate?.keys() ?? []) day(d);
  return [...days.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([date, v]) => ({
      date,
      expected: input.terminal ? sumYuan(v.expected) : null,
      settled: sumYuan(v.settled),
      credited: input.creditedByDate ? (input.creditedByDate.get(date) ?? ZERO) : null,
    }));
}
