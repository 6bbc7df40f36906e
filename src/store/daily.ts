// One daily run (issue #9), over any Store: ingest the day's files, reconcile everything the store
// knows with the pure reconcile(), and diff the finding ids against the previous run.
//
// Design: the store keeps every ingested row (canonical record, fingerprint, file:line), and each
// run rebuilds the parsed files from it and calls reconcile() over all of them. So the result is,
// by construction, what one `posrecon reconcile` over every file ingested so far prints: the same
// cross-file dedupe (a row in two files is one record, two identical lines in one file are two
// events), the same matching, the same finding ids. Only the bookkeeping is new: which files and
// rows were already known, which findings are new, resolved or still open, and for how long.
import type { CanonicalRecord, LocalDate, RejectedRow, Role } from '../model.js';
import { InputError } from '../model.js';
import type { Contract } from '../contract/contract.js';
import type { WorkCalendar } from '../calendar/calendar.js';
import type { ParsedFile } from '../read/readInput.js';
import type { ControlTotalMismatch } from '../read/controlTotals.js';
import { Decimal } from 'decimal.js';
import type { Encoding } from '../read/decode.js';
import type { Profile } from '../profiles/profile.js';
import { builtinProfiles } from '../profiles/builtin.js';
import { reconcile, type ReconcileResult } from '../reconcile.js';
import type { Finding } from '../classify/findings.js';
import { isException, type FindingKind } from '../classify/kinds.js';
import { findingJson } from '../report/json.js';
import { fingerprintOf, sha256Hex } from './serialise.js';
import type { Decision, FindingState, LoadedFile, RunRecord, Store, StoredFile, StoreReader, StoreWriter } from './store.js';

/** Open items: exceptions, and pending settlements (something still has to happen). */
export function isOpenKind(kind: string): boolean {
  return isException(kind as FindingKind) || kind === 'unsettled_pending';
}

export interface RunInputFile {
  /** The path as given; with the content hash it identifies the file in the store. */
  path: string;
  /** The file's real absolute path (links followed), kept with it in the store. */
  place?: string;
  /** Whether a file stored by an earlier run is at the same place as this one. */
  samePlace?: (stored: StoredFile) => boolean;
  role: Role;
  bytes: Uint8Array;
  /** Parse the bytes, naming the file `name` in records and rejected rows. Called only for new files. */
  parse: (name: string) => ParsedFile;
}

export interface DailyRunInput {
  files: RunInputFile[];
  contract: Contract;
  calendar: WorkCalendar;
  asOf?: LocalDate;
  by: string;
  args: string[];
  contractPath: string | null;
  /** Hash of the contract and holiday files: a changed contract is a changed result. */
  configSha256: string | null;
  now: () => string;
  /** Test hook (POSRECON_TEST_PAUSE_AFTER_INGEST): wait this long inside the transaction, after ingest. */
  pauseAfterIngestMs?: number;
  onPause?: (ms: number) => void;
}

export interface IngestReport {
  path: string;
  name: string;
  role: Role;
  /** `new`: stored now; `known`: this exact file (path and content) was already ingested. */
  status: 'new' | 'known';
  rows: number;
  newRows: number;
  knownRows: number;
  /** Files that already held the known rows. */
  knownFrom: string[];
  rejected: number;
  /** The run that first ingested it. */
  run: number;
  /** Earlier versions of the same path this one replaced (it restates every date they held). */
  replaces?: string[];
  /** A workbook's sheets with rows that were not read (as reconcile's inputs[].sheetsNotRead). */
  sheetsNotRead?: { sheet: string; rows: number; why: string }[];
}

export interface ItemRef {
  id: string;
  kind: string;
}

export interface OpenItem {
  id: string;
  kind: string;
  exception: boolean;
  message: string;
  /** As-of date of the run where the current open period began, and that run. */
  openSince: LocalDate;
  openSinceRun: number;
  /** Days from openSince to the current as-of date. */
  ageDays: number;
  isNew: boolean;
  acknowledged: Decision | null;
  /** On new items: the findings it took over from (yesterday's pending that is now overdue). */
  was: ItemRef[];
}

