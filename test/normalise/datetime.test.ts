import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  addDays, compareLocal, parseDate, parseDateTime, parseMonthDayTime, parseTimeOfDay,
} from '../../src/normalise/datetime.js';

function dt(dateText: string, timeText?: string): string {
  const r = parseDateTime(dateText, timeText);
  if (!r.ok) throw new Error(`unexpected rejection of ${JSON.stringify([dateText, timeText])}: ${r.expected}`);
  return r.value + (r.hasTime ? '' : ' (date only)');
}

function rejected(dateText: string, timeText?: string): string {
  const r = parseDateTime(dateText, timeText);
  if (r.ok) throw new Error(`unexpected acceptance of ${JSON.stringify([dateText, timeText])}: ${r.value}`);
  return r.expected;
}

describe('parseDateTime: single column', () => {
  it.each([
    ['2025-04-17 11:25:03', '2025-04-17 11:25:03'],
    ['2025/4/17 11:25', '2025-04-17 11:25:00'],
    ['2025/04/17', '2025-04-17 00:00:00 (date only)'],
    ['2025.04.17', '2025-04-17 00:00:00 (date only)'],
    ['2025-4-7', '2025-04-07 00:00:00 (date only)'],
    ['20250417 112503', '2025-04-17 11:25:03'],
    ['20250417112503', '2025-04-17 11:25:03'],
    ['20250417', '2025-04-17 00:00:00 (date only)'],
    ['2018-07-3116:07:27', '2018-07-31 16:07:27'], // 乐刷: no separator
    ['2025年4月17日 11:25:03', '2025-04-17 11:25:03'],
    ['2025年04月17日', '2025-04-17 00:00:00 (date only)'],
    ['2025年4月17日11:25', '2025-04-17 11:25:00'],
    ['2025-04-17T11:25:03', '2025-04-17 11:25:03'],
    ['2025-04-17T11:25:03.123', '2025-04-17 11:25:03'],
    ['2025-04-17T11:25:03+08:00', '2025-04-17 11:25:03'],
    ['2025-04-17T03:25:03Z', '2025-04-17 11:25:03'],
    ['2025-04-17T20:00:00Z', '2025-04-18 04:00:00'],
    ['2025-04-17T11:25:03+00:00', '2025-04-17 19:25:03'],
    ['2025-04-17T00:30:00+0900', '2025-04-16 23:30:00'],
    ['2025-04-17 11:25:03 +08', '2025-04-17 11:25:03'],
    ['2025-12-31T23:00:00-05:00', '2026-01-01 12:00:00'],
    ['2025/12/03  14:06:51', '2025-12-03 14:06:51'], // SPDB: two spaces
    ['2021-01-28 17:07:11', '2021-01-28 17:07:11'], // WeChat, after cleanCell
    ['２０２５－０４－１７　１１：２５：０３', '2025-04-17 11:25:03'],
    ['2024-02-29 23:59:59', '2024-02-29 23:59:59'],
    ['2025-04-17 9:05:03', '2025-04-17 09:05:03'],
    ['  2025-04-17 11:25:03\t', '2025-04-17 11:25:03'],
  ])('%s → %s', (text, want) => {
    expect(dt(text)).toBe(want);
  });
});

describe('parseDateTime: Excel serials (1900 system)', () => {
  it.each([
    ['45764', '2025-04-17 00:00:00 (date only)'],
    ['45764.4757', '2025-04-17 11:25:00'], // 0.4757 d = 41100.48 s
    ['45764.47572916667', '2025-04-17 11:25:03'],
    ['45764.0', '2025-04-17 00:00:00 (date only)'],
    ['45658', '2025-01-01 00:00:00 (date only)'],
    ['25569', '1970-01-01 00:00:00 (date only)'],
    ['20000', '1954-10-03 00:00:00 (date only)'],
    ['80000', '2119-01-11 00:00:00 (date only)'],
    ['45764.999999999', '2025-04-18 00:00:00'], // rounds to midnight: rolls over
  ])('%s → %s', (text, want) => {
    expect(dt(text)).toBe(want);
  });

  it('accepts serials only between 20000 and 80000', () => {
    expect(rejected('19999')).toMatch(/Excel date serial/);
    expect(rejected('80001')).toMatch(/Excel date serial/);
    expect(rejected('60')).toBeTruthy(); // the fake 1900-02-29 is never produced
    // An 8-digit integer is a compact date, never a serial.
    expect(dt('20250417')).toBe('2025-04-17 00:00:00 (date only)');
  });
});

