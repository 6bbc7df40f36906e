// An open-addressing hash index from integer keys (RRN keys, < 2^53) to row numbers, on typed
// arrays: a million keys cost 16 bytes a slot and no garbage, where a Map<number, number> of
// doubles costs several times that and most of the fast path's time.

/** Row value meaning "this key occurs more than once". */
export const DUPLICATE = -2;

/** Int32 fields per slot: key low 32 bits, key high bits (EMPTY when unused), terminal row, settlement row. */
const STRIDE = 4;
/** High word of an unused slot: keys are ≥ 0, so their high word never is -1. */
const EMPTY = -1;

/**
 * One hash table for both files' RRNs: each slot holds the terminal row and the settlement row
 * under that key (or DUPLICATE, or -1 for none), so pairing a settlement line costs one probe.
 * A slot's key and rows sit side by side in one array: a probe in a table of tens of MiB is one
 * cache miss, not one per array.
 */
export class PairIndex {
  private slots: Int32Array;
  private mask: number;
  private used = 0;

  /** `expected`: distinct keys likely (the table grows past it when needed). */
  constructor(expected: number) {
    let size = 16;
    while (size < expected * 1.4) size *= 2;
    this.slots = PairIndex.table(size);
    this.mask = size - 1;
  }

  private static table(size: number): Int32Array {
    const slots = new Int32Array(size * STRIDE);
    for (let i = 0; i < slots.length; i += STRIDE) {
      slots[i + 1] = EMPTY;
      slots[i + 2] = -1;
      slots[i + 3] = -1;
    }
    return slots;
  }

  /** The slot of `key`: where it is, or the empty slot where it would go. */
  slot(key: number): number {
    const lo = key | 0; // ToInt32: the low 32 bits of an integer below 2^53
    const hi = (key / 4294967296) | 0;
    let h = Math.imul(lo, 0x9e3779b1) ^ Math.imul(hi, 0x85ebca6b);
    h ^= h >>> 15;
    let i = h & this.mask;
    const slots = this.slots;
    for (;;) {
      const at = i * STRIDE;
      const slotHi = slots[at + 1];
      if (slotHi === EMPTY || (slotHi === hi && slots[at] === lo)) return i;
      i = (i + 1) & this.mask;
    }
  }

  /** Records `row` of `side` (0 terminal, 1 settlement) under `key`; a second row marks DUPLICATE. */
  add(key: number, side: 0 | 1, row: number): void {
    let i = this.slot(key);
    if (this.slots[i * STRIDE + 1] === EMPTY) {
      // Keep the load at most ~0.7 (the files may share few RRNs: up to both row counts).
      if ((this.used + 1) * 10 > (this.mask + 1) * 7) {
        this.grow();
        i = this.slot(key);
      }
      this.slots[i * STRIDE] = key | 0;
      this.slots[i * STRIDE + 1] = (key / 4294967296) | 0;
      this.used++;
    }
    const at = i * STRIDE + 2 + side;
    this.slots[at] = this.slots[at] === -1 ? row : DUPLICATE;
  }

  /** The row of `side` at a slot: a row seen once, DUPLICATE, or -1. */
  rowAt(slot: number, side: 0 | 1): number {
    return this.slots[slot * STRIDE + 2 + side];
  }

  private grow(): void {
    const old = this.slots;
    const size = (this.mask + 1) * 2;
    this.slots = PairIndex.table(size);
    this.mask = size - 1;
    for (let at = 0; at < old.length; at += STRIDE) {
      if (old[at + 1] === EMPTY) continue;
      const key = old[at + 1] * 4294967296 + (old[at] >>> 0);
      const j = this.slot(key) * STRIDE;
      this.slots.set(old.subarray(at, at + STRIDE), j);
    }
  }
}
