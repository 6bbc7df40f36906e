// The embedded store: one SQLite file (default posrecon.sqlite in the working directory), so a
// cron line needs no setup. Safety rests on SQLite itself:
//  - every run is one transaction (BEGIN IMMEDIATE … COMMIT): a crash or kill before COMMIT
//    leaves the previous state, which SQLite recovers on the next open (WAL, synchronous=FULL);
//  - BEGIN IMMEDIATE takes the single write lock with busy_timeout 0, so a second concurrent
//    writer fails at once with StoreBusyError instead of waiting or interleaving;
//  - readers (status, history, export) see the last committed state while a run is in progress;
//  - the schema is versioned with PRAGMA user_version and upgraded by MIGRATIONS, in order,
//    each inside a write transaction.
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { InputError, type CanonicalRecord, type RejectedRow, type Role } from '../model.js';
import { deserialiseRecord, serialiseRecord } from './serialise.js';
import {
  StoreBusyError,
  type Decision,
  type FileMeta,
  type FindingEvent,
  type FindingState,
  type LoadedFile,
  type NewFile,
  type NewRun,
  type RunOutcome,
  type RunRecord,
  type Store,
  type StoreReader,
  type StoreWriter,
  type StoredFile,
} from './store.js';

type DB = Database.Database;

/** PRAGMA application_id of a posrecon store ('POSR'), so a foreign SQLite file is never written to. */
export const APPLICATION_ID = 0x504f5352;

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

