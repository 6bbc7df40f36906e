// The table renderer's pure parts: CJK-aware widths and the colour switch.
import { describe, expect, it } from 'vitest';
import { displayWidth, padEnd, padStart, renderTable } from '../../src/report/table.js';
import { money } from '../../src/report/common.js';
import { Decimal } from 'decimal.js';
import { demoResult } from './demo.js';

describe('displayWidth', () => {
  it.each([
    ['abc', 3],
    ['掉单', 4],
    ['（演示）', 8],
    ['¥88.00', 6],
    ['Ａ１', 4], // full-width forms
    ['ｱ', 1], // half-width katakana
    ['e\u0301', 1], // combining acute accent takes no column
    ['𠮷', 2], // CJK extension B (outside the BMP)
  ])('%j is %i columns', (s, w) => {
    expect(displayWidth(s)).toBe(w);
  });

  it('pads mixed Chinese and ASCII to the same visual width', () => {
    const rows = ['dropped orders (掉单)', 'unsettled, overdue (未到账)', 'amount mismatches'].map((s) => padEnd(s, 28) + '|');
    expect(new Set(rows.map(displayWidth)).size).toBe(1);
    expect(padStart('¥1,000.00', 12)).toBe('   ¥1,000.00');
  });
});

describe('money', () => {
  it('groups thousands and puts the minus before the yuan sign', () => {
    expect(money(new Decimal('1234567.5'))).toBe('¥1,234,567.50');
    expect(money(new Decimal('-180'))).toBe('-¥180.00');
  });
});

describe('renderTable', () => {
  const { result } = demoResult();
  it('colours only when asked', () => {
    expect(renderTable(result, { color: false, verbose: false })).not.toContain('\x1b[');
    expect(renderTable(result, { color: true, verbose: false })).toContain('\x1b[31m');
  });

  it('keeps amounts right-aligned when one is wider than the column', () => {
    const big = { ...result, findings: result.findings.map((f) => (f.kind === 'duplicate_settlement' ? { ...f, actual: new Decimal('12345678.90') } : f)) };
    const lines = renderTable(big, { color: false, verbose: false }).split('\n').filter((l) => /^ {2}\d{4}-\d\d-\d\d/.test(l));
    const ends = new Set(lines.map((l) => displayWidth(l.slice(0, l.indexOf('¥') + l.slice(l.indexOf('¥')).search(/\s/)))));
    expect(ends.size).toBe(1);
  });
});

describe('renderTable at scale', () => {
  it('lists 300,000 findings without overflowing the call stack', () => {
    const { result } = demoResult();
    const dropped = result.findings.find((f) => f.kind === 'dropped_order')!;
    const many = { ...result, findings: Array.from({ length: 300_000 }, () => dropped) };
    const text = renderTable(many, { color: false, verbose: false });
    expect(text).toContain('Card was charged');
  });
});
