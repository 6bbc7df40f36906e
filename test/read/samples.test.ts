// Real published samples (fixtures/samples, see its README): layouts no one on the team wrote.
import { describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import type { CanonicalRecord } from '../../src/model.js';
import { read, SAMPLES } from './fixtures.js';

const sum = (records: CanonicalRecord[], key: 'amount' | 'fee' | 'credit' | 'debit') =>
  records.reduce((acc, r) => (r[key] ? acc.plus(r[key]!) : acc), new Decimal(0)).toFixed(2);

describe('published samples', () => {
  it('ICBC 明细: 6 junk lines above the header, padded cells, 人民币合计 footer, masked balances never guessed', () => {
    const f = read(SAMPLES + 'bank-icbc-mingxi.csv');
    expect(f.role).toBe('bank');
    expect(f.headerLine).toBe(7);
    expect(f.records).toHaveLength(11);
    expect(f.rejected).toEqual([]);
    expect(f.skipped.map((s) => [s.line, s.kind])).toEqual([
      [1, 'preamble'], [2, 'blank'], [3, 'preamble'], [4, 'blank'], [5, 'preamble'], [6, 'blank'], [19, 'blank'], [20, 'footer'],
    ]);
    expect(sum(f.records, 'credit')).toBe('2841.74');
    expect(sum(f.records, 'debit')).toBe('4241.08');
    // Booked (记账) amounts, not the empty transaction-currency columns.
    expect(f.mapping.headers.credit).toBe('记账金额(收入)');
    expect(f.records.every((r) => r.balance === undefined && r.balanceUnreadable === 'xx,yyyy.zz')).toBe(true);
    const first = f.records[0];
    expect([first.time, first.memo, first.counterparty, first.debit?.toFixed(2), first.credit]).toEqual([
      '2023-05-02 00:00:00', '消费', '深圳市财付通支付科技有限公司', '13.40', undefined,
    ]);
    expect(f.lines).toEqual({ total: 20, header: 1, skipped: 8, records: 11, rejected: 0 });
  });

  it('CMB statement: one signed amount per row, split into credit and debit', () => {
    const f = read(SAMPLES + 'bank-cmb-statement.csv');
    expect(f.role).toBe('bank');
    expect(f.records).toHaveLength(5);
    expect(sum(f.records, 'credit')).toBe('1234.00');
    expect(sum(f.records, 'debit')).toBe('2013.14');
    expect(f.records.map((r) => r.balance?.toFixed(2))).toEqual(['1271.66', '271.66', '81.22', '123.45', '1218.24']);
  });

  it('BOC 交易流水: title line, signed amounts, ------- placeholders', () => {
    const f = read(SAMPLES + 'bank-boc-liushui.csv');
    expect(f.role).toBe('bank');
    expect(f.headerLine).toBe(2);
    expect(f.records).toHaveLength(17);
    expect(f.rejected).toEqual([]);
    expect(sum(f.records, 'credit')).toBe('9821.00');
    expect(sum(f.records, 'debit')).toBe('9394.30');
    expect(f.records[0]).toMatchObject({ time: '2025-08-22 17:57:17', counterparty: '张三', memo: '无卡支付' });
  });

  it('WeChat Pay trade bill: 3 SUCCESS rows of 0.01, fee 0.00000, summary lines are not rows', () => {
    const f = read(SAMPLES + 'wechatpay-tradebill-20210128.csv');
    expect(f.role).toBe('settlement');
    expect(f.records).toHaveLength(3);
    expect(f.records.map((r) => r.amount?.toFixed(2))).toEqual(['0.01', '0.01', '0.01']);
    expect(f.records.every((r) => r.fee !== undefined && r.fee.isZero())).toBe(true);
    expect(f.records.map((r) => r.time)).toEqual(['2021-01-28 17:07:11', '2021-01-28 15:35:18', '2021-01-28 16:59:46']);
    expect(f.skipped.map((s) => s.line)).toEqual([5, 6]);
    expect(f.rejected).toEqual([]);
  });

  it('WeChat Pay fund-flow bill: 2 rows of 支出 0.01 although its summary claims 3', () => {
    const f = read(SAMPLES + 'wechatpay-fundflowbill-20210201.csv');
    expect(f.role).toBe('bank');
    expect(f.records).toHaveLength(2);
    expect(sum(f.records, 'debit')).toBe('0.02');
    expect(sum(f.records, 'credit')).toBe('0.00');
    expect(f.skipped.map((s) => s.line)).toEqual([4, 5]);
  });
});
