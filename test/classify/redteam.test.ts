// Cases an independent red-team scenario found, pinned with their hand-predicted findings.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readInputFile } from '../../src/read/readInput.js';
import { builtinProfiles } from '../../src/profiles/builtin.js';
import { loadContract } from '../../src/contract/contract.js';
import { loadBuiltinCalendar } from '../../src/calendar/calendar.js';
import { reconcile } from '../../src/reconcile.js';

const profiles = builtinProfiles();
const read = (text: string | Uint8Array, name: string, role: 'terminal' | 'settlement') =>
  readInputFile(typeof text === 'string' ? new TextEncoder().encode(text) : text, name, { profiles, role });
const run = (terminal: string[], settlement: (string | Uint8Array)[], contract: string, asOf?: string) =>
  reconcile({
    terminal: terminal.map((t, i) => read(t, `t${i}.csv`, 'terminal')),
    settlement: settlement.map((s, i) => read(s, `s${i}.csv`, 'settlement')),
    contract: loadContract(contract, 'c.yaml'),
    calendar: loadBuiltinCalendar(),
    asOf,
  });
const WECHAT = readFileSync(new URL('../../fixtures/channels/wechatpay-tradebill-27col-refund-20251001.csv', import.meta.url));

describe('WeChat bills', () => {
  it('compares 5-decimal fees after rounding to the fen, and matches channel words people use', () => {
    // 128.50 × 0.60% = 0.771 printed 0.77100; 9.90 → 0.0594 printed 0.05940; refund −0.17100.
    const result = run([], [WECHAT], 'fees:\n  rules:\n    - when: { channel: [WeChat, 微信] }\n      rate: "0.60%"\n');
    expect(result.counts.fee_unverified).toBe(0);
    expect(result.counts.fee_mismatch).toBe(0);
    expect(result.fees.checked).toBe(4);
  });

  it('pairs a terminal refund with the REFUND row by 商户退款单号', () => {
    const terminal =
      '商户号,终端号,交易时间,交易类型,交易状态,卡类型,交易金额,商户订单号,原订单号\n' +
      '1601959334,POS01,2025-10-01 12:40:02,扫码,成功,微信,128.50,W202510010002,\n' +
      '1601959334,POS01,2025-10-01 19:02:11,退货,成功,微信,28.50,R202510010001,W202510010002\n';
    const result = run([terminal], [WECHAT], 'fees:\n  rules:\n    - when: { cardType: qr }\n      rate: "0.60%"\n', '2025-10-05');
    const refund = result.findings.find((f) => f.terminal?.txnType === 'refund');
    expect(refund?.kind).toBe('matched');
    expect(refund?.details.pass).toBe('order');
  });

  it('puts a 23:30 WeChat payment on its own calendar day, not the card cut-off\'s next day', () => {
    const late = Buffer.from(WECHAT.toString('utf8').replace('`2025-10-01 18:20:45', '`2025-09-30 23:30:00'));
    const contract = 'settlement: { cycle: T+1, cutoff: "23:00" }\nfees:\n  rules:\n    - when: { cardType: qr }\n      until: "2025-09-30"\n      rate: "0.60%"\n    - when: { cardType: qr }\n      from: "2025-10-01"\n      rate: "0.60%"\n      fixed: "1.00"\n';
    const result = run([], [late], contract);
    const row = result.findings.find((f) => f.kind === 'fee_mismatch' && f.settlement?.time === '2025-09-30 23:30:00');
    expect(row).toBeUndefined();
  });
});

