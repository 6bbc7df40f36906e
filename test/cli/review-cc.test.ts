// A new user's and a cron job's mistakes (review CC): each ends in one line, a hint and a
// documented exit code — never a stack trace, never a silently wrong result or store.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { posrecon, ROOT } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'posrecon-review-cc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const DEMO = ['--terminal', 'fixtures/demo/terminal-2025-09-29.csv', 'fixtures/demo/terminal-2025-09-30_10-09.csv', '--settlement', 'fixtures/demo/settlement-2025-09-30.csv', 'fixtures/demo/settlement-2025-10-09.csv'];
const oneLine = (stderr: string) => stderr.trim().split('\n').filter((l) => !l.startsWith('  hint:'));

describe('a status code that only contains 00', () => {
  it('is not approved: the demo timed-out charge printed 9100 is rejected, not matched, so the dropped ¥300 stays', () => {
    const terminal = join(dir, 'terminal-9100.csv');
    writeFileSync(terminal, readFileSync(join(ROOT, 'fixtures/demo/terminal-2025-09-29.csv'), 'utf8').replace(',交易超时,', ',9100,'));
    const r = posrecon(['reconcile', '-t', terminal, 'fixtures/demo/terminal-2025-09-30_10-09.csv', '-s', 'fixtures/demo/settlement-2025-09-30.csv', 'fixtures/demo/settlement-2025-10-09.csv', '-c', 'fixtures/demo/contract.yaml', '-f', 'json']);
    const json = JSON.parse(r.stdout);
    expect(json.rejected).toEqual([expect.objectContaining({ line: 8, column: '交易状态' })]);
    expect(json.rejected[0].reason).toContain('9100');
    expect(json.summary.counts.dropped_order).toBe(2);
    expect(r.code).toBe(1);
  });
});

describe('a missing directory', () => {
  it('for the store: run says so in one line, exit 2 (was exit 3 with a stack trace)', () => {
    const r = posrecon(['run', '--store', join(dir, 'no-such-dir', 's.sqlite'), ...DEMO, '-c', 'fixtures/demo/contract.yaml']);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toEqual([`posrecon: ${join(dir, 'no-such-dir', 's.sqlite')}: cannot create the store: no such directory ${join(dir, 'no-such-dir')}`]);
    expect(r.stderr).toContain('hint: create the directory first');
    const env = posrecon(['run', ...DEMO, '-c', 'fixtures/demo/contract.yaml'], { POSRECON_STORE: join(dir, 'gone', 's.sqlite') });
    expect(env.code).toBe(2);
    expect(env.stderr).not.toMatch(/internal error|\n\s+at /);
  });

  it('for init contract -o: one line, exit 2; a directory given as the file says so', () => {
    const r = posrecon(['init', 'contract', '-o', join(dir, 'nodir', 'contract.yaml')]);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toEqual([`posrecon: --output ${join(dir, 'nodir', 'contract.yaml')}: cannot write: no such directory`]);
    const d = posrecon(['init', 'contract', '-o', dir]);
    expect(d.code).toBe(2);
    expect(d.stderr).toContain('is a directory');
    const ok = posrecon(['init', 'contract', '-o', join(dir, 'contract.yaml')]);
    expect(ok.code).toBe(0);
    expect(existsSync(join(dir, 'contract.yaml'))).toBe(true);
  });
});

describe('a data file given as the contract', () => {
  it('is named as one, in one short line without its rows (card numbers stay out of cron mail)', () => {
    const csv = join(dir, 'pan.csv');
    writeFileSync(csv, ['商户号,终端号,交易时间,卡号,交易金额', ...Array.from({ length: 50 }, (_, i) => `898310058120001,10000001,2025-10-01 10:00:${String(i).padStart(2, '0')},62220212345678${String(i).padStart(5, '0')},10.00`)].join('\n'));
    const r = posrecon(['reconcile', ...DEMO, '-c', csv]);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toEqual([`posrecon: ${csv}: this looks like a data file (comma- or tab-separated columns), not a contract`]);
    expect(r.stderr).not.toContain('6222021234');
    expect(r.stderr.length).toBeLessThan(400);
    // With a title line first (结算对账单), too (review CD).
    const titled = posrecon(['reconcile', ...DEMO, '-c', 'fixtures/demo/settlement-2025-09-30.csv']);
    expect([titled.code, oneLine(titled.stderr)]).toEqual([2, ['posrecon: fixtures/demo/settlement-2025-09-30.csv: this looks like a data file (comma- or tab-separated columns), not a contract']]);
  });
});

