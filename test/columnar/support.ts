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
