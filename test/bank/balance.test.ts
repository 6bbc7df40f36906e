// Running-balance continuity and booking order.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkBalanceChains, checkBalances } from '../../src/bank/balance.js';
import { orderBankRows } from '../../src/bank/rows.js';
import type { CanonicalRecord } from '../../src/model.js';
import { bankRow } from './records.js';

/** Rows with running balances from 1000.00, for the movements given (positive = credit). */
function statement(moves: { date: string; fen: number }[], file = 'bank.csv'): CanonicalRecord[] {
  let balance = 100_000;
  return moves.map((m, i) => {
    balance += m.fen;
    const amount = (Math.abs(m.fen) / 100).toFixed(2);
    return bankRow({ time: m.date, file, line: i + 2, ...(m.fen > 0 ? { credit: amount } : { debit: amount }), balance: (balance / 100).toFixed(2), memo: `row ${i}` });
  });
}

/** The same rows printed newest first (line numbers reversed, as the file would have them). */
function newestFirst(rows: CanonicalRecord[]): CanonicalRecord[] {
  return rows.map((r, i) => ({ ...r, source: { ...r.source, line: rows.length + 1 - i } })).reverse();
}

describe('booking order', () => {
  it('reads newest-first statements backwards, so same-day rows keep their real order', () => {
    const rows = statement([
      { date: '2025-11-03', fen: 5_000 },
      { date: '2025-11-03', fen: -2_000 },
      { date: '2025-11-03', fen: 700 },
      { date: '2025-11-04', fen: -100 },
    ]);
    const printed = newestFirst(rows);
    expect(orderBankRows(printed).map((r) => r.memo)).toEqual(['row 0', 'row 1', 'row 2', 'row 3']);
    expect(checkBalances(orderBankRows(printed)).gaps).toEqual([]);
    expect(orderBankRows(rows).map((r) => r.memo)).toEqual(['row 0', 'row 1', 'row 2', 'row 3']);
  });
});

describe('balance continuity', () => {
  const moves = [
    { date: '2025-11-01', fen: 10_000 },
    { date: '2025-11-02', fen: -3_000 },
    { date: '2025-11-03', fen: 4_400 },
    { date: '2025-11-04', fen: -100 },
    { date: '2025-11-05', fen: 2_500 },
    { date: '2025-11-06', fen: -7_000 },
  ];

  it('a complete statement has no gap', () => {
    const c = checkBalances(statement(moves));
    expect(c).toMatchObject({ gaps: [], checked: 5, missing: 0 });
  });

  it('counts one gap per broken pair, sized by the missing movement', () => {
    const rows = statement(moves);
    const c = checkBalances([rows[0], rows[2], rows[3], rows[5]]); // rows 1 and 4 missing
    expect(c.gaps.map((g) => [g.row.memo, g.difference.toFixed(2)])).toEqual([
      ['row 2', '-30.00'],
      ['row 5', '25.00'],
    ]);
  });

  it('skips an unreadable balance without guessing it, carrying its movement', () => {
    const rows = statement(moves);
    rows[2] = { ...rows[2], balance: undefined, balanceUnreadable: 'xx,yyyy.zz' };
    delete rows[2].balance;
    const c = checkBalances(rows);
    expect(c.gaps).toEqual([]);
    expect(c.unreadable).toEqual([rows[2]]);
    expect(c.checked).toBe(4);
    // …and a row missing right after the masked one is still caught.
    expect(checkBalances([rows[0], rows[1], rows[2], rows[4], rows[5]]).gaps.map((g) => g.carried)).toEqual([1]);
  });

  it('a statement re-exported over part of another raises no false gap, whichever copy is kept', () => {
    const full = statement(moves, 'b-full.csv');
    const part = full.slice(2, 4).map((r) => ({ ...r, source: { file: 'a-part.csv', line: r.source.line } }));
    const c = checkBalanceChains([...full, ...part]);
    expect(c.gaps).toEqual([]);
    expect(c.links).toEqual([]);
  });

  it('a jump between two consecutive files is a link note, not a gap', () => {
    const first = statement(moves.slice(0, 3), 'oct.csv');
    const second = statement(moves.slice(3), 'nov.csv'); // restarts from 1000.00: another account?
    const c = checkBalanceChains([...second, ...first]);
    expect(c.gaps).toEqual([]);
    expect(c.links.length).toBe(1);
    expect(c.links[0].previous).toBe(first[2]);
  });

  it('property: dropping rows gives one gap per run of dropped rows that moved money', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 500_000 }), fc.boolean(), fc.boolean()), { minLength: 2, maxLength: 40 }),
        fc.boolean(),
        (spec, reversed) => {
          let day = 1;
          const moves = spec.map(([step, fen, isCredit]) => {
            day += step;
            return { date: `2025-10-${String(day).padStart(2, '0')}`, fen: isCredit ? fen : -fen };
          });
          const rows = statement(moves);
          // Keep the first row; drop the ones flagged.
          const kept = rows.filter((_, i) => i === 0 || !spec[i][3]);
          let expected = 0;
          let run = 0;
          for (let i = 1; i < rows.length; i++) {
            if (spec[i][3]) run += moves[i].fen;
            else {
              if (run !== 0) expected++;
              run = 0;
            }
          }
          const printed = reversed ? newestFirst(kept) : kept;
          expect(checkBalances(orderBankRows(printed)).gaps.length).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
