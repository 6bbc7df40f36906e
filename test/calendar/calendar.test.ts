import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  WorkCalendar,
  businessDateOf,
  expectedSettlementDate,
  loadBuiltinCalendar,
  parseCycle,
  parseHolidayFile,
  type SettlementCycle,
} from '../../src/calendar/calendar.js';
import { InputError } from '../../src/model.js';

const cal = loadBuiltinCalendar();
const T1: SettlementCycle = { kind: 'T', days: 1 };

/** Every date from `from` to `to` inclusive, computed in UTC so the test itself is TZ-proof. */
function datesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let ms = Date.parse(`${from}T00:00:00Z`); ms <= Date.parse(`${to}T00:00:00Z`); ms += 86_400_000) {
    out.push(new Date(ms).toISOString().slice(0, 10));
  }
  return out;
}

describe('working days (docs/domain.md §4, independent of the JSON files)', () => {
  // The off ranges and make-up days exactly as the domain notes list them.
  const off = [
    ['2025-01-01', '2025-01-01'], ['2025-01-28', '2025-02-04'], ['2025-04-04', '2025-04-06'],
    ['2025-05-01', '2025-05-05'], ['2025-05-31', '2025-06-02'], ['2025-10-01', '2025-10-08'],
    ['2026-01-01', '2026-01-03'], ['2026-02-15', '2026-02-23'], ['2026-04-04', '2026-04-06'],
    ['2026-05-01', '2026-05-05'], ['2026-06-19', '2026-06-21'], ['2026-09-25', '2026-09-27'],
    ['2026-10-01', '2026-10-07'],
  ].flatMap(([a, b]) => datesBetween(a, b));
  const makeUp = [
    '2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11',
    '2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10',
  ];

  it('matches the State Council notices for every day of 2025 and 2026', () => {
    for (const d of datesBetween('2025-01-01', '2026-12-31')) {
      const weekday = new Date(`${d}T00:00:00Z`).getUTCDay();
      const expected = makeUp.includes(d) || (!off.includes(d) && weekday !== 0 && weekday !== 6);
      expect(cal.isWorkingDay(d), d).toBe(expected);
    }
  });

  it('treats 2026-02-14 (make-up Saturday) as a working day and ordinary weekends as off', () => {
    expect(cal.isWorkingDay('2026-02-14')).toBe(true);
    expect(cal.isWorkingDay('2025-03-15')).toBe(false); // ordinary Saturday
    expect(cal.isWorkingDay('2025-03-16')).toBe(false); // ordinary Sunday
    expect(cal.isWorkingDay('2025-03-17')).toBe(true); // ordinary Monday
  });

  it('covers the built-in years and reports years without data', () => {
    expect(cal.coveredYears()).toEqual([2025, 2026]);
    expect(cal.missingYears(['2026-12-31', '2027-01-04', '2027-02-01', '2024-12-31'])).toEqual([2024, 2027]);
    expect(cal.missingYears(['2025-06-01'])).toEqual([]);
    // Without data, weekends still apply.
    expect(cal.isWorkingDay('2027-01-02')).toBe(false); // Saturday
    expect(cal.isWorkingDay('2027-01-04')).toBe(true); // Monday
  });

  it('counts working and calendar days', () => {
    expect(cal.nextWorkingDayAfter('2025-01-27')).toBe('2025-02-05'); // Spring Festival
    expect(cal.addWorkingDays('2025-10-01', 0)).toBe('2025-10-01'); // n = 0: the day itself
    expect(cal.addWorkingDays('2025-09-29', 2)).toBe('2025-10-09');
    expect(cal.addCalendarDays('2025-12-31', 1)).toBe('2026-01-01');
    expect(cal.addCalendarDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(() => cal.addWorkingDays('2025-01-01', -1)).toThrow(RangeError);
    expect(() => cal.isWorkingDay('2025-02-30')).toThrow(RangeError);
  });
});

describe('a year no holiday file covers (review BB: 2027 before its notice)', () => {
  it('keeps its fixed-date statutory holidays off: 1 Jan, 1–2 May, 1–3 Oct', () => {
    for (const d of ['2027-01-01', '2027-05-01', '2027-05-02', '2027-10-01', '2027-10-02', '2027-10-03']) expect(cal.isWorkingDay(d), d).toBe(false);
    // Other weekdays stay working days (the lunar holidays and make-up days are unknown).
    for (const d of ['2027-01-04', '2027-05-03', '2027-10-04', '2027-02-08']) expect(cal.isWorkingDay(d), d).toBe(true);
    // A T+1 sale of New Year's Eve is due on the Monday, not on 元旦.
    expect(expectedSettlementDate('2026-12-31', T1, cal)).toBe('2027-01-04');
  });

  it('leaves covered years to their notice (2026: 5 May off, 9 May a make-up Saturday)', () => {
    expect(cal.isWorkingDay('2026-05-05')).toBe(false);
    expect(cal.isWorkingDay('2026-05-09')).toBe(true);
    // A year a user file covers is not second-guessed: its notice has the final word.
    const own = new WorkCalendar([{ year: 2027, days: [{ date: '2027-10-03', isOffDay: false }] }]);
    expect(own.isWorkingDay('2027-10-03')).toBe(true);
  });
});

describe('expectedSettlementDate', () => {
  it('T+1: every business date of the National Day holiday settles on 2025-10-09', () => {
    for (const d of datesBetween('2025-09-30', '2025-10-08')) {
      expect(expectedSettlementDate(d, T1, cal), d).toBe('2025-10-09');
    }
  });

  it('T+1: Friday 2025-09-26 settles on the make-up working Sunday 2025-09-28', () => {
    expect(expectedSettlementDate('2025-09-26', T1, cal)).toBe('2025-09-28');
  });

  it('T+1: Friday, Saturday and Sunday of an ordinary week all settle on Monday', () => {
    for (const d of ['2025-03-14', '2025-03-15', '2025-03-16']) {
      expect(expectedSettlementDate(d, T1, cal), d).toBe('2025-03-17');
    }
  });

  it('D+N counts calendar days, D0 is the same day, T0 the same working day (or the next one)', () => {
    expect(expectedSettlementDate('2025-10-01', { kind: 'D', days: 1 }, cal)).toBe('2025-10-02');
    expect(expectedSettlementDate('2025-10-01', { kind: 'D', days: 0 }, cal)).toBe('2025-10-01');
    expect(expectedSettlementDate('2025-10-01', { kind: 'T', days: 0 }, cal)).toBe('2025-10-09'); // National Day
    expect(expectedSettlementDate('2025-10-18', { kind: 'T', days: 0 }, cal)).toBe('2025-10-20'); // a Saturday
    expect(expectedSettlementDate('2025-10-11', { kind: 'T', days: 0 }, cal)).toBe('2025-10-11'); // a make-up working Saturday
    expect(expectedSettlementDate('2025-10-14', { kind: 'T', days: 0 }, cal)).toBe('2025-10-14');
    expect(expectedSettlementDate('2025-12-31', { kind: 'T', days: 2 }, cal)).toBe('2026-01-05');
  });
});

describe('parseCycle', () => {
  it.each([
    ['T+1', 'T', 1], ['T+0', 'T', 0], ['T0', 'T', 0], ['T1', 'T', 1],
    ['D0', 'D', 0], ['D+0', 'D', 0], ['D+1', 'D', 1], ['d+2', 'D', 2], [' t + 1 ', 'T', 1],
  ] as const)('%j → %s+%d', (text, kind, days) => {
    expect(parseCycle(text)).toEqual({ kind, days });
  });

  it.each(['', 'T', 'T+', 'T-1', 'W+1', 'T+1.5', 'T+1 day'])('rejects %j', (text) => {
    expect(parseCycle(text)).toBeNull();
  });
});

describe('businessDateOf (cut-off 日切)', () => {
  const atOrAfter = { cutoff: '23:00', cutoffRule: 'at-or-after' } as const;
  const after = { cutoff: '23:00', cutoffRule: 'after' } as const;

  it('moves a transaction at exactly 23:00 only under at-or-after', () => {
    expect(businessDateOf('2025-04-17 23:00:00', atOrAfter)).toBe('2025-04-18');
    expect(businessDateOf('2025-04-17 23:00:00', after)).toBe('2025-04-17');
    expect(businessDateOf('2025-04-17 23:00:01', after)).toBe('2025-04-18');
    expect(businessDateOf('2025-04-17 22:59:59', atOrAfter)).toBe('2025-04-17');
  });

  it('crosses month and year ends', () => {
    expect(businessDateOf('2025-12-31 23:30:00', atOrAfter)).toBe('2026-01-01');
    expect(businessDateOf('2024-02-28 23:10:00', after)).toBe('2024-02-29');
  });

  it('treats 00:00 and 24:00 as no cut-off (WeChat Pay / Alipay)', () => {
    for (const cutoff of ['00:00', '24:00', '00:00:00', '24:00:00']) {
      for (const cutoffRule of ['at-or-after', 'after'] as const) {
        expect(businessDateOf('2025-04-17 00:00:00', { cutoff, cutoffRule })).toBe('2025-04-17');
        expect(businessDateOf('2025-04-17 23:59:59', { cutoff, cutoffRule })).toBe('2025-04-17');
      }
    }
  });

  it('accepts HH:mm:ss cut-offs and rejects bad ones with an InputError', () => {
    expect(businessDateOf('2025-04-17 23:00:00', { cutoff: '22:59:59', cutoffRule: 'after' })).toBe('2025-04-18');
    for (const cutoff of ['25:00', '23:60', '11pm', '']) {
      expect(() => businessDateOf('2025-04-17 23:00:00', { cutoff, cutoffRule: 'after' })).toThrow(InputError);
    }
  });
});

describe('holiday files', () => {
  const file2027 = JSON.stringify({
    year: 2027,
    days: [
      { name: '元旦', date: '2027-01-01', isOffDay: true },
      { name: '春节', date: '2027-02-06', isOffDay: false },
    ],
  });

  it('rejects bad content with a one-line message naming the file', () => {
    const expected = 'holidays-2027.json: expected "days": [{ "date": "YYYY-MM-DD", "isOffDay": true|false }]';
    expect(() => parseHolidayFile('{"year": 2027}', 'holidays-2027.json')).toThrow(expected);
    expect(() => parseHolidayFile('{"year": 2027, "days": [{"date": "2027/01/01", "isOffDay": true}]}', 'holidays-2027.json'))
      .toThrow(expected);
    expect(() => parseHolidayFile('{"days": [{"date": "2027-01-01", "isOffDay": "yes"}]}', 'holidays-2027.json'))
      .toThrow(InputError);
    expect(() => parseHolidayFile('{"days": [', 'holidays-2027.json')).toThrow(/^holidays-2027\.json: not valid JSON/);
    expect(() => parseHolidayFile(file2027.replace('"year":2027', '"year":2028'), 'x.json')).toThrow(/no listed date falls in 2028/);
    try {
      parseHolidayFile('[]', 'holidays-2027.json');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as Error).message).not.toContain('\n');
    }
  });

  it('parses holiday-cn files, tolerating a BOM and a missing year', () => {
    const parsed = parseHolidayFile(`\uFEFF${file2027}`, 'cn-2027.json');
    expect(parsed.year).toBe(2027);
    expect(parsed.days[1]).toEqual({ name: '春节', date: '2027-02-06', isOffDay: false });
    expect(parseHolidayFile('{"days": [{"date": "2027-01-01", "isOffDay": true}]}', 'y.json').year).toBe(2027);
  });

  it('extra files add years, and replace a built-in year completely', () => {
    const withExtra = loadBuiltinCalendar([{ name: 'cn-2027.json', text: file2027 }]);
    expect(withExtra.coveredYears()).toEqual([2025, 2026, 2027]);
    expect(withExtra.missingYears(['2027-03-01'])).toEqual([]);
    expect(withExtra.isWorkingDay('2027-02-06')).toBe(true); // make-up Saturday
    expect(withExtra.isWorkingDay('2027-01-01')).toBe(false);

    const replaced2025 = JSON.stringify({ year: 2025, days: [{ date: '2025-10-09', isOffDay: true }] });
    const overridden = loadBuiltinCalendar([{ name: 'my-2025.json', text: replaced2025 }]);
    expect(overridden.isWorkingDay('2025-10-09')).toBe(false);
    expect(overridden.isWorkingDay('2025-10-01')).toBe(true); // the built-in 2025 list is gone
    expect(overridden.isWorkingDay('2026-02-14')).toBe(true); // 2026 untouched
  });

  it('a file for the date\'s own year wins over a neighbouring year\'s notice', () => {
    const c = new WorkCalendar([
      { year: 2026, days: [{ date: '2026-03-02', isOffDay: true }] },
      { year: 2025, days: [{ date: '2026-03-02', isOffDay: false }, { date: '2025-03-03', isOffDay: true }] },
    ]);
    expect(c.isWorkingDay('2026-03-02')).toBe(false);
  });
});

