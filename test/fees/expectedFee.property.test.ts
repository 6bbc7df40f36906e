// Exactness: the fee must equal an integer-only reference for every amount and rate, in
// particular at the .xx5 ties where a float computation (4768 * 0.006 = 28.607999…) goes wrong.
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadContract } from '../../src/contract/contract.js';
import type { Contract, Rounding } from '../../src/contract/contract.js';
import { expectedFee } from '../../src/fees/expectedFee.js';

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
