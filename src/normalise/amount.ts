// Money parsing and formatting. Amounts are exact decimal.js values built from the printed digits;
// no JS number ever holds money. Parsing is a hand-written scanner (no per-call regex work on the
// hot path) because it runs on every amount cell of every file.
// Named import: under NodeNext the default import resolves to decimal.js's CJS typings namespace,
// which is not constructable; the named export is the same class at runtime (see src/model.ts).
import { Decimal } from 'decimal.js';
import { toHalfWidth } from './cells.js';

/** How a source prints money: yuan with a decimal point, or integer fen (乐刷, 利楚, UnionPay ZM). */
export type AmountUnit = 'yuan' | 'fen';

/**
 * Result of {@link parseAmount}.
 * - `value` is `null` for an empty cell (nothing printed), never for unreadable text.
 * - `scale` is the number of decimals printed (`0.00000` → 5, `12` → 0; fen amounts → 2).
 *   Decimal keeps the value, not the printed scale, so callers that must echo a source's
 *   precision (WeChat's 5-decimal fees) pass `scale` to {@link formatYuan} as `minDecimals`.
 * - `expected` describes what a readable value looks like, for messages such as
 *   `file:12:手续费: expected an amount such as 1,234.56, found "12,5"`.
 */
export type AmountResult =
  | { ok: true; value: Decimal | null; scale: number }
  | { ok: false; expected: string };

const EXPECTED_AMOUNT = 'an amount such as 1,234.56';
const EXPECTED_FEN = 'an integer amount in fen';
const EXPECTED_DECIMAL_POINT = 'an amount with a decimal point such as 12.50 (a comma is a thousands separator)';
const EXPECTED_NOT_SCIENTIFIC = 'an amount such as 1,234.56, not scientific notation (re-export the file as text)';

const EMPTY: AmountResult = { ok: true, value: null, scale: 0 };

// Only used on the failure path to pick a more helpful message.
const SCIENTIFIC = /^[+-]?\d*\.?\d+[eE][+-]?\d+$/;
const COMMA_DECIMAL = /^\d+,\d{1,2}$|^\d{1,3}(\.\d{3})+,\d+$/;

const CH_0 = 0x30;
const CH_9 = 0x39;
const CH_COMMA = 0x2c;
const CH_DOT = 0x2e;
const CH_MINUS = 0x2d;
const CH_PLUS = 0x2b;
const CH_SPACE = 0x20;
const CH_OPEN = 0x28;
const CH_CLOSE = 0x29;
const CH_YEN = 0xa5; // ¥
const CH_FULL_YEN = 0xffe5; // ￥
const CH_YUAN = 0x5143; // 元

function isDigit(c: number): boolean {
  return c >= CH_0 && c <= CH_9;
}

/** Case-insensitive ASCII check for `RMB`/`CNY` at position i. */
function currencyCodeAt(s: string, i: number): boolean {
  // Check the first letter before slicing: almost every amount starts with a digit or sign.
  const c = s.charCodeAt(i) | 0x20; // ASCII lower-case
  if ((c !== 0x72 /* r */ && c !== 0x63 /* c */) || i + 3 > s.length) return false;
  const code = s.slice(i, i + 3).toUpperCase();
  return code === 'RMB' || code === 'CNY';
}

function skipSpaces(s: string, i: number, end: number): number {
  while (i < end && s.charCodeAt(i) === CH_SPACE) i++;
  return i;
}

function trimSpacesEnd(s: string, start: number, end: number): number {
  while (end > start && s.charCodeAt(end - 1) === CH_SPACE) end--;
  return end;
}

/**
 * Parses a printed amount exactly. The input is expected to have been through `cleanCell`
 * (placeholders already mapped to `''`); surrounding whitespace is tolerated anyway.
 *
 * Accepted (yuan): `1234.56`, `1,234.56`, `¥1,234.56`, `￥1,234.56`, `RMB 12.00`, `CNY12.00`,
 * `人民币12.00`, `1234.56元`, `12.00 CNY`, `-12.00`, `+12.00`, `¥-12.00`, `(12.00)` / `（12.00）`
 * (negative), `12.00-` (trailing minus, some bank exports), full-width digits `１２３．４５`,
 * `.50` (→ 0.50). Any number of decimals is kept exactly (`0.00000` → scale 5).
 *
 * With `unit: 'fen'` the digits must be an integer (`1234` → 12.34 yuan, scale 2).
 *
 * Rejected, with an `expected` phrase: comma as decimal mark (`12,5`, `1.234,56`), thousands
 * groups not of 3 digits (`1,23,4.00`), spaces inside digits (`1 234.56`), letters (`12.5O`),
 * scientific notation (`4.00123E+27`, which Excel produces and which has lost digits), empty
 * or doubled signs (`()`, `-(12.00)`, `--12`), and decimals in fen amounts.
 *
 * Never throws. Negative zero is returned as plain zero.
 */
