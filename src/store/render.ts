// Reports of the store commands: the daily run (table and the reconcile JSON plus new/resolved/open),
// status, history, and the export dump (JSON for backup, CSV per table for audit).
import { Chalk } from 'chalk';
import { reconcileJson } from '../report/json.js';
import { renderTable } from '../report/table.js';
import { printable } from '../report/printable.js';
import { sheetsNotReadNote } from '../report/common.js';
import type { Decision, FindingState, StoreReader } from './store.js';
import { serialiseRecord } from './serialise.js';
import { formatYuan } from '../normalise/amount.js';
import type { CanonicalRecord } from '../model.js';
import type { Decimal } from 'decimal.js';
import { isException, type FindingKind } from '../classify/kinds.js';
import type { DailyRunResult, HistoryResult, ItemRef, OpenItem, ResolvedItem, StatusResult } from './daily.js';
import { SCHEMA_VERSION } from './sqlite.js';

/**
 * A stored instant (UTC ISO text) as the merchant's wall clock: `2026-11-27 01:31:45`. The store
 * keeps UTC; people read Shanghai time (the contract's default zone), so a decision made after
 * midnight there is dated that day, not the UTC day before.
 */
const SHANGHAI = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
export function localInstant(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : SHANGHAI.format(d);
}

const ackJson = (d: Decision | null) => (d ? { by: d.by, at: d.at, note: d.note } : null);
const refsText = (refs: ItemRef[]) => refs.map((r) => `${r.kind} ${r.id}`).join(', ');

function openJson(o: OpenItem): Record<string, unknown> {
  return {
    id: o.id,
    kind: o.kind,
    exception: o.exception,
    message: o.message,
    openSince: o.openSince,
    openSinceRun: o.openSinceRun,
    ageDays: o.ageDays,
    new: o.isNew,
    acknowledged: ackJson(o.acknowledged),
    ...(o.was.length ? { was: o.was } : {}),
  };
}

function resolvedJson(r: ResolvedItem): Record<string, unknown> {
  return {
    id: r.id, kind: r.kind, exception: r.exception, message: r.message, outcome: r.outcome, openSince: r.openSince, ageDays: r.ageDays,
    acknowledged: ackJson(r.acknowledged), now: r.now,
  };
}

/** posrecon.reconcile/1 for the whole store, plus `run`, `new`, `resolved` and `open`. */
export function dailyRunJson(run: DailyRunResult, includeMatched: boolean): Record<string, unknown> {
  return {
    ...reconcileJson(run.result, { includeMatched }),
    run: {
      store: run.store,
      id: run.runId,
      recorded: run.runId !== null,
      previousRun: run.previousRun ? { id: run.previousRun.id, startedAt: run.previousRun.startedAt, asOf: run.previousRun.asOf || null } : null,
      ingested: run.ingest.map((i) => ({
        file: i.path,
        name: i.name,
        role: i.role,
        status: i.status,
        rows: i.rows,
        newRows: i.newRows,
        knownRows: i.knownRows,
        knownFrom: i.knownFrom,
        rejected: i.rejected,
        run: i.run,
        replaces: i.replaces ?? [],
        ...(i.sheetsNotRead?.length ? { sheetsNotRead: i.sheetsNotRead } : {}),
      })),
      newRejected: run.newRejected.map((r) => ({ file: r.file, line: r.line, column: r.column ?? null, reason: r.reason })),
    },
    new: run.newItems.map(openJson),
    resolved: run.resolved.map(resolvedJson),
    open: run.open.map(openJson),
    newInformational: run.newInformational.map(openJson),
  };
}

/**
 * One line per item: a message's own line break (a quoted memo) becomes ⏎ and any other control
 * character from a cell a visible stand-in ({@link printable}); cut to the screen's width on a
 * terminal, whole in files, pipes and cron mail (no `width`).
 */
