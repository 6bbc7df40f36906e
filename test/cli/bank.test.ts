// `posrecon reconcile --bank` through the binary: the bank-leg scenario written to disk, JSON
// counts, the table's bank section, exit codes, and input errors.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildBankScenario } from '../support/bankScenario.js';
import { ALL_KINDS, EXCEPTION_KINDS } from '../../src/classify/kinds.js';
import { posrecon } from './run.js';

const scenario = buildBankScenario();
const dir = mkdtempSync(join(tmpdir(), 'posrecon-bank-'));
for (const f of scenario.files) writeFileSync(join(dir, f.name), f.bytes);
writeFileSync(join(dir, 'contract.yaml'), scenario.contract);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const paths = (role: 'settlement' | 'bank') => scenario.files.filter((f) => f.role === role).map((f) => join(dir, f.name));
const ARGS = [
  'reconcile',
  '--settlement', ...paths('settlement'),
  '--bank', ...paths('bank'),
  '--contract', join(dir, 'contract.yaml'),
  '--as-of', scenario.asOf,
];

describe('posrecon reconcile --bank', () => {
  it('reports every planted payout fault in JSON, counted like every other kind, and exits 1', () => {
    const run = posrecon([...ARGS, '--format', 'json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const json = JSON.parse(run.stdout);
    expect(json.summary.counts).toEqual(Object.fromEntries(ALL_KINDS.map((k) => [k, scenario.expected[k] ?? 0])));
    expect(json.inputs.filter((i: { role: string }) => i.role === 'bank').map((i: { profile: string }) => i.profile)).toEqual(['generic-bank', 'generic-bank', 'generic-bank']);
    expect(json.summary.bank).toMatchObject({
      files: 3,
      rows: scenario.bankRows,
      payouts: { count: 20, matched: 10, merged: 3, split: 1, short: 1, over: 1, ambiguous: 1, missing: 1, pending: 1, nothing_due: 1 },
      totals: { short: '30.00', over: '20.00' },
      balance: { gaps: 1, unreadable: 0 },
    });
    expect(json.payouts).toHaveLength(20);
    expect(json.payouts.find((p: { status: string }) => p.status === 'short')).toMatchObject({ difference: '-30.00', cause: { code: 'bank_debit' } });
    expect(json.summary.daily.length).toBeGreaterThan(0);
    expect(json.summary.daily[0]).toEqual({ date: expect.any(String), expected: null, settled: expect.stringMatching(/^-?\d+\.\d{2}$/), credited: expect.stringMatching(/^-?\d+\.\d{2}$/) });
    const gap = json.findings.find((f: { kind: string }) => f.kind === 'balance_gap');
    expect(gap.related[0]).toMatchObject({ role: 'bank', debit: null, counterparty: expect.any(String), balance: expect.stringMatching(/^\d+\.\d{2}$/) });
    expect(gap.difference).toBe('-66.00');
  });

  it('prints the bank section and the new exception lines in the table', () => {
    const run = posrecon(ARGS);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^ {2}Bank: 3 statement file\(s\), 36 rows \(2025-11-01 … 2025-11-13\) · 19 payout\(s\) expected/m);
    expect(run.stdout).toMatch(/ {6}1 {2}payouts not credited \(未到账\) +¥6,070\.45 not credited to the bank account/);
    expect(run.stdout).toMatch(/ {6}2 {2}unexplained acquirer\/fee debits +¥129\.00 debited/);
    expect(run.stdout).toContain('Payout not credited to the bank account by the end of its window (未到账) — 1');
  });

  it('pending payouts and unrelated rows never fail the run', () => {
    const ignore = EXCEPTION_KINDS.join(',');
    const run = posrecon([...ARGS, '--ignore', ignore, '--quiet']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(posrecon([...ARGS, '--fail-on', 'payout_missing', '--quiet']).code).toBe(1);
    expect(posrecon([...ARGS, '--fail-on', 'payout_pending,bank_unrelated,payout_matched', '--quiet']).code).toBe(1); // asked for explicitly
    expect(posrecon([...ARGS, '--fail-on', 'ambiguous_match', '--quiet']).code).toBe(0);
  });

  it('judges the missing payout as pending before its window closes', () => {
    const json = JSON.parse(posrecon([...ARGS, '--format', 'json', '--as-of', '2025-11-07']).stdout);
    expect(json.summary.counts.payout_missing).toBe(0);
    expect(json.summary.counts.payout_pending).toBeGreaterThanOrEqual(2);
  });

  it('reads the real BOC sample next to the demo files', () => {
    const run = posrecon([
      'reconcile', '-s', 'fixtures/demo/settlement-2025-09-30.csv', 'fixtures/demo/settlement-2025-10-09.csv', '-c', 'fixtures/demo/contract.yaml',
      '--bank', 'fixtures/samples/bank-boc-liushui.csv', '--bank-profile', 'generic-bank', '--format', 'json',
    ]);
    expect(run.stderr).toBe('');
    const json = JSON.parse(run.stdout);
    // August statement, September/October payouts: nothing of the bank is judged against them.
    expect(json.summary.counts.bank_unrelated).toBe(17);
    expect(json.summary.counts.balance_gap).toBe(0);
    // The 09-30 payout's window spans 3 working days, past National Day to 10-11: still pending on 10-09.
    expect(json.summary.bank.payouts).toMatchObject({ missing: 0, pending: 2 });
  });
});

describe('bank input errors exit 2 with one line', () => {
  it.each([
    [['--bank', 'no/such/statement.csv'], /no\/such\/statement\.csv: cannot read: no such file/],
    [['--bank', 'fixtures/demo/contract.yaml'], /contract\.yaml:1: no bank profile fits/],
    [['--bank', 'fixtures/demo/terminal-2025-09-29.csv'], /terminal-2025-09-29\.csv:4: no bank profile fits; closest is generic-bank, which lacks balance/],
    [['--bank', 'fixtures/samples/bank-boc-liushui.csv', '--bank-profile', 'nope'], /--bank-profile: "nope" is neither a built-in profile/],
  ])('%j', (extra, message) => {
    const run = posrecon(['reconcile', '-s', 'fixtures/demo/settlement-2025-10-09.csv', ...extra]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('a WeChat bill printing fees to 5 decimals and no net', () => {
  it('expects a payout in whole fen (each fee rounded half-up to the fen) and totals the net as amount − fee', () => {
    const run = posrecon(['reconcile', '-s', 'fixtures/channels/wechatpay-tradebill-27col-refund-20251001.csv', '--bank', 'fixtures/channels/wechatpay-fundflowbill-fullwidth-20251001.csv',
      '-c', 'fixtures/demo/contract.yaml', '--format', 'json']);
    const json = JSON.parse(run.stdout) as { summary: { totals: Record<string, string> }; payouts: { expected: string; fees: string; gross: string }[] };
    // 25.00 − 0.15, 128.50 − 0.77 (0.77100), 9.90 − 0.06 (0.05940), refund −28.50 + 0.17 (−0.17100)
    expect(json.payouts[0]).toMatchObject({ gross: '134.90', fees: '0.81', expected: '134.09' });
    expect(json.summary.totals.net).toBe('134.09');
  });
});

describe('a fee printed to 5 decimals under a half-even contract', () => {
  it('is taken by the contract rounding in the payout and the totals (0.00500 → 0.00, 0.01500 → 0.02)', () => {
    const d = mkdtempSync(join(tmpdir(), 'posrecon-half-even-'));
    const bill = readFileSync('fixtures/channels/wechatpay-tradebill-27col-refund-20251001.csv', 'utf8').split('\n');
    const [header, first] = bill;
    const line = (amount: string, fee: string, order: string) => first.replace('`25.00,', `\`${amount},`).replace('`0.15000,', `\`${fee},`).replace('`W202510010001,', `\`${order},`).replace(/`25\.00,`0\.00,`$/, `\`${amount},\`0.00,\``);
    writeFileSync(join(d, 'bill.csv'), [header, line('1.00', '0.00500', 'W1'), line('3.00', '0.01500', 'W2'), ''].join('\n'));
    writeFileSync(join(d, 'c.yaml'), 'fees:\n  rounding: half-even\n  rules:\n    - when: { cardType: qr }\n      rate: "0.50%"\n');
    writeFileSync(join(d, 'bank.csv'), '记账日期,交易时间,摘要,收入金额,支出金额,余额,对方户名,附言\n2025-10-09,10:00:00,转账,3.98,,103.98,财付通支付科技有限公司,微信支付结算\n');
    const json = JSON.parse(posrecon(['reconcile', '-s', join(d, 'bill.csv'), '--bank', join(d, 'bank.csv'), '-c', join(d, 'c.yaml'), '--format', 'json']).stdout);
    expect(json.payouts[0]).toMatchObject({ gross: '4.00', fees: '0.02', expected: '3.98', status: 'matched' });
    expect([json.summary.totals.fees, json.summary.totals.net]).toEqual(['0.02', '3.98']);
  });
});
