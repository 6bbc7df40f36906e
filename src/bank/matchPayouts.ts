// Expected payouts ↔ acquirer-looking bank credits. Exclusive (a credit pays payouts of one
// merchant, and at most once), highest fidelity first, deterministic (no dependence on file or
// row order beyond the booking order of the statement):
//
//   1. exact amount, one credit ↔ one payout, in the payout's window; ties go to the credit whose
//      memo/counterparty names the payout (payout id, merchant id, date), then the nearest date;
//   2. one credit = the exact sum of 2…MAX_MERGED_PAYOUTS consecutive payouts of one merchant
//      (a weekend or holiday paid at once), booked inside the window of the latest of them; a
//      deduction-only day (negative payout) may be netted into the run;
//   3. several credits in the window = the exact sum of one payout (per-terminal or D0 payouts),
//      searched over at most MAX_SPLIT_CANDIDATES credits (≤ 2^16 subsets); more than one fitting
//      set is `ambiguous`, never guessed;
//   4. only then, the closest unclaimed credit in the window within max(rate × payout, amount)
//      (contract `payoutTolerance`, default 2% or ¥50): short or over, with a likely cause;
//   5. several credits together within that tolerance of one payout;
//   6. one credit within that tolerance of consecutive payouts of one merchant (a holiday paid
//      at once less a transfer fee).
//
// Window: booking date from the settlement date to payoutWindowDays calendar days after it.
import { Decimal } from 'decimal.js';
import type { CanonicalRecord, LocalDate } from '../model.js';
import { formatYuan } from '../normalise/amount.js';
import type { ExpectedPayout } from './payouts.js';
import { lineNet } from './payouts.js';
import { bookingDate, cmp, daysBetween, movementOf, normText, rowText, where } from './rows.js';

/**
 * A credit giving money back (押金退还, 退押金, 退款, 返还) — or naming a deposit without taking
 * one (扣押金 is a payout less its deposit): no payout paid near its amount. 差错 and 调账 say no
 * direction (差错扣款 is money taken): they do not count (review CF).
 */
function givesMoneyBack(c: CanonicalRecord): boolean {
  const text = rowText(c);
  return /退还|退回|返还|退款|返现|冲回/u.test(text) || (/押金|保证金/u.test(text) && !/扣/u.test(text));
}

/** Pass 2 bound: at most this many consecutive payouts merged into one credit (Golden Week + weekend). */
export const MAX_MERGED_PAYOUTS = 10;
/** Pass 3 bound: the split search looks at the nearest 16 candidate credits of a payout, so ≤ 2^16 subsets. */
export const MAX_SPLIT_CANDIDATES = 16;
/** Pass 3: fitting sets listed on an ambiguous payout. */
const MAX_LISTED_SETS = 4;

export type PayoutStatus = 'matched' | 'merged' | 'split' | 'short' | 'over' | 'ambiguous' | 'missing' | 'pending' | 'nothing_due';

export interface LikelyCause {
  code: 'bank_debit' | 'line_withheld' | 'deduction_not_taken' | 'fees_not_deducted' | 'unknown';
  text: string;
  row?: CanonicalRecord;
}

export interface PayoutOutcome {
  payout: ExpectedPayout;
  status: PayoutStatus;
  /** The credits that paid it (a merged payout shares its one credit with `mergedWith`). */
  credits: CanonicalRecord[];
  /** Money credited for this payout: Σ credits, or the payout's own share of a merged credit. */
  credited?: Decimal;
  /** credited − expected, for short and over. */
  difference?: Decimal;
  mergedWith?: ExpectedPayout[];
  /** Ambiguous: the sets of credits that fit equally well (or each within tolerance: `nearSets`). */
  candidates?: CanonicalRecord[][];
  /** Ambiguous: several sets of credits come within tolerance, none exactly. */
  nearSets?: boolean;
  cause?: LikelyCause;
  /** Search limits that applied (more candidate credits than the split search looks at). */
  note?: string;
}

