// Settlement calendar: working days (China State Council holidays + make-up days), settlement
// cycles (T+N / D+N), the daily cut-off (日切) and the expected settlement date of a business date.
//
// All dates are local wall-clock strings ('YYYY-MM-DD'). Arithmetic goes through a day number
// (days since 1970-01-01) computed with Date.UTC, so the result never depends on the machine's
// time zone: a Date built from a local string would shift by a day on a server outside China.
import { readdirSync, readFileSync } from 'node:fs';
import { InputError, type LocalDate, type LocalDateTime } from '../model.js';

export type { LocalDate, LocalDateTime };

/** One year of the State Council holiday notice, in NateScarlet/holiday-cn format. */
export interface HolidayYear {
  year: number;
  /** `isOffDay: false` marks a make-up working day (调休), usually on a weekend. */
  days: { date: string; isOffDay: boolean; name?: string }[];
}

// ---------------------------------------------------------------------------------------------
// Local-date arithmetic (time-zone independent)

const MS_PER_DAY = 86_400_000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Day number of a valid 'YYYY-MM-DD', or undefined (also for 2025-02-30 and the like). */
function tryDayNumber(date: string): number | undefined {
  const m = DATE_RE.exec(date);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  // Date.UTC rolls 02-30 over to 03-02; a round trip catches that.
  return fromDayNumber(ms / MS_PER_DAY) === date ? ms / MS_PER_DAY : undefined;
}

/** Day number of a LocalDate; a malformed date here is a bug upstream, not user input. */
export function dayNumber(date: LocalDate): number {
  const n = tryDayNumber(date);
  if (n === undefined) throw new RangeError(`not a valid date (YYYY-MM-DD): "${date}"`);
  return n;
}

