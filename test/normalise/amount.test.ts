import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { exactFen, formatYuan, parseAmount, sumYuan, type AmountResult, type AmountUnit } from '../../src/normalise/amount.js';

/** Parses and returns the exact value as text (Decimal#toFixed with the printed scale). */
function value(text: string, unit: AmountUnit = 'yuan'): string | null {
  const r = parseAmount(text, unit);
  if (!r.ok) throw new Error(`unexpected rejection of ${JSON.stringify(text)}: ${r.expected}`);
  return r.value === null ? null : r.value.toFixed(r.scale);
}

function expected(text: string, unit: AmountUnit = 'yuan'): string {
  const r: AmountResult = parseAmount(text, unit);
  if (r.ok) throw new Error(`unexpected acceptance of ${JSON.stringify(text)}: ${String(r.value)}`);
  return r.expected;
}

describe('parseAmount: accepted forms', () => {
  it.each([
    ['1234.56', '1234.56'],
    ['1,234.56', '1234.56'],
    ['1,234,567.89', '1234567.89'],
    ['12,500', '12500'],
    ['¥1,234.56', '1234.56'],
    ['￥1,234.56', '1234.56'],
    ['¥ 12.00', '12.00'],
    ['RMB 12.00', '12.00'],
    ['CNY12.00', '12.00'],
    ['cny 12.00', '12.00'],
    ['人民币12.00', '12.00'],
    ['1234.56元', '1234.56'],
    ['1234.56 元', '1234.56'],
    ['12.00 CNY', '12.00'],
    ['-12.00', '-12.00'],
    ['+12.00', '12.00'],
    ['-1,000.00', '-1000.00'],
    ['¥-12.00', '-12.00'],
    ['-¥12.00', '-12.00'],
    ['(12.00)', '-12.00'],
    ['（12.00）', '-12.00'],
    ['(1,234.56)元', '-1234.56'],
    ['12.00-', '-12.00'],
    ['１２３．４５', '123.45'],
    ['－１２．００', '-12.00'],
    ['0.00000', '0.00000'],
    ['0.12345', '0.12345'],
    ['.50', '0.50'],
    ['007', '7'],
    ['  13.40 \t', '13.40'],
  ])('%s → %s', (text, want) => {
    expect(value(text)).toBe(want);
  });

  it('reports the printed scale (WeChat fees have 5 decimals)', () => {
    const r = parseAmount('0.00000');
    expect(r).toMatchObject({ ok: true, scale: 5 });
    expect(parseAmount('12')).toMatchObject({ ok: true, scale: 0 });
    expect(parseAmount('1,234.5')).toMatchObject({ ok: true, scale: 1 });
  });

  it('returns null for an empty cell', () => {
    expect(parseAmount('')).toEqual({ ok: true, value: null, scale: 0 });
    expect(parseAmount('  ')).toEqual({ ok: true, value: null, scale: 0 });
    expect(parseAmount('', 'fen')).toEqual({ ok: true, value: null, scale: 0 });
  });

  it('keeps huge and very precise values exactly', () => {
    expect(value('123456789012345678901234.123456789')).toBe('123456789012345678901234.123456789');
  });

  it('returns plain zero for a printed negative zero', () => {
    const r = parseAmount('-0.00');
    expect(r.ok && r.value !== null && r.value.isNegative()).toBe(false);
    expect(value('(0.00)')).toBe('0.00');
  });
});

describe('parseAmount: fen', () => {
  it.each([
    ['1234', '12.34'],
    ['5', '0.05'],
    ['0', '0.00'],
    ['-150', '-1.50'],
    ['000000476800', '4768.00'],
    ['1,234', '12.34'],
    ['１２３４', '12.34'],
    ['123456789012345678901234567', '1234567890123456789012345.67'],
  ])('%s fen → %s yuan', (text, want) => {
    expect(value(text, 'fen')).toBe(want);
    expect(parseAmount(text, 'fen')).toMatchObject({ ok: true, scale: 2 });
  });

  it('rejects decimals in fen', () => {
    expect(expected('12.00', 'fen')).toBe('an integer amount in fen');
    expect(expected('abc', 'fen')).toBe('an integer amount in fen');
  });
});

