// CSV: one row per finding, Excel-friendly (BOM, CRLF), and safe from formula injection while
// negative money stays numeric.
import { describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import { CSV_BOM, CSV_COLUMNS, moneyCell, neutraliseText, renderCsv } from '../../src/report/csv.js';
import { demoResult } from './demo.js';
import type { ReconcileResult } from '../../src/reconcile.js';
import type { Finding } from '../../src/classify/findings.js';

/** Minimal RFC 4180 parser, to read back what we wrote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const endCell = () => {
    row.push(cell);
    cell = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') endCell();
    else if (c === '\r' && text[i + 1] === '\n') {
      endCell();
      rows.push(row);
      row = [];
      i++;
    } else cell += c;
  }
  if (cell !== '' || row.length) {
    endCell();
    rows.push(row);
  }
  return rows;
}

function withMessage(result: ReconcileResult, message: string): ReconcileResult {
  const f: Finding = { ...result.findings[0], message, details: { label: message } };
  return { ...result, findings: [f] };
}

describe('neutraliseText', () => {
  it.each([
    ['=HYPERLINK("http://x","click")', `'=HYPERLINK("http://x","click")`],
    ['+86 138 0000 0000', `'+86 138 0000 0000`],
    ['-2+3+cmd|" /C calc"!A0', `'-2+3+cmd|" /C calc"!A0`],
    ['@SUM(A1:A9)', `'@SUM(A1:A9)`],
    ['\t=1+1', `'\t=1+1`],
    ['\r=1+1', `'\r=1+1`],
    ['-12.00', `'-12.00`], // in a text column even a number-looking value is quoted: only money cells are exempt
    ['流量费 = 48', '流量费 = 48'],
    ['a=b', 'a=b'],
  ])('%j → %j', (input, output) => {
    expect(neutraliseText(input)).toBe(output);
  });
});

describe('money cells', () => {
  it('stay plain numbers, negative ones included, so a spreadsheet can sum them', () => {
    expect(moneyCell(new Decimal('-12'))).toBe('-12.00');
    expect(moneyCell(new Decimal('1234567.5'))).toBe('1234567.50');
    expect(moneyCell(new Decimal('0.12345'))).toBe('0.12345');
    expect(moneyCell(new Decimal('-0'))).toBe('0.00');
  });
});

describe('renderCsv on the demo', () => {
  const { result } = demoResult();
  const text = renderCsv(result);

  it('starts with a UTF-8 BOM, uses CRLF, and has one row per finding (matched only on request)', () => {
    expect(text.startsWith(CSV_BOM)).toBe(true);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/\r/);
    const rows = parseCsv(text.slice(1));
    expect(rows[0]).toEqual(CSV_COLUMNS.map((c) => c.name));
    const nonMatched = result.findings.filter((f) => f.kind !== 'matched').length;
    expect(rows.length - 1).toBe(nonMatched);
    expect(parseCsv(renderCsv(result, { includeMatched: true }).slice(1)).length - 1).toBe(result.findings.length);
    for (const r of rows) expect(r).toHaveLength(CSV_COLUMNS.length);
  });

  it('cites every source row of a finding', () => {
    const rows = parseCsv(text.slice(1));
    const col = (name: string) => CSV_COLUMNS.findIndex((c) => c.name === name);
    const dropped = rows.find((r) => r[col('kind')] === 'dropped_order' && r[col('terminal_file')] !== '')!;
    expect(dropped[col('terminal_file')]).toBe('fixtures/demo/terminal-2025-09-29.csv');
    expect(dropped[col('terminal_line')]).toBe('8');
    expect(dropped[col('settlement_file')]).toBe('fixtures/demo/settlement-2025-09-30.csv');
    expect(dropped[col('settlement_line')]).toBe('8');
    expect(dropped[col('related')]).toBe('fixtures/demo/terminal-2025-09-29.csv:9');
    expect(dropped[col('rrn')]).toBe('100000000004');
    const mismatch = rows.find((r) => r[col('kind')] === 'amount_mismatch')!;
    expect(mismatch[col('difference')]).toBe('-180.00'); // negative money: not quoted, not neutralised
    expect(mismatch[col('amount')]).toBe('-180.00');
    const deduction = rows.find((r) => r[col('kind')] === 'extra_deduction')!;
    expect(deduction[col('settlement_net')]).toBe('-48.00');
  });

  it('neutralises a formula planted in text (e.g. a settlement memo)', () => {
    const csv = renderCsv(withMessage(result, '=cmd|"/c calc"!A1'));
    const rows = parseCsv(csv.slice(1));
    const col = (name: string) => CSV_COLUMNS.findIndex((c) => c.name === name);
    expect(rows[1][col('message')]).toBe(`'=cmd|"/c calc"!A1`);
    expect(rows[1][col('details')]).toBe('label==cmd|"/c calc"!A1'); // not at the start of the cell: harmless
    for (const row of rows.slice(1)) {
      for (const cell of row) {
        expect(cell).not.toMatch(/^[=+@\t\r]/);
        if (cell.startsWith('-')) expect(cell).toMatch(/^-\d+\.\d+$/); // only our money cells may start with a minus
      }
    }
  });
});
