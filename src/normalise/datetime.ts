// Local business date/time parsing. Every value is a wall-clock time in Asia/Shanghai (UTC+8, no
// daylight saving since 1991) kept as text: `YYYY-MM-DD HH:mm:ss`. Parsing is pure string work;
// nothing here calls `new Date(localString)` or reads the process time zone, so results never
// drift with TZ. Date.UTC / getUTC* are used only as a calendar calculator.
import type { LocalDate, LocalDateTime } from '../model.js';
import { toHalfWidth } from './cells.js';

export type DateTimeResult =
  | { ok: true; value: LocalDateTime; hasTime: boolean }
  | { ok: false; expected: string };

export type DateResult = { ok: true; value: LocalDate } | { ok: false; expected: string };

export type TimeOfDayResult = { ok: true; value: string /* HH:mm:ss */ } | { ok: false; expected: string };

const EXPECTED_DATETIME = 'a date and time such as 2025-04-17 11:25:03';
const EXPECTED_DATE = 'a date such as 2025-04-17';
const EXPECTED_TIME = 'a time of day such as 11:25:03';
const EXPECTED_REAL_DATE = 'a real calendar date such as 2025-04-17 (year 1900–2199)';
const EXPECTED_REAL_TIME = 'a real time of day such as 11:25:03 (00:00:00–23:59:59)';
const EXPECTED_SERIAL = 'an Excel date serial between 20000 and 80000, or a date such as 2025-04-17';
const EXPECTED_AGREEING_TIME = 'a time column that agrees with the time printed in the date column';
const EXPECTED_MMDD = 'a month-day time MMDDhhmmss such as 0906112203 (or MMDD)';
const EXPECTED_MMDD_NEAR = 'a month and day within half a year of the clearing date';
const EXPECTED_REFERENCE = 'a reference date such as 2025-04-17';

/** China has used UTC+8 without daylight saving since 1991. */
const SHANGHAI_OFFSET_MINUTES = 8 * 60;
const SECONDS_PER_DAY = 86400;
const MS_PER_DAY = 86400000;
const MIN_YEAR = 1900; // earlier years in a POS/bank file are garbage, not data
const MAX_YEAR = 2199;

// Excel's 1900 date system counts 1900-01-01 as serial 1 and includes the fake 1900-02-29
// (serial 60, the Lotus 1-2-3 leap-year bug). For every serial after 60 the date is therefore
// 1899-12-30 + serial days. Only serials 20000–80000 (1954-10-03 … 2119-01-11) are accepted, so
// the Lotus quirk never applies and an 8-digit 20250417 is never taken as a serial.
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);
const MIN_SERIAL = 20000;
const MAX_SERIAL = 80000;

const SERIAL = /^(\d{5})(?:\.(\d+))?$/;
// `2025-04-17`, `2025/4/17`, `2025.04.17`; the back-reference forbids mixed separators.
const DATE_SEPARATED = /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})/;
const DATE_CHINESE = /^(\d{4})年(\d{1,2})月(\d{1,2})日?/;
const DATE_COMPACT = /^(\d{4})(\d{2})(\d{2})/;
// Times inside a date-time text: `11:25:03`, `11:25`, `11:25:03.123`, or compact `112503`.
const TIME_COLON = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?/;
const TIME_COMPACT = /^(\d{2})(\d{2})(\d{2})(?:\.\d+)?/;
// A separate time column may also be 5 digits (`92503`: Excel stored HHMMSS as a number and
// dropped the leading zero) or an Excel day fraction (`0.4757`).
const TIME_COLUMN_COMPACT = /^(\d{5,6})(?:\.0+)?$/;
const TIME_COLUMN_FRACTION = /^0?\.(\d+)$/;
// `Z` or `+08:00` / `+0800` / `+08`, optionally after a space.
const OFFSET = /^ *(?:([zZ])|([+-])(\d{2}):?(\d{2})?)$/;
const DATE_AFTER_T_OR_SPACE = /^(?:[Tt]|\s+)/;
const MONTH_DAY_TIME = /^(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2}))?$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})/;
const NON_ZERO_DIGIT = /[1-9]/;

/** Parsed fields before normalisation; `seconds` may be 86400 after rounding an Excel fraction. */
interface Parts {
  year: number;
  month: number;
  day: number;
  /** Seconds since local midnight, or null when the text holds a date only. */
  seconds: number | null;
  /** Printed UTC offset in minutes, or null when the text has none (already local time). */
  offsetMinutes: number | null;
}