export interface MatchPayoutsInput {
  payouts: ExpectedPayout[];
  /** Acquirer-looking credits, in booking order. */
  credits: CanonicalRecord[];
  /** Every debit row, for the likely cause of a short payout. */
  debits: CanonicalRecord[];
  tolerance: { rate: Decimal; amount: Decimal };
  asOf: LocalDate;
  /**
   * The date ranges the statement files cover (first to last booking date of each file): a
   * window one of them covers from its start to past its end saw no credit, or the credit is there.
   */
  statementSpans?: { from: LocalDate; to: LocalDate }[];
  /** Banks book nothing on days off: statements a weekend or holiday apart join up. */
  isWorkingDay?: (date: LocalDate) => boolean;
  /** Credits whose counterparty or memo names an acquirer: they win a tie over a bare 结算款. */
  namesAcquirer?: ReadonlySet<CanonicalRecord>;
}

export interface MatchPayoutsResult {
  outcomes: PayoutOutcome[];
  /** Credits that paid payouts, with the outcomes they paid. */
  paid: Map<CanonicalRecord, PayoutOutcome[]>;
  /** Credits held by an ambiguous payout: a person decides. */
  reserved: Map<CanonicalRecord, PayoutOutcome>;
}

const yuan = (d: Decimal): string => formatYuan(d, { thousands: true });
const creditOf = (c: CanonicalRecord): Decimal => movementOf(c).amount;
// Integer fen for the subset search, rounded by decimal.js (a net can carry sub-fen digits), so the
// number handed to JS arithmetic is always an exact integer.
const fen = (d: Decimal): number => d.times(100).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber();

/**
 * Whether the spans run without a gap from `from` to past `to`: joined where they overlap, touch,
 * or only days off lie between them (a Mon–Fri statement and the next week's).
 */
export function coveredPast(
  spans: readonly { from: LocalDate; to: LocalDate }[],
  from: LocalDate,
  to: LocalDate,
  isWorkingDay: (date: LocalDate) => boolean = () => true,
): boolean {
  /** The first day after `d` that is a working day (or `limit`, whichever comes first). */
  const nextWorking = (d: LocalDate, limit: LocalDate): LocalDate => {
    let x = nextDay(d);
    while (x < limit && !isWorkingDay(x)) x = nextDay(x);
    return x;
  };
  const sorted = [...spans].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  let reach: LocalDate | null = null; // covered without a gap from `from` up to this date
  for (const s of sorted) {
    if (reach === null) {
      if (s.from > from) return false;
      if (s.to >= from) reach = s.to;
    } else if (s.from <= nextWorking(reach, s.from)) {
      if (s.to > reach) reach = s.to;
    } else break;
  }
  return reach !== null && reach > to;
}

