// The documented machine-readable output: schema posrecon.reconcile/1 (README "JSON output").
// Money is always a string (never a JS number), 2 decimals, more where the source printed more.
import { Decimal } from 'decimal.js';
import type { CanonicalRecord } from '../model.js';
import type { ReconcileResult } from '../reconcile.js';
import { recordCount } from '../read/readInput.js';
import type { Finding, FeeBucket } from '../classify/findings.js';
import { formatYuan } from '../normalise/amount.js';
import { isException } from '../classify/kinds.js';
import { bankSummaryJson, dailyJson, payoutsJson } from './bank.js';
import { inputsInOrder } from './common.js';

export const RECONCILE_SCHEMA = 'posrecon.reconcile/1';

const money = (d: Decimal | undefined): string | null => (d === undefined ? null : formatYuan(d));

export function recordRef(r: CanonicalRecord | null): Record<string, unknown> | null {
  if (!r) return null;
  const ref: Record<string, unknown> = {
    file: r.source.file,
    line: r.source.line,
    role: r.role,
    merchantId: r.merchantId ?? null,
    terminalId: r.terminalId ?? null,
    time: r.time ?? null,
    settleDate: r.settleDate ?? null,
    rrn: r.rrn ?? null,
    trace: r.trace ?? null,
    orderId: r.orderId ?? null,
    card: r.card ?? null,
    cardType: r.cardType,
    txnType: r.txnType,
    status: r.status,
    amount: money(r.amount),
    fee: money(r.fee),
    net: money(r.net),
  };
  // Every key always present (null when the file has no such cell): one shape per role, so a
  // script can read any field of any finding.
  ref.rawType = r.rawType ?? null;
  ref.rawStatus = r.rawStatus ?? null;
  ref.memo = r.memo ?? null;
  if (r.role === 'bank') {
    ref.credit = money(r.credit);
    ref.debit = money(r.debit);
    ref.balance = money(r.balance);
    ref.balanceUnreadable = r.balanceUnreadable ?? null;
    ref.counterparty = r.counterparty ?? null;
    ref.counterpartyAccount = r.counterpartyAccount ?? null;
  }
  ref.unusable = r.unusable.map((u) => ({ field: u.field, raw: u.raw, reason: u.reason }));
  return ref;
}

const valueText = (v: Decimal | string | undefined): string | null =>
  v === undefined ? null : v instanceof Decimal ? formatYuan(v) : v;

export function findingJson(f: Finding): Record<string, unknown> {
  return {
    id: f.id ?? null,
    kind: f.kind,
    severity: f.severity,
    exception: isException(f.kind),
    message: f.message,
    terminal: recordRef(f.terminal),
    settlement: recordRef(f.settlement),
    related: f.related.map(recordRef),
    expected: valueText(f.expected),
    actual: valueText(f.actual),
    difference: f.difference ? formatYuan(f.difference) : null,
    details: f.details,
  };
}

function bucketJson(map: Map<string, FeeBucket>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, b] of [...map.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    out[k] = {
      count: b.count,
      charged: formatYuan(b.charged),
      perContract: formatYuan(b.perContract),
      overcharge: formatYuan(b.overcharge),
      undercharge: formatYuan(b.undercharge),
    };
  }
  return out;
}

export interface JsonOptions {
  includeMatched: boolean;
}

/** A piece of a streamed report: text, or text already encoded as UTF-8. */
export type ReportChunk = string | Uint8Array;

/**
 * The JSON report as text, in chunks: exactly `JSON.stringify(reconcileJson(…), null, 2) + '\n'`,
 * but findings are serialised one at a time, so 100k or a million of them stream to the output
 * instead of first becoming one object tree and one string (which V8 caps at ~512 MiB).
 */
export function* reconcileJsonChunks(result: ReconcileResult, opts: JsonOptions = { includeMatched: false }): Generator<string> {
  const decoder = new TextDecoder();
  for (const chunk of reconcileJsonByteChunks(result, opts)) yield typeof chunk === 'string' ? chunk : decoder.decode(chunk);
}