type PartsResult = { ok: true; parts: Parts } | { ok: false; expected: string };
type SecondsResult = { ok: true; seconds: number } | { ok: false; expected: string };

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function isRealDate(year: number, month: number, day: number): boolean {
  return year >= MIN_YEAR && year <= MAX_YEAR && month >= 1 && month <= 12 &&
    day >= 1 && day <= daysInMonth(year, month);
}

function hmsToSeconds(h: number, m: number, s: number): number | null {
  return h <= 23 && m <= 59 && s <= 59 ? h * 3600 + m * 60 + s : null;
}

/** Rounds an Excel day fraction (digits after the point) to whole seconds; may return 86400. */
function dayFractionToSeconds(fractionDigits: string): number {
  // Excel stores times as binary fractions of a day; rounding to the nearest second recovers the
  // time that was typed. A JS number is fine here: this is a clock reading, not money.
  return Math.round(Number('0.' + fractionDigits) * SECONDS_PER_DAY);
}

/** Parses the time part found inside a date-time text; returns the matched length too. */
function matchEmbeddedTime(rest: string): { seconds: number | null; length: number } | null {
  const colon = TIME_COLON.exec(rest);
  if (colon) {
    const sec = hmsToSeconds(Number(colon[1]), Number(colon[2]), colon[3] === undefined ? 0 : Number(colon[3]));
    return { seconds: sec, length: colon[0].length };
  }
  const compact = TIME_COMPACT.exec(rest);
  if (compact) {
    const sec = hmsToSeconds(Number(compact[1]), Number(compact[2]), Number(compact[3]));
    return { seconds: sec, length: compact[0].length };
  }
  return null;
}

/** Parses one date or date-time text into fields without normalising offsets. */
function parseParts(raw: string): PartsResult {
  const s = toHalfWidth(raw.trim());
  if (s.length === 0) return { ok: false, expected: EXPECTED_DATETIME };

  const canonical = canonicalParts(s);
  if (canonical) return canonical;

  const serial = SERIAL.exec(s);
  if (serial) return serialParts(Number(serial[1]), serial[2]);

  let year: number;
  let month: number;
  let day: number;
  let length: number;
  const separated = DATE_SEPARATED.exec(s);
  const chinese = separated ? null : DATE_CHINESE.exec(s);
  const compact = separated || chinese ? null : DATE_COMPACT.exec(s);
  if (separated) {
    year = Number(separated[1]);
    month = Number(separated[3]);
    day = Number(separated[4]);
    length = separated[0].length;
  } else if (chinese) {
    year = Number(chinese[1]);
    month = Number(chinese[2]);
    day = Number(chinese[3]);
    length = chinese[0].length;
  } else if (compact) {
    year = Number(compact[1]);
    month = Number(compact[2]);
    day = Number(compact[3]);
    length = compact[0].length;
  } else {
    return { ok: false, expected: EXPECTED_DATETIME };
  }
  if (!isRealDate(year, month, day)) return { ok: false, expected: EXPECTED_REAL_DATE };

  if (length === s.length) return { ok: true, parts: { year, month, day, seconds: null, offsetMinutes: null } };

  // Date and time are separated by `T`, any run of whitespace (SPDB prints two spaces), or
  // nothing at all (乐刷 prints `2018-07-3116:07:27`; `20250417112503`).
  let rest = s.slice(length);
  const sep = DATE_AFTER_T_OR_SPACE.exec(rest);
  if (sep) rest = rest.slice(sep[0].length);
  const time = matchEmbeddedTime(rest);
  if (!time) return { ok: false, expected: EXPECTED_DATETIME };
  if (time.seconds === null) return { ok: false, expected: EXPECTED_REAL_TIME };
  rest = rest.slice(time.length);

  let offsetMinutes: number | null = null;
  if (rest.length > 0) {
    const offset = OFFSET.exec(rest);
    if (!offset) return { ok: false, expected: EXPECTED_DATETIME };
    if (offset[1] === undefined) {
      const hours = Number(offset[3]);
      const minutes = offset[4] === undefined ? 0 : Number(offset[4]);
      if (hours > 14 || minutes > 59) return { ok: false, expected: EXPECTED_DATETIME };
      offsetMinutes = (offset[2] === '-' ? -1 : 1) * (hours * 60 + minutes);
    } else {
      offsetMinutes = 0;
    }
  }
  return { ok: true, parts: { year, month, day, seconds: time.seconds, offsetMinutes } };
}

