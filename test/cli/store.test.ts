// The store commands through the real binary, as cron runs them: run, status, resolve, history,
// export; a second concurrent run fails fast; a run killed mid-transaction leaves the store intact.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { posrecon, ROOT } from './run.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { buildBankScenario } from '../support/bankScenario.js';

const dir = mkdtempSync(join(tmpdir(), 'posrecon-cli-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshStore = () => join(dir, `s${++n}.sqlite`);

// Day 1 names its date: an explicit as-of leaves the ¥88 sale due that day pending (its money may
// still come in that day), so day 2 shows it turning overdue. Without --as-of, the date comes from
// the settlement file of 09-30 itself, and a sale due then that is not in it is overdue at once.
const DAY1 = ['--terminal', 'fixtures/demo/terminal-2025-09-29.csv', '--settlement', 'fixtures/demo/settlement-2025-09-30.csv', '--contract', 'fixtures/demo/contract.yaml', '--as-of', '2025-09-30'];
const DAY2 = ['--terminal', 'fixtures/demo/terminal-2025-09-30_10-09.csv', '--settlement', 'fixtures/demo/settlement-2025-10-09.csv', '--contract', 'fixtures/demo/contract.yaml'];
const ALL = [
  '--terminal', 'fixtures/demo/terminal-2025-09-29.csv', 'fixtures/demo/terminal-2025-09-30_10-09.csv',
  '--settlement', 'fixtures/demo/settlement-2025-09-30.csv', 'fixtures/demo/settlement-2025-10-09.csv',
  '--contract', 'fixtures/demo/contract.yaml',
];

const json = (args: string[], env: Record<string, string> = {}) => {
  const r = posrecon([...args, '--format', 'json'], env);
  return { ...r, json: r.stdout ? JSON.parse(r.stdout) : null };
};
const exportWithoutTime = (store: string) => {
  const r = posrecon(['export', '--store', store]);
  expect(r.code).toBe(0);
  const { exportedAt: _t, ...rest } = JSON.parse(r.stdout);
  return rest;
};

describe('posrecon run over two days of the demo', () => {
  const store = freshStore();
  let day2: ReturnType<typeof json>['json'];

  it('day 1 creates the store; day 2 reports new, resolved and open, and the full state equals one reconcile', () => {
    const one = json(['run', '--store', store, ...DAY1]);
    expect(one.stderr).toBe('');
    expect(one.code).toBe(1);
    expect(one.json.run).toMatchObject({ id: 1, recorded: true, previousRun: null });
    expect(one.json.new.length).toBe(one.json.open.length);

    const two = json(['run', '--store', store, ...DAY2]);
    expect(two.code).toBe(1);
    day2 = two.json;
    const direct = json(['reconcile', ...ALL]).json;
    expect(day2.schema).toBe('posrecon.reconcile/1');
    expect(day2.summary).toEqual(direct.summary);
    expect(day2.findings.map((f: { id: string }) => f.id)).toEqual(direct.findings.map((f: { id: string }) => f.id));
    expect(day2.findings).toEqual(direct.findings);
    // Yesterday's pending ¥88 sale is overdue today: resolved as superseded, listed as new with its predecessor.
    const superseded = day2.resolved.find((r: { kind: string }) => r.kind === 'unsettled_pending');
    expect(superseded).toMatchObject({ outcome: 'superseded', now: [{ kind: 'unsettled_overdue' }] });
    const overdue = day2.new.find((o: { kind: string }) => o.kind === 'unsettled_overdue');
    expect(overdue.was).toEqual([{ id: superseded.id, kind: 'unsettled_pending' }]);
    // Still-open items from day 1 have aged from 2025-09-30 to 2025-10-09.
    const still = day2.open.filter((o: { new: boolean }) => !o.new);
    expect(still.length).toBe(3);
    expect(still.every((o: { ageDays: number; openSince: string }) => o.ageDays === 9 && o.openSince === '2025-09-30')).toBe(true);
  });

  it('re-running the same day changes nothing and says so', () => {
    const before = exportWithoutTime(store);
    const again = posrecon(['run', '--store', store, ...DAY2]);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain('= fixtures/demo/settlement-2025-10-09.csv: already in the store (run #2), skipped');
    expect(again.stdout).toContain('Nothing new: every input file was already in the store and the findings are unchanged since run #2; nothing was recorded.');
    expect(exportWithoutTime(store)).toEqual(before);
  });

  it('resolve records who, when and why; acknowledged findings stay visible but no longer fail the run', () => {
    const exceptions: string[] = day2.open.filter((o: { exception: boolean }) => o.exception).map((o: { id: string }) => o.id);
    expect(exceptions.length).toBe(10);
    const r = posrecon(['resolve', exceptions[0], '--store', store, '--note', 'refunded customer by transfer'], { USER: 'alice' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${exceptions[0]} .*acknowledged by alice at \\d{4}-.*"refunded customer by transfer"`));
    // Three characters pick nothing: say so, not "no such finding".
    const short = posrecon(['resolve', exceptions[1].slice(0, 3), '--store', store, '--note', 'x']);
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/is too short to pick a finding; give at least 4 characters of its id/);
    const rest = posrecon(['resolve', ...exceptions.slice(1).map((id) => id.slice(0, 8)), '--store', store, '--note', 'checked with the acquirer', '--by', 'bob']);
    expect(rest.code).toBe(0);

    const run = json(['run', '--store', store, ...DAY2]);
    expect(run.code).toBe(0); // every exception acknowledged
    expect(run.json.summary.exceptions).toBe(10); // …but the counts still describe the full state
    const first = run.json.open.find((o: { id: string }) => o.id === exceptions[0]);
    expect(first.acknowledged).toMatchObject({ by: 'alice', note: 'refunded customer by transfer' });
    const table = posrecon(['run', '--store', store, ...DAY2]);
    expect(table.stdout).toContain('acknowledged by alice on ');
    // Marked as still open with a person's note (✎), not as cleared (✓, the data's resolutions).
    expect(table.stdout).toContain(`✎ ${exceptions[0]}`);
    expect(table.stdout).not.toContain(`✓ ${exceptions[0]}`);
    // history: the decision acknowledges; it resolves nothing (the header says open).
    const life = posrecon(['history', exceptions[0], '--store', store]).stdout;
    expect(life).toMatch(/— open, acknowledged\n/);
    expect(life).toMatch(/\n {2}\d{4}-\d\d-\d\d \d\d:\d\d {2}acknowledged by alice: "refunded customer by transfer"\n/);
    expect(life).not.toContain('resolved by');
    expect(posrecon(['run', '--store', store, ...DAY2, '--quiet']).stdout).toBe('');
  });

  it('status lists open items oldest first; history shows a finding\'s life', () => {
    const status = json(['status', '--store', store]);
    expect(status.code).toBe(0);
    expect(status.json.schema).toBe('posrecon.status/1');
    const ages = status.json.open.map((o: { ageDays: number }) => o.ageDays);
    expect(ages).toEqual([...ages].sort((a, b) => b - a));
    expect(status.json.open.length).toBe(11);
    const text = posrecon(['status', '--store', store]);
    expect(text.stdout).toMatch(/11 open item\(s\), oldest first: 0 exception\(s\) to act on · 10 acknowledged · 1 pending/);

    const pendingDay1 = day2.resolved.find((r: { kind: string }) => r.kind === 'unsettled_pending').id;
    const h = posrecon(['history', pendingDay1, '--store', store]);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain(`Finding ${pendingDay1} — unsettled_pending (pending, not an exception) — resolved`);
    expect(h.stdout).toMatch(/as of 2025-09-30 {2}run #1 {2}appeared\n {2}as of 2025-10-09 {2}run #2 {2}resolved → now unsettled_overdue [0-9a-f]{12}/);
    const overdue = day2.new.find((o: { kind: string }) => o.kind === 'unsettled_overdue').id;
    const hj = json(['history', overdue, '--store', store]).json;
    expect(hj.life.map((e: { type: string; event?: string; by?: string }) => e.event ?? e.by)).toEqual(['appeared', 'bob']);
    expect(hj.finding.terminal).toMatchObject({ file: 'fixtures/demo/terminal-2025-09-29.csv', line: 10 });
  });

  it('export dumps everything as JSON, and one table as CSV', () => {
    const dump = exportWithoutTime(store);
    expect(dump.schema).toBe('posrecon.export/1');
    expect(dump.runs.length).toBe(2); // runs after the decisions found the same result: not recorded
    expect(dump.files.map((f: { name: string }) => f.name)).toEqual([
      'fixtures/demo/terminal-2025-09-29.csv', 'fixtures/demo/settlement-2025-09-30.csv',
      'fixtures/demo/terminal-2025-09-30_10-09.csv', 'fixtures/demo/settlement-2025-10-09.csv',
    ]);
    expect(dump.records.length).toBe(34);
    expect(dump.records[0]).toMatchObject({ file: 'fixtures/demo/terminal-2025-09-29.csv', line: 5, amount: '128.00' });
    expect(dump.decisions.length).toBe(10);
    const out = join(dir, 'findings.csv');
    expect(posrecon(['export', '--store', store, '-o', out]).code).toBe(0);
    const csv = readFileSync(out, 'utf8');
    expect(csv.startsWith('\uFEFFid,kind,exception,openKind,present,')).toBe(true);
    expect(csv.split('\r\n').length - 2).toBe(dump.findings.length);
    // Naming a table asks for it as CSV; with JSON (every table) it is a contradiction.
    expect(posrecon(['export', '--store', store, '--table', 'files']).stdout.startsWith('\uFEFFid,')).toBe(true);
    expect(posrecon(['export', '--store', store, '--table', 'files', '--format', 'json']).code).toBe(2);
    // A table with no rows still has its header row.
    const rejected = posrecon(['export', '--store', store, '--format', 'csv', '--table', 'rejected']);
    expect(rejected.stdout).toBe('\uFEFFfile,line,column,reason\r\n');
    expect(posrecon(['export', '--store', store, '--format', 'csv', '--table', 'events']).stdout.split('\r\n')[0]).toBe('\uFEFFfindingId,runId,asOf,event,detail');
  });
});

describe('posrecon export writes money as reconcile does', () => {
  // The settlement file prints 100.00 / 0.50 / 99.50 and 777.77 / 4.67 / 773.10: Decimal's own
  // text would drop the trailing zeros ("100", "0.5", "773.1"), unlike every report.
  const M = 'fixtures/store/money-with-trailing-zeros';
  const INPUTS = ['-t', `${M}/terminal.csv`, '-s', `${M}/settlement.csv`, '-c', `${M}/contract.yaml`];
  const store = freshStore();

  it('in the JSON dump and the records CSV, two decimals as in reconcile --format json', () => {
    expect(posrecon(['run', '--store', store, ...INPUTS, '-q']).code).toBe(1);
    const records = exportWithoutTime(store).records as { file: string; line: number; amount: string; fee?: string; net?: string }[];
    const settled = records.filter((r) => r.file.endsWith('settlement.csv')).map(({ line, amount, fee, net }) => ({ line, amount, fee, net }));
    expect(settled).toEqual([
      { line: 2, amount: '100.00', fee: '0.50', net: '99.50' },
      { line: 3, amount: '777.77', fee: '4.67', net: '773.10' },
    ]);
    expect(records.filter((r) => r.file.endsWith('terminal.csv')).map((r) => r.amount)).toEqual(['100.00', '777.77']);
    // The same text as reconcile's own JSON for the same line.
    const direct = json(['reconcile', ...INPUTS]).json;
    const mismatch = direct.findings.find((f: { kind: string }) => f.kind === 'fee_mismatch');
    expect(mismatch.settlement).toMatchObject({ line: 3, amount: '777.77', fee: '4.67', net: '773.10' });

    const csv = posrecon(['export', '--store', store, '--table', 'records']).stdout.split('\r\n');
    const header = csv[0].replace('\uFEFF', '').split(',');
    const rows = csv.slice(1, -1).map((l) => l.split(','));
    const col = (name: string) => rows.map((r) => r[header.indexOf(name)]);
    expect(col('amount')).toEqual(['100.00', '777.77', '100.00', '777.77']);
    expect(col('fee')).toEqual(['', '', '0.50', '4.67']);
    expect(col('net')).toEqual(['', '', '99.50', '773.10']);
  });
});

describe('posrecon run with bank statements', () => {
  it('ingested over two mornings, ends equal to one reconcile --bank over every file', () => {
    const scenario = buildBankScenario();
    const bankDir = join(dir, 'bank');
    mkdirSync(bankDir);
    for (const f of scenario.files) writeFileSync(join(bankDir, f.name), f.bytes);
    writeFileSync(join(bankDir, 'contract.yaml'), scenario.contract);
    const paths = (role: string) => scenario.files.filter((f) => f.role === role).map((f) => join(bankDir, f.name));
    const common = ['--contract', join(bankDir, 'contract.yaml'), '--as-of', scenario.asOf];
    const store = freshStore();
    const half = (list: string[], first: boolean) => list.filter((_, i) => (i < list.length / 2) === first);
    const one = json(['run', '--store', store, ...common, '--settlement', ...half(paths('settlement'), true), '--bank', ...half(paths('bank'), true)]);
    expect(one.stderr).toBe('');
    const two = json(['run', '--store', store, ...common, '--settlement', ...half(paths('settlement'), false), '--bank', ...half(paths('bank'), false)]);
    expect(two.stderr).toBe('');
    const direct = json(['reconcile', ...common, '--settlement', ...paths('settlement'), '--bank', ...paths('bank')]);
    expect(two.code).toBe(direct.code);
    const strip = (j: Record<string, unknown>) => {
      const { run: _r, new: _n, resolved: _s, open: _o, newInformational: _i, inputs, ...rest } = j;
      return { ...rest, inputs: [...(inputs as { file: string }[])].sort((a, b) => a.file.localeCompare(b.file)) };
    };
    expect(strip(two.json)).toEqual(strip(direct.json));
    expect(two.json.summary.counts.payout_missing).toBeGreaterThan(0);
  });
});

describe('safety', () => {
  /** Start `run` paused inside its transaction; resolves once it is paused. */
  function pausedRun(store: string, args: string[], ms: number) {
    const child = spawn(process.execPath, ['bin/posrecon.js', 'run', '--store', store, ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', POSRECON_TEST_PAUSE_AFTER_INGEST: String(ms) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const exited = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
    );
    const paused = new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (d) => {
        stderr += d;
        if (stderr.includes('pausing')) resolve();
      });
      void exited.then(() => reject(new Error(`run ended before pausing: ${stderr}`)));
    });
    return { child, paused, exited };
  }

  it('a second concurrent run fails fast with exit 2; readers see the previous state meanwhile', async () => {
    const store = freshStore();
    expect(posrecon(['run', '--store', store, ...DAY1]).code).toBe(1);
    const first = pausedRun(store, DAY2, 4000);
    await first.paused;
    const started = Date.now();
    const second = posrecon(['run', '--store', store, ...DAY2]);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(second.code).toBe(2);
    expect(second.stdout).toBe('');
    expect(second.stderr).toMatch(/^posrecon: .*s\d+\.sqlite: another posrecon command \(a run or a resolve\) is writing to this store right now; nothing was changed/);
    expect(second.stderr).not.toMatch(/\n\s+at /);
    expect(posrecon(['resolve', 'abcd', '--store', store, '--note', 'x']).code).toBe(2);
    const status = json(['status', '--store', store]);
    expect(status.code).toBe(0);
    expect(status.json.lastRun.id).toBe(1);
    const done = await first.exited;
    expect(done.code).toBe(1);
    expect(JSON.parse(json(['status', '--store', store]).stdout).lastRun.id).toBe(2);
  });

  it('SIGKILL mid-run leaves the previous state intact, and the next run completes', async () => {
    const store = freshStore();
    expect(posrecon(['run', '--store', store, ...DAY1]).code).toBe(1);
    const before = exportWithoutTime(store);

    const victim = pausedRun(store, DAY2, 30_000);
    await victim.paused;
    victim.child.kill('SIGKILL');
    const killed = await victim.exited;
    expect(killed.signal).toBe('SIGKILL');
    expect(existsSync(`${store}-wal`)).toBe(true); // the killed process never closed the store

    const check = openSqliteStore(store, { create: false });
    expect(check.integrityCheck()).toBe('ok');
    check.close();
    expect(exportWithoutTime(store)).toEqual(before);

    const next = json(['run', '--store', store, ...DAY2]);
    expect(next.stderr).toBe('');
    expect(next.code).toBe(1);
    expect(next.json.run).toMatchObject({ id: 2, recorded: true, previousRun: { id: 1 } });
    expect(next.json.run.ingested.map((i: { status: string }) => i.status)).toEqual(['new', 'new']);
    expect(next.json.summary).toEqual(json(['reconcile', ...ALL]).json.summary);
  });
});

describe('usage and input errors exit 2 with one line', () => {
  it.each([
    [['status', '--store', 'no/such/store.sqlite'], /no\/such\/store\.sqlite: no store here yet/],
    [['history', 'abcdef', '--store', 'no/such/store.sqlite'], /no store here yet/],
    [['resolve', 'abcdef', '--store', 'no/such/store.sqlite'], /required option '--note <text>' not specified/],
    [['run', '--store', 'no/such/store.sqlite'], /no store at no\/such\/store\.sqlite yet and no files given/],
    [['run', '--store', 'no/such/store.sqlite', '-t', 'no/such/file.csv'], /no\/such\/file\.csv: cannot read: no such file/],
    [['run', '--store', 'no/such/store.sqlite', '-s', 'fixtures/demo/settlement-2025-09-30.csv', '--as-of', '9/30'], /--as-of: expected a date/],
  ])('%j', (args, message) => {
    const r = posrecon(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a file that is not a store', () => {
    const notStore = join(dir, 'settlement.csv');
    writeFileSync(notStore, readFileSync(`${ROOT}fixtures/demo/settlement-2025-09-30.csv`));
    const r = posrecon(['status', '--store', notStore]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a posrecon store \(not an SQLite database\)/);
  });

  it('leaves no store behind when the inputs are wrong', () => {
    const store = join(dir, 'never.sqlite');
    expect(posrecon(['run', '--store', store, '-s', 'fixtures/demo/settlement-2025-09-30.csv', '-c', 'fixtures/contracts/bad-rate.yaml']).code).toBe(2);
    expect(existsSync(store)).toBe(false);
  });
});

describe('posrecon run before any settlement file has arrived', () => {
  it('says the fees wait for settlement lines, not that the contract lacks fee rules', () => {
    const r = posrecon(['run', '--store', freshStore(), '--terminal', 'fixtures/demo/terminal-2025-09-29.csv', '--contract', 'fixtures/demo/contract.yaml']);
    expect(r.stdout).toContain('fees not checked (no settlement lines yet)');
    expect(r.stdout).not.toContain('pass --contract');
  });
});

describe('run --ignore', () => {
  it('says which open exceptions do not fail the run beside exit code 0', () => {
    const r = posrecon(['run', '--store', freshStore(), '--terminal', 'fixtures/demo/terminal-2025-09-29.csv', '-s', 'fixtures/demo/settlement-2025-09-30.csv', '-c', 'fixtures/demo/contract.yaml', '--ignore', 'dropped_order,unsettled_overdue,amount_mismatch,fee_mismatch,duplicate_settlement,void_settled,extra_deduction']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Open items: (\d+) exception\(s\) to act on \(\1 of them do not fail the run: [a-z_, ]+, per --fail-on\/--ignore\) · /m);
  });

  it('says which informational kind fails the run beside no exception (--fail-on matched)', () => {
    const d = 'fixtures/domain/refund-printed-unsigned';
    const r = posrecon(['run', '--store', freshStore(), '-t', `${d}/terminal.csv`, '-s', `${d}/settlement.csv`, '-c', `${d}/contract.yaml`, '--fail-on', 'matched']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Open items: 0 exception(s) to act on (the run fails on matched, per --fail-on/--ignore) · ');
    expect(r.stdout).toContain('平账 All clear: every transaction ties out. (the run fails on matched, per --fail-on/--ignore)');
  });
});

describe('a run whose as-of goes back', () => {
  it('says so: a what-if --as-of on the previous run left items overdue that now show as pending', () => {
    const store = freshStore();
    expect(posrecon(['run', '--store', store, ...DAY1.slice(0, -2), '--as-of', '2025-10-20']).code).toBe(1);
    const next = posrecon(['run', '--store', store, ...DAY2]);
    expect(next.stdout).toContain("Note: as of 2025-10-09 is earlier than run #1's 2025-10-20: what was overdue then may show as pending now.");
    const on = posrecon(['run', '--store', store, ...DAY2, '--as-of', '2025-10-21']);
    expect(on.stdout).not.toContain('is earlier than');
  });
});

describe('run --output', () => {
  it('refuses an extension it cannot write (report.html would hold the text table), before touching the store', () => {
    const store = freshStore();
    const r = posrecon(['run', '--store', store, ...DAY1, '-o', join(dir, 'report.html')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^posrecon: --output .*report\.html: this command writes json or text \(\.txt\), not "\.html"/);
    expect(existsSync(store)).toBe(false);
  });
});

describe('run for cron: --quiet with --output, and messages in files and pipes', () => {
  it('writes the --output file on a clean day too, and prints whole messages when stdout is no terminal', () => {
    const store = freshStore();
    const out = join(dir, 'quiet-report.json');
    writeFileSync(out, 'yesterday');
    const first = posrecon(['run', '--store', store, ...DAY1, '--quiet', '-o', out]);
    expect(first.stdout).toBe('');
    expect(JSON.parse(readFileSync(out, 'utf8')).schema).toBe('posrecon.reconcile/1');
    // Everything acknowledged: a clean day, still written.
    const ids: string[] = JSON.parse(readFileSync(out, 'utf8')).open.filter((o: { exception: boolean }) => o.exception).map((o: { id: string }) => o.id);
    expect(posrecon(['resolve', ...ids, '--store', store, '--note', 'ok']).code).toBe(0);
    writeFileSync(out, 'yesterday');
    const clean = posrecon(['run', '--store', store, ...DAY1, '--as-of', '2025-09-30', '--quiet', '-o', out, '--format', 'json']);
    expect(clean.code).toBe(0);
    expect(readFileSync(out, 'utf8')).not.toBe('yesterday');
    // Not a TTY: the pending sale's message keeps its due date.
    const table = posrecon(['status', '--store', store]);
    expect(table.stdout).toMatch(/not settled yet; due 2025-09-30 under T\+1/);
  });
});

describe('a cron line whose settlement pattern matches nothing this morning', () => {
  it('runs on the terminal files and says no settlement file matched (the shell passed the pattern through)', () => {
    const store = freshStore();
    const r = posrecon(['run', '--store', store, '-t', 'fixtures/demo/terminal-2025-09-29.csv', '-s', join(dir, '结算单-*.csv'), '-c', 'fixtures/demo/contract.yaml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('+ fixtures/demo/terminal-2025-09-29.csv: ');
    expect(r.stderr).toMatch(/^posrecon: no file matches --settlement .*结算单-\*\.csv \(none of these today\)\n$/);
    // A mistyped folder can never match: an input error, not a quiet "no file today".
    const typo = posrecon(['run', '--store', freshStore(), '-t', 'fixtures/demo/terminal-2025-09-29.csv', '-s', join(dir, 'no-such-folder', '结算单-*.csv'), '-q']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/结算单-\*\.csv: cannot look for matching files: no folder .*no-such-folder\n/);
    // The folder as typed: ./fixtures stays ./fixtures, as the shell would list it.
    const dotted = posrecon(['run', '--store', freshStore(), '-t', './fixtures/demo/terminal-2025-09-2?.csv', '--format', 'json']);
    expect(JSON.parse(dotted.stdout).run.ingested.map((i: { file: string }) => i.file)).toEqual(['./fixtures/demo/terminal-2025-09-29.csv']);
    // A pattern that matches is read like the files the shell would have listed.
    const glob = posrecon(['run', '--store', freshStore(), '-t', 'fixtures/demo/terminal-2025-09-*.csv', '-s', 'fixtures/demo/settlement-*.csv', '-c', 'fixtures/demo/contract.yaml', '--format', 'json']);
    expect(JSON.parse(glob.stdout).run.ingested.map((i: { file: string }) => i.file)).toEqual([
      'fixtures/demo/terminal-2025-09-29.csv', 'fixtures/demo/terminal-2025-09-30_10-09.csv',
      'fixtures/demo/settlement-2025-09-30.csv', 'fixtures/demo/settlement-2025-10-09.csv',
    ]);
  });
});

describe('run: the same file at the same place, spelled otherwise (review T)', () => {
  it('is already in the store: ./t.csv after t.csv, an absolute path, a link — nothing recorded, no duplicate exports', () => {
    const d = mkdtempSync(join(tmpdir(), 'posrecon-spelling-'));
    writeFileSync(join(d, 't.csv'), readFileSync(join(ROOT, 'fixtures/demo/terminal-2025-09-29.csv')));
    writeFileSync(join(d, 's.csv'), readFileSync(join(ROOT, 'fixtures/demo/settlement-2025-09-30.csv')));
    symlinkSync(join(d, 't.csv'), join(d, 'link.csv'));
    const store = join(d, 'store.sqlite');
    const rel = (f: string) => relative(ROOT, join(d, f));
    const args = ['--contract', 'fixtures/demo/contract.yaml', '--as-of', '2025-09-30', '--format', 'json'];
    const first = JSON.parse(posrecon(['run', '--store', store, '-t', rel('t.csv'), '-s', rel('s.csv'), ...args]).stdout);
    for (const [t, s] of [[`./${rel('t.csv')}`, join(d, 's.csv')], [join(d, 'link.csv'), `${d}/./s.csv`]]) {
      const again = JSON.parse(posrecon(['run', '--store', store, '-t', t, '-s', s, ...args]).stdout);
      expect(again.run.recorded).toBe(false);
      expect(again.run.ingested.map((i: { status: string }) => i.status)).toEqual(['known', 'known']);
      expect(again.summary.rows.read).toBe(first.summary.rows.read);
      expect(again.summary.counts.duplicate_export).toBe(0);
    }
  });

  it('a corrected version at the same place replaces the old one, whichever spelling each run used', () => {
    const d = mkdtempSync(join(tmpdir(), 'posrecon-reissue-'));
    // (GBK bytes: read and written as latin1 so the ASCII edit below leaves every other byte as it was.)
    const settlement = readFileSync(join(ROOT, 'fixtures/demo/settlement-2025-09-30.csv'), 'latin1');
    writeFileSync(join(d, 't.csv'), readFileSync(join(ROOT, 'fixtures/demo/terminal-2025-09-29.csv')));
    writeFileSync(join(d, 's.csv'), settlement, 'latin1');
    const store = join(d, 'store.sqlite');
    const args = ['--contract', 'fixtures/demo/contract.yaml', '--as-of', '2025-09-30', '--format', 'json'];
    posrecon(['run', '--store', store, '-t', join(d, 't.csv'), '-s', join(d, 's.csv'), ...args]);
    // The re-issue corrects one fee (25.00 → 20.00); the path is now given relative to the repository.
    writeFileSync(join(d, 's.csv'), settlement.replace(',25.00,', ',20.00,'), 'latin1');
    const second = posrecon(['run', '--store', store, '-t', join(d, 't.csv'), '-s', relative(ROOT, join(d, 's.csv')), ...args]);
    expect(second.stderr).toBe('');
    const again = JSON.parse(second.stdout);
    expect(again.run.ingested[1].replaces).toEqual([join(d, 's.csv')]);
    expect(again.summary.counts.duplicate_settlement).toBe(0);
  });

  it('is known by its place when cron runs from another folder and the store lives in a subfolder', () => {
    const d = mkdtempSync(join(tmpdir(), 'posrecon-place-'));
    mkdirSync(join(d, 'shop', 'inbox'), { recursive: true });
    mkdirSync(join(d, 'shop', 'db'));
    mkdirSync(join(d, 'other'));
    writeFileSync(join(d, 'shop', 'inbox', 't.csv'), readFileSync(join(ROOT, 'fixtures/demo/terminal-2025-09-29.csv')));
    writeFileSync(join(d, 'shop', 'inbox', 's.csv'), readFileSync(join(ROOT, 'fixtures/demo/settlement-2025-09-30.csv')));
    const bin = join(ROOT, 'bin/posrecon.js');
    const contract = join(ROOT, 'fixtures/demo/contract.yaml');
    const runIn = (cwd: string, args: string[]) => spawnSync(process.execPath, [bin, 'run', '-c', contract, '--as-of', '2025-09-30', '--format', 'json', ...args], { cwd, encoding: 'utf8' });
    runIn(join(d, 'shop'), ['--store', 'db/p.sqlite', '-t', 'inbox/t.csv', '-s', 'inbox/s.csv']);
    const again = JSON.parse(runIn(join(d, 'other'), ['--store', '../shop/db/p.sqlite', '-t', join(d, 'shop/inbox/t.csv'), '-s', join(d, 'shop/inbox/s.csv')]).stdout);
    expect(again.run.ingested.map((i: { status: string }) => i.status)).toEqual(['known', 'known']);
    expect(again.summary.counts.duplicate_export).toBe(0);
  });
});

describe('an --output that cannot be written (review AT)', () => {
  it('stops the daily run before it records itself, so the next run still reports the day as new; export says so in one line', () => {
    const store = freshStore();
    const missing = join(dir, 'no-such-folder', 'today.json');
    const failed = posrecon(['run', '--store', store, ...DAY1, '-o', missing]);
    expect([failed.code, failed.stdout]).toEqual([2, '']);
    expect(failed.stderr).toBe(`posrecon: --output ${missing}: cannot write: no such directory\n  hint: check that the directory exists and is writable, or print to stdout without --output\n`);
    const next = json(['run', '--store', store, ...DAY1]);
    expect(next.json.run.id).toBe(1);
    expect(next.json.new.length).toBeGreaterThan(0);
    // A path ending in / names a folder, not yet made: no run recorded either.
    const slash = posrecon(['run', '--store', freshStore(), ...DAY1, '-o', join(dir, 'reports') + '/']);
    expect([slash.code, slash.stderr.split('\n')[0]]).toEqual([2, `posrecon: --output ${join(dir, 'reports')}/: cannot write: no such directory (and a path ending in / names a directory, not a file)`]);
    const onDir = posrecon(['export', '--store', store, '-o', dir]);
    expect([onDir.code, onDir.stderr.split('\n')[0]]).toEqual([2, `posrecon: --output ${dir}: cannot write: is a directory`]);
  });
});

describe('what a file states about itself (review AT)', () => {
  it('a footer count its rows do not reach is an open item of the daily run, as reconcile reports it; a file that reads as the other side is refused by run (review CC)', () => {
    const day = join(dir, 'footer-count');
    mkdirSync(day, { recursive: true });
    writeFileSync(join(day, 'terminal.csv'), '商户号,终端号,交易时间,交易类型,交易状态,卡号,卡类型,交易金额,参考号,凭证号\n898310058120001,10000001,2025-10-14 10:00:00,消费,成功,622848******1111,借记卡,100.00,790000000001,000001\n898310058120001,10000001,2025-10-14 11:00:00,消费,成功,622848******2222,借记卡,200.00,790000000002,000002\n合计：3笔\n');
    const args = ['-t', join(day, 'terminal.csv'), '-t', 'fixtures/demo/settlement-2025-09-30.csv', '-s', 'fixtures/demo/settlement-2025-10-09.csv', '-c', 'fixtures/demo/contract.yaml'];
    const reconciled = JSON.parse(posrecon(['reconcile', ...args, '--format', 'json']).stdout) as { findings: { id: string; kind: string }[] };
    const stated = reconciled.findings.filter((f) => f.kind === 'control_total_mismatch');
    expect(stated).toHaveLength(1);
    expect(posrecon(['reconcile', ...args]).stdout).toContain('Note: fixtures/demo/settlement-2025-09-30.csv was given as a terminal file but reads better as a settlement file');
    // The store would keep it as terminal rows for good: run refuses it, recording nothing.
    const store = freshStore();
    const refused = posrecon(['run', '--store', store, ...args]);
    expect([refused.code, refused.stderr.split('\n')[0]]).toEqual([2, 'posrecon: fixtures/demo/settlement-2025-09-30.csv: given as a terminal file, but it reads as a settlement file (generic-settlement); nothing was recorded']);
    const run = json(['run', '--store', store, '-t', join(day, 'terminal.csv'), '-s', 'fixtures/demo/settlement-2025-10-09.csv', '-c', 'fixtures/demo/contract.yaml']);
    expect(run.code).toBe(1);
    expect(run.json.run.id).toBe(1);
    expect(run.json.open.filter((o: { kind: string }) => o.kind === 'control_total_mismatch').map((o: { id: string }) => o.id)).toEqual(stated.map((f) => f.id));
  });
});

describe('run --fail-on an informational kind: an event fails the morning it appears (review BB)', () => {
  const F = 'fixtures/store/late-payout-over-guoqing';
  const day = (t: string, s: string) => ['--terminal', `${F}/terminal-${t}.csv`, '--settlement', `${F}/settlement-${s}.csv`, '--contract', `${F}/contract.yaml`, '--fail-on', 'unsettled_overdue,settled_late'];
  const DAYS = [day('2026-09-30', '2026-10-08'), day('2026-10-08', '2026-10-09'), day('2026-10-09', '2026-10-10')];

  it('未到账 on 10-08, the late payout on 10-09 (listed, in JSON newInformational), quiet on 10-10', () => {
    const store = freshStore();
    expect(posrecon(['run', '--store', store, ...DAYS[0], '-q']).code).toBe(1);
    const late = json(['run', '--store', store, ...DAYS[1]]);
    expect(late.code).toBe(1);
    expect(late.json.newInformational.map((o: { kind: string }) => o.kind)).toEqual(['settled_late']);
    const third = posrecon(['run', '--store', store, ...DAYS[2], '-q']);
    expect(third.stdout).toBe('');
    expect(third.code).toBe(0);
  });

  it('the day it appears, the table names the finding the exit code is for', () => {
    const store = freshStore();
    posrecon(['run', '--store', store, ...DAYS[0]]);
    const r = posrecon(['run', '--store', store, ...DAYS[1]]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/Informational findings of 2026-10-09 the run fails on \(per --fail-on\) — 1\n.*settled_late .*¥400\.00 .*1 day after its due date 2026-10-08/);
    // Run again that morning (or after a manual run without --fail-on): the same exit code.
    expect(posrecon(['run', '--store', store, ...DAYS[1], '-q']).code).toBe(1);
  });

  it('a manual run of the day without --fail-on does not use up the cron run\'s alert', () => {
    const store = freshStore();
    posrecon(['run', '--store', store, ...DAYS[0]]);
    const manual = DAYS[1].filter((a) => a !== '--fail-on' && a !== 'unsettled_overdue,settled_late');
    expect(posrecon(['run', '--store', store, ...manual]).code).toBe(0);
    expect(posrecon(['run', '--store', store, ...DAYS[1], '-q']).code).toBe(1);
  });

  it('acknowledged the same day, it no longer fails the run', () => {
    const store = freshStore();
    posrecon(['run', '--store', store, ...DAYS[0], '-q']);
    const late = json(['run', '--store', store, ...DAYS[1]]);
    const id = late.json.newInformational[0].id as string;
    expect(posrecon(['resolve', id, '--store', store, '--note', 'held over 国庆, paid 10-09', '--by', 'accountant']).code).toBe(0);
    const again = posrecon(['run', '--store', store, ...DAYS[2]]);
    expect(again.code).toBe(0);
    expect(again.stdout).not.toContain('the run fails on settled_late');
  });
});
