// `posrecon inspect`: what posrecon understood of each file, as text or JSON.
import { Decimal } from 'decimal.js';
import type { ParsedFile } from '../read/readInput.js';
import type { UnionPaySummary } from '../read/controlTotals.js';
import { delimiterName } from '../read/readInput.js';
import { formatYuan } from '../normalise/amount.js';
import { printable } from './printable.js';

export interface InspectFileJson {
  file: string;
  encoding: string;
  encodingReason: string;
  delimiter: string;
  profile: string;
  role: string;
  reason: string;
  headerLine: number | null;
  rows: number;
  skipped: { count: number; lines: { line: number; kind: string; text: string }[] };
  /** Each with `message`, the one-line form `file:line: column X: reason (profile P)`. */
  rejected: { file: string; line: number; column?: string; reason: string; message: string }[];
  mapping: Record<string, string>;
  unmapped: string[];
  lines: ParsedFile['lines'];
  dateRange: { from: string | null; to: string | null };
  totals: Record<string, string>;
  unusableIds: { line: number; field: string; raw: string; reason: string }[];
  /** Rows whose balance column is filled but unreadable (ICBC masks it as `xx,yyyy.zz`): never guessed. */
  unreadableBalances: { count: number; lines: number[]; example: string } | null;
  /** Things the user should know about the file, one sentence each. */
  notes: string[];
}

const MONEY_KEYS = ['amount', 'fee', 'net', 'credit', 'debit'] as const;

export function inspectSummary(parsed: ParsedFile): InspectFileJson {
  const totals: Record<string, string> = {};
  for (const key of MONEY_KEYS) {
    let sum: Decimal | null = null;
    for (const r of parsed.records) {
      const v = r[key];
      if (v !== undefined) sum = (sum ?? new Decimal(0)).plus(v);
    }
    if (sum !== null) totals[key] = formatYuan(sum);
  }
  let from: string | null = null;
  let to: string | null = null;
  for (const r of parsed.records) {
    const d = (r.time ?? r.settleDate ?? r.businessDate ?? '').slice(0, 10);
    if (!d) continue;
    if (from === null || d < from) from = d;
    if (to === null || d > to) to = d;
  }
  const unreadable = parsed.records.filter((r) => r.balanceUnreadable !== undefined);
  const unreadableBalances = unreadable.length > 0
    ? { count: unreadable.length, lines: unreadable.map((r) => r.source.line), example: unreadable[0].balanceUnreadable! }
    : null;
  const notes: string[] = [];
  if (unreadableBalances) {
    notes.push(
      `balance unreadable on ${unreadableBalances.count} of ${parsed.records.length} rows (e.g. "${unreadableBalances.example}", masked or not a number): ` +
        'balances are left empty, not guessed',
    );
  }
  const unusableCount = parsed.records.filter((r) => r.unusable.length > 0).length;
  if (unusableCount > 0) notes.push(`${unusableCount} rows have identifiers destroyed by Excel: they are never used for matching`);
  const mapping: Record<string, string> = {};
  for (const [field, header] of Object.entries(parsed.mapping.headers)) mapping[header as string] = field;
  return {
    file: parsed.file,
    encoding: parsed.encoding,
    encodingReason: parsed.encodingReason,
    delimiter: delimiterName(parsed.delimiter),
    profile: parsed.profile.name,
    role: parsed.role,
    reason: parsed.reason,
    headerLine: parsed.headerLine,
    rows: parsed.records.length,
    skipped: { count: parsed.skipped.length, lines: parsed.skipped.map((s) => ({ line: s.line, kind: s.kind, text: s.text })) },
    rejected: parsed.rejected.map((r) => ({ file: r.file, line: r.line, ...(r.column !== undefined ? { column: r.column } : {}), reason: r.reason, message: formatRejected(r, parsed.profile.name) })),
    mapping,
    unmapped: parsed.mapping.unmapped,
    lines: parsed.lines,
    dateRange: { from, to },
    totals,
    unusableIds: parsed.records.flatMap((r) => r.unusable.map((u) => ({ line: r.source.line, field: u.field, raw: u.raw, reason: u.reason }))),
    unreadableBalances,
    notes,
  };
}