describe('card settlement', () => {
  const HEADER = '清算日期,商户号,终端号,交易时间,交易类型,卡号,卡类型,交易金额,手续费,结算金额,参考号,凭证号';

  it('applies D0 rules (rate + fixed 秒到费) under a D0 contract', () => {
    const s = `${HEADER}\n2025-10-04,898310058120001,10000001,2025-10-04 09:00:00,消费,622848******0005,借记卡,100.00,2.60,97.40,300000000005,000305\n`;
    const contract = 'settlement: { cycle: D0 }\nfees:\n  rules:\n    - when: { mode: D0 }\n      rate: "0.60%"\n      fixed: "2.00"\n    - when: { cardType: debit }\n      rate: "0.50%"\n';
    const result = run([], [s], contract);
    expect(result.counts.fee_mismatch).toBe(0);
    expect(result.fees.checked).toBe(1);
  });

  it('matches a settlement row that prints only 交易日期 by date, amount, card and terminal', () => {
    const t = '商户号,终端号,交易时间,交易类型,交易状态,卡号,卡类型,交易金额,参考号\n898310058120004,40000001,2025-04-25 09:00:00,消费,成功,622848******0005,借记卡,66.00,900000000005\n';
    const s = '清算日期,交易日期,商户号,终端号,交易类型,卡号,卡类型,交易金额,手续费,结算金额\n2025-04-28,2025-04-25,898310058120004,40000001,消费,622848******0005,借记卡,66.00,0.33,65.67\n';
    const result = run([t], [s], 'fees:\n  rules:\n    - when: { cardType: debit }\n      rate: "0.50%"\n');
    expect(result.counts.matched).toBe(1);
    expect(result.counts.dropped_order).toBe(0);
    expect(result.counts.unsettled_overdue).toBe(0);
  });

  it('keeps the paired terminal row on a net_mismatch', () => {
    const t = '商户号,终端号,交易时间,交易类型,交易状态,卡号,卡类型,交易金额,参考号\n898310058120001,10000001,2025-10-14 10:00:00,消费,成功,622848******0005,借记卡,100.00,R1\n';
    const s = `${HEADER}\n2025-10-15,898310058120001,10000001,2025-10-14 10:00:00,消费,622848******0005,借记卡,100.00,0.50,98.50,R1,000001\n`;
    const result = run([t], [s], 'fees:\n  rules:\n    - when: { cardType: debit }\n      rate: "0.50%"\n');
    const net = result.findings.find((f) => f.kind === 'net_mismatch');
    expect(net?.terminal?.rrn).toBe('R1');
    expect(result.counts.matched).toBe(0);
  });

  it('words an ambiguity on the settlement side as competing terminal rows', () => {
    const t =
      '商户号,终端号,交易时间,交易类型,交易状态,卡号,卡类型,交易金额\n' +
      '898310058120001,10000001,2025-10-14 10:00:00,消费,成功,622848******0005,借记卡,100.00\n' +
      '898310058120001,10000001,2025-10-14 10:15:00,消费,成功,622848******0005,借记卡,100.00\n';
    const s = `${HEADER}\n2025-10-15,898310058120001,10000001,2025-10-14 10:07:00,消费,622848******0005,借记卡,100.00,0.50,99.50,,\n`;
    const result = run([t], [s], 'fees:\n  rules:\n    - when: { cardType: debit }\n      rate: "0.50%"\n');
    const amb = result.findings.filter((f) => f.kind === 'ambiguous_match');
    expect(amb).toHaveLength(2);
    expect(amb[0].message).toMatch(/and 1 other terminal row\(s\) .* all fit the one settlement line s0\.csv:2/);
    expect(result.counts.dropped_order).toBe(0);
  });
});

describe('footer row counts', () => {
  it('reports a terminal export whose 合计 footer counts more rows than it holds', () => {
    const text = readFileSync(new URL('../../fixtures/demo/terminal-2025-09-29.csv', import.meta.url), 'utf8');
    const settlement = readFileSync(new URL('../../fixtures/demo/settlement-2025-09-30.csv', import.meta.url));
    const contract = readFileSync(new URL('../../fixtures/demo/contract.yaml', import.meta.url), 'utf8');
    expect(run([text], [settlement], contract).counts.control_total_mismatch).toBe(0);
    const lost = run([text.replace('共9笔', '共10笔')], [settlement], contract);
    expect(lost.counts.control_total_mismatch).toBe(1);
    const f = lost.findings.find((x) => x.kind === 'control_total_mismatch')!;
    expect([f.expected, f.actual, f.details.key]).toEqual(['10', '9', 'count']);
  });
});