export interface ResolvedItem {
  id: string;
  kind: string;
  exception: boolean;
  message: string;
  openSince: LocalDate;
  ageDays: number;
  acknowledged: Decision | null;
  /** The findings that now hold its rows (e.g. the `matched` pair that settled a pending sale). */
  now: ItemRef[];
  /**
   * `cleared`: nothing open holds its rows any more (the pending sale settled, the late terminal
   * export explains the dropped order); `superseded`: an open finding took its rows over (the
   * pending sale is now `unsettled_overdue`).
   */
  outcome: 'cleared' | 'superseded';
}

export interface DailyRunResult {
  store: string;
  /** The run recorded now, or null when nothing changed and nothing was recorded. */
  runId: number | null;
  previousRun: RunRecord | null;
  ingest: IngestReport[];
  result: ReconcileResult;
  newItems: OpenItem[];
  resolved: ResolvedItem[];
  /** Every open item now (new ones included), oldest first. */
  open: OpenItem[];
  /**
   * Informational findings other than matched pairs (settled_late, no_settlement_expected …) that
   * appeared as of this run's as-of date (in this run or an earlier one of the same date): events,
   * not standing states. `--fail-on` naming their kind fails every run of that date (until
   * acknowledged), not every later one while they are still part of the state.
   */
  newInformational: OpenItem[];
  /** Matched pairs that appeared in this run (counted only: a day's sales are no list of events). */
  newMatched: number;
  /** Rejected rows of the files ingested in this run (older files' rejects were reported then). */
  newRejected: RejectedRow[];
}