describe('run without the contract its store was run with', () => {
  it('refuses (exit 2, nothing recorded) instead of calling every fee finding resolved', () => {
    const store = join(dir, 'contract.sqlite');
    expect(posrecon(['run', '--store', store, ...DEMO, '-c', 'fixtures/demo/contract.yaml', '-q']).code).toBe(1);
    const r = posrecon(['run', '--store', store, ...DEMO]);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toEqual(["posrecon: this store's last run (#1) checked fees against the contract fixtures/demo/contract.yaml; this run names none, so its fee findings would read as resolved"]);
    const status = posrecon(['status', '--store', store, '-f', 'json']);
    expect(JSON.parse(status.stdout).lastRun.id).toBe(1);
  });
});

describe('a settlement file caught by the terminal glob of a daily run', () => {
  it('is refused before anything is recorded (the store would keep its rows as terminal rows for good)', () => {
    const store = join(dir, 'glob.sqlite');
    const r = posrecon(['run', '--store', store, '-t', 'fixtures/demo/terminal-2025-09-29.csv', 'fixtures/demo/settlement-2025-10-09.csv', '-s', 'fixtures/demo/settlement-2025-09-30.csv', '-c', 'fixtures/demo/contract.yaml']);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toEqual(['posrecon: fixtures/demo/settlement-2025-10-09.csv: given as a terminal file, but it reads as a settlement file (generic-settlement); nothing was recorded']);
    expect(r.stderr).toContain('hint: pass it with --settlement');
    // The next morning, with the glob fixed, the file is a settlement file as it should be.
    const next = posrecon(['run', '--store', store, ...DEMO, '-c', 'fixtures/demo/contract.yaml', '-f', 'json']);
    expect(next.code).toBe(1);
    expect(JSON.parse(next.stdout).summary.counts.unsettled_overdue).toBe(1);
  });
});

describe('a merchant-portal export printing 手续费 and 结算金额 beside its 交易状态 (review CD)', () => {
  it('is still a terminal file to run: it scores as a settlement file too, but it is plainly not one', () => {
    const d = 'fixtures/store/portal-export-with-fee-columns';
    const r = posrecon(['run', '--store', join(dir, 'portal.sqlite'), '-c', `${d}/contract.yaml`, '-t', `${d}/交易明细-portal-20251114.csv`, '-s', `${d}/结算单-20251117.csv`, '-f', 'json']);
    expect(r.stderr).toBe('');
    const json = JSON.parse(r.stdout);
    expect(json.run.ingested.map((i: { role: string; rows: number }) => [i.role, i.rows])).toEqual([['terminal', 3], ['settlement', 5]]);
    // Read as terminal rows: the timed-out 268.00 settled anyway is a dropped order, the 50.00 and the retry match.
    expect(json.summary.counts).toMatchObject({ matched: 2, dropped_order: 3 });
    expect(json.findings.some((f: { kind: string; terminal: { rawStatus: string } | null }) => f.kind === "dropped_order" && f.terminal?.rawStatus === "交易超时")).toBe(true);
  });
});

describe('a full disk under stdout', () => {
  it.runIf(existsSync('/dev/full'))('is one line and exit 2, not a Node crash with exit 1 (the code for "exceptions found")', () => {
    for (const args of [['reconcile', ...DEMO, '-c', 'fixtures/demo/contract.yaml'], ['reconcile', ...DEMO, '-c', 'fixtures/demo/contract.yaml', '-f', 'json'], ['init', 'contract']]) {
      const r = spawnSync('sh', ['-c', `"${process.execPath}" bin/posrecon.js ${args.map((a) => `'${a}'`).join(' ')} > /dev/full`], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '' } });
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim()).toBe('posrecon: cannot write the report to stdout: no space left on the device');
    }
  });

  it.runIf(existsSync('/dev/full'))('a daily run says it was recorded all the same', () => {
    const store = join(dir, 'full.sqlite');
    const r = spawnSync('sh', ['-c', `"${process.execPath}" bin/posrecon.js run --store '${store}' ${DEMO.map((a) => `'${a}'`).join(' ')} -c fixtures/demo/contract.yaml > /dev/full`], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('posrecon: cannot write the report to stdout: no space left on the device (the daily run was recorded all the same: `posrecon status` shows it)');
  });
});

describe('run --help', () => {
  it('shows the crontab line with the script by its path, as the README does (npx in cron may fetch another package)', () => {
    const r = posrecon(['run', '--help']);
    expect(r.stdout).toContain('/opt/posrecon/bin/posrecon.js run -c contract.yaml');
    expect(r.stdout).not.toMatch(/&& npx posrecon run/);
  });
});
