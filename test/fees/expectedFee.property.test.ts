// Exactness: the fee must equal an integer-only reference for every amount and rate, in
// particular at the .xx5 ties where a float computation (4768 * 0.006 = 28.607999…) goes wrong.
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadContract } from '../../src/contract/contract.js';
import type { Contract, Rounding } from '../../src/contract/contract.js';
import { expectedFee, roundedFeeInFen } from '../../src/fees/expectedFee.js';

/** fen × basis points / 10000, rounded to a whole fen, in BigInt only. */
function referenceFeeFen(fen: bigint, basisPoints: bigint, rounding: Rounding): bigint {
  const numerator = fen * basisPoints;
  const quotient = numerator / 10000n;
  const remainder = numerator % 10000n;
  switch (rounding) {
    case 'down': return quotient;
    case 'up': return remainder > 0n ? quotient + 1n : quotient;
    case 'half-up': return remainder >= 5000n ? quotient + 1n : quotient;
    case 'half-even':
      if (remainder > 5000n) return quotient + 1n;
      if (remainder < 5000n) return quotient;
      return quotient % 2n === 0n ? quotient : quotient + 1n;
  }
}

function yuan(fen: bigint): string {
  const whole = fen / 100n;
  const cents = (fen % 100n).toString().padStart(2, '0');
  return `${whole}.${cents}`;
}

const contracts = new Map<string, Contract>();
function contractFor(basisPoints: number, rounding: Rounding): Contract {
  const key = `${basisPoints}|${rounding}`;
  let contract = contracts.get(key);
  if (!contract) {
    const percent = (basisPoints / 100).toFixed(2); // 1 bp = 0.01%; toFixed on small integers is exact
    contract = loadContract(`fees:\n  rounding: ${rounding}\n  rules:\n    - rate: "${percent}%"\n`, 'contract.yaml');
    contracts.set(key, contract);
  }
  return contract;
}

function feeFor(fen: bigint, basisPoints: number, rounding: Rounding): string | undefined {
  const contract = contractFor(basisPoints, rounding);
  return expectedFee(contract, {
    cardType: 'credit',
    txnType: 'sale',
    amount: new Decimal(yuan(fen)),
    businessDate: '2025-10-01',
  })?.fee.toFixed(2);
}

const fenAmounts = fc.bigInt({ min: 0n, max: 1_000_000_000n });
const basisPointRates = fc.integer({ min: 1, max: 100 }); // 0.01% … 1.00% in 0.01% steps
const roundings = fc.constantFrom<Rounding>('half-up', 'half-even', 'down', 'up');

describe('expectedFee equals exact integer arithmetic', () => {
  it('for random amounts and rates, half-up', () => {
    fc.assert(
      fc.property(fenAmounts, basisPointRates, (fen, basisPoints) => {
        expect(feeFor(fen, basisPoints, 'half-up')).toBe(yuan(referenceFeeFen(fen, BigInt(basisPoints), 'half-up')));
      }),
      { numRuns: 2000 },
    );
  });

  it('for every rounding mode', () => {
    fc.assert(
      fc.property(fenAmounts, basisPointRates, roundings, (fen, basisPoints, rounding) => {
        expect(feeFor(fen, basisPoints, rounding)).toBe(yuan(referenceFeeFen(fen, BigInt(basisPoints), rounding)));
      }),
      { numRuns: 1000 },
    );
  });

  it('exactly on the half-fen boundary (fen × bp ≡ 5000 mod 10000)', () => {
    // At 0.50% (50 bp) an amount of 200k + 100 fen gives a fee of exactly k.5 fen.
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 5_000_000n }), roundings, (k, rounding) => {
        const fen = 200n * k + 100n;
        expect((fen * 50n) % 10000n).toBe(5000n);
        expect(feeFor(fen, 50, rounding)).toBe(yuan(referenceFeeFen(fen, 50n, rounding)));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('roundedFeeInFen (the integer route) agrees with the Decimal route', () => {
  const Exact = Decimal.clone({ precision: 60 });
  const roundings: Rounding[] = ['half-up', 'half-even', 'down', 'up'];
  const modes = { 'half-up': Decimal.ROUND_HALF_UP, 'half-even': Decimal.ROUND_HALF_EVEN, down: Decimal.ROUND_DOWN, up: Decimal.ROUND_UP } as const;
  it('for any amount (whole fen or finer) and any rate of up to 12 decimals, or declines', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 15n }),
        fc.integer({ min: 0, max: 3 }),
        fc.bigInt({ min: 0n, max: 10n ** 10n }),
        fc.integer({ min: 0, max: 12 }),
        fc.constantFrom(...roundings),
        (units, extraDecimals, rateUnits, rateScale, rounding) => {
          const amount = new Decimal(`${units}e-${2 + extraDecimals}`);
          const rate = new Decimal(`${rateUnits}e-${rateScale}`);
          const viaInteger = roundedFeeInFen(amount, rate, rounding);
          const viaDecimal = new Exact(amount.toString()).times(new Exact(rate.toString())).toDecimalPlaces(2, modes[rounding]);
          if (viaInteger !== undefined) expect(viaInteger.toFixed(2)).toBe(viaDecimal.toFixed(2));
          // Whole fen and a short rate: always the integer route (the one every sale line takes).
          if (extraDecimals === 0 && rateScale <= 6 && units < 10n ** 9n && rateUnits < 10n ** 6n) expect(viaInteger).toBeDefined();
        },
      ),
    );
  });
  it('at the ties of each rounding (a .5 fen)', () => {
    // 0.5% of 1.00 = 0.5 fen; 0.5% of 3.00 = 1.5 fen.
    const at = (a: string, r: Rounding) => roundedFeeInFen(new Decimal(a), new Decimal('0.005'), r)?.toFixed(2);
    expect([at('1.00', 'half-up'), at('1.00', 'half-even'), at('1.00', 'down'), at('1.00', 'up')]).toEqual(['0.01', '0.00', '0.00', '0.01']);
    expect([at('3.00', 'half-up'), at('3.00', 'half-even'), at('3.00', 'down'), at('3.00', 'up')]).toEqual(['0.02', '0.02', '0.01', '0.02']);
  });
});