export function daysBetween(from: LocalDate, to: LocalDate): number {
  const ms = Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`);
  return Number.isNaN(ms) ? 0 : Math.max(0, Math.round(ms / 86_400_000));
}

/** Latest decision per finding id. */
export function acknowledgements(decisions: Decision[]): Map<string, Decision> {
  const out = new Map<string, Decision>();
  for (const d of decisions) out.set(d.findingId, d);
  for (const [id, d] of out) if (d.action !== 'resolve') out.delete(id);
  return out;
}

const stubProfile = (name: string, role: Role): Profile =>
  ({ name, role, description: '', origin: '(from the store)', encodings: [], columns: {}, required: [], units: {}, junk: { preamble: [], footer: [] }, vocab: {}, defaults: {}, signature: [] }) as unknown as Profile;

/** A stored file as the ParsedFile reconcile() takes. */
export function toParsedFile(l: LoadedFile, profiles: Profile[] = builtinProfiles()): ParsedFile {
  return {
    file: l.file.name,
    encoding: l.file.encoding as Encoding,
    encodingReason: l.meta.encodingReason,
    delimiter: l.meta.delimiter,
    profile: profiles.find((p) => p.name === l.file.profile) ?? stubProfile(l.file.profile, l.file.role),
    role: l.file.role,
    reason: l.meta.reason,
    headerLine: l.meta.headerLine,
    mapping: l.meta.mapping,
    records: l.records,
    rejected: l.rejected,
    skipped: l.meta.skipped,
    lines: l.meta.lines,
    ...(l.meta.readsBetterAs ? { readsBetterAs: l.meta.readsBetterAs } : {}),
    ...(l.meta.controlTotalMismatches?.length
      ? {
          controlTotalMismatches: l.meta.controlTotalMismatches.map((m) => ({
            ...m, kind: 'control_total_mismatch' as const, key: m.key as ControlTotalMismatch['key'],
            stated: new Decimal(m.stated), actual: new Decimal(m.actual), difference: new Decimal(m.difference),
          })),
          ...(l.meta.controlTotalsSource ? { controlTotals: { source: l.meta.controlTotalsSource, totals: [], lines: [] } } : {}),
        }
      : {}),
  };
}

/** Reconcile everything in the store, exactly as one `reconcile` over all its files. */
export async function reconcileStore(tx: StoreReader, input: Pick<DailyRunInput, 'contract' | 'calendar' | 'asOf'>): Promise<ReconcileResult> {
  const files = (await tx.loadFiles()).map((f) => toParsedFile(f));
  return reconcile({
    terminal: files.filter((f) => f.role === 'terminal'),
    settlement: files.filter((f) => f.role === 'settlement'),
    bank: files.filter((f) => f.role === 'bank'),
    contract: input.contract,
    calendar: input.calendar,
    asOf: input.asOf,
  });
}

/** A report name for a new file version: its path, or path@sha8 when that path already names another version. */
async function nameFor(tx: StoreReader, path: string, sha256: string): Promise<string> {
  if (!(await tx.nameTaken(path))) return path;
  for (let n = 8; n <= 64; n += 4) {
    const name = `${path}@${sha256.slice(0, n)}`;
    if (!(await tx.nameTaken(name))) return name;
  }
  throw new Error(`no free name for ${path}`);
}

async function ingestFile(tx: StoreWriter, f: RunInputFile, runId: number): Promise<{ report: IngestReport; rejected: RejectedRow[] }> {
  const sha = sha256Hex(f.bytes);
  // The same bytes at the same place spelled otherwise (./t1.csv after t1.csv, an absolute path
  // from another folder, a link) are the same file. A copy elsewhere is another file: reconcile
  // counts its rows once and names it a duplicate export, and so does the store.
  const known =
    (await tx.fileByIdentity(f.path, sha)) ?? (f.samePlace ? (await tx.filesByContent(sha)).find((k) => f.samePlace!(k)) : undefined);
  if (known) {
    if (known.role !== f.role) {
      throw new InputError(`${f.path}: this file was ingested as a ${known.role} file in run #${known.runId}; it cannot now be a ${f.role} file`, `pass it as --${known.role}, or rename it if it really is different`);
    }
    return {
      report: { path: f.path, name: known.name, role: known.role, status: 'known', rows: known.rows, newRows: 0, knownRows: known.rows, knownFrom: [known.name], rejected: known.rejected, run: known.runId },
      rejected: [],
    };
  }
  const name = await nameFor(tx, f.path, sha);
  const parsed = f.parse(name);
  // reconcile reads such a file as given and says so; the store would keep its rows on the wrong
  // side for good (a settlement file in the terminal glob claims the lines it should pay). Only a
  // plain case is refused: a merchant-portal export printing 手续费 and 结算金额 beside its
  // 交易状态 scores as a settlement file too, and is one of the shop's terminal exports.
  if (parsed.readsBetterAs?.plainly) {
    const other = parsed.readsBetterAs;
    throw new InputError(
      `${f.path}: given as a ${f.role} file, but it reads as a ${other.role} file (${other.profile}); nothing was recorded`,
      `pass it with --${other.role} (check the --${f.role} pattern), or name its layout with --${f.role}-profile if it really is a ${f.role} file`,
    );
  }
  const records = parsed.records.map((record) => ({ record, fingerprint: fingerprintOf(record) }));
  // Events per fingerprint = the most copies in any single file (reconcile's dedupe rule), so a
  // row is new only beyond the copies some stored file already holds.
  const here = new Map<string, number>();
  for (const r of records) here.set(r.fingerprint, (here.get(r.fingerprint) ?? 0) + 1);
  const before = await tx.occurrences([...here.keys()]);
  let newRows = 0;
  const knownFrom = new Set<string>();
  for (const [fp, count] of here) {
    const prior = before.get(fp) ?? [];
    const most = prior.reduce((m, o) => Math.max(m, o.count), 0);
    newRows += Math.max(0, count - most);
    if (most > 0) for (const o of prior) knownFrom.add(o.name);
  }
  // An earlier version of the same path that this one restates is a re-issue (a corrected file,
  // a month-to-date export overwritten daily): this version replaces it. Restating means the same
  // layout, rows for every (date, merchant, terminal) the old one had rows for, and at least half
  // of the old one's rows unchanged. Anything else under a reused name ("settlement.csv" each
  // day, another merchant's or terminal's file, an afternoon export after the morning's, a
  // re-export filtered to one terminal) is kept beside it: dropping rows is never guessed.
  const scopeOf = (r: CanonicalRecord) => `${recordDate(r)}|${r.merchantId ?? ''}|${r.terminalId ?? ''}`;
  const scopesHere = new Set(parsed.records.map(scopeOf));
  const rowsHere = new Set(records.map((r) => r.fingerprint));
  const replaced = parsed.records.length === 0 ? [] : (await tx.liveFilesAt(f.path, f.samePlace)).filter((old) => {
    if (old.file.role !== parsed.role || old.file.profile !== parsed.profile.name || old.records.length === 0) return false;
    if (!old.records.every((r) => scopesHere.has(scopeOf(r)))) return false;
    const oldRows = new Set(old.records.map(fingerprintOf));
    let kept = 0;
    for (const fp of oldRows) if (rowsHere.has(fp)) kept++;
    return kept * 2 >= oldRows.size;
  });
  const stored = await tx.addFile({
    path: f.path,
    name,
    sha256: sha,
    role: parsed.role,
    profile: parsed.profile.name,
    encoding: parsed.encoding,
    meta: {
      encodingReason: parsed.encodingReason,
      delimiter: parsed.delimiter,
      reason: parsed.reason,
      headerLine: parsed.headerLine,
      mapping: parsed.mapping,
      skipped: parsed.skipped,
      lines: parsed.lines,
      ...(f.place ? { place: f.place } : {}),
      ...(parsed.controlTotalMismatches?.length
        ? {
            controlTotalMismatches: parsed.controlTotalMismatches.map((m) => ({
              key: m.key, label: m.label, stated: m.stated.toString(), actual: m.actual.toString(), difference: m.difference.toString(), message: m.message,
              ...(m.line !== undefined ? { line: m.line } : {}), ...(m.part ? { part: m.part } : {}),
            })),
            ...(parsed.controlTotals?.source ? { controlTotalsSource: parsed.controlTotals.source } : {}),
          }
        : {}),
      ...(parsed.readsBetterAs ? { readsBetterAs: parsed.readsBetterAs } : {}),
    },
    records,
    rejected: parsed.rejected,
    newRows,
    runId,
  });
  if (replaced.length > 0) await tx.supersede(replaced.map((old) => old.file.id), stored.id);
  return {
    report: {
      path: f.path,
      name,
      role: stored.role,
      status: 'new',
      rows: records.length,
      newRows,
      knownRows: records.length - newRows,
      knownFrom: [...knownFrom].sort(),
      rejected: parsed.rejected.length,
      run: runId,
      ...(replaced.length > 0 ? { replaces: replaced.map((old) => old.file.name) } : {}),
      ...(parsed.sheetsNotRead?.length ? { sheetsNotRead: parsed.sheetsNotRead } : {}),
    },
    rejected: parsed.rejected,
  };
}