export function formatRejected(r: { file: string; line: number; column?: string; reason: string }, profile?: string): string {
  return `${r.file}:${r.line}: ${r.column ? `column ${r.column}: ` : ''}${r.reason}${profile ? ` (profile ${profile})` : ''}`;
}

export function renderInspectText(files: InspectFileJson[]): string {
  const out: string[] = [];
  for (const f of files) {
    const l = f.lines;
    out.push(f.file);
    out.push(`  encoding   ${f.encoding} (${f.encodingReason}), ${f.delimiter}-separated`);
    out.push(`  profile    ${f.profile} → ${f.role}: ${f.reason}`);
    out.push(`  mapping    ${Object.entries(f.mapping).map(([h, field]) => `${h}→${field}`).join(', ')}`);
    if (f.unmapped.length) out.push(`  unmapped   ${f.unmapped.join(', ')}`);
    out.push(`  lines      ${l.total} = header ${l.header} + skipped ${l.skipped} + records ${l.records} + rejected ${l.rejected}`);
    out.push(`  rows       ${f.rows} read, ${f.rejected.length} rejected, ${f.skipped.count} lines skipped`);
    // In line order, blank lines too, so the list adds up to the count (a long run of them shortened).
    const shown = [...f.skipped.lines].sort((a, b) => a.line - b.line);
    for (const s of shown.slice(0, 40)) out.push(`    skipped  line ${s.line} (${s.kind})${s.kind === 'blank' ? '' : `: ${s.text}`}`);
    if (shown.length > 40) out.push(`    skipped  … ${shown.length - 40} more (--format json lists them all)`);
    if (f.dateRange.from) out.push(`  dates      ${f.dateRange.from} … ${f.dateRange.to}`);
    const totals = Object.entries(f.totals).map(([k, v]) => `${k} ${v}`).join('  ');
    if (totals) out.push(`  totals     ${totals}`);
    for (const n of f.notes) out.push(`  note       ${n}`);
    for (const u of f.unusableIds) out.push(`  unusable   ${f.file}:${u.line}: ${u.field} "${u.raw}": ${u.reason}`);
    for (const r of f.rejected) out.push(`  rejected   ${formatRejected(r, f.profile)}`);
    out.push('');
  }
  // Nearly every line quotes the file (headers, skipped title and footer lines, cells, file names),
  // and none has a control character of its own: each is made printable whole (no colours here).
  return out.map(printable).join('\n');
}

/** `inspect` on a UnionPay RD summary: not rows but the control totals it states for its ZM detail. */
export function inspectControlSummary(file: string, summary: UnionPaySummary): InspectFileJson {
  const totals: Record<string, string> = {};
  for (const t of summary.totals) totals[t.key] = /count$/i.test(t.key) ? t.value.toString() : formatYuan(t.value);
  return {
    file,
    encoding: 'gb18030',
    encodingReason: 'UnionPay RD summaries are GBK text',
    delimiter: 'report text',
    profile: 'unionpay-rd-summary',
    role: 'control totals',
    reason: `商户交易汇总表 for merchant ${summary.merchantId ?? '?'}, clearing date ${summary.clearingDate ?? '?'} (${summary.source})`,
    headerLine: null,
    rows: 0,
    skipped: { count: 0, lines: [] },
    rejected: [],
    mapping: {},
    unmapped: [],
    lines: { total: 0, header: 0, skipped: 0, records: 0, rejected: 0 },
    dateRange: { from: summary.clearingDate ?? null, to: summary.clearingDate ?? null },
    totals,
    unusableIds: [],
    unreadableBalances: null,
    notes: ['a summary, not transactions: give it with --settlement beside its ZM detail file and its totals are checked against the detail'],
  };
}
