// Deterministic synthetic inputs for `npm run bench`: a terminal export and a settlement file
// with known faults, so the benchmark can check the findings, not just time them.
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';

const CARD = { debit: ['借记卡', 50], credit: ['贷记卡', 60], qr: ['微信', 38] };
const KINDS = ['debit', 'credit', 'qr'];

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const yuan = (fen) => `${fen < 0 ? '-' : ''}${Math.floor(Math.abs(fen) / 100)}.${String(Math.abs(fen) % 100).padStart(2, '0')}`;
const feeFen = (amountFen, bp, kind) => {
  const fee = Math.floor((amountFen * bp + 5000) / 10000);
  return kind === 'debit' ? Math.min(fee, 2000) : fee;
};

export const BENCH_CONTRACT = `settlement: { cycle: D+1, cutoff: "23:00" }
fees:
  rules:
    - when: { cardType: debit }
      rate: "0.50%"
      cap: "20.00"
    - when: { cardType: credit }
      rate: "0.60%"
    - when: { cardType: qr }
      rate: "0.38%"
`;

/** Lines go out in chunks, so 10M rows never become one string (V8 caps strings near 512 MiB). */
function lineWriter(path, { gbk = false } = {}) {
  const fd = openSync(path, 'w');
  const gbkFd = gbk ? openSync(path.replace(/\.csv$/, '.gbk.csv'), 'w') : null;
  let chunk = '';
  const flush = () => {
    writeSync(fd, chunk);
    if (gbkFd !== null) writeSync(gbkFd, toGbk(chunk));
    chunk = '';
  };
  return {
    line(text) {
      chunk += text + '\n';
      if (chunk.length >= 1 << 22) flush();
    },
    close() {
      flush();
      closeSync(fd);
      if (gbkFd !== null) closeSync(gbkFd);
    },
  };
}

const FAULTS = { none: 0, timeout: 1, failed: 2, fee: 3, amount: 4, unsettled: 5 };

/**
 * Writes terminal.csv and settlement.csv (and their GBK twins when `gbk`) into `dir`; returns
 * the truth: how many findings of each kind the files must produce. Rows are kept as numbers
 * (typed arrays), not strings, so 10M rows per side fit in a few hundred MiB.
 */
export function generate(dir, n, { seed = 42, gbk = true } = {}) {
  mkdirSync(dir, { recursive: true });
  const rand = rng(seed);
  const truth = { matched: 0, dropped_order: 0, fee_mismatch: 0, amount_mismatch: 0, no_settlement_expected: 0, unsettled_overdue: 0 };
  const amounts = new Int32Array(n);
  const faults = new Uint8Array(n);
  const feeExtra = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    amounts[i] = 100 + Math.floor(rand() * 500000);
    const r = rand();
    if (r < 0.01) { faults[i] = FAULTS.timeout; truth.dropped_order++; }
    else if (r < 0.04) { faults[i] = FAULTS.failed; truth.no_settlement_expected++; }
    else if (r < 0.05) { faults[i] = FAULTS.fee; feeExtra[i] = 1 + Math.floor(rand() * 200); truth.fee_mismatch++; }
    else if (r < 0.055) { faults[i] = FAULTS.amount; truth.amount_mismatch++; }
    else if (r < 0.056) { faults[i] = FAULTS.unsettled; truth.unsettled_overdue++; }
    else truth.matched++;
  }
  const fields = (i) => {
    const kind = KINDS[i % 3];
    const [word, bp] = CARD[kind];
    const terminalId = String(10000000 + (i % 500));
    const trace = String(i % 999999).padStart(6, '0');
    const rrn = String(100000000000 + i);
    const secs = Math.floor((i / n) * 86400 * 2);
    const day = secs < 86400 ? '2025-10-14' : '2025-10-15';
    const s = secs % 86400;
    const time = `${day} ${String(Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
    const card = kind === 'qr' ? '' : `6228${String(i % 100).padStart(2, '0')}******${String(i % 10000).padStart(4, '0')}`;
    // Paid on its due date under the bench contract (D+1, 23:00 cut-off): a later date is settled_late.
    const settleDate = ['2025-10-15', '2025-10-16', '2025-10-17'][(secs < 86400 ? 0 : 1) + (s >= 23 * 3600 ? 1 : 0)];
    return { kind, word, bp, terminalId, trace, rrn, time, card, settleDate };
  };
  const terminal = lineWriter(`${dir}/terminal.csv`, { gbk });
  terminal.line('商户号,终端号,交易时间,交易类型,交易状态,卡号,卡类型,交易金额,参考号,凭证号');
  const settled = [];
  for (let i = 0; i < n; i++) {
    const f = fields(i);
    const fault = faults[i];
    const status = fault === FAULTS.timeout ? '交易超时' : fault === FAULTS.failed ? '交易失败' : '成功';
    const tRrn = fault === FAULTS.timeout || fault === FAULTS.failed ? '' : f.rrn;
    terminal.line(`898310058120001,${f.terminalId},${f.time},消费,${status},${f.card},${f.word},${yuan(amounts[i])},${tRrn},${f.trace}`);
    if (fault !== FAULTS.failed && fault !== FAULTS.unsettled) settled.push(i);
  }
  terminal.close();
  // Settlement files are not in terminal order.
  const order = Int32Array.from(settled);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  const settlement = lineWriter(`${dir}/settlement.csv`, { gbk });
  settlement.line('清算日期,商户号,终端号,交易时间,交易类型,卡号,卡类型,交易金额,手续费,结算金额,参考号,凭证号');
  for (const i of order) {
    const f = fields(i);
    const settledAmount = faults[i] === FAULTS.amount ? amounts[i] - 100 : amounts[i];
    const fee = feeFen(settledAmount, f.bp, f.kind) + feeExtra[i];
    settlement.line(`${f.settleDate},898310058120001,${f.terminalId},${f.time},消费,${f.card},${f.word},${yuan(settledAmount)},${yuan(fee)},${yuan(settledAmount - fee)},${f.rrn},${f.trace}`);
  }
  settlement.close();
  writeFileSync(`${dir}/contract.yaml`, BENCH_CONTRACT);
  return { truth, terminalRows: n, settlementRows: order.length };
}

/** Re-encode a UTF-8 file as GBK by inverting Node's GBK decoder (no dependency). */
let gbkTable = null;
export function toGbk(utf8Text) {
  if (!gbkTable) {
    gbkTable = new Map();
    const dec = new TextDecoder('gbk');
    for (let lead = 0x81; lead <= 0xfe; lead++) for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail === 0x7f) continue;
      const ch = dec.decode(new Uint8Array([lead, trail]));
      if (ch.length === 1 && ch !== '\uFFFD' && !gbkTable.has(ch)) gbkTable.set(ch, (lead << 8) | trail);
    }
  }
  const table = gbkTable;
  const out = Buffer.alloc(utf8Text.length * 2);
  let o = 0;
  for (const ch of utf8Text) {
    const c = ch.codePointAt(0);
    if (c < 0x80) out[o++] = c;
    else { const code = table.get(ch); out[o++] = code >> 8; out[o++] = code & 0xff; }
  }
  return out.subarray(0, o);
}