const short = (message: string, width: number | undefined) => {
  const text = printable(message);
  return width !== undefined && text.length > width ? `${text.slice(0, width - 1)}…` : text;
};
/** A day without dated rows has no as-of date. */
const asOfText = (asOf: string | null | undefined) => asOf || '—';

function openLines(items: OpenItem[], c: InstanceType<typeof Chalk>, showAge: boolean, width: number | undefined): string[] {
  const out: string[] = [];
  for (const o of items) {
    const age = showAge ? `${String(o.ageDays).padStart(4)}d  ` : '  ';
    // ✎ (a person's note), not ✓: the item is still open; ✓ marks what the data cleared.
    const mark = o.acknowledged ? c.green('✎ ') : o.exception ? c.red('! ') : c.dim('… ');
    out.push(`  ${age}${mark}${o.id}  ${o.kind.padEnd(20)} ${short(o.message, width)}`);
    if (o.was.length) out.push(c.dim(`  ${' '.repeat(showAge ? 7 : 0)}    was ${refsText(o.was)}`));
    if (o.acknowledged) out.push(c.green(`  ${' '.repeat(showAge ? 7 : 0)}    acknowledged by ${printable(o.acknowledged.by)} on ${localInstant(o.acknowledged.at).slice(0, 10)}: "${printable(o.acknowledged.note)}"`));
  }
  return out;
}

