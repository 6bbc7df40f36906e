// The human report: a one-screen summary (counts and money at stake), then the exceptions
// grouped by kind, newest first, each with the rows to look at.
import { Chalk } from 'chalk';
import type { ReconcileResult } from '../reconcile.js';
import type { Finding } from '../classify/findings.js';
import { EXCEPTION_KINDS, KIND_TITLES, type FindingKind } from '../classify/kinds.js';
import { formatYuan } from '../normalise/amount.js';
import { Decimal } from 'decimal.js';

export interface TableOptions {
  color: boolean;
  /** Show informational findings (pending, voided …) too. */
  verbose: boolean;
}

/** Display width: CJK and full-width characters take two terminal columns. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    w += (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6) ? 2 : 1;
  }
  return w;
}

export function padEnd(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - displayWidth(s)));
}

export function padStart(s: string, width: number): string {
  return ' '.repeat(Math.max(0, width - displayWidth(s))) + s;
}

/** ¥1,234.56 with thousands separators; negative as -¥12.00. */
export function money(d: Decimal): string {
  const text = formatYuan(d.abs());
  const [int, frac] = text.split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${d.isNegative() && !d.isZero() ? '-' : ''}¥${grouped}${frac !== undefined ? '.' + frac : ''}`;
}

const SHORT: Partial<Record<FindingKind, string>> = {
  dropped_order: 'dropped orders (掉单)',
  unsettled_overdue: 'unsettled, overdue (未到账)',
  amount_mismatch: 'amount mismatches',
  fee_mismatch: 'fee mismatches',
  net_mismatch: 'net ≠ amount − fee',
  duplicate_settlement: 'duplicate settlements',
  void_settled: 'voided but settled',
  extra_deduction: 'extra deductions',
  ambiguous_match: 'ambiguous matches',
  fee_unverified: 'fees not covered by the contract',
};

function findingAmount(f: Finding): Decimal | undefined {
  if (f.kind === 'fee_mismatch' || f.kind === 'net_mismatch' || f.kind === 'amount_mismatch') return f.difference;
  if (f.actual instanceof Decimal) return f.actual.abs();
  if (f.expected instanceof Decimal) return f.expected.abs();
  return (f.terminal?.amount ?? f.settlement?.amount ?? f.settlement?.net)?.abs();
}

export function renderTable(result: ReconcileResult, opts: TableOptions): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const out: string[] = [];
  const t = result.totals;
  const terminalFiles = result.files.filter((f) => f.role === 'terminal');
  const settlementFiles = result.files.filter((f) => f.role === 'settlement');
  const rowsOf = (files: typeof result.files) => files.reduce((n, f) => n + f.records.length, 0);
  out.push(c.bold(`posrecon ${result.auditOnly ? 'fee audit' : 'reconcile'} — as of ${result.asOf}`) + c.dim(` (${result.asOfSource})`));
  out.push(
    `Inputs: ${terminalFiles.length} terminal file(s), ${rowsOf(terminalFiles)} rows · ${settlementFiles.length} settlement file(s), ${rowsOf(settlementFiles)} rows` +
      (result.rejected.length ? c.red(` · ${result.rejected.length} rejected`) : ''),
  );
  out.push('');

  const exceptionTotal = EXCEPTION_KINDS.reduce((n, k) => n + result.counts[k], 0);
  if (t.feeOvercharge.gt(0)) out.push(c.red.bold(`You were over-charged ${money(t.feeOvercharge)} in fees.`));
  if (exceptionTotal === 0 && result.rejected.length === 0) {
    out.push(c.green.bold('平账 All clear: every transaction ties out.'));
  } else {
    out.push(c.bold(`${exceptionTotal} exception(s) need attention:`));
  }
  const stake: Partial<Record<FindingKind, string>> = {
    dropped_order: `${money(t.dropped)} charged to customers, missing or failed on the terminal`,
    unsettled_overdue: `${money(t.overdue)} not received`,
    fee_mismatch: `${money(t.feeOvercharge)} over-charged` + (t.feeUndercharge.gt(0) ? `, ${money(t.feeUndercharge)} under-charged` : ''),
    extra_deduction: `${money(t.deductions)} deducted`,
  };
  const labelWidth = Math.max(...EXCEPTION_KINDS.map((k) => displayWidth(SHORT[k] ?? k)));
  for (const k of EXCEPTION_KINDS) {
    const n = result.counts[k];
    if (n === 0) continue;
    out.push(`  ${c.red(padStart(String(n), 5))}  ${padEnd(SHORT[k] ?? k, labelWidth)}  ${stake[k] ?? ''}`.trimEnd());
  }
  const info: string[] = result.auditOnly ? [`${result.fees.checked} fees checked against the contract`] : [`${result.counts.matched} matched`];
  if (result.counts.unsettled_pending) info.push(`${result.counts.unsettled_pending} pending (${money(t.pending)}, not yet due)`);
  if (result.counts.voided) info.push(`${result.counts.voided} voided, correctly not settled`);
  if (result.counts.no_settlement_expected) info.push(`${result.counts.no_settlement_expected} failed rows, not settled`);
  if (result.counts.duplicate_export) info.push(`${result.counts.duplicate_export} repeated export rows counted once`);
  if (result.counts.allowed_deduction) info.push(`${result.counts.allowed_deduction} allowed deductions`);
  out.push(c.dim(`  ${info.join(' · ')}`));
  const r = result.rows;
  out.push(c.dim(`  Rows: ${r.read} read = ${r.matched} matched + ${r.flagged} flagged + ${r.informational} informational + ${r.rejected} rejected`));
  if (result.missingCalendarYears.length) {
    out.push(c.yellow(`  Note: no holiday calendar for ${result.missingCalendarYears.join(', ')}; only weekends are treated as days off (add one with --holidays FILE).`));
  }

  for (const drift of result.findings.filter((f) => f.kind === 'fee_drift')) {
    out.push('');
    out.push(c.yellow.bold(`Rate change: ${drift.message}`));
  }

  const groups = new Map<FindingKind, Finding[]>();
  for (const f of result.findings) {
    const visible = EXCEPTION_KINDS.includes(f.kind as (typeof EXCEPTION_KINDS)[number]) || (opts.verbose && f.kind !== 'matched');
    if (!visible || f.kind === 'fee_drift') continue;
    const g = groups.get(f.kind);
    if (g) g.push(f);
    else groups.set(f.kind, [f]);
  }
  for (const [kind, list] of groups) {
    out.push('');
    out.push(c.bold.underline(`${KIND_TITLES[kind]} — ${list.length}`));
    // Newest first: today's problems are the ones a merchant can still fix at the counter.
    const sorted = [...list].sort((a, b) => timeOf(b).localeCompare(timeOf(a)));
    for (const f of sorted) {
      const amount = findingAmount(f);
      out.push(`  ${padEnd(timeOf(f) || '—', 19)}  ${amount ? padStart(money(amount), 12) : ' '.repeat(12)}  ${f.message}`);
      const refs = [f.terminal, f.settlement, ...f.related].filter((x) => x !== null).map((x) => `${x!.source.file}:${x!.source.line}`);
      if (refs.length) out.push(c.dim(`  ${' '.repeat(19)}  ${' '.repeat(12)}  see ${[...new Set(refs)].join(', ')}`));
    }
  }
  if (result.rejected.length) {
    out.push('');
    out.push(c.bold.underline(`Rejected rows — ${result.rejected.length}`));
    for (const rj of result.rejected) out.push(`  ${rj.file}:${rj.line}: ${rj.column ? `column ${rj.column}: ` : ''}${rj.reason}`);
  }
  return out.join('\n') + '\n';
}

function timeOf(f: Finding): string {
  const r = f.terminal ?? f.settlement ?? f.related[0];
  return r?.time ?? r?.settleDate ?? '';
}
