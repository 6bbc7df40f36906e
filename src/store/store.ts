// The store that remembers ingested files, findings and decisions between daily runs (issue #9).
// Everything above this interface (src/store/daily.ts, src/cli/storeCommands.ts) is independent
// of the database: src/store/sqlite.ts is the embedded single-merchant implementation, and a
// PostgreSQL implementation for a service provider with many merchants implements the same
// interface (README "Daily runs"). Methods are async so that a network database fits.
import { InputError, type CanonicalRecord, type RejectedRow, type Role, type SkippedLine } from '../model.js';
import type { LineAccount } from '../read/readInput.js';
import type { ColumnMapping } from '../profiles/detect.js';

/** What a parsed file needs besides its records to be rebuilt as a ParsedFile. */
export interface FileMeta {
  encodingReason: string;
  delimiter: string;
  reason: string;
  headerLine: number | null;
  mapping: ColumnMapping;
  skipped: SkippedLine[];
  lines: LineAccount;
  /** The file's real absolute path when ingested (links followed): how a later run knows it, however spelled. */
  place?: string;
  /**
   * Totals the file states about itself that its rows did not match (合计：3笔 over 2 rows), money
   * as decimal strings, and where they were stated: reconcile reports them, so the store must.
   */
  controlTotalMismatches?: StoredMismatch[];
  controlTotalsSource?: string;
  /** Given as one role, its header fits another's layout better (reconcile's note). */
  readsBetterAs?: { role: Role; profile: string; plainly?: true };
}

/** A ControlTotalMismatch with its Decimals as strings (FileMeta is JSON). */
export interface StoredMismatch {
  key: string;
  label: string;
  stated: string;
  actual: string;
  difference: string;
  line?: number;
  message: string;
  part?: { from: number; to: number };
}

/** One ingested file version: (path, sha256) identifies it; `name` is what reports show. */
export interface StoredFile {
  id: number;
  /** FileMeta.place (files stored by an older posrecon have none). */
  place?: string;
  /** The path as given on the command line. */
  path: string;
  /** The path, or `path@sha8` for a later, different version of a path already in the store. */
  name: string;
  sha256: string;
  role: Role;
  profile: string;
  encoding: string;
  rows: number;
  rejected: number;
  skipped: number;
  /** Rows that were new events when the file was ingested (the rest were already known). */
  newRows: number;
  runId: number;
  /** The later version of the same path that replaced this one (its rows are gone), or null. */
  supersededBy: number | null;
}

export interface NewFile {
  path: string;
  name: string;
  sha256: string;
  role: Role;
  profile: string;
  encoding: string;
  meta: FileMeta;
  /** In file order; each with its store fingerprint (see fingerprintOf). */
  records: { record: CanonicalRecord; fingerprint: string }[];
  rejected: RejectedRow[];
  newRows: number;
  runId: number;
}

export interface LoadedFile {
  file: StoredFile;
  meta: FileMeta;
  /** Canonical records with `source.file` = the file's name. */
  records: CanonicalRecord[];
  rejected: RejectedRow[];
}

export interface RunRecord {
  id: number;
  startedAt: string;
  finishedAt: string | null;
  by: string;
  asOf: string | null;
  asOfSource: string | null;
  contract: string | null;
  contractSha256: string | null;
  args: string[];
  newFiles: number;
  newRows: number;
  counts: Record<string, number> | null;
  newFindings: number;
  resolvedFindings: number;
  openFindings: number;
  /** Hash of as-of, counts and every finding id: equal hashes mean an identical result. */
  resultSha256: string | null;
}

export type NewRun = Pick<RunRecord, 'startedAt' | 'by' | 'args' | 'contract' | 'contractSha256'>;
export type RunOutcome = Pick<
  RunRecord,
  'finishedAt' | 'asOf' | 'asOfSource' | 'newFiles' | 'newRows' | 'counts' | 'newFindings' | 'resolvedFindings' | 'openFindings' | 'resultSha256'
>;

/** A finding id's life: when it appeared, whether it is present in the latest run, its last content. */
export interface FindingState {
  id: string;
  kind: string;
  exception: boolean;
  /** An open kind (an exception, or a pending settlement): something still to happen or to act on. */
  openKind: boolean;
  /** Present in the latest recorded run. */
  present: boolean;
  firstRun: number;
  firstAsOf: string;
  /** Start of the current (or last) period of presence. */
  sinceRun: number;
  sinceAsOf: string;
  goneRun: number | null;
  goneAsOf: string | null;
  /** Store fingerprints of the terminal and settlement rows the finding names. */
  rows: string[];
  message: string;
  /** The finding as `findingJson` printed it in the latest run it was present in. */
  data: Record<string, unknown>;
}