export function renderDailyRun(
  run: DailyRunResult,
  /** `failing`: the kinds that set the exit code when --fail-on / --ignore chose them. */
  opts: { color: boolean; verbose: boolean; width?: number; failing?: readonly string[] },
): string {
  const width = opts.width;
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const out: string[] = [];
  const prev = run.previousRun;
  const title = run.runId !== null ? `posrecon run #${run.runId}` : 'posrecon run (nothing recorded)';
  out.push(c.bold(`${title} — store ${printable(run.store)} — as of ${asOfText(run.result.asOf)}`) + (prev ? c.dim(` (previous run #${prev.id}, as of ${asOfText(prev.asOf)})`) : c.dim(' (first run)')));
  if (prev?.asOf && prev.asOf > run.result.asOf) {
    // A what-if --as-of on an earlier run, or a settlement file withdrawn: overdue items may look pending again.
    out.push(c.yellow(`Note: as of ${run.result.asOf} is earlier than run #${prev.id}'s ${prev.asOf}: what was overdue then may show as pending now.`));
  }
  if (run.ingest.length) {
    out.push('Ingested:');
    for (const i of run.ingest) {
      if (i.status === 'known') {
        out.push(c.dim(printable(`  = ${i.path}: already in the store (run #${i.run}), skipped`)));
      } else {
        const known = i.knownRows ? `, ${i.knownRows} already known${i.knownFrom.length ? ` (in ${printable(i.knownFrom.join(', '))})` : ''}` : '';
        const rej = i.rejected ? c.red(`, ${i.rejected} rejected`) : '';
        out.push(`  ${i.newRows ? '+' : '~'} ${printable(i.name)}: ${i.rows} ${i.role} rows, ${i.newRows} new${known}${rej}`);
        if (i.replaces?.length) out.push(`      replaces ${printable(i.replaces.join(', '))} (same path, restates it): the old version's rows no longer count`);
        const sheets = sheetsNotReadNote({ file: i.path, sheetsNotRead: i.sheetsNotRead });
        if (sheets) out.push(c.yellow(`      ${sheets}`));
      }
    }
  }
  if (run.runId === null) {
    out.push(c.bold(`Nothing new: every input file was already in the store and the findings are unchanged since run #${prev?.id}; nothing was recorded.`));
  }
  const exceptionsOpen = run.open.filter((o) => o.exception && !o.acknowledged).length;
  const acked = run.open.filter((o) => o.acknowledged).length;
  const pending = run.open.filter((o) => !o.exception).length;
  // Beside exit code 0 under --ignore, "to act on" says which of them do not fail the run.
  const notFailing = opts.failing ? run.open.filter((o) => o.exception && !o.acknowledged && !opts.failing!.includes(o.kind)) : [];
  // And an informational kind --fail-on asked for, which fails the run beside no exception at all:
  // pending items while open, other informational findings on the run they appear in.
  const infoFailingItems = opts.failing ? [...run.open, ...run.newInformational].filter((o) => !o.exception && !o.acknowledged && opts.failing!.includes(o.kind)) : [];
  const infoFailing = [...new Set([...infoFailingItems.map((o) => o.kind), ...(opts.failing?.includes('matched') && run.newMatched > 0 ? ['matched'] : [])])];
  const notes = [
    ...(notFailing.length ? [`${notFailing.length} of them do not fail the run: ${[...new Set(notFailing.map((o) => o.kind))].join(', ')}`] : []),
    ...(infoFailing.length ? [`the run fails on ${infoFailing.join(', ')}`] : []),
  ];
  const note = notes.length ? ` (${notes.join('; ')}, per --fail-on/--ignore)` : '';
  out.push(`Open items: ${exceptionsOpen} exception(s) to act on${note} · ${acked} acknowledged · ${pending} pending settlement(s)`);

  const since = prev ? `run #${prev.id}` : 'the start';
  out.push('');
  out.push(c.bold.underline(`New since ${since} — ${run.newItems.length}`));
  out.push(...(run.newItems.length ? openLines(run.newItems, c, false, width) : [c.dim('  none')]));
  // The informational findings that fail this run: listed, so the exit code has its reason on screen.
  const newFailing = run.newInformational.filter((o) => infoFailingItems.includes(o));
  if (newFailing.length) {
    out.push('');
    out.push(c.bold.underline(`Informational findings of ${asOfText(run.result.asOf)} the run fails on (per --fail-on) — ${newFailing.length}`));
    out.push(...openLines(newFailing, c, false, width));
  }
  out.push('');
  const cleared = run.resolved.filter((r) => r.outcome === 'cleared');
  const superseded = run.resolved.filter((r) => r.outcome === 'superseded');
  out.push(c.bold.underline(`Resolved since ${since} — ${cleared.length}`));
  if (!cleared.length) out.push(c.dim('  none'));
  for (const r of cleared) {
    out.push(`  ${c.green('✓')} ${r.id}  ${r.kind.padEnd(20)} ${short(r.message, width)}`);
    out.push(c.dim(`      open ${r.ageDays}d since ${r.openSince}${r.now.length ? `; now ${refsText(r.now)}` : ''}`));
  }
  if (superseded.length) {
    out.push('');
    out.push(c.bold.underline(`Changed since ${since} (listed under New as their new kind) — ${superseded.length}`));
    for (const r of superseded) out.push(`  → ${r.id}  ${r.kind.padEnd(20)} now ${refsText(r.now)}`);
  }
  const still = run.open.filter((o) => !o.isNew);
  out.push('');
  out.push(c.bold.underline(`Still open, oldest first — ${still.length}`));
  out.push(...(still.length ? openLines(still, c, true, width) : [c.dim('  none')]));
  out.push('');
  out.push(c.dim('Full state (as one `posrecon reconcile` over every file in the store):'));
  // The full state's headline names an informational kind as failing the run only when it does today.
  const tableFailing = opts.failing?.filter((k) => isException(k as FindingKind) || infoFailing.includes(k)) as FindingKind[] | undefined;
  return out.join('\n') + '\n' + renderTable(run.result, { color: opts.color, verbose: opts.verbose, failing: tableFailing });
}

export function statusJson(s: StatusResult): Record<string, unknown> {
  return {
    schema: 'posrecon.status/1',
    store: s.store,
    lastRun: s.lastRun ? { id: s.lastRun.id, startedAt: s.lastRun.startedAt, asOf: s.lastRun.asOf || null, counts: s.lastRun.counts } : null,
    open: s.open.map(openJson),
  };
}