/** The date a row belongs to, for telling a re-issue of a file from a file of other days. */
function recordDate(r: CanonicalRecord): string {
  return r.settleDate ?? r.businessDate ?? r.time?.slice(0, 10) ?? '';
}

const rowFingerprints = (f: Finding): string[] => [f.terminal, f.settlement].filter((r) => r !== null).map((r) => fingerprintOf(r!));

function resultHash(result: ReconcileResult, configSha256: string | null): string {
  const ids = result.findings.map((f) => `${f.id}:${f.kind}`).sort();
  return sha256Hex(JSON.stringify({ asOf: result.asOf, counts: result.counts, rows: result.rows, ids, config: configSha256 }));
}

export async function dailyRun(store: Store, input: DailyRunInput): Promise<DailyRunResult> {
  return store.write(async (tx) => {
    const previousRun = (await tx.lastRun()) ?? null;
    // A run that forgot -c would check no fee, and every fee finding would read as resolved
    // ("now matched") and come back as new, its age reset, the day the contract returns.
    if (previousRun?.contract && !input.contractPath) {
      throw new InputError(
        `this store's last run (#${previousRun.id}) checked fees against the contract ${previousRun.contract}; this run names none, so its fee findings would read as resolved`,
        `pass --contract ${previousRun.contract} (or the contract that replaces it)`,
      );
    }
    const runId = await tx.beginRun({ startedAt: input.now(), by: input.by, args: input.args, contract: input.contractPath, contractSha256: input.configSha256 });

    const ingest: IngestReport[] = [];
    const newRejected: RejectedRow[] = [];
    for (const f of input.files) {
      const { report, rejected } = await ingestFile(tx, f, runId);
      ingest.push(report);
      for (const r of rejected) newRejected.push(r);
    }
    if (input.pauseAfterIngestMs && input.pauseAfterIngestMs > 0) {
      input.onPause?.(input.pauseAfterIngestMs);
      await new Promise((resolve) => setTimeout(resolve, input.pauseAfterIngestMs));
    }

    const files = await tx.files();
    if (files.length === 0) {
      throw new InputError(`${store.location}: the store is empty and no files were given`, 'pass the day\'s exports with --terminal FILE… --settlement FILE…');
    }
    const result = await reconcileStore(tx, input);
    const asOf = result.asOf;

    // --- Diff against the previous run's findings ------------------------------------------
    const previous = new Map((await tx.presentFindings()).map((s) => [s.id, s]));
    const acks = acknowledgements(await tx.decisions());
    const currentIds = new Set(result.findings.map((f) => f.id!));
    const byRow = new Map<string, Finding[]>();
    for (const f of result.findings) for (const fp of rowFingerprints(f)) byRow.set(fp, [...(byRow.get(fp) ?? []), f]);
    const gone = [...previous.values()].filter((s) => !currentIds.has(s.id));
    const goneByRow = new Map<string, FindingState[]>();
    for (const s of gone) for (const fp of s.rows) goneByRow.set(fp, [...(goneByRow.get(fp) ?? []), s]);
    const refs = (list: { id: string; kind: string }[], self: string): ItemRef[] => {
      const seen = new Map<string, ItemRef>();
      for (const x of list) if (x.id !== self && !seen.has(x.id)) seen.set(x.id, { id: x.id, kind: x.kind });
      return [...seen.values()];
    };

    const newItems: OpenItem[] = [];
    const open: OpenItem[] = [];
    const newInformational: OpenItem[] = [];
    let newMatched = 0;
    for (const f of result.findings) {
      const id = f.id!;
      const rows = rowFingerprints(f);
      const data = findingJson(f);
      const prev = previous.get(id);
      const openKind = isOpenKind(f.kind);
      let state: FindingState;
      if (!prev) {
        const was = refs(rows.flatMap((fp) => goneByRow.get(fp) ?? []).filter((s) => s.openKind), id);
        const old = await tx.finding(id);
        state = old
          ? { ...old, present: true, sinceRun: runId, sinceAsOf: asOf, goneRun: null, goneAsOf: null, rows, message: f.message, data }
          : {
              id, kind: f.kind, exception: isException(f.kind), openKind, present: true, firstRun: runId, firstAsOf: asOf,
              sinceRun: runId, sinceAsOf: asOf, goneRun: null, goneAsOf: null, rows, message: f.message, data,
            };
        await tx.saveFinding(state);
        await tx.addEvent({ findingId: id, runId, asOf, event: old ? 'reappeared' : 'appeared', detail: was.length ? { was } : {} });
        const item = openItem(state, asOf, true, acks.get(id) ?? null, was);
        if (openKind) {
          newItems.push(item);
          open.push(item);
        } else if (f.kind === 'matched') newMatched++;
        else newInformational.push(item);
      } else {
        state = prev;
        // An event of this as-of date that an earlier run of the day recorded: still today's
        // (a second run of the morning, or the cron run after a manual one, must say the same).
        if (!openKind && f.kind !== 'matched' && prev.sinceAsOf === asOf) newInformational.push(openItem(prev, asOf, false, acks.get(id) ?? null, []));
        if (openKind) {
          if (prev.message !== f.message || JSON.stringify(prev.data) !== JSON.stringify(data)) {
            state = { ...prev, rows, message: f.message, data };
            await tx.saveFinding(state);
          }
          open.push(openItem(state, asOf, false, acks.get(id) ?? null, []));
        }
      }
    }
    const resolved: ResolvedItem[] = [];
    for (const s of gone) {
      // What the item became: findings on its rows that are new in this run (one that was there
      // already, such as a duplicate export of the same row, is not what it turned into).
      const now = refs(s.rows.flatMap((fp) => byRow.get(fp) ?? []).filter((f) => !previous.has(f.id!)).map((f) => ({ id: f.id!, kind: f.kind })), s.id);
      await tx.saveFinding({ ...s, present: false, goneRun: runId, goneAsOf: asOf });
      await tx.addEvent({ findingId: s.id, runId, asOf, event: s.openKind ? 'resolved' : 'vanished', detail: now.length ? { now } : {} });
      if (s.openKind) {
        resolved.push({ id: s.id, kind: s.kind, exception: s.exception, message: s.message, openSince: s.sinceAsOf, ageDays: daysBetween(s.sinceAsOf, asOf), acknowledged: acks.get(s.id) ?? null, now, outcome: now.some((r) => isOpenKind(r.kind)) ? 'superseded' : 'cleared' });
      }
    }
    open.sort(byAge);
    newItems.sort(byAge);
    newInformational.sort(byAge);
    resolved.sort((a, b) => b.ageDays - a.ageDays || a.id.localeCompare(b.id));

    const newFiles = ingest.filter((i) => i.status === 'new');
    const hash = resultHash(result, input.configSha256);
    const unchanged = newFiles.length === 0 && previousRun !== null && previousRun.resultSha256 === hash;
    if (unchanged) {
      // Same files, same contract, same answer: record nothing, so re-running a day is a no-op.
      tx.discard();
    } else {
      await tx.finishRun(runId, {
        finishedAt: input.now(),
        asOf,
        asOfSource: result.asOfSource,
        newFiles: newFiles.length,
        newRows: newFiles.reduce((n, i) => n + i.newRows, 0),
        counts: result.counts,
        newFindings: newItems.length,
        resolvedFindings: resolved.length,
        openFindings: open.length,
        resultSha256: hash,
      });
    }
    return {
      store: store.location,
      runId: unchanged ? null : runId,
      previousRun,
      ingest,
      result,
      newItems,
      resolved,
      open,
      newInformational,
      newMatched,
      newRejected,
    };
  });
}