describe('parseDateTime: separate time column', () => {
  it.each([
    ['20250417', '112503', '2025-04-17 11:25:03'],
    ['20250417', '11:25:03', '2025-04-17 11:25:03'],
    ['20250417', '11:25', '2025-04-17 11:25:00'],
    ['2025-04-17', '092503', '2025-04-17 09:25:03'],
    ['2025-04-17', '92503', '2025-04-17 09:25:03'], // Excel dropped the leading zero
    ['2025-04-17', '0.4757', '2025-04-17 11:25:00'], // Excel day fraction
    ['2025-04-17', '2025-04-17 11:25:03', '2025-04-17 11:25:03'], // full timestamp repeated
    ['2025-04-17 00:00:00', '11:25:03', '2025-04-17 11:25:03'], // Excel date cell + time column
    ['2025-04-17 11:25:03', '11:25:03', '2025-04-17 11:25:03'],
    ['45764', '11:25:03', '2025-04-17 11:25:03'],
    ['2025-04-17', '', '2025-04-17 00:00:00 (date only)'],
    ['2025-04-17', '  ', '2025-04-17 00:00:00 (date only)'],
    ['2025-04-17', '235959.0', '2025-04-17 23:59:59'],
  ])('%s + %s → %s', (date, time, want) => {
    expect(dt(date, time)).toBe(want);
  });

  it('rejects a time column that is unreadable, impossible or disagrees', () => {
    expect(rejected('20250417', '1125')).toMatch(/time of day/);
    expect(rejected('20250417', '250000')).toMatch(/real time/);
    expect(rejected('20250417', '11:61')).toMatch(/real time/);
    expect(rejected('20250417', 'abc')).toMatch(/time of day/);
    expect(rejected('2025-04-17 11:25:03', '11:25:04')).toMatch(/agrees/);
    expect(rejected('2025-04-17', '2025-04-18 11:25:03')).toMatch(/time of day/);
  });
});

describe('parseDateTime: rejections', () => {
  it.each([
    ['2025-02-30', /real calendar date/],
    ['2023-02-29', /real calendar date/],
    ['2025-13-01', /real calendar date/],
    ['2025-00-10', /real calendar date/],
    ['20250230', /real calendar date/],
    ['0000-01-01', /real calendar date/],
    ['2025-04-17 25:00', /real time/],
    ['2025-04-17 24:00:00', /real time/],
    ['2025-04-17 11:60:00', /real time/],
    ['2025-04-17 11:25:60', /real time/],
    ['2025-04-17 11:25:03 CST', /date and time/],
    ['2025-04-17 junk', /date and time/],
    ['2025-04/17', /date and time/],
    ['17/04/2025', /date and time/],
    ['250417', /date and time/],
    ['', /date and time/],
    ['2025-04-17T11:25:03+15:00', /date and time/],
  ])('%s', (text, re) => {
    expect(rejected(text)).toMatch(re);
  });

  it('never throws', () => {
    fc.assert(fc.property(fc.string(), fc.option(fc.string(), { nil: undefined }), (a, b) => {
      parseDateTime(a, b);
      parseDate(a);
      return true;
    }));
  });
});

describe('parseDate', () => {
  it.each([
    ['2025-04-17', '2025-04-17'],
    ['20150905', '2015-09-05'],
    ['2025/4/7', '2025-04-07'],
    ['2025.04.17', '2025-04-17'],
    ['2025年4月17日', '2025-04-17'],
    ['45764', '2025-04-17'],
    ['45764.4757', '2025-04-17'],
    ['2025-04-17 00:00:00', '2025-04-17'],
    ['2025-04-17T20:00:00Z', '2025-04-18'],
  ])('%s → %s', (text, want) => {
    expect(parseDate(text)).toEqual({ ok: true, value: want });
  });

  it('rejects with a date-oriented phrase', () => {
    expect(parseDate('')).toEqual({ ok: false, expected: 'a date such as 2025-04-17' });
    expect(parseDate('hello')).toEqual({ ok: false, expected: 'a date such as 2025-04-17' });
    expect(parseDate('2025-02-30')).toMatchObject({ ok: false, expected: expect.stringMatching(/real calendar/) });
  });
});