export function renderStatus(s: StatusResult, opts: { color: boolean; width?: number }): string {
  const width = opts.width;
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const out: string[] = [];
  const r = s.lastRun;
  out.push(c.bold(`posrecon status — store ${printable(s.store)}`) + (r ? c.dim(` — last run #${r.id} at ${localInstant(r.startedAt)} (Asia/Shanghai), as of ${asOfText(r.asOf)}`) : c.dim(' — no run recorded yet')));
  const exceptions = s.open.filter((o) => o.exception && !o.acknowledged).length;
  const acked = s.open.filter((o) => o.acknowledged).length;
  out.push(`${s.open.length} open item(s), oldest first: ${exceptions} exception(s) to act on · ${acked} acknowledged · ${s.open.length - exceptions - acked} pending`);
  out.push(...openLines(s.open, c, true, width));
  if (s.open.length) out.push(c.dim('  (! exception · ✎ acknowledged by a person, still open · … pending settlement)  `posrecon history ID` shows one item\'s life'));
  return out.join('\n') + '\n';
}

export function historyJson(h: HistoryResult): Record<string, unknown> {
  const f = h.finding;
  return {
    schema: 'posrecon.history/1',
    store: h.store,
    id: f.id,
    kind: f.kind,
    exception: f.exception,
    openKind: f.openKind,
    state: state(f),
    firstSeen: { run: f.firstRun, asOf: f.firstAsOf },
    acknowledged: ackJson(h.acknowledged),
    finding: f.data,
    life: h.life,
  };
}

function state(f: FindingState): 'open' | 'resolved' | 'present' | 'gone' {
  return f.openKind ? (f.present ? 'open' : 'resolved') : f.present ? 'present' : 'gone';
}

export function renderHistory(h: HistoryResult, opts: { color: boolean }): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const f = h.finding;
  const out: string[] = [];
  const what = f.exception ? 'exception' : f.openKind ? 'pending, not an exception' : 'informational';
  out.push(c.bold(`Finding ${f.id} — ${f.kind} (${what}) — ${state(f)}${h.acknowledged ? ', acknowledged' : ''}`));
  out.push(`  ${short(f.message, undefined)}`);
  const refs = (['terminal', 'settlement'] as const)
    .map((side) => f.data[side] as { file?: string; line?: number } | null)
    .filter((r): r is { file: string; line: number } => Boolean(r && r.file))
    .map((r) => `${r.file}:${r.line}`);
  if (refs.length) out.push(c.dim(`  see ${printable(refs.join(', '))}`));
  out.push('');
  out.push(c.bold('Life:') + c.dim(' (runs by the as-of date of their files, decisions by when they were made)'));
  for (const e of h.life) {
    if (e.type === 'event') {
      const detail = e.detail.now?.length ? ` → now ${refsText(e.detail.now)}` : e.detail.was?.length ? ` (was ${refsText(e.detail.was)})` : '';
      out.push(`  as of ${e.asOf}  run #${e.runId}  ${e.event}${detail}`);
    } else {
      // A decision acknowledges the item (it stays open until the data resolves it); it is dated
      // by the clock, the runs by the as-of date of their files.
      out.push(c.green(`  ${localInstant(e.at).slice(0, 10)} ${localInstant(e.at).slice(11, 16)}  ${e.action === 'resolve' ? 'acknowledged' : e.action} by ${printable(e.by)}: "${printable(e.note)}"`));
    }
  }
  if (f.openKind && f.present && h.lastRun?.asOf) {
    out.push(c.dim(`  open since ${f.sinceAsOf} (run #${f.sinceRun})`));
  }
  return out.join('\n') + '\n';
}

// --- export ----------------------------------------------------------------------------------

export const EXPORT_TABLES = ['runs', 'files', 'records', 'rejected', 'findings', 'events', 'decisions'] as const;
export type ExportTable = (typeof EXPORT_TABLES)[number];