function openItem(s: FindingState, asOf: LocalDate, isNew: boolean, acknowledged: Decision | null, was: ItemRef[]): OpenItem {
  return {
    id: s.id,
    kind: s.kind,
    exception: s.exception,
    message: s.message,
    openSince: s.sinceAsOf,
    openSinceRun: s.sinceRun,
    ageDays: daysBetween(s.sinceAsOf, asOf),
    isNew,
    acknowledged,
    was,
  };
}

/** Oldest first, then exceptions before pending, then id. */
export function byAge(a: { ageDays: number; exception: boolean; id: string }, b: { ageDays: number; exception: boolean; id: string }): number {
  return b.ageDays - a.ageDays || Number(b.exception) - Number(a.exception) || a.id.localeCompare(b.id);
}

export interface StatusResult {
  store: string;
  lastRun: RunRecord | null;
  open: OpenItem[];
}

/** The open items as of the last recorded run (no reconciling). */
export async function storeStatus(store: Store): Promise<StatusResult> {
  return store.read(async (tx) => {
    const lastRun = (await tx.lastRun()) ?? null;
    const acks = acknowledgements(await tx.decisions());
    const asOf = lastRun?.asOf ?? '';
    const open = (await tx.presentFindings())
      .filter((s) => s.openKind)
      .map((s) => openItem(s, asOf, s.sinceRun === lastRun?.id, acks.get(s.id) ?? null, []))
      .sort(byAge);
    return { store: store.location, lastRun, open };
  });
}

