// The HTML report without a browser: the per-day series behind the chart, optional series,
// self-containment and escaping. test/report/html.browser.test.ts renders it in Chromium.
import { describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import { dailySeries } from '../../src/report/daily.js';
import { dailyChartSvg, escapeHtml, renderHtml } from '../../src/report/html.js';
import { businessDateOfRecord } from '../../src/classify/findings.js';
import { demoResult, reconcileFiles } from './demo.js';

const { result, contract } = demoResult();
const dateOf = (r: Parameters<typeof businessDateOfRecord>[0]) => businessDateOfRecord(r, contract);

describe('dailySeries on the demo', () => {
  it('ties each planted fault to its business day', () => {
    const daily = dailySeries(result, { dateOf });
    expect(daily).toMatchObject({ hasExpected: true, hasSettled: true, hasCredited: false });
    const rows = daily.points.map((p) => [p.date, p.expected?.toFixed(2), p.settled?.toFixed(2), p.pending.toFixed(2), p.status]);
    expect(rows).toEqual([
      // +300 settled for the timed-out sale (dropped), −88 unsettled overdue
      ['2025-09-29', '7561.00', '7773.00', '0.00', 'gap'],
      // 200 sold, 20 settled (−180); the voided 800 sale settled anyway (+800)
      ['2025-09-30', '1700.00', '2320.00', '0.00', 'gap'],
      // the 23:30 sale on 09-30 belongs to 10-01 after the 23:00 cut-off
      ['2025-10-01', '350.00', '350.00', '0.00', 'ok'],
      // settled twice
      ['2025-10-02', '1000.00', '2000.00', '0.00', 'gap'],
      // settled, not on the terminal (the 99.00 failed row expects nothing)
      ['2025-10-03', '0.00', '588.00', '0.00', 'gap'],
      // a refund: both sides negative
      ['2025-10-05', '-50.00', '-50.00', '0.00', 'ok'],
      // sold on the as-of day, due tomorrow: not a gap
      ['2025-10-09', '260.00', '0.00', '260.00', 'pending'],
    ]);
  });

  it('agrees with the JSON per-day series (result.daily) of the bank leg', () => {
    const daily = dailySeries(result, { dateOf });
    const text = (d: Decimal | null | undefined) => (d === null || d === undefined ? null : d.toFixed(2));
    expect(daily.points.map((p) => ({ date: p.date, expected: text(p.expected), settled: text(p.settled), credited: text(p.credited) }))).toEqual(
      result.daily.map((p) => ({ date: p.date, expected: text(p.expected), settled: text(p.settled), credited: text(p.credited) })),
    );
  });

  it('adds a credited series only when the bank leg supplies one', () => {
    const credited = new Map([
      ['2025-10-01', new Decimal('348.25')],
      ['2025-10-05', new Decimal('-50.00')],
    ]);
    const daily = dailySeries(result, { dateOf, credited });
    expect(daily.hasCredited).toBe(true);
    const oct1 = daily.points.find((p) => p.date === '2025-10-01')!;
    expect(oct1.settledNet?.toFixed(2)).toBe('348.25');
    expect(oct1.creditGap?.toFixed(2)).toBe('0.00');
    expect(oct1.status).toBe('ok');
    // No credit for 09-29 at all: the day is a gap on the bank side too.
    expect(daily.points.find((p) => p.date === '2025-09-29')!.creditGap?.isNegative()).toBe(true);
    const svg = dailyChartSvg(daily);
    expect(svg).toContain('data-series="credited"');
    expect(dailyChartSvg(dailySeries(result, { dateOf }))).not.toContain('data-series="credited"');
  });

  it('draws only the settled series in a fee audit (no terminal files)', () => {
    const audit = reconcileFiles([
      { file: 'fixtures/demo/settlement-2025-09-30.csv', role: 'settlement' },
      { file: 'fixtures/demo/settlement-2025-10-09.csv', role: 'settlement' },
    ]).result;
    const daily = dailySeries(audit);
    expect(daily).toMatchObject({ hasExpected: false, hasSettled: true, hasCredited: false });
    expect(daily.points.every((p) => p.status === 'ok')).toBe(true);
    const svg = dailyChartSvg(daily);
    expect(svg).toContain('data-series="settled"');
    expect(svg).not.toContain('data-series="expected"');
    expect(renderHtml(audit)).toContain('id="fee-chart"');
  });
});

describe('renderHtml', () => {
  const html = renderHtml(result, { dateOf });

  it('is self-contained: no external scripts, styles, images, fonts or links', () => {
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain(`Content-Security-Policy" content="default-src 'none'`);
    const urls = html.match(/\b(?:https?:)?\/\/[^\s"'<>)]+/g) ?? [];
    expect(urls.filter((u) => u !== 'http://www.w3.org/2000/svg')).toEqual([]);
    expect(html).not.toMatch(/<(?:link|img|iframe)\b|\bsrc=|@import|url\(/i);
  });

  it('has the summary, both charts and a sortable table per exception kind', () => {
    expect(html).toContain('10 exception(s) need attention:');
    expect(html).toContain('id="daily-chart"');
    expect(html).toContain('id="fee-chart"');
    for (const kind of ['dropped_order', 'unsettled_overdue', 'amount_mismatch', 'fee_mismatch', 'duplicate_settlement', 'void_settled', 'extra_deduction']) {
      expect(html).toContain(`<table class="sortable" id="findings-${kind}">`);
    }
    expect(html).not.toContain('id="findings-matched"');
    expect(renderHtml(result, { dateOf, includeMatched: true })).toContain('id="findings-matched"');
  });

  it('says which exceptions a highlighted day holds (its net gap can hide missing money)', () => {
    expect(html).toContain('<title>2025-09-29: +¥212.00 — 1 dropped_order, 1 unsettled_overdue, 2 fee_mismatch</title>');
    expect(html).toMatch(/>\+¥212\.00<\/text>\n<text class="gapsub gap-gap"[^>]*>4 exceptions</);
  });

  it('escapes text from the input files', () => {
    expect(escapeHtml(`<img src=x onerror="alert('1')">&`)).toBe('&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;');
    const evil = { ...result, findings: result.findings.map((f, i) => (i === 0 ? { ...f, message: '<script>alert(1)</script>' } : f)) };
    const out = renderHtml(evil);
    expect(out).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(out.match(/<script>/g)).toHaveLength(1); // only our own sorting script
  });
});