export function fromDayNumber(n: number): LocalDate {
  return new Date(n * MS_PER_DAY).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday. 1970-01-01 (day 0) was a Thursday. */
function weekdayOf(n: number): number {
  return (((n + 4) % 7) + 7) % 7;
}

function yearOf(date: LocalDate): number {
  return Number(date.slice(0, 4));
}

// ---------------------------------------------------------------------------------------------
// Holiday files

/**
 * Parse and validate one holiday file. Throws InputError with a one-line message naming the file,
 * because these files are written or downloaded by users each year.
 */
export function parseHolidayFile(text: string, fileName: string): HolidayYear {
  const expected = `${fileName}: expected "days": [{ "date": "YYYY-MM-DD", "isOffDay": true|false }]`;
  let data: unknown;
  try {
    // Strip a UTF-8 BOM: Windows editors add one and JSON.parse rejects it.
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new InputError(`${fileName}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof data !== 'object' || data === null || !Array.isArray((data as { days?: unknown }).days)) {
    throw new InputError(expected);
  }
  const rawDays = (data as { days: unknown[] }).days;
  if (rawDays.length === 0) throw new InputError(`${expected}, got an empty list`);

  const days: HolidayYear['days'] = [];
  const seen = new Map<string, boolean>();
  for (const [i, raw] of rawDays.entries()) {
    const entry = raw as { date?: unknown; isOffDay?: unknown; name?: unknown } | null;
    const date = entry?.date;
    const isOffDay = entry?.isOffDay;
    if (typeof date !== 'string' || tryDayNumber(date) === undefined || typeof isOffDay !== 'boolean') {
      throw new InputError(`${expected}; entry ${i + 1} is ${JSON.stringify(raw)}`);
    }
    if (seen.has(date) && seen.get(date) !== isOffDay) {
      throw new InputError(`${fileName}: ${date} is listed both as off day and as working day`);
    }
    seen.set(date, isOffDay);
    const name = entry?.name;
    days.push(typeof name === 'string' ? { date, isOffDay, name } : { date, isOffDay });
  }

  // holiday-cn files carry "year"; a hand-written file may omit it, then the dates tell.
  const declared = (data as { year?: unknown }).year;
  if (declared !== undefined && !(Number.isInteger(declared) && (declared as number) >= 1900)) {
    throw new InputError(`${fileName}: expected "year": YYYY, got ${JSON.stringify(declared)}`);
  }
  const year = (declared as number | undefined) ?? yearOf(days[0].date);
  // Catches a copied file whose "year" was bumped but whose dates were not.
  if (!days.some((d) => yearOf(d.date) === year)) {
    throw new InputError(`${fileName}: "year" is ${year} but no listed date falls in ${year}`);
  }
  return { year, days };
}

// ---------------------------------------------------------------------------------------------
// Working-day calendar

/**
 * The statutory holidays with a fixed Gregorian date (《全国年节及纪念日放假办法》, as revised for
 * 2025): 元旦 1 Jan, 劳动节 1–2 May, 国庆节 1–3 Oct. Off in a year no holiday file covers, so a
 * T+1 sale of 31 December is not due on 1 January of a year whose notice is not out yet.
 */
const FIXED_STATUTORY_HOLIDAYS: ReadonlySet<string> = new Set(['01-01', '05-01', '05-02', '10-01', '10-02', '10-03']);

/** Safety bound for searches: no real calendar has a year-long run of off days. */
const MAX_SEARCH_DAYS = 366;

export class WorkCalendar {
  /** Listed dates → isOffDay. Unlisted dates follow the ordinary Mon–Fri week. */
  private readonly listed = new Map<LocalDate, boolean>();
  private readonly years: number[];
  private readonly covered: Set<number>;

  /** Later entries for the same year replace earlier ones (user files override built-in ones). */
  constructor(holidayYears: HolidayYear[]) {
    const byYear = new Map<number, HolidayYear>();
    for (const hy of holidayYears) byYear.set(hy.year, hy);
    this.years = [...byYear.keys()].sort((a, b) => a - b);
    this.covered = new Set(this.years);
    // A notice may list a day of a neighbouring year (New Year bridges); the file for that
    // day's own year has the final word, so apply out-of-year entries first.
    const all = [...byYear.values()].flatMap((hy) => hy.days.map((d) => ({ ...d, own: yearOf(d.date) === hy.year })));
    for (const d of all.filter((x) => !x.own)) this.listed.set(d.date, d.isOffDay);
    for (const d of all.filter((x) => x.own)) this.listed.set(d.date, d.isOffDay);
  }

  isWorkingDay(date: LocalDate): boolean {
    const n = dayNumber(date);
    const isOffDay = this.listed.get(date);
    if (isOffDay !== undefined) return !isOffDay;
    // A year without a holiday file still has its fixed-date statutory holidays: they are off
    // every year (make-up working days and the lunar holidays are what only the notice says).
    if (!this.covered.has(yearOf(date)) && FIXED_STATUTORY_HOLIDAYS.has(date.slice(5, 10))) return false;
    const wd = weekdayOf(n);
    return wd !== 0 && wd !== 6;
  }

  /** The first working day strictly after `date`. */
  nextWorkingDayAfter(date: LocalDate): LocalDate {
    return this.addWorkingDays(date, 1);
  }

  /** The n-th working day strictly after `date`; n = 0 returns `date` itself (even if off). */
  addWorkingDays(date: LocalDate, n: number): LocalDate {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`working days must be a whole number >= 0, got ${n}`);
    let day = dayNumber(date);
    for (let found = 0, steps = 0; found < n; ) {
      day += 1;
      if (++steps > MAX_SEARCH_DAYS * Math.max(1, n)) {
        throw new RangeError(`no working day found within ${steps} days after ${date}`);
      }
      if (this.isWorkingDay(fromDayNumber(day))) found += 1;
    }
    return fromDayNumber(day);
  }

  /** `date` plus n calendar days (n may be negative). */
  addCalendarDays(date: LocalDate, n: number): LocalDate {
    if (!Number.isInteger(n)) throw new RangeError(`calendar days must be a whole number, got ${n}`);
    return fromDayNumber(dayNumber(date) + n);
  }

  /** Years that have holiday data, ascending. */
  coveredYears(): number[] {
    return [...this.years];
  }

  /**
   * Years touched by `dates` that have no holiday data, ascending. The CLI warns about them:
   * weekends still apply there, but holidays and make-up days are unknown.
   */
  missingYears(dates: LocalDate[]): number[] {
    const covered = new Set(this.years);
    const missing = new Set(dates.map(yearOf).filter((y) => !covered.has(y)));
    return [...missing].sort((a, b) => a - b);
  }
}

/**
 * The only I/O in this module: build a calendar from every data/holidays/*.json shipped with
 * posrecon, then the user's extra files (already read by the caller) which add or replace years.
 */
export function loadBuiltinCalendar(extraFiles: { name: string; text: string }[] = []): WorkCalendar {
  // src/calendar/ and dist/calendar/ both sit two levels below the package root.
  const dir = new URL('../../data/holidays/', import.meta.url);
  const builtin = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => parseHolidayFile(readFileSync(new URL(f, dir), 'utf8'), f));
  const extra = extraFiles.map((f) => parseHolidayFile(f.text, f.name));
  return new WorkCalendar([...builtin, ...extra]);
}

// ---------------------------------------------------------------------------------------------
// Settlement cycles and business dates

/** T+N counts working days, D+N calendar days; T0 and D0 both mean the same day. */
export type SettlementCycle = { kind: 'T' | 'D'; days: number };

/** 'T+1', 'T1', 'T0', 'T+0', 'D0', 'D+0', 'd+2', ' t + 1 ' … → cycle; anything else → null. */
export function parseCycle(text: string): SettlementCycle | null {
  const m = /^\s*([TD])\s*\+?\s*(\d{1,3})\s*$/i.exec(text);
  if (!m) return null;
  return { kind: m[1].toUpperCase() as 'T' | 'D', days: Number(m[2]) };
}

/** Acquirers disagree whether a transaction exactly at the cut-off is already the next day. */
export type CutoffRule = 'at-or-after' | 'after';

const TIME_RE = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/;

/** Seconds since midnight, NaN when minutes or seconds are out of range. */
function secondsOfDay(hh: string, mm: string, ss = '0'): number {
  if (Number(mm) > 59 || Number(ss) > 59) return NaN;
  return Number(hh) * 3600 + Number(mm) * 60 + Number(ss);
}

/**
 * The business date (交易日/清算日) of a transaction time: at/after (or strictly after) the
 * cut-off it belongs to the next calendar day. Cut-off '00:00' or '24:00' means no shift, as for
 * WeChat Pay and Alipay bills which cut at midnight.
 */
export function businessDateOf(
  time: LocalDateTime,
  opts: { cutoff: string; cutoffRule: CutoffRule },
): LocalDate {
  const shifts = cutoffShifts(opts);
  const t = LOCAL_TIME_RE.exec(time);
  const secs = t ? secondsOfDay(t[2], t[3], t[4]) : NaN;
  if (!t || !(secs < 24 * 3600)) {
    throw new RangeError(`not a valid local time (YYYY-MM-DD HH:mm:ss): "${time}"`);
  }
  const date = t[1];
  const next = nextDayOf(date);
  if (next === undefined) throw new RangeError(`not a valid local time (YYYY-MM-DD HH:mm:ss): "${time}"`);
  return shifts(secs) ? next : date;
}

const LOCAL_TIME_RE = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/;

// Business dates are asked for once per row; a data set spans few dates and one cut-off, so
// both answers are remembered (bounded: at most MEMO_LIMIT entries each).
const MEMO_LIMIT = 10_000;
const nextDayMemo = new Map<string, LocalDate | undefined>();
const cutoffMemo = new Map<string, (secondsOfDay: number) => boolean>();

/** The day after a valid date; undefined for an invalid one (2025-02-30). */
function nextDayOf(date: LocalDate): LocalDate | undefined {
  if (nextDayMemo.has(date)) return nextDayMemo.get(date);
  const n = tryDayNumber(date);
  const next = n === undefined ? undefined : fromDayNumber(n + 1);
  if (nextDayMemo.size < MEMO_LIMIT) nextDayMemo.set(date, next);
  return next;
}

/**
 * Whether a time of day (seconds since midnight) falls after the cut-off, i.e. belongs to the
 * next business date. A cut-off of 00:00 or 24:00 never shifts.
 */
export function cutoffShifts(opts: { cutoff: string; cutoffRule: CutoffRule }): (secondsOfDay: number) => boolean {
  const key = `${opts.cutoff}\u0000${opts.cutoffRule}`;
  let shifts = cutoffMemo.get(key);
  if (!shifts) {
    shifts = makeCutoffShifts(opts);
    if (cutoffMemo.size < MEMO_LIMIT) cutoffMemo.set(key, shifts);
  }
  return shifts;
}

function makeCutoffShifts(opts: { cutoff: string; cutoffRule: CutoffRule }): (secondsOfDay: number) => boolean {
  const c = TIME_RE.exec(opts.cutoff.trim());
  const cutoff = c ? secondsOfDay(c[1], c[2], c[3]) : NaN;
  if (!(cutoff <= 24 * 3600)) {
    throw new InputError(`invalid cut-off "${opts.cutoff}": expected HH:mm or HH:mm:ss, e.g. 23:00`);
  }
  if (cutoff === 0 || cutoff === 24 * 3600) return () => false;
  return opts.cutoffRule === 'after' ? (secs) => secs > cutoff : (secs) => secs >= cutoff;
}

/**
 * When the acquirer should pay out a business date. T+N: the N-th working day after it (T+1
 * settles Fri/Sat/Sun on Monday, a holiday on the first working day after it); T0: the same day
 * when it is a working day, else the next one; D0: the same day; D+N: N calendar days later.
 */
export function expectedSettlementDate(
  businessDate: LocalDate,
  cycle: SettlementCycle,
  calendar: WorkCalendar,
): LocalDate {
  if (cycle.days === 0) {
    return cycle.kind === 'T' && !calendar.isWorkingDay(businessDate) ? calendar.nextWorkingDayAfter(businessDate) : businessDate;
  }
  return cycle.kind === 'T'
    ? calendar.addWorkingDays(businessDate, cycle.days)
    : calendar.addCalendarDays(businessDate, cycle.days);
}