/** Resolve a full id or a unique prefix (at least 4 characters) to a known finding id. */
export async function resolveFindingId(tx: StoreReader, location: string, text: string): Promise<string> {
  const wanted = text.trim().toLowerCase();
  if (await tx.finding(wanted)) return wanted;
  const matches = wanted.length >= 4 ? await tx.findingIdsByPrefix(wanted, 6) : [];
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) throw new InputError(`${location}: "${text}" matches several findings (${matches.slice(0, 5).join(', ')}…); give more of the id`);
  if (wanted.length < 4) throw new InputError(`${location}: "${text}" is too short to pick a finding; give at least 4 characters of its id`, 'ids are printed by `posrecon run` and `posrecon status`');
  throw new InputError(`${location}: no finding "${text}" in this store`, 'ids are printed by `posrecon run` and `posrecon status`');
}

export interface ResolveInput {
  ids: string[];
  note: string;
  by: string;
  now: () => string;
}

/** Record a person's decision on findings; it persists and later reports show it. */
export async function resolveFindings(store: Store, input: ResolveInput): Promise<{ decision: Decision; finding: FindingState }[]> {
  return store.write(async (tx) => {
    const lastRun = await tx.lastRun();
    const out: { decision: Decision; finding: FindingState }[] = [];
    for (const text of input.ids) {
      const id = await resolveFindingId(tx, store.location, text);
      const finding = (await tx.finding(id))!;
      const decision = await tx.addDecision({ findingId: id, action: 'resolve', by: input.by, at: input.now(), note: input.note, runId: lastRun?.id ?? null });
      out.push({ decision, finding });
    }
    return out;
  });
}