/**
 * reconcileJsonChunks as the CLI writes it: each batch of findings is one UTF-8 buffer. The
 * batch is serialised inside a wrapper that puts it at the document's indentation; cutting the
 * wrapper off the bytes (it is ASCII) costs nothing, where cutting it off the text copied it.
 */
export function* reconcileJsonByteChunks(result: ReconcileResult, opts: JsonOptions = { includeMatched: false }): Generator<ReportChunk> {
  const text = JSON.stringify(reconcileJson(result, opts, { findings: false }), null, 2);
  // Only the top-level key can look like this: quotes inside string values are escaped.
  const marker = '\n  "findings": []';
  const at = text.indexOf(marker);
  yield text.slice(0, at) + '\n  "findings": [';
  // Findings go out in batches, each serialised by one native call.
  const open = '{\n  "findings": [\n';
  const close = '\n  ]\n}';
  let batch: unknown[] = [];
  let first = true;
  function* flush(): Generator<ReportChunk> {
    const bytes = Buffer.from(JSON.stringify({ findings: batch }, null, 2), 'utf8');
    yield first ? '\n' : ',\n';
    yield bytes.subarray(open.length, bytes.length - close.length);
    first = false;
    batch = [];
  }
  for (const f of result.findings) {
    if (!opts.includeMatched && f.kind === 'matched') continue;
    batch.push(findingJson(f));
    if (batch.length === 2000) yield* flush();
  }
  if (batch.length > 0) yield* flush();
  yield (first ? ']' : '\n  ]') + text.slice(at + marker.length) + '\n';
}

export function reconcileJson(
  result: ReconcileResult,
  opts: JsonOptions = { includeMatched: false },
  /** `findings: false` leaves the findings array empty (reconcileJsonChunks fills it in). */
  build: { findings: boolean } = { findings: true },
): Record<string, unknown> {
  const t = result.totals;
  return {
    schema: RECONCILE_SCHEMA,
    asOf: result.asOf === '' ? null : result.asOf,
    asOfSource: result.asOfSource,
    mode: result.auditOnly ? 'fee-audit' : 'reconcile',
    // By role, then path: the same bytes whatever order a glob or a person gave the files in.
    inputs: inputsInOrder(result.files).map((f) => ({
      file: f.file,
      role: f.role,
      profile: f.profile.name,
      encoding: f.encoding,
      rows: recordCount(f),
      rejected: f.rejected.length,
      skipped: f.skipped.length,
      // A workbook's sheets with rows that were not read, and why (only when there are some).
      ...(f.sheetsNotRead?.length ? { sheetsNotRead: f.sheetsNotRead } : {}),
    })),
    summary: {
      counts: result.counts,
      exceptions: Object.entries(result.counts).filter(([k]) => isException(k as never)).reduce((n, [, v]) => n + v, 0),
      totals: {
        terminalSuccess: formatYuan(t.terminalSuccess),
        settled: formatYuan(t.settled),
        fees: formatYuan(t.fees),
        net: formatYuan(t.net),
        dropped: formatYuan(t.dropped),
        overdue: formatYuan(t.overdue),
        pending: formatYuan(t.pending),
        extraDeductions: formatYuan(t.deductions),
        feeOvercharge: formatYuan(t.feeOvercharge),
        feeUndercharge: formatYuan(t.feeUndercharge),
      },
      fees: {
        checked: result.fees.checked,
        charged: formatYuan(result.fees.charged),
        perContract: formatYuan(result.fees.perContract),
        overcharge: formatYuan(result.fees.overcharge),
        undercharge: formatYuan(result.fees.undercharge),
        byMonth: bucketJson(result.fees.byMonth),
        byTerminal: bucketJson(result.fees.byTerminal),
        byCardType: bucketJson(result.fees.byCardType),
      },
      rows: result.rows,
      missingCalendarYears: result.missingCalendarYears,
      feedGap: result.feedGap ?? null,
      daily: dailyJson(result.daily),
      bank: bankSummaryJson(result),
    },
    findings: build.findings ? result.findings.filter((f) => opts.includeMatched || f.kind !== 'matched').map(findingJson) : [],
    rejected: result.rejected.map((r) => ({ file: r.file, line: r.line, column: r.column ?? null, reason: r.reason })),
    payouts: payoutsJson(result),
  };
}
