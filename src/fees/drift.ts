// Rate drift: the acquirer silently charging a different constant rate (a teaser rate raised
// after a few months, a credit rate of 0.63% instead of 0.60%). Reporting one line
// "from 2025-09-28 credit cards were charged 0.63%, contract says 0.60%" is far more useful
// than hundreds of per-transaction fee findings.
import { Decimal } from 'decimal.js';
import { formatPercent } from '../contract/contract.js';
import type { CardType, LocalDate } from '../model.js';
import type { Rounding } from '../contract/contract.js';
import { ROUNDING_MODES } from './expectedFee.js';

export interface DriftSample {
  cardType: CardType;
  businessDate: LocalDate;
  /** Transaction amount in yuan as printed (sign ignored). */
  amount: Decimal;
  /** Fee the acquirer charged (sign ignored). */
  actualFee: Decimal;
  /** Contract rate as a fraction (0.60% → 0.006). Pass only rows whose contract fee is rate × amount (no cap, min or fixed in play). */
  expectedRate: Decimal;
}

export interface Drift {
  cardType: CardType;
  /** The rate actually charged, e.g. "0.63%". */
  rate: string;
  rateFraction: Decimal;
  /** The contract rate, e.g. "0.60%". */
  contractRate: string;
  /** First and last business dates of the rows the drifted rate explains. */
  from: LocalDate;
  until: LocalDate;
  /** Rows the drifted rate reproduces exactly. */
  count: number;
  /** Rows of this card type and contract rate whose fee differed from the contract. */
  mismatched: number;
}

/** Rates are searched on a 0.0001% grid (1e-6 as a fraction). */
const RATE_STEP = new Decimal('0.000001');
const HALF_FEN = new Decimal('0.005');
const MIN_ROWS = 5;
const MIN_SHARE = 0.8;
/** Coarser grid steps are preferred: a contract says 0.63%, not 0.6297%. */
const ROUNDNESS_STEPS = [10000, 1000, 100, 10, 1];

const Exact = Decimal.clone({ precision: 60 });

/**
 * The grid rates k·RATE_STEP that reproduce `fee` on `amount` under half-up rounding:
 * half-up(amount × r) = fee  ⇔  fee − 0.005 ≤ amount × r < fee + 0.005.
 */
export function reproducingSteps(amount: Decimal, fee: Decimal, rounding: Rounding = 'half-up'): { low: number; high: number } | null {
  const a = fenOf(amount);
  const f = fenOf(fee);
  if (a === undefined || f === undefined || a <= 0n || f < 0n) return reproducingStepsExact(amount, fee, rounding);
  // In half-fen: half-up(x) = f ⇔ x ∈ [2f − 1, 2f + 1); down(x) = f ⇔ x ∈ [2f, 2f + 2);
  // up(x) = f ⇔ x ∈ (2f − 2, 2f]. A step k gives x = a · k · 1e-6 fen, i.e. k = x · 500000 / a.
  let low: bigint;
  let high: bigint;
  if (rounding === 'up') {
    low = floorDiv((2n * f - 2n) * 500000n, a) + 1n;
    high = floorDiv(2n * f * 500000n, a);
  } else {
    const [from, to] = rounding === 'down' ? [2n * f, 2n * f + 2n] : [2n * f - 1n, 2n * f + 1n];
    low = ceilDiv(from * 500000n, a);
    high = ceilDiv(to * 500000n, a) - 1n;
  }
  const lowStep = low > 0n ? low : 0n;
  return high >= lowStep ? { low: Number(lowStep), high: Number(high) } : null;
}

/** reproducingSteps in 60-digit Decimal arithmetic: any scale (WeChat prints fees to 1e-5). */
export function reproducingStepsExact(amount: Decimal, fee: Decimal, rounding: Rounding = 'half-up'): { low: number; high: number } | null {
  const unit = new Exact(amount.toString()).times(RATE_STEP.toString());
  const feeExact = new Exact(fee.toString());
  const fen = new Exact('0.01');
  let low: number;
  let high: number;
  if (rounding === 'up') {
    low = Decimal.max(0, feeExact.minus(fen).div(unit).floor().plus(1)).toNumber();
    high = feeExact.div(unit).floor().toNumber();
  } else {
    const [from, to] = rounding === 'down' ? [feeExact, feeExact.plus(fen)] : [feeExact.minus(HALF_FEN.toString()), feeExact.plus(HALF_FEN.toString())];
    low = Decimal.max(0, from.div(unit).ceil()).toNumber();
    high = to.div(unit).ceil().toNumber() - 1;
  }
  return high >= low ? { low, high } : null;
}

interface Interval {
  low: number;
  high: number;
  sample: DriftSample;
}

/** The grid rate inside the most intervals; among equals the roundest, then the lowest. */
function bestStep(intervals: Interval[]): number | null {
  const events = new Map<number, number>();
  for (const { low, high } of intervals) {
    events.set(low, (events.get(low) ?? 0) + 1);
    events.set(high + 1, (events.get(high + 1) ?? 0) - 1);
  }
  const positions = [...events.keys()].sort((a, b) => a - b);
  let depth = 0;
  let bestDepth = 0;
  let best: { step: number; roundness: number } | null = null;
  for (let i = 0; i < positions.length - 1; i++) {
    depth += events.get(positions[i]) ?? 0;
    const start = positions[i];
    const end = positions[i + 1] - 1; // depth is constant on [start, end]
    if (depth === 0 || depth < bestDepth) continue;
    for (const roundness of ROUNDNESS_STEPS) {
      const step = Math.ceil(start / roundness) * roundness;
      if (step > end) continue;
      if (depth > bestDepth || best === null || roundness > best.roundness) {
        best = { step, roundness };
        bestDepth = depth;
      }
      break;
    }
  }
  return best?.step ?? null;
}

