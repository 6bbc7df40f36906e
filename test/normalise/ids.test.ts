import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkIdentifier, maskCard, maskDigitRuns } from '../../src/normalise/ids.js';

describe('maskCard', () => {
  it.each([
    ['6222021234567890123', '622202******0123'], // 19 digits
    ['6228480123456781234', '622848******1234'],
    ['6222021234567890', '622202******7890'], // 16
    ['4111111111111', '411111******1111'], // 13
    ['6222 0212 3456 7890', '622202******7890'],
    ['6222-0212-3456-7890-123', '622202******0123'],
    ['卡号6222021234567890', '卡号622202******7890'],
    ['６２２２０２１２３４５６７８９０', '622202******7890'],
    ['6222 0212 3456 7890 2025', '622202******7890 2025'],
    ['6222021234567890 12', '622202******7890 12'],
  ])('%s → %s', (text, want) => {
    expect(maskCard(text)).toBe(want);
  });

  it.each([
    '622848******1234', '6222****0258', '622609******0048', '6226******5669', 'Z200******010N',
    '1234****9876', '', '622202', '123456789012', // 12 digits: not a PAN
    '4200000925202101284997714292', // 28-digit order number: not a card number
    '898310058120002', '结算款 商户898310058120002', // a UnionPay merchant number: 15 digits starting with 8
  ])('leaves %s unchanged', (text) => {
    expect(maskCard(text)).toBe(text);
  });

  it('never returns a full PAN (13–19 digits) found in the input', () => {
    // Any 13–19 digits, except a 15-digit merchant number starting with 8 (no card has that form).
    const pan = fc.integer({ min: 13, max: 19 }).chain((len) =>
      fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: len, maxLength: len })).filter((p) => !(p.length === 15 && p[0] === '8'));
    const filler = fc.string({ unit: fc.constantFrom('a', ' ', '-', '*', '卡', ':'), maxLength: 4 });
    fc.assert(fc.property(filler, pan, filler, (before, p, after) => {
      const out = maskCard(before + p + after);
      return !out.includes(p) && out.includes(p.slice(0, 6) + '******' + p.slice(-4));
    }), { numRuns: 1000 });
  });

  it('masks exactly what the digit-group rule masks: the shortcut for cells without a 13-digit run changes nothing', () => {
    const unit = fc.oneof(
      { arbitrary: fc.constantFrom(...'0123456789'), weight: 6 },
      { arbitrary: fc.constantFrom(' ', '-', '--', '  ', ':', '*', '.', '卡', 'x', '０'), weight: 2 },
    );
    fc.assert(fc.property(fc.string({ unit, minLength: 8, maxLength: 40, size: 'max' }), (s) => {
      expect(maskCard(s)).toBe(maskDigitRuns(s.replace(/０/g, '0')));
    }), { numRuns: 3000 });
  });

  it('is idempotent, also where masking a card leaves the digit groups before it card-shaped', () => {
    expect(maskCard('3-4620101-2 1810 685217 002987098')).toBe(maskCard(maskCard('3-4620101-2 1810 685217 002987098')));
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...'0123456789 -*x'), maxLength: 48 }), (s) => maskCard(maskCard(s)) === maskCard(s)), { numRuns: 5000 });
  });
});

describe('checkIdentifier', () => {
  it.each(['4.00123E+27', '4.00123e+27', '6.22E+15', '6E+15', '１.２３Ｅ＋１９', '4.2E-05'])('flags %s as destroyed by Excel', (text) => {
    const r = checkIdentifier(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/^destroyed by Excel \(scientific notation .+\); re-export the file as text$/);
  });

  it('gives the reason in the documented words', () => {
    expect(checkIdentifier('4.00123E+27')).toEqual({
      ok: false, reason: 'destroyed by Excel (scientific notation 4.00123E+27); re-export the file as text',
    });
  });

  it.each([
    ['123456789012', '123456789012'],
    ['4200000925202101284997714292', '4200000925202101284997714292'],
    ['S20210128170702357723', 'S20210128170702357723'],
    ['ofyak5qR_1wYsC99CsWA6R9MJazA', 'ofyak5qR_1wYsC99CsWA6R9MJazA'],
    ['2021-01-28', '2021-01-28'],
    ['V1.2', 'V1.2'],
    ['ABCE5', 'ABCE5'],
    ['123456789012.0', '123456789012'], // float-read RRN: strip the .0
    ['802310048993424.00', '802310048993424'], // 15 digits still exact
    ['００１２３４', '001234'],
    ['', ''],
  ])('accepts %s as %s', (text, want) => {
    expect(checkIdentifier(text)).toEqual({ ok: true, value: want });
  });

  it('rejects a .0 number too long to have survived the conversion', () => {
    const r = checkIdentifier('4200000925202101284997714292.0');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/more than 15 digits.*re-export the file as text/);
  });

  it('rejects a long ID whose digits after the 15th are all zeros (Excel Number format), from 20 digits on', () => {
    const r = checkIdentifier('4200002601202510000000000000');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/^destroyed by Excel \(digits after the 15th turned to zeros: 4200002601202510000000000000\); re-export the file as text$/);
    // Shorter IDs ending in zeros are common enough to be real; a nonzero digit after the 15th proves the tail survived.
    expect(checkIdentifier('4200002601202510000')).toEqual({ ok: true, value: '4200002601202510000' }); // 19 digits
    expect(checkIdentifier('4200002601202510140000000001')).toEqual({ ok: true, value: '4200002601202510140000000001' });
  });
});

