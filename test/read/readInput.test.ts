// readInputFile on the bytes of each ingestion fixture: what a user would see of each quirk.
import { describe, expect, it } from 'vitest';
import type { CanonicalRecord } from '../../src/model.js';
import { InputError } from '../../src/model.js';
import type { ReadOptions } from '../../src/read/readInput.js';
import { readInputFile } from '../../src/read/readInput.js';
import { builtinProfiles } from '../../src/profiles/builtin.js';
import { INGEST, encodeGbk, read, readBytes } from './fixtures.js';

const money = (d: { toString(): string } | undefined) => (d === undefined ? undefined : d.toString());
const amounts = (records: CanonicalRecord[]) => records.map((r) => money(r.amount));
const lines = (records: CanonicalRecord[]) => records.map((r) => r.source.line);
const times = (records: CanonicalRecord[]) => records.map((r) => r.time);

function failure(run: () => unknown): InputError {
  try {
    run();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError');
}
const readError = (path: string, opts: Partial<ReadOptions> = {}) => failure(() => read(path, opts));

describe('encodings', () => {
  it('GBK with title lines, a blank line and a footer: header found on line 5, junk skipped and reported', () => {
    const f = read(INGEST + 'gbk-with-title-and-footer.csv');
    expect(f.encoding).toBe('gb18030');
    expect(f.headerLine).toBe(5);
    expect(f.profile.name).toBe('generic-terminal');
    expect(f.skipped.map((s) => [s.line, s.kind, s.text])).toEqual([
      [1, 'preamble', '商户交易明细'],
      [2, 'preamble', '商户名称：上海示例餐饮有限公司'],
      [3, 'preamble', '导出时间：2025-04-18 09:00:00'],
      [4, 'blank', ''],
      [9, 'footer', '合计,,,,,1,410.56'],
      [10, 'summary', '总笔数：3'],
    ]);
    expect(lines(f.records)).toEqual([6, 7, 8]);
    expect(amounts(f.records)).toEqual(['1234.56', '88', '88']);
    expect(f.records.map((r) => r.txnType)).toEqual(['sale', 'sale', 'void']);
    expect(f.records[0].card).toBe('622202******0123'); // a full PAN is masked on read
    expect(f.records[0].time).toBe('2025-04-17 11:25:03');
  });

  it.each(['utf-16le-bom.txt', 'utf-16le-nobom.csv', 'utf-16be-bom.txt'])('Excel "Unicode text" %s: tab-separated rows', (name) => {
    const f = read(INGEST + name);
    expect(f.delimiter).toBe('\t');
    expect(amounts(f.records)).toEqual(['10', '1234.56', '-5']);
    expect(f.records[1].memo).toBe('团餐, 含税');
    expect(f.rejected).toEqual([]);
  });

  it('UTF-8 with BOM and semicolons: the first header cell maps; unquoted thousands commas stay in the amount', () => {
    const f = read(INGEST + 'utf8-bom-semicolon.csv');
    expect(f.mapping.headers.time).toBe('交易时间');
    expect(amounts(f.records)).toEqual(['1234.56', '12345.67', '0.99']);
    expect(f.records[1].memo).toBe('团餐;含税');
  });

  it('GB18030 four-byte characters survive into memos', () => {
    expect(read(INGEST + 'gb18030-four-byte-chars.csv').records.map((r) => r.memo)).toEqual(['刘䶮', '㐀记小吃 €']);
  });

  it('a forced wrong encoding fails instead of producing garbled headers', () => {
    const e = readError(INGEST + 'garbled-forced-encoding.csv', { encoding: 'utf-16le' });
    expect(e.message).toMatch(/^fixtures\/ingest\/garbled-forced-encoding\.csv:1: text looks garbled when decoded as utf-16le: "/);
    expect(e.hint).toMatch(/--encoding/);
    expect(readError(INGEST + 'garbled-forced-encoding.csv', { encoding: 'utf-16be' }).message).toMatch(/garbled when decoded as utf-16be/);
    expect(readError(INGEST + 'gbk-with-title-and-footer.csv', { encoding: 'utf-8' }).message).toBe(
      'fixtures/ingest/gbk-with-title-and-footer.csv:1: bytes are not valid utf-8 (forced by --encoding)',
    );
  });

  it('garbled text fails even when an ASCII header would fit a profile', () => {
    // The English header maps, but the Chinese cells of the rows are decoded as UTF-16BE garbage.
    let text = 'time,tid,rrn,amount,status,memo\n';
    for (let i = 0; i < 4; i++) text += `2025-04-17 10:0${i}:00,12345678,51071000000${i},10.00,成功,午餐两份加饮料${i}\n`;
    let bytes = new TextEncoder().encode(text);
    if (bytes.length % 2) bytes = Uint8Array.from([...bytes, 0x0a]);
    const e = failure(() => readBytes(bytes, 'english-header.csv', { encoding: 'utf-16be' }));
    expect(e.message).toMatch(/^english-header\.csv:1: text looks garbled when decoded as utf-16be/);
  });
});

describe('delimiters, quoting and line ends', () => {
  it('tab-delimited: commas, semicolons and pipes inside cells are text', () => {
    const f = read(INGEST + 'tab-delimited.tsv');
    expect(f.records.map((r) => r.memo)).toEqual(['早餐, 两份', '团餐; 含税', '找零|测试']);
    expect(amounts(f.records)).toEqual(['100', '1234.56', '0.44']);
  });

  it('pipe-delimited', () => {
    const f = read(INGEST + 'pipe-delimited.txt');
    expect(f.delimiter).toBe('|');
    expect(f.records.map((r) => [r.trace, r.txnType, r.status])).toEqual([
      ['000101', 'sale', 'success'], ['000102', 'sale', 'success'], ['000103', 'void', 'success'], ['000104', 'sale', 'failed'],
    ]);
  });

  it('CRLF with a quoted line break: a record keeps its first line number and the account counts both lines', () => {
    const f = read(INGEST + 'crlf-quoted-newline.csv');
    expect(lines(f.records)).toEqual([2, 4, 5]);
    expect(f.records[0].memo).toBe('第一行\r\n第二行');
    expect(f.records[1].memo).toBe('他说"好的", 然后走了');
    expect(f.lines).toEqual({ total: 5, header: 1, skipped: 0, records: 4, rejected: 0 });
  });

  it('CR-only line ends', () => {
    expect(amounts(read(INGEST + 'cr-only-line-ends.csv').records)).toEqual(['10', '20']);
  });

  it('ragged rows: short rows read by header position; a row without its amount is rejected, even last; a row with filled cells past the header is rejected (its columns may have shifted)', () => {
    const f = read(INGEST + 'ragged-rows.csv');
    expect(lines(f.records)).toEqual([2, 5]);
    expect(amounts(f.records)).toEqual(['10', '40']);
    expect(f.rejected.map(({ text: _text, ids: _ids, ...r }) => r)).toEqual([
      {
        file: 'fixtures/ingest/ragged-rows.csv', line: 3, column: '#7 (beyond the header)',
        reason: 'row has 8 cells but the header has 6: a comma inside an unquoted value (e.g. an amount like 1,234.56) shifted the columns',
      },
      { file: 'fixtures/ingest/ragged-rows.csv', line: 4, column: '交易金额', reason: 'empty; expected an amount' },
      { file: 'fixtures/ingest/ragged-rows.csv', line: 6, column: '交易金额', reason: 'empty; expected an amount' },
    ]);
    expect(f.skipped).toEqual([]);
  });

  it('an unquoted thousands comma in an amount is rejected, never read as a smaller amount', () => {
    const csv = '商户号,终端号,交易时间,交易金额,交易状态\n898310058120001,10000001,2025-10-01 10:00:00,1,234.56,成功\n';
    const f = readInputFile(new TextEncoder().encode(csv), 'comma.csv', { profiles: builtinProfiles(), role: 'terminal' });
    expect(f.records).toEqual([]);
    expect(f.rejected[0]).toMatchObject({ line: 2, column: '#6 (beyond the header)' });
  });
});

describe('junk before and after the data', () => {
  it('a bank statement\'s 期初余额 / 本日合计 / 期末余额 lines, dated like movements, are skipped, not rejected or counted as credits', () => {
    const f = read(INGEST + 'bank-opening-balance-and-day-total.csv', { role: 'bank' });
    expect(f.rejected).toEqual([]);
    expect(f.skipped.map((s) => [s.line, s.kind])).toEqual([[2, 'summary'], [5, 'summary'], [7, 'summary'], [8, 'summary']]);
    expect(lines(f.records)).toEqual([3, 4, 6]);
    expect(f.records.map((r) => [money(r.credit), money(r.debit)])).toEqual([['1234.5', undefined], [undefined, '2'], ['880', undefined]]);
    expect(f.lines).toEqual({ total: 8, header: 1, skipped: 4, records: 3, rejected: 0 });
  });

  it('a settlement file\'s dated 小计 line per day is skipped: its amount is not a second sale of the day', () => {
    const f = read(INGEST + 'settlement-dated-subtotal-lines.csv', { role: 'settlement' });
    expect(f.skipped.map((s) => [s.line, s.kind])).toEqual([[4, 'summary'], [6, 'summary'], [7, 'footer']]);
    expect(amounts(f.records)).toEqual(['100', '200', '50']);
    expect(f.rejected).toEqual([]);
  });

  it('a bank movement whose memo is just 合计 or 小计 is a movement (it names a counterparty); a balance line marked 期初 is not, nor a day total printing the closing balance', () => {
    const csv = '记账日期,交易时间,摘要,收入金额,支出金额,余额,对方户名,附言\n2025-10-09,08:00:00,转账,,,"10,000.00",,期初\n2025-10-09,10:00:01,转账,298.30,,"10,298.30",银联商务股份有限公司,合计\n2025-10-09,15:20:00,转账,,50.00,"10,248.30",张三,小计\n2025-10-09,,本日合计,298.30,50.00,"10,248.30",,\n';
    const f = readInputFile(new TextEncoder().encode(csv), 'bank.csv', { profiles: builtinProfiles(), role: 'bank' });
    expect(lines(f.records)).toEqual([3, 4]);
    expect(f.skipped.map((x) => [x.line, x.kind])).toEqual([[2, 'summary'], [5, 'summary']]);
    expect(f.rejected).toEqual([]);
  });

  it('a day\'s bare 小计 line (its sums and the closing balance, no time of day) is a statement line', () => {
    const csv = '记账日期,交易时间,摘要,收入金额,支出金额,余额,对方户名,附言\n2025-10-09,10:00:01,转账,298.30,,"10,298.30",银联商务股份有限公司,\n2025-10-09,,小计,298.30,,"10,298.30",,\n';
    const f = readInputFile(new TextEncoder().encode(csv), 'bank.csv', { profiles: builtinProfiles(), role: 'bank' });
    expect(lines(f.records)).toEqual([2]);
    expect(f.skipped.map((x) => [x.line, x.kind])).toEqual([[3, 'summary']]);
  });

  it('without a time column (CMB), a 小计 row that moves the balance is a movement, one that repeats it a day total', () => {
    const csv = '记账日期,货币,交易金额,联机余额,交易摘要,对手信息\n2025-10-09,CNY,100.00,"10,100.00",转账,某公司 6222\n2025-10-09,CNY,-50.00,"10,050.00",小计,\n2025-10-09,CNY,50.00,"10,050.00",小计,\n';
    const f = readInputFile(new TextEncoder().encode(csv), 'cmb.csv', { profiles: builtinProfiles(), role: 'bank' });
    expect(lines(f.records)).toEqual([2, 3]);
    expect(f.skipped.map((x) => [x.line, x.kind])).toEqual([[4, 'summary']]);
  });

  it('a bank row noted just 小计, with a movement beside its running balance, is a movement even without a counterparty', () => {
    const csv = '记账日期,交易时间,摘要,收入金额,支出金额,余额,对方户名,附言\n2025-10-09,09:00:00,转账,100.00,,"10,100.00",某公司,\n2025-10-09,15:20:00,转账,,50.00,"10,050.00",,小计\n2025-10-09,,本日合计,100.00,50.00,"10,050.00",,\n';
    const f = readInputFile(new TextEncoder().encode(csv), 'bank.csv', { profiles: builtinProfiles(), role: 'bank' });
    expect(lines(f.records)).toEqual([2, 3]);
    expect(f.skipped.map((x) => [x.line, x.kind])).toEqual([[4, 'summary']]);
  });

  it('合计 inside a longer cell (a memo, a shop name) keeps the row a record', () => {
    const csv = '记账日期,摘要,收入金额,支出金额,余额,附言\n2025-10-09,本日合计入账,100.00,,100.00,\n2025-10-09,转账,50.00,,150.00,小计划咖啡 承前页\n';
    const f = readInputFile(new TextEncoder().encode(csv), 'bank.csv', { profiles: builtinProfiles(), role: 'bank' });
    expect(f.records.map((r) => money(r.credit))).toEqual(['100', '50']);
    expect(f.skipped).toEqual([]);
  });

  it('title, 商户名称, 起止日期, #, blank, 总计, 总笔数, #…结束…, 注：, 温馨提示 lines are all skipped and reported', () => {
    const f = read(INGEST + 'footer-variants.csv');
    expect(f.headerLine).toBe(4);
    expect(f.skipped.map((s) => [s.line, s.kind])).toEqual([
      [1, 'preamble'], [2, 'preamble'], [3, 'preamble'], [7, 'blank'], [8, 'footer'], [9, 'summary'], [10, 'footer'], [11, 'footer'], [12, 'footer'],
    ]);
    expect(f.skipped[4].text).toBe('总计,,,30.00');
    expect(amounts(f.records)).toEqual(['10', '20']);
    expect(f.lines).toEqual({ total: 12, header: 1, skipped: 9, records: 2, rejected: 0 });
  });

  it('Alipay-style # preamble and footer, IDs with a TAB inside the cell, full-width （元） headers', () => {
    const f = read(INGEST + 'gbk-hash-preamble-footer.csv');
    expect(f.role).toBe('settlement');
    expect(f.headerLine).toBe(5);
    expect(f.skipped.map((s) => s.line)).toEqual([1, 2, 3, 4, 8, 9, 10, 11]);
    expect(f.mapping.headers.fee).toBe('服务费（元）');
    expect(f.records.map((r) => [r.orderId, r.time, money(r.amount), money(r.fee)])).toEqual([
      ['T20250417000001', '2025-04-17 11:25:05', '100', '0.6'],
      ['T20250417000002', '2025-04-17 18:00:02', '100', '0.6'],
    ]);
  });

  it('page breaks: 本页合计 and a repeated header mid-file are skipped, data resumes', () => {
    const f = read(INGEST + 'page-breaks-repeated-header.csv');
    expect(f.skipped.map((s) => [s.line, s.kind])).toEqual([[4, 'footer'], [5, 'header-repeat'], [7, 'footer'], [8, 'footer']]);
    expect(lines(f.records)).toEqual([2, 3, 6]);
  });

  it('data rows that start like footer words (a shop called 小计划咖啡, #3号档口, 汇总广场店) stay records', () => {
    const f = read(INGEST + 'data-row-looks-like-footer.csv');
    expect(lines(f.records)).toEqual([2, 3, 4]);
    expect(f.skipped.map((s) => [s.line, s.kind])).toEqual([[5, 'footer']]);
  });

  it('a bad data row just before the 合计 footer is rejected, not swallowed by the footer', () => {
    const f = read(INGEST + 'bad-amount-row.csv');
    expect(f.records).toHaveLength(9);
    expect(f.rejected.map(({ text: _text, ids: _ids, ...r }) => r)).toEqual([
      { file: 'fixtures/ingest/bad-amount-row.csv', line: 14, column: '交易金额', reason: 'cannot read "12,5O" as an amount such as 1,234.56' },
    ]);
    expect(f.skipped.map((s) => [s.line, s.kind])).toEqual([[1, 'preamble'], [2, 'preamble'], [3, 'preamble'], [15, 'footer'], [16, 'summary']]);
  });

  it('a header with no rows is fine; an empty file is an input error', () => {
    const f = read(INGEST + 'header-only.csv');
    expect(f.records).toEqual([]);
    expect(f.lines).toEqual({ total: 1, header: 1, skipped: 0, records: 0, rejected: 0 });
    const e = readError(INGEST + 'empty.csv');
    expect(e.message).toBe('fixtures/ingest/empty.csv: the file is empty');
  });
});

describe('a quote that is never closed', () => {
  it('rejects the row it runs into the next line with, naming the column: no row vanishes and no amount is read from an RRN', () => {
    const f = read(INGEST + 'unclosed-quote-swallows-next-line.csv');
    expect(lines(f.records)).toEqual([2]);
    expect(f.rejected.map((r) => [r.line, r.column])).toEqual([[3, '卡号']]);
    expect(f.rejected[0].reason).toMatch(/runs from line 3 into line 4 .* not closed where it should be/);
    expect(f.lines).toEqual({ total: 4, header: 1, skipped: 0, records: 1, rejected: 2 });
  });

  it('a tab-separated file\'s quoted memo with commas and a line break keeps its row', () => {
    const tsv = '商户号\t终端号\t交易时间\t交易类型\t交易状态\t交易金额\t参考号\t备注\t操作员\n898310058120001\t10000001\t2025-10-01 10:00:00\t消费\t成功\t12.00\t100000000001\t"a,b,c,d,e,f\ng,h,i,j,k,l"\n';
    const f = readInputFile(new TextEncoder().encode(tsv), 'memo.tsv', { profiles: builtinProfiles(), role: 'terminal' });
    expect([f.records.length, f.rejected.length]).toEqual([1, 0]);
  });

  it('a quoted memo with a line break inside keeps its row, also in a row that leaves out its trailing empty cells', () => {
    for (const tail of ['', ',']) {
      const csv = `商户号,终端号,交易时间,交易类型,交易状态,交易金额,参考号,备注,操作员\n898310058120001,10000001,2025-10-01 10:00:00,消费,成功,12.00,100000000001,"第一行\n第二行"${tail}\n`;
      const f = readInputFile(new TextEncoder().encode(csv), 'memo.csv', { profiles: builtinProfiles(), role: 'terminal' });
      expect(f.rejected).toEqual([]);
      expect(f.records).toHaveLength(1);
    }
  });

  it('padding after a closing quote is padding: "100000000001"␠ is the RRN, "1,234.56"␠ the amount', () => {
    const csv = '商户号,终端号,交易时间,交易类型,交易状态,交易金额,参考号\n898310058120001,10000001,2025-10-01 10:00:00,消费,成功,"1,234.56" ,"100000000001"\t\n';
    const f = readInputFile(new TextEncoder().encode(csv), 'pad.csv', { profiles: builtinProfiles(), role: 'terminal' });
    expect(f.records.map((r) => [r.rrn, money(r.amount)])).toEqual([['100000000001', '1234.56']]);
  });

  it('an unclosed quote is caught whatever the date format of the line it swallows (20251001, a time, an RRN)', () => {
    const csv = '商户号,终端号,交易时间,交易状态,交易金额,参考号,备注\n898310058120001,10000001,20251001 100000,成功,12.00,100000000001,"备注\n898310058120001,10000001,20251001 110000,成功,"20.00",100000000002,\n';
    const f = readInputFile(new TextEncoder().encode(csv), 'compact.csv', { profiles: builtinProfiles(), role: 'terminal' });
    expect(f.rejected[0]?.reason).toMatch(/not closed where it should be/);
  });

  it('a quote not closed at the end of its cell that swallows lines into a long row says so', () => {
    const csv = '商户号,终端号,交易时间,交易状态,交易金额,参考号,备注\n898310058120001,10000001,2025-10-01 10:00:00,成功,12.00,100000000001,"备注\n898310058120001,10000001,2025-10-01 11:00:00,成功,"20.00",100000000002,\n';
    const f = readInputFile(new TextEncoder().encode(csv), 'long.csv', { profiles: builtinProfiles(), role: 'terminal' });
    expect(f.rejected[0]?.reason).toMatch(/runs from line 2 into line 3 .* not closed where it should be/);
  });
});

describe('a file cut off while downloading', () => {
  it('rejects a last line cut before a cell every record needs (the time), at every cut point; a footer at the end without a line end stays a footer (review AT)', () => {
    const head = '商户号,终端号,交易时间,交易类型,交易状态,卡号,卡类型,交易金额,参考号,凭证号\n898310058120001,10000001,2025-09-30 09:30:00,消费,成功,622848******0001,借记卡,100.00,300000000001,000001\n';
    const next = '898310058120001,10000001,"2025-09-30 10:30:00",消费,成功,622848******0002,借记卡,200.00,300000000002,000002';
    // (From its second cell, up to its last: a line cut inside its first cell is one cell, like a
    // page number or a note, and a line cut inside its last cell has all its cells.)
    for (let at = next.indexOf(',') + 1; at < next.lastIndexOf(','); at++) {
      const f = readInputFile(new TextEncoder().encode(head + next.slice(0, at)), 'cut.csv', { profiles: builtinProfiles(), role: 'terminal' });
      // Cut anywhere before its last cell, the second sale is rejected, never waved through as a footer.
      expect([f.records.length, f.rejected.map((r) => r.line)], `cut after ${at} characters`).toEqual([1, [3]]);
      expect(f.skipped).toEqual([]);
    }
    const footer = readInputFile(new TextEncoder().encode(head + '总笔数：1'), 'footer.csv', { profiles: builtinProfiles(), role: 'terminal' });
    expect([footer.records.length, footer.rejected, footer.skipped.map((s) => s.kind)]).toEqual([1, [], ['summary']]);
    // Nor a page number, a note, a totals line or a printed-by line, each without a line end (review AU).
    for (const last of ['1', '以上数据仅供参考', '打印人：张三', '合计,,,,,,,300.00', '打印时间：2025-10-01 08:00',
      // … a subtotal or count beginning with an id, an undated line of ids and a total, labelled notes (review AV).
      '10000001,终端合计,300.00', '10000001,3笔,300.00', '898310058120001,10000001,,,,300.00', '页码,1', '共3条记录,300.00', '打印人：张三,2025-09-30', '商户名称：示例便利店,898310058120001']) {
      const f = readInputFile(new TextEncoder().encode(head + last), 'footer.csv', { profiles: builtinProfiles(), role: 'terminal' });
      expect([f.records.length, f.rejected.length], last).toEqual([1, 0]);
    }
    // A cut inside an Excel text escape ="…" is still a cut.
    for (const cut of ['="898310058120001",="100', '="898310058120001",="10000001"', '898310058120001,10000001,2025-09-30 10:30:00,消费,成功,6228 4800 00']) {
      const f = readInputFile(new TextEncoder().encode(head + cut), 'cut.csv', { profiles: builtinProfiles(), role: 'terminal' });
      expect(f.rejected.map((r) => r.line), cut).toEqual([3]);
    }
  });

  it('rejects its last line when it stops short of the header\'s cells without a line end: no net of 49 from 497.00', () => {
    const f = read(INGEST + 'download-cut-off-last-line.csv', { role: 'settlement' });
    expect(lines(f.records)).toEqual([2]);
    expect(f.rejected.map((r) => [r.line, r.column])).toEqual([[3, '参考号']]);
    expect(f.rejected[0].reason).toMatch(/last line stops after 10 of 12 cells, without a line end: the file looks cut off/);
  });

  it.each(['utf-8', 'gb18030'] as const)('a %s file cut inside a character says it looks cut off, with or without --encoding', (encoding) => {
    const text = '商户号,终端号,交易时间,交易类型,交易状态,交易金额,参考号\n898310058120001,10000001,2025-10-01 10:00:00,消费';
    const whole = encoding === 'utf-8' ? new TextEncoder().encode(text) : encodeGbk(text);
    const bytes = whole.subarray(0, whole.length - 1); // 费 loses its last byte
    for (const forced of [undefined, encoding] as const) {
      const e = failure(() => readInputFile(bytes, 'cut.csv', { profiles: builtinProfiles(), role: 'terminal', encoding: forced }));
      expect(e.message).toMatch(new RegExp(`^cut\\.csv:2: the file ends in the middle of a character \\(valid ${encoding} up to its last \\d bytes?\\): it looks cut off`));
    }
  });

  it('a UTF-8 file with a byte-order mark cut inside a character says it looks cut off', () => {
    const whole = new TextEncoder().encode('\uFEFF商户号,终端号,交易时间,交易类型,交易状态,交易金额,参考号\n898310058120001,10000001,2025-10-01 10:00:00,消费');
    const e = failure(() => readInputFile(whole.subarray(0, whole.length - 1), 'bom-cut.csv', { profiles: builtinProfiles(), role: 'terminal' }));
    expect(e.message).toMatch(/^bom-cut\.csv:2: the file ends in the middle of a character \(valid utf-8 up to its last \d bytes?\): it looks cut off/);
  });

  it('a last line without a line end that only leaves out empty trailing cells is a row like any other', () => {
    const csv = '商户号,终端号,交易时间,交易类型,交易状态,交易金额,参考号,备注\n898310058120001,10000001,2025-10-01 10:00:00,消费,成功,12.00,100000000001,\n898310058120001,10000001,2025-10-01 11:00:00,消费,成功,15.00,100000000002';
    const f = readInputFile(new TextEncoder().encode(csv), 'nonl.csv', { profiles: builtinProfiles(), role: 'terminal' });
    expect([f.records.length, f.rejected.length]).toEqual([2, 0]);
  });

  it('a last line without a line end that has all its cells is a row like any other', () => {
    const csv = '商户号,终端号,交易时间,交易类型,交易状态,交易金额,参考号\n898310058120001,10000001,2025-10-01 10:00:00,消费,成功,12.00,100000000001';
    const f = readInputFile(new TextEncoder().encode(csv), 'whole.csv', { profiles: builtinProfiles(), role: 'terminal' });
    expect([f.records.length, f.rejected.length]).toEqual([1, 0]);
  });
});

describe('cell clean-up', () => {
  it('Excel ="…" escapes and leading apostrophes keep leading zeros of IDs', () => {
    const f = read(INGEST + 'excel-text-escapes.csv');
    expect(f.records.map((r) => [r.merchantId, r.terminalId, r.rrn, r.trace])).toEqual([
      ['898310058120001', '00012345', '012345678901', '000101'],
      ['898310058120001', '00012345', '012345678902', '000102'],
      ['898310058120001', '00012345', '012345678903', '000103'],
    ]);
    expect(amounts(f.records)).toEqual(['1234.56', '0.5', '8']);
    expect(f.records[0].time).toBe('2025-04-17 11:25:03');
  });

  it('WeChat-style backtick prefixes are stripped from every value, the footer summary is not a row', () => {
    const f = read(INGEST + 'backtick-prefixed.csv');
    expect(f.records.map((r) => [r.time, r.merchantId, r.orderId, money(r.amount), money(r.fee), r.txnType])).toEqual([
      ['2025-04-17 11:25:03', '1601959334', '00020250417112503000001', '12.34', '0.07404', 'sale'],
      ['2025-04-17 12:00:00', '1601959334', '00020250417120000000002', '100', '0.6', 'sale'],
      ['2025-04-17 12:05:00', '1601959334', '00020250417120500000003', '-100', '-0.6', 'refund'],
    ]);
    expect(f.records[1].memo).toBeUndefined(); // a lone backtick is an empty cell
    expect(f.skipped.map((s) => s.line)).toEqual([5, 6]);
  });

  it('surrounding spaces and TABs are trimmed; -, --, -------, *, N/A mean empty', () => {
    const f = read(INGEST + 'padded-cells-and-placeholders.csv');
    const [a, b, c] = f.records;
    expect([a.time, a.merchantId, a.terminalId, a.rrn, a.card, money(a.amount), a.rawStatus, a.status]).toEqual([
      '2025-04-17 10:00:00', '898310058120001', '12345678', '510710000001', '622848******1234', '10', '成功', 'success',
    ]);
    expect([a.batch, a.authCode, a.fee, a.memo]).toEqual([undefined, undefined, undefined, undefined]);
    expect([b.batch, b.authCode, b.card, b.fee, b.memo]).toEqual(['000001', undefined, undefined, undefined, undefined]);
    expect([c.batch, c.authCode, c.card, money(c.fee), c.memo]).toEqual([undefined, undefined, undefined, '0.18', undefined]);
  });
});

describe('amounts and dates', () => {
  it('amounts are exact in every printed form, more than two decimals kept', () => {
    const f = read(INGEST + 'amount-forms.csv');
    expect(amounts(f.records)).toEqual(['1234.56', '1234.56', '1234.56', '-12', '-12', '123.45', '1000', '0.01', '100.123456789', '5']);
    expect(f.records.map((r) => money(r.fee))).toEqual(['7.41', '7.41', '7.41', '-0.07', '-0.07', '0.74', '6', '0.00006', '0.600740740734', undefined]);
  });

  it('date-time forms, including two spaces and full-width digits', () => {
    expect(times(read(INGEST + 'date-forms.csv').records)).toEqual([
      '2025-04-17 11:25:03', // 2025-04-17 11:25:03
      '2025-04-17 11:25:00', // 2025/4/17 11:25
      '2025-04-17 11:25:03', // 20250417 112503
      '2025-04-17 11:25:04', // 20250417112504
      '2025-04-17 11:25:05', // ISO T
      '2025-04-17 11:25:06', // 2025年4月17日
      '2025-04-17 11:25:07', // 2025.04.17
      '2025-12-03 14:06:51', // two spaces (SPDB)
      '2025-04-18 08:00:00', // full-width
    ]);
  });

  it('date and time in separate columns (通联): 2025-04-17 + 11:25:03, 20250417 + 112503, 092503', () => {
    const f = read(INGEST + 'split-date-time-columns.csv');
    expect(f.mapping.headers.date).toBe('交易日期');
    expect(f.mapping.headers.time).toBe('交易时间');
    expect(times(f.records)).toEqual(['2025-04-17 11:25:03', '2025-04-17 11:25:03', '2025-04-18 09:25:03', '2025-04-18 23:59:59']);
    expect(f.records.map((r) => r.cardType)).toEqual(['debit', 'credit', 'debit', 'credit']);
  });

  it('timestamps glued without a separator (乐刷 2018-07-3116:07:27)', () => {
    expect(times(read(INGEST + 'glued-timestamp.csv').records)).toEqual(['2018-07-31 16:07:27', '2018-07-31 23:59:59', '2018-08-01 00:00:01']);
  });
});

describe('identifiers destroyed by Excel', () => {
  it('are flagged unusable, never kept as IDs; the rows themselves are still read', () => {
    const f = read(INGEST + 'excel-destroyed-ids.csv');
    expect(f.records).toHaveLength(4);
    expect(f.records.map((r) => [r.rrn, r.orderId])).toEqual([
      ['510710000001', undefined],
      [undefined, undefined],
      ['510710020003', '4001230000000000000000000003'], // zero-filled by Excel: undetectable, documented
      ['510710030004', 'T20250417100300'], // a float's `.0` is dropped
    ]);
    expect(f.records.map((r) => r.unusable.map((u) => `${u.field}=${u.raw}`))).toEqual([
      ['orderId=4.00123E+27'], ['rrn=5.10710E+11', 'orderId=4.00123E+27'], [], [],
    ]);
    expect(f.records[0].unusable[0].reason).toMatch(/destroyed by Excel/);
  });
});

describe('type and status words', () => {
  it('are read per row whatever cells came before (remembered combinations never collide)', () => {
    // An empty 交易状态, then cells holding the characters a careless cache key would join with.
    const text = [
      '商户号,终端号,交易时间,交易类型,交易状态,交易金额,参考号',
      '898310058120001,10000001,2025-10-14 10:00:00,消费,,10.00,500000000001',
      '898310058120001,10000001,2025-10-14 10:01:00,消费,\u0002,10.00,500000000002',
      '898310058120001,10000001,2025-10-14 10:02:00,消费,1:x,10.00,500000000003',
      '898310058120001,10000001,2025-10-14 10:03:00,消费,失败,10.00,500000000004',
      '898310058120001,10000001,2025-10-14 10:04:00,消费,成功,10.00,500000000005',
    ].join('\n') + '\n';
    const f = readInputFile(new TextEncoder().encode(text), 't.csv', { profiles: builtinProfiles(), role: 'terminal' });
    expect(f.records.map((r) => r.status)).toEqual(['success', 'failed', 'success']);
    // A status no vocabulary knows says nothing about whether the charge went through: rejected.
    expect(f.rejected.map((r) => [r.line, r.column])).toEqual([[3, '交易状态'], [4, '交易状态']]);
  });
});

describe('a header naming 交易时间 twice, the date then the time', () => {
  it('reads the first as the date and the second as the time of day, not every time as 00:00:00', () => {
    const text = '商户号,终端号,交易时间,交易时间,交易类型,交易状态,交易金额,参考号\n898310058120001,10000001,2025-10-14,23:30:05,消费,成功,100.00,500000000001\n';
    const f = readInputFile(new TextEncoder().encode(text), 't.csv', { profiles: builtinProfiles(), role: 'terminal' });
    expect(f.records.map((r) => [r.time, r.hasTime])).toEqual([['2025-10-14 23:30:05', true]]);
    expect(f.mapping.headers).toMatchObject({ date: '交易时间 (column 3)', time: '交易时间 (column 4)' });
  });
});

describe('a two-row header with merged cells', () => {
  it('takes 商户号 and 终端号 from the row above where the header row is empty under them', () => {
    const text = [
      '商户号,终端号,交易信息,,,,,清算信息,,',
      ',,交易时间,交易类型,卡类型,交易金额,参考号,清算日期,手续费,结算金额',
      '898310058120001,10000001,2025-10-14 09:01:02,消费,借记卡,"1,234.56",528700000001,2025-10-15,6.17,"1,228.39"',
    ].join('\n') + '\n';
    const f = readInputFile(new TextEncoder().encode(text), 's.csv', { profiles: builtinProfiles(), role: 'settlement' });
    expect(f.records.map((r) => [r.merchantId, r.terminalId, r.rrn])).toEqual([['898310058120001', '10000001', '528700000001']]);
    expect(f.reason).toMatch(/^header on line 2 \(with the names above it on line 1\) maps 10 columns/);
  });
});

describe('a header naming 交易时间 twice, both holding whole timestamps', () => {
  it('takes the first column\'s time, as before the second was read', () => {
    const text = '商户号,终端号,交易时间,交易时间,交易类型,交易状态,交易金额,参考号\n898310058120001,10000001,2025-10-14 23:30:05,2025-10-15 00:00:10,消费,成功,100.00,500000000001\n';
    const f = readInputFile(new TextEncoder().encode(text), 't.csv', { profiles: builtinProfiles(), role: 'terminal' });
    expect(f.records.map((r) => r.time)).toEqual(['2025-10-14 23:30:05']);
  });
});
