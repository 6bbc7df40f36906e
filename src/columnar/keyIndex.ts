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

  /** Records `row` of `side` (0 terminal, 1 settlement) under `key`; a second row marks DUPLICATE. Returns the key's slot. */
  add(key: number, side: 0 | 1, row: number): number {
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
    this.previous = rows[i];
    rows[i] = rows[i] === -1 ? row : DUPLICATE;
    return i;
  }

  /** What the last `add` found in its slot for its side before it: -1, a row, or DUPLICATE. */
  previous = -1;

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

/** Fields of the terminal side a settlement row's pairing reads, per row, at this stride. */
export const TERMINAL_STRIDE = 5;

/**
 * The terminal rows as pairing reads them: at `row × TERMINAL_STRIDE`, the amount in fen (-1 when
 * the row is no candidate or the amount does not fit), the merchant (index into `merchants`, -1
 * for none), the words and the terminal (indexes into the side's tables), and the business day
 * (day number; the due date of its settlement comes from it).
 */
export interface TerminalPack {
  packed: Int32Array;
  merchants: string[];
}

/** What pairing reads of a settlement scan. */
export interface MateColumns extends RrnColumns {
  amount: Float64Array;
  merchant: Int32Array;
  merchants: string[];
}

/** Per settlement row: the terminal row it may pair with (-1: none) and that row's words. */
export interface RrnMates {
  terminal: Int32Array;
  terminalWords: Int32Array;
  /** The mate's business day (TerminalPack), read in settlement order instead of at random. */
  terminalBiz: Int32Array;
}

/**
 * Indexes the settlement side's RRNs (after the terminal side's: see indexRrnColumns) and finds,
 * for each settlement row (numbered end to end), the terminal row holding its RRN when each side
 * holds that RRN exactly once, the amounts agree and the merchant ids do not differ; -1 otherwise.
 * This is the part of the clean-pair test that probes the table and the terminal rows at random
 * (most of that test's time), so the thread that builds the table does it, in the same probe as
 * the settlement row's own entry: a second row under a key takes the first one's pair away.
 * Rows added to the table afterwards can only take a pair away too: see `unpairAt`.
 */
export function indexSettlementWithMates(index: PairIndex, settlement: MateColumns[], terminal: TerminalPack): RrnMates {
  const total = settlement.reduce((n, s) => n + s.count, 0);
  const mate = new Int32Array(total).fill(-1);
  const mateWords = new Int32Array(total).fill(-1);
  const mateBiz = new Int32Array(total).fill(-1);
  const { packed, merchants: tMerchants } = terminal;
  let base = 0;
  for (const scan of settlement) {
    const { kind, rrn, amount, merchant, merchants } = scan;
    for (let r = 0; r < scan.count; r++) {
      if (kind[r] !== LINE_SIMPLE || Number.isNaN(rrn[r])) continue;
      const s = base + r;
      const slot = index.add(rrn[r], 1, s);
      if (index.previous !== -1) {
        // Another settlement row has this RRN too: neither pairs (the first loses its pair).
        if (index.previous >= 0) mate[index.previous] = -1;
        continue;
      }
      const t = index.rowAt(slot, 0);
      if (t < 0) continue;
      const o = t * TERMINAL_STRIDE;
      if (amount[r] !== packed[o]) continue; // -1 for a terminal row that is no candidate
      const tm = packed[o + 1];
      if (merchant[r] >= 0 && tm >= 0 && merchants[merchant[r]] !== tMerchants[tm]) continue;
      mate[s] = t;
      mateWords[s] = packed[o + 2];
      mateBiz[s] = packed[o + 4];
    }
    base += scan.count;
  }
  return { terminal: mate, terminalWords: mateWords, terminalBiz: mateBiz };
}


/**
 * Before another row is added under `key`: the settlement row paired at that key (if any) loses its
 * pair, as the key then has a second row on one side, or a row no candidate has.
 */
export function unpairAt(index: PairIndex, key: number, mates: RrnMates): void {
  const s = index.rowAt(index.slot(key), 1);
  if (s >= 0) mates.terminal[s] = -1;
}