describe('parseAmount: rejections', () => {
  it.each([
    '12,5', '1.234,56', '1,23,4.00', '1234,567.00', '1,2345', ',123', '1,', '12.5O', '4.00123E+27',
    '4.00123e+27', '()', '（）', '-(12.00)', '(-12.00)', '--12', '-12.00-', '(12.00', '12.00)', '1 234.56',
    '- 12.00', '12.', '.', '-', '+', '¥', 'RMB', '元', 'abc', 'xx,yyyy.zz', '12.34.56', '1e5', '0x10', 'Infinity',
    'NaN', '12 00',
  ])('rejects %s', (text) => {
    expect(expected(text)).toMatch(/amount/);
  });

  it('explains comma decimals and scientific notation', () => {
    expect(expected('12,5')).toMatch(/decimal point/);
    expect(expected('1.234,56')).toMatch(/decimal point/);
    expect(expected('4.00123E+27')).toMatch(/scientific notation/);
    expect(expected('1,23,4.00')).toBe('an amount such as 1,234.56');
  });

  it('never throws', () => {
    fc.assert(fc.property(fc.string(), (s) => {
      parseAmount(s);
      parseAmount(s, 'fen');
      return true;
    }));
  });
});

/** Independent formatter: fen as bigint → `-1,234,567.89`, without decimal.js. */
function fenWithThousands(fen: bigint): string {
  const negative = fen < 0n;
  const abs = negative ? -fen : fen;
  const int = (abs / 100n).toString();
  const frac = (abs % 100n).toString().padStart(2, '0');
  return (negative ? '-' : '') + int.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + '.' + frac;
}

describe('parseAmount / formatYuan properties', () => {
  const fen = fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n });

  it('(a) fen n in ±10^12 printed with thousands separators parses to exactly n/100', () => {
    fc.assert(fc.property(fen, (n) => {
      const r = parseAmount(fenWithThousands(n));
      return r.ok && r.value !== null && r.value.equals(new Decimal(n.toString()).dividedBy(100)) && r.scale === 2;
    }), { numRuns: 2000 });
  });

  it('(a) also in the fen unit and through formatYuan', () => {
    fc.assert(fc.property(fen, (n) => {
      const yuan = new Decimal(n.toString()).dividedBy(100);
      const inFen = parseAmount(n.toString(), 'fen');
      const grouped = formatYuan(yuan, { thousands: true });
      const reparsed = parseAmount(grouped);
      return inFen.ok && inFen.value !== null && inFen.value.equals(yuan) &&
        grouped === fenWithThousands(n) && formatYuan(yuan) === grouped.replaceAll(',', '') &&
        reparsed.ok && reparsed.value !== null && reparsed.value.equals(yuan);
    }), { numRuns: 2000 });
  });

  it('(b) plain decimal strings with up to 6 decimals parse to Decimal(text) with their scale', () => {
    const plain = fc.tuple(
      fc.constantFrom('', '-', '+'),
      fc.bigInt({ min: 0n, max: 10n ** 18n }),
      fc.string({ unit: fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '8', '9'), maxLength: 6 }),
    ).map(([sign, int, frac]) => sign + int.toString() + (frac.length > 0 ? '.' + frac : ''));
    fc.assert(fc.property(plain, (text) => {
      const r = parseAmount(text);
      const scale = text.includes('.') ? text.length - text.indexOf('.') - 1 : 0;
      return r.ok && r.value !== null && r.value.equals(new Decimal(text)) && r.scale === scale;
    }), { numRuns: 2000 });
  });
});

describe('formatYuan', () => {
  it.each([
    ['-12', undefined, '-12.00'],
    ['1.5', undefined, '1.50'],
    ['0.12345', undefined, '0.12345'],
    ['0', undefined, '0.00'],
    ['-0', undefined, '0.00'],
    ['0', { minDecimals: 5 }, '0.00000'],
    ['12', { minDecimals: 0 }, '12'],
    ['1234567.891', { thousands: true }, '1,234,567.891'],
    ['-1234.5', { thousands: true }, '-1,234.50'],
    ['123', { thousands: true }, '123.00'],
    ['123456789012345678901234.5', undefined, '123456789012345678901234.50'],
  ] as const)('%s %o → %s', (d, opts, want) => {
    expect(formatYuan(new Decimal(d), opts)).toBe(want);
  });

  it('echoes a parsed scale (WeChat 0.00000 fee)', () => {
    const r = parseAmount('0.00000');
    if (!r.ok || r.value === null) throw new Error('unreachable');
    expect(formatYuan(r.value, { minDecimals: r.scale })).toBe('0.00000');
  });
});