/** Append-only: never edit a released migration, add the next version instead. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'files, records, rejected rows, runs, findings, finding events, decisions',
    sql: `
      CREATE TABLE run (
        id                INTEGER PRIMARY KEY,
        started_at        TEXT NOT NULL,
        finished_at       TEXT,
        by                TEXT NOT NULL,
        as_of             TEXT,
        as_of_source      TEXT,
        contract          TEXT,
        contract_sha256   TEXT,
        args              TEXT NOT NULL,
        new_files         INTEGER NOT NULL DEFAULT 0,
        new_rows          INTEGER NOT NULL DEFAULT 0,
        counts            TEXT,
        new_findings      INTEGER NOT NULL DEFAULT 0,
        resolved_findings INTEGER NOT NULL DEFAULT 0,
        open_findings     INTEGER NOT NULL DEFAULT 0,
        result_sha256     TEXT
      );
      CREATE TABLE source_file (
        id        INTEGER PRIMARY KEY,
        path      TEXT NOT NULL,
        name      TEXT NOT NULL UNIQUE,
        sha256    TEXT NOT NULL,
        role      TEXT NOT NULL CHECK (role IN ('terminal', 'settlement', 'bank')),
        profile   TEXT NOT NULL,
        encoding  TEXT NOT NULL,
        rows      INTEGER NOT NULL,
        rejected  INTEGER NOT NULL,
        skipped   INTEGER NOT NULL,
        new_rows  INTEGER NOT NULL,
        meta      TEXT NOT NULL,
        run_id    INTEGER NOT NULL REFERENCES run(id),
        UNIQUE (path, sha256)
      );
      CREATE TABLE record (
        file_id     INTEGER NOT NULL REFERENCES source_file(id),
        seq         INTEGER NOT NULL,
        line        INTEGER NOT NULL,
        role        TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        data        TEXT NOT NULL,
        PRIMARY KEY (file_id, seq)
      ) WITHOUT ROWID;
      CREATE INDEX record_by_fingerprint ON record (fingerprint);
      CREATE TABLE rejected_row (
        file_id     INTEGER NOT NULL REFERENCES source_file(id),
        seq         INTEGER NOT NULL,
        line        INTEGER NOT NULL,
        column_name TEXT,
        reason      TEXT NOT NULL,
        PRIMARY KEY (file_id, seq)
      ) WITHOUT ROWID;
      CREATE TABLE finding (
        id            TEXT PRIMARY KEY,
        kind          TEXT NOT NULL,
        exception     INTEGER NOT NULL,
        open_kind     INTEGER NOT NULL,
        present       INTEGER NOT NULL,
        first_run     INTEGER NOT NULL REFERENCES run(id),
        first_as_of   TEXT NOT NULL,
        since_run     INTEGER NOT NULL REFERENCES run(id),
        since_as_of   TEXT NOT NULL,
        gone_run      INTEGER REFERENCES run(id),
        gone_as_of    TEXT,
        rows          TEXT NOT NULL,
        message       TEXT NOT NULL,
        data          TEXT NOT NULL
      );
      CREATE INDEX finding_present ON finding (present);
      CREATE TABLE finding_event (
        id         INTEGER PRIMARY KEY,
        finding_id TEXT NOT NULL REFERENCES finding(id),
        run_id     INTEGER NOT NULL REFERENCES run(id),
        as_of      TEXT NOT NULL,
        event      TEXT NOT NULL,
        detail     TEXT NOT NULL
      );
      CREATE INDEX finding_event_by_finding ON finding_event (finding_id);
      CREATE TABLE decision (
        id         INTEGER PRIMARY KEY,
        finding_id TEXT NOT NULL REFERENCES finding(id),
        action     TEXT NOT NULL,
        by         TEXT NOT NULL,
        at         TEXT NOT NULL,
        note       TEXT NOT NULL,
        run_id     INTEGER REFERENCES run(id)
      );
      CREATE INDEX decision_by_finding ON decision (finding_id);
    `,
  },
  {
    version: 2,
    description: 'a newer version of a file at the same path, covering its dates, supersedes it',
    sql: `
      ALTER TABLE source_file ADD COLUMN superseded_by INTEGER REFERENCES source_file(id);
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

const isBusy = (e: unknown) => {
  const code = (e as { code?: string }).code ?? '';
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
};

function sqliteFailure(location: string, e: unknown): Error {
  const code = (e as { code?: string }).code ?? '';
  if (isBusy(e)) return new StoreBusyError(location);
  if (code === 'SQLITE_NOTADB') return new InputError(`${location}: not a posrecon store (not an SQLite database)`, 'point --store at the file `posrecon run` created, or at a new path');
  if (code.startsWith('SQLITE_CANTOPEN')) return new InputError(`${location}: cannot open the store (missing directory or no permission)`);
  if (code.startsWith('SQLITE_READONLY')) return new InputError(`${location}: the store is read-only (file or directory permissions)`);
  return e as Error;
}

/** Apply the migrations the store lacks, in order, in one write transaction. Returns the new version. */
export function migrate(db: DB, location: string, migrations: readonly Migration[] = MIGRATIONS): number {
  const latest = migrations[migrations.length - 1].version;
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > latest) {
    throw new InputError(
      `${location}: the store has schema version ${version}, written by a newer posrecon (this one knows up to ${latest})`,
      'upgrade posrecon; an older version never writes to a newer store',
    );
  }
  if (version === latest) return version;
  db.pragma('busy_timeout = 0');
  try {
    db.exec('BEGIN IMMEDIATE');
  } catch (e) {
    throw sqliteFailure(location, e);
  } finally {
    db.pragma('busy_timeout = 5000');
  }
  try {
    // Re-read under the lock: a concurrent process may have migrated meanwhile.
    const current = db.pragma('user_version', { simple: true }) as number;
    for (const m of migrations) {
      if (m.version <= current) continue;
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.exec('COMMIT');
  } catch (e) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw e;
  }
  return latest;
}

export interface OpenOptions {
  /** Create the file when missing (`run`); other commands need an existing store. */
  create: boolean;
  migrations?: readonly Migration[];
}

export function openSqliteStore(path: string, opts: OpenOptions): SqliteStore {
  if (!opts.create && !existsSync(path)) {
    throw new InputError(`${path}: no store here yet`, `\`posrecon run --store ${path} --terminal … --settlement …\` creates it`);
  }
  if (opts.create && !existsSync(path)) {
    // better-sqlite3 says "Cannot open database because the directory does not exist" as a bare TypeError.
    const dir = dirname(resolve(path));
    let isDir = false;
    try {
      isDir = statSync(dir).isDirectory();
    } catch {
      isDir = false;
    }
    if (!isDir) {
      throw new InputError(`${path}: cannot create the store: ${existsSync(dir) ? `${dir} is a file, not a directory` : `no such directory ${dir}`}`, 'create the directory first, or point --store (or POSRECON_STORE) at a file in an existing one');
    }
  }
  let db: DB | undefined;
  try {
    db = new Database(path, { fileMustExist: !opts.create });
    db.pragma('busy_timeout = 5000');
    const appId = db.pragma('application_id', { simple: true }) as number;
    const version = db.pragma('user_version', { simple: true }) as number;
    const tables = db.prepare(`SELECT count(*) FROM sqlite_master`).pluck().get() as number;
    if ((appId !== 0 && appId !== APPLICATION_ID) || (appId === 0 && version === 0 && tables > 0)) {
      throw new InputError(`${path}: not a posrecon store (an SQLite database of something else)`, 'point --store at the file `posrecon run` created, or at a new path');
    }
    if ((db.pragma('journal_mode', { simple: true }) as string) !== 'wal') db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrate(db, path, opts.migrations ?? MIGRATIONS);
    return new SqliteStore(db, path);
  } catch (e) {
    db?.close();
    throw sqliteFailure(path, e);
  }
}