/** ⌊p / q⌋ for q > 0. */
function floorDiv(p: bigint, q: bigint): bigint {
  const t = p / q;
  return t * q > p ? t - 1n : t;
}

/** ⌈p / q⌉ for q > 0 (BigInt division truncates toward zero). */
function ceilDiv(p: bigint, q: bigint): bigint {
  const t = p / q;
  return t * q < p ? t + 1n : t;
}

/**
 * A money value with at most two decimals as integer fen, else undefined. Drift analysis runs
 * over every differing fee: integer arithmetic here instead of 60-digit Decimal division.
 */
function fenOf(d: Decimal): bigint | undefined {
  if (d.decimalPlaces() > 2) return undefined;
  const text = d.toString();
  if (text.includes('e')) return undefined;
  const dot = text.indexOf('.');
  const digits = dot === -1 ? `${text}00` : text.slice(0, dot) + text.slice(dot + 1).padEnd(2, '0');
  return BigInt(digits);
}

/** Whether half-up(amount × rate) to the fen equals fee (all non-negative); integer fen when exact. */
export function reproducesFee(amount: Decimal, rate: Decimal, fee: Decimal, rounding: Rounding = 'half-up'): boolean {
  if (rounding !== 'half-up') return new Exact(amount.toString()).times(rate.toString()).toDecimalPlaces(2, ROUNDING_MODES[rounding]).eq(fee);
  const a = fenOf(amount);
  const f = fenOf(fee);
  const rateText = rate.toString();
  if (a === undefined || f === undefined || a < 0n || rateText.includes('e') || rate.isNegative()) return halfUpFee(amount, rate).eq(fee);
  const dot = rateText.indexOf('.');
  const numerator = BigInt(dot === -1 ? rateText : rateText.slice(0, dot) + rateText.slice(dot + 1));
  const scale = 10n ** BigInt(dot === -1 ? 0 : rateText.length - dot - 1);
  // fee in fen = a · numerator / scale, rounded half up: ⌊(2 · a · numerator + scale) / (2 · scale)⌋.
  return (2n * a * numerator + scale) / (2n * scale) === f;
}

/** Whether the fee is within one fen of the contract rate's fee on its amount. */
function oneFenOff(sample: DriftSample, rounding: Rounding): boolean {
  const contractFee = new Exact(sample.amount.abs().toString()).times(sample.expectedRate.toString()).toDecimalPlaces(2, ROUNDING_MODES[rounding]);
  return sample.actualFee.abs().minus(contractFee.toString()).abs().lte('0.01');
}

export function halfUpFee(amount: Decimal, rate: Decimal): Decimal {
  return new Exact(amount.toString()).times(rate.toString()).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
}

/**
 * Finds, per card type and contract rate, a constant rate that explains the fees differing from
 * the contract: it must reproduce (with the contract's rounding, to the fen) at least 80% of the differing rows and
 * at least 5 of them.
 *
 * Rather than rounding each row's actual/amount to the grid (noisy for small amounts, where one
 * fen is a large share of the fee), each row contributes the whole interval of grid rates that
 * reproduce its fee, and the rate covered by the most rows wins.
 */
export function detectRateDrift(samples: readonly DriftSample[], opts: { rounding: Rounding } = { rounding: 'half-up' }): Drift[] {
  const { rounding } = opts;
  const groups = new Map<string, DriftSample[]>();
  for (const sample of samples) {
    const key = `${sample.cardType}|${sample.expectedRate.toString()}`;
    const group = groups.get(key);
    if (group) group.push(sample);
    else groups.set(key, [sample]);
  }

  const drifts: Drift[] = [];
  for (const group of groups.values()) {
    const mismatched = group.filter(
      (sample) => !reproducesFee(sample.amount.abs(), sample.expectedRate, sample.actualFee.abs(), rounding),
    );
    if (mismatched.length < MIN_ROWS) continue;

    const intervals: Interval[] = [];
    for (const sample of mismatched) {
      if (sample.amount.isZero()) continue;
      const range = reproducingSteps(sample.amount.abs(), sample.actualFee.abs(), rounding);
      if (range) intervals.push({ ...range, sample });
    }
    const step = bestStep(intervals);
    if (step === null) continue;

    // A fee one fen off the contract's is a rounding slip: it neither supports nor contradicts a rate.
    const explained = intervals
      .filter(({ low, high, sample }) => low <= step && step <= high && !oneFenOff(sample, rounding))
      .map(({ sample }) => sample);
    if (explained.length === 0) continue;
    const dates = explained.map((sample) => sample.businessDate).sort();
    // A rate raised on the 15th is not contradicted by what differed before the 15th, nor by a
    // fee one fen off the contract's (a rounding slip): a real month has a few of those, and
    // they turned the detector off in the months that matter (review CH).
    const against = mismatched.filter((sample) => sample.businessDate >= dates[0] && !oneFenOff(sample, rounding));
    if (explained.length < MIN_ROWS || explained.length < MIN_SHARE * against.length) continue;

    const { cardType, expectedRate } = mismatched[0];
    const rateFraction = RATE_STEP.times(step);
    if (rateFraction.eq(expectedRate)) continue;
    drifts.push({
      cardType,
      rate: formatPercent(rateFraction),
      rateFraction,
      contractRate: formatPercent(expectedRate),
      from: dates[0],
      until: dates[dates.length - 1],
      count: explained.length,
      // The share tested: differing fees from its first day on, rounding slips aside.
      mismatched: against.length,
    });
  }
  return drifts.sort((a, b) => (a.from === b.from ? a.cardType.localeCompare(b.cardType) : a.from < b.from ? -1 : 1));
}
