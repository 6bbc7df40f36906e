import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cleanCell, isPlaceholder, toHalfWidth } from '../../src/normalise/cells.js';

describe('toHalfWidth', () => {
  it('maps full-width digits, letters and punctuation to ASCII', () => {
    expect(toHalfWidth('１２３．４５')).toBe('123.45');
    expect(toHalfWidth('（１２．００）')).toBe('(12.00)');
    expect(toHalfWidth('ＲＭＢ，ａｂｃ！～')).toBe('RMB,abc!~');
  });
  it('maps the ideographic space and leaves CJK alone', () => {
    expect(toHalfWidth('交易\u3000金额（元）')).toBe('交易 金额(元)');
    expect(toHalfWidth('银联商务')).toBe('银联商务');
    expect(toHalfWidth('￥12')).toBe('￥12'); // U+FFE5 is outside the full-width ASCII block
  });
  it('returns the very same string when nothing needs mapping', () => {
    const s = 'plain ASCII 1,234.56 ¥';
    expect(toHalfWidth(s)).toBe(s);
    expect(toHalfWidth('')).toBe('');
  });
  it('is the identity on strings without characters ≥ U+3000', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }).filter((s) => [...s].every((ch) => ch.charCodeAt(0) < 0x3000)),
      (s) => toHalfWidth(s) === s));
  });
});

describe('cleanCell', () => {
  it('trims spaces, TAB, NBSP and U+3000 (ICBC pads values with spaces and a TAB)', () => {
    expect(cleanCell('  13.40               \t')).toBe('13.40');
    expect(cleanCell('\u00a0\u3000张三\u3000')).toBe('张三');
    expect(cleanCell('2088123412341234\t')).toBe('2088123412341234'); // Alipay ID + TAB
    expect(cleanCell('\ufeff交易时间')).toBe('交易时间');
  });
  it('strips the WeChat backtick prefix', () => {
    expect(cleanCell('`4200000925202101284997714292')).toBe('4200000925202101284997714292');
    expect(cleanCell('`0.00000')).toBe('0.00000');
    expect(cleanCell('`')).toBe('');
    expect(cleanCell('` -')).toBe('');
    expect(cleanCell('`="0123"')).toBe('0123');
    expect(cleanCell('``x')).toBe('x');
  });
  it('unwraps Excel text escapes', () => {
    expect(cleanCell('="012345"')).toBe('012345');
    expect(cleanCell(' ="0123" ')).toBe('0123');
    expect(cleanCell('="say ""hi"""')).toBe('say "hi"');
    expect(cleanCell('=""')).toBe('');
    expect(cleanCell('="-"')).toBe('');
    expect(cleanCell('=SUM(A1)')).toBe('=SUM(A1)');
  });
  it('drops the leading apostrophe text marker only before digits', () => {
    expect(cleanCell("'0123")).toBe('0123');
    expect(cleanCell("'abc")).toBe("'abc");
    expect(cleanCell("'12.00")).toBe("'12.00");
  });
  it('maps placeholders meaning empty to ""', () => {
    for (const p of ['-', '--', '---', '-------------------', '----------', '*', '/', 'N/A', 'n/a', 'null', 'NULL',
      '无', ' - ', '－－', '＊', '／', '—']) {
      expect(cleanCell(p), p).toBe('');
    }
  });
  it('keeps values that merely contain hyphens or placeholder words', () => {
    expect(cleanCell('-12.00')).toBe('-12.00');
    expect(cleanCell('12.00-')).toBe('12.00-');
    expect(cleanCell('支付宝-李四')).toBe('支付宝-李四');
    expect(cleanCell('- 张三')).toBe('- 张三');
    expect(cleanCell('无卡支付')).toBe('无卡支付');
    expect(cleanCell('nullable')).toBe('nullable');
    expect(cleanCell('**')).toBe('**');
    expect(cleanCell('6222****0258')).toBe('6222****0258');
  });
  it('isPlaceholder agrees with cleanCell on trimmed input', () => {
    expect(isPlaceholder('---')).toBe(true);
    expect(isPlaceholder('-1')).toBe(false);
  });
  it('is idempotent', () => {
    fc.assert(fc.property(fc.string(), (s) => cleanCell(cleanCell(s)) === cleanCell(s)));
  });
});