describe('parseTimeOfDay', () => {
  it.each([
    ['112503', '11:25:03'], ['92503', '09:25:03'], ['11:25', '11:25:00'], ['0.5', '12:00:00'],
    ['.4757', '11:25:00'], ['0.99999999', '23:59:59'],
  ])('%s → %s', (text, want) => {
    expect(parseTimeOfDay(text)).toEqual({ ok: true, value: want });
  });
  it('rejects', () => {
    expect(parseTimeOfDay('1125').ok).toBe(false);
    expect(parseTimeOfDay('240000').ok).toBe(false);
  });
});

describe('parseMonthDayTime (UnionPay MMDDhhmmss)', () => {
  it.each([
    ['0906112203', '2015-09-05', '2015-09-06 11:22:03'], // UnionPay ZM sample: time after clearing date
    ['1231235959', '2026-01-01', '2025-12-31 23:59:59'],
    ['0101000001', '2025-12-31', '2026-01-01 00:00:01'],
    ['0229120000', '2024-03-01', '2024-02-29 12:00:00'],
    ['0229120000', '2024-08-01', '2024-02-29 12:00:00'],
    ['0417112503', '2025-04-17', '2025-04-17 11:25:03'],
  ])('%s near %s → %s', (text, ref, want) => {
    expect(parseMonthDayTime(text, ref)).toEqual({ ok: true, value: want, hasTime: true });
  });

  it('accepts a bare MMDD as date only', () => {
    expect(parseMonthDayTime('1231', '2026-01-02')).toEqual({ ok: true, value: '2025-12-31 00:00:00', hasTime: false });
  });

  it('rejects bad input', () => {
    expect(parseMonthDayTime('1332000000', '2025-01-01').ok).toBe(false);
    expect(parseMonthDayTime('0417250000', '2025-04-17').ok).toBe(false);
    expect(parseMonthDayTime('041711250', '2025-04-17').ok).toBe(false);
    expect(parseMonthDayTime('0417112503', '2025-4-17').ok).toBe(false);
    expect(parseMonthDayTime('0229000000', '2025-09-01')).toEqual({ ok: false, expected: 'a month and day within half a year of the clearing date' });
  });
});

describe('addDays / compareLocal', () => {
  it('adds calendar days across month, year and leap boundaries', () => {
    expect(addDays('2025-04-17', 1)).toBe('2025-04-18');
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-02-28', 1)).toBe('2025-03-01');
    expect(addDays('2025-03-01', -1)).toBe('2025-02-28');
    expect(addDays('2025-04-17', 0)).toBe('2025-04-17');
    expect(addDays('2025-04-17 11:25:03', 14)).toBe('2025-05-01 11:25:03');
  });
  it('throws on non-canonical input', () => {
    expect(() => addDays('2025/04/17', 1)).toThrow(RangeError);
    expect(() => addDays('2025-04-17', 0.5)).toThrow(RangeError);
  });
  it('orders local values', () => {
    expect(compareLocal('2025-04-17 11:25:03', '2025-04-17 11:25:04')).toBe(-1);
    expect(compareLocal('2025-04-18', '2025-04-17 23:59:59')).toBe(1);
    expect(compareLocal('2025-04-17', '2025-04-17')).toBe(0);
    expect(compareLocal('2025-04-17', '2025-04-17 00:00:00')).toBe(-1);
  });
});

