// Spreadsheets (.xls BIFF with code page 936, .xlsx) and CSVs re-saved by Excel go through the
// same detection and normalisation as any CSV.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cellText, spreadsheetKind } from '../../src/read/excel.js';
import { posrecon } from '../cli/run.js';
import { CHANNELS, SAMPLES, bytesOf, inputError, read, readBytes, total, yuan } from './helpers.js';

describe('CCB BIFF .xls export (code page 936)', () => {
  const f = read(SAMPLES + 'bank-ccb-jiaoyimingxi.xls');

  it('is recognised as an Excel 97–2003 workbook and read by the generic bank profile', () => {
    expect(f.encoding).toBe('xls');
    expect(f.format).toBe('spreadsheet');
    expect(f.encodingReason).toMatch(/^Excel 97–2003 workbook \(BIFF, code page 936\), sheet "/);
    expect(f.profile.name).toBe('generic-bank');
    expect(f.headerLine).toBe(6);
  });

  it('decodes Chinese text and header cells padded with spaces', () => {
    expect(f.mapping.headers).toMatchObject({ date: '交易日期', time: '交易时间', credit: '收入', debit: '支出', balance: '账户余额' });
    expect(f.records[0]).toMatchObject({ time: '2025-01-01 18:53:19', memo: '消费', counterparty: '中***融科技有限公司' });
  });

  it('skips the 4 preamble rows and the disclaimer footer; 6 rows, debits 703.26', () => {
    expect(f.skipped.map((s) => [s.line, s.kind])).toEqual([[1, 'preamble'], [2, 'preamble'], [3, 'preamble'], [4, 'preamble'], [5, 'blank'], [13, 'footer']]);
    expect(f.records).toHaveLength(6);
    expect(f.records.map((r) => yuan(r.debit))).toEqual(['67.00', '16.78', '20.00', '515.02', '18.06', '66.40']);
    expect([total(f.records, 'debit'), total(f.records, 'credit')]).toEqual(['703.26', '0.00']);
    expect(f.records.map((r) => yuan(r.balance))).toEqual(['2176.91', '2160.13', '2140.13', '1579.11', '1561.05', '1494.65']);
    expect(f.lines).toEqual({ total: 13, header: 1, skipped: 6, records: 6, rejected: 0 });
  });
});

describe('.xlsx export', () => {
  const f = read(CHANNELS + 'settlement-export-20251009.xlsx');

  it('reads serial dates, text amounts, float-noise numbers and a padded header', () => {
    expect(f.encoding).toBe('xlsx');
    expect(f.profile.name).toBe('generic-settlement');
    expect(f.headerLine).toBe(4);
    expect(f.records.map((r) => [r.time, r.settleDate, yuan(r.amount), yuan(r.fee), yuan(r.net)])).toEqual([
      ['2025-10-08 09:30:00', '2025-10-09', '1500.00', '7.50', '1492.50'],
      ['2025-10-08 10:02:17', '2025-10-09', '3.30', '0.02', '3.28'],
      ['2025-10-08 16:20:44', '2025-10-09', '88.00', '0.33', '87.67'],
    ]);
    expect([total(f.records, 'amount'), total(f.records, 'fee'), total(f.records, 'net')]).toEqual(['1591.30', '7.85', '1583.45']);
    expect(f.records[0].trace).toBe('000110');
  });

  it('an order number Excel stored as a number is reported unusable, never matched', () => {
    expect(f.records[2].orderId).toBeUndefined();
    expect(f.records[2].unusable).toEqual([
      { field: 'orderId', raw: '4.00123E+27', reason: 'destroyed by Excel (scientific notation 4.00123E+27); re-export the file as text' },
    ]);
    expect(f.skipped.at(-1)).toMatchObject({ line: 8, kind: 'footer' });
  });
});

describe('spreadsheet cells as text', () => {
  it.each([
    [{ t: 's', v: '记账日          ' }, '记账日          '],
    [{ t: 'n', v: 67 }, '67'],
    [{ t: 'n', v: 1.1 + 2.2 }, '3.3'],
    [{ t: 'n', v: 2176.91 }, '2176.91'],
    [{ t: 'n', v: 45938.41825231481 }, '45938.4182523148'],
    [{ t: 'n', v: 4.00123e27 }, '4.00123E+27'],
    [{ t: 'n', v: Number('6222021234567890123') }, '6.22202123456789E+18'],
    [{ t: 'n', v: 123456789012 }, '123456789012'],
    [{ t: 'n', v: 1e-7 }, '0.0000001'],
    [{ t: 'b', v: true }, 'TRUE'],
    [{ t: 'e', v: 42, w: '#N/A' }, '#N/A'],
    [undefined, ''],
  ] as const)('%j → %s', (cell, want) => {
    expect(cellText(cell as never)).toBe(want);
  });

  it('recognises workbooks by their first bytes only', () => {
    expect(spreadsheetKind(bytesOf(SAMPLES + 'bank-ccb-jiaoyimingxi.xls'))).toBe('xls');
    expect(spreadsheetKind(bytesOf(CHANNELS + 'settlement-export-20251009.xlsx'))).toBe('xlsx');
    expect(spreadsheetKind(new TextEncoder().encode('PK,交易时间\n'))).toBeNull();
  });

  it('a damaged workbook is an error naming the file', () => {
    const bytes = bytesOf(CHANNELS + 'settlement-export-20251009.xlsx').slice(0, 200);
    expect(inputError(() => readBytes(bytes, 'broken.xlsx')).message).toMatch(/^broken\.xlsx: cannot read the Excel \(\.xlsx\) workbook/);
  });
});

describe('CSV re-saved by Excel', () => {
  const f = read(CHANNELS + 'terminal-excel-resaved-20160504.csv');

  it('reads 2016/5/4 2:18 dates and reports IDs in scientific notation as unusable', () => {
    expect(f.profile.name).toBe('generic-terminal');
    expect(f.records.map((r) => r.time)).toEqual(['2016-05-04 02:18:00', '2016-05-04 09:05:00', '2016-05-04 14:40:00', '2016-05-04 14:41:00']);
    expect(f.records.map((r) => r.unusable.map((u) => `${u.field} ${u.raw}`))).toEqual([
      ['rrn 1E+11'], [], ['orderId 4.20001E+27'], ['orderId 4.20001E+27'],
    ]);
    expect(f.records.map((r) => r.rrn ?? null)).toEqual([null, '100000000012', '100000000013', null]);
    expect(f.records.map((r) => r.orderId ?? null)).toEqual([null, null, null, null]);
    expect(total(f.records, 'amount')).toBe('1914.50');
  });
});

describe('.xlsx whose first sheet is a summary (汇总) and second the detail (明细)', () => {
  const f = read(CHANNELS + 'settlement-summary-sheet-first.xlsx');

  it('reads the detail sheet, the one whose header fits best, and says which sheet it skipped', () => {
    expect(f.encodingReason).toBe('Excel workbook (.xlsx), sheet "明细" of 2 (the detail sheet; not read: "汇总")');
    expect(f.records.map((r) => [r.rrn, yuan(r.amount)])).toEqual([
      ['528700000001', '1234.56'], ['528700000002', '88.00'], ['528700000003', '5000.00'], ['528700000005', '45.00'],
    ]);
    expect(total(f.records, 'amount')).toBe('6367.56');
  });
});

describe('.xls that is an HTML table (a web portal\'s "Excel" export)', () => {
  const f = read(CHANNELS + 'settlement-portal-html-table.xls');

  it('is read as a spreadsheet, its cells kept as text: 000201 keeps its zeros, amounts with commas are read', () => {
    expect(f.encoding).toBe('html');
    expect(f.encodingReason).toBe('HTML table saved as a spreadsheet, sheet "Sheet1"');
    expect(f.profile.name).toBe('generic-settlement');
    expect(f.records.map((r) => [r.trace, yuan(r.amount), r.merchantId])).toEqual([
      ['000201', '1234.56', '898310058120001'], ['000202', '88.00', '898310058120001'],
      ['000203', '5000.00', '898310058120001'], ['000205', '45.00', '898310058120001'],
    ]);
    expect(spreadsheetKind(new TextEncoder().encode('\ufeff  <HTML><body><table>'))).toBe('html');
    expect(spreadsheetKind(new TextEncoder().encode('清算日期,商户号\n'))).toBeNull();
  });
});

describe('workbooks as Excel writes them in corner cases (review Z2)', () => {
  const require = createRequire(import.meta.url);
  const XLSX = require('@e965/xlsx') as typeof import('@e965/xlsx');
  const HEADER = ['商户号', '终端号', '交易日期', '交易时间', '交易类型', '交易状态', '卡号', '卡类型', '交易金额', '参考号', '凭证号'];
  /** Serial of a date in the 1900 system (Excel's default): days since 1899-12-30. */
  const serial1900 = (y: number, m: number, d: number) => (Date.UTC(y, m - 1, d) - Date.UTC(1899, 11, 30)) / 864e5;
  const workbook = (rows: unknown[][], opts: { date1904?: boolean; bookType?: 'xlsx' | 'biff8' } = {}) => {
    const wb = XLSX.utils.book_new();
    if (opts.date1904) wb.Workbook = { WBProps: { date1904: true } };
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([HEADER, ...rows]), 'S');
    return new Uint8Array(XLSX.write(wb, { type: 'buffer', bookType: opts.bookType ?? 'xlsx' }) as Buffer);
  };
  const row = (date: number, card: unknown) => ['898310058120001', '10000001', date, 0.4273379629629629, '消费', '成功', card, '借记卡', 1234.5, '100000000001', '000101'];

  it('reads a Mac Excel workbook in the 1904 date system on the right dates (not 4 years and a day early)', () => {
    const f = readBytes(workbook([row(serial1900(2025, 10, 1) - 1462, '622848******1234')], { date1904: true }), 'mac.xlsx');
    expect(f.records.map((r) => r.time)).toEqual(['2025-10-01 10:15:22']);
    expect(f.encodingReason).toMatch(/1904 date system/);
    // The same serial in a 1900 workbook is that day.
    expect(readBytes(workbook([row(serial1900(2025, 10, 1), '622848******1234')]), 'pc.xlsx').records[0].time).toBe('2025-10-01 10:15:22');
  });

  it.each(['xlsx', 'biff8'] as const)('a card number Excel stored as a number (%s) is unusable, never shown beyond its first 6 digits', (bookType) => {
    const f = readBytes(workbook([row(serial1900(2025, 10, 1), 6222021234567890)], { bookType }), `card.${bookType === 'xlsx' ? 'xlsx' : 'xls'}`);
    expect(f.records[0].card).toBeUndefined();
    expect(f.records[0].unusable).toEqual([{ field: 'card', raw: '6.22202…E+15', reason: 'destroyed by Excel (scientific notation 6.22202…E+15); re-export the file as text' }]);
    expect(JSON.stringify(f.records[0])).not.toMatch(/2123456789|6789E/);
  });

  const SETTLEMENT_HEADER = ['清算日期', '商户号', '终端号', '交易时间', '交易类型', '卡号', '卡类别', '交易金额', '手续费', '结算金额', '参考号', '凭证号'];
  const line = (day: string, n: number, amount: number, fee: number) =>
    [day, '898310058120001', '10000001', `${day} 1${n}:00:00`, '消费', '622848******1234', '借记卡', amount, fee, Math.round((amount - fee) * 100) / 100, `25110400000${n}`, `00010${n}`];
  const book = (sheets: [string, unknown[][]][]) => {
    const wb = XLSX.utils.book_new();
    for (const [name, rows] of sheets) XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(rows), name);
    return new Uint8Array(XLSX.write(wb, { type: 'buffer', bookType: 'xlsx' }) as Buffer);
  };

  it('reads every sheet laid out as the detail (one per 清算日期), one after another, and numbers their lines on (review AO)', () => {
    const f = readBytes(book([
      ['2025-11-04', [['结算明细 2025-11-04'], SETTLEMENT_HEADER, line('2025-11-04', 1, 100, 0.5), line('2025-11-04', 2, 200, 1)]],
      ['2025-11-05', [['结算明细 2025-11-05'], SETTLEMENT_HEADER, line('2025-11-05', 3, 300, 1.5)]],
    ]), 'settlement-20251104_05.xlsx');
    expect(f.records.map((r) => [r.source.line, r.settleDate, yuan(r.amount)])).toEqual([
      [3, '2025-11-04', '100.00'], [4, '2025-11-04', '200.00'], [7, '2025-11-05', '300.00'],
    ]);
    expect(f.skipped.map((s) => [s.line, s.kind])).toEqual([[1, 'preamble'], [5, 'preamble'], [6, 'header-repeat']]);
    expect(f.lines).toEqual({ total: 7, header: 1, skipped: 3, records: 3, rejected: 0 });
    expect(f.encodingReason).toBe('Excel workbook (.xlsx), sheets "2025-11-04" (lines 1–4) and "2025-11-05" (lines 5–7: its rows 1–3), read one after another');
  });

  it('a 汇总 sheet with more rows than the 明细 is not read as transactions: its header maps far fewer columns (review AO)', () => {
    const summary = [['终端号', '交易日期', '交易笔数', '交易金额', '手续费'], ...[1, 2, 3, 4].map((t) => [`1000000${t}`, '2025-11-04', t, t * 100, t / 2])];
    const f = readBytes(book([['汇总', summary], ['明细', [SETTLEMENT_HEADER, line('2025-11-04', 1, 100, 0.5)]]]), 'settlement.xlsx');
    expect(f.records.map((r) => [r.rrn, yuan(r.amount)])).toEqual([['251104000001', '100.00']]);
    expect(f.encodingReason).toBe('Excel workbook (.xlsx), sheet "明细" of 2 (the detail sheet; not read: "汇总")');
  });

  it('of sheets that look like the detail, reads the sales: not a refund sheet with one more column, a held (未结算) sheet, a hidden backup or a filtered copy; names those it left (review AQ)', () => {
    const sales = [SETTLEMENT_HEADER, line('2025-11-04', 1, 100, 0.5), line('2025-11-04', 2, 200, 1), line('2025-11-04', 3, 300, 1.5)];
    const amounts = (f: ReturnType<typeof readBytes>) => f.records.map((r) => yuan(r.amount));
    // A 退款明细 adding 原参考号 maps more columns than the sales sheet.
    const refunds = readBytes(book([['结算明细', sales], ['退款明细', [[...SETTLEMENT_HEADER, '原参考号'], [...line('2025-11-04', 4, -50, -0.25), '251104000001']]]]), 's.xlsx');
    expect(amounts(refunds)).toEqual(['100.00', '200.00', '300.00']);
    expect(refunds.sheetsNotRead).toEqual([{ sheet: '退款明细', rows: 1, why: 'its columns differ from sheet "结算明细" (原参考号 added)' }]);
    // A held sheet with more rows than the settled one, laid out the same.
    const held = readBytes(book([['未结算明细', [...sales.slice(0, 1), line('2025-11-04', 5, 500, 2.5), line('2025-11-04', 6, 600, 3), line('2025-11-04', 7, 700, 3.5), line('2025-11-04', 8, 800, 4)]], ['结算明细', sales]]), 's.xlsx');
    expect(amounts(held)).toEqual(['100.00', '200.00', '300.00']);
    expect(held.sheetsNotRead).toEqual([{ sheet: '未结算明细', rows: 4, why: 'its name says it holds other lines' }]);
    // A filtered copy of some rows (visible) and a hidden backup of all.
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(sales), '结算明细');
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([SETTLEMENT_HEADER, sales[2]]), '贷记卡');
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([...sales, line('2025-11-04', 9, 900, 4.5)]), 'Sheet3');
    wb.Workbook = { Sheets: [{ Hidden: 0 }, { Hidden: 0 }, { Hidden: 1 }] };
    const copies = readBytes(new Uint8Array(XLSX.write(wb, { type: 'buffer', bookType: 'xlsx' }) as Buffer), 's.xlsx');
    expect(amounts(copies)).toEqual(['100.00', '200.00', '300.00']);
    // The report names a sheet left out that may hold transactions (not a copy or a hidden one).
    const dir = mkdtempSync(join(tmpdir(), 'posrecon-sheets-'));
    writeFileSync(join(dir, 's.xlsx'), book([['结算明细', sales], ['退款明细', [[...SETTLEMENT_HEADER, '原参考号'], [...line('2025-11-04', 4, -50, -0.25), '251104000001']]]]));
    writeFileSync(join(dir, 't.csv'), '商户号,终端号,交易时间,交易类型,交易状态,卡号,卡类型,交易金额,参考号,凭证号\n' + [1, 2, 3].map((n) => `898310058120001,10000001,2025-11-04 1${n}:00:00,消费,成功,622848******1234,借记卡,${n}00.00,25110400000${n},00010${n}`).join('\n') + '\n');
    const run = posrecon(['reconcile', '-t', join(dir, 't.csv'), '-s', join(dir, 's.xlsx')]);
    expect(run.stdout).toContain(`Note: ${join(dir, 's.xlsx')}: sheet not read: "退款明细" (1 row: its columns differ from sheet "结算明细" (原参考号 added)); if it holds transactions to reconcile, save it as a file of its own and pass it too.`);
    expect(copies.sheetsNotRead).toEqual([
      { sheet: '贷记卡', rows: 1, why: 'it repeats rows of sheet "结算明细"' },
      { sheet: 'Sheet3', rows: 4, why: 'hidden' },
    ]);
  });

  it('an id shown padded with zeros keeps them; money stored unrounded keeps its digits, so fee and net still add up (reviews AO, AQ)', () => {
    const ws = XLSX.utils.aoa_to_sheet([SETTLEMENT_HEADER, ['2025-11-04', '898310058120001', '10000001', '2025-11-04 09:15:22', '消费', '622848******1234', '借记卡', 1234.565, 6.1728, 1228.3922, 91522000101, 104]]);
    ws.K2.z = '000000000000';
    ws.L2.z = '000000';
    for (const c of ['H2', 'I2', 'J2']) ws[c].z = '#,##0.00;[Red]-#,##0.00';
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, ws, 'S');
    const f = readBytes(new Uint8Array(XLSX.write(wb, { type: 'buffer', bookType: 'xlsx' }) as Buffer), 'settlement.xlsx');
    // Shown as 1,234.57 / 6.17 / 1,228.39, but rounding each cell as shown would make a fee of
    // 6.175 and a net of 1228.825 (both shown .xx+1) no longer add up to the amount.
    expect(f.records.map((r) => [r.rrn, r.trace, yuan(r.amount), yuan(r.fee), yuan(r.net)])).toEqual([['091522000101', '000104', '1234.565', '6.1728', '1228.3922']]);
  });

  it('maps header cells wrapped with Alt+Enter (交易\\n时间, 交易金额\\n(元)), in a workbook and in a CSV (review AO)', () => {
    const header = ['商户号', '终端号', '交易\n时间', '交易\n类型', '交易\r\n状态', '卡号', '卡类型', '交易金额\n(元)', '参考号', '凭证号'];
    const row = ['898310058120001', '10000001', '2025-11-03 10:00:00', '消费', '成功', '622848******1234', '借记卡', '88.00', '251103000001', '000001'];
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([header, row]), 'S');
    const csv = [header.map((h) => `"${h}"`).join(','), row.join(',')].join('\r\n') + '\r\n';
    for (const [bytes, name] of [[new Uint8Array(XLSX.write(wb, { type: 'buffer', bookType: 'xlsx' }) as Buffer), 'terminal.xlsx'], [new TextEncoder().encode(csv), 'terminal.csv']] as const) {
      const f = readBytes(bytes, name, { role: 'terminal' });
      expect(f.mapping.columns).toMatchObject({ time: 2, txnType: 3, status: 4, amount: 7 });
      // Messages name the column on one line.
      expect(f.mapping.headers).toMatchObject({ time: '交易时间', amount: '交易金额(元)' });
      expect(f.records.map((r) => [r.time, r.status, yuan(r.amount)])).toEqual([['2025-11-03 10:00:00', 'success', '88.00']]);
    }
  });

  it('reads an XML Spreadsheet 2003 saved as .xls (a Java portal export), not as CSV text (review AO)', () => {
    const cell = (v: string | number) => `<Cell><Data ss:Type="${typeof v === 'number' ? 'Number' : 'String'}">${v}</Data></Cell>`;
    const xml = '<?xml version="1.0" encoding="UTF-8"?>\n<?mso-application progid="Excel.Sheet"?>\n<!-- generated by report service -->\n' +
      '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="结算明细"><Table>' +
      [SETTLEMENT_HEADER, line('2025-11-04', 1, 128, 0.64)].map((r) => `<Row>${r.map((v) => cell(v as string | number)).join('')}</Row>`).join('') +
      '</Table></Worksheet></Workbook>\n';
    const bytes = new TextEncoder().encode(xml);
    expect(spreadsheetKind(bytes)).toBe('xml');
    const f = readBytes(bytes, 'settlement-20251104.xls');
    expect(f.encodingReason).toBe('XML Spreadsheet 2003, sheet "结算明细"');
    expect(f.records.map((r) => [r.rrn, r.trace, yuan(r.amount), yuan(r.fee)])).toEqual([['251104000001', '000101', '128.00', '0.64']]);
  });

  it('an error cell reads as Excel shows it (#N/A), in the message that rejects its row (review AO)', () => {
    const ws = XLSX.utils.aoa_to_sheet([SETTLEMENT_HEADER, line('2025-11-04', 1, 128, 0.64), line('2025-11-04', 2, 100, 0.5)]);
    ws.H3 = { t: 'e', v: 0x2a };
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, ws, 'S');
    const f = readBytes(new Uint8Array(XLSX.write(wb, { type: 'buffer', bookType: 'xlsx' }) as Buffer), 'settlement.xlsx');
    expect(f.rejected.map((r) => [r.line, r.reason])).toEqual([[3, expect.stringContaining('"#N/A"')]]);
  });

  it('reads every row of a sheet whose stored dimension is too small (a template filler leaves A1:L2; review AO)', () => {
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([SETTLEMENT_HEADER, line('2025-11-04', 1, 100, 0.5), line('2025-11-04', 2, 200, 1), line('2025-11-04', 3, 300, 1.5)]), 'S');
    const stored = Buffer.from(XLSX.write(wb, { type: 'buffer', bookType: 'xlsx', compression: false }) as Buffer);
    const stale = withEntryText(stored, 'xl/worksheets/sheet1.xml', (xml) => xml.replace(/<dimension ref="A1:L4"\/>/, '<dimension ref="A1:L2"/>'));
    const f = readBytes(stale, 'settlement.xlsx');
    expect(f.records.map((r) => yuan(r.amount))).toEqual(['100.00', '200.00', '300.00']);
  });

  it('reads per-day sheets that share a disclaimer line or a name word (11月5日(含退款), 11月6日(含退款)); not a Failed sheet (review AR)', () => {
    const disclaimer = ['注：本明细仅供参考，以实际到账为准'];
    const day = (d: string, n: number) => [SETTLEMENT_HEADER, line(d, n, n * 100, n / 2), disclaimer];
    const amounts = (f: ReturnType<typeof readBytes>) => f.records.map((r) => yuan(r.amount));
    const footers = readBytes(book([['11月4日(含退款)', day('2025-11-04', 1)], ['11月5日(含退款)', day('2025-11-05', 2)]]), 's.xlsx');
    expect(amounts(footers)).toEqual(['100.00', '200.00']);
    expect(footers.sheetsNotRead).toBeUndefined();
    for (const name of ['Failed', 'Pending_Settlement', 'RefundList', 'Failed_Txns', 'Withheld', 'On Hold']) {
      const failed = readBytes(book([['Detail', day('2025-11-04', 1)], [name, day('2025-11-04', 2)]]), 's.xlsx');
      expect(amounts(failed)).toEqual(['100.00']);
      expect(failed.sheetsNotRead).toEqual([{ sheet: name, rows: 2, why: 'its name says it holds other lines' }]);
    }
  });

  it('names the columns a same-day sheet adds; a quiet run says so on stderr, JSON lists it, a 汇总 sheet is no note (review AR)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'posrecon-sheets-'));
    const withRemark = [[...SETTLEMENT_HEADER, '备注'], [...line('2025-11-05', 2, 200, 1), '']];
    const summary = [['终端号', '交易日期', '交易笔数', '交易金额', '手续费'], ['10000001', '2025-11-04', 2, 400, 2]];
    writeFileSync(join(dir, 's.xlsx'), book([['汇总', summary], ['11月4日', [SETTLEMENT_HEADER, line('2025-11-04', 1, 100, 0.5), line('2025-11-04', 3, 300, 1.5)]], ['11月5日', withRemark]]));
    writeFileSync(join(dir, 't.csv'), '商户号,终端号,交易时间,交易类型,交易状态,卡号,卡类型,交易金额,参考号,凭证号\n' + [1, 3].map((n) => `898310058120001,10000001,2025-11-04 1${n}:00:00,消费,成功,622848******1234,借记卡,${n}00.00,25110400000${n},00010${n}`).join('\n') + '\n');
    const note = `${join(dir, 's.xlsx')}: sheet not read: "11月5日" (1 row: its columns differ from sheet "11月4日" (备注 added)); if it holds transactions to reconcile, save it as a file of its own and pass it too.`;
    const quiet = posrecon(['reconcile', '-t', join(dir, 't.csv'), '-s', join(dir, 's.xlsx'), '--quiet']);
    expect([quiet.code, quiet.stdout, quiet.stderr]).toEqual([0, '', `posrecon: ${note}\n`]);
    // The daily run says so too, in its table and on stderr when quiet (review AS).
    const run = posrecon(['run', '--store', join(dir, 'store.db'), '-t', join(dir, 't.csv'), '-s', join(dir, 's.xlsx')]);
    expect(run.stdout).toContain(`      Note: ${note}`);
    const quietRun = posrecon(['run', '--store', join(dir, 'store2.db'), '-t', join(dir, 't.csv'), '-s', join(dir, 's.xlsx'), '--quiet']);
    expect([quietRun.code, quietRun.stdout, quietRun.stderr]).toEqual([0, '', `posrecon: ${note}\n`]);
    const json = JSON.parse(posrecon(['reconcile', '-t', join(dir, 't.csv'), '-s', join(dir, 's.xlsx'), '--format', 'json']).stdout) as { inputs: { sheetsNotRead?: unknown }[] };
    expect(json.inputs[1].sheetsNotRead).toEqual([
      { sheet: '汇总', rows: 1, why: 'a summary (its header maps far fewer columns)' },
      { sheet: '11月5日', rows: 1, why: 'its columns differ from sheet "11月4日" (备注 added)' },
    ]);
  });

  it('a workbook cut off inside says it is damaged or incomplete, not a JavaScript or ZIP error', () => {
    const bytes = bytesOf(SAMPLES + 'bank-ccb-jiaoyimingxi.xls').slice(0, 1000);
    expect(inputError(() => readBytes(bytes, 'cut.xls')).message).toBe('cut.xls: cannot read the Excel 97–2003 (.xls) workbook: it is damaged or incomplete (cut off while downloading?)');
    const xlsx = bytesOf(CHANNELS + 'settlement-export-20251009.xlsx').slice(0, 1000);
    expect(inputError(() => readBytes(xlsx, 'cut.xlsx')).message).toBe('cut.xlsx: cannot read the Excel (.xlsx) workbook: it is damaged or incomplete (cut off while downloading?)');
  });

  it('a workbook damaged inside (one byte changed) is refused as damaged or reads exactly as before, never with other data (review AO)', () => {
    // SheetJS checks no CRC: a flipped byte had given lost rows or other amounts without a word,
    // and some damaged deflate streams made it loop forever.
    const good = bytesOf(CHANNELS + 'settlement-export-20251009.xlsx');
    const expected = JSON.stringify(readBytes(good, 'export.xlsx').records);
    let refused = 0;
    for (let at = 60; at < good.length - 200; at += 23) {
      const bytes = good.slice();
      bytes[at] ^= 0x10;
      let records: string | undefined;
      try {
        records = JSON.stringify(readBytes(bytes, 'export.xlsx').records);
      } catch (e) {
        expect(inputError(() => { throw e; }).message).toMatch(/^export\.xlsx: (the Excel \(\.xlsx\) workbook is damaged \(.+: (compressed data damaged|checksum \(CRC\) does not match|data cut off|entry header missing|entry name damaged|directory damaged)\)|cannot read the Excel \(\.xlsx\) workbook: .+)$/);
        refused++;
        continue;
      }
      expect(records).toBe(expected);
    }
    expect(refused).toBeGreaterThan(10);
  });

  it('a password-protected workbook says so, whatever its container (review AO)', () => {
    // Encrypted OOXML is an OLE2 compound file holding EncryptionInfo and EncryptedPackage.
    const cfb = XLSX.CFB.utils.cfb_new();
    XLSX.CFB.utils.cfb_add(cfb, '/EncryptionInfo', Buffer.concat([Buffer.from([4, 0, 4, 0, 0x40, 0, 0, 0]), Buffer.from('<?xml version="1.0"?><encryption xmlns="http://schemas.microsoft.com/office/2006/encryption"></encryption>')]));
    XLSX.CFB.utils.cfb_add(cfb, '/EncryptedPackage', Buffer.alloc(4096, 7));
    const e = inputError(() => readBytes(new Uint8Array(XLSX.CFB.write(cfb, { type: 'buffer' }) as Buffer), '结算明细.xlsx'));
    expect(e.message).toBe('结算明细.xlsx: the workbook is password-protected');
    expect(e.hint).toMatch(/remove the password/);
  });

  it('an OpenDocument sheet (.ods, as WPS or LibreOffice save it) is read, not refused as an archive', () => {
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([HEADER, row(serial1900(2025, 10, 1), '622848******1234')]), 'S');
    const f = readBytes(new Uint8Array(XLSX.write(wb, { type: 'buffer', bookType: 'ods' }) as Buffer), 'export.ods');
    expect(f.records.map((r) => r.time)).toEqual(['2025-10-01 10:15:22']);
  });

  it('a ZIP storing a workbook uncompressed (对账单.zip around an .ods) is an archive, judged by its entry names', () => {
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([HEADER, row(serial1900(2025, 10, 1), '622848******1234')]), 'S');
    const ods = new Uint8Array(XLSX.write(wb, { type: 'buffer', bookType: 'ods' }) as Buffer);
    const e = inputError(() => readBytes(storedZip('对账单.ods', ods), '对账单.zip'));
    expect(e.message).toBe('对账单.zip: this is a ZIP archive, not an Excel workbook');
  });

  it('a ZIP archive around a CSV (对账单.zip) says to unpack it', () => {
    // A ZIP local file header naming a CSV: no workbook part anywhere.
    const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0, 0, 0, ...Buffer.from('settlement-20251009.csv,清算日期,交易金额\n', 'utf8')]);
    const e = inputError(() => readBytes(zip, '对账单.zip'));
    expect([e.message, e.hint]).toEqual(['对账单.zip: this is a ZIP archive, not an Excel workbook', 'unpack it and give the export inside']);
  });
});