export class SqliteStore implements Store {
  constructor(
    private readonly db: DB,
    readonly location: string,
  ) {}

  async write<T>(fn: (tx: StoreWriter) => Promise<T>): Promise<T> {
    this.db.pragma('busy_timeout = 0');
    try {
      this.db.exec('BEGIN IMMEDIATE');
    } catch (e) {
      throw sqliteFailure(this.location, e);
    } finally {
      this.db.pragma('busy_timeout = 5000');
    }
    const tx = new SqliteTx(this.db);
    try {
      const value = await fn(tx);
      this.db.exec(tx.discarded ? 'ROLLBACK' : 'COMMIT');
      return value;
    } catch (e) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw e;
    }
  }

  async read<T>(fn: (tx: StoreReader) => Promise<T>): Promise<T> {
    this.db.exec('BEGIN');
    try {
      return await fn(new SqliteTx(this.db));
    } finally {
      if (this.db.inTransaction) this.db.exec('COMMIT');
    }
  }

  /** For tests and `doctor`-style checks: PRAGMA integrity_check. */
  integrityCheck(): string {
    return this.db.pragma('integrity_check', { simple: true }) as string;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

interface FileRow {
  id: number;
  path: string;
  name: string;
  sha256: string;
  role: string;
  profile: string;
  encoding: string;
  rows: number;
  rejected: number;
  skipped: number;
  new_rows: number;
  meta: string;
  run_id: number;
  superseded_by: number | null;
}

interface RunRow {
  id: number;
  started_at: string;
  finished_at: string | null;
  by: string;
  as_of: string | null;
  as_of_source: string | null;
  contract: string | null;
  contract_sha256: string | null;
  args: string;
  new_files: number;
  new_rows: number;
  counts: string | null;
  new_findings: number;
  resolved_findings: number;
  open_findings: number;
  result_sha256: string | null;
}

interface FindingRow {
  id: string;
  kind: string;
  exception: number;
  open_kind: number;
  present: number;
  first_run: number;
  first_as_of: string;
  since_run: number;
  since_as_of: string;
  gone_run: number | null;
  gone_as_of: string | null;
  rows: string;
  message: string;
  data: string;
}

const fileOf = (r: FileRow): StoredFile => ({
  id: r.id,
  ...placeOf(r.meta),
  path: r.path,
  name: r.name,
  sha256: r.sha256,
  role: r.role as Role,
  profile: r.profile,
  encoding: r.encoding,
  rows: r.rows,
  rejected: r.rejected,
  skipped: r.skipped,
  newRows: r.new_rows,
  runId: r.run_id,
  supersededBy: r.superseded_by ?? null,
});

function placeOf(meta: string): { place?: string } {
  const place = (JSON.parse(meta) as FileMeta).place;
  return place ? { place } : {};
}

const runOf = (r: RunRow): RunRecord => ({
  id: r.id,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  by: r.by,
  asOf: r.as_of,
  asOfSource: r.as_of_source,
  contract: r.contract,
  contractSha256: r.contract_sha256,
  args: JSON.parse(r.args) as string[],
  newFiles: r.new_files,
  newRows: r.new_rows,
  counts: r.counts ? (JSON.parse(r.counts) as Record<string, number>) : null,
  newFindings: r.new_findings,
  resolvedFindings: r.resolved_findings,
  openFindings: r.open_findings,
  resultSha256: r.result_sha256,
});

const findingOf = (r: FindingRow): FindingState => ({
  id: r.id,
  kind: r.kind,
  exception: r.exception === 1,
  openKind: r.open_kind === 1,
  present: r.present === 1,
  firstRun: r.first_run,
  firstAsOf: r.first_as_of,
  sinceRun: r.since_run,
  sinceAsOf: r.since_as_of,
  goneRun: r.gone_run,
  goneAsOf: r.gone_as_of,
  rows: JSON.parse(r.rows) as string[],
  message: r.message,
  data: JSON.parse(r.data) as Record<string, unknown>,
});

interface DecisionRow {
  id: number;
  finding_id: string;
  action: string;
  by: string;
  at: string;
  note: string;
  run_id: number | null;
}

const decisionOf = (r: DecisionRow): Decision => ({
  id: r.id,
  findingId: r.finding_id,
  action: r.action as Decision['action'],
  by: r.by,
  at: r.at,
  note: r.note,
  runId: r.run_id,
});

/** One transaction's view of the store. Only valid inside Store.write/read. */
export class SqliteTx implements StoreWriter {
  discarded = false;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly db: DB) {}

  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  discard(): void {
    this.discarded = true;
  }

  async schemaVersion(): Promise<number> {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  async fileByIdentity(path: string, sha256: string): Promise<StoredFile | undefined> {
    const row = this.stmt('SELECT * FROM source_file WHERE path = ? AND sha256 = ?').get(path, sha256) as FileRow | undefined;
    return row && fileOf(row);
  }

  async filesByContent(sha256: string): Promise<StoredFile[]> {
    return (this.stmt('SELECT * FROM source_file WHERE sha256 = ? ORDER BY id').all(sha256) as FileRow[]).map(fileOf);
  }

  async nameTaken(name: string): Promise<boolean> {
    return this.stmt('SELECT 1 FROM source_file WHERE name = ?').get(name) !== undefined;
  }

  async files(): Promise<StoredFile[]> {
    return (this.stmt('SELECT * FROM source_file ORDER BY id').all() as FileRow[]).map(fileOf);
  }

  async occurrences(fingerprints: string[]): Promise<Map<string, { fileId: number; name: string; count: number }[]>> {
    const out = new Map<string, { fileId: number; name: string; count: number }[]>();
    const unique = [...new Set(fingerprints)];
    for (let i = 0; i < unique.length; i += 500) {
      const chunk = unique.slice(i, i + 500);
      const rows = this.db
        .prepare(
          `SELECT r.fingerprint AS fp, r.file_id AS fileId, f.name AS name, count(*) AS n
             FROM record r JOIN source_file f ON f.id = r.file_id AND f.superseded_by IS NULL
            WHERE r.fingerprint IN (${chunk.map(() => '?').join(',')})
            GROUP BY r.fingerprint, r.file_id`,
        )
        .all(...chunk) as { fp: string; fileId: number; name: string; n: number }[];
      for (const r of rows) {
        const list = out.get(r.fp) ?? [];
        list.push({ fileId: r.fileId, name: r.name, count: r.n });
        out.set(r.fp, list);
      }
    }
    return out;
  }

  async loadFiles(): Promise<LoadedFile[]> {
    // A superseded version's rows were deleted with it (supersede): only live files load.
    const files = (this.stmt('SELECT * FROM source_file WHERE superseded_by IS NULL ORDER BY id').all() as FileRow[]).map((row) => ({
      file: fileOf(row),
      meta: JSON.parse(row.meta) as FileMeta,
      records: [] as CanonicalRecord[],
      rejected: [] as RejectedRow[],
    }));
    const byId = new Map(files.map((f) => [f.file.id, f]));
    for (const r of this.stmt('SELECT file_id, line, data FROM record ORDER BY file_id, seq').iterate() as IterableIterator<{ file_id: number; line: number; data: string }>) {
      const f = byId.get(r.file_id)!;
      f.records.push(deserialiseRecord(r.data, f.file.name, r.line));
    }
    for (const r of this.stmt('SELECT file_id, line, column_name, reason FROM rejected_row ORDER BY file_id, seq').iterate() as IterableIterator<{
      file_id: number;
      line: number;
      column_name: string | null;
      reason: string;
    }>) {
      const f = byId.get(r.file_id)!;
      f.rejected.push({ file: f.file.name, line: r.line, ...(r.column_name !== null ? { column: r.column_name } : {}), reason: r.reason });
    }
    return files;
  }

  async records(): Promise<{ file: string; line: number; fingerprint: string; record: CanonicalRecord }[]> {
    const rows = this.stmt(
      'SELECT f.name AS name, r.line AS line, r.fingerprint AS fingerprint, r.data AS data FROM record r JOIN source_file f ON f.id = r.file_id ORDER BY r.file_id, r.seq',
    ).all() as { name: string; line: number; fingerprint: string; data: string }[];
    return rows.map((r) => ({ file: r.name, line: r.line, fingerprint: r.fingerprint, record: deserialiseRecord(r.data, r.name, r.line) }));
  }

  async rejectedRows(): Promise<RejectedRow[]> {
    const rows = this.stmt(
      'SELECT f.name AS name, r.line AS line, r.column_name AS col, r.reason AS reason FROM rejected_row r JOIN source_file f ON f.id = r.file_id ORDER BY r.file_id, r.seq',
    ).all() as { name: string; line: number; col: string | null; reason: string }[];
    return rows.map((r) => ({ file: r.name, line: r.line, ...(r.col !== null ? { column: r.col } : {}), reason: r.reason }));
  }

  async lastRun(): Promise<RunRecord | undefined> {
    const row = this.stmt('SELECT * FROM run ORDER BY id DESC LIMIT 1').get() as RunRow | undefined;
    return row && runOf(row);
  }

  async runs(): Promise<RunRecord[]> {
    return (this.stmt('SELECT * FROM run ORDER BY id').all() as RunRow[]).map(runOf);
  }

  async presentFindings(): Promise<FindingState[]> {
    return (this.stmt('SELECT * FROM finding WHERE present = 1').all() as FindingRow[]).map(findingOf);
  }

  async finding(id: string): Promise<FindingState | undefined> {
    const row = this.stmt('SELECT * FROM finding WHERE id = ?').get(id) as FindingRow | undefined;
    return row && findingOf(row);
  }

  async findingIdsByPrefix(prefix: string, limit: number): Promise<string[]> {
    // Ids are lowercase hex with an optional -n suffix: no LIKE wildcards to escape after this check.
    if (!/^[0-9a-f-]+$/.test(prefix)) return [];
    return this.stmt('SELECT id FROM finding WHERE id LIKE ? ORDER BY id LIMIT ?').pluck().all(`${prefix}%`, limit) as string[];
  }

  async allFindings(): Promise<FindingState[]> {
    return (this.stmt('SELECT * FROM finding ORDER BY first_run, id').all() as FindingRow[]).map(findingOf);
  }

  async events(findingId?: string): Promise<FindingEvent[]> {
    const rows = (
      findingId === undefined
        ? this.stmt('SELECT * FROM finding_event ORDER BY id').all()
        : this.stmt('SELECT * FROM finding_event WHERE finding_id = ? ORDER BY id').all(findingId)
    ) as { finding_id: string; run_id: number; as_of: string; event: string; detail: string }[];
    return rows.map((r) => ({
      findingId: r.finding_id,
      runId: r.run_id,
      asOf: r.as_of,
      event: r.event as FindingEvent['event'],
      detail: JSON.parse(r.detail) as FindingEvent['detail'],
    }));
  }

  async decisions(findingId?: string): Promise<Decision[]> {
    const rows = (
      findingId === undefined
        ? this.stmt('SELECT * FROM decision ORDER BY id').all()
        : this.stmt('SELECT * FROM decision WHERE finding_id = ? ORDER BY id').all(findingId)
    ) as DecisionRow[];
    return rows.map(decisionOf);
  }

  async beginRun(run: NewRun): Promise<number> {
    const info = this.stmt('INSERT INTO run (started_at, by, args, contract, contract_sha256) VALUES (?, ?, ?, ?, ?)').run(
      run.startedAt,
      run.by,
      JSON.stringify(run.args),
      run.contract,
      run.contractSha256,
    );
    return Number(info.lastInsertRowid);
  }

  async finishRun(id: number, o: RunOutcome): Promise<void> {
    this.stmt(
      `UPDATE run SET finished_at = ?, as_of = ?, as_of_source = ?, new_files = ?, new_rows = ?, counts = ?,
              new_findings = ?, resolved_findings = ?, open_findings = ?, result_sha256 = ? WHERE id = ?`,
    ).run(
      o.finishedAt,
      o.asOf,
      o.asOfSource,
      o.newFiles,
      o.newRows,
      o.counts ? JSON.stringify(o.counts) : null,
      o.newFindings,
      o.resolvedFindings,
      o.openFindings,
      o.resultSha256,
      id,
    );
  }

  async liveFilesAt(path: string, samePlace?: (stored: StoredFile) => boolean): Promise<LoadedFile[]> {
    const rows = samePlace
      ? (this.stmt('SELECT * FROM source_file WHERE superseded_by IS NULL ORDER BY id').all() as FileRow[]).filter((row) => row.path === path || samePlace(fileOf(row)))
      : (this.stmt('SELECT * FROM source_file WHERE path = ? AND superseded_by IS NULL ORDER BY id').all(path) as FileRow[]);
    return rows.map((row) => {
      const file = fileOf(row);
      const records = (this.stmt('SELECT line, data FROM record WHERE file_id = ? ORDER BY seq').all(row.id) as { line: number; data: string }[]).map((r) =>
        deserialiseRecord(r.data, file.name, r.line),
      );
      return { file, meta: JSON.parse(row.meta) as FileMeta, records, rejected: [] };
    });
  }

  async supersede(ids: number[], by: number): Promise<void> {
    for (const id of ids) {
      this.stmt('UPDATE source_file SET superseded_by = ? WHERE id = ?').run(by, id);
      // Its rows are no longer facts: the new version restates them (cumulative exports would
      // otherwise grow the store with the square of the days).
      this.stmt('DELETE FROM record WHERE file_id = ?').run(id);
      this.stmt('DELETE FROM rejected_row WHERE file_id = ?').run(id);
    }
  }

  async addFile(f: NewFile): Promise<StoredFile> {
    const info = this.stmt(
      `INSERT INTO source_file (path, name, sha256, role, profile, encoding, rows, rejected, skipped, new_rows, meta, run_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(f.path, f.name, f.sha256, f.role, f.profile, f.encoding, f.records.length, f.rejected.length, f.meta.skipped.length, f.newRows, JSON.stringify(f.meta), f.runId);
    const id = Number(info.lastInsertRowid);
    const insertRecord = this.stmt('INSERT INTO record (file_id, seq, line, role, fingerprint, data) VALUES (?, ?, ?, ?, ?, ?)');
    f.records.forEach(({ record, fingerprint }, seq) => {
      insertRecord.run(id, seq, record.source.line, record.role, fingerprint, serialiseRecord(record));
    });
    const insertRejected = this.stmt('INSERT INTO rejected_row (file_id, seq, line, column_name, reason) VALUES (?, ?, ?, ?, ?)');
    f.rejected.forEach((r, seq) => insertRejected.run(id, seq, r.line, r.column ?? null, r.reason));
    return fileOf(this.stmt('SELECT * FROM source_file WHERE id = ?').get(id) as FileRow);
  }

  async saveFinding(s: FindingState): Promise<void> {
    this.stmt(
      `INSERT OR REPLACE INTO finding (id, kind, exception, open_kind, present, first_run, first_as_of, since_run, since_as_of,
                                       gone_run, gone_as_of, rows, message, data)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      s.id,
      s.kind,
      s.exception ? 1 : 0,
      s.openKind ? 1 : 0,
      s.present ? 1 : 0,
      s.firstRun,
      s.firstAsOf,
      s.sinceRun,
      s.sinceAsOf,
      s.goneRun,
      s.goneAsOf,
      JSON.stringify(s.rows),
      s.message,
      JSON.stringify(s.data),
    );
  }

  async addEvent(e: FindingEvent): Promise<void> {
    this.stmt('INSERT INTO finding_event (finding_id, run_id, as_of, event, detail) VALUES (?, ?, ?, ?, ?)').run(
      e.findingId,
      e.runId,
      e.asOf,
      e.event,
      JSON.stringify(e.detail),
    );
  }

  async addDecision(d: Omit<Decision, 'id'>): Promise<Decision> {
    const info = this.stmt('INSERT INTO decision (finding_id, action, by, at, note, run_id) VALUES (?, ?, ?, ?, ?, ?)').run(
      d.findingId,
      d.action,
      d.by,
      d.at,
      d.note,
      d.runId,
    );
    return { id: Number(info.lastInsertRowid), ...d };
  }
}
