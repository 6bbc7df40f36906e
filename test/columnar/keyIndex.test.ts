// The RRN hash table: one probe finds both files' rows; it grows when the files share few RRNs.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DUPLICATE, PairIndex } from '../../src/columnar/keyIndex.js';

describe('PairIndex', () => {
  it('holds each side\'s row per key, DUPLICATE for a key seen twice on a side', () => {
    const index = new PairIndex(4);
    index.add(12e14 + 1, 0, 7);
    index.add(12e14 + 1, 1, 3);
    index.add(12e14 + 2, 1, 4);
    index.add(12e14 + 2, 1, 5);
    expect([index.rowAt(index.slot(12e14 + 1), 0), index.rowAt(index.slot(12e14 + 1), 1)]).toEqual([7, 3]);
    expect([index.rowAt(index.slot(12e14 + 2), 0), index.rowAt(index.slot(12e14 + 2), 1)]).toEqual([-1, DUPLICATE]);
    expect(index.rowAt(index.slot(99), 0)).toBe(-1);
  });

  it('grows past its expected size (disjoint RRNs on the two sides) and loses nothing', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 2 ** 40 }), { minLength: 1, maxLength: 3000 }), fc.integer({ min: 1, max: 50 }), (keys, expected) => {
        const index = new PairIndex(expected);
        keys.forEach((k, i) => index.add(12e14 + k, (i % 2) as 0 | 1, i));
        keys.forEach((k, i) => {
          const slot = index.slot(12e14 + k);
          expect(index.rowAt(slot, (i % 2) as 0 | 1)).toBe(i);
          expect(index.rowAt(slot, ((i + 1) % 2) as 0 | 1)).toBe(-1);
        });
      }),
      { numRuns: 50 },
    );
  });

  it('tells apart keys that share their low or high 32 bits, over the whole range below 2^53', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.oneof(fc.maxSafeNat(), fc.nat({ max: 1000 }), fc.nat({ max: 1000 }).map((n) => n * 2 ** 32 + 5)), { minLength: 1, maxLength: 500 }), (keys) => {
        const index = new PairIndex(4);
        keys.forEach((k, i) => index.add(k, 1, i));
        keys.forEach((k, i) => expect(index.rowAt(index.slot(k), 1)).toBe(i));
      }),
      { numRuns: 100 },
    );
  });
});

describe('an index built on the other thread', () => {
  it('is the same index once rebuilt from its parts, built in any order of sides and rows', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 5000 }), fc.constantFrom<0 | 1>(0, 1)), { maxLength: 400 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (adds, seed) => {
          const direct = new PairIndex(16);
          adds.forEach(([key, side], row) => direct.add(key, side, row));
          // The worker's order: shuffled (sides and rows interleave differently), then moved as parts.
          const order = adds.map((a, row) => ({ a, row, k: (row * 2654435761 + seed) % 4294967296 })).sort((x, y) => x.k - y.k);
          const elsewhere = new PairIndex(8);
          for (const { a: [key, side], row } of order) elsewhere.add(key, side, row);
          const moved = PairIndex.fromParts(structuredClone(elsewhere.toParts()));
          for (let key = 1; key <= 5001; key++) {
            for (const side of [0, 1] as const) expect(moved.rowAt(moved.slot(key), side)).toBe(direct.rowAt(direct.slot(key), side));
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
