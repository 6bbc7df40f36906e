// Shared helpers of the columnar red-team suites: run both engines on small hand-built files and
// compare everything a user sees (JSON + table + CSV); builders for terminal and settlement lines.
import { expect } from 'vitest';
import { readInputFile } from '../../src/read/readInput.js';
import { builtinProfiles } from '../../src/profiles/builtin.js';
import { loadContract, type Contract } from '../../src/contract/contract.js';
import { loadBuiltinCalendar } from '../../src/calendar/calendar.js';
import { reconcile, type ReconcileResult } from '../../src/reconcile.js';
import { reconcileColumnar, type ColumnarOutcome } from '../../src/columnar/reconcileColumnar.js';
import { reconcileJson } from '../../src/report/json.js';
import { renderTable } from '../../src/report/table.js';
import { renderCsv } from '../../src/report/csv.js';
import { rng } from '../support/rng.js';

export const profiles = builtinProfiles();
export const calendar = loadBuiltinCalendar();

export function shown(r: ReconcileResult): string {
  return [
    JSON.stringify(reconcileJson(r, { includeMatched: false }), null, 1),
    renderTable(r, { color: false, verbose: true }),
    renderCsv(r, { includeMatched: false }),
  ].join('\n');
}

export interface Input {
  name: string;
  bytes: Uint8Array;
}

export const enc = (s: string) => new TextEncoder().encode(s);

export function reference(t: Input, s: Input, contract: Contract, asOf?: string): ReconcileResult {
  return reconcile({
    terminal: [readInputFile(t.bytes, t.name, { profiles, role: 'terminal' })],
    settlement: [readInputFile(s.bytes, s.name, { profiles, role: 'settlement' })],
    contract,
    calendar,
    asOf,
  });
}

export function columnar(t: Input, s: Input, contract: Contract, asOf: string | undefined, headBytes: number): ColumnarOutcome {
  return reconcileColumnar({ terminal: { file: t.name, bytes: t.bytes }, settlement: { file: s.name, bytes: s.bytes }, profiles, contract, calendar, asOf, headBytes });
}

/** First differing lines of two reports (for failure messages and notes). */
export function firstDiff(a: string, b: string, context = 3): string {
  const x = a.split('\n');
  const y = b.split('\n');
  const out: string[] = [];
  for (let i = 0; i < Math.max(x.length, y.length) && out.length < context * 2; i++) {
    if (x[i] !== y[i]) out.push(`line ${i + 1}\n  fast: ${x[i]}\n  ref:  ${y[i]}`);
  }
  return out.join('\n');
}

export interface Outcome {
  fallback?: string;
  same: boolean;
  diff: string;
  cleanPairs: number;
  residualRows: number;
}

/** Runs both engines; `same` is true when the fast path falls back. */
export function compare(t: Input, s: Input, contract: Contract, asOf: string | undefined, headBytes: number): Outcome {
  const out = columnar(t, s, contract, asOf, headBytes);
  if ('fallback' in out) return { fallback: out.fallback, same: true, diff: '', cleanPairs: 0, residualRows: 0 };
  const fast = shown(out.result);
  const ref = shown(reference(t, s, contract, asOf));
  return { same: fast === ref, diff: fast === ref ? '' : firstDiff(fast, ref), cleanPairs: out.stats.cleanPairs, residualRows: out.stats.residualRows };
}

export const fallbacks: { scenario: string; reason: string }[] = [];

/** Asserts equality and that the fast path engaged (unless `mayFallBack`). */
export function expectSame(name: string, t: Input, s: Input, contract: Contract, opts: { asOf?: string; headBytes?: number; mayFallBack?: boolean } = {}): Outcome {
  const o = compare(t, s, contract, opts.asOf, opts.headBytes ?? 400);
  if (o.fallback) {
    fallbacks.push({ scenario: name, reason: o.fallback });
    if (!opts.mayFallBack) throw new Error(`${name}: fast path fell back: ${o.fallback}`);
  }
  expect(o.diff, name).toBe('');
  expect(o.same).toBe(true);
  return o;
}

