// 30 days of `posrecon run` from cron: after every run, the store's report must be exactly what one
// `reconcile` over every file ingested so far prints, and the new/resolved/open sections must tell
// the story of the planted events (late files, re-sent files, an overlapping export, a re-run day).
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, type CliIO } from '../../src/cli/main.js';
import { readInputFile } from '../../src/read/readInput.js';
import { builtinProfiles } from '../../src/profiles/builtin.js';
import { loadContract } from '../../src/contract/contract.js';
import { loadBuiltinCalendar } from '../../src/calendar/calendar.js';
import { reconcile } from '../../src/reconcile.js';
import { reconcileJson } from '../../src/report/json.js';
import { buildSimulation, SIM_CONTRACT } from './simulation.js';

interface Item {
  id: string;
  kind: string;
  ageDays: number;
  openSince: string;
  new: boolean;
  outcome?: string;
  now?: { id: string; kind: string }[];
  was?: { id: string; kind: string }[];
}
interface Ingested {
  file: string;
  status: string;
  rows: number;
  newRows: number;
  knownRows: number;
  knownFrom: string[];
}

export async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (t) => void (stdout += typeof t === 'string' ? t : Buffer.from(t).toString('utf8')),
    stderr: (t) => void (stderr += t),
    stdoutIsTTY: false,
    stderrIsTTY: false,
    env: { ...process.env, NO_COLOR: '1', USER: 'cron' },
  };
  const code = await runCli(['node', 'posrecon', ...args], io);
  return { code, stdout, stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'posrecon-sim-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('30 days of daily runs equal one reconcile over every file ingested so far', () => {
  const sim = buildSimulation();
  const inbox = join(dir, 'inbox');
  mkdirSync(inbox);
  for (const f of sim.files.values()) writeFileSync(join(inbox, f.name), f.text);
  const contractPath = join(dir, 'contract.yaml');
  writeFileSync(contractPath, SIM_CONTRACT);
  const store = join(dir, 'posrecon.sqlite');
  const path = (name: string) => join(inbox, name);
  const profiles = builtinProfiles();
  const contract = loadContract(SIM_CONTRACT, contractPath);
  const calendar = loadBuiltinCalendar();

  /** One pure reconcile over these files, as `posrecon reconcile` would run it. */
  function single(names: string[]) {
    const read = (role: 'terminal' | 'settlement') =>
      names.filter((n) => sim.files.get(n)!.role === role).map((n) => readInputFile(readFileSync(path(n)), path(n), { profiles, role }));
    return reconcileJson(reconcile({ terminal: read('terminal'), settlement: read('settlement'), contract, calendar }));
  }
  const withoutStoreSections = (json: Record<string, unknown>) => {
    const { run: _run, new: _new, resolved: _resolved, open: _open, newInformational: _newInformational, inputs, ...rest } = json;
    return { ...rest, inputs: [...(inputs as { file: string }[])].sort((a, b) => a.file.localeCompare(b.file)) };
  };

  const reports = new Map<string, Record<string, unknown> & { new: Item[]; resolved: Item[]; open: Item[]; run: { id: number | null; recorded: boolean; ingested: Ingested[] } }>();
  const ingested: string[] = [];

  it('runs every morning; after each run the report equals a single reconcile over the files so far', async () => {
    let previousOpen = new Set<string>();
    for (const day of sim.days) {
      const args = ['run', '--store', store, '-c', contractPath, '--format', 'json'];
      if (day.terminal.length) args.push('--terminal', ...day.terminal.map(path));
      if (day.settlement.length) args.push('--settlement', ...day.settlement.map(path));
      const r = await cli(args);
      expect(r.stderr, day.runDate).toBe('');
      expect([0, 1], day.runDate).toContain(r.code);
      const json = JSON.parse(r.stdout);
      reports.set(day.runDate, json);
      for (const n of [...day.terminal, ...day.settlement]) if (!ingested.includes(n)) ingested.push(n);

      const expected = single(ingested);
      expect(withoutStoreSections(json), day.runDate).toEqual(withoutStoreSections(expected));

      // The open set moves only by what the report says: open = previous − resolved + new.
      const open = new Set<string>(json.open.map((o: Item) => o.id));
      const next = new Set([...previousOpen].filter((id) => !json.resolved.some((x: Item) => x.id === id)));
      for (const n of json.new) next.add(n.id);
      expect([...open].sort(), day.runDate).toEqual([...next].sort());
      // …and it is exactly the exceptions and pending settlements of the full state.
      const openKinds = json.findings.filter((f: { kind: string; exception: boolean }) => f.exception || f.kind === 'unsettled_pending');
      expect([...open].sort(), day.runDate).toEqual(openKinds.map((f: { id: string }) => f.id).sort());
      for (const o of json.open as Item[]) {
        const days = (Date.parse(json.asOf) - Date.parse(o.openSince)) / 86_400_000;
        expect(o.ageDays).toBe(days);
      }
      previousOpen = open;

      if (day.twice) {
        const again = await cli(args);
        expect(again.code).toBe(r.code);
        const second = JSON.parse(again.stdout);
        expect(second.run.recorded).toBe(false);
        expect(second.new).toEqual([]);
        expect(second.resolved).toEqual([]);
        expect(second.run.ingested.every((i: Ingested) => i.status === 'known')).toBe(true);
        expect(withoutStoreSections(second)).toEqual(withoutStoreSections(json));
        expect(second.open.map((o: Item) => o.id)).toEqual(json.open.map((o: Item) => o.id));
        const table = await cli(args.filter((a) => a !== '--format' && a !== 'json'));
        expect(table.stdout).toMatch(/Nothing new: every input file was already in the store and the findings are unchanged since run #\d+; nothing was recorded\./);
      }
    }
    expect(sim.days.length).toBe(30);
  });

  it('ends with the same findings (ids and counts) as one `posrecon reconcile` over all files', async () => {
    const all = [...sim.files.keys()];
    expect(all.every((n) => ingested.includes(n))).toBe(true);
    const last = reports.get('2025-12-01')!;
    const r = await cli([
      'reconcile', '-c', contractPath, '--format', 'json', '--include-matched',
      '--terminal', ...all.filter((n) => sim.files.get(n)!.role === 'terminal').map(path),
      '--settlement', ...all.filter((n) => sim.files.get(n)!.role === 'settlement').map(path),
    ]);
    const json = JSON.parse(r.stdout);
    expect(last.summary).toEqual(json.summary);
    const lastFindings = last.findings as { id: string }[];
    expect(lastFindings.map((f) => f.id).sort()).toEqual(json.findings.filter((f: { kind: string }) => f.kind !== 'matched').map((f: { id: string }) => f.id).sort());
    const stored = await cli(['run', '--store', store, '-c', contractPath, '--format', 'json', '--include-matched']);
    expect(JSON.parse(stored.stdout).findings.map((f: { id: string }) => f.id).sort()).toEqual(json.findings.map((f: { id: string }) => f.id).sort());
    expect(json.summary.counts).toMatchObject({
      unsettled_overdue: 1, dropped_order: 1, fee_mismatch: 1, duplicate_settlement: 1, extra_deduction: 1,
      unsettled_pending: 1, voided: 1, no_settlement_expected: 1,
    });
    expect(json.summary.counts.duplicate_export).toBeGreaterThan(0);
  });

  it('tells the story of each late, re-sent and overlapping file', () => {
    const ingest = (day: string, name: string) => reports.get(day)!.run.ingested.find((i) => i.file === path(name))!;
    // Re-sent under the same name and bytes: skipped.
    expect(ingest('2025-11-07', 'settlement-2025-11-05.csv').status).toBe('known');
    // Re-sent under another name: stored (a single reconcile counts it as duplicate_export), but no new row.
    const resent = ingest('2025-11-11', 'settlement-2025-11-10-resent.csv');
    expect(resent).toMatchObject({ status: 'new', newRows: 0 });
    expect(resent.knownRows).toBe(resent.rows);
    expect(resent.knownFrom).toEqual([path('settlement-2025-11-10.csv')]);
    // The 11-24…26 export: 11-24 and 11-25 already known, only 11-26 is new.
    const overlap = ingest('2025-11-27', 'terminal-2025-11-24_26.csv');
    const daily = (d: string) => reports.get(d)!.run.ingested.find((i) => i.file === path(`terminal-${d === '2025-11-25' ? '2025-11-24' : '2025-11-25'}.csv`))!.rows;
    expect(overlap.knownRows).toBe(daily('2025-11-25') + daily('2025-11-26'));
    expect(overlap.newRows).toBe(overlap.rows - overlap.knownRows);
    expect(overlap.knownFrom).toEqual([path('terminal-2025-11-24.csv'), path('terminal-2025-11-25.csv')]);
    // The whole inbox again on Saturday 11-15: only Friday's terminal export is new.
    const glob = reports.get('2025-11-15')!.run.ingested;
    expect(glob.filter((i) => i.status === 'new').map((i) => i.file)).toEqual([path('terminal-2025-11-14.csv')]);
    expect(glob.filter((i) => i.status === 'known').length).toBeGreaterThan(20);
  });

  it('reports yesterday\'s pending as resolved once it settles, and a late file\'s dropped orders as resolved when it arrives', () => {
    // The acquirer's 11-12 file came a day late: 11-11's sales were pending on the 12th, settled on the 13th.
    const pendingOn12 = reports.get('2025-11-12')!.open.filter((o) => o.kind === 'unsettled_pending' && o.new);
    expect(pendingOn12.length).toBe(8);
    const resolvedOn13 = reports.get('2025-11-13')!.resolved;
    for (const p of pendingOn12) {
      const r = resolvedOn13.find((x) => x.id === p.id)!;
      expect(r.outcome).toBe('cleared');
      expect(r.now!.map((n) => n.kind)).toEqual(['matched']);
    }
    // The 11-19 terminal export came a day late: its settled sales looked dropped on the 20th.
    const droppedOn20 = reports.get('2025-11-20')!.new.filter((o) => o.kind === 'dropped_order');
    expect(droppedOn20.length).toBe(8);
    const resolvedOn21 = reports.get('2025-11-21')!.resolved.filter((r) => droppedOn20.some((d) => d.id === r.id));
    expect(resolvedOn21.length).toBe(8);
    expect(resolvedOn21.every((r) => r.outcome === 'cleared' && r.now!.some((n) => n.kind === 'matched'))).toBe(true);
  });

  it('flags the never-settled sale 未到账 on its due date, once that day\'s settlement file is in, and ages it', () => {
    // Sold Thu 11-06, due Fri 11-07 (T+1): the 11-07 file is in on the 11-07 run and does not have it.
    const overdue = reports.get('2025-11-07')!.new.find((o) => o.kind === 'unsettled_overdue' && o.openSince === '2025-11-07');
    expect(overdue).toBeDefined();
    expect(reports.get('2025-11-06')!.new.some((o) => o.kind === 'unsettled_pending')).toBe(false);
    const end = reports.get('2025-12-01')!.open.find((o) => o.id === overdue!.id)!;
    expect(end).toMatchObject({ openSince: '2025-11-07', ageDays: 24, new: false });
  });
});
