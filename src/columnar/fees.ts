// The contract's expected fee in integer fen, for the fast path's clean-pair test. Same rules,
// same order and same rounding as fees/expectedFee.ts (which stays the reference, and which a
// property test holds this to); a rule this cannot compute exactly in integers returns
// undefined and the pair goes the reference way.
import type { Contract, FeeRule, PayoutMode } from '../contract/contract.js';
import type { CardType, LocalDate } from '../model.js';
import { ruleMatchesApartFromAmount } from '../fees/expectedFee.js';
import type { Decimal } from 'decimal.js';

export interface SaleFeeSubject {
  cardType: CardType;
  channel?: string;
  merchantId?: string;
  terminalId?: string;
  businessDate: LocalDate;
  mode: PayoutMode;
}

export interface FenRule {
  rule: FeeRule;
  /** Amount tiers in fen (exclusive lower, inclusive upper); null when absent. */
  above: number | null;
  atMost: number | null;
  /** rate = rateNum / rateDen exactly. */
  rateNum: number;
  rateDen: number;
  min: number | null;
  cap: number | null;
  fixed: number;
}

/** A Decimal with at most two decimals as safe-integer fen; undefined otherwise. */
function toFen(d: Decimal | undefined): number | null | undefined {
  if (d === undefined) return null;
  if (d.decimalPlaces() > 2) return undefined;
  const fen = d.times(100).toNumber();
  return Number.isSafeInteger(fen) ? fen : undefined;
}

function fenRule(rule: FeeRule): FenRule | undefined {
  const places = rule.rate.decimalPlaces();
  if (places > 12 || rule.rate.isNegative()) return undefined;
  const rateDen = 10 ** places;
  const rateNum = rule.rate.times(rateDen).toNumber();
  const above = toFen(rule.when.amountAbove);
  const atMost = toFen(rule.when.amountAtMost);
  const min = toFen(rule.min);
  const cap = toFen(rule.cap);
  const fixed = toFen(rule.fixed);
  if (!Number.isSafeInteger(rateNum) || above === undefined || atMost === undefined || min === undefined || cap === undefined || fixed === undefined) {
    return undefined;
  }
  return { rule, above, atMost, rateNum, rateDen, min, cap, fixed: fixed ?? 0 };
}

export type FenFee = { fee: number; rule: FeeRule } | null | undefined;

/** The rules that can apply to a subject, before the amount tiers; undefined entries cannot be judged in fen. */
export type FenCandidates = readonly (FenRule | undefined)[];

export interface SaleFeeRules {
  /** Which subject facts any rule looks at (the card type and mode always count). */
  uses: { channel: boolean; merchant: boolean; terminal: boolean; date: boolean };
  /** Candidate rules for a subject (memoised on the facts that matter). */
  candidates(subject: SaleFeeSubject): FenCandidates;
  /** The expected fee of `amountFen` under the first candidate whose tiers hold. */
  fee(candidates: FenCandidates, amountFen: number): FenFee;
  /**
   * The same as a number, for the hot loop (no object per row): the fee in fen, NO_RULE when no
   * rule covers the sale, NOT_IN_FEN when it cannot be computed exactly here.
   */
  feeFen(candidates: FenCandidates, amountFen: number): number;
}

export const NO_RULE = -1;
export const NOT_IN_FEN = -2;

export function saleFeeRules(contract: Contract): SaleFeeRules {
  const rounding = contract.fees.rounding;
  const memo = new Map<string, FenCandidates>();
  const rules = contract.fees.rules;
  const uses = {
    channel: rules.some((r) => r.when.channel),
    merchant: rules.some((r) => r.when.merchantId),
    terminal: rules.some((r) => r.when.terminalId),
    date: rules.some((r) => r.from !== undefined || r.until !== undefined),
  };
  return {
    uses,
    candidates(subject) {
      let key: string = `${subject.cardType}\u0000${subject.mode}`;
      if (uses.channel) key += `\u0000${subject.channel ?? '\u0001'}`;
      if (uses.merchant) key += `\u0000${subject.merchantId ?? '\u0001'}`;
      if (uses.terminal) key += `\u0000${subject.terminalId ?? '\u0001'}`;
      if (uses.date) key += `\u0000${subject.businessDate}`;
      let candidates = memo.get(key);
      if (!candidates) {
        candidates = rules.filter((r) => ruleMatchesApartFromAmount(r, { ...subject, txnType: 'sale' })).map(fenRule);
        memo.set(key, candidates);
      }
      return candidates;
    },
    fee(candidates, amountFen) {
      const i = ruleIndex(candidates, amountFen);
      if (i === NO_RULE) return null;
      const r = candidates[i];
      if (!r) return undefined;
      const fee = percentageFeeFen(amountFen, r, rounding);
      return fee === undefined ? undefined : { fee: fee + r.fixed, rule: r.rule };
    },
    feeFen(candidates, amountFen) {
      const i = ruleIndex(candidates, amountFen);
      if (i === NO_RULE) return NO_RULE;
      const r = candidates[i];
      if (!r) return NOT_IN_FEN;
      const fee = percentageFeeFen(amountFen, r, rounding);
      return fee === undefined ? NOT_IN_FEN : fee + r.fixed;
    },
  };
}

/**
 * Expected fee of a sale in fen: `{ fee, rule }`, `null` when no rule covers the sale (a
 * fee_unverified finding), `undefined` when it cannot be computed exactly here.
 */
export function saleFeeCalculator(contract: Contract): (subject: SaleFeeSubject, amountFen: number) => FenFee {
  const rules = saleFeeRules(contract);
  return (subject, amountFen) => rules.fee(rules.candidates(subject), amountFen);
}

/** Index of the first candidate whose tiers hold (an unjudgeable rule stops the search), or NO_RULE. */
function ruleIndex(candidates: FenCandidates, amountFen: number): number {
  for (let i = 0; i < candidates.length; i++) {
    const r = candidates[i];
    if (!r) return i; // a rule we cannot judge in fen comes first: let the reference decide
    if (r.above !== null && !(amountFen > r.above)) continue;
    if (r.atMost !== null && !(amountFen <= r.atMost)) continue;
    return i;
  }
  return NO_RULE;
}

/** round(amount × rate) to the fen, then min, then cap; undefined when the product is not a safe integer. */
function percentageFeeFen(amountFen: number, r: FenRule, rounding: Contract['fees']['rounding']): number | undefined {
  const product = amountFen * r.rateNum; // fen × rateDen
  if (!Number.isSafeInteger(product)) return undefined;
  const rem = product % r.rateDen;
  const q = (product - rem) / r.rateDen;
  let fee: number;
  switch (rounding) {
    case 'down': fee = q; break;
    case 'up': fee = rem > 0 ? q + 1 : q; break;
    case 'half-up': fee = 2 * rem >= r.rateDen ? q + 1 : q; break;
    case 'half-even': fee = 2 * rem > r.rateDen || (2 * rem === r.rateDen && q % 2 === 1) ? q + 1 : q; break;
  }
  if (r.min !== null && fee < r.min) fee = r.min;
  if (r.cap !== null && fee > r.cap) fee = r.cap;
  return fee;
}