// --- File builders ---------------------------------------------------------------------------

export const MERCHANT = '898310058120001';
export const T_HEAD = '商户号,终端号,交易时间,交易类型,交易状态,卡号,卡类型,交易金额,参考号,凭证号,原参考号,原凭证号';
export const S_HEAD = '清算日期,商户号,终端号,交易时间,交易类型,卡号,卡类型,交易金额,手续费,结算金额,参考号,凭证号,备注';

export function yuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const a = Math.abs(fen);
  return `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}

/** QR fee under BASE contract: 0.38% half-up. Debit 0.50% cap 20, credit 0.60%. */
export const RATE: Record<string, number> = { 借记卡: 50, 贷记卡: 60, 微信: 38 };
export function feeOf(amount: number, card: string): number {
  const f = Math.floor((amount * RATE[card] + 5000) / 10000);
  return card === '借记卡' ? Math.min(f, 2000) : f;
}

export interface Tx {
  term?: string;
  time: string;
  type?: string;
  status?: string;
  cardNo?: string;
  card?: string;
  amount: number;
  rrn: string;
  trace?: string;
  oref?: string;
  otrace?: string;
  merchant?: string;
}

export function tCells(x: Tx): string[] {
  return [x.merchant ?? MERCHANT, x.term ?? '10000001', x.time, x.type ?? '消费', x.status ?? '成功', x.cardNo ?? '622848******1234', x.card ?? '借记卡', yuan(x.amount), x.rrn, x.trace ?? '', x.oref ?? '', x.otrace ?? ''];
}
export const tLine = (x: Tx): string => tCells(x).join(',');

export interface Sx {
  settle?: string;
  term?: string;
  time: string;
  type?: string;
  cardNo?: string;
  card?: string;
  amount: number;
  fee?: number | string;
  net?: number | string;
  rrn: string;
  trace?: string;
  memo?: string;
  merchant?: string;
}

export function sCells(x: Sx): string[] {
  const card = x.card ?? '借记卡';
  const fee = x.fee ?? feeOf(x.amount, card);
  const net = x.net ?? (typeof fee === 'number' ? x.amount - fee : '');
  return [x.settle ?? '2025-10-15', x.merchant ?? MERCHANT, x.term ?? '10000001', x.time, x.type ?? '消费', x.cardNo ?? '622848******1234', card, yuan(x.amount), typeof fee === 'number' ? yuan(fee) : fee, typeof net === 'number' ? yuan(net) : net, x.rrn, x.trace ?? '', x.memo ?? ''];
}
export const sLine = (x: Sx): string => sCells(x).join(',');

/** `n` clean pairs (distinct amounts and RRNs), on terminal 10000009 so they touch nothing else. */
export function filler(n: number, from = 0, day = '2025-10-14'): { t: string[]; s: string[] } {
  const t: string[] = [];
  const s: string[] = [];
  for (let i = from; i < from + n; i++) {
    const secs = 9 * 3600 + i * 300;
    const time = `${day} ${String(Math.floor(secs / 3600)).padStart(2, '0')}:${String(Math.floor((secs % 3600) / 60)).padStart(2, '0')}:${String(secs % 60).padStart(2, '0')}`;
    const amount = 700001 + i * 1013;
    const rrn = String(700000000000 + i);
    const trace = String(900000 + i);
    t.push(tLine({ term: '10000009', time, amount, rrn, trace, cardNo: '622848******9999' }));
    s.push(sLine({ term: '10000009', time, amount, rrn, trace, cardNo: '622848******9999' }));
  }
  return { t, s };
}

/**
 * One clean pair per terminal 10000001–3 on the day before: each terminal's first settlement line
 * and date, so the fast path has no reason to keep a scenario's clean pair for 首刷.
 */
export function anchors(): { t: string[]; s: string[] } {
  const t: string[] = [];
  const s: string[] = [];
  for (let i = 1; i <= 3; i++) {
    const x = { term: `1000000${i}`, time: `2025-10-13 08:0${i}:00`, amount: 400001 + i * 17, rrn: String(710000000000 + i), trace: String(910000 + i), cardNo: '622848******8888' };
    t.push(tLine(x));
    s.push(sLine({ ...x, settle: '2025-10-14' }));
  }
  return { t, s };
}

/** A terminal and a settlement file: 6 filler pairs first (the head zone), anchors, then `t`/`s`, then 6 more. */
export function files(t: string[], s: string[], o: { tHead?: string; sHead?: string; tTail?: string[]; sTail?: string[]; eol?: string; fill?: boolean } = {}): { t: Input; s: Input } {
  const fill = o.fill ?? true;
  const a0 = fill ? filler(6, 0) : { t: [], s: [] };
  const an = fill ? anchors() : { t: [], s: [] };
  const a = { t: [...a0.t, ...an.t], s: [...a0.s, ...an.s] };
  const b = fill ? filler(6, 6) : { t: [], s: [] };
  const eol = o.eol ?? '\n';
  const tText = [o.tHead ?? T_HEAD, ...a.t, ...t, ...b.t, ...(o.tTail ?? [])].join(eol) + eol;
  const sText = [o.sHead ?? S_HEAD, ...a.s, ...s, ...b.s, ...(o.sTail ?? [])].join(eol) + eol;
  return { t: { name: 'terminal.csv', bytes: enc(tText) }, s: { name: 'settlement.csv', bytes: enc(sText) } };
}

export const BASE = `settlement: { cycle: T+1, cutoff: "23:00" }
fees:
  rules:
    - when: { cardType: debit }
      rate: "0.50%"
      cap: "20.00"
    - when: { cardType: credit }
      rate: "0.60%"
    - when: { cardType: qr }
      rate: "0.38%"
  allowedDeductions:
    - { label: 流量费, amount: "36.00", per: terminal-year }
