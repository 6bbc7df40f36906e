// The bank leg in the reports: JSON `summary.bank`, `summary.daily` and `payouts`, and the
// table's bank lines. Money is a string with 2 decimals, as everywhere in the JSON.
import { Decimal } from 'decimal.js';
import type { ReconcileResult } from '../reconcile.js';
import { recordCount } from '../read/readInput.js';
import type { DailyPoint } from '../bank/daily.js';
import type { BankRowCategory } from '../bank/reconcileBank.js';
import type { PayoutStatus } from '../bank/matchPayouts.js';
import { movementOf, bookingDate } from '../bank/rows.js';
import { formatYuan } from '../normalise/amount.js';
import { money } from './common.js';

const PAYOUT_STATUSES: readonly PayoutStatus[] = ['matched', 'merged', 'split', 'short', 'over', 'ambiguous', 'missing', 'pending', 'nothing_due'];
const CATEGORIES: readonly BankRowCategory[] = ['payout', 'ambiguous', 'unexplained_credit', 'unexplained_debit', 'allowed_deduction', 'returned', 'unrelated', 'duplicate'];

const opt = (d: Decimal | null | undefined): string | null => (d === null || d === undefined ? null : formatYuan(d));

export function dailyJson(daily: DailyPoint[]): Record<string, unknown>[] {
  return daily.map((p) => ({ date: p.date, expected: opt(p.expected), settled: formatYuan(p.settled), credited: opt(p.credited) }));
}

/** JSON `summary.bank`: null without bank statements. */
export function bankSummaryJson(result: ReconcileResult): Record<string, unknown> | null {
  const bank = result.bank;
  if (!bank) return null;
  const files = result.files.filter((f) => f.role === 'bank');
  const status = Object.fromEntries(PAYOUT_STATUSES.map((s) => [s, 0])) as Record<PayoutStatus, number>;
  for (const o of bank.payouts) status[o.status]++;
  const categories = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<BankRowCategory, number>;
  for (const c of bank.rows.values()) categories[c]++;
  const t = bank.totals;
  return {
    files: files.length,
    rows: files.reduce((n, f) => n + recordCount(f), 0),
    statement: bank.statement,
    period: bank.period,
    payouts: { count: bank.payouts.length, ...status },
    categories,
    totals: {
      expected: formatYuan(t.expected),
      credited: formatYuan(t.credited),
      missing: formatYuan(t.missing),
      pending: formatYuan(t.pending),
      short: formatYuan(t.short),
      over: formatYuan(t.over),
      unexplainedCredits: formatYuan(t.unexplainedCredits),
      unexplainedDebits: formatYuan(t.unexplainedDebits),
    },
    balance: {
      checked: bank.balance.checked,
      gaps: bank.balance.gaps.length,
      unreadable: bank.balance.unreadable.length,
      missing: bank.balance.missing,
    },
    notes: bank.notes,
  };
}

/** JSON `payouts`: one entry per expected payout, with how it was (or was not) credited. */
export function payoutsJson(result: ReconcileResult): Record<string, unknown>[] {
  return (result.bank?.payouts ?? []).map((o) => {
    const p = o.payout;
    return {
      payout: p.key,
      merchantId: p.merchantId ?? null,
      payoutId: p.payoutId ?? null,
      settleDate: p.date,
      settleDateDerived: p.dateDerived,
      windowEnd: p.windowEnd,
      expected: formatYuan(p.amount),
      gross: formatYuan(p.gross),
      fees: formatYuan(p.fees),
      deductions: formatYuan(p.deductions),
      lines: p.lines.length,
      status: o.status,
      credited: opt(o.credited),
      difference: opt(o.difference),
      credits: o.credits.map((c) => ({ file: c.source.file, line: c.source.line, date: bookingDate(c), amount: formatYuan(movementOf(c).amount) })),
      mergedWith: (o.mergedWith ?? []).map((q) => q.key),
      cause: o.cause ? { code: o.cause.code, text: o.cause.text } : null,
      note: o.note ?? null,
    };
  });
}

/** Table lines under the summary: what the bank leg read and concluded. */
export function bankSummaryLines(result: ReconcileResult): string[] {
  const bank = result.bank;
  if (!bank) return [];
  const files = result.files.filter((f) => f.role === 'bank');
  const rows = files.reduce((n, f) => n + recordCount(f), 0);
  const count = (s: PayoutStatus) => bank.payouts.filter((o) => o.status === s).length;
  const due = bank.payouts.filter((o) => o.payout.amount.gt(0)).length;
  const paid = count('matched') + count('merged') + count('split');
  const how = [count('merged') ? `${count('merged')} in merged credits` : '', count('split') ? `${count('split')} split over several credits` : ''].filter(Boolean);
  const parts = [`${due} payout(s) expected ${money(bank.totals.expected)}`, `${paid} credited in full${how.length ? ` (${how.join(', ')})` : ''}`];
  if (count('short')) parts.push(`${count('short')} short ${money(bank.totals.short)}`);
  if (count('over')) parts.push(`${count('over')} over ${money(bank.totals.over)}`);
  if (count('missing')) parts.push(`${count('missing')} not credited ${money(bank.totals.missing)}`);
  if (count('pending')) parts.push(`${count('pending')} pending ${money(bank.totals.pending)}`);
  if (count('ambiguous')) parts.push(`${count('ambiguous')} ambiguous`);
  const lines = [
    `Bank: ${files.length} statement file(s), ${rows} rows${bank.statement ? ` (${bank.statement.from} … ${bank.statement.to})` : ''} · ${parts.join(' · ')}`,
  ];
  const b = bank.balance;
  const unrelated = [...bank.rows.values()].filter((c) => c === 'unrelated').length;
  lines.push(
    `  ${unrelated} unrelated bank row(s) (rent, transfers, spending) · balances: ${b.checked} step(s) checked, ${b.gaps.length} gap(s)` +
      (b.unreadable.length ? `, ${b.unreadable.length} row(s) with an unreadable balance skipped` : ''),
  );
  for (const n of bank.notes) lines.push(`  Note: ${n}`);
  return lines;
}
