// Pair terminal transactions with settlement lines. Passes run from highest fidelity down,
// and each settlement line is claimed at most once (the `claimed` set), so a lower-fidelity pass
// can never take a line that has a true key match.
import type { CanonicalRecord } from '../model.js';
import {
  amountKey, localSeconds, normaliseRrn, normaliseTrace, sameCard, sameMerchant, sameTerminal,
} from './keys.js';

export type MatchPass = 'rrn' | 'order' | 'trace' | 'fuzzy';

export interface MatchOptions {
  /** Trace numbers wrap at 999999: only pair traces whose times are this close. */
  traceWindowDays: number;
  /** Fuzzy pass: amount + card + terminal within this many minutes. */
  fuzzyWindowMinutes: number;
  /** Files known to print seconds from rows not given here (the fast path's clean pairs). */
  filesPrintingSeconds?: readonly string[];
}

export const DEFAULT_MATCH_OPTIONS: MatchOptions = { traceWindowDays: 15, fuzzyWindowMinutes: 10 };

export interface MatchResult {
  pairs: { terminal: CanonicalRecord; settlement: CanonicalRecord; pass: MatchPass }[];
  /** Extra settlement lines for a transaction already settled, with the line they repeat. */
  duplicates: { settlement: CanonicalRecord; of: CanonicalRecord }[];
  /** Terminal rows with several equally good candidates, or competing for one: never guessed. */
  ambiguous: { terminal: CanonicalRecord; candidates: CanonicalRecord[]; rivals: CanonicalRecord[] }[];
  unmatchedTerminal: CanonicalRecord[];
  unmatchedSettlement: CanonicalRecord[];
}

/**
 * The same transaction settled twice: same identity (RRN, or terminal+trace+day, or order id),
 * same type and amount. The first line in canonical order is the primary; the others are extra.
 */
export function findDuplicateSettlements(settlement: CanonicalRecord[]): {
  primaries: CanonicalRecord[];
  duplicates: MatchResult['duplicates'];
} {
  const seen = new Map<string, CanonicalRecord>();
  const primaries: CanonicalRecord[] = [];
  const duplicates: MatchResult['duplicates'] = [];
  for (const s of settlement) {
    const key = settlementIdentity(s);
    const first = key ? seen.get(key) : undefined;
    if (first) {
      duplicates.push({ settlement: s, of: first });
      continue;
    }
    if (key) seen.set(key, s);
    primaries.push(s);
  }
  return { primaries, duplicates };
}

function settlementIdentity(s: CanonicalRecord): string | undefined {
  const tail = `${s.txnType}|${amountKey(s)}`;
  const rrn = normaliseRrn(s.rrn);
  if (rrn) return `r|${s.merchantId ?? ''}|${rrn}|${tail}`;
  const trace = normaliseTrace(s.trace);
  if (trace && s.terminalId) return `t|${s.terminalId}|${trace}|${(s.time ?? s.settleDate ?? '').slice(0, 10)}|${tail}`;
  if (s.orderId) return `o|${s.merchantId ?? ''}|${s.orderId}|${tail}`;
  if (s.time && s.hasTime && s.card && s.terminalId) return `f|${s.terminalId}|${s.card}|${s.time}|${tail}`;
  return undefined;
}

