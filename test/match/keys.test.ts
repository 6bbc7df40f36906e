// amountKey: |amount| to two decimals, the key every matching pass and sort compares.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import type { CanonicalRecord } from '../../src/model.js';
import { amountKey } from '../../src/match/keys.js';

const withAmount = (amount: Decimal | undefined, net?: Decimal) => ({ amount, net }) as unknown as CanonicalRecord;

describe('amountKey', () => {
  it('is |amount|.toFixed(2) for any value and scale (rounded when more decimals are printed)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 22n), max: 10n ** 22n }), fc.integer({ min: 0, max: 6 }), (v, scale) => {
        const d = new Decimal(v.toString()).div(new Decimal(10).pow(scale));
        expect(amountKey(withAmount(d))).toBe(d.abs().toFixed(2));
      }),
      { numRuns: 5000 },
    );
  });

  it('falls back to the net, and is empty without either', () => {
    expect(amountKey(withAmount(undefined, new Decimal('-12.5')))).toBe('12.50');
    expect(amountKey(withAmount(undefined))).toBe('');
    expect(amountKey(withAmount(new Decimal('-0')))).toBe('0.00');
    expect(amountKey(withAmount(new Decimal('1e-7')))).toBe('0.00');
  });
});