describe('time-zone independence', () => {
  const original = process.env.TZ;
  afterEach(() => {
    if (original === undefined) delete process.env.TZ;
    else process.env.TZ = original;
  });

  it.each(['America/New_York', 'Asia/Shanghai', 'Pacific/Kiritimati', 'Pacific/Pago_Pago'])('gives the same dates under TZ=%s', (tz) => {
    process.env.TZ = tz;
    // Guard: the zone switch must really take effect, or this test proves nothing.
    expect(new Date(Date.UTC(2025, 0, 1)).getTimezoneOffset()).toBe(
      { 'America/New_York': 300, 'Asia/Shanghai': -480, 'Pacific/Kiritimati': -840, 'Pacific/Pago_Pago': 660 }[tz],
    );
    expect(expectedSettlementDate('2025-09-26', T1, cal)).toBe('2025-09-28');
    expect(expectedSettlementDate('2025-10-03', T1, cal)).toBe('2025-10-09');
    expect(businessDateOf('2025-12-31 23:30:00', { cutoff: '23:00', cutoffRule: 'at-or-after' })).toBe('2026-01-01');
    expect(cal.addCalendarDays('2025-03-08', 2)).toBe('2025-03-10'); // US DST starts 03-09
    expect(cal.isWorkingDay('2026-02-14')).toBe(true);
  });
});

describe('property: addWorkingDays', () => {
  it('lands on a working day, strictly later, with exactly N working days in (d, result]', () => {
    const days2025to2026 = datesBetween('2025-01-01', '2026-12-31');
    fc.assert(
      fc.property(fc.constantFrom(...days2025to2026), fc.integer({ min: 1, max: 5 }), (d, n) => {
        const result = cal.addWorkingDays(d, n);
        expect(cal.isWorkingDay(result)).toBe(true);
        expect(result > d).toBe(true);
        const between = datesBetween(cal.addCalendarDays(d, 1), result);
        expect(between.filter((x) => cal.isWorkingDay(x))).toHaveLength(n);
      }),
      { numRuns: 500 },
    );
  });
});