/** Terminal and settlement must both be in canonical order (see keys.canonicalCompare). */
export function matchTransactions(
  terminal: CanonicalRecord[],
  settlement: CanonicalRecord[],
  options: MatchOptions = DEFAULT_MATCH_OPTIONS,
): MatchResult {
  const { primaries, duplicates } = findDuplicateSettlements(settlement);
  const claimed = new Set<CanonicalRecord>();
  const hasMatched = new Set<CanonicalRecord>();
  const pairs: MatchResult['pairs'] = [];

  const claim = (t: CanonicalRecord, s: CanonicalRecord, pass: MatchPass) => {
    claimed.add(s);
    hasMatched.add(t);
    pairs.push({ terminal: t, settlement: s, pass });
  };

  const byKeyPass = (
    pass: MatchPass,
    terminalKey: (r: CanonicalRecord) => string | undefined,
    settlementKey: (r: CanonicalRecord) => string | undefined,
    compatible: (t: CanonicalRecord, s: CanonicalRecord) => boolean,
    /**
     * Keys several rows may share (traces restart each batch): pair best fit first. An RRN is
     * unique: first row first. Under one order number the rows are one payment's states (用户支付中,
     * then 成功): its successful row fits first; under one trace they are separate charges.
     */
    opts: { sharedKeys: boolean; preferSuccess?: boolean } = { sharedKeys: true },
  ) => {
    const index = new Map<string, CanonicalRecord[]>();
    for (const s of primaries) {
      if (claimed.has(s)) continue;
      const k = settlementKey(s);
      if (!k) continue;
      const list = index.get(k);
      if (list) list.push(s);
      else index.set(k, [s]);
    }
    // Terminal rows by key, in canonical order. A key held by one row (the common case: an RRN)
    // picks its line directly; rows sharing a key (a reused trace, an order number Excel zeroed)
    // are paired best fit first, whichever comes first in the file.
    // Same amount first: a row whose candidates all differ in amount waits until every row has
    // had its exact pick.
    const waiting: { t: CanonicalRecord; list: CanonicalRecord[] }[] = [];
    const pickFor = (t: CanonicalRecord, list: CanonicalRecord[]) => {
      const amount = amountKey(t);
      let same: CanonicalRecord[] | undefined;
      let other = false;
      for (const s of list) {
        if (claimed.has(s) || !compatible(t, s)) continue;
        if (amountKey(s) === amount) (same ??= []).push(s);
        else other = true;
      }
      if (same) claim(t, pickBest(t, same), pass);
      else if (other) waiting.push({ t, list });
    };
    const rowsOf = new Map<string, CanonicalRecord | CanonicalRecord[]>();
    for (const t of terminal) {
      if (hasMatched.has(t)) continue;
      const k = terminalKey(t);
      if (!k) continue;
      const list = index.get(k);
      if (!list) continue;
      if (!opts.sharedKeys) {
        pickFor(t, list);
        continue;
      }
      const held = rowsOf.get(k);
      if (held === undefined) rowsOf.set(k, t);
      else if (Array.isArray(held)) held.push(t);
      else rowsOf.set(k, [held, t]);
    }
    for (const [k, held] of rowsOf) {
      if (Array.isArray(held)) claimBestFits(held, index.get(k)!, compatible, claimed, (t, s) => claim(t, s, pass), { preferSuccess: opts.preferSuccess === true });
      else pickFor(held, index.get(k)!);
    }
    for (const { t, list } of waiting) {
      const candidates = list.filter((s) => !claimed.has(s) && compatible(t, s));
      if (candidates.length > 0) claim(t, pickBest(t, candidates), pass);
    }
  };

  // 1. RRN is assigned by the host and unique per merchant: the strongest key.
  byKeyPass('rrn', (t) => normaliseRrn(t.rrn), (s) => normaliseRrn(s.rrn), (t, s) => sameMerchant(t, s) && sameSign(t, s), { sharedKeys: false });
  // 2. QR order numbers (微信订单号 / 商户订单号 / 支付宝交易号) identify a payment as well as an RRN.
  byKeyPass('order', (t) => t.orderId, (s) => s.orderId, (t, s) => sameMerchant(t, s) && sameSign(t, s) && !conflictingRrn(t, s), { sharedKeys: true, preferSuccess: true });
  //    A QR refund the terminal prints under its original order (商户订单号) with its own number
  //    beside it (退款单号): by that number where the line is keyed by it (WeChat's 商户退款单号),
  //    else by the original order the line names (原订单号), refund to refund.
  const refundOnly = (t: CanonicalRecord, s: CanonicalRecord) => t.txnType === 'refund' && sameMerchant(t, s) && sameSign(t, s) && !conflictingRrn(t, s);
  byKeyPass('order', (t) => (t.txnType === 'refund' ? t.refundOrderId : undefined), (s) => s.orderId, refundOnly);
  byKeyPass('order', (t) => (t.txnType === 'refund' ? t.orderId : undefined), (s) => (isRefundLine(s) ? s.originalRef : undefined), refundOnly);
  // 3. Terminal + trace: how timed-out rows without an RRN find their line. Traces wrap, so
  //    only times within the window count.
  const traceWindow = options.traceWindowDays * 86400;
  byKeyPass(
    'trace',
    (t) => (t.terminalId && normaliseTrace(t.trace) ? `${t.terminalId}|${normaliseTrace(t.trace)}` : undefined),
    (s) => (s.terminalId && normaliseTrace(s.trace) ? `${s.terminalId}|${normaliseTrace(s.trace)}` : undefined),
    (t, s) => sameMerchant(t, s) && sameSign(t, s) && !conflictingRrn(t, s) && withinSeconds(t, s, traceWindow),
  );
  // The same second says something only in files that print seconds (some time of theirs is not
  // on the minute): times printed to the minute, or 00:00:00 on every row, tie everything.
  const printsSeconds = new Set<string>(options.filesPrintingSeconds);
  for (const r of [...terminal, ...primaries]) {
    if (r.time && r.hasTime !== false && !r.time.endsWith(':00')) printsSeconds.add(r.source.file);
  }
  const sameSecond = (t: CanonicalRecord, s: CanonicalRecord) =>
    printsSeconds.has(t.source.file) && printsSeconds.has(s.source.file) && t.hasTime !== false && s.hasTime !== false && Boolean(t.time && s.time) && t.time === s.time;
  // 4. Fuzzy, only for pairs no key can decide, and only when the pairing is unique both ways.
  const ambiguous = fuzzyPass(terminal, primaries, claimed, hasMatched, options, claim, sameSecond);
  // 5. Same terminal, card and second, another amount: the same swipe settled differently.
  sameSwipePass(terminal, primaries, claimed, hasMatched, new Set(ambiguous.map((a) => a.terminal)), claim, sameSecond);

  const ambiguousTerminal = new Set(ambiguous.map((a) => a.terminal));
  return {
    pairs,
    duplicates,
    ambiguous,
    unmatchedTerminal: terminal.filter((t) => !hasMatched.has(t) && !ambiguousTerminal.has(t)),
    unmatchedSettlement: primaries.filter((s) => !claimed.has(s)),
  };
}