/**
 * A stored record as exported: its fields as stored, and money (amount, fee, net, credit, debit,
 * balance …, the fields listed in `$decimal`) in the exact form `reconcile` prints it —
 * `formatYuan`: two decimals (`773.10`, `100.00`, `0.50`), more only where the value has more (a
 * 5-decimal WeChat fee) — not Decimal's shortest form (`773.1`, `100`, `0.5`, exponents for tiny
 * values), so export records join with reconcile's findings on the amount text.
 */
function exportRecord(record: CanonicalRecord): Record<string, unknown> {
  const fields = JSON.parse(serialiseRecord(record)) as Record<string, unknown>;
  const values = record as unknown as Record<string, unknown>;
  for (const key of (fields.$decimal as string[] | undefined) ?? []) fields[key] = formatYuan(values[key] as Decimal);
  return fields;
}

export async function exportTables(tx: StoreReader): Promise<Record<ExportTable, Record<string, unknown>[]>> {
  return {
    runs: (await tx.runs()).map((r) => ({ ...r })),
    files: (await tx.files()).map((f) => ({ ...f })),
    records: (await tx.records()).map((r) => ({ file: r.file, line: r.line, fingerprint: r.fingerprint, ...exportRecord(r.record) })),
    rejected: (await tx.rejectedRows()).map((r) => ({ file: r.file, line: r.line, column: r.column ?? null, reason: r.reason })),
    findings: (await tx.allFindings()).map((f) => ({
      id: f.id, kind: f.kind, exception: f.exception, openKind: f.openKind, present: f.present, firstRun: f.firstRun, firstAsOf: f.firstAsOf,
      sinceRun: f.sinceRun, sinceAsOf: f.sinceAsOf, goneRun: f.goneRun, goneAsOf: f.goneAsOf, rows: f.rows, message: f.message, finding: f.data,
    })),
    events: (await tx.events()).map((e) => ({ ...e })),
    decisions: (await tx.decisions()).map((d) => ({ ...d })),
  };
}

export function exportJson(store: string, tables: Record<ExportTable, Record<string, unknown>[]>, exportedAt: string): string {
  return JSON.stringify({ schema: 'posrecon.export/1', store, schemaVersion: SCHEMA_VERSION, exportedAt, ...tables }, null, 2) + '\n';
}

const csvCell = (v: unknown): string => {
  let text = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  // Spreadsheets run a cell starting with = + - @ TAB CR as a formula (CSV injection, e.g. a memo
  // "=HYPERLINK(…)"): quote it as text with a leading '. Plain numbers such as -48.00 stay numbers.
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/**
 * The columns of the tables whose rows have one shape: an empty table still gets its header row
 * (a CSV reader given none has no columns to map).
 */
export const EXPORT_COLUMNS: Partial<Record<ExportTable, string[]>> = {
  rejected: ['file', 'line', 'column', 'reason'],
  events: ['findingId', 'runId', 'asOf', 'event', 'detail'],
  decisions: ['id', 'findingId', 'action', 'by', 'at', 'note', 'runId'],
  findings: ['id', 'kind', 'exception', 'openKind', 'present', 'firstRun', 'firstAsOf', 'sinceRun', 'sinceAsOf', 'goneRun', 'goneAsOf', 'rows', 'message', 'finding'],
};

/** One table as CSV (UTF-8 with BOM, so Excel shows the Chinese text, CRLF); columns in first-seen order. */
export function exportCsv(rows: Record<string, unknown>[], emptyColumns: string[] = []): string {
  const columns: string[] = rows.length === 0 ? [...emptyColumns] : [];
  const seen = new Set<string>();
  for (const r of rows) {
    for (const k of Object.keys(r)) {
      if (seen.has(k)) continue;
      seen.add(k);
      columns.push(k);
    }
  }
  const lines = [columns.map(csvCell).join(','), ...rows.map((r) => columns.map((k) => csvCell(r[k])).join(','))];
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}
