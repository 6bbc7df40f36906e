// The fast path's integer-fen fee must equal the reference Decimal fee for every rule shape,
// rounding mode and amount, or decline (undefined) so the reference decides.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { loadContract } from '../../src/contract/contract.js';
import { expectedFee } from '../../src/fees/expectedFee.js';
import { saleFeeCalculator } from '../../src/columnar/fees.js';

const ROUNDINGS = ['half-up', 'half-even', 'down', 'up'] as const;

describe('saleFeeCalculator', () => {
  it('equals expectedFee (Decimal) to the fen, or declines', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ROUNDINGS),
        fc.constantFrom('0.38%', '0.5%', '0.55%', '0.6%', '0.385%', '1.25%', '0.0125%', '0%'),
        fc.option(fc.constantFrom('20.00', '25', '0.50'), { nil: undefined }),
        fc.option(fc.constantFrom('0.01', '1.00', '3'), { nil: undefined }),
        fc.option(fc.constantFrom('1.00', '0.50', '2'), { nil: undefined }),
        fc.option(fc.constantFrom('1000.00', '50'), { nil: undefined }),
        fc.oneof(fc.integer({ min: 1, max: 2_000_000 }), fc.integer({ min: 1, max: 99_999_999_999 })),
        fc.constantFrom('debit', 'credit', 'qr'),
        (rounding, rate, cap, min, fixed, tier, amountFen, cardType) => {
          fc.pre(!(cap && min && new Decimal(min).gt(cap))); // the contract reader refuses min > cap
          const rule = [
            `    - when: { cardType: ${cardType}${tier ? `, amountAtMost: "${tier}"` : ''} }`,
            `      rate: "${rate}"`,
            cap ? `      cap: "${cap}"` : '',
            min ? `      min: "${min}"` : '',
            fixed ? `      fixed: "${fixed}"` : '',
          ].filter(Boolean).join('\n');
          const contract = loadContract(`fees:\n  rounding: ${rounding}\n  rules:\n${rule}\n    - when: { cardType: ${cardType} }\n      rate: "0.6%"\n`, 'c.yaml');
          const subject = { cardType, businessDate: '2025-10-14', mode: 'T1' } as const;
          const fast = saleFeeCalculator(contract)(subject, amountFen);
          const ref = expectedFee(contract, { ...subject, txnType: 'sale', amount: new Decimal(amountFen).div(100) });
          if (fast === undefined) return; // declined: the reference decides
          expect(fast === null).toBe(ref === null);
          if (fast && ref) {
            expect(new Decimal(fast.fee).div(100).eq(ref.fee)).toBe(true);
            expect(fast.rule).toBe(ref.rule);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('declines a product beyond exact integers instead of rounding it', () => {
    const contract = loadContract('fees:\n  rules:\n    - rate: "0.123456789012%"\n', 'c.yaml');
    expect(saleFeeCalculator(contract)({ cardType: 'debit', businessDate: '2025-10-14', mode: 'T1' }, 99_999_999_999)).toBeUndefined();
  });

  it('rounds half-even at exactly half a fen', () => {
    // 0.5% of 1.00 = 0.005 → 0.00 half-even, 0.01 half-up.
    const even = loadContract('fees:\n  rounding: half-even\n  rules:\n    - rate: "0.5%"\n', 'c.yaml');
    const up = loadContract('fees:\n  rounding: half-up\n  rules:\n    - rate: "0.5%"\n', 'c.yaml');
    const subject = { cardType: 'debit', businessDate: '2025-10-14', mode: 'T1' } as const;
    expect(saleFeeCalculator(even)(subject, 100)?.fee).toBe(0);
    expect(saleFeeCalculator(up)(subject, 100)?.fee).toBe(1);
  });
});
