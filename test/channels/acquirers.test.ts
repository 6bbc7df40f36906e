// Acquirer layouts written from domain.md §6: 通联 POS 对账单, 乐刷 trade file, 利楚/扫呗.
import { describe, expect, it } from 'vitest';
import { CHANNELS, read, readBytes, total, yuan } from './helpers.js';

describe('通联 (Allinpay) POS 对账单', () => {
  const f = read(CHANNELS + 'allinpay-pos-duizhangdan-20251009.csv');

  it('is detected as allinpay-pos; title lines and the 合计/总笔数 footer are skipped', () => {
    expect(f.encoding).toBe('gb18030');
    expect(f.profile.name).toBe('allinpay-pos');
    expect(f.headerLine).toBe(4);
    expect(f.skipped.map((s) => [s.line, s.kind])).toEqual([[1, 'preamble'], [2, 'preamble'], [3, 'preamble'], [10, 'footer'], [11, 'footer']]);
    expect(f.lines).toEqual({ total: 11, header: 1, skipped: 5, records: 5, rejected: 0 });
  });

  it('joins the separate 交易日期 and 交易时间 columns', () => {
    expect(f.records.map((r) => r.time)).toEqual([
      '2025-10-08 09:30:00', '2025-10-08 10:02:17', '2025-10-08 14:45:09', '2025-10-08 16:20:44', '2025-10-08 20:11:58',
    ]);
    expect(new Set(f.records.map((r) => r.settleDate))).toEqual(new Set(['2025-10-09']));
  });

  it('reads 5 rows: amount 9368.00, fee 40.91, net 9327.09 (the file footer), card types and a refund', () => {
    expect(f.records).toHaveLength(5);
    expect([total(f.records, 'amount'), total(f.records, 'fee'), total(f.records, 'net')]).toEqual(['9368.00', '40.91', '9327.09']);
    expect(f.records.map((r) => [r.cardType, r.txnType])).toEqual([
      ['debit', 'sale'], ['credit', 'sale'], ['debit', 'sale'], ['qr', 'sale'], ['credit', 'refund'],
    ]);
    expect(f.records[0]).toMatchObject({ merchantId: '898310058120001', terminalId: '10000001', rrn: '100000000010', trace: '000110', batch: '000002' });
    expect(f.records[3].orderId).toBe('W2025100816204401');
  });
});

describe('乐刷 (Leshua) trade file', () => {
  const f = read(CHANNELS + 'leshua-trade-20180731.csv');

  it('takes the BT record as the header and only BV records as rows', () => {
    expect(f.profile.name).toBe('leshua-trade');
    expect(f.headerLine).toBe(1);
    expect(f.records.map((r) => r.source.line)).toEqual([2, 3, 4, 5]);
  });

  it('reads fen amounts, glued timestamps and * placeholders', () => {
    expect(f.records.map((r) => r.time)).toEqual(['2018-07-31 09:15:02', '2018-07-31 11:20:45', '2018-07-31 16:07:27', '2018-07-31 18:40:10']);
    expect(f.records.map((r) => [yuan(r.amount), yuan(r.fee), yuan(r.net)])).toEqual([
      ['1500.00', '8.25', '1491.75'], ['238.00', '1.43', '236.57'], ['88.00', '0.33', '87.67'], ['-50.00', '-0.30', '-49.70'],
    ]);
    expect([total(f.records, 'amount'), total(f.records, 'fee'), total(f.records, 'net')]).toEqual(['1776.00', '9.71', '1766.29']);
    const qr = f.records[2];
    expect(qr).toMatchObject({ cardType: 'qr', orderId: 'LS2018073116072700012' });
    expect(qr.card).toBeUndefined();
    expect(qr.rrn).toBeUndefined();
    expect(f.records[3].txnType).toBe('refund');
  });

  it('another record type (a trailer) is reported as a skipped line, not a row', () => {
    const text =
      'BT,商户编号,终端编号,交易时间,交易类型,卡号,卡类型,交易金额(分),费率(万分之一),手续费(分),结算金额(分),参考号,凭证号,批次号,订单号,清算日期\n' +
      'BV,848110054110023,LS000123,2018-07-3109:15:02,消费,622848******6666,借记卡,150000,55,825,149175,721209150201,000101,000031,*,20180801\n' +
      'BS,1,150000,825,149175\n';
    const g = readBytes(new TextEncoder().encode(text), 'leshua.csv');
    expect(g.records).toHaveLength(1);
    expect(g.skipped.map((s) => [s.line, s.kind, s.text])).toEqual([[3, 'footer', 'BS,1,150000,825,149175']]);
  });
});

describe('利楚/扫呗 (headerless)', () => {
  const f = read(CHANNELS + 'lcsw-saobei-20250930.csv');

  it('is recognised without a header row by its column count and a 15-digit merchant number', () => {
    expect(f.profile.name).toBe('lcsw-saobei');
    expect(f.headerLine).toBeNull();
    expect(f.reason).toMatch(/^no header row/);
    expect(f.records).toHaveLength(5);
  });

  it('reads fen amounts, compact timestamps, channel codes and unsigned refunds as negative', () => {
    expect(f.records.map((r) => [r.time, r.channel, r.txnType, r.status, yuan(r.amount), yuan(r.fee), yuan(r.net)])).toEqual([
      ['2025-09-30 10:15:00', 'wechat', 'sale', 'success', '25.80', '0.10', '25.70'],
      ['2025-09-30 11:32:07', 'alipay', 'sale', 'success', '128.00', '0.49', '127.51'],
      ['2025-09-30 15:09:45', 'wechat', 'sale', 'success', '66.00', '0.25', '65.75'],
      ['2025-09-30 16:20:11', 'wechat', 'sale', 'failed', '15.00', '0.00', '0.00'],
      ['2025-09-30 19:33:55', 'wechat', 'refund', 'success', '-5.80', '-0.02', '-5.78'],
    ]);
    expect(f.records[4]).toMatchObject({ orderId: 'P20250930101500001', originalRef: 'P20250930101500001', cardType: 'qr' });
    expect([total(f.records, 'amount'), total(f.records, 'fee'), total(f.records, 'net')]).toEqual(['229.00', '0.82', '213.18']);
  });
});
