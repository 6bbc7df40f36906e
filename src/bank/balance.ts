// Running-balance continuity: in booking order, previous balance + credit − debit must equal the
// row's balance. A break means a missing row or page. Pure.
//
// A row whose balance is masked or unreadable (ICBC prints `xx,yyyy.zz`) or empty is never
// guessed: it is skipped, and its movement is carried to the next readable balance, so one masked
// row does not hide a gap around it.
//
// Each statement file is one chain. Consecutive files (one ending before the next begins, after
// overlapping rows were counted once) are linked too, but a jump between two files is only a
// note: it may be rows missing between the exports, or simply another account.
import { Decimal } from 'decimal.js';
import type { CanonicalRecord } from '../model.js';
import { recordFingerprint } from '../match/keys.js';
import { cmp, orderBankRows } from './rows.js';

export interface BalanceGap {
  /** The row whose balance does not follow. */
  row: CanonicalRecord;
  /** The last row before it with a readable balance. */
  previous: CanonicalRecord;
  expected: Decimal;
  actual: Decimal;
  /** actual − expected: the net movement of the rows or pages missing between the two. */
  difference: Decimal;
  /** Rows in between whose balance could not be read (their movement was carried). */
  carried: number;
}

export interface BalanceCheck {
  gaps: BalanceGap[];
  /** Consecutive readable pairs compared. */
  checked: number;
  /** Rows whose balance cell is filled but unreadable: skipped, not guessed. */
  unreadable: CanonicalRecord[];
  /** Rows without a balance at all. */
  missing: number;
}

export function checkBalances(ordered: CanonicalRecord[]): BalanceCheck {
  const gaps: BalanceGap[] = [];
  const unreadable: CanonicalRecord[] = [];
  let missing = 0;
  let checked = 0;
  let last: { row: CanonicalRecord; balance: Decimal } | null = null;
  let carry = new Decimal(0);
  let carried = 0;
  for (const row of ordered) {
    const move = (row.credit ?? new Decimal(0)).minus(row.debit ?? new Decimal(0));
    if (row.balance === undefined) {
      if (row.balanceUnreadable !== undefined) unreadable.push(row);
      else missing++;
      carry = carry.plus(move);
      carried++;
      continue;
    }
    if (last) {
      checked++;
      const expected: Decimal = last.balance.plus(carry).plus(move);
      if (!expected.eq(row.balance)) {
        gaps.push({ row, previous: last.row, expected, actual: row.balance, difference: row.balance.minus(expected), carried });
      }
    }
    last = { row, balance: row.balance };
    carry = new Decimal(0);
    carried = 0;
  }
  return { gaps, checked, unreadable, missing };
}

export interface BalanceChains extends BalanceCheck {
  /** Jumps between the last balance of one statement file and the first of the next. */
  links: BalanceGap[];
}

/**
 * Continuity of every statement file as printed (copies of rows in other files included: a
 * file's chain is its own), plus the links between files that follow each other in time. The
 * same gap seen in two copies of a statement is one gap.
 */
export function checkBalanceChains(records: CanonicalRecord[]): BalanceChains {
  const byFile = new Map<string, CanonicalRecord[]>();
  for (const r of records) {
    const list = byFile.get(r.source.file);
    if (list) list.push(r);
    else byFile.set(r.source.file, [r]);
  }
  const chains = [...byFile.values()].map(orderBankRows);
  chains.sort((a, b) => cmp(a[0]?.time ?? '', b[0]?.time ?? '') || cmp(a[0]?.source.file ?? '', b[0]?.source.file ?? ''));
  const out: BalanceChains = { gaps: [], links: [], checked: 0, unreadable: [], missing: 0 };
  const seen = new Set<string>();
  chains.forEach((rows, i) => {
    const c = checkBalances(rows);
    for (const g of c.gaps) {
      const key = `${recordFingerprint(g.previous)}\u0002${recordFingerprint(g.row)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.gaps.push(g);
    }
    out.checked += c.checked;
    out.unreadable.push(...c.unreadable);
    out.missing += c.missing;
    const before = chains[i - 1];
    if (!before) return;
    const lastBefore = [...before].reverse().find((r) => r.balance !== undefined);
    // Only files that follow each other: overlapping files are re-exports (or another account).
    if (!lastBefore || (before[before.length - 1].time ?? '') > (rows[0].time ?? '')) return;
    const firstReadable = rows.findIndex((r) => r.balance !== undefined);
    if (firstReadable < 0) return;
    out.links.push(...checkBalances([lastBefore, ...rows.slice(0, firstReadable + 1)]).gaps);
  });
  return out;
}
