// An open-addressing hash index from integer keys (RRN keys, < 2^53) to row numbers, on typed
// arrays: a million keys cost 16 bytes a slot and no garbage, where a Map<number, number> of
// doubles costs several times that and most of the fast path's time.

import { LINE_SIMPLE } from './scan.js';

/** Row value meaning "this key occurs more than once". */
export const DUPLICATE = -2;

/**
 * One hash table for both files' RRNs: each slot holds the terminal row and the settlement row
 * under that key (or DUPLICATE, or -1 for none), so pairing a settlement line costs one probe.
 */
export class PairIndex {
  private keys: Float64Array;
  private rows: [Int32Array, Int32Array];
  private mask: number;
  private used = 0;

  /** `expected`: distinct keys likely (the table grows past it when needed). */
  constructor(expected: number) {
    let size = 16;
    while (size < expected * 1.4) size *= 2;
    this.keys = new Float64Array(size).fill(NaN);
    this.rows = [new Int32Array(size).fill(-1), new Int32Array(size).fill(-1)];
    this.mask = size - 1;
  }

  /** The slot of `key`: where it is, or the empty slot where it would go. */
  slot(key: number): number {
    const lo = key | 0;
    const hi = (key / 4294967296) | 0;
    let h = Math.imul(lo, 0x9e3779b1) ^ Math.imul(hi, 0x85ebca6b);
    h ^= h >>> 15;
    let i = h & this.mask;
    const keys = this.keys;
    while (!Number.isNaN(keys[i]) && keys[i] !== key) i = (i + 1) & this.mask;
    return i;
  }

  /** Records `row` of `side` (0 terminal, 1 settlement) under `key`; a second row marks DUPLICATE. */
  add(key: number, side: 0 | 1, row: number): void {
    let i = this.slot(key);
    if (Number.isNaN(this.keys[i])) {
      // Keep the load at most ~0.7 (the files may share few RRNs: up to both row counts).
      if ((this.used + 1) * 10 > this.keys.length * 7) {
        this.grow();
        i = this.slot(key);
      }
      this.keys[i] = key;
      this.used++;
    }
    const rows = this.rows[side];
    rows[i] = rows[i] === -1 ? row : DUPLICATE;
  }

  /** The row of `side` at a slot: a row seen once, DUPLICATE, or -1. */
  rowAt(slot: number, side: 0 | 1): number {
    return this.rows[side][slot];
  }

  /** The table as plain typed arrays, to move it to another thread (their buffers transfer). */
  toParts(): PairIndexParts {
    return { keys: this.keys, terminalRows: this.rows[0], settlementRows: this.rows[1], used: this.used };
  }

  /** The index `toParts` gave, rebuilt around the same arrays. */
  static fromParts(parts: PairIndexParts): PairIndex {
    const index = new PairIndex(0);
    index.keys = parts.keys;
    index.rows = [parts.terminalRows, parts.settlementRows];
    index.mask = parts.keys.length - 1;
    index.used = parts.used;
    return index;
  }

  private grow(): void {
    const { keys, rows } = this;
    const size = keys.length * 2;
    this.keys = new Float64Array(size).fill(NaN);
    this.rows = [new Int32Array(size).fill(-1), new Int32Array(size).fill(-1)];
    this.mask = size - 1;
    for (let i = 0; i < keys.length; i++) {
      if (Number.isNaN(keys[i])) continue;
      const j = this.slot(keys[i]);
      this.keys[j] = keys[i];
      this.rows[0][j] = rows[0][i];
      this.rows[1][j] = rows[1][i];
    }
  }
}

export interface PairIndexParts {
  keys: Float64Array;
  terminalRows: Int32Array;
  settlementRows: Int32Array;
  used: number;
}

/** What indexing a side's RRNs reads of its scans. */
export interface RrnColumns {
  count: number;
  kind: Uint8Array;
  rrn: Float64Array;
}

/** Table size for two sides' RRNs: most keys are on both sides; the rest of the reads grow it if need be. */
export function expectedRrnKeys(terminalRows: number, settlementRows: number): number {
  return Math.max(terminalRows, settlementRows) + Math.ceil((terminalRows + settlementRows) / 16);
}

/** Indexes the RRN of every simple line of these scans under `side`, rows numbered end to end (as a group numbers them). */
export function indexRrnColumns(index: PairIndex, side: 0 | 1, scans: RrnColumns[]): void {
  let base = 0;
  for (const scan of scans) {
    const { kind, rrn } = scan;
    for (let r = 0; r < scan.count; r++) {
      if (kind[r] === LINE_SIMPLE && !Number.isNaN(rrn[r])) index.add(rrn[r], side, base + r);
    }
    base += scan.count;
  }
}
