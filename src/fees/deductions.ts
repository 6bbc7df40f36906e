// Non-sale deductions (押金, 流量费, 年费 …) checked against the allowances in the contract.
// Pure: the caller owns the usage map and records each accepted use, so the same function
// serves a single run and an incremental re-run over earlier periods.
import { Decimal } from 'decimal.js';
import type { AllowedDeduction, Contract } from '../contract/contract.js';
import type { CanonicalRecord, LocalDate } from '../model.js';

export interface DeductionSubject {
  /** Memo / type text of the deduction row, matched against the allowance labels. */
  label: string;
  /** Deducted amount as a positive magnitude in yuan. */
  amount: Decimal;
  businessDate: LocalDate;
  terminalId?: string;
  merchantId?: string;
}

export interface AllowanceUse {
  allowance: AllowedDeduction;
  /** Key of the allowance period this deduction consumes, e.g. `allowance#0|year 2025`. */
  usageKey: string;
  /** Fen used in that period including this deduction: store it with `usage.set(usageKey, usedFen)`. */
  usedFen: number;
  /** What the allowance still permits in that period after this deduction. */
  remaining: Decimal;
}

/** Whether an allowance's label (substring, ASCII case-insensitive, or `/regex/`) matches the deduction text. */
export function allowanceLabelMatches(allowance: AllowedDeduction, label: string): boolean {
  if (allowance.labelPattern) return allowance.labelPattern.test(label);
  return label.toLowerCase().includes(allowance.label.toLowerCase());
}

/** Allowances whose label matches, in contract order; lets a report say "contract allows 48.00 per year". */
export function allowancesForLabel(contract: Contract, label: string): AllowedDeduction[] {
  return contract.fees.allowedDeductions.filter((allowance) => allowanceLabelMatches(allowance, label));
}

/** The period an allowance use falls into: once ever, the calendar year or month, or the terminal. */
export function allowanceUsageKey(allowance: AllowedDeduction, deduction: DeductionSubject): string {
  const id = `allowance#${allowance.index}`;
  switch (allowance.per) {
    case 'once': return `${id}|once`;
    case 'year': return `${id}|year ${deduction.businessDate.slice(0, 4)}`;
    case 'month': return `${id}|month ${deduction.businessDate.slice(0, 7)}`;
    case 'terminal':
    case 'terminal-year': {
      // Without a terminal id the merchant is the best available owner of the allowance.
      const owner = deduction.terminalId ?? (deduction.merchantId ? `merchant ${deduction.merchantId}` : 'unknown');
      // SIM data fees are typically charged per terminal per year.
      return allowance.per === 'terminal' ? `${id}|terminal ${owner}` : `${id}|terminal ${owner} year ${deduction.businessDate.slice(0, 4)}`;
    }
  }
}

function toFen(amount: Decimal): number {
  return amount.times(100).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber();
}

/**
 * The allowance this deduction consumes, or null when no allowance with a matching label has
 * room for it in its period. `alreadyUsed` maps usage keys to fen already deducted in that
 * period; it is not modified. An allowance is a budget per period, so two 24.00 data-fee
 * deductions in one year fit a "48.00 per year" allowance, and a 60.00 one does not.
 */
export function matchAllowedDeduction(
  contract: Contract,
  deduction: DeductionSubject,
  alreadyUsed: ReadonlyMap<string, number>,
): AllowanceUse | null {
  const deductedFen = toFen(deduction.amount.abs());
  for (const allowance of allowancesForLabel(contract, deduction.label)) {
    const usageKey = allowanceUsageKey(allowance, deduction);
    const budgetFen = toFen(allowance.amount);
    const usedFen = (alreadyUsed.get(usageKey) ?? 0) + deductedFen;
    if (usedFen <= budgetFen) {
      return { allowance, usageKey, usedFen, remaining: new Decimal(budgetFen - usedFen).div(100) };
    }
  }
  return null;
}

export interface AllowanceExceeded {
  allowance: AllowedDeduction;
  usageKey: string;
  /** What the allowance still permitted in the period before this deduction (may be zero). */
  remaining: Decimal;
  /** The part of the deduction beyond it. */
  excess: Decimal;
  /** Fen used in the period once the remaining budget is spent: store it with `usage.set(usageKey, usedFen)`. */
  usedFen: number;
}

/**
 * For a deduction no allowance had room for (matchAllowedDeduction gave null): the first
 * allowance whose label matches, what was left of its period budget and the excess beyond it.
 * A 60.00 流量费 against a 48.00 yearly allowance is 12.00 over, not 60.00 unexplained. Null
 * when no allowance's label matches.
 */
export function exceededAllowance(
  contract: Contract,
  deduction: DeductionSubject,
  alreadyUsed: ReadonlyMap<string, number>,
): AllowanceExceeded | null {
  const allowance = allowancesForLabel(contract, deduction.label)[0];
  if (!allowance) return null;
  const usageKey = allowanceUsageKey(allowance, deduction);
  const budgetFen = toFen(allowance.amount);
  const remainingFen = Math.max(0, budgetFen - (alreadyUsed.get(usageKey) ?? 0));
  const remaining = new Decimal(remainingFen).div(100);
  return { allowance, usageKey, remaining, excess: deduction.amount.abs().minus(remaining), usedFen: budgetFen };
}

