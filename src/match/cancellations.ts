// Voids (撤销) and reversals (冲正) cancel a sale: a cancelled sale does not enter clearing.
// Link each cancellation to its original by 原参考号, else the original trace (on its own day,
// of its amount), else the same terminal + card + amount on the same (calendar or business) day
// (the latest earlier sale not already cancelled).
import type { CanonicalRecord } from '../model.js';
import { amountKey, localSeconds, normaliseRrn, normaliseTrace, sameCard, sameMerchant, sameTerminal } from './keys.js';

export interface CancellationLinks {
  /** Cancellation row → the sale it cancels. */
  originalOf: Map<CanonicalRecord, CanonicalRecord>;
  /** Sale → the cancellation row that cancels it. */
  cancelledBy: Map<CanonicalRecord, CanonicalRecord>;
  /** Cancellation rows whose original is not among the inputs. */
  unlinked: CanonicalRecord[];
  /**
   * Cancellations linked by terminal + card + amount + day (no reference printed), with the
   * other sales that fitted as well: identical sales are interchangeable, so the link may move
   * to one that did not settle (see relinkToUnsettled).
   */
  alternatives: Map<CanonicalRecord, CanonicalRecord[]>;
  /** Cancellations linked by a reference they print (原参考号, 原凭证号), not by amount and day. */
  named: Set<CanonicalRecord>;
}

const CANCELLABLE = new Set(['sale', 'preauth_complete', 'preauth']);
/** How long before a cancellation on the previous day its sale may be (a 冲正 across midnight). */
const CANCEL_ACROSS_MIDNIGHT_SECONDS = 30 * 60;

export function isCancellation(r: CanonicalRecord): boolean {
  // A void that itself failed cancels nothing.
  return (r.txnType === 'void' || r.txnType === 'reversal') && r.status !== 'failed';
}

/** `terminal` must be in canonical order so links do not depend on input order. */
export function linkCancellations(
  terminal: CanonicalRecord[],
  /** The business date of a row (after the 日切 cut-off): a void at 00:10 is in the batch of a sale at 23:50. */
  opts: { businessDate?: (r: CanonicalRecord) => string | undefined } = {},
): CancellationLinks {
  const originalOf = new Map<CanonicalRecord, CanonicalRecord>();
  const cancelledBy = new Map<CanonicalRecord, CanonicalRecord>();
  const named = new Set<CanonicalRecord>();
  const unlinked: CanonicalRecord[] = [];
  const alternatives = new Map<CanonicalRecord, CanonicalRecord[]>();
  const cancellations = terminal.filter(isCancellation);
  // Most exports hold no void at all: no index of every sale for nothing.
  if (cancellations.length === 0) return { originalOf, cancelledBy, unlinked, alternatives, named };
  const byRrn = new Map<string, CanonicalRecord[]>();
  const byTrace = new Map<string, CanonicalRecord[]>();
  const sales = terminal.filter((r) => CANCELLABLE.has(r.txnType));
  for (const s of sales) {
    const rrn = normaliseRrn(s.rrn);
    if (rrn) push(byRrn, rrn, s);
    const trace = normaliseTrace(s.trace);
    if (trace) push(byTrace, `${s.terminalId ?? ''}|${trace}`, s);
  }
  for (const c of cancellations) {
    const free = (s: CanonicalRecord) => !cancelledBy.has(s) && sameMerchant(s, c);
    let original: CanonicalRecord | undefined;
    const ref = normaliseRrn(c.originalRef);
    if (ref) original = byRrn.get(ref)?.find(free);
    // The same day: the calendar day, or the business day (the cut-off moves a late sale and
    // its void after midnight into one batch).
    const day = c.time?.slice(0, 10);
    const businessDay = opts.businessDate?.(c);
    const sameDay = (s: CanonicalRecord) => s.time?.slice(0, 10) === day || (businessDay !== undefined && opts.businessDate?.(s) === businessDay);
    const otrace = normaliseTrace(c.originalTrace);
    if (!original && otrace) {
      // A trace (凭证号) restarts with each batch: 000123 names the sale of the void's own day
      // (a void or reversal never outlives its batch), of its amount, before it — not a sale
      // of another day that reused the number.
      const sameAmount = (s: CanonicalRecord) => !s.amount || !c.amount || amountKey(s) === amountKey(c);
      // Clock order only where both rows print a time of day (a date-only void is at 00:00:00).
      const timed = (s: CanonicalRecord) => Boolean(s.time && c.time && s.hasTime !== false && c.hasTime !== false);
      const before = (s: CanonicalRecord) => !timed(s) || s.time! <= c.time!;
      // A 冲正 follows its timed-out sale within seconds, across midnight too (a midnight cut-off
      // puts them in two batches).
      const justBefore = (s: CanonicalRecord) => timed(s) && localSeconds(c.time!) - localSeconds(s.time!) <= CANCEL_ACROSS_MIDNIGHT_SECONDS;
      const fits = byTrace.get(`${c.terminalId ?? ''}|${otrace}`)?.filter((s) => free(s) && (!c.time || sameDay(s) || justBefore(s)) && sameAmount(s) && before(s));
      original = fits?.[fits.length - 1];
    }
    if (original) named.add(c);
    if (!original && !ref && !otrace) {
      const candidates = sales.filter(
        (s) =>
          free(s) && sameTerminal(s, c) && sameCard(s.card, c.card) && amountKey(s) === amountKey(c) &&
          sameDay(s) && (s.time ?? '') <= (c.time ?? ''),
      );
      original = candidates[candidates.length - 1];
      if (candidates.length > 1) alternatives.set(c, candidates.slice(0, -1));
    }
    if (original) {
      originalOf.set(c, original);
      cancelledBy.set(original, c);
    } else {
      unlinked.push(c);
    }
  }
  return { originalOf, cancelledBy, unlinked, alternatives, named };
}

/**
 * A void printed without a reference cancels one of several identical sales. If the sale it was
 * linked to settled while an identical one did not, the void cancelled the unsettled one: move
 * the link, so the outcome is "voided + matched" rather than "void_settled + unsettled".
 */
export function relinkToUnsettled(links: CancellationLinks, settled: (sale: CanonicalRecord) => boolean): void {
  for (const [c, others] of links.alternatives) {
    const current = links.originalOf.get(c);
    if (!current || !settled(current)) continue;
    const free = [...others].reverse().find((s) => !links.cancelledBy.has(s) && !settled(s));
    if (!free) continue;
    links.cancelledBy.delete(current);
    links.originalOf.set(c, free);
    links.cancelledBy.set(free, c);
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
