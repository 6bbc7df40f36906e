// normaliseLabel has a fast path for labels that are already normal; it must never change the result.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { normaliseLabel } from '../../src/profiles/profile.js';

/** The definition, character by character (what normaliseLabel did before its fast path). */
function byDefinition(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (c >= 0xff01 && c <= 0xff5e) out += String.fromCodePoint(c - 0xfee0);
    else if (c === 0x3000 || c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0xa0 || c === 0x60 || c === 0xfeff) continue;
    else out += ch;
  }
  return out
    .toLowerCase()
    .replace(/[([](元|人民币|rmb|cny|¥|￥|rrn|mid|tid|(?=[ymdhs:\-/. ]*(?:yy|hh))[ymdhs][ymdhs:\-/. ]*)[)\]]$/u, '')
    .replace(/[:：*]+$/u, '');
}

describe('normaliseLabel', () => {
  const alphabet = [...'aZ09 \t\n\r`()[]:*：（）元rmbCNY¥￥交易金额Ｂ１\u3000\u00a0\ufeffÀÉydhsHMS-/.rnit'];
  it('equals its definition on labels built from the characters that matter', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 12 }).map((a) => a.join('')), (s) => {
        expect(normaliseLabel(s)).toBe(byDefinition(s));
      }),
      { numRuns: 5000 },
    );
  });

  it('equals its definition on any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (s) => {
        expect(normaliseLabel(s)).toBe(byDefinition(s));
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps header words and lowercases codes', () => {
    expect(normaliseLabel('交易金额(元)')).toBe('交易金额');
    expect(normaliseLabel('RRN')).toBe('rrn');
    expect(normaliseLabel('交易时间(HH:mm:ss)')).toBe('交易时间');
    expect(normaliseLabel('交易日期（yyyy-mm-dd）')).toBe('交易日期');
    expect(normaliseLabel('清算日期(MMDD)')).toBe('清算日期(mmdd)'); // no year: not a date the reader can place
    expect(normaliseLabel('参考号')).toBe('参考号');
  });
});