/** Prefer the candidate with the same amount, then the same card, then the nearest time; ties keep canonical order. */
function pickBest(t: CanonicalRecord, candidates: CanonicalRecord[]): CanonicalRecord {
  if (candidates.length === 1) return candidates[0];
  let best = candidates[0];
  let bestScore = Infinity;
  for (const s of candidates) {
    const score = fitScore(t, s);
    if (score < bestScore) {
      best = s;
      bestScore = score;
    }
  }
  return best;
}

/**
 * Lower is better: another amount, then another card (masks agreeing where both print digits),
 * then (one payment's states under one order number) a terminal row that did not succeed — a QR
 * order's 用户支付中 row beside its 成功 row, the wallet's success second nearer the first (review
 * CG) — then seconds apart.
 */
function fitScore(t: CanonicalRecord, s: CanonicalRecord, opts: { preferSuccess: boolean } = { preferSuccess: false }): number {
  return (amountKey(s) === amountKey(t) ? 0 : 1e12) + (sameCard(t.card, s.card) ? 0 : 1e11) + (opts.preferSuccess && t.status !== 'success' ? 1e10 : 0) + timeDistance(t, s);
}

/**
 * Several terminal rows under one key (traces restart with each batch: Friday's timed-out
 * 000201 and Saturday's sale 000201): the pair that fits best claims first — same amount, same
 * card, nearest time — so an earlier row cannot take the line of a later one that is its exact
 * swipe. Ties go to canonical order (rows, then lines).
 */