function nextDay(d: LocalDate): LocalDate {
  const t = new Date(`${d}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + 1);
  return t.toISOString().slice(0, 10);
}

export function matchPayouts(input: MatchPayoutsInput): MatchPayoutsResult {
  const { payouts, credits, tolerance, asOf } = input;
  const order = new Map(credits.map((c, i) => [c, i]));
  const outcome = new Map<ExpectedPayout, PayoutOutcome>();
  const paid = new Map<CanonicalRecord, PayoutOutcome[]>();
  const reserved = new Map<CanonicalRecord, PayoutOutcome>();
  const free = (c: CanonicalRecord) => !paid.has(c) && !reserved.has(c);
  const open = (p: ExpectedPayout) => !outcome.has(p);
  const positive = payouts.filter((p) => p.amount.gt(0));

  // Ids a credit's memo may name. A credit naming another merchant or payout is not this one's.
  const tokens = new Set<string>();
  for (const p of payouts) {
    if (p.merchantId && p.merchantId.length >= 6) tokens.add(normText(p.merchantId));
    if (p.payoutId) tokens.add(normText(p.payoutId));
  }
  const mentions = new Map<CanonicalRecord, Set<string>>();
  for (const c of credits) {
    const text = rowText(c);
    mentions.set(c, new Set([...tokens].filter((t) => text.includes(t))));
  }
  const allowed = (p: ExpectedPayout, c: CanonicalRecord): boolean => {
    const m = mentions.get(c)!;
    if (m.size === 0) return true;
    return (!!p.merchantId && m.has(normText(p.merchantId))) || (!!p.payoutId && m.has(normText(p.payoutId)));
  };
  const hint = (p: ExpectedPayout, c: CanonicalRecord): number => {
    const m = mentions.get(c)!;
    const text = rowText(c);
    let score = 0;
    if (p.payoutId && m.has(normText(p.payoutId))) score += 8;
    if (p.merchantId && m.has(normText(p.merchantId))) score += 4;
    if (input.namesAcquirer?.has(c)) score += 2;
    if (text.includes(p.date) || text.includes(p.date.replace(/-/g, ''))) score += 1;
    return score;
  };
  const inWindow = (p: ExpectedPayout, c: CanonicalRecord): boolean => {
    const d = bookingDate(c);
    return d >= p.date && d <= p.windowEnd;
  };
  const distance = (p: ExpectedPayout, c: CanonicalRecord): number => daysBetween(p.date, bookingDate(c));
  const byAmount = new Map<string, CanonicalRecord[]>();
  for (const c of credits) {
    const k = creditOf(c).toString();
    const list = byAmount.get(k);
    if (list) list.push(c);
    else byAmount.set(k, [c]);
  }
  const settle = (o: PayoutOutcome) => {
    outcome.set(o.payout, o);
    for (const c of o.credits) {
      if (o.status === 'ambiguous') continue;
      const list = paid.get(c);
      if (list) list.push(o);
      else paid.set(c, [o]);
    }
  };

  // --- 1. exact amount, one ↔ one -------------------------------------------------------------
  const exact: { p: ExpectedPayout; c: CanonicalRecord; hint: number; dist: number }[] = [];
  for (const p of positive) {
    for (const c of byAmount.get(p.amount.toString()) ?? []) {
      if (inWindow(p, c) && allowed(p, c)) exact.push({ p, c, hint: hint(p, c), dist: distance(p, c) });
    }
  }
  exact.sort((a, b) => b.hint - a.hint || a.dist - b.dist || order.get(a.c)! - order.get(b.c)! || cmp(a.p.date, b.p.date) || cmp(a.p.key, b.p.key));
  for (const { p, c } of exact) {
    if (!open(p) || !free(c)) continue;
    settle({ payout: p, status: 'matched', credits: [c], credited: creditOf(c) });
  }

  // --- 2. one credit = consecutive payouts of one merchant ------------------------------------
  const byMerchant = new Map<string, ExpectedPayout[]>();
  for (const p of payouts) {
    // A deduction-only day (negative) can be netted into a merged credit; a zero payout adds nothing.
    if (p.amount.isZero()) continue;
    const k = p.merchantId ?? '';
    const list = byMerchant.get(k);
    if (list) list.push(p);
    else byMerchant.set(k, [p]);
  }
  for (const list of byMerchant.values()) list.sort((a, b) => cmp(a.date, b.date) || cmp(a.key, b.key));
  /** Runs of 2…MAX_MERGED_PAYOUTS consecutive open payouts of one merchant that expect money in all. */
  function* openRuns(): Generator<{ run: ExpectedPayout[]; sum: Decimal; latest: ExpectedPayout }> {
    for (const list of byMerchant.values()) {
      for (let i = 0; i < list.length; i++) {
        if (!open(list[i])) continue;
        let sum = list[i].amount;
        for (let j = i + 1; j < list.length && j - i < MAX_MERGED_PAYOUTS; j++) {
          if (!open(list[j])) break;
          sum = sum.plus(list[j].amount);
          if (!sum.gt(0)) continue;
          const run = list.slice(i, j + 1);
          yield { run, sum, latest: run[run.length - 1] };
        }
      }
    }
  }
  const merged: { run: ExpectedPayout[]; c: CanonicalRecord; hint: number; dist: number }[] = [];
  for (const { run, sum, latest } of openRuns()) {
    for (const c of byAmount.get(sum.toString()) ?? []) {
      if (!free(c) || !inWindow(latest, c) || !run.every((p) => allowed(p, c))) continue;
      merged.push({ run, c, hint: Math.max(...run.map((p) => hint(p, c))), dist: distance(latest, c) });
    }
  }
  merged.sort((a, b) => b.hint - a.hint || a.dist - b.dist || a.run.length - b.run.length || order.get(a.c)! - order.get(b.c)! || cmp(a.run[0].key, b.run[0].key));
  for (const { run, c } of merged) {
    if (!free(c) || !run.every(open)) continue;
    for (const p of run) {
      settle({ payout: p, status: 'merged', credits: [c], credited: p.amount, mergedWith: run.filter((q) => q !== p) });
    }
  }

  // --- 3. several credits = one payout ----------------------------------------------------------
  const searchNotes = new Map<ExpectedPayout, string>();
  for (const p of positive) {
    if (!open(p)) continue;
    const pool = credits
      .filter((c) => free(c) && inWindow(p, c) && allowed(p, c) && creditOf(c).lt(p.amount))
      .sort((a, b) => distance(p, a) - distance(p, b) || order.get(a)! - order.get(b)!);
    if (pool.length < 2) continue;
    const searched = pool.slice(0, MAX_SPLIT_CANDIDATES);
    const sets = subsetsSummingTo(searched, p.amount);
    const note = pool.length > searched.length ? `split search looked at the ${searched.length} nearest of ${pool.length} candidate credits` : undefined;
    if (note) searchNotes.set(p, note);
    if (sets.length === 1) {
      const set = sets[0].sort((a, b) => order.get(a)! - order.get(b)!);
      settle({ payout: p, status: 'split', credits: set, credited: p.amount, note });
    } else if (sets.length > 1) {
      const union = [...new Set(sets.flat())].sort((a, b) => order.get(a)! - order.get(b)!);
      const o: PayoutOutcome = { payout: p, status: 'ambiguous', credits: union, candidates: sets.map((s) => s.sort((a, b) => order.get(a)! - order.get(b)!)), note };
      settle(o);
      for (const c of union) reserved.set(c, o);
    }
  }

  // --- 4. closest credit within tolerance -----------------------------------------------------
  const near: { p: ExpectedPayout; c: CanonicalRecord; diff: Decimal; dist: number }[] = [];
  for (const p of positive) {
    if (!open(p)) continue;
    const allowance = Decimal.max(p.amount.times(tolerance.rate), tolerance.amount);
    for (const c of credits) {
      // A credit saying it gives money back (押金退还) is no payout paid near its amount.
      if (!free(c) || !inWindow(p, c) || !allowed(p, c) || givesMoneyBack(c)) continue;
      const diff = creditOf(c).minus(p.amount);
      if (!diff.isZero() && diff.abs().lte(allowance)) near.push({ p, c, diff, dist: distance(p, c) });
    }
  }
  near.sort((a, b) => a.diff.abs().comparedTo(b.diff.abs()) || a.dist - b.dist || order.get(a.c)! - order.get(b.c)! || cmp(a.p.date, b.p.date) || cmp(a.p.key, b.p.key));
  for (const cand of near) {
    const { p, c, diff, dist } = cand;
    if (!open(p) || !free(c)) continue;
    const ties = near.filter((o) => o !== cand && o.p === p && free(o.c) && o.dist === dist && o.diff.abs().eq(diff.abs()));
    if (ties.length > 0) {
      const set = [c, ...ties.map((t) => t.c)].sort((a, b) => order.get(a)! - order.get(b)!);
      const o: PayoutOutcome = { payout: p, status: 'ambiguous', credits: set, candidates: set.map((x) => [x]) };
      settle(o);
      for (const x of set) reserved.set(x, o);
      continue;
    }
    settle({
      payout: p,
      status: diff.isNegative() ? 'short' : 'over',
      credits: [c],
      credited: creditOf(c),
      difference: diff,
      cause: likelyCause(p, c, diff, input.debits),
    });
  }

  // --- 5. several credits, together within tolerance -----------------------------------------
  // A payout paid per terminal (or split) and short by a withheld deduction: its credits are the
  // only set in its window that comes within tolerance. Last, so that a single credit or an exact
  // set claims first. Every payout's sets are found before any is claimed, and claimed closest
  // first (as pass 4): windows overlap, and the first payout in date order must not take the
  // next one's credits. Several sets for one payout: the person decides.
  const fitting: { p: ExpectedPayout; sets: CanonicalRecord[][]; note?: string }[] = [];
  for (const p of positive) {
    if (!open(p)) continue;
    const allowance = Decimal.max(p.amount.times(tolerance.rate), tolerance.amount);
    const pool = credits
      .filter((c) => free(c) && inWindow(p, c) && allowed(p, c) && creditOf(c).lt(p.amount) && !givesMoneyBack(c))
      .sort((a, b) => distance(p, a) - distance(p, b) || order.get(a)! - order.get(b)!);
    if (pool.length < 2) continue;
    const sets = subsetsWithin(pool.slice(0, MAX_SPLIT_CANDIDATES), p.amount.minus(allowance), p.amount.plus(allowance));
    const note = pool.length > MAX_SPLIT_CANDIDATES ? `split search looked at the ${MAX_SPLIT_CANDIDATES} nearest of ${pool.length} candidate credits` : undefined;
    if (sets.length > 0) fitting.push({ p, sets: sets.map((x) => x.sort((a, b) => order.get(a)! - order.get(b)!)), ...(note ? { note } : {}) });
  }
  const sumOf = (set: CanonicalRecord[]) => set.reduce((acc, c) => acc.plus(creditOf(c)), new Decimal(0));
  const single = fitting
    .filter((f) => f.sets.length === 1)
    .map((f) => ({ ...f, set: f.sets[0], diff: sumOf(f.sets[0]).minus(f.p.amount), dist: Math.max(...f.sets[0].map((c) => distance(f.p, c))) }));
  single.sort((a, b) => a.diff.abs().comparedTo(b.diff.abs()) || a.dist - b.dist || order.get(a.set[0])! - order.get(b.set[0])! || cmp(a.p.date, b.p.date) || cmp(a.p.key, b.p.key));
  for (const { p, set, diff, note } of single) {
    if (!open(p) || !set.every(free)) continue;
    // The same credits fit another open payout as closely: not this one's to take.
    const rival = single.some((o) => o.p !== p && open(o.p) && o.set.every(free) && o.diff.abs().eq(diff.abs()) && o.set.some((c) => set.includes(c)));
    if (rival) continue;
    settle({ payout: p, status: diff.isNegative() ? 'short' : 'over', credits: set, credited: sumOf(set), difference: diff, cause: likelyCause(p, set[set.length - 1], diff, input.debits), ...(note ? { note } : {}) });
  }
  // What is still open, with the sets still free, judged together: a payout left with one set
  // that no other open payout wants takes it; anything contested is for a person.
  const remaining = fitting
    .filter((f) => open(f.p))
    .map((f) => ({ ...f, left: f.sets.filter((set) => set.every(free)) }))
    .filter((f) => f.left.length > 0);
  const wanted = new Map<CanonicalRecord, number>();
  for (const f of remaining) for (const c of new Set(f.left.flat())) wanted.set(c, (wanted.get(c) ?? 0) + 1);
  for (const { p, left, note } of remaining) {
    const union = [...new Set(left.flat())].sort((a, b) => order.get(a)! - order.get(b)!);
    if (left.length === 1 && union.every((c) => wanted.get(c) === 1)) {
      // The others' credits went to other payouts: one set is left, and only this payout wants it.
      const [set] = left;
      const diff = sumOf(set).minus(p.amount);
      settle({ payout: p, status: diff.isNegative() ? 'short' : 'over', credits: set, credited: sumOf(set), difference: diff, cause: likelyCause(p, set[set.length - 1], diff, input.debits), ...(note ? { note } : {}) });
      continue;
    }
    const o: PayoutOutcome = { payout: p, status: 'ambiguous', credits: union, candidates: left, nearSets: true, ...(note ? { note } : {}) };
    settle(o);
    for (const c of union) reserved.set(c, o);
  }

  // --- 6. one credit a little short of consecutive payouts of one merchant -------------------------
  // A holiday's payouts paid at once less a transfer fee (8 days of 国庆, one credit ¥2.00 short):
  // the short lump sum, not eight payouts 未到账 and an unexplained credit. Short only (a fee is
  // taken, never added: a credit above two held days is something else, a 押金退还 — review CE),
  // and never a credit saying it gives money back. Last: any exact or single explanation claims
  // first. Closest first; two runs equally close for one credit are left alone.
  const nearRuns: { run: ExpectedPayout[]; c: CanonicalRecord; diff: Decimal; dist: number }[] = [];
  for (const { run, sum, latest } of openRuns()) {
    const allowance = Decimal.max(sum.times(tolerance.rate), tolerance.amount);
    for (const c of credits) {
      if (!free(c) || !inWindow(latest, c) || !run.every((p) => allowed(p, c)) || givesMoneyBack(c)) continue;
      const diff = creditOf(c).minus(sum);
      if (diff.isNegative() && diff.abs().lte(allowance)) nearRuns.push({ run, c, diff, dist: distance(latest, c) });
    }
  }
  nearRuns.sort((a, b) => a.diff.abs().comparedTo(b.diff.abs()) || a.dist - b.dist || a.run.length - b.run.length || order.get(a.c)! - order.get(b.c)! || cmp(a.run[0].key, b.run[0].key));
  for (const cand of nearRuns) {
    const { run, c, diff } = cand;
    if (!free(c) || !run.every(open)) continue;
    const tie = nearRuns.some((o) => o !== cand && (o.c === c || o.run.some((p) => run.includes(p))) && free(o.c) && o.run.every(open) && o.diff.abs().eq(diff.abs()) && o.dist === cand.dist);
    if (tie) continue;
    // The difference goes on the latest payout that expected money (a deduction-only day netted
    // in expects none).
    const latest = [...run].reverse().find((p) => p.amount.gt(0))!;
    for (const p of run) {
      const others = run.filter((q) => q !== p);
      if (p !== latest) settle({ payout: p, status: 'merged', credits: [c], credited: p.amount, mergedWith: others });
      else settle({ payout: p, status: diff.isNegative() ? 'short' : 'over', credits: [c], credited: p.amount.plus(diff), difference: diff, mergedWith: others, cause: likelyCause(p, c, diff, input.debits) });
    }
  }

  // --- What is left: not credited (yet) ---------------------------------------------------------
  for (const p of payouts) {
    if (!open(p)) continue;
    // Missing once the as-of date, or the statement itself, has passed the window: a statement
    // running past it proves no credit came in it, whatever the settlement files' date.
    const past = asOf > p.windowEnd || coveredPast(input.statementSpans ?? [], p.date, p.windowEnd, input.isWorkingDay);
    const status: PayoutStatus = !p.amount.gt(0) ? 'nothing_due' : past ? 'missing' : 'pending';
    const note = searchNotes.get(p);
    outcome.set(p, { payout: p, status, credits: [], ...(note ? { note } : {}) });
  }
  return { outcomes: payouts.map((p) => outcome.get(p)!), paid, reserved };
}

/**
 * Every set of ≥ 2 credits summing exactly to `target`, up to MAX_LISTED_SETS of them. Amounts
 * are positive, so a depth-first search over amounts in descending order prunes on the running
 * sum and the sum still available; the caller bounds the input to MAX_SPLIT_CANDIDATES.
 */
export function subsetsSummingTo(pool: CanonicalRecord[], target: Decimal): CanonicalRecord[][] {
  return subsetsWithin(pool, target, target);
}

/** Every set of ≥ 2 credits summing to between `low` and `high` (inclusive), up to MAX_LISTED_SETS of them. */
export function subsetsWithin(pool: CanonicalRecord[], low: Decimal, high: Decimal): CanonicalRecord[][] {
  const items = pool.map((c) => ({ c, v: fen(creditOf(c)) })).sort((a, b) => b.v - a.v);
  const lo = fen(low);
  const hi = fen(high);
  const suffix: number[] = new Array(items.length + 1).fill(0);
  for (let i = items.length - 1; i >= 0; i--) suffix[i] = suffix[i + 1] + items[i].v;
  const found: CanonicalRecord[][] = [];
  const chosen: number[] = [];
  // Each set once: a set is judged when its last credit is added.
  const walk = (from: number, sum: number): void => {
    for (let k = from; k < items.length && found.length < MAX_LISTED_SETS; k++) {
      if (sum + suffix[k] < lo) return;
      const next = sum + items[k].v;
      if (next > hi) continue;
      chosen.push(k);
      if (next >= lo && chosen.length >= 2) {
        const set = chosen.map((j) => items[j].c);
        // Fen arithmetic found it; confirm with exact decimals.
        const total = set.reduce((acc, c) => acc.plus(creditOf(c)), new Decimal(0));
        if (total.gte(low) && total.lte(high)) found.push(set);
      }
      walk(k + 1, next);
      chosen.pop();
    }
  };
  walk(0, 0);
  return found;
}

/** Why a near credit differs from its payout, when the files show a same-sized explanation. */
export function likelyCause(p: ExpectedPayout, credit: CanonicalRecord, diff: Decimal, debits: CanonicalRecord[]): LikelyCause {
  const gap = diff.abs();
  const day = bookingDate(credit);
  if (diff.isNegative()) {
    const sameSize = debits.filter((d) => movementOf(d).amount.eq(gap));
    const sameDay = sameSize.find((d) => bookingDate(d) === day);
    const inWindow = sameSize.find((d) => bookingDate(d) >= p.date && bookingDate(d) <= p.windowEnd);
    const debit = sameDay ?? inWindow;
    if (debit) {
      const label = [debit.memo, debit.counterparty].filter(Boolean).join(' / ');
      return {
        code: 'bank_debit',
        text: `a bank-side deduction of ¥${yuan(gap)} ${sameDay ? 'on the same day' : `on ${bookingDate(debit)}`} (${where(debit)}${label ? `, ${label}` : ''})`,
        row: debit,
      };
    }
    const withheld = p.lines.find((l) => l.txnType !== 'deduction' && lineNet(l).eq(gap));
    if (withheld) {
      return { code: 'line_withheld', text: `the settlement line at ${where(withheld)} (net ¥${yuan(gap)}) looks withheld from the payout`, row: withheld };
    }
    return { code: 'unknown', text: `no bank debit or settlement line of ¥${yuan(gap)}: ask the acquirer for the payout breakdown (a deduction not printed in the settlement file?)` };
  }
  const deduction = p.lines.find((l) => l.txnType === 'deduction' && lineNet(l).abs().eq(gap));
  if (deduction) {
    const label = [deduction.rawType, deduction.memo].filter(Boolean).join(' ') || 'deduction';
    return { code: 'deduction_not_taken', text: `the ${label} of ¥${yuan(gap)} printed at ${where(deduction)} was not taken from the payout`, row: deduction };
  }
  if (!p.deductions.isZero() && p.deductions.abs().eq(gap)) {
    return { code: 'deduction_not_taken', text: `the deductions printed in the settlement file (¥${yuan(gap)}) were not taken from the payout` };
  }
  if (!p.fees.isZero() && p.fees.eq(gap)) {
    return { code: 'fees_not_deducted', text: `paid gross: the fees of ¥${yuan(gap)} were not deducted` };
  }
  return { code: 'unknown', text: `no settlement line or deduction of ¥${yuan(gap)}: ask the acquirer (a line of another day paid early?)` };
}
