// Normalised identity keys and time arithmetic shared by the matching passes.
import type { Decimal } from 'decimal.js';
import type { CanonicalRecord, LocalDateTime } from '../model.js';

/** Seconds since 1970 of a local wall-clock time, computed as if it were UTC: only differences matter. */
export function localSeconds(t: LocalDateTime): number {
  const y = Number(t.slice(0, 4));
  const mo = Number(t.slice(5, 7));
  const d = Number(t.slice(8, 10));
  const h = Number(t.slice(11, 13)) || 0;
  const mi = Number(t.slice(14, 16)) || 0;
  const s = Number(t.slice(17, 19)) || 0;
  return Date.UTC(y, mo - 1, d, h, mi, s) / 1000;
}

/** Traces are printed with and without leading zeros (000123 vs 123). */
export function normaliseTrace(trace: string | undefined): string | undefined {
  if (!trace) return undefined;
  const t = trace.trim();
  return /^\d+$/.test(t) ? String(Number(t)) : t;
}

export function normaliseRrn(rrn: string | undefined): string | undefined {
  if (!rrn) return undefined;
  const t = rrn.trim().toUpperCase();
  return t === '' || /^0+$/.test(t) ? undefined : t;
}

/** Merchant ids must agree when both sides print one. */
export function sameMerchant(a: CanonicalRecord, b: CanonicalRecord): boolean {
  return !a.merchantId || !b.merchantId || a.merchantId === b.merchantId;
}

export function sameTerminal(a: CanonicalRecord, b: CanonicalRecord): boolean {
  return !a.terminalId || !b.terminalId || a.terminalId === b.terminalId;
}

/**
 * Masked cards from different systems mask differently (622609******0048 vs 6226****0048):
 * compare the digits both reveal — the first four and the last four.
 */
export function sameCard(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return true;
  const da = a.replace(/[^0-9*]/g, '');
  const db = b.replace(/[^0-9*]/g, '');
  const headA = da.match(/^\d+/)?.[0] ?? '';
  const headB = db.match(/^\d+/)?.[0] ?? '';
  const tailA = da.match(/\d+$/)?.[0] ?? '';
  const tailB = db.match(/\d+$/)?.[0] ?? '';
  const head = Math.min(headA.length, headB.length, 6);
  const tail = Math.min(tailA.length, tailB.length, 4);
  if (head === 0 && tail === 0) return true;
  return headA.slice(0, head) === headB.slice(0, head) && tailA.slice(-tail || undefined) === tailB.slice(-tail || undefined);
}

/** |amount| in fen as a string key; magnitudes are compared because terminals print refunds positive. */
export function amountKey(r: CanonicalRecord): string {
  // Asked for in every sort comparison and index: worth remembering per record.
  let key = amountKeys.get(r);
  if (key === undefined) {
    const a = r.amount ?? r.net;
    key = a ? fixedMagnitude(a) : '';
    amountKeys.set(r, key);
  }
  return key;
}

const amountKeys = new WeakMap<CanonicalRecord, string>();

/** `d.abs().toFixed(2)`; from toString when no rounding is involved (several times cheaper). */
function fixedMagnitude(d: Decimal): string {
  if (d.decimalPlaces() <= 2) {
    const text = d.toString();
    if (!text.includes('e')) {
      const unsigned = text.charCodeAt(0) === 0x2d ? text.slice(1) : text;
      const dot = unsigned.indexOf('.');
      if (dot === -1) return `${unsigned}.00`;
      return unsigned.length - dot === 2 ? `${unsigned}0` : unsigned;
    }
  }
  return d.abs().toFixed(2);
}

/** Deterministic order independent of file order and row position: content first, source last. */
export function canonicalCompare(a: CanonicalRecord, b: CanonicalRecord): number {
  return (
    cmp(a.time ?? a.settleDate ?? '', b.time ?? b.settleDate ?? '') ||
    cmp(a.merchantId ?? '', b.merchantId ?? '') ||
    cmp(a.terminalId ?? '', b.terminalId ?? '') ||
    cmp(a.rrn ?? '', b.rrn ?? '') ||
    cmp(a.trace ?? '', b.trace ?? '') ||
    cmp(a.orderId ?? '', b.orderId ?? '') ||
    cmp(amountKey(a), amountKey(b)) ||
    cmp(a.txnType, b.txnType) ||
    cmp(a.status, b.status) ||
    cmp(a.content, b.content) ||
    cmp(a.source.file, b.source.file) ||
    a.source.line - b.source.line
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Identity used to recognise one record seen in two input files (a re-export, a re-sent file).
 * Not cached: at a million rows a cache of these strings costs more memory than recomputing.
 */
export function recordFingerprint(r: CanonicalRecord): string {
  return computeFingerprint(r);
}

function computeFingerprint(r: CanonicalRecord): string {
  // One template instead of an array join: called for every finding's rows (ids) and every
  // record of overlapping files.
  const S = '\u001f';
  return `${r.role}${S}${r.merchantId ?? ''}${S}${r.terminalId ?? ''}${S}${r.time ?? ''}${S}${r.settleDate ?? ''}${S}${r.rrn ?? ''}${S}${r.trace ?? ''}` +
    `${S}${r.orderId ?? ''}${S}${r.card ?? ''}${S}${r.txnType}${S}${r.status}${S}${r.amount?.toString() ?? ''}${S}${r.fee?.toString() ?? ''}` +
    `${S}${r.net?.toString() ?? ''}${S}${r.credit?.toString() ?? ''}${S}${r.debit?.toString() ?? ''}${S}${r.balance?.toString() ?? ''}` +
    `${S}${r.memo ?? ''}${S}${r.counterparty ?? ''}`;
}
