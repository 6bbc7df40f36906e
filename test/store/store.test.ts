// The store layer: record round trip, ingest bookkeeping (the cross-file duplicate rule across
// runs), file versions, migrations and refusing foreign or newer files, decisions.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/model.js';
import { buildScenario } from '../support/scenario.js';
import { readInputFile } from '../../src/read/readInput.js';
import { builtinProfiles } from '../../src/profiles/builtin.js';
import { defaultContract } from '../../src/contract/contract.js';
import { loadBuiltinCalendar } from '../../src/calendar/calendar.js';
import { reconcile } from '../../src/reconcile.js';
import { reconcileJson } from '../../src/report/json.js';
import { recordFingerprint } from '../../src/match/keys.js';
import { deserialiseRecord, fingerprintOf, serialiseRecord } from '../../src/store/serialise.js';
import { APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, openSqliteStore } from '../../src/store/sqlite.js';
import { dailyRun, findingHistory, resolveFindings, storeStatus, type RunInputFile } from '../../src/store/daily.js';
import { StoreBusyError, type Store } from '../../src/store/store.js';
import { exportCsv } from '../../src/store/render.js';

const dir = mkdtempSync(join(tmpdir(), 'posrecon-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = () => join(dir, `store-${++n}.sqlite`);

const profiles = builtinProfiles();
const HEADER = '商户号,终端号,交易时间,交易类型,交易状态,卡号,卡类型,交易金额,参考号,凭证号,原参考号';
const row = (i: number, time = '2025-11-03 10:00:00') => `898310058120001,10000001,${time},消费,成功,622848******1234,借记卡,100.00,30000000000${i},00000${i},`;
const text = (...rows: string[]) => [HEADER, ...rows].join('\n') + '\n';

function input(path: string, body: string, role: 'terminal' | 'settlement' = 'terminal'): RunInputFile {
  const bytes = new TextEncoder().encode(body);
  return { path, role, bytes, parse: (name) => readInputFile(bytes, name, { profiles, role }) };
}

function run(store: Store, files: RunInputFile[], asOf?: string) {
  return dailyRun(store, {
    files,
    contract: defaultContract(),
    calendar: loadBuiltinCalendar(),
    asOf,
    by: 'test',
    args: [],
    contractPath: null,
    configSha256: null,
    now: () => '2025-11-04T07:00:00.000Z',
  });
}

function single(files: RunInputFile[]) {
  const parsed = files.map((f) => f.parse(f.path));
  return reconcileJson(reconcile({ terminal: parsed.filter((p) => p.role === 'terminal'), settlement: parsed.filter((p) => p.role === 'settlement'), contract: defaultContract(), calendar: loadBuiltinCalendar() }));
}

describe('stored records', () => {
  it('read back exactly as parsed: same fields, same Decimal values, same fingerprint', () => {
    const scenario = buildScenario();
    let count = 0;
    for (const f of scenario.files) {
      for (const r of readInputFile(f.bytes, f.name, { profiles, role: f.role }).records) {
        const back = deserialiseRecord(serialiseRecord(r), r.source.file, r.source.line);
        expect(back).toEqual(r);
        expect(recordFingerprint(back)).toBe(recordFingerprint(r));
        expect(fingerprintOf(back)).toBe(fingerprintOf(r));
        for (const k of ['amount', 'fee', 'net'] as const) if (r[k]) expect(back[k]!.equals(r[k]!)).toBe(true);
        count++;
      }
    }
    expect(count).toBeGreaterThan(500);
  });
});

describe('ingest bookkeeping', () => {
  it('keeps reconcile\'s rule across runs: a row in two files is one record, two identical lines in one file are two events', async () => {
    const store = openSqliteStore(freshPath(), { create: true });
    const a = input('a.csv', text(row(1), row(1), row(2)));
    const b = input('b.csv', text(row(1), row(3)));
    const c = input('c.csv', text(row(1), row(1), row(1)));
    const first = await run(store, [a]);
    expect(first.ingest[0]).toMatchObject({ status: 'new', rows: 3, newRows: 3, knownRows: 0 });
    const second = await run(store, [b]);
    expect(second.ingest[0]).toMatchObject({ status: 'new', rows: 2, newRows: 1, knownRows: 1, knownFrom: ['a.csv'] });
    const third = await run(store, [c]);
    expect(third.ingest[0]).toMatchObject({ rows: 3, newRows: 1, knownRows: 2 });
    const { inputs: _a, ...fromStore } = reconcileJson(third.result);
    const { inputs: _b, ...direct } = single([a, b, c]);
    expect(fromStore).toEqual(direct);
    // Three sales of row 1 (c.csv has three lines), one each of rows 2 and 3.
    expect(third.result.counts.duplicate_export).toBe(3);
    store.close();
  });

  it('skips a file already ingested (same path, same bytes) and records nothing when the result is unchanged', async () => {
    const store = openSqliteStore(freshPath(), { create: true });
    const a = input('a.csv', text(row(1), row(2)));
    const first = await run(store, [a]);
    expect(first.runId).toBe(1);
    const again = await run(store, [a, a]);
    expect(again.runId).toBeNull();
    expect(again.ingest.map((i) => i.status)).toEqual(['known', 'known']);
    expect(again.newItems).toEqual([]);
    expect(again.resolved).toEqual([]);
    expect(await store.read((tx) => tx.runs())).toHaveLength(1);
    // The same files judged at a later date are a different result: that run is recorded.
    const later = await run(store, [a], '2025-11-20');
    expect(later.runId).toBe(2);
    expect(later.resolved.map((r) => r.outcome)).toEqual(['superseded', 'superseded']);
    store.close();
  });

  it('a changed file under the same path that restates all its dates replaces it: a corrected re-issue, a month-to-date export', async () => {
    const store = openSqliteStore(freshPath(), { create: true });
    await run(store, [input('today/terminal.csv', text(row(1)))]);
    const next = await run(store, [input('today/terminal.csv', text(row(1), row(2)))]);
    expect(next.ingest[0]).toMatchObject({ status: 'new', newRows: 1, knownRows: 1, knownFrom: ['today/terminal.csv'], replaces: ['today/terminal.csv'] });
    expect(next.ingest[0].name).toMatch(/^today\/terminal\.csv@[0-9a-f]{8}$/);
    // The old version's row is not a second event: one reconcile over the live files.
    expect(next.result.counts.duplicate_export).toBe(0);
    expect(next.result.files.map((f) => f.file)).toEqual([next.ingest[0].name]);
    const files = await store.read((tx) => tx.files());
    expect(files.map((f) => [f.name, f.supersededBy])).toEqual([['today/terminal.csv', files[1].id], [next.ingest[0].name, null]]);
    // Only live files count when telling new rows from known ones.
    const third = await run(store, [input('other.csv', text(row(1)))]);
    expect(third.ingest[0]).toMatchObject({ knownFrom: [next.ingest[0].name] });
    store.close();
  });

  it('another merchant\'s or terminal\'s file under the same name is never taken for a re-issue', async () => {
    const store = openSqliteStore(freshPath(), { create: true });
    await run(store, [input('in/t.csv', text(row(1), row(2)))]);
    // Same date, another merchant, same name.
    const other = await run(store, [input('in/t.csv', text(row(3).replace('898310058120001', '898310058120002')))]);
    expect(other.ingest[0].replaces).toBeUndefined();
    // Same date and merchant, another terminal.
    const terminal2 = await run(store, [input('in/t.csv', text(row(4).replace(',10000001,', ',10000002,')))]);
    expect(terminal2.ingest[0].replaces).toBeUndefined();
    expect(terminal2.result.rows.read).toBe(4);
    store.close();
  });

  it('an afternoon export after the morning\'s under the same name (same day and terminal, other rows) is kept beside it', async () => {
    const store = openSqliteStore(freshPath(), { create: true });
    await run(store, [input('in/t.csv', text(row(1, '2025-11-03 09:00:00'), row(2, '2025-11-03 10:00:00')))]);
    const fewer = await run(store, [input('in/t.csv', text(row(3, '2025-11-03 15:00:00')))]);
    expect(fewer.ingest[0].replaces).toBeUndefined();
    const more = await run(store, [input('in/t.csv', text(row(4, '2025-11-03 16:00:00'), row(5, '2025-11-03 17:00:00'), row(6, '2025-11-03 18:00:00')))]);
    expect(more.ingest[0].replaces).toBeUndefined();
    expect(more.result.rows.read).toBe(6);
    store.close();
  });

  it('a corrected re-issue with fewer rows (a line listed twice, removed) replaces the wrong file', async () => {
    const store = openSqliteStore(freshPath(), { create: true });
    const first = await run(store, [input('in/t.csv', text(row(1), row(1), row(2)))]);
    expect(first.result.rows.read).toBe(3);
    const fixed = await run(store, [input('in/t.csv', text(row(1), row(2)))]);
    expect(fixed.ingest[0].replaces).toEqual(['in/t.csv']);
    expect(fixed.result.rows.read).toBe(2);
    store.close();
  });

  it('a file of other dates under a reused name is kept beside the earlier one', async () => {
    const store = openSqliteStore(freshPath(), { create: true });
    await run(store, [input('inbox/terminal.csv', text(row(1)))]);
    const next = await run(store, [input('inbox/terminal.csv', text(row(2, '2025-11-04 10:00:00')))]);
    expect(next.ingest[0].replaces).toBeUndefined();
    expect(next.result.files.map((f) => f.file)).toEqual(['inbox/terminal.csv', next.ingest[0].name]);
    expect(next.result.rows.read).toBe(2);
    store.close();
  });

  it('names what a resolved item became from the findings new in this run, not one that was there already', async () => {
    const store = openSqliteStore(freshPath(), { create: true });
    // Row 1 in two exports: a duplicate export (there from day 1 on) and a pending sale.
    const day1 = await run(store, [input('a.csv', text(row(1))), input('b.csv', text(row(1)))], '2025-11-03');
    expect(day1.result.counts).toMatchObject({ duplicate_export: 1, unsettled_pending: 1 });
    const SH = '清算日期,商户号,终端号,交易时间,交易类型,卡号,卡类型,交易金额,手续费,结算金额,参考号,凭证号';
    const line = '2025-11-04,898310058120001,10000001,2025-11-03 10:00:00,消费,622848******1234,借记卡,100.00,0.50,99.50,300000000001,000001';
    const day2 = await run(store, [input('s.csv', `${SH}\n${line}\n`, 'settlement')], '2025-11-04');
    const pending = day2.resolved.find((r) => r.kind === 'unsettled_pending')!;
    expect(pending.outcome).toBe('cleared');
    expect(pending.now.map((r) => r.kind)).toEqual(['matched']);
    store.close();
  });

  it('refuses a known file under another role', async () => {
    const store = openSqliteStore(freshPath(), { create: true });
    const body = text(row(1));
    await run(store, [input('x.csv', body)]);
    await expect(run(store, [input('x.csv', body, 'settlement')])).rejects.toThrow(/ingested as a terminal file in run #1/);
    expect(await store.read((tx) => tx.runs())).toHaveLength(1);
    store.close();
  });

  it('an error mid-run rolls the whole run back', async () => {
    const store = openSqliteStore(freshPath(), { create: true });
    await run(store, [input('a.csv', text(row(1)))]);
    const broken: RunInputFile = { ...input('b.csv', text(row(2))), parse: () => { throw new InputError('b.csv: boom'); } };
    await expect(run(store, [input('c.csv', text(row(3))), broken])).rejects.toThrow('boom');
    const files = await store.read((tx) => tx.files());
    expect(files.map((f) => f.name)).toEqual(['a.csv']);
    store.close();
  });
});

describe('decisions', () => {
  it('persist, show as acknowledged, and appear in the finding\'s history', async () => {
    const path = freshPath();
    const store = openSqliteStore(path, { create: true });
    const first = await run(store, [input('a.csv', text(row(1)))]);
    const pending = first.open[0];
    expect(pending.kind).toBe('unsettled_pending');
    await resolveFindings(store, { ids: [pending.id.slice(0, 6)], note: 'refunded customer by transfer', by: 'alice', now: () => '2025-11-04T09:00:00.000Z' });
    store.close();

    const reopened = openSqliteStore(path, { create: false });
    const status = await storeStatus(reopened);
    expect(status.open[0].acknowledged).toMatchObject({ by: 'alice', note: 'refunded customer by transfer' });
    const later = await run(reopened, [], '2025-11-20');
    const overdue = later.newItems[0];
    expect(overdue.kind).toBe('unsettled_overdue');
    expect(overdue.acknowledged).toBeNull(); // a new finding: the decision was about the pending one
    const history = await findingHistory(reopened, pending.id);
    expect(history.life.map((e) => (e.type === 'event' ? e.event : `${e.action} by ${e.by}`))).toEqual(['appeared', 'resolve by alice', 'resolved']);
    await expect(resolveFindings(reopened, { ids: ['ffffffff'], note: 'x', by: 'a', now: () => '' })).rejects.toThrow(/no finding "ffffffff"/);
    reopened.close();
  });
});

describe('schema and safety', () => {
  it('creates a versioned store and applies later migrations in order', () => {
    const path = freshPath();
    openSqliteStore(path, { create: true }).close();
    const db = new Database(path);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();

    const v2 = [...MIGRATIONS, { version: SCHEMA_VERSION + 1, description: 'test', sql: 'CREATE TABLE extra (x INTEGER);' }];
    openSqliteStore(path, { create: false, migrations: v2 }).close();
    const after = new Database(path);
    expect(after.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 1);
    expect(after.prepare("SELECT name FROM sqlite_master WHERE name = 'extra'").get()).toBeDefined();
    after.close();
    // This posrecon knows only SCHEMA_VERSION: it never writes to the newer store.
    expect(() => openSqliteStore(path, { create: false })).toThrow(new RegExp(`schema version ${SCHEMA_VERSION + 1}, written by a newer posrecon`));
  });

  it('upgrades a version-1 store in place: files gain their superseded_by column', async () => {
    const path = freshPath();
    openSqliteStore(path, { create: true, migrations: MIGRATIONS.slice(0, 1) }).close();
    const db = new Database(path);
    db.prepare("INSERT INTO run (started_at, by, args) VALUES ('2025-11-03T01:00:00Z', 'cron', '[]')").run();
    db.prepare(`INSERT INTO source_file (path, name, sha256, role, profile, encoding, rows, rejected, skipped, new_rows, meta, run_id)
                VALUES ('day.csv', 'day.csv', 'ab', 'terminal', 'generic-terminal', 'utf-8', 0, 0, 0, 0, '{}', 1)`).run();
    db.close();
    const store = openSqliteStore(path, { create: false });
    expect((await store.read((tx) => tx.files())).map((f) => [f.name, f.supersededBy])).toEqual([['day.csv', null]]);
    store.close();
    const after = new Database(path);
    expect(after.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    after.close();
  });

  it('refuses files that are not posrecon stores, and a missing store for read commands', () => {
    const notDb = join(dir, 'notes.txt');
    writeFileSync(notDb, 'this is not a database, just text long enough to have a header'.repeat(20));
    expect(() => openSqliteStore(notDb, { create: false })).toThrow(/not a posrecon store \(not an SQLite database\)/);
    const foreign = join(dir, 'foreign.sqlite');
    const db = new Database(foreign);
    db.exec('CREATE TABLE run (x)');
    db.close();
    expect(() => openSqliteStore(foreign, { create: true })).toThrow(/not a posrecon store \(an SQLite database of something else\)/);
    expect(() => openSqliteStore(join(dir, 'missing.sqlite'), { create: false })).toThrow(/no store here yet/);
  });

  it('a second writer fails at once while the first holds the store', async () => {
    const path = freshPath();
    const one = openSqliteStore(path, { create: true });
    const two = openSqliteStore(path, { create: false });
    let release!: () => void;
    const held = one.write(() => new Promise<void>((resolve) => (release = resolve)));
    const started = Date.now();
    await expect(two.write(async () => undefined)).rejects.toBeInstanceOf(StoreBusyError);
    expect(Date.now() - started).toBeLessThan(1000);
    // Readers are not blocked.
    expect(await two.read((tx) => tx.runs())).toEqual([]);
    release();
    await held;
    await expect(two.write(async () => 'ok')).resolves.toBe('ok');
    one.close();
    two.close();
  });
});

describe('CSV export', () => {
  it('quotes formula-looking text but keeps numbers and nested values readable', () => {
    const csv = exportCsv([
      { memo: '=HYPERLINK("http://x")', amount: '-48', fee: '0.5', note: '@boss', rows: ['a', 'b'] },
      { memo: '流量费', amount: '12.6', extra: 1 },
    ]);
    expect(csv).toBe(
      '\uFEFFmemo,amount,fee,note,rows,extra\r\n' +
        `"'=HYPERLINK(""http://x"")",-48,0.5,'@boss,"[""a"",""b""]",\r\n` +
        '流量费,12.6,,,,1\r\n',
    );
  });
});

describe('stored instants as people read them', () => {
  it('prints a UTC instant in Shanghai time: a decision at 01:31 on the 27th there is not dated the 26th', async () => {
    const { localInstant } = await import('../../src/store/render.js');
    expect(localInstant('2026-11-26T17:31:45.800Z')).toBe('2026-11-27 01:31:45');
    expect(localInstant('2025-10-01T03:00:00Z')).toBe('2025-10-01 11:00:00');
  });
});