function claimBestFits(
  rows: CanonicalRecord[],
  lines: CanonicalRecord[],
  compatible: (t: CanonicalRecord, s: CanonicalRecord) => boolean,
  claimed: Set<CanonicalRecord>,
  claim: (t: CanonicalRecord, s: CanonicalRecord) => void,
  opts: { preferSuccess: boolean },
): void {
  const pairs: { t: CanonicalRecord; s: CanonicalRecord; score: number; order: number }[] = [];
  rows.forEach((t, i) => {
    lines.forEach((s, j) => {
      if (!claimed.has(s) && compatible(t, s)) pairs.push({ t, s, score: fitScore(t, s, opts), order: i * lines.length + j });
    });
  });
  pairs.sort((a, b) => a.score - b.score || a.order - b.order);
  const done = new Set<CanonicalRecord>();
  for (const { t, s } of pairs) {
    if (done.has(t) || claimed.has(s)) continue;
    done.add(t);
    claim(t, s);
  }
}

function timeDistance(a: CanonicalRecord, b: CanonicalRecord): number {
  if (!a.time || !b.time) return 0;
  return Math.abs(localSeconds(a.time) - localSeconds(b.time));
}

/** Within the window; a row printed with a date only can only be compared by its date. */
function closeInTime(t: CanonicalRecord, s: CanonicalRecord, window: number): boolean {
  if (t.hasTime === false || s.hasTime === false) return t.time!.slice(0, 10) === s.time!.slice(0, 10);
  return timeDistance(t, s) <= window;
}

function withinSeconds(a: CanonicalRecord, b: CanonicalRecord, seconds: number): boolean {
  return !a.time || !b.time || timeDistance(a, b) <= seconds;
}

function isRefundLine(s: CanonicalRecord): boolean {
  return s.txnType === 'refund' || (s.amount ?? s.net)?.isNegative() === true;
}

/** Refunds are negative in settlement and positive on terminals; sales never pair with refunds. */
function sameSign(t: CanonicalRecord, s: CanonicalRecord): boolean {
  return (t.txnType === 'refund') === (s.txnType === 'refund' || (s.amount ?? s.net)?.isNegative() === true);
}

function conflictingRrn(t: CanonicalRecord, s: CanonicalRecord): boolean {
  const a = normaliseRrn(t.rrn);
  const b = normaliseRrn(s.rrn);
  return Boolean(a && b && a !== b);
}

/** Could a key decide this pair? If both sides carry the same kind of key, the key passes already did. */
function keysUsable(t: CanonicalRecord, s: CanonicalRecord): boolean {
  if (normaliseRrn(t.rrn) && normaliseRrn(s.rrn)) return true;
  if (t.orderId && s.orderId) return true;
  if (normaliseTrace(t.trace) && normaliseTrace(s.trace) && t.terminalId && s.terminalId) return true;
  return false;
}