export function parseAmount(text: string, unit: AmountUnit = 'yuan'): AmountResult {
  const s = toHalfWidth(text.trim());
  let end = s.length;
  if (end === 0) return EMPTY;

  let i = 0;
  let negative = false;
  let signs = 0;

  // Leading sign, then an optional currency prefix, then (again) a sign: both `-¥12` and `¥-12`
  // are printed in the wild.
  let c = s.charCodeAt(i);
  if (c === CH_MINUS || c === CH_PLUS) {
    negative = c === CH_MINUS;
    signs++;
    i++;
  }
  c = s.charCodeAt(i);
  if (c === CH_YEN || c === CH_FULL_YEN) {
    i = skipSpaces(s, i + 1, end);
  } else if (currencyCodeAt(s, i)) {
    i = skipSpaces(s, i + 3, end);
  } else if (c === 0x4eba /* 人 */ && s.startsWith('人民币', i)) {
    i = skipSpaces(s, i + 3, end);
  }
  c = s.charCodeAt(i);
  if (c === CH_MINUS || c === CH_PLUS) {
    negative = c === CH_MINUS;
    signs++;
    i++;
  }

  // Currency suffix: `元`, `RMB`, `CNY`, possibly after a space.
  if (s.charCodeAt(end - 1) === CH_YUAN) {
    end = trimSpacesEnd(s, i, end - 1);
  } else if (end - 3 >= i && currencyCodeAt(s, end - 3)) {
    end = trimSpacesEnd(s, i, end - 3);
  }

  // Trailing minus (`12.00-`).
  if (end > i && s.charCodeAt(end - 1) === CH_MINUS) {
    negative = true;
    signs++;
    end--;
  }

  // Accounting negatives: `(12.00)`; full-width parentheses were mapped to ASCII above.
  if (i < end && s.charCodeAt(i) === CH_OPEN) {
    if (s.charCodeAt(end - 1) !== CH_CLOSE) return fail(s, unit);
    negative = true;
    signs++;
    i++;
    end--;
  }

  if (signs > 1 || i >= end) return fail(s, unit);

  // Digits: either plain `1234` or comma-grouped `1,234,567` (first group 1–3 digits, every
  // later group exactly 3), then optionally `.` and at least one digit.
  let intDigits = '';
  let groupLen = 0;
  let grouped = false;
  let j = i;
  for (; j < end; j++) {
    c = s.charCodeAt(j);
    if (isDigit(c)) {
      groupLen++;
    } else if (c === CH_COMMA) {
      if (groupLen === 0 || (grouped ? groupLen !== 3 : groupLen > 3)) return fail(s, unit);
      intDigits += s.slice(j - groupLen, j);
      groupLen = 0;
      grouped = true;
    } else {
      break;
    }
  }
  if (grouped && groupLen !== 3) return fail(s, unit);
  intDigits += s.slice(j - groupLen, j);

  let fraction = '';
  if (j < end) {
    if (s.charCodeAt(j) !== CH_DOT) return fail(s, unit);
    const fracStart = ++j;
    while (j < end && isDigit(s.charCodeAt(j))) j++;
    if (j < end || j === fracStart) return fail(s, unit);
    fraction = s.slice(fracStart, end);
  }
  if (intDigits.length === 0 && fraction.length === 0) return fail(s, unit);

  if (unit === 'fen') {
    if (fraction.length > 0) return { ok: false, expected: EXPECTED_FEN };
    return { ok: true, value: fenDigitsToYuan(intDigits, negative), scale: 2 };
  }

  // Plain `-1234.56` (the common case) is already a Decimal literal: skip rebuilding it.
  const plain = !grouped && end === s.length && intDigits.length > 0 && (i === 0 || (i === 1 && signs === 1));
  const literal = plain ? s : (negative ? '-' : '') + (intDigits.length > 0 ? intDigits : '0') +
    (fraction.length > 0 ? '.' + fraction : '');
  return { ok: true, value: normaliseZero(new Decimal(literal)), scale: fraction.length };
}

/**
 * Builds the yuan value of an integer fen string by moving the decimal point in the text:
 * `Decimal.div(100)` would round to the configured precision (20 significant digits by
 * default), while constructing from a string is always exact.
 */
function fenDigitsToYuan(digits: string, negative: boolean): Decimal {
  const padded = digits.padStart(3, '0');
  const literal = (negative ? '-' : '') + padded.slice(0, -2) + '.' + padded.slice(-2);
  return normaliseZero(new Decimal(literal));
}

function normaliseZero(d: Decimal): Decimal {
  // `-0.00` printed by a source is zero; a negative zero would later format as "-0.00".
  const value = d.isZero() && d.isNegative() ? d.abs() : d;
  // decimal.js grows its digit array by push, leaving spare capacity: a parsed amount lives as
  // long as its record, so keep an exact-size copy (halves the memory of a million amounts).
  // `d` is the documented digits property; the copy holds the same digits, the value is unchanged.
  (value as unknown as { d: number[] }).d = value.d.slice();
  return value;
}