export interface HistoryResult {
  store: string;
  finding: FindingState;
  acknowledged: Decision | null;
  lastRun: RunRecord | null;
  /** Events and decisions in order. */
  life: (
    | { type: 'event'; runId: number; asOf: string; at: string | null; event: string; detail: { now?: ItemRef[]; was?: ItemRef[] } }
    | { type: 'decision'; runId: number | null; at: string; action: string; by: string; note: string }
  )[];
}

export async function findingHistory(store: Store, idText: string): Promise<HistoryResult> {
  return store.read(async (tx) => {
    const id = await resolveFindingId(tx, store.location, idText);
    const finding = (await tx.finding(id))!;
    const runs = new Map((await tx.runs()).map((r) => [r.id, r]));
    const decisions = await tx.decisions(id);
    const events = await tx.events(id);
    const life: HistoryResult['life'] = [
      ...events.map((e) => ({ type: 'event' as const, runId: e.runId, asOf: e.asOf, at: runs.get(e.runId)?.startedAt ?? null, event: e.event, detail: e.detail })),
      ...decisions.map((d) => ({ type: 'decision' as const, runId: d.runId, at: d.at, action: d.action, by: d.by, note: d.note })),
    ];
    // In store order, not by wall clock: a run's events, then the decisions made after that run.
    const rank = (e: HistoryResult['life'][number]) => (e.runId ?? 0) * 2 + (e.type === 'decision' ? 1 : 0);
    life.sort((a, b) => rank(a) - rank(b));
    return { store: store.location, finding, acknowledged: acknowledgements(decisions).get(id) ?? null, lastRun: (await tx.lastRun()) ?? null, life };
  });
}
