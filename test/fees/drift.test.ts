import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { detectRateDrift, halfUpFee, reproducesFee, reproducingSteps, reproducingStepsExact } from '../../src/fees/drift.js';
import fc from 'fast-check';
import type { DriftSample } from '../../src/fees/drift.js';
import type { CardType } from '../../src/model.js';
import { posrecon } from '../cli/run.js';

function halfUp(amount: Decimal, rate: Decimal): Decimal {
  return amount.times(rate).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
}

/** Deterministic pseudo-random amounts (no Math.random, so failures reproduce). */
function amounts(count: number, seed: number): Decimal[] {
  const result: Decimal[] = [];
  let state = seed;
  for (let i = 0; i < count; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    result.push(new Decimal(50 + (state % 800000)).div(100)); // 0.50 … 8000.49 yuan
  }
  return result;
}

function day(offset: number): string {
  const date = new Date(Date.UTC(2025, 8, 1 + offset));
  return date.toISOString().slice(0, 10);
}

function series(cardType: CardType, contractRate: string, chargedRate: string, startDay: number, count: number, seed: number): DriftSample[] {
  const expectedRate = new Decimal(contractRate);
  const charged = new Decimal(chargedRate);
  return amounts(count, seed).map((amount, i) => ({
    cardType,
    businessDate: day(startDay + Math.floor(i / 3)),
    amount,
    actualFee: halfUp(amount, charged),
    expectedRate,
  }));
}

describe('detectRateDrift', () => {
  it('finds a teaser rate raised silently from 2025-09-28', () => {
    const before = series('credit', '0.006', '0.006', 0, 80, 1); // 2025-09-01 … 2025-09-27 at contract rate
    const after = series('credit', '0.006', '0.0063', 27, 40, 2); // from 2025-09-28 at 0.63%
    const debit = series('debit', '0.005', '0.005', 0, 50, 3);
    const drifts = detectRateDrift([...before, ...after, ...debit]);
    expect(drifts).toHaveLength(1);
    const [drift] = drifts;
    expect(drift).toMatchObject({ cardType: 'credit', rate: '0.63%', contractRate: '0.60%', from: '2025-09-28' });
    // Rows whose 0.63% fee happens to round to the 0.60% fee are not mismatches; all others are explained.
    expect(drift.count).toBe(drift.mismatched);
    expect(drift.count).toBeGreaterThan(30);
  });

  it('reports a rate with more decimals when that is what reproduces the fees', () => {
    const drifts = detectRateDrift(series('qr', '0.0038', '0.00385', 0, 40, 7));
    expect(drifts.map((d) => [d.rate, d.contractRate])).toEqual([['0.385%', '0.38%']]);
  });

  it('tolerates a few unexplained rows (≥ 80% explained)', () => {
    const drifting = series('credit', '0.006', '0.0063', 0, 40, 11);
    const noise: DriftSample[] = amounts(5, 99).map((amount) => ({
      cardType: 'credit',
      businessDate: '2025-09-02',
      amount,
      actualFee: halfUp(amount, new Decimal('0.006')).plus(1),
      expectedRate: new Decimal('0.006'),
    }));
    const [drift] = detectRateDrift([...drifting, ...noise]);
    expect(drift.rate).toBe('0.63%');
    expect(drift.mismatched - drift.count).toBe(5);
  });

  // Review CH: a month's rounding slips (one fen off) and what differed before the hike no longer
  // turn the detector off: 6 lines at 0.63% from the 15th, beside 5 slips of a fen before it.
  it('finds a mid-month hike beside one-fen rounding slips and earlier differences', () => {
    const hike = [1000, 1250, 2400, 800, 3000, 1500].map((yuan, i) => ({
      cardType: 'credit' as CardType, businessDate: `2025-11-${15 + i}`, amount: new Decimal(yuan), actualFee: halfUp(new Decimal(yuan), new Decimal('0.0063')), expectedRate: new Decimal('0.006'),
    }));
    const slips = ['1337.50', '1000.50', '2001.50', '501.50', '777.50'].map((yuan, i) => ({
      cardType: 'credit' as CardType, businessDate: `2025-11-0${3 + i}`, amount: new Decimal(yuan), actualFee: halfUp(new Decimal(yuan), new Decimal('0.006')).plus('0.01'), expectedRate: new Decimal('0.006'),
    }));
    const [drift] = detectRateDrift([...hike, ...slips]);
    expect(drift).toMatchObject({ rate: '0.63%', from: '2025-11-15', count: 6 });
  });

  it('reports nothing for one-fen rounding slips alone (review CI: 5 up and 3 down read as "0.601%")', () => {
    const run = posrecon(['reconcile', '-s', 'fixtures/fees/rounding-slips-no-drift/settlement.csv', '-c', 'fixtures/fees/rounding-slips-no-drift/contract.yaml', '--format', 'json']);
    const json = JSON.parse(run.stdout) as { summary: { counts: Record<string, number> } };
    expect(json.summary.counts).toMatchObject({ fee_drift: 0, fee_mismatch: 8 });
  });

  it('reports nothing for scattered differences', () => {
    const noise: DriftSample[] = amounts(20, 5).map((amount, i) => ({
      cardType: 'credit',
      businessDate: day(i),
      amount,
      actualFee: halfUp(amount, new Decimal('0.006')).plus(new Decimal(i % 7).div(10).plus('0.13')),
      expectedRate: new Decimal('0.006'),
    }));
    expect(detectRateDrift(noise)).toEqual([]);
  });

  it('needs at least 5 differing rows', () => {
    const few = series('credit', '0.006', '0.0063', 0, 40, 3)
      .filter((sample) => !halfUp(sample.amount, sample.expectedRate).eq(sample.actualFee))
      .slice(0, 4);
    expect(few).toHaveLength(4);
    expect(detectRateDrift(few)).toEqual([]);
  });

  it('keeps separate contract rates apart (dated rules)', () => {
    const old = series('credit', '0.006', '0.0065', 0, 30, 21);
    const renewed = series('credit', '0.0063', '0.0065', 30, 30, 22);
    const drifts = detectRateDrift([...old, ...renewed]);
    expect(drifts.map((d) => [d.from, d.rate, d.contractRate])).toEqual([
      ['2025-09-01', '0.65%', '0.60%'],
      ['2025-10-01', '0.65%', '0.63%'],
    ]);
  });
});

