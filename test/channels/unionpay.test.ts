// UnionPay 全渠道 ZM detail (fixed width) and its RD summary (control totals).
import { describe, expect, it } from 'vitest';
import { decodeInput } from '../../src/read/decode.js';
import { checkControlTotals, readUnionPaySummary } from '../../src/read/controlTotals.js';
import { CHANNELS, SAMPLES, bytesOf, inputError, read, readBytes, total, yuan } from './helpers.js';

const ZM = SAMPLES + 'unionpay-acp-zm-detail-20150905.txt';
const RD = SAMPLES + 'unionpay-acp-rd-summary-20150905.txt';
const NEW_YEAR = CHANNELS + 'unionpay-acp-zm-detail-20151231.txt';

function rdSummary() {
  const bytes = bytesOf(RD);
  return readUnionPaySummary(decodeInput(bytes, RD).text, RD);
}

describe('UnionPay ZM detail (published sample)', () => {
  const f = read(ZM);

  it('is detected as the fixed-width unionpay-acp-zm layout, every line a record', () => {
    expect(f.profile.name).toBe('unionpay-acp-zm');
    expect(f.role).toBe('settlement');
    expect(f.format).toBe('fixed-width');
    expect(f.reason).toMatch(/^fixed width: 8 of the first 8 non-empty lines/);
    expect(f.lines).toEqual({ total: 8, header: 0, skipped: 0, records: 8, rejected: 0 });
    expect(f.rejected).toEqual([]);
  });

  it('reads 8 rows totalling 13227.00, fee 79.36, net 13147.64 (the RD summary figures)', () => {
    expect(f.records).toHaveLength(8);
    expect(total(f.records, 'amount')).toBe('13227.00');
    expect(total(f.records, 'fee')).toBe('79.36');
    expect(total(f.records, 'net')).toBe('13147.64');
  });

  it('reads D/C-signed fen amounts: D000000002861 is a 28.61 fee, C000000473939 a 4739.39 net', () => {
    const r = f.records[0];
    expect([yuan(r.amount), yuan(r.fee), yuan(r.net)]).toEqual(['4768.00', '28.61', '4739.39']);
    // Every fee is half-up(amount × 0.6%) and net = amount − fee.
    for (const rec of f.records) {
      expect(rec.fee!.eq(rec.amount!.times('0.006').toDecimalPlaces(2, 4))).toBe(true);
      expect(rec.net!.eq(rec.amount!.minus(rec.fee!))).toBe(true);
    }
  });

  it('takes the year of MMDDhhmmss times from the clearing date in the file name, stamped as businessDate', () => {
    expect(f.clearingDate).toBe('2015-09-05');
    expect(f.records.map((r) => r.time)).toEqual([
      '2015-09-06 11:22:03', '2015-09-06 11:40:34', '2015-09-06 11:42:51', '2015-09-06 11:00:59',
      '2015-09-06 10:47:15', '2015-09-06 11:52:47', '2015-09-06 10:59:56', '2015-09-06 11:13:39',
    ]);
    expect(new Set(f.records.map((r) => r.businessDate))).toEqual(new Set(['2015-09-05']));
  });

  it('finds the clearing date as UnionPay delivers the file: INN<YYMMDD>…ZM_<merchant> in a folder <merchant>_<YYYYMMDD>', () => {
    const delivered = 'fixtures/ingest/unionpay-as-delivered/802310048993424_20150905/';
    const zm = read(delivered + 'INN15090588ZM_802310048993424');
    expect(zm.clearingDate).toBe('2015-09-05');
    expect(total(zm.records, 'fee')).toBe('79.36');
    // The same bytes under a name with no date, in a folder with none: told how to fix it.
    const e = inputError(() => readBytes(bytesOf(delivered + 'INN15090588ZM_802310048993424'), 'downloads/zm-detail.txt'));
    expect(e.message).toMatch(/cannot tell the year of 交易传输时间 .*: neither the file name nor its folder's holds a clearing date/);
    expect(e.hint).toMatch(/keep the file in the folder it was delivered in/);
  });

  it('maps identity fields by offset and the 交易类型/支付卡类型 codes', () => {
    const r = f.records[0];
    expect(r).toMatchObject({
      merchantId: '802310048993424', terminalId: '01080209', trace: '190624', orderId: '10078087',
      card: '622609******0048', cardType: 'debit', txnType: 'sale', status: 'success', rawType: '01', channel: 'unionpay',
    });
    expect(f.records.map((x) => x.orderId)).toEqual(['10078087', '10078088', '10078089', '10078085', '10078083', '10078090', '10078084', '10078086']);
  });
});

describe('UnionPay RD summary (control totals)', () => {
  it('parses the header facts, the tables and the 总计 line', () => {
    const s = rdSummary();
    expect(s.merchantId).toBe('802310048993424');
    expect(s.acquirer).toBe('88022900');
    expect(s.clearingDate).toBe('2015-09-05');
    expect(s.byTxnType.map((r) => [r.label, r.count])).toEqual([['自助消费', 8]]);
    expect(s.byCardType.map((r) => [r.label, r.count])).toEqual([['借记卡', 8], ['贷记卡', 0], ['准贷记卡', 0], ['其他卡', 0]]);
    expect(s.total.line).toBe(13);
    expect(s.totals.map((t) => [t.key, t.value.toFixed(2)])).toEqual([
      ['count', '8.00'], ['amount', '13227.00'], ['fee', '79.36'], ['net', '13147.64'],
    ]);
  });

  it('ties out with the ZM detail: no control_total_mismatch', () => {
    expect(checkControlTotals(read(ZM).records, rdSummary())).toEqual([]);
  });

  it('reports each disagreeing total when a detail row is missing', () => {
    const records = read(ZM).records.slice(1);
    const m = checkControlTotals(records, rdSummary());
    expect(m.map((x) => [x.kind, x.key, x.stated.toString(), x.actual.toFixed(2), x.difference.toFixed(2)])).toEqual([
      ['control_total_mismatch', 'count', '8', '7.00', '-1.00'],
      ['control_total_mismatch', 'amount', '13227', '8459.00', '-4768.00'],
      ['control_total_mismatch', 'fee', '79.36', '50.75', '-28.61'],
      ['control_total_mismatch', 'net', '13147.64', '8408.25', '-4739.39'],
    ]);
    expect(m[0].message).toBe('control total 交易笔数 (line 13) states 8 records, the rows read give 7 (difference -1)');
  });

  it('read as a transaction file, it is named for what it is', () => {
    const e = inputError(() => read(RD));
    expect(e.message).toBe(`${RD}: this is a UnionPay RD summary (商户交易汇总表), not a transaction file`);
  });

  it('rejects text that is not an RD summary', () => {
    expect(inputError(() => readUnionPaySummary('hello\nworld', 'x.txt')).message).toMatch(/^x\.txt: no 总计 row found/);
  });
});

describe('UnionPay ZM: year-less times across the new year, refunds, GBK byte widths', () => {
  it('clearing date 2015-12-31: 1231235959 is 2015-12-31, 0101000001 is 2016-01-01', () => {
    const f = read(NEW_YEAR);
    expect(f.clearingDate).toBe('2015-12-31');
    expect(f.records.map((r) => r.time)).toEqual(['2015-12-31 23:59:59', '2016-01-01 00:00:01', '2015-12-31 12:00:00']);
  });

  it('the same lines cleared 2016-01-01 get the same years (the crossover the other way)', () => {
    const f = readBytes(bytesOf(NEW_YEAR), 'INN_802310048993424_20160101.txt');
    expect(f.clearingDate).toBe('2016-01-01');
    expect(f.records.map((r) => r.time)).toEqual(['2015-12-31 23:59:59', '2016-01-01 00:00:01', '2015-12-31 12:00:00']);
    expect(f.records.map((r) => r.businessDate)).toEqual(['2016-01-01', '2016-01-01', '2016-01-01']);
  });

  it('an explicit clearing date overrides the file name', () => {
    const f = read(NEW_YEAR, { clearingDate: '2016-06-30' });
    expect(f.clearingDate).toBe('2016-06-30');
    // Each time takes the year that puts it nearest the clearing date.
    expect(f.records.map((r) => r.time)).toEqual(['2015-12-31 23:59:59', '2016-01-01 00:00:01', '2015-12-31 12:00:00']);
    expect(f.records[0].businessDate).toBe('2016-06-30');
  });

  it('without a clearing date the year is unknown: an error naming the field, never a guess', () => {
    const e = inputError(() => readBytes(bytesOf(NEW_YEAR), 'zm-detail.txt'));
    expect(e.message).toMatch(/^zm-detail\.txt: cannot tell the year of 交易传输时间 .*MMDDhhmmss/);
    expect(e.hint).toMatch(/file name/);
  });

  it('a refund (交易类型 04) is negative, its returned fee C… is negative and its net D… negative', () => {
    const r = read(NEW_YEAR).records[2];
    expect(r.txnType).toBe('refund');
    expect([yuan(r.amount), yuan(r.fee), yuan(r.net)]).toEqual(['-100.00', '-0.60', '-99.40']);
    expect(r.originalRef).toBe('201509061100594035528');
  });

  it('cuts fields by GBK bytes: a Chinese 二级商户简称 does not shift the fields after it', () => {
    const f = read(NEW_YEAR);
    expect(f.encoding).toBe('gb18030');
    expect(f.rejected).toEqual([]);
    expect(f.records[2].terminalId).toBe('01080209');
    expect(f.records[2].content.split('\u001f')[30].trim()).toBe('测试商户');
  });

  it('a file forced to the ZM layout that is not fixed width is an error, not a guess', () => {
    const csv = new TextEncoder().encode('交易时间,金额\n2025-01-01 10:00:00,1.00\n');
    const profile = read(ZM).profile;
    expect(inputError(() => readBytes(csv, 'x.csv', { profile })).message).toMatch(/^x\.csv: does not look like unionpay-acp-zm \(fixed width\): line 1 is \d+ bytes long/);
  });
});
