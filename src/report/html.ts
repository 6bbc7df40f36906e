// The report as one self-contained HTML file a person opens in a browser: the summary, a chart
// of expected vs settled (vs credited, when the bank leg supplies it) per day with the gaps
// highlighted, fees per terminal, and sortable exception tables. No network: styles, the inline
// SVG charts and the small sorting script are all in the file, and a Content-Security-Policy
// forbids loading anything else.
import { Decimal } from 'decimal.js';
import type { ReconcileResult } from '../reconcile.js';
import { recordCount } from '../read/readInput.js';
import type { Finding, FeeBucket } from '../classify/findings.js';
import { isException, KIND_TITLES, type FindingKind } from '../classify/kinds.js';
import type { CanonicalRecord } from '../model.js';
import { formatYuan } from '../normalise/amount.js';
import { findingAmount, findingKey, findingRefs, findingTime, groupFindings, inputsInOrder, money, primaryRecord, summarize, type FindingGroup, type SummaryOptions } from './common.js';
import { dailySeries, defaultDateOf, type DailyOptions, type DailyPoint, type DailySeries } from './daily.js';
import { bankSummaryLines } from './bank.js';

export interface HtmlOptions extends DailyOptions, SummaryOptions {
  /** List matched pairs in the informational section too. */
  includeMatched?: boolean;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

const esc = escapeHtml;
// Chart geometry only (bar heights in pixels): every amount printed comes from formatYuan.
const num = (d: Decimal): number => d.toNumber();

/** Round axis steps: 1, 2 or 5 × 10^n, about `target` ticks. */
function niceStep(range: number, target: number): number {
  if (range <= 0) return 1;
  const raw = range / target;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const m = raw / pow;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * pow;
}

/** Compact axis label: ¥1.2k, ¥15k, ¥1.5M. */
function axisMoney(v: number): string {
  const a = Math.abs(v);
  const sign = v < 0 ? '-' : '';
  if (a >= 1e6) return `${sign}¥${+(a / 1e6).toFixed(1)}M`;
  if (a >= 1e4) return `${sign}¥${+(a / 1e3).toFixed(0)}k`;
  if (a >= 1e3) return `${sign}¥${+(a / 1e3).toFixed(1)}k`;
  return `${sign}¥${+a.toFixed(2)}`;
}

const f1 = (n: number): string => String(Math.round(n * 10) / 10);

interface SeriesDef {
  key: 'expected' | 'settled' | 'credited';
  label: string;
  value: (p: DailyPoint) => Decimal | undefined;
}

const SERIES: SeriesDef[] = [
  { key: 'expected', label: 'Expected (terminal)', value: (p) => p.expected },
  { key: 'settled', label: 'Settled (acquirer)', value: (p) => p.settled },
  { key: 'credited', label: 'Credited (bank)', value: (p) => p.credited },
];

function presentSeries(daily: DailySeries): SeriesDef[] {
  return SERIES.filter((s) => (s.key === 'expected' ? daily.hasExpected : s.key === 'settled' ? daily.hasSettled : daily.hasCredited));
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
function weekday(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return WEEKDAYS[new Date(Date.UTC(y, m - 1, d)).getUTCDay()] ?? '';
}

function gapLabel(p: DailyPoint): string {
  if (p.status === 'pending') return `${money(p.pending)} not yet due`;
  const parts: string[] = [];
  if (p.gap && !p.gap.plus(p.pending).isZero()) parts.push(`${p.gap.gt(0) ? '+' : ''}${money(p.gap)}`);
  if (p.creditGap && !p.creditGap.isZero()) parts.push(`bank ${p.creditGap.gt(0) ? '+' : ''}${money(p.creditGap)}`);
  return parts.join(' · ');
}

/** Two short lines above a highlighted day: the signed amount, and what it means. */
function gapHeadline(p: DailyPoint): [string, string] {
  const signed = (d: Decimal) => `${d.gt(0) ? '+' : ''}${money(d)}`;
  const unexplained = p.gap?.plus(p.pending);
  if (p.gap && unexplained && !unexplained.isZero()) return [signed(p.gap), p.gap.gt(0) ? 'settled extra' : 'not settled'];
  if (p.creditGap && !p.creditGap.isZero()) return [signed(p.creditGap), p.creditGap.gt(0) ? 'bank extra' : 'not credited'];
  return ['', ''];
}

/** Exceptions per day (by the business date of the row they are about), to explain a highlighted day. */
export type DayFindings = ReadonlyMap<string, readonly Finding[]>;

function exceptionsByDay(result: ReconcileResult, dateOf: (r: CanonicalRecord) => string | undefined): Map<string, Finding[]> {
  const byDay = new Map<string, Finding[]>();
  for (const f of result.findings) {
    const r = primaryRecord(f);
    const d = isException(f.kind) && r ? dateOf(r) : undefined;
    if (!d) continue;
    const list = byDay.get(d);
    if (list) list.push(f);
    else byDay.set(d, [f]);
  }
  return byDay;
}

function kindsText(list: readonly Finding[]): string {
  const counts = new Map<string, number>();
  for (const f of list) counts.set(f.kind, (counts.get(f.kind) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${n} ${k}`).join(', ');
}

export function dailyChartSvg(daily: DailySeries, exceptions: DayFindings = new Map()): string {
  const series = presentSeries(daily);
  const points = daily.points;
  if (points.length === 0 || series.length === 0) return '<p class="empty">No dated transactions to chart.</p>';
  const left = 76;
  const right = 16;
  const top = 40;
  const bottom = 58;
  const plotH = 260;
  const group = Math.max(88, 24 * series.length + 24);
  const width = Math.max(900, left + right + points.length * group);
  const plotW = width - left - right;
  const slot = plotW / points.length;
  const height = top + plotH + bottom;
  const values = points.flatMap((p) => series.map((s) => s.value(p)).filter((v): v is Decimal => v !== undefined).map(num));
  const maxV = Math.max(0, ...values);
  const minV = Math.min(0, ...values);
  const step = niceStep(maxV - minV, 5);
  const yMax = Math.max(step, Math.ceil(maxV / step) * step);
  const yMin = Math.floor(minV / step) * step;
  const y = (v: number) => top + plotH - ((v - yMin) / (yMax - yMin)) * plotH;
  const out: string[] = [];
  out.push(
    `<svg class="chart" id="daily-chart" role="img" aria-labelledby="daily-chart-title" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">`,
    `<title id="daily-chart-title">${esc(series.map((s) => s.label).join(' vs '))} per business day</title>`,
  );
  // Highlight first, so bars and grid draw over it.
  points.forEach((p, i) => {
    if (p.status === 'ok') return;
    const x = left + i * slot;
    out.push(
      `<rect class="hl hl-${p.status}" data-date="${p.date}" x="${f1(x + 2)}" y="${top - 36}" width="${f1(slot - 4)}" height="${plotH + 36}" rx="4"><title>${esc(`${p.date}: ${gapLabel(p)}` + (exceptions.get(p.date)?.length ? ` — ${kindsText(exceptions.get(p.date)!)}` : ''))}</title></rect>`,
    );
  });
  for (let v = yMin; v <= yMax + step / 2; v += step) {
    out.push(`<line class="grid${v === 0 ? ' zero' : ''}" x1="${left}" x2="${width - right}" y1="${f1(y(v))}" y2="${f1(y(v))}"/>`);
    out.push(`<text class="tick" x="${left - 8}" y="${f1(y(v) + 4)}" text-anchor="end">${esc(axisMoney(v))}</text>`);
  }
  const barW = Math.min(24, (slot * 0.76) / series.length);
  points.forEach((p, i) => {
    const x0 = left + i * slot + (slot - barW * series.length) / 2;
    series.forEach((s, k) => {
      const v = s.value(p);
      if (v === undefined) return;
      const yv = y(num(v));
      const y0 = y(0);
      out.push(
        `<rect class="bar s-${s.key}" data-series="${s.key}" data-date="${p.date}" x="${f1(x0 + k * barW)}" y="${f1(Math.min(yv, y0))}" width="${f1(barW - 2)}" height="${f1(Math.max(Math.abs(y0 - yv), v.isZero() ? 0 : 1))}"><title>${esc(`${p.date} ${s.label}: ${money(v)}`)}</title></rect>`,
      );
    });
    const cx = left + i * slot + slot / 2;
    out.push(`<text class="xlabel" x="${f1(cx)}" y="${top + plotH + 18}" text-anchor="middle">${p.date.slice(5)}</text>`);
    out.push(`<text class="tick" x="${f1(cx)}" y="${top + plotH + 32}" text-anchor="middle">${weekday(p.date)}</text>`);
    if (p.status === 'pending') {
      out.push(`<text class="gaplabel gap-pending" x="${f1(cx)}" y="${top - 22}" text-anchor="middle">${esc(money(p.pending))}</text>`);
      out.push(`<text class="gapsub gap-pending" x="${f1(cx)}" y="${top - 9}" text-anchor="middle">not yet due</text>`);
    } else if (p.status === 'gap') {
      const n = exceptions.get(p.date)?.length ?? 0;
      const [amount, direction] = gapHeadline(p);
      // A day's net gap can hide money missing behind money settled extra: say how many exceptions it holds.
      const what = n ? `${n} exception${n === 1 ? '' : 's'}` : direction;
      out.push(`<text class="gaplabel gap-gap" x="${f1(cx)}" y="${top - 22}" text-anchor="middle">${esc(amount)}</text>`);
      out.push(`<text class="gapsub gap-gap" x="${f1(cx)}" y="${top - 9}" text-anchor="middle">${esc(what)}</text>`);
    }
  });
  const years = [...new Set(points.map((p) => p.date.slice(0, 4)))].join('–');
  out.push(`<text class="axis-title" x="${f1(left + plotW / 2)}" y="${height - 6}" text-anchor="middle">business day (${esc(years)})</text>`);
  out.push('</svg>');
  return out.join('\n');
}

export function feeChartSvg(byTerminal: Map<string, FeeBucket>): string {
  const rows = [...byTerminal.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (rows.length === 0) return '<p class="empty">No fees were checked against a contract (pass --contract to check them).</p>';
  const left = 150;
  const right = 190;
  const rowH = 46;
  const top = 8;
  const width = 760;
  const plotW = width - left - right;
  const height = top + rows.length * rowH + 8;
  const maxV = rows.reduce((m, [, b]) => Math.max(m, num(b.charged.abs()), num(b.perContract.abs())), 0.01);
  const w = (d: Decimal) => (num(d.abs()) / maxV) * plotW;
  const out: string[] = [
    `<svg class="chart" id="fee-chart" role="img" aria-labelledby="fee-chart-title" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">`,
    '<title id="fee-chart-title">Fees charged vs per contract, per terminal</title>',
  ];
  rows.forEach(([terminal, b], i) => {
    const y0 = top + i * rowH;
    const over = b.overcharge.gt(0);
    out.push(`<g class="fee-row${over ? ' over' : ''}" data-terminal="${esc(terminal)}">`);
    out.push(`<text class="ylabel" x="${left - 10}" y="${y0 + 18}" text-anchor="end">${esc(terminal)}</text>`);
    out.push(`<text class="ysub" x="${left - 10}" y="${y0 + 32}" text-anchor="end">${b.count} fee(s) checked</text>`);
    out.push(
      `<rect class="bar s-charged${over ? ' over' : ''}" x="${left}" y="${y0 + 6}" width="${f1(Math.max(1, w(b.charged)))}" height="14"><title>${esc(`${terminal} charged ${money(b.charged)}`)}</title></rect>`,
      `<rect class="bar s-contract" x="${left}" y="${y0 + 22}" width="${f1(Math.max(1, w(b.perContract)))}" height="14"><title>${esc(`${terminal} per contract ${money(b.perContract)}`)}</title></rect>`,
    );
    const note = [over ? `+${money(b.overcharge)} over` : '', b.undercharge.gt(0) ? `${money(b.undercharge)} under` : ''].filter(Boolean).join(', ');
    out.push(`<text class="val" x="${f1(left + w(b.charged) + 6)}" y="${y0 + 18}">${esc(money(b.charged))}</text>`);
    out.push(`<text class="val" x="${f1(left + w(b.perContract) + 6)}" y="${y0 + 34}">${esc(money(b.perContract))}</text>`);
    if (note) out.push(`<text class="feenote${over ? ' over' : ''}" x="${width - 8}" y="${y0 + 26}" text-anchor="end">${esc(note)}</text>`);
    out.push('</g>');
  });
  out.push('</svg>');
  return out.join('\n');
}

function legend(daily: DailySeries): string {
  const items = presentSeries(daily).map((s) => `<span><i class="sw s-${s.key}"></i>${esc(s.label)}</span>`);
  if (daily.points.some((p) => p.status === 'gap')) items.push(`<span><i class="sw hl-gap"></i>${daily.hasCredited ? 'does not tie out' : 'gap: settled ≠ expected'}</span>`);
  if (daily.points.some((p) => p.status === 'pending')) items.push('<span><i class="sw hl-pending"></i>not yet due</span>');
  return `<div class="legend">${items.join('')}</div>`;
}

function dailyTable(daily: DailySeries): string {
  const series = presentSeries(daily);
  const cols = [...series.map((s) => s.label), ...(daily.hasExpected && daily.hasSettled ? ['Settled − expected', 'Not yet due'] : []), ...(daily.hasCredited ? ['Settled net', 'Credited − net'] : [])];
  const cell = (d: Decimal | undefined) => (d === undefined ? '<td></td>' : `<td class="num" data-sort="${formatYuan(d)}">${esc(money(d))}</td>`);
  const rows = daily.points.map((p) => {
    const cells = series.map((s) => cell(s.value(p)));
    if (daily.hasExpected && daily.hasSettled) cells.push(cell(p.gap), cell(p.pending));
    if (daily.hasCredited) cells.push(cell(p.settledNet), cell(p.creditGap));
    return `<tr class="day-${p.status}"><td>${p.date}</td>${cells.join('')}</tr>`;
  });
  return table('daily-table', ['Business day', ...cols], ['text', ...cols.map(() => 'number')], rows);
}

function table(id: string, headers: string[], types: string[], rows: string[]): string {
  const th = headers.map((h, i) => `<th data-type="${types[i]}"${types[i] === 'number' ? ' class="num"' : ''}><button type="button">${esc(h)}</button></th>`).join('');
  return `<table class="sortable" id="${id}"><thead><tr>${th}</tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

const FINDING_HEADERS = ['Time', 'Amount', 'Reference', 'Terminal', 'Card', 'What happened', 'Source rows'];
const FINDING_TYPES = ['text', 'number', 'text', 'text', 'text', 'text', 'text'];

function findingRow(f: Finding): string {
  const amount = findingAmount(f);
  const terminalId = f.terminal?.terminalId ?? f.settlement?.terminalId ?? '';
  const card = f.terminal?.card ?? f.settlement?.card ?? '';
  return (
    `<tr data-kind="${f.kind}" data-id="${esc(f.id ?? '')}">` +
    `<td class="time">${esc(findingTime(f) || '—')}</td>` +
    (amount ? `<td class="num" data-sort="${formatYuan(amount)}">${esc(money(amount))}</td>` : '<td class="num" data-sort=""></td>') +
    `<td class="key">${esc(findingKey(f))}</td><td>${esc(terminalId)}</td><td class="card">${esc(card)}</td>` +
    `<td class="msg">${esc(f.message)}</td>` +
    `<td class="refs">${findingRefs(f).map((r) => `<code>${esc(r)}</code>`).join('<br>')}</td></tr>`
  );
}

function groupSection(g: FindingGroup): string {
  const id = `findings-${g.kind}`;
  return (
    `<section class="group ${g.exception ? 'exception' : 'informational'}" data-kind="${g.kind}">` +
    `<h3>${esc(KIND_TITLES[g.kind as FindingKind])} <span class="count">${g.findings.length}</span></h3>\n` +
    table(id, FINDING_HEADERS, FINDING_TYPES, g.findings.map(findingRow)) +
    '</section>'
  );
}

const STYLE = `
:root { --fg:#1f2937; --muted:#6b7280; --line:#e5e7eb; --bg:#fff; --red:#b91c1c; --red-bg:#fde8e8; --amber:#92400e; --amber-bg:#fef3c7; --green:#15803d; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; color: var(--fg); background: var(--bg);
  font: 14px/1.5 -apple-system, "Segoe UI", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 32px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 20px 0 6px; } h3 .count { display: inline-block; min-width: 22px; padding: 0 6px; border-radius: 10px; background: var(--red-bg); color: var(--red); font-size: 12px; text-align: center; }
.informational h3 .count { background: #eef2f7; color: var(--muted); }
.muted, .empty { color: var(--muted); }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.card-box { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; min-width: 150px; }
.card-box .v { font-size: 20px; font-weight: 600; font-variant-numeric: tabular-nums; } .card-box .k { color: var(--muted); font-size: 12px; }
.card-box.bad { border-color: #f5c2c2; background: var(--red-bg); } .card-box.bad .v { color: var(--red); }
.card-box.good .v { color: var(--green); }
.headline { font-weight: 600; } .overcharge { color: var(--red); font-weight: 600; } .allclear { color: var(--green); font-weight: 600; }
.note { color: var(--amber); background: var(--amber-bg); padding: 6px 10px; border-radius: 6px; }
table { border-collapse: collapse; margin: 6px 0 12px; width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: #f8fafc; position: sticky; top: 0; white-space: nowrap; }
th button { all: unset; cursor: pointer; font-weight: 600; } th button::after { content: " ↕"; color: #c0c7d2; }
th[aria-sort="ascending"] button::after { content: " ▲"; color: var(--fg); } th[aria-sort="descending"] button::after { content: " ▼"; color: var(--fg); }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.time, td.card, td.key { white-space: nowrap; font-variant-numeric: tabular-nums; } td.refs code { font-size: 12px; white-space: nowrap; }
table.kinds { width: auto; } table.kinds td { border: none; padding: 2px 10px; }
tr.day-gap td:first-child { color: var(--red); font-weight: 600; } tr.day-pending td:first-child { color: var(--amber); }
.chart-wrap { overflow-x: auto; border: 1px solid var(--line); border-radius: 8px; padding: 8px; }
.legend { display: flex; flex-wrap: wrap; gap: 16px; margin: 6px 0; font-size: 13px; }
.sw { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
.sw.s-expected, .s-expected { background: #94a3b8; fill: #94a3b8; } .sw.s-settled, .s-settled { background: #2563eb; fill: #2563eb; }
.sw.s-credited, .s-credited { background: #0d9488; fill: #0d9488; }
.sw.s-charged, .s-charged { background: #2563eb; fill: #2563eb; } .s-charged.over { fill: #dc2626; } .sw.s-contract, .s-contract { background: #cbd5e1; fill: #cbd5e1; }
.sw.hl-gap, .hl-gap { background: var(--red-bg); fill: var(--red-bg); } .sw.hl-pending, .hl-pending { background: var(--amber-bg); fill: var(--amber-bg); }
svg text { font: 12px -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; fill: var(--fg); }
svg .tick, svg .ysub, svg .axis-title { fill: var(--muted); font-size: 11px; } svg .grid { stroke: var(--line); } svg .grid.zero { stroke: #9ca3af; }
svg .gaplabel { font-weight: 600; font-size: 12px; } svg .gapsub { font-size: 10px; } svg .gap-gap { fill: var(--red); } svg .gap-pending { fill: var(--amber); }
svg .feenote.over { fill: var(--red); font-weight: 600; } svg .val { font-size: 11px; fill: var(--muted); }
details > summary { cursor: pointer; color: var(--muted); margin: 8px 0; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
@media print { body { padding: 0; } th { position: static; } .chart-wrap { overflow: visible; border: none; } details { display: block; } }
`;

/** Click a column header to sort by it; click again to reverse. Numbers sort by data-sort, empty cells last. */
const SCRIPT = `
(function () {
  function key(cell, numeric) {
    var raw = cell.hasAttribute('data-sort') ? cell.getAttribute('data-sort') : cell.textContent.trim();
    if (!numeric) return raw;
    return raw === '' ? null : parseFloat(raw);
  }
  Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), function (table) {
    var heads = table.tHead.rows[0].cells;
    var body = table.tBodies[0];
    Array.prototype.forEach.call(body.rows, function (row, i) { row.setAttribute('data-order', i); });
    Array.prototype.forEach.call(heads, function (th, col) {
      var button = th.querySelector('button');
      if (!button) return;
      button.addEventListener('click', function () {
        var dir = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', dir);
        var numeric = th.getAttribute('data-type') === 'number';
        var sign = dir === 'ascending' ? 1 : -1;
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a.cells[col], numeric), y = key(b.cells[col], numeric);
          if (x === null || y === null) {
            if (x !== y) return x === null ? 1 : -1;
          } else if (x !== y) {
            return (numeric ? x - y : String(x).localeCompare(String(y), 'zh-CN')) * sign;
          }
          return a.getAttribute('data-order') - b.getAttribute('data-order');
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
})();
`;

export function renderHtml(result: ReconcileResult, opts: HtmlOptions = {}): string {
  const s = summarize(result, opts);
  const t = result.totals;
  const daily = dailySeries(result, opts);
  const cards: string[] = [];
  const card = (k: string, v: string, cls = '') => cards.push(`<div class="card-box ${cls}"><div class="v">${esc(v)}</div><div class="k">${esc(k)}</div></div>`);
  card('exceptions', String(s.exceptionTotal), s.exceptionTotal ? 'bad' : 'good');
  if (!result.auditOnly) {
    card('dropped orders (掉单)', money(t.dropped), t.dropped.gt(0) ? 'bad' : '');
    card('not received, overdue (未到账)', money(t.overdue), t.overdue.gt(0) ? 'bad' : '');
    card('pending, not yet due', money(t.pending));
  }
  card('fees over-charged', money(t.feeOvercharge), t.feeOvercharge.gt(0) ? 'bad' : '');
  card('extra deductions', money(t.deductions), t.deductions.gt(0) ? 'bad' : '');
  if (result.rejected.length) card('rows rejected', String(result.rejected.length), 'bad');

  const groups = groupFindings(result, { informational: true, matched: Boolean(opts.includeMatched) });
  const exceptions = groups.filter((g) => g.exception);
  const informational = groups.filter((g) => !g.exception);

  // By role, then path (as in the JSON): the page does not depend on the order files were given in.
  const inputs = inputsInOrder(result.files).map(
    (f) => `<tr><td><code>${esc(f.file)}</code></td><td>${esc(f.role)}</td><td>${esc(f.profile.name)}</td><td>${esc(String(f.encoding))}</td><td class="num" data-sort="${recordCount(f)}">${recordCount(f)}</td><td class="num" data-sort="${f.rejected.length}">${f.rejected.length}</td></tr>`,
  );
  const body: string[] = [];
  body.push(`<header><h1>${esc(s.title)}</h1><div class="muted">as of ${esc(s.asOf)} (${esc(s.asOfSource)}) · ${esc(s.inputs)}</div></header>`);
  body.push('<section id="summary"><h2>Summary</h2>');
  body.push(`<div class="cards">${cards.join('')}</div>`);
  if (s.overcharge) body.push(`<p class="overcharge">${esc(s.overcharge)}</p>`);
  body.push(`<p class="${s.allClear ? 'allclear' : 'headline'}">${esc(s.headline)}</p>`);
  if (s.kinds.length) {
    body.push(
      '<table class="kinds"><tbody>' +
        s.kinds.map((k) => `<tr><td class="num">${k.count}</td><td><a href="#findings-${k.kind}">${esc(k.label)}</a></td><td>${esc(k.stake)}</td></tr>`).join('') +
        '</tbody></table>',
    );
  }
  body.push(`<p class="muted">${[s.info.join(' · '), s.rows, ...bankSummaryLines(result).map((l) => l.trim())].map(esc).join('<br>')}</p>`);
  if (s.calendarNote) body.push(`<p class="note">${esc(s.calendarNote)}</p>`);
  if (s.feedNote) body.push(`<p class="note">${esc(s.feedNote)}</p>`);
  for (const note of s.inputNotes) body.push(`<p class="note">${esc(note)}</p>`);
  for (const d of s.drifts) body.push(`<p class="note">${esc(d)}</p>`);
  body.push('</section>');

  body.push('<section id="daily"><h2>Money per day</h2>');
  body.push(
    `<p class="muted">Transaction amounts by business day${daily.hasExpected ? ': what the terminals took (successful sales, less refunds and voided sales)' : ''}${daily.hasSettled ? ' against what the acquirer settled' : ''}${daily.hasCredited ? ', and what the bank credited (net of fees)' : ''}. Highlighted days do not tie out.</p>`,
  );
  body.push(legend(daily));
  body.push(`<div class="chart-wrap">${dailyChartSvg(daily, exceptionsByDay(result, opts.dateOf ?? defaultDateOf))}</div>`);
  body.push(`<details><summary>Numbers per day</summary>${dailyTable(daily)}</details>`);
  body.push('</section>');

  body.push('<section id="fees"><h2>Fees per terminal</h2>');
  body.push(
    `<div class="legend"><span><i class="sw s-charged"></i>charged</span><span><i class="sw s-contract"></i>per contract</span></div><p class="muted">${result.fees.checked} fee(s) checked: ${esc(money(result.fees.charged))} charged, ${esc(money(result.fees.perContract))} per contract.</p>`,
  );
  body.push(`<div class="chart-wrap">${feeChartSvg(result.fees.byTerminal)}</div>`);
  body.push('</section>');

  body.push('<section id="exceptions"><h2>Exceptions</h2>');
  body.push(exceptions.length ? exceptions.map(groupSection).join('\n') : `<p class="allclear">${esc('None.')}</p>`);
  body.push('</section>');
  if (informational.length) {
    body.push(`<section id="informational"><h2>Informational</h2><details><summary>${informational.reduce((n, g) => n + g.findings.length, 0)} finding(s) that need no action</summary>`);
    body.push(informational.map(groupSection).join('\n'));
    body.push('</details></section>');
  }
  if (result.rejected.length) {
    body.push('<section id="rejected"><h2>Rejected rows</h2>');
    body.push(
      table(
        'rejected-table',
        ['Source row', 'Column', 'Reason'],
        ['text', 'text', 'text'],
        result.rejected.map((r) => `<tr><td><code>${esc(`${r.file}:${r.line}`)}</code></td><td>${esc(r.column ?? '')}</td><td>${esc(r.reason)}</td></tr>`),
      ),
    );
    body.push('</section>');
  }
  body.push('<section id="inputs"><h2>Inputs</h2>');
  body.push(table('inputs-table', ['File', 'Role', 'Profile', 'Encoding', 'Rows', 'Rejected'], ['text', 'text', 'text', 'text', 'number', 'number'], inputs));
  body.push('</section>');
  body.push('<footer>Generated by posrecon (report schema posrecon.reconcile/1). Card numbers are masked. Click a column header to sort.</footer>');

  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${esc(s.title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body.join('\n')}
<script>${SCRIPT}</script>
</body>
</html>
`;
}

export type { DailySeries } from './daily.js';