function fail(s: string, unit: AmountUnit): AmountResult {
  if (SCIENTIFIC.test(s)) return { ok: false, expected: EXPECTED_NOT_SCIENTIFIC };
  if (unit === 'fen') return { ok: false, expected: EXPECTED_FEN };
  if (COMMA_DECIMAL.test(s)) return { ok: false, expected: EXPECTED_DECIMAL_POINT };
  return { ok: false, expected: EXPECTED_AMOUNT };
}

export interface FormatYuanOptions {
  /** Fewest decimals to print (default 2). Pass a parsed `scale` to echo a source's precision. */
  minDecimals?: number;
  /** Insert `,` thousands separators (default false: reports and CSV output stay machine-readable). */
  thousands?: boolean;
}

/**
 * Formats yuan with a fixed number of decimals: at least `minDecimals` (default 2), more when the
 * value has more significant decimals, so nothing is ever rounded away: `-12` → `-12.00`,
 * a 5-decimal WeChat fee `0.12345` → `0.12345`, `1.5` → `1.50`. Zero (including negative zero)
 * prints without a sign. Trailing zeros beyond the minimum are not printed (`0.00000` → `0.00`
 * unless `minDecimals: 5`).
 */
export function formatYuan(d: Decimal, opts?: FormatYuanOptions): string {
  const minDecimals = opts?.minDecimals ?? 2;
  const fixed = plainFixed(d, minDecimals) ?? (d.isZero() ? d.abs() : d).toFixed(Math.max(minDecimals, d.decimalPlaces()));
  return opts?.thousands ? groupThousands(fixed) : fixed;
}

/**
 * toFixed(max(minDecimals, decimalPlaces)) for the common case, from toString (which prints
 * every significant decimal and no more): padding zeros is all that is left. decimal.js's
 * toFixed rounds through a new Decimal first, several times the cost, and reports print a
 * money value per field. Undefined for zero and for exponent notation (|d| ≥ 1e21 or < 1e-7).
 */
function plainFixed(d: Decimal, minDecimals: number): string | undefined {
  if (d.isZero()) return undefined;
  const text = d.toString();
  if (text.includes('e')) return undefined;
  const dot = text.indexOf('.');
  const decimals = dot === -1 ? 0 : text.length - dot - 1;
  if (decimals >= minDecimals) return text;
  return (dot === -1 ? text + (minDecimals > 0 ? '.' : '') : text) + '0'.repeat(minDecimals - decimals);
}

/** `-1234567.89` → `-1,234,567.89` on an already fixed-point string. */
function groupThousands(fixed: string): string {
  const negative = fixed.startsWith('-');
  const unsigned = negative ? fixed.slice(1) : fixed;
  const dot = unsigned.indexOf('.');
  const int = dot === -1 ? unsigned : unsigned.slice(0, dot);
  const rest = dot === -1 ? '' : unsigned.slice(dot);
  let grouped = '';
  for (let k = int.length; k > 0; k -= 3) {
    const part = int.slice(Math.max(0, k - 3), k);
    grouped = grouped.length > 0 ? part + ',' + grouped : part;
  }
  return (negative ? '-' : '') + grouped + rest;
}

/**
 * An amount in whole fen, exactly: NaN when it has finer decimals (a 5-decimal WeChat fee) or
 * does not fit a safe integer. From toString: `d.times(100)` would build a new Decimal first.
 */
export function exactFen(d: Decimal): number {
  const text = d.toString();
  if (text.includes('e')) {
    // Exponent notation (|d| ≥ 1e21 or < 1e-7): rare, done the Decimal way.
    const fen = d.times(100);
    return fen.isInteger() && fen.abs().lte(Number.MAX_SAFE_INTEGER) ? fen.toNumber() : NaN;
  }
  const dot = text.indexOf('.');
  const decimals = dot === -1 ? 0 : text.length - dot - 1;
  if (decimals > 2) return NaN;
  const fen = Number(dot === -1 ? text : text.slice(0, dot) + text.slice(dot + 1)) * (decimals === 0 ? 100 : decimals === 1 ? 10 : 1);
  if (!Number.isSafeInteger(fen)) return NaN;
  // -0 stays -0, as d.times(100).toNumber() gives it.
  return fen === 0 && d.isNegative() ? -0 : fen;
}

/**
 * The sum of amounts (undefined ones skipped): whole fen add as integers, anything finer or
 * larger as Decimals. Equal in value to adding them one by one with Decimal (which allocates a
 * new Decimal per addition; reports sum every residual row several ways) while the sum fits
 * Decimal's 20 significant digits: below 10^12 yuan even with 5-decimal fees.
 */
export function sumYuan(values: Iterable<Decimal | undefined>): Decimal {
  let fen = 0;
  let rest: Decimal | undefined;
  for (const v of values) {
    if (v === undefined) continue;
    const f = exactFen(v);
    if (!Number.isNaN(f) && Number.isSafeInteger(fen + f)) fen += f;
    else rest = rest ? rest.plus(v) : v;
  }
  const whole = new Decimal(fen).div(100);
  return rest ? whole.plus(rest) : whole;
}