describe('maskCard beside other numbers', () => {
  it.each([
    ['结算款 898310058120002 20251014', '结算款 898310058120002 20251014'],
    ['898310058120002-20251014', '898310058120002-20251014'],
    ['898310058120002 6222021234567890', '898310058120002 622202******7890'],
    // A date before a card printed in groups: the card is masked whole, the date stays.
    ['20251014 6222 0212 3456 7890', '20251014 622202******7890'],
    ['1 6222 0212 3456 7890', '1 622202******7890'],
    ['20251014-6222-0212-3456-7890-123', '20251014-622202******0123'],
    ['2025-10-14 6222 0212 3456 7893', '2025-10-14 622202******7893'],
    ['2025 10 14 6222 0212 3456 7893', '2025 10 14 622202******7893'],
    ['50012345 6222 0212 3456 7890', '50012345 622202******7890'], // a number starting like a card, not printed like one
    ['2221 0012 3456 7890', '222100******7890'], // Mastercard 2-series
    ['调单 1014 6222 0212 3456 7893', '调单 1014 622202******7893'], // four 4-digit groups, the first no card's
    ['批次 0001 6222 0212 3456 7893', '批次 0001 622202******7893'],
    ['2025-10-14 62220212 34567893', '2025-10-14 622202******7893'], // a card printed 8 + 8
    ['9558 4012 3456 7890 123', '955840******0123'], // a domestic card starting with 9 (ICBC)
    ['1234 5678 9012 3456 789', '123456******6789'], // 19 digits in groups: masked whole, never from the second group
    ['000001 691897 1869128300209', '000001 691897******0209'], // a card printed as its BIN and the rest, after a batch number
    ['2025-10-14 6825-1320-4694-4124-0 55', '2025-10-14 682513******1240 55'], // the longest window printed like a card
    // Two card-like windows overlapping: both masked as one, neither shows more than 6 + 4.
    ['网点 9001 6222 0212 3456 7890', '网点 900162******7890'],
    ['MCC 5411 6222 0212 3456 7890', 'MCC 541162******7890'],
    ['20251014 5411 6222 0212 3456 7890', '20251014 541162******7890'], // after a date too
    // The other way round (a card, then a 4-digit number) reads the same: one token, no digit of
    // the card's middle shown, though the last 4 are the number's.
    ['6222 4512 3456 7890 1014', '622245******1014'],
    ['凭证号 356789 62220212 34567890', '凭证号 356789******7890'],
    // Numbers neither printed nor starting like a card stay readable.
    ['20251014 103000', '20251014 103000'],
    ['13812345678 20251014', '13812345678 20251014'],
    ['000123 123456789012', '000123 123456789012'],
    // No card starts after it: the window from the first group is masked (over-masking is safe).
    ['2025 1014 1234 5678', '202510******5678'],
  ])('%s → %s', (text, want) => {
    expect(maskCard(text)).toBe(want);
  });
});

describe('maskCard on memos: a date, a batch or a short number, then a card in any grouping', () => {
  it('shows no more of the card than its first 6 and last 4 digits', () => {
    const prefix = fc.constantFrom('', '20251014 ', '2025-10-14 ', '1014 ', '000001 ', '898310058120001 ', '调单 ');
    const card = fc.tuple(fc.constantFrom('3', '4', '5', '6', '9'), fc.integer({ min: 12, max: 18 })).chain(([first, rest]) =>
      fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: rest, maxLength: rest }).map((tail) => first + tail));
    const grouping = fc.constantFrom('bare', 'fours-space', 'fours-dash', 'bin-rest');
    fc.assert(fc.property(prefix, card, grouping, (pre, pan, g) => {
      const printed = g === 'bare' ? pan : g === 'bin-rest' ? `${pan.slice(0, 6)} ${pan.slice(6)}` : pan.match(/.{1,4}/g)!.join(g === 'fours-space' ? ' ' : '-');
      const out = maskCard(pre + printed);
      const digitCount = (t: string) => t.replace(/\D/g, '').length;
      if (g === 'fours-space' && /\d $/.test(pre)) {
        // Groups of four after a number and a space could be one longer card: masked as one it
        // shows at most 10 digits more than the memo's own, and the card's last 4 at the end.
        expect(out.endsWith(`******${pan.slice(-4)}`)).toBe(true);
        expect(digitCount(out)).toBeLessThanOrEqual(digitCount(pre) + 10);
      } else {
        // The memo's own words and numbers stay; the card shows only its first 6 and last 4 digits.
        expect(out).toBe(`${pre}${pan.slice(0, 6)}******${pan.slice(-4)}`);
      }
    }), { numRuns: 3000 });
  });
});