describe('integer fen arithmetic agrees with the 60-digit Decimal definitions', () => {
  const fen = (n: number, scale = 2) => new Decimal(n).div(new Decimal(10).pow(scale));

  it('reproducingSteps: the same grid interval for any amount and fee', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2_000_000_000 }), fc.integer({ min: 0, max: 50_000_000 }), fc.integer({ min: 0, max: 4 }), (amount, fee, feeScale) => {
        // Fee scales above 2 (WeChat's 0.05940) take the Decimal path; both must agree anyway.
        expect(reproducingSteps(fen(amount), fen(fee, feeScale))).toEqual(reproducingStepsExact(fen(amount), fen(fee, feeScale)));
      }),
      { numRuns: 3000 },
    );
  });

  it('reproducesFee: half-up(amount × rate) to the fen, as halfUpFee says', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2_000_000_000 }), fc.integer({ min: 0, max: 200_000 }), fc.integer({ min: 0, max: 100 }), (amount, rateMillionths, delta) => {
        const rate = new Decimal(rateMillionths).div(1e8); // 0–2% on a 1e-6 % grid
        const exact = halfUpFee(fen(amount), rate);
        for (const fee of [exact, exact.plus(fen(delta)), exact.minus(fen(delta)).abs()]) {
          expect(reproducesFee(fen(amount), rate, fee)).toBe(exact.eq(fee));
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('a D0 contract whose rule names no mode (review CJ)', () => {
  it('compares a line printing a 秒到 fee all-in: 6.30 + 0.50 on 1000.00 is 0.68%, above 0.65%', () => {
    const d = 'fixtures/fees/d0-contract-untagged-rule';
    const json = JSON.parse(posrecon(['reconcile', '-s', `${d}/settlement.csv`, '-c', `${d}/contract.yaml`, '--format', 'json']).stdout) as { findings: { kind: string; details: Record<string, unknown> }[] };
    expect(json.findings.filter((f) => f.kind === 'fee_mismatch').map((f) => f.details.reason)).toEqual(['rate above contract (charged ≈0.68%, contract 0.65%) (incl. 秒到 fee 0.50)']);
  });
});
