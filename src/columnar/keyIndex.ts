// An open-addressing hash index from integer keys (RRN keys, < 2^53) to row numbers, on typed
// arrays: a million keys cost 24 MB and no garbage, where a Map<number, number> of doubles costs
// several times that and most of the fast path's time.

/** Row value meaning "this key occurs more than once". */
export const DUPLICATE = -2;

export class KeyIndex {
  private readonly keys: Float64Array;
  private readonly rows: Int32Array;
  private readonly mask: number;

  constructor(expected: number) {
    let size = 16;
    // Load factor at most ~0.7: a power of two at least 1.4 × the keys.
    while (size < expected * 1.4) size *= 2;
    this.keys = new Float64Array(size).fill(NaN);
    this.rows = new Int32Array(size);
    this.mask = size - 1;
  }

  private slot(key: number): number {
    // ToInt32 keeps the low 32 bits of an integer key exactly; the division by 2^32 is exact too.
    const lo = key | 0;
    const hi = (key / 4294967296) | 0;
    let h = Math.imul(lo, 0x9e3779b1) ^ Math.imul(hi, 0x85ebca6b);
    h ^= h >>> 15;
    let i = h & this.mask;
    const keys = this.keys;
    while (!Number.isNaN(keys[i]) && keys[i] !== key) i = (i + 1) & this.mask;
    return i;
  }

  /** Records `row` under `key`; a second insert of the same key marks it DUPLICATE. */
  add(key: number, row: number): void {
    const i = this.slot(key);
    if (Number.isNaN(this.keys[i])) {
      this.keys[i] = key;
      this.rows[i] = row;
    } else {
      this.rows[i] = DUPLICATE;
    }
  }

  /** The row of a key seen exactly once; DUPLICATE when seen more than once; -1 when never. */
  get(key: number): number {
    const i = this.slot(key);
    return Number.isNaN(this.keys[i]) ? -1 : this.rows[i];
  }
}

/**
 * One hash table for both files' RRNs: each slot holds the terminal row and the settlement row
 * under that key (or DUPLICATE, or -1 for none), so pairing a settlement line costs one probe.
 */
export class PairIndex {
  private readonly keys: Float64Array;
  private readonly rows: [Int32Array, Int32Array];
  private readonly mask: number;

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
    const i = this.slot(key);
    this.keys[i] = key;
    const rows = this.rows[side];
    rows[i] = rows[i] === -1 ? row : DUPLICATE;
  }

  /** The row of `side` at a slot: a row seen once, DUPLICATE, or -1. */
  rowAt(slot: number, side: 0 | 1): number {
    return this.rows[side][slot];
  }
}