/** An uncompressed ZIP with one entry's text changed (same length), its CRC set right in both headers. */
function withEntryText(zip: Buffer, name: string, change: (text: string) => string): Uint8Array {
  const out = Buffer.from(zip);
  const at = out.indexOf(Buffer.from(name, 'utf8'));
  expect(out.readUInt32LE(at - 30)).toBe(0x04034b50);
  const size = out.readUInt32LE(at - 30 + 18);
  const start = at + name.length + out.readUInt16LE(at - 30 + 28);
  const text = out.subarray(start, start + size).toString('utf8');
  const changed = Buffer.from(change(text), 'utf8');
  expect(changed.length).toBe(size);
  expect(changed.toString('utf8')).not.toBe(text);
  changed.copy(out, start);
  const crc = crc32(changed);
  out.writeUInt32LE(crc, at - 30 + 14);
  const central = out.indexOf(Buffer.concat([Buffer.from([0x50, 0x4b, 0x01, 0x02])]), start);
  for (let c = central; c >= 0; c = out.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), c + 4)) {
    if (out.subarray(c + 46, c + 46 + name.length).toString('utf8') === name) out.writeUInt32LE(crc, c + 16);
  }
  return new Uint8Array(out);
}

function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** A ZIP with one entry stored uncompressed (CRC left 0: only the entry names are read). */
function storedZip(name: string, data: Uint8Array): Uint8Array {
  const n = Buffer.from(name, 'utf8');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(n.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(n.length, 28);
  const cdOffset = 30 + n.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + n.length, 12);
  end.writeUInt32LE(cdOffset, 16);
  return new Uint8Array(Buffer.concat([local, n, data, central, n, end]));
}
