// Real published bank statements (fixtures/samples/, see the README there for provenance and
// licence): read with the right credits, debits and balances, in booking order, every row in one
// category. Numbers pinned here were read off the files by eye.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readInputFile, type ParsedFile } from '../../src/read/readInput.js';
import { builtinProfiles } from '../../src/profiles/builtin.js';
import { defaultContract, loadContract } from '../../src/contract/contract.js';
import { orderBankRows, acquirerHint } from '../../src/bank/rows.js';
import { checkBalances } from '../../src/bank/balance.js';
import { reconcileBank } from '../../src/bank/reconcileBank.js';
import { Decimal } from 'decimal.js';

const read = (name: string): ParsedFile =>
  readInputFile(readFileSync(new URL(`../../fixtures/samples/${name}`, import.meta.url)), name, { profiles: builtinProfiles(), role: 'bank' });
const total = (f: ParsedFile, side: 'credit' | 'debit') => f.records.reduce((n, r) => n.plus(r[side] ?? 0), new Decimal(0)).toFixed(2);

describe('ICBC 明细查询文件下载 (balances masked as xx,yyyy.zz)', () => {
  const f = read('bank-icbc-mingxi.csv');
  it('reads 11 rows with their credits and debits', () => {
    expect(f.profile.name).toBe('generic-bank');
    expect(f.records.length).toBe(11);
    expect(f.rejected).toEqual([]);
    expect(total(f, 'credit')).toBe('2841.74');
    expect(total(f, 'debit')).toBe('4241.08');
    const first = orderBankRows(f.records)[0];
    expect(first).toMatchObject({ time: '2023-02-08 00:00:00', memo: '退款', counterparty: '深圳市财付通支付科技有限公司' });
    expect(first.credit?.toFixed(2)).toBe('1.04');
  });
  it('leaves every masked balance empty and says so, never guessing', () => {
    expect(f.records.every((r) => r.balance === undefined && r.balanceUnreadable === 'xx,yyyy.zz')).toBe(true);
    const c = checkBalances(orderBankRows(f.records));
    expect(c).toMatchObject({ checked: 0, gaps: [] });
    expect(c.unreadable.length).toBe(11);
    const bank = reconcileBank({ settlement: [], bank: f.records, contract: defaultContract(), asOf: '2023-05-02' });
    expect(bank.notes).toEqual([
      'balance unreadable on 11 of 11 bank rows (e.g. "xx,yyyy.zz", masked or not a number): those rows skip the continuity check; balances are not guessed',
    ]);
    expect(bank.findings.every((fd) => fd.details.balanceUnreadable === 'xx,yyyy.zz')).toBe(true);
  });
});

describe('CMB statement (one signed amount)', () => {
  const f = read('bank-cmb-statement.csv');
  it('reads 5 rows, signed amounts split into credits and debits, balances exact', () => {
    expect(f.records.length).toBe(5);
    expect(total(f, 'credit')).toBe('1234.00');
    expect(total(f, 'debit')).toBe('2013.14');
    expect(orderBankRows(f.records).map((r) => [r.time!.slice(0, 10), r.balance?.toFixed(2)])).toEqual([
      ['2024-01-01', '1271.66'],
      ['2024-01-01', '271.66'],
      ['2024-01-20', '123.45'],
      ['2024-01-23', '1218.24'],
      ['2024-01-27', '81.22'],
    ]);
  });
  it('is an excerpt: the balance jumps three times between the rows it shows', () => {
    const c = checkBalances(orderBankRows(f.records));
    expect(c.checked).toBe(4);
    expect(c.gaps.map((g) => g.difference.toFixed(2))).toEqual(['851.79', '1104.93', '-1134.02']);
  });
});

describe('BOC 交易流水明细 (newest first, signed amounts, ------- placeholders)', () => {
  const f = read('bank-boc-liushui.csv');
  it('reads 17 rows with their credits, debits and balances', () => {
    expect(f.records.length).toBe(17);
    expect(total(f, 'credit')).toBe('9821.00');
    expect(total(f, 'debit')).toBe('9394.30');
    expect(f.records.every((r) => r.balance !== undefined)).toBe(true);
  });
  it('orders the newest-first statement by booking time: every balance follows', () => {
    const ordered = orderBankRows(f.records);
    expect(ordered[0]).toMatchObject({ time: '2025-08-01 08:57:00', memo: '银联入账 / 转账' });
    expect(ordered[0].balance?.toFixed(2)).toBe('3813.58');
    expect(ordered[16].time).toBe('2025-08-22 17:57:17');
    expect(ordered[16].balance?.toFixed(2)).toBe('3240.28');
    expect(checkBalances(ordered)).toMatchObject({ checked: 16, gaps: [], missing: 0 });
  });
  it('finds nothing acquirer-looking: its 银联入账 credit is a transfer from 张三 (BOC books every incoming card-network transfer so, review CA)', () => {
    const yinlian = f.records.filter((r) => r.memo?.includes('银联入账'));
    expect(yinlian.map((r) => [r.memo, r.counterparty, r.credit?.toFixed(2)])).toEqual([['银联入账 / 转账', '张三', '1000.00']]);
    expect(f.records.filter((r) => acquirerHint(r, defaultContract()))).toEqual([]);
    // Named in the contract's acquirers (a merchant paid from a person's account), it is one.
    expect(acquirerHint(yinlian[0], loadContract('acquirers: ["张三"]\n', 'c.yaml'))).toBe('张三');
  });
});

describe('every sample row ends in exactly one category', () => {
  it.each(['bank-icbc-mingxi.csv', 'bank-cmb-statement.csv', 'bank-boc-liushui.csv'])('%s', (name) => {
    const f = read(name);
    const bank = reconcileBank({ settlement: [], bank: f.records, contract: defaultContract(), asOf: '2025-12-31' });
    expect(bank.rows.size).toBe(f.records.length);
    expect(new Set(bank.rows.values())).toEqual(new Set(['unrelated']));
    expect(bank.findings.filter((x) => x.kind === 'bank_unrelated').length).toBe(f.records.length);
  });
});