/**
 * Words of a line that gives money back (首刷押金退还, 误扣款返还, 退还多扣除手续费), makes up a
 * shortfall (调账 补差), reverses a deduction (误扣款冲回) or refunds a fee (服务费退款): with a
 * positive sign it is money in, whatever else it says.
 */
const RETURNED = /退还|返还|补差|补款|补付|调增|扣款冲回|扣费冲回|手续费退款|服务费退款|费用退款/u;
/**
 * 退回 and 返回 say money back unless a word of taking comes after them: 押金退回, 误扣款退回 and
 * 拒付退回 are money in, 退回扣款 is not. A bare 退款 or 冲回 says no direction of its own: 拒付扣款
 * 持卡人申请退款 (a chargeback), 重复结算冲回 and 误入账冲回 take money back from the merchant.
 */
const RETURNED_WEAK = /退回|返回/gu;
const TAKEN = /扣款|扣除|扣费|扣减|调减|拒付|退款|冲回/gu;

/** Where the last match of a global pattern in `text` ends; -1 for none. */
function lastMatchEnd(pattern: RegExp, text: string): number {
  let end = -1;
  for (const m of text.matchAll(pattern)) end = Math.max(end, (m.index ?? 0) + m[0].length);
  return end;
}

/** A weak return word that no word of taking follows. */
function saysReturnedLast(label: string): boolean {
  const back = lastMatchEnd(RETURNED_WEAK, label);
  return back >= 0 && back > lastMatchEnd(TAKEN, label);
}

/**
 * Words of an adjustment that says no direction (调账, 差错调整): a positive one is money in only in
 * a file that prints its deductions negative; a file printing every deduction as a positive
 * amount prints 差错扣款 200.00 for money taken.
 */
const ADJUSTMENT = /调账|差错|调整/u;

/**
 * Settlement files (by name) that print a deduction as a negative amount in its net or amount
 * cell: their signs say the direction. (Not the sign deductionMoney gives a fee-only line.)
 */
export function signedDeductionFiles(lines: readonly { txnType: string; amount?: Decimal; net?: Decimal; source: { file: string } }[]): Set<string> {
  const files = new Set<string>();
  for (const d of lines) if (d.txnType === 'deduction' && (d.net ?? d.amount)?.isNegative()) files.add(d.source.file);
  return files;
}

/** A deduction-kind line that pays money in: positive, and worded as a return or a make-up (押金退还, 调账 补差). */
export function isMoneyBack(label: string, signed: Decimal, opts: { signedFile?: boolean } = {}): boolean {
  if (!signed.gt(0)) return false;
  if (RETURNED.test(label) || saysReturnedLast(label)) return true;
  return opts.signedFile === true && ADJUSTMENT.test(label) && lastMatchEnd(TAKEN, label) < 0;
}

/** The words a deduction line is judged by: its type and memo. */
export function deductionLabel(d: { rawType?: string; memo?: string }): string {
  return [d.rawType, d.memo].filter(Boolean).join(' ') || 'deduction';
}

/**
 * The money a deduction line moves, signed as the merchant sees it (negative: taken): its net when
 * printed; else, for a line printing only a fee (amount 0.00, 手续费 365.00, blank net), that fee,
 * taken; else its amount as printed.
 */
export function deductionMoney(d: { amount?: Decimal; fee?: Decimal; net?: Decimal }): Decimal {
  if (d.net !== undefined) return d.net;
  if (d.fee !== undefined && !d.fee.isZero() && (d.amount === undefined || d.amount.isZero())) return d.fee.abs().neg();
  return d.amount ?? new Decimal(0);
}

export type DeductionVerdict =
  | { kind: 'returned' }
  | { kind: 'allowed'; use: AllowanceUse }
  | { kind: 'exceeded'; over: AllowanceExceeded }
  | { kind: 'extra' };

/**
 * The order allowances are spent in: by date, then as printed (file, line). Both the settlement
 * side and the bank leg judge deductions in it, so a budget goes to the line booked first.
 */
export function deductionOrder(a: CanonicalRecord, b: CanonicalRecord): number {
  const da = a.settleDate ?? a.time ?? '';
  const db = b.settleDate ?? b.time ?? '';
  if (da !== db) return da < db ? -1 : 1;
  if (a.source.file !== b.source.file) return a.source.file < b.source.file ? -1 : 1;
  return a.source.line - b.source.line;
}

/**
 * One settlement deduction line judged against the contract's allowances, spending `usage` as it
 * goes (the caller keeps it across the lines, in date order). A positive line whose words say it
 * is given back spends nothing; an allowed kind beyond its budget spends what was left of it.
 * The settlement findings and the bank leg's replay of them both judge lines here.
 */
export function judgeDeduction(contract: Contract, deduction: DeductionSubject & { signed: Decimal; signedFile?: boolean }, usage: Map<string, number>): DeductionVerdict {
  if (isMoneyBack(deduction.label, deduction.signed, { signedFile: deduction.signedFile })) return { kind: 'returned' };
  const use = matchAllowedDeduction(contract, deduction, usage);
  if (use) {
    usage.set(use.usageKey, use.usedFen);
    return { kind: 'allowed', use };
  }
  const over = exceededAllowance(contract, deduction, usage);
  if (over) {
    usage.set(over.usageKey, over.usedFen);
    return { kind: 'exceeded', over };
  }
  return { kind: 'extra' };
}