describe('formatYuan', () => {
  // The definition formatYuan's fast path (toString plus padding) must agree with everywhere.
  const byToFixed = (d: Decimal, minDecimals: number) => (d.isZero() ? d.abs() : d).toFixed(Math.max(minDecimals, d.decimalPlaces()));

  it('prints toFixed(max(minDecimals, decimal places)) for any value, scale and minimum', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }), fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 6 }), (v, scale, minDecimals) => {
        const d = new Decimal(v.toString()).div(new Decimal(10).pow(scale));
        expect(formatYuan(d, { minDecimals })).toBe(byToFixed(d, minDecimals));
      }),
      { numRuns: 5000 },
    );
  });

  it('handles zero, negative zero and values decimal.js prints in exponent notation', () => {
    for (const text of ['0', '-0', '0.000', '1e-7', '-1.5e-7', '123456789012345678901', '-0.1', '5', '5.5', '0.00001']) {
      for (const minDecimals of [0, 1, 2, 5]) expect(formatYuan(new Decimal(text), { minDecimals })).toBe(byToFixed(new Decimal(text), minDecimals));
    }
    expect(formatYuan(new Decimal('-0'))).toBe('0.00');
    expect(formatYuan(new Decimal('1234567.5'), { thousands: true })).toBe('1,234,567.50');
  });
});

describe('exactFen / sumYuan: the integer shortcuts agree with Decimal arithmetic', () => {
  // Whole fen, finer decimals (WeChat's 5-decimal fees), huge and tiny values (exponent notation), ±0.
  const decimal = fc.oneof(
    fc.bigInt({ min: -(10n ** 17n), max: 10n ** 17n }).map((n) => new Decimal(n.toString()).div(100)),
    fc.bigInt({ min: -(10n ** 9n), max: 10n ** 9n }).map((n) => new Decimal(n.toString()).div(100000)),
    fc.constantFrom('0', '-0', '1e21', '-2.5e22', '1e-8', '0.1', '-0.01', '9007199254740.99', '90071992547409.93').map((t) => new Decimal(t)),
  );
  /** The definition the shortcut replaces: d.times(100) when d has at most 2 decimals. */
  const fenByDecimal = (d: Decimal): number => {
    if (d.decimalPlaces() > 2) return NaN;
    const fen = d.times(100).toNumber();
    return Number.isSafeInteger(fen) ? fen : NaN;
  };

  it('exactFen(d) is d × 100 when that is a safe integer, else NaN (and keeps -0)', () => {
    fc.assert(fc.property(decimal, (d) => Object.is(exactFen(d), fenByDecimal(d))), { numRuns: 5000 });
  });

  // Decimal rounds every addition to 20 significant digits: the two agree while sums fit in that
  // (below 10^12 yuan with 5 decimals); beyond it the fen part here is the exact one.
  const realistic = fc.oneof(
    fc.bigInt({ min: -(10n ** 13n), max: 10n ** 13n }).map((n) => new Decimal(n.toString()).div(100)),
    fc.bigInt({ min: -(10n ** 9n), max: 10n ** 9n }).map((n) => new Decimal(n.toString()).div(100000)),
    fc.constantFrom('0', '-0', '1e-8', '0.1', '-0.01').map((t) => new Decimal(t)),
  );

  it('sumYuan equals adding one by one with Decimal, in value and in print', () => {
    fc.assert(fc.property(fc.array(fc.option(realistic, { nil: undefined }), { maxLength: 40 }), (values) => {
      const byDecimal = values.reduce<Decimal>((acc, v) => (v ? acc.plus(v) : acc), new Decimal(0));
      const sum = sumYuan(values);
      return sum.eq(byDecimal) && formatYuan(sum) === formatYuan(byDecimal);
    }), { numRuns: 3000 });
  });
});
