// Two merchants, two weeks, three statement files: every planted payout fault found with the right
// kind and amount, nothing else flagged, every row accounted for, independent of file order.
import { describe, expect, it } from 'vitest';
import { buildBankScenario, type BankScenario } from '../support/bankScenario.js';
import { readInputFile } from '../../src/read/readInput.js';
import { builtinProfiles } from '../../src/profiles/builtin.js';
import { loadContract } from '../../src/contract/contract.js';
import { loadBuiltinCalendar } from '../../src/calendar/calendar.js';
import { reconcile } from '../../src/reconcile.js';
import { ALL_KINDS } from '../../src/classify/kinds.js';
import { reconcileJson } from '../../src/report/json.js';
import { renderTable } from '../../src/report/table.js';
import { CSV_BOM, renderCsv } from '../../src/report/csv.js';

function run(scenario: BankScenario, reverse = false) {
  const profiles = builtinProfiles();
  const files = reverse ? [...scenario.files].reverse() : scenario.files;
  const read = (role: 'settlement' | 'bank') => files.filter((f) => f.role === role).map((f) => readInputFile(f.bytes, f.name, { profiles, role }));
  return reconcile({
    terminal: [],
    settlement: read('settlement'),
    bank: read('bank'),
    contract: loadContract(scenario.contract, 'contract.yaml'),
    calendar: loadBuiltinCalendar(),
    asOf: scenario.asOf,
  });
}

const fen = (d: { toFixed: (n: number) => string } | undefined) => (d ? Math.round(Number(d.toFixed(2)) * 100) : undefined);

describe('bank leg scenario: merged, split, missing, short, over and ambiguous payouts', () => {
  const scenario = buildBankScenario();
  const result = run(scenario);

  it('reads every statement without rejecting a row, in both layouts', () => {
    expect(result.rejected).toEqual([]);
    const bankFiles = result.files.filter((f) => f.role === 'bank');
    expect(bankFiles.map((f) => f.profile.name)).toEqual(['generic-bank', 'generic-bank', 'generic-bank']);
    expect(bankFiles.reduce((n, f) => n + f.records.length, 0)).toBe(scenario.bankRows);
    expect(bankFiles.map((f) => f.encoding)).toContain('gb18030');
  });

  it.each(ALL_KINDS.map((k) => [k, scenario.expected[k] ?? 0]))('%s: exactly %i', (kind, count) => {
    expect(result.counts[kind]).toBe(count);
  });

  it('gives every planted payout its planned outcome and amount (summed independently, in fen)', () => {
    const outcomes = result.bank!.payouts.map((o) => [o.payout.merchantId, o.payout.date, fen(o.payout.amount), o.status]);
    const planned = scenario.payouts
      .map((p) => [p.merchantId, p.settleDate, p.fen, p.plan === 'exact' ? 'matched' : p.plan])
      .sort((a, b) => String(a[1]).localeCompare(String(b[1])) || String(a[0]).localeCompare(String(b[0])));
    expect(outcomes).toEqual(planned);
  });

  it('explains the short and the over payout', () => {
    const short = result.findings.find((f) => f.kind === 'payout_short')!;
    expect(short.difference?.toFixed(2)).toBe('-30.00');
    expect(short.details.cause).toBe('bank_debit');
    const over = result.findings.find((f) => f.kind === 'payout_over')!;
    expect(over.difference?.toFixed(2)).toBe('20.00');
    expect(over.details.cause).toBe('deduction_not_taken');
  });

  it('names a short payout\'s merchant in the CSV (its rows are bank rows, which print none)', () => {
    const csv = renderCsv(result).split('\r\n');
    const header = csv[0].replace(CSV_BOM, '').split(',');
    const short = csv.find((line) => line.split(',')[header.indexOf('kind')] === 'payout_short')!.split(',');
    const payout = result.findings.find((f) => f.kind === 'payout_short')!;
    expect(short[header.indexOf('merchant_id')]).toBe(payout.details.merchantId);
    expect(short[header.indexOf('amount')]).toBe('-30.00');
  });

  it('shows the merged weekend and the split payout', () => {
    const merged = result.findings.filter((f) => f.kind === 'payout_matched' && f.details.mode === 'merged');
    expect(merged.map((f) => f.details.settleDate)).toEqual(['2025-11-07', '2025-11-08', '2025-11-09']);
    expect(new Set(merged.map((f) => f.related[0])).size).toBe(1);
    const split = result.findings.find((f) => f.kind === 'payout_matched' && f.details.mode === 'split')!;
    expect(split.related.length).toBe(2);
  });

  it('counts the payout of a re-sent settlement file and of a twice-settled sale as printed', () => {
    // The 11-10 file was sent twice: its payout still matches its one credit exactly.
    expect(result.bank!.payouts.find((o) => o.payout.date === '2025-11-10' && o.payout.merchantId === '898310058120001')?.status).toBe('matched');
    expect(result.counts.duplicate_settlement).toBe(1);
  });

  it('accounts for every row exactly once', () => {
    const r = result.rows;
    expect(r.matched + r.flagged + r.informational + r.rejected).toBe(r.read);
    const bankRecords = result.files.filter((f) => f.role === 'bank').flatMap((f) => f.records);
    for (const b of bankRecords) expect(result.bank!.rows.has(b)).toBe(true);
    expect(result.bank!.rows.size).toBe(bankRecords.length);
  });

  it('does not depend on the order of the input files', () => {
    const reversed = run(scenario, true);
    expect(reversed.counts).toEqual(result.counts);
    expect(reversed.findings.map((f) => f.id)).toEqual(result.findings.map((f) => f.id));
  });

  it('keeps finding ids unique and stable', () => {
    const ids = result.findings.map((f) => f.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.some((id) => id?.includes('-'))).toBe(false);
  });

  it('builds the per-day series: expected/settled/credited by business date', () => {
    expect(result.daily.length).toBeGreaterThan(0);
    expect(result.daily.every((p) => p.expected === null && p.credited !== null)).toBe(true);
    const settled = result.daily.reduce((n, p) => n + fen(p.settled)!, 0);
    expect(settled).toBe(fen(result.totals.settled));
    // Credited: what paid the payouts, including the short/over differences.
    const credited = result.daily.reduce((n, p) => n + fen(p.credited!)!, 0);
    expect(credited).toBe(fen(result.bank!.totals.credited));
    const json = reconcileJson(result) as { summary: { daily: { date: string; settled: string; credited: string }[] } };
    expect(json.summary.daily[0]).toEqual({ date: result.daily[0].date, expected: null, settled: result.daily[0].settled.toFixed(2), credited: result.daily[0].credited!.toFixed(2) });
  });

  it('prints a bank section in the table', () => {
    const table = renderTable(result, { color: false, verbose: false });
    expect(table).toMatch(/Bank: 3 statement file\(s\), 36 rows \(2025-11-01 … 2025-11-13\) · 19 payout\(s\) expected ¥[\d,.]+ · 14 credited in full \(3 in merged credits, 1 split over several credits\)/);
    expect(table).toMatch(/1 short ¥30\.00 · 1 over ¥20\.00 · 1 not credited/);
    expect(table).toContain('payouts not credited (未到账)');
    expect(table).toContain('Running balance does not follow');
  });
});
