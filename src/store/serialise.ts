// Canonical records as stored text: plain JSON with every Decimal as an exact string, so a record
// read back is indistinguishable from the one parsed (same fingerprint, same matching, same money).
import { createHash } from 'node:crypto';
import { Decimal } from 'decimal.js';
import type { CanonicalRecord } from '../model.js';
import { recordFingerprint } from '../match/keys.js';

/**
 * The store's row fingerprint: sha-256 of reconcile's own record identity (role, merchant and
 * terminal = the source; time, settlement date, RRN, trace, order, card, type, status = the keys;
 * amount, fee, net, credit, debit, balance, memo, counterparty = the content). It deliberately is
 * the identity reconcile's cross-file dedupe uses, so "already known" here means exactly what
 * `duplicate_export` means there. The raw line text is not part of it: the same settlement line
 * printed by two layouts of the same acquirer is one record.
 */
export function fingerprintOf(r: CanonicalRecord): string {
  return createHash('sha256').update(recordFingerprint(r)).digest('hex');
}

/** Record → JSON text, without `source` (stored as columns). Decimal fields become strings listed in `$decimal`. */
export function serialiseRecord(r: CanonicalRecord): string {
  const out: Record<string, unknown> = {};
  const decimals: string[] = [];
  for (const [key, value] of Object.entries(r)) {
    if (key === 'source' || value === undefined) continue;
    if (value instanceof Decimal) {
      out[key] = value.toFixed();
      decimals.push(key);
    } else {
      out[key] = value;
    }
  }
  if (decimals.length) out.$decimal = decimals;
  return JSON.stringify(out);
}

export function deserialiseRecord(text: string, file: string, line: number): CanonicalRecord {
  const raw = JSON.parse(text) as Record<string, unknown>;
  const decimals = (raw.$decimal as string[] | undefined) ?? [];
  delete raw.$decimal;
  for (const key of decimals) raw[key] = new Decimal(raw[key] as string);
  return { ...(raw as unknown as Omit<CanonicalRecord, 'source'>), source: { file, line } } as CanonicalRecord;
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}
