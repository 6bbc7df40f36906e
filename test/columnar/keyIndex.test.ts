// The RRN hash table: one probe finds both files' rows; it grows when the files share few RRNs.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DUPLICATE, PairIndex, TERMINAL_STRIDE, indexRrnColumns, indexSettlementWithMates, unpairAt } from '../../src/columnar/keyIndex.js';
import { LINE_OTHER, LINE_SIMPLE } from '../../src/columnar/scan.js';

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

describe('RRN mates found before the reference reader adds its rows', () => {
  // A row: [RRN key (0: none), amount in fen (-1 on the terminal side: no candidate), merchant (-1: none), simple line?]
  const row = fc.tuple(fc.integer({ min: 0, max: 400 }), fc.integer({ min: -1, max: 2 }), fc.integer({ min: -1, max: 2 }), fc.oneof({ arbitrary: fc.constant(true), weight: 4 }, { arbitrary: fc.constant(false), weight: 1 }));
  const merchants = ['898310058120001', '898310058120002', '898310058120003'];
  const columns = (rows: [number, number, number, boolean][]) => ({
    count: rows.length,
    kind: Uint8Array.from(rows.map(([, , , simple]) => (simple ? LINE_SIMPLE : LINE_OTHER))),
    rrn: Float64Array.from(rows.map(([key]) => (key === 0 ? NaN : 1e11 + key))),
    amount: Float64Array.from(rows.map(([, fen]) => fen)),
    merchant: Int32Array.from(rows.map(([, , m]) => m)),
    merchants,
  });

  it('are the pairs a direct test of the final table finds, whatever rows are added afterwards', () => {
    let paired = 0;
    let unpaired = 0;
    fc.assert(
      fc.property(fc.array(row, { maxLength: 60, size: 'medium' }), fc.array(fc.tuple(row, fc.nat(), fc.boolean()), { maxLength: 60, size: 'medium' }), fc.array(fc.tuple(fc.nat(), fc.constantFrom<0 | 1>(0, 1)), { maxLength: 6 }), (tRows, drawn, later) => {
        // Most settlement rows copy a terminal row's RRN and amount (a pair, if nothing else holds that RRN).
        const sRows = drawn.map(([own, pick, copy]): [number, number, number, boolean] => {
          if (!copy || tRows.length === 0) return own;
          const [key, fen, merchant] = tRows[pick % tRows.length];
          return [key, fen, pick % 3 === 0 ? own[2] : merchant, own[3]];
        });
        const t = columns(tRows);
        // Two settlement files, numbered end to end.
        const cut = Math.floor(sRows.length / 2);
        const sFiles = [columns(sRows.slice(0, cut)), columns(sRows.slice(cut))];
        const packed = new Int32Array(t.count * TERMINAL_STRIDE);
        tRows.forEach(([, fen, m], r) => {
          packed[r * TERMINAL_STRIDE] = fen;
          packed[r * TERMINAL_STRIDE + 1] = m;
          packed[r * TERMINAL_STRIDE + 2] = r % 3; // words
        });
        const index = new PairIndex(8);
        indexRrnColumns(index, 0, [t]);
        const mates = indexSettlementWithMates(index, sFiles, { packed, merchants });
        // Rows the reference reader read, under RRNs the settlement rows have (or one of its own).
        const before = mates.terminal.filter((t) => t >= 0).length;
        for (const [pick, side] of later) {
          const key = sRows.length > 0 ? sRows[pick % sRows.length][0] || 401 : 401;
          unpairAt(index, 1e11 + key, mates);
          index.add(1e11 + key, side, -3);
        }
        // The test as the pairing loop made it before: on the final table, row by row.
        sRows.forEach(([key, fen, m, simple], s) => {
          let expected = -1;
          if (simple && key !== 0) {
            const slot = index.slot(1e11 + key);
            const tr = index.rowAt(slot, 0);
            if (index.rowAt(slot, 1) === s && tr >= 0 && tRows[tr][1] === fen && !(m >= 0 && tRows[tr][2] >= 0 && m !== tRows[tr][2])) expected = tr;
          }
          expect(mates.terminal[s]).toBe(expected);
          if (expected >= 0) expect(mates.terminalWords[s]).toBe(expected % 3);
        });
        const after = mates.terminal.filter((t) => t >= 0).length;
        paired += after;
        unpaired += before - after;
      }),
      { numRuns: 300 },
    );
    // The runs did pair rows, and did take pairs away.
    expect(paired).toBeGreaterThan(300);
    expect(unpaired).toBeGreaterThan(30);
  });
});
