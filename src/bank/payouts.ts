// Expected payouts: what the acquirer owes the merchant's bank account, per merchant and
// settlement date (or per payout id where the settlement file prints one). Pure.
//
// A payout is the sum of `net` over every line the acquirer settled, AS PRINTED — lines posrecon
// flags (dropped, void-settled, duplicate, amount-mismatched) were paid too — plus the deduction
// lines (negative). The caller passes settlement records already de-duplicated across files, so
// a re-sent file counts once.
import { Decimal } from 'decimal.js';
import type { CanonicalRecord, LocalDate } from '../model.js';
import { settlementTermsOf, type Contract } from '../contract/contract.js';
import { expectedSettlementDate, type WorkCalendar } from '../calendar/calendar.js';
import { businessDateOfRecord, isPaidLine } from '../classify/findings.js';
import { addDays, cmp } from './rows.js';
import { deductionLabel, deductionMoney, isMoneyBack, signedDeductionFiles } from '../fees/deductions.js';

export interface ExpectedPayout {
  /** `merchant|date` or `merchant|id:<payout id>`: stable, used in finding details and ids. */
  key: string;
  merchantId?: string;
  payoutId?: string;
  /** Settlement date (清算日期); for a payout id, the latest date among its lines. */
  date: LocalDate;
  /** True when no line printed a settlement date and it was derived from the business date and cycle. */
  dateDerived: boolean;
  /** Last booking date the credit may carry: date + payoutWindowDays (calendar days). */
  windowEnd: LocalDate;
  /** Σ net as printed, deductions included: what should arrive. */
  amount: Decimal;
  /** Σ amount of the card-transaction lines, Σ fee, Σ deductions (negative). */
  gross: Decimal;
  fees: Decimal;
  deductions: Decimal;
  lines: CanonicalRecord[];
}

const ZERO = new Decimal(0);

/**
 * What a settlement line contributes to its payout: its net as printed; a deduction takes money
 * (whatever sign the file prints it with) unless it pays some back (押金退还, 调账 补差, or a
 * positive 调账 in a file — one of `signedFiles` — that prints its deductions negative).
 */
export function lineNet(r: CanonicalRecord, signedFiles?: ReadonlySet<string>, rounding?: FeeRounding): Decimal {
  if (r.txnType === 'deduction') {
    const signed = deductionMoney(r);
    return isMoneyBack(deductionLabel(r), signed, { signedFile: signedFiles?.has(r.source.file) }) ? signed : signed.abs().neg();
  }
  return printedOrDerivedNet(r, rounding) ?? ZERO;
}

/**
 * A card line's net: as printed, else amount − fee. Money moves in whole fen: a fee printed with
 * more places (WeChat prints 0.77100) is taken rounded half-up to the fen, as charged per
 * transaction (domain.md §5), so a payout never expects a fraction of a fen.
 */
export function printedOrDerivedNet(r: CanonicalRecord, rounding?: FeeRounding): Decimal | undefined {
  // A net stored unrounded (a workbook's computed 1228.3922 beside a fee of 6.1728) pays the
  // amount less the fee in whole fen, as a net left out would; a net that is not amount − fee
  // at all (a line the net check flags) is taken as printed, to the fen.
  // By magnitude, whatever the signs printed (a refund 102.50 / −0.615 / −101.885 returns its fee;
  // one netting −100.60 from −100.00 and 0.60 was charged it on top).
  if (r.net && r.net.decimalPlaces() > 2) {
    if (r.amount && r.fee) {
      const [amount, fee, net] = [r.amount.abs(), feeInFen(r.fee.abs(), rounding), r.net.abs()];
      const sign = r.net.isNegative() ? -1 : 1;
      if (amount.minus(r.fee.abs()).minus(net).abs().lt('0.01')) return amount.minus(fee).times(sign);
      if (amount.plus(r.fee.abs()).minus(net).abs().lt('0.01')) return amount.plus(fee).times(sign);
    }
    return r.net.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
  }
  if (r.net) return r.net;
  if (r.amount && r.fee) return r.amount.minus(feeInFen(r.fee, rounding));
  return r.amount;
}