/** Two ASCII digits at i as a number, or -1. */
function twoDigits(s: string, i: number): number {
  const a = s.charCodeAt(i) - 0x30;
  const b = s.charCodeAt(i + 1) - 0x30;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * Fast path for the most common form, already canonical `YYYY-MM-DD HH:mm:ss` (WeChat, most
 * acquirer exports): character checks instead of regex matches. Returns null to fall through.
 */
function canonicalParts(s: string): PartsResult | null {
  if (s.length !== 19 || s.charCodeAt(4) !== 0x2d || s.charCodeAt(7) !== 0x2d || s.charCodeAt(10) !== 0x20 ||
    s.charCodeAt(13) !== 0x3a || s.charCodeAt(16) !== 0x3a) return null;
  const century = twoDigits(s, 0);
  const yy = twoDigits(s, 2);
  const month = twoDigits(s, 5);
  const day = twoDigits(s, 8);
  const h = twoDigits(s, 11);
  const m = twoDigits(s, 14);
  const sec = twoDigits(s, 17);
  if (century < 0 || yy < 0 || month < 0 || day < 0 || h < 0 || m < 0 || sec < 0) return null;
  const year = century * 100 + yy;
  if (!isRealDate(year, month, day)) return { ok: false, expected: EXPECTED_REAL_DATE };
  const seconds = hmsToSeconds(h, m, sec);
  if (seconds === null) return { ok: false, expected: EXPECTED_REAL_TIME };
  return { ok: true, parts: { year, month, day, seconds, offsetMinutes: null } };
}

function serialParts(serial: number, fractionDigits: string | undefined): PartsResult {
  if (serial < MIN_SERIAL || serial > MAX_SERIAL) return { ok: false, expected: EXPECTED_SERIAL };
  const date = new Date(EXCEL_EPOCH_MS + serial * MS_PER_DAY);
  // A fraction of zeros (`45764.0`, from a date cell read as a float) carries no time of day.
  const hasFraction = fractionDigits !== undefined && NON_ZERO_DIGIT.test(fractionDigits);
  return {
    ok: true,
    parts: {
      year: date.getUTCFullYear(),
      month: date.getUTCMonth() + 1,
      day: date.getUTCDate(),
      seconds: hasFraction ? dayFractionToSeconds(fractionDigits) : null,
      offsetMinutes: null,
    },
  };
}

/**
 * Turns fields into the local `YYYY-MM-DD HH:mm:ss` text. Only when an offset is printed or an
 * Excel fraction rounded up to midnight does it need calendar arithmetic.
 */
function formatParts(p: Parts): DateTimeResult {
  const hasTime = p.seconds !== null;
  let seconds = p.seconds ?? 0;
  const shift = p.offsetMinutes === null ? 0 : (SHANGHAI_OFFSET_MINUTES - p.offsetMinutes) * 60;
  if (shift === 0 && seconds < SECONDS_PER_DAY) {
    return { ok: true, value: formatYmdSeconds(p.year, p.month, p.day, seconds), hasTime };
  }
  seconds += shift;
  const date = new Date(Date.UTC(p.year, p.month - 1, p.day) + seconds * 1000);
  const year = date.getUTCFullYear();
  if (year < MIN_YEAR || year > MAX_YEAR) return { ok: false, expected: EXPECTED_REAL_DATE };
  const secOfDay = date.getUTCHours() * 3600 + date.getUTCMinutes() * 60 + date.getUTCSeconds();
  return { ok: true, value: formatYmdSeconds(year, date.getUTCMonth() + 1, date.getUTCDate(), secOfDay), hasTime };
}

function formatYmd(year: number, month: number, day: number): string {
  return String(year).padStart(4, '0') + '-' + pad2(month) + '-' + pad2(day);
}

function formatSeconds(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return pad2(h) + ':' + pad2(m) + ':' + pad2(seconds % 60);
}

function formatYmdSeconds(year: number, month: number, day: number, seconds: number): string {
  // Joined, not added: `+` leaves a 19-character result as a tree of pieces (about twice the
  // memory of the flat string join makes), and a record keeps its time until the report is out.
  return [formatYmd(year, month, day), formatSeconds(seconds)].join(' ');
}

/** Parses a separate time-of-day column into seconds since midnight (may be 86400, see fraction). */
function parseTimeColumn(raw: string): SecondsResult {
  const s = toHalfWidth(raw.trim());
  const colon = TIME_COLON.exec(s);
  if (colon && colon[0].length === s.length) {
    const sec = hmsToSeconds(Number(colon[1]), Number(colon[2]), colon[3] === undefined ? 0 : Number(colon[3]));
    return sec === null ? { ok: false, expected: EXPECTED_REAL_TIME } : { ok: true, seconds: sec };
  }
  const compact = TIME_COLUMN_COMPACT.exec(s);
  if (compact) {
    const digits = compact[1].padStart(6, '0');
    const sec = hmsToSeconds(Number(digits.slice(0, 2)), Number(digits.slice(2, 4)), Number(digits.slice(4, 6)));
    return sec === null ? { ok: false, expected: EXPECTED_REAL_TIME } : { ok: true, seconds: sec };
  }
  const fraction = TIME_COLUMN_FRACTION.exec(s);
  if (fraction) return { ok: true, seconds: dayFractionToSeconds(fraction[1]) };
  return { ok: false, expected: EXPECTED_TIME };
}

/**
 * Parses a local business date-time, optionally with the time in a separate column.
 *
 * Date forms: `2025-04-17`, `2025/4/17`, `2025.04.17`, `2025年4月17日`, `20250417`, Excel serials
 * `45764` / `45764.4757` (1900 system, 20000–80000 only; a zero fraction means date only).
 * Date-time forms: the date followed by `11:25:03`, `11:25` (seconds 00), `11:25:03.123`
 * (fraction dropped) or `112503`, separated by a space, several spaces (`2025/12/03  14:06:51`,
 * SPDB), `T`, or nothing (`2018-07-3116:07:27`, 乐刷; `20250417112503`).
 *
 * Offsets: text with none is already local. An explicit `Z` (UTC) or `±HH:MM` is converted to
 * Asia/Shanghai wall time (`2025-04-17T03:25:03Z` → `2025-04-17 11:25:03`).
 *
 * `timeText` (a separate 交易时间 column) may be `112503`, `92503` (leading zero lost in Excel),
 * `11:25:03`, `11:25`, an Excel day fraction `0.4757`, or a full date-time on the same date.
 * When the date column itself prints a non-midnight time it must agree with `timeText`; a
 * midnight time there (`2025-04-17 00:00:00`, an Excel date cell) is replaced. An empty
 * `timeText` is treated as absent.
 *
 * Date-only input gives `hasTime: false` and `00:00:00`. Empty input is not ok: callers decide
 * whether the column is optional. Calendar and clock are validated (no 2025-02-30, no 25:00).
 */
export function parseDateTime(dateText: string, timeText?: string): DateTimeResult {
  // 上午/下午 or AM/PM, as Excel prints times in a Chinese or English locale: read without it,
  // then move the clock by 12 hours where it says so.
  const d = splitMeridiem(dateText);
  const t = timeText === undefined ? undefined : splitMeridiem(timeText);
  const half = d.half ?? t?.half;
  if (half === undefined) return parseDateTime24(dateText, timeText);
  const r = parseDateTime24(d.text, t?.text);
  if (!r.ok || !r.hasTime) return r;
  const hour = Number(r.value.slice(11, 13));
  // 下午 13:05 is already a 24-hour clock; 上午 13:05 says two different things.
  if (half === 'am' && hour > 12) return { ok: false, expected: "a morning time (AM/上午 with 0–12 o'clock)" };
  const to = half === 'pm' ? (hour >= 12 ? hour : hour + 12) : hour === 12 ? 0 : hour;
  return { ...r, value: `${r.value.slice(0, 11)}${String(to).padStart(2, '0')}${r.value.slice(13)}` };
}

const MERIDIEM = /(上午|下午|凌晨|晚上|\b[AaPp]\.?[Mm]\.?(?![A-Za-z]))/u;

function splitMeridiem(text: string): { text: string; half?: 'am' | 'pm' } {
  const m = MERIDIEM.exec(text);
  if (!m) return { text };
  const word = m[1].toLowerCase();
  const half = word === '下午' || word === '晚上' || word.startsWith('p') ? 'pm' : 'am';
  return { text: `${text.slice(0, m.index)} ${text.slice(m.index + m[0].length)}`.replace(/\s+/g, ' ').trim(), half };
}

function parseDateTime24(dateText: string, timeText?: string): DateTimeResult {
  const date = parseParts(dateText);
  if (!date.ok) return date;
  const parts = date.parts;
  if (timeText === undefined || timeText.trim().length === 0) return formatParts(parts);

  let seconds: number;
  const column = parseTimeColumn(timeText);
  if (column.ok) {
    seconds = column.seconds;
  } else {
    // Some exports repeat the full timestamp in the time column.
    const full = parseParts(timeText);
    if (!full.ok || full.parts.seconds === null || full.parts.offsetMinutes !== null ||
      full.parts.year !== parts.year || full.parts.month !== parts.month || full.parts.day !== parts.day) {
      return column;
    }
    seconds = full.parts.seconds;
  }
  if (parts.seconds !== null && parts.seconds !== 0 && parts.seconds !== seconds) {
    return { ok: false, expected: EXPECTED_AGREEING_TIME };
  }
  return formatParts({ ...parts, seconds });
}

/**
 * Parses a date-only column (清算日期, 记账日期 …). Accepts every form {@link parseDateTime} does;
 * a printed time is dropped (after applying any explicit offset).
 */
export function parseDate(text: string): DateResult {
  const parsed = parseParts(text);
  if (!parsed.ok) return { ok: false, expected: parsed.expected === EXPECTED_DATETIME ? EXPECTED_DATE : parsed.expected };
  const formatted = formatParts(parsed.parts);
  return formatted.ok ? { ok: true, value: formatted.value.slice(0, 10) } : formatted;
}

/**
 * Parses a separate time-of-day column on its own (`112503`, `11:25:03`, `11:25`, `0.4757`) to
 * `HH:mm:ss`. An Excel fraction that rounds to 24:00:00 is reported as 23:59:59 here because a
 * time without its date cannot roll over; {@link parseDateTime} rolls it to the next day.
 */
export function parseTimeOfDay(text: string): TimeOfDayResult {
  const parsed = parseTimeColumn(text);
  if (!parsed.ok) return parsed;
  return { ok: true, value: formatSeconds(Math.min(parsed.seconds, SECONDS_PER_DAY - 1)) };
}

/** Validates a canonical `YYYY-MM-DD` (or the date part of `YYYY-MM-DD HH:mm:ss`). */
function readIsoDate(text: string): { year: number; month: number; day: number } | null {
  const m = ISO_DATE.exec(text);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  return isRealDate(year, month, day) ? { year, month, day } : null;
}

/**
 * Parses a year-less UnionPay time `MMDDhhmmss` (or a bare `MMDD`, giving `hasTime: false`) by
 * choosing the year that puts it nearest to `referenceDate` (the file's clearing date, midnight).
 * This handles the new-year crossover both ways: `1231235959` cleared `2026-01-01` is
 * 2025-12-31 23:59:59; `0101000001` cleared `2025-12-31` is 2026-01-01 00:00:01. A result more
 * than half a year from the reference (e.g. `0229` far from any leap day) is rejected.
 */
export function parseMonthDayTime(mmddhhmmss: string, referenceDate: LocalDate): DateTimeResult {
  const ref = readIsoDate(referenceDate);
  if (!ref) return { ok: false, expected: EXPECTED_REFERENCE };
  const m = MONTH_DAY_TIME.exec(toHalfWidth(mmddhhmmss.trim()));
  if (!m) return { ok: false, expected: EXPECTED_MMDD };
  const month = Number(m[1]);
  const day = Number(m[2]);
  const hasTime = m[3] !== undefined;
  const seconds = hasTime ? hmsToSeconds(Number(m[3]), Number(m[4]), Number(m[5])) : 0;
  if (seconds === null) return { ok: false, expected: EXPECTED_REAL_TIME };

  const refMs = Date.UTC(ref.year, ref.month - 1, ref.day);
  let bestYear = 0;
  let bestDistance = Infinity;
  for (let year = ref.year - 1; year <= ref.year + 1; year++) {
    if (!isRealDate(year, month, day)) continue;
    const distance = Math.abs(Date.UTC(year, month - 1, day) + seconds * 1000 - refMs);
    if (distance < bestDistance) {
      bestDistance = distance;
      bestYear = year;
    }
  }
  if (bestDistance === Infinity) return { ok: false, expected: EXPECTED_REAL_DATE };
  if (bestDistance > 184 * MS_PER_DAY) return { ok: false, expected: EXPECTED_MMDD_NEAR };
  return { ok: true, value: formatYmdSeconds(bestYear, month, day, seconds), hasTime };
}

/**
 * Adds `n` calendar days to a canonical `YYYY-MM-DD`; a `YYYY-MM-DD HH:mm:ss` keeps its time.
 * Throws RangeError on non-canonical input: callers pass values this module produced.
 */
export function addDays(date: string, n: number): string {
  const d = readIsoDate(date);
  if (!d || !Number.isInteger(n)) throw new RangeError(`addDays: not a canonical date or whole day count: ${date}, ${n}`);
  const shifted = new Date(Date.UTC(d.year, d.month - 1, d.day + n));
  return formatYmd(shifted.getUTCFullYear(), shifted.getUTCMonth() + 1, shifted.getUTCDate()) + date.slice(10);
}

/**
 * Orders canonical local values (`YYYY-MM-DD` or `YYYY-MM-DD HH:mm:ss`): -1, 0 or 1. The fixed-
 * width format makes text order equal time order; a bare date sorts before any time on that day.
 */
export function compareLocal(a: string, b: string): -1 | 0 | 1 {
  return a < b ? -1 : a > b ? 1 : 0;
}