`;
export const base = loadContract(BASE, 'contract.yaml');
/** A clean pair to put after a line the scan leaves to the reference reader: it becomes the "witness" kept in the residual. */
export const spacer = filler(1, 40);

// --- The adversarial generator and several files per side (differential and red-team 3) ------

export const CARD = { debit: ['借记卡', 50], credit: ['贷记卡', 60], qr: ['微信', 38] } as const;
export type Card = keyof typeof CARD;

export function feeFen(amount: number, card: Card): number {
  const fee = Math.floor((amount * CARD[card][1] + 5000) / 10000);
  return card === 'debit' ? Math.min(fee, 2000) : fee;
}

/**
 * A terminal export and a settlement file with every fault the fast path must leave to the
 * reference code, mixed into many clean pairs. `seed` decides everything.
 */
export function adversarialFiles(seed: number, n: number): { terminal: string; settlement: string } {
  const rand = rng(seed);
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const terminal: string[] = ['商户号,终端号,交易时间,交易类型,交易状态,卡号,卡类型,交易金额,参考号,凭证号,原参考号,原凭证号'];
  const settlement: string[] = [];
  const terminals = ['10000001', '10000002', '10000003'];
  const amounts = [1000, 2500, 9900, 10000, 123456]; // few distinct amounts: retries and voids find several candidates
  let rrn = 500000000000;
  let trace = 1;
  // Memos differ on most lines (门店 + number); a few name a deduction on a sale line.
  const memoOf = (i: number) => {
    const m = rand();
    return m < 0.3 ? `门店${i}` : m < 0.32 ? '含押金' : m < 0.34 ? 'POS' : '';
  };
  const time = (i: number) => {
    const secs = 8 * 3600 + i * 97 + Math.floor(rand() * 60); // crosses the 23:00 cut-off on the first day
    const day = 14 + Math.floor(secs / 86400);
    const s = secs % 86400;
    return `2025-10-${day} ${String(Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  };
  for (let i = 0; i < n; i++) {
    const card = pick(['debit', 'credit', 'qr'] as const);
    const term = pick(terminals);
    const amount = rand() < 0.5 ? pick(amounts) : 100 + Math.floor(rand() * 300000);
    const t = time(i);
    const r = String(rrn++);
    const tr = String(trace++).padStart(6, '0');
    const cardNo = card === 'qr' ? '' : `622848******${String(1000 + (i % 7))}`;
    let fee = feeFen(amount, card);
    let settleAmount = amount;
    let status = '成功';
    let tRrn = r;
    let settle = true;
    let settleRrn = r;
    let settleTime = t;
    const x = rand();
    const extra: string[] = [];
    if (x < 0.04) { status = '交易超时'; tRrn = ''; }
    else if (x < 0.08) { status = '交易失败'; tRrn = ''; settle = false; }
    else if (x < 0.1) fee += i < 30 && rand() < 0.5 ? 1500 : 1 + Math.floor(rand() * 50); // early big ones look like 首刷
    else if (x < 0.12) settleAmount -= 100;
    else if (x < 0.13) settle = false;
    else if (x < 0.15) {
      // Voided: by reference, by trace, or with no reference at all.
      const how = pick(['ref', 'trace', 'none'] as const);
      // Hours later the same day, so no retry window covers it: only the void rules link it.
      const later = `${t.slice(0, 11)}23:30:00`;
      const voidRrn = String(rrn++);
      extra.push(`898310058120001,${term},${later},消费撤销,成功,${cardNo},${CARD[card][0]},${yuan(amount)},${voidRrn},${String(trace++).padStart(6, '0')},${how === 'ref' ? r : ''},${how === 'trace' ? tr : ''}`);
      settle = rand() < 0.3; // sometimes settled anyway
      // Some acquirers clear the void too, under its own RRN: with the sale (net zero) or without it.
      if (rand() < 0.4) {
        const voidFee = feeFen(amount, card);
        settlement.push(`2025-10-17,898310058120001,${term},${later},消费撤销,${cardNo},${CARD[card][0]},-${yuan(amount)},-${yuan(voidFee)},-${yuan(amount - voidFee)},${voidRrn},,`);
      }
    } else if (x < 0.16) {
      // A retry of a failed charge a few minutes later, same card and amount.
      terminal.push(`898310058120001,${term},${t},消费,交易失败,${cardNo},${CARD[card][0]},${yuan(amount)},,${String(trace++).padStart(6, '0')},,`);
    } else if (x < 0.17) settleRrn = String(rrn - 2); // another sale's RRN: a duplicate in the settlement file
    else if (x < 0.18) settleTime = ''; // a settlement line with a date only
    else if (x < 0.185) extra.push(`898310058120001,${term},${t},消费,成功,${cardNo},${CARD[card][0]},${yuan(amount)},${r},${tr},,`); // same RRN twice on the terminal
    // Export quirks the scan reads itself: every cell quoted, Excel's ="…" and a tab before ids.
    const quirk = rand();
    const tLine = `898310058120001,${term},${t},消费,${status},${cardNo},${CARD[card][0]},${yuan(amount)},${quirk < 0.05 && tRrn ? `="${tRrn}"` : tRrn},${tr},,`;
    terminal.push(quirk > 0.95 ? tLine.split(',').map((c) => `"${c}"`).join(',') : tLine);
    terminal.push(...extra);
    if (settle) {
      // Paid on the due date (T+1 after the business date; 10-14 … 10-17 are working days), a
      // few a day early, a few late (settled_late).
      const due = Number(t.slice(8, 10)) + (t.slice(11) >= '23:00:00' ? 1 : 0) + 1;
      const r2 = rand();
      const paid = r2 < 0.03 ? due - 1 : r2 < 0.05 ? 20 : due;
      settlement.push(`2025-10-${paid},898310058120001,${term},${settleTime},消费,${cardNo},${CARD[card][0]},${yuan(settleAmount)},${yuan(fee)},${yuan(settleAmount - fee)},${rand() < 0.05 ? '\t' : ''}${settleRrn},${tr},${memoOf(i)}`);
    }
    if (settle && status === '成功' && settleAmount === amount && rand() < 0.04) {
      // A partial refund naming its sale (原参考号): the fee back is the sale's fee pro rata, or
      // (sometimes) what the rule gives the refunded amount alone, which differs under the cap.
      const back = Math.max(1, Math.floor(amount / 2));
      const saleFee = feeFen(amount, card);
      const backFee = rand() < 0.7 ? Math.floor((saleFee * back * 2 + amount) / (2 * amount)) : feeFen(back, card);
      const rr = String(rrn++);
      const tr2 = String(trace++).padStart(6, '0');
      const at = `${t.slice(0, 11)}22:10:00`;
      terminal.push(`898310058120001,${term},${at},退货,成功,${cardNo},${CARD[card][0]},${yuan(back)},${rr},${tr2},${r},`);
      settlement.push(`2025-10-17,898310058120001,${term},${at},退货,${cardNo},${CARD[card][0]},-${yuan(back)},-${yuan(backFee)},-${yuan(back - backFee)},${rr},${tr2},`);
    }
    // A successful charge of a type no vocabulary knows, or a sale whose status no vocabulary
    // knows: the reference reader rejects either.
    if (rand() < 0.005) {
      const words = rrn % 2 === 0 ? '会员充值,成功' : '消费,已打印';
      terminal.push(`898310058120001,${term},${t},${words},${cardNo},${CARD[card][0]},${yuan(amount)},${String(rrn++)},${String(trace++).padStart(6, '0')},,`);
    }
    if (rand() < 0.01) terminal.push('');
    if (rand() < 0.01) settlement.push(`"2025-10-16",898310058120001,${term},${t},消费,${cardNo},${CARD[card][0]},"${yuan(amount)}",${yuan(fee)},${yuan(amount - fee)},${String(rrn++)},${tr},`);
  }
  settlement.push(`2025-10-16,898310058120001,10000002,,押金,,,0.00,0.00,-99.00,,,首刷押金`);
  settlement.push(`2025-10-17,898310058120001,10000001,,流量费,,,0.00,0.00,-36.00,,,SIM卡流量费`);
  for (let i = settlement.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [settlement[i], settlement[j]] = [settlement[j], settlement[i]];
  }
  settlement.unshift('清算日期,商户号,终端号,交易时间,交易类型,卡号,卡类型,交易金额,手续费,结算金额,参考号,凭证号,备注');
  terminal.push(`合计,共${n}笔`);
  return { terminal: terminal.join('\n') + '\n', settlement: settlement.join('\r\n') + '\r\n' };
}