type FeeRounding = Contract['fees']['rounding'];
const FEE_ROUNDING: Record<FeeRounding, Decimal.Rounding> = {
  'half-up': Decimal.ROUND_HALF_UP,
  'half-even': Decimal.ROUND_HALF_EVEN,
  down: Decimal.ROUND_DOWN,
  up: Decimal.ROUND_UP,
};

/** A fee as money taken: rounded to the fen by the contract's rule (default half-up) when printed with more places. */
export function feeInFen(fee: Decimal, rounding: FeeRounding = 'half-up'): Decimal {
  return fee.decimalPlaces() > 2 ? fee.toDecimalPlaces(2, FEE_ROUNDING[rounding]) : fee;
}

/** The settlement date of a line: printed, else derived from its business date under the contract cycle. */
export function settlementDateOf(
  r: CanonicalRecord,
  contract: Contract,
  calendar?: WorkCalendar,
): { date: LocalDate; derived: boolean } | undefined {
  if (r.settleDate) return { date: r.settleDate, derived: false };
  const business = businessDateOfRecord(r, contract);
  if (!business) return undefined;
  if (!calendar) return { date: business, derived: true };
  const cycle = settlementTermsOf(contract, r.merchantId).cycle;
  return { date: expectedSettlementDate(business, { kind: cycle.basis, days: cycle.days }, calendar), derived: true };
}

export function expectedPayouts(settlement: CanonicalRecord[], contract: Contract, calendar?: WorkCalendar): ExpectedPayout[] {
  const groups = new Map<string, ExpectedPayout>();
  const signedFiles = signedDeductionFiles(settlement);
  for (const r of settlement) {
    // A line the file marks failed or unpaid (未结算) is in no payout.
    if (r.txnType !== 'deduction' && !isPaidLine(r)) continue;
    const settle = settlementDateOf(r, contract, calendar);
    if (!settle) continue; // a settlement line always has a date; nothing to pay without one
    const merchant = r.merchantId ?? '';
    const key = r.payoutId ? `${merchant}|id:${r.payoutId}` : `${merchant}|${settle.date}`;
    let p = groups.get(key);
    if (!p) {
      p = {
        key,
        merchantId: r.merchantId,
        payoutId: r.payoutId,
        date: settle.date,
        dateDerived: settle.derived,
        windowEnd: '',
        amount: ZERO,
        gross: ZERO,
        fees: ZERO,
        deductions: ZERO,
        lines: [],
      };
      groups.set(key, p);
    }
    if (settle.date > p.date) p.date = settle.date;
    p.dateDerived = p.dateDerived && settle.derived;
    const net = lineNet(r, signedFiles, contract.fees.rounding);
    p.amount = p.amount.plus(net);
    if (r.txnType === 'deduction') p.deductions = p.deductions.plus(net);
    else {
      p.gross = p.gross.plus(r.amount ?? net);
      if (r.fee) p.fees = p.fees.plus(feeInFen(r.fee, contract.fees.rounding));
    }
    p.lines.push(r);
  }
  const payouts = [...groups.values()];
  // Banks do not book over a holiday: a window of N days spans at least N working days, so a
  // payout due before National Day and booked after it is still in its window.
  for (const p of payouts) {
    const byCalendar = addDays(p.date, contract.payoutWindowDays);
    const byWorkingDays = calendar ? calendar.addWorkingDays(p.date, contract.payoutWindowDays) : byCalendar;
    p.windowEnd = byWorkingDays > byCalendar ? byWorkingDays : byCalendar;
  }
  return payouts.sort((a, b) => cmp(a.date, b.date) || cmp(a.merchantId ?? '', b.merchantId ?? '') || cmp(a.key, b.key));
}
