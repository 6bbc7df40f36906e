// WeChat Pay trade bill and fund-flow bill: backtick values, 5-decimal fees, REFUND rows, summary
// rows as control totals, old and current layouts, half- and full-width （元）.
import { describe, expect, it } from 'vitest';
import { checkControlTotals } from '../../src/read/controlTotals.js';
import { CHANNELS, SAMPLES, read, total, yuan } from './helpers.js';

const TRADE = SAMPLES + 'wechatpay-tradebill-20210128.csv';
const FUNDFLOW = SAMPLES + 'wechatpay-fundflowbill-20210201.csv';

describe('WeChat trade bill (published sample)', () => {
  const f = read(TRADE);

  it('is detected as wechatpay-trade (settlement) ahead of the generic profiles', () => {
    expect(f.profile.name).toBe('wechatpay-trade');
    expect(f.role).toBe('settlement');
    expect(f.reason).toMatch(/also fits: generic-settlement/);
  });

  it('reads 3 rows of 0.01 totalling 0.03 with fee 0.00000', () => {
    expect(f.records).toHaveLength(3);
    expect(f.records.map((r) => yuan(r.amount))).toEqual(['0.01', '0.01', '0.01']);
    expect(total(f.records, 'amount')).toBe('0.03');
    expect(total(f.records, 'fee', 5)).toBe('0.00000');
    expect(f.rejected).toEqual([]);
  });

  it('strips the backticks: 商户订单号 is the order key, the records are QR sales', () => {
    expect(f.records[0]).toMatchObject({
      time: '2021-01-28 17:07:11', merchantId: '1601959334', orderId: 'S20210128170702357723',
      cardType: 'qr', txnType: 'sale', status: 'success', channel: 'wechat', rawStatus: 'SUCCESS',
    });
  });

  it('reads the summary header + row as control totals (3, 0.03) that tie out', () => {
    expect(f.skipped.map((s) => [s.line, s.kind])).toEqual([[5, 'summary'], [6, 'summary']]);
    expect(f.controlTotals?.totals.map((t) => [t.key, t.label, t.value.toString()])).toEqual([
      ['count', '总交易单数', '3'], ['fee', '手续费总金额', '0'], ['saleAmount', '应结订单总金额', '0.03'], ['refundAmount', '退款总金额', '0'],
    ]);
    expect(f.controlTotalMismatches).toEqual([]);
    expect(checkControlTotals(f.records.slice(0, 2), f.controlTotals!).map((m) => m.key)).toEqual(['count', 'saleAmount']);
  });
});

describe('WeChat trade bill: current 27-column layout with a refund and full-width （元）', () => {
  const f = read(CHANNELS + 'wechatpay-tradebill-27col-refund-20251001.csv');

  it('maps the （元） headers and reads 4 rows', () => {
    expect(f.profile.name).toBe('wechatpay-trade');
    expect(f.mapping.headers.amount).toBe('应结订单金额（元）');
    expect(f.records).toHaveLength(4);
  });

  it('reads a REFUND row as a refund of -退款金额, its returned fee as printed, linked to its order', () => {
    const r = f.records[3];
    expect(r).toMatchObject({ txnType: 'refund', status: 'success', orderId: 'R202510010001', originalRef: 'W202510010002' });
    expect([yuan(r.amount), r.fee!.toFixed(5)]).toEqual(['-28.50', '-0.17100']);
    expect(f.records.slice(0, 3).map((x) => x.txnType)).toEqual(['sale', 'sale', 'sale']);
  });

  it('keeps 5-decimal fees exact and ties out with its summary (count 4, 163.40, refunds 28.50, fee 0.80940)', () => {
    expect(total(f.records, 'amount')).toBe('134.90');
    expect(total(f.records, 'fee', 5)).toBe('0.80940');
    expect(f.controlTotals?.totals).toHaveLength(4);
    expect(f.controlTotalMismatches).toEqual([]);
  });
});

describe('WeChat trade bill: old 24-column layout', () => {
  const f = read(CHANNELS + 'wechatpay-tradebill-24col-20141110.csv');

  it('maps 总金额 and the old summary names, with a refund', () => {
    expect(f.profile.name).toBe('wechatpay-trade');
    expect(f.mapping.headers.amount).toBe('总金额');
    expect(f.records.map((r) => [r.txnType, yuan(r.amount), r.terminalId])).toEqual([
      ['sale', '0.01', '1000'], ['sale', '0.01', '1000'], ['refund', '-0.01', '1000'],
    ]);
    expect(f.controlTotals?.totals.map((t) => t.label)).toEqual(['总交易单数', '手续费总金额', '总交易额', '总退款金额']);
    expect(f.controlTotalMismatches).toEqual([]);
  });
});

describe('WeChat fund-flow bill', () => {
  it('published sample: 2 debits of 0.01; its summary (3 records, 1 income of 0.01) is reported as mismatching', () => {
    const f = read(FUNDFLOW);
    expect(f.profile.name).toBe('wechatpay-fundflow');
    expect(f.role).toBe('bank');
    expect(f.records).toHaveLength(2);
    expect(f.records.map((r) => [yuan(r.debit), yuan(r.balance), r.txnType, r.orderId])).toEqual([
      ['0.01', '0.22', 'refund', 'S20210201135356381941'],
      ['0.01', '0.21', 'refund', 'S20210201140044552846'],
    ]);
    expect(total(f.records, 'debit')).toBe('0.02');
    expect(f.controlTotalMismatches?.map((m) => [m.kind, m.key, m.stated.toString(), m.actual.toString()])).toEqual([
      ['control_total_mismatch', 'count', '3', '2'],
      ['control_total_mismatch', 'credit', '0.01', '0'],
      ['control_total_mismatch', 'creditCount', '1', '0'],
    ]);
    expect(f.controlTotalMismatches?.[0].message).toBe('control total 资金流水总笔数 (line 5) states 3 records, the rows read give 2 (difference -1)');
  });

  it('full-width （元） headers; a summary that agrees gives no mismatch', () => {
    const f = read(CHANNELS + 'wechatpay-fundflowbill-fullwidth-20251001.csv');
    expect(f.profile.name).toBe('wechatpay-fundflow');
    expect(f.mapping.headers.amount).toBe('收支金额（元）');
    expect(f.records).toHaveLength(4);
    expect([total(f.records, 'credit'), total(f.records, 'debit')]).toEqual(['153.50', '28.65']);
    expect(f.records.map((r) => r.txnType)).toEqual(['sale', 'deduction', 'sale', 'refund']);
    expect(f.controlTotalMismatches).toEqual([]);
  });
});