function fuzzyPass(
  terminal: CanonicalRecord[],
  primaries: CanonicalRecord[],
  claimed: Set<CanonicalRecord>,
  hasMatched: Set<CanonicalRecord>,
  options: MatchOptions,
  claim: (t: CanonicalRecord, s: CanonicalRecord, pass: MatchPass) => void,
  sameSecond: (t: CanonicalRecord, s: CanonicalRecord) => boolean,
): MatchResult['ambiguous'] {
  const window = options.fuzzyWindowMinutes * 60;
  const byAmount = new Map<string, CanonicalRecord[]>();
  for (const s of primaries) {
    if (claimed.has(s) || !s.time) continue;
    const k = amountKey(s);
    const list = byAmount.get(k);
    if (list) list.push(s);
    else byAmount.set(k, [s]);
  }
  const candidatesOf = new Map<CanonicalRecord, CanonicalRecord[]>();
  const claimantsOf = new Map<CanonicalRecord, CanonicalRecord[]>();
  for (const t of terminal) {
    if (hasMatched.has(t) || !t.time) continue;
    if (t.txnType === 'void' || t.txnType === 'reversal') continue;
    const list = byAmount.get(amountKey(t)) ?? [];
    const fits = list.filter(
      (s) =>
        !keysUsable(t, s) && sameMerchant(t, s) && sameTerminal(t, s) && sameCard(t.card, s.card) &&
        sameSign(t, s) && closeInTime(t, s, window),
    );
    if (fits.length === 0) continue;
    candidatesOf.set(t, fits);
    for (const s of fits) {
      const c = claimantsOf.get(s);
      if (c) c.push(t);
      else claimantsOf.set(s, [t]);
    }
  }
  const ambiguous: MatchResult['ambiguous'] = [];
  const undecided: [CanonicalRecord, CanonicalRecord[]][] = [];
  for (const [t, fits] of candidatesOf) {
    // Unique both ways, or it is a decision for a person, not for us.
    if (fits.length === 1 && claimantsOf.get(fits[0])!.length === 1) claim(t, fits[0], 'fuzzy');
    else undecided.push([t, fits]);
  }
  // Among several, the same second decides when it is unique both ways (a timed-out charge and
  // its retry three minutes later, each line printed at its own row's time).
  for (const [t, fits] of undecided) {
    const exact = fits.filter((s) => !claimed.has(s) && sameSecond(t, s));
    if (exact.length === 1 && claimantsOf.get(exact[0])!.filter((r) => !hasMatched.has(r) && sameSecond(r, exact[0])).length === 1) {
      claim(t, exact[0], 'fuzzy');
      continue;
    }
    const rivals = [...new Set(fits.flatMap((s) => claimantsOf.get(s)!))].filter((r) => r !== t);
    ambiguous.push({ terminal: t, candidates: fits, rivals });
  }
  return ambiguous;
}

/**
 * Lines no key can pair that print the same terminal, card and second as a terminal row, with
 * another amount: the same swipe settled at a different amount (an amount mismatch), not a
 * dropped order plus an unsettled sale. A card is not charged twice in one second on one
 * terminal; unique both ways, or left alone.
 */
function sameSwipePass(
  terminal: CanonicalRecord[],
  primaries: CanonicalRecord[],
  claimed: Set<CanonicalRecord>,
  hasMatched: Set<CanonicalRecord>,
  skip: Set<CanonicalRecord>,
  claim: (t: CanonicalRecord, s: CanonicalRecord, pass: MatchPass) => void,
  sameSecond: (t: CanonicalRecord, s: CanonicalRecord) => boolean,
): void {
  const swipe = (r: CanonicalRecord) =>
    r.time && r.hasTime !== false && r.terminalId && r.card && /\d{4}$/.test(r.card) ? `${r.terminalId}|${r.time}|${r.card.slice(-4)}` : undefined;
  const lines = new Map<string, CanonicalRecord[]>();
  for (const s of primaries) {
    const k = claimed.has(s) ? undefined : swipe(s);
    if (!k) continue;
    const list = lines.get(k);
    if (list) list.push(s);
    else lines.set(k, [s]);
  }
  const rows = new Map<string, CanonicalRecord[]>();
  for (const t of terminal) {
    const k = hasMatched.has(t) || skip.has(t) || t.txnType === 'void' || t.txnType === 'reversal' ? undefined : swipe(t);
    if (!k || !lines.has(k)) continue;
    const list = rows.get(k);
    if (list) list.push(t);
    else rows.set(k, [t]);
  }
  for (const [k, ts] of rows) {
    const ss = lines.get(k)!.filter((s) => sameSecond(ts[0], s) && !keysUsable(ts[0], s) && sameMerchant(ts[0], s) && sameSign(ts[0], s) && sameCard(ts[0].card, s.card));
    if (ts.length === 1 && ss.length === 1) claim(ts[0], ss[0], 'fuzzy');
  }
}
