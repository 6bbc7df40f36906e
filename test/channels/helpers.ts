// Shared helpers for the channel/acquirer layout tests: read a fixture the way `posrecon
// inspect` does (built-in profiles, no role) and sum what was read.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Decimal } from 'decimal.js';
import type { CanonicalRecord } from '../../src/model.js';
import { InputError } from '../../src/model.js';
import { readInputFile, type ParsedFile, type ReadOptions } from '../../src/read/readInput.js';
import { builtinProfiles } from '../../src/profiles/builtin.js';
import { formatYuan } from '../../src/normalise/amount.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CHANNELS = 'fixtures/channels/';
export const SAMPLES = 'fixtures/samples/';

export function bytesOf(path: string): Uint8Array {
  return new Uint8Array(readFileSync(ROOT + path));
}

export function read(path: string, opts: Partial<ReadOptions> = {}, name = path): ParsedFile {
  return readInputFile(bytesOf(path), name, { profiles: builtinProfiles(), ...opts });
}

export function readBytes(bytes: Uint8Array, name: string, opts: Partial<ReadOptions> = {}): ParsedFile {
  return readInputFile(bytes, name, { profiles: builtinProfiles(), ...opts });
}

type MoneyKey = 'amount' | 'fee' | 'net' | 'credit' | 'debit';

/** Sum of a money field over records, formatted with at least `decimals` places. */
export function total(records: CanonicalRecord[], key: MoneyKey, decimals = 2): string {
  let sum = new Decimal(0);
  for (const r of records) if (r[key] !== undefined) sum = sum.plus(r[key]!);
  return formatYuan(sum, { minDecimals: decimals });
}

export const yuan = (d: Decimal | undefined) => (d === undefined ? undefined : formatYuan(d));

export function inputError(run: () => unknown): InputError {
  try {
    run();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError');
}
