// Deterministic synthetic inputs for `npm run bench`: a terminal export and a settlement file
// with known faults, so the benchmark can check the findings, not just time them.
import { writeFileSync, mkdirSync } from 'node:fs';

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

/** Returns the truth: how many findings of each kind the files must produce. */
export function generate(dir, n, { seed = 42 } = {}) {
  mkdirSync(dir, { recursive: true });
  const rand = rng(seed);
  const truth = { matched: 0, dropped_order: 0, fee_mismatch: 0, amount_mismatch: 0, no_settlement_expected: 0, unsettled_overdue: 0 };
  const terminal = ['商户号,终端号,交易时间,交易类型,交易状态,卡号,卡类型,交易金额,参考号,凭证号'];
  const settlement = [];
  for (let i = 0; i < n; i++) {
    const kind = KINDS[i % 3];
    const [word, bp] = CARD[kind];
    const terminalId = String(10000000 + (i % 500));
    const trace = String(i % 999999).padStart(6, '0');
    const rrn = String(100000000000 + i);
    const secs = Math.floor((i / n) * 86400 * 2);
    const day = secs < 86400 ? '2025-10-14' : '2025-10-15';
    const s = secs % 86400;
    const time = `${day} ${String(Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
    const amount = 100 + Math.floor(rand() * 500000);
    const card = kind === 'qr' ? '' : `6228${String(i % 100).padStart(2, '0')}******${String(i % 10000).padStart(4, '0')}`;
    const r = rand();
    let status = '成功';
    let settle = true;
    let settledAmount = amount;
    let fee = feeFen(amount, bp, kind);
    let tRrn = rrn;
    if (r < 0.01) { status = '交易超时'; tRrn = ''; truth.dropped_order++; }
    else if (r < 0.04) { status = '交易失败'; tRrn = ''; settle = false; truth.no_settlement_expected++; }
    else if (r < 0.05) { fee += 1 + Math.floor(rand() * 200); truth.fee_mismatch++; }
    else if (r < 0.055) { settledAmount = amount - 100; fee = feeFen(settledAmount, bp, kind); truth.amount_mismatch++; }
    else if (r < 0.056) { settle = false; truth.unsettled_overdue++; }
    else truth.matched++;
    terminal.push(`898310058120001,${terminalId},${time},消费,${status},${card},${word},${yuan(amount)},${tRrn},${trace}`);
    if (settle) settlement.push(`2025-10-16,898310058120001,${terminalId},${time},消费,${card},${word},${yuan(settledAmount)},${yuan(fee)},${yuan(settledAmount - fee)},${rrn},${trace}`);
  }
  // Settlement files are not in terminal order.
  for (let i = settlement.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [settlement[i], settlement[j]] = [settlement[j], settlement[i]];
  }
  settlement.unshift('清算日期,商户号,终端号,交易时间,交易类型,卡号,卡类型,交易金额,手续费,结算金额,参考号,凭证号');
  writeFileSync(`${dir}/terminal.csv`, terminal.join('\n') + '\n');
  writeFileSync(`${dir}/settlement.csv`, settlement.join('\n') + '\n');
  writeFileSync(`${dir}/contract.yaml`, BENCH_CONTRACT);
  return { truth, terminalRows: n, settlementRows: settlement.length - 1 };
}

/** Re-encode a UTF-8 file as GBK by inverting Node's GBK decoder (no dependency). */
export function toGbk(utf8Text) {
  const table = new Map();
  const dec = new TextDecoder('gbk');
  for (let lead = 0x81; lead <= 0xfe; lead++) for (let trail = 0x40; trail <= 0xfe; trail++) {
    if (trail === 0x7f) continue;
    const ch = dec.decode(new Uint8Array([lead, trail]));
    if (ch.length === 1 && ch !== '\uFFFD' && !table.has(ch)) table.set(ch, (lead << 8) | trail);
  }
  const out = Buffer.alloc(utf8Text.length * 2);
  let o = 0;
  for (const ch of utf8Text) {
    const c = ch.codePointAt(0);
    if (c < 0x80) out[o++] = c;
    else { const code = table.get(ch); out[o++] = code >> 8; out[o++] = code & 0xff; }
  }
  return out.subarray(0, o);
}