describe('(c) parsing is a pure string map, independent of process TZ', () => {
  const savedTz = process.env.TZ;
  afterEach(() => {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });

  const p2 = (n: number): string => String(n).padStart(2, '0');
  const validDateTime = fc.record({
    year: fc.integer({ min: 1950, max: 2150 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 31 }),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
    second: fc.integer({ min: 0, max: 59 }),
  }).filter(({ year, month, day }) => day <= new Date(Date.UTC(year, month, 0)).getUTCDate());

  it('every layout of a random valid date-time maps to the same canonical text in any TZ', () => {
    fc.assert(fc.property(validDateTime, fc.constantFrom('UTC', 'America/New_York', 'Asia/Shanghai', 'Pacific/Kiritimati'),
      ({ year, month, day, hour, minute, second }, tz) => {
        process.env.TZ = tz;
        const ymd = `${year}-${p2(month)}-${p2(day)}`;
        const hms = `${p2(hour)}:${p2(minute)}:${p2(second)}`;
        const want = `${ymd} ${hms}`;
        const compact = `${year}${p2(month)}${p2(day)}`;
        const layouts: Array<[string, string?]> = [
          [want],
          [`${year}/${month}/${day} ${hms}`],
          [`${year}.${p2(month)}.${p2(day)}  ${hms}`],
          [`${ymd}T${hms}`],
          [`${ymd}T${hms}+08:00`],
          [`${ymd}${hms}`],
          [`${compact} ${p2(hour)}${p2(minute)}${p2(second)}`],
          [`${compact}${p2(hour)}${p2(minute)}${p2(second)}`],
          [`${year}年${month}月${day}日 ${hms}`],
          [compact, `${p2(hour)}${p2(minute)}${p2(second)}`],
          [ymd, hms],
        ];
        for (const [d, t] of layouts) {
          const r = parseDateTime(d, t);
          if (!r.ok || r.value !== want || !r.hasTime) return false;
        }
        const dateOnly = parseDate(compact);
        return dateOnly.ok && dateOnly.value === ymd && compareLocal(addDays(ymd, 1), ymd) === 1 &&
          addDays(addDays(ymd, 400), -400) === ymd;
      }), { numRuns: 1000 });
  });

  it('converts a UTC instant to Shanghai time the same way Date does (8 hours ahead)', () => {
    fc.assert(fc.property(fc.integer({ min: Date.UTC(1960, 0, 1) / 1000, max: Date.UTC(2150, 0, 1) / 1000 }), (epochSec) => {
      const iso = new Date(epochSec * 1000).toISOString().slice(0, 19) + 'Z';
      const shanghai = new Date((epochSec + 8 * 3600) * 1000).toISOString().slice(0, 19).replace('T', ' ');
      const r = parseDateTime(iso);
      return r.ok && r.value === shanghai;
    }), { numRuns: 500 });
  });

  it('Excel serials match day arithmetic from 1899-12-30', () => {
    fc.assert(fc.property(fc.integer({ min: 20000, max: 80000 }), (serial) => {
      const want = new Date(Date.UTC(1899, 11, 30) + serial * 86400000).toISOString().slice(0, 10);
      const r = parseDate(String(serial));
      return r.ok && r.value === want;
    }), { numRuns: 500 });
  });
});

describe('12-hour times as Excel prints them in a Chinese or English locale', () => {
  it.each([
    ['2025/10/14 上午 09:01:02', undefined, '2025-10-14 09:01:02'],
    ['2025/10/14 10:15:22 AM', undefined, '2025-10-14 10:15:22'],
    ['2025/10/14 下午 01:05:00', undefined, '2025-10-14 13:05:00'],
    ['2025/10/14 12:05:00 PM', undefined, '2025-10-14 12:05:00'],
    ['2025/10/14 12:05:00 AM', undefined, '2025-10-14 00:05:00'],
    ['2025/10/14 下午 13:05:00', undefined, '2025-10-14 13:05:00'],
    ['2025年10月14日 下午2:30', undefined, '2025-10-14 14:30:00'],
    ['2025-10-14', '下午 3:05:00', '2025-10-14 15:05:00'],
  ])('%s %s → %s', (date, time, want) => {
    expect(parseDateTime(date, time)).toEqual({ ok: true, value: want, hasTime: true });
  });

  it('refuses a morning time past noon', () => {
    expect(parseDateTime('2025/10/14 上午 13:05:00')).toMatchObject({ ok: false });
  });
});