export type FindingEventKind = 'appeared' | 'reappeared' | 'resolved' | 'vanished';

export interface FindingEvent {
  findingId: string;
  runId: number;
  asOf: string;
  event: FindingEventKind;
  /** `now`: findings that took over its rows (on resolved); `was`: findings it took over from. */
  detail: { now?: { id: string; kind: string }[]; was?: { id: string; kind: string }[] };
}

export interface Decision {
  id: number;
  findingId: string;
  action: 'resolve';
  by: string;
  /** Wall-clock time, ISO 8601. */
  at: string;
  note: string;
  /** The latest run when the decision was made. */
  runId: number | null;
}

export interface StoreReader {
  schemaVersion(): Promise<number>;
  fileByIdentity(path: string, sha256: string): Promise<StoredFile | undefined>;
  /** Every file stored with these exact bytes, under any path. */
  filesByContent(sha256: string): Promise<StoredFile[]>;
  nameTaken(name: string): Promise<boolean>;
  files(): Promise<StoredFile[]>;
  /** For each fingerprint: how many rows carry it in each file already stored. */
  occurrences(fingerprints: string[]): Promise<Map<string, { fileId: number; name: string; count: number }[]>>;
  /** Every file with its records and rejected rows, in ingest order. */
  loadFiles(): Promise<LoadedFile[]>;
  lastRun(): Promise<RunRecord | undefined>;
  runs(): Promise<RunRecord[]>;
  /** Findings present in the latest recorded run. */
  presentFindings(): Promise<FindingState[]>;
  finding(id: string): Promise<FindingState | undefined>;
  /** Ids equal to or starting with `prefix`. */
  findingIdsByPrefix(prefix: string, limit: number): Promise<string[]>;
  allFindings(): Promise<FindingState[]>;
  events(findingId?: string): Promise<FindingEvent[]>;
  decisions(findingId?: string): Promise<Decision[]>;
  /** Stored records in file order, for export. */
  records(): Promise<{ file: string; line: number; fingerprint: string; record: CanonicalRecord }[]>;
  rejectedRows(): Promise<RejectedRow[]>;
}

export interface StoreWriter extends StoreReader {
  beginRun(run: NewRun): Promise<number>;
  finishRun(id: number, outcome: RunOutcome): Promise<void>;
  addFile(file: NewFile): Promise<StoredFile>;
  /** Live (not superseded) files stored under this path, with their records. */
  /** Live (not superseded) files at this path, or (with `samePlace`) at the same place however spelled. */
  liveFilesAt(path: string, samePlace?: (stored: StoredFile) => boolean): Promise<LoadedFile[]>;
  /** Marks these files superseded by `by` and drops their rows and rejected rows. */
  supersede(ids: number[], by: number): Promise<void>;
  /** Insert or replace a finding's state. */
  saveFinding(state: FindingState): Promise<void>;
  addEvent(event: FindingEvent): Promise<void>;
  addDecision(decision: Omit<Decision, 'id'>): Promise<Decision>;
  /** Roll the transaction back instead of committing it when the callback returns. */
  discard(): void;
}

export interface Store {
  /** Where the store lives, for messages (a file path; a connection name for a server). */
  readonly location: string;
  /**
   * Runs `fn` as one transaction holding the store's single-writer lock. Throws StoreBusyError
   * at once (no waiting) when another writer holds it; rolls back if `fn` throws, or the process
   * dies, leaving the previous state intact.
   */
  write<T>(fn: (tx: StoreWriter) => Promise<T>): Promise<T>;
  /** A consistent snapshot; never blocked by a writer. */
  read<T>(fn: (tx: StoreReader) => Promise<T>): Promise<T>;
  close(): void;
}

/** Another posrecon command holds the store's write lock (an input error: exit 2, one line). */
export class StoreBusyError extends InputError {
  constructor(readonly location: string) {
    super(
      `${location}: another posrecon command (a run or a resolve) is writing to this store right now; ` +
        'nothing was changed — try again when it has finished',
    );
    this.name = 'StoreBusyError';
  }
}