/** Several files per side, each read on its own by both engines. */
export function columnarMany(ts: Input[], ss: Input[], contract: Contract, asOf?: string, headBytes = 300, minCandidateShare?: number) {
  const side = (f: Input) => ({ file: f.name, bytes: f.bytes });
  return reconcileColumnar({ terminal: ts.map(side), settlement: ss.map(side), profiles, contract, calendar, asOf, headBytes, minCandidateShare });
}

export function referenceMany(ts: Input[], ss: Input[], contract: Contract, asOf?: string) {
  return reconcile({
    terminal: ts.map((f) => readInputFile(f.bytes, f.name, { profiles, role: 'terminal' })),
    settlement: ss.map((f) => readInputFile(f.bytes, f.name, { profiles, role: 'settlement' })),
    contract,
    calendar,
    asOf,
  });
}

/**
 * A file's data lines dealt into `parts` files, each with the header; some lines also go into a
 * second file, as an overlapping re-export does (the same row twice: counted once, reported as
 * duplicate_export). Footer lines stay in the last file.
 */
export function splitFile(text: string, parts: number, rand: () => number, overlap: number): string[] {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const [header, ...rest] = text.split(eol).filter((line, i, all) => i < all.length - 1 || line !== '');
  const files: string[][] = Array.from({ length: parts }, () => [header]);
  for (const line of rest) {
    const f = line.startsWith('合计') ? parts - 1 : Math.floor(rand() * parts);
    files[f].push(line);
    if (rand() < overlap && !line.startsWith('合计')) files[(f + 1) % parts].push(line);
  }
  return files.map((lines) => lines.join(eol) + eol);
}
