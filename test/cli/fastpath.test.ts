// The columnar fast path through the real binary: a large reconciliation takes it (file blocks,
// two threads, one or several files per side) and prints exactly what the reference pipeline prints.
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { posrecon } from './run.js';
// @ts-expect-error bench/generate.mjs is plain JavaScript (it runs without a build)
import { generate } from '../../bench/generate.mjs';

interface Truth {
  truth: Record<string, number>;
}

describe('reconcile on a 45k-row pair (above the fast-path threshold)', () => {
  let dir: string;
  let meta: Truth;
  const args = (engine: string, format: string, out: string): [string[], Record<string, string>] => [
    ['reconcile', '-t', join(dir, 'terminal.csv'), '-s', join(dir, 'settlement.csv'), '-c', join(dir, 'contract.yaml'), '--as-of', '2025-10-20', '--format', format, '-o', join(dir, out)],
    { POSRECON_ENGINE: engine },
  ];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'posrecon-fast-'));
    meta = (generate as (d: string, n: number, o: { gbk: boolean }) => Truth)(dir, 45_000, { gbk: false });
  });

  it('writes the same JSON and CSV as the reference pipeline, with the planted findings', () => {
    for (const format of ['json', 'csv']) {
      const [fastArgs, fastEnv] = args('auto', format, `fast.${format}`);
      // Two scan threads (the size rule would use one at 10 MB): the worker path is what is tested.
      const fast = posrecon([...fastArgs, '--verbose'], { ...fastEnv, POSRECON_SCAN_THREADS: '2' });
      const reference = posrecon(...args('reference', format, `reference.${format}`));
      expect(fast.stderr).toMatch(/^posrecon: fast path: [\d,]+ clean pairs counted in columns, [\d,]+ rows reconciled in full\nposrecon: fast path phases: read heads, plan \d+ ms, scan terminal \(settlement on a 2nd thread\) \d+ ms, terminal pass 1 \(reference reader\) \d+ ms, settlement scan \(rest\) \d+ ms, .*reconcile residual \d+ ms\n$/);
      expect(reference.stderr).toBe('');
      expect(fast.code).toBe(1); // exceptions found
      expect(reference.code).toBe(1);
      expect(readFileSync(join(dir, `fast.${format}`), 'utf8')).toBe(readFileSync(join(dir, `reference.${format}`), 'utf8'));
    }
    const report = JSON.parse(readFileSync(join(dir, 'fast.json'), 'utf8')) as { summary: { counts: Record<string, number> } };
    for (const [kind, n] of Object.entries(meta.truth)) expect(report.summary.counts[kind]).toBe(n);
  });

  it('takes the fast path for several files per side (the same split across days), same report as the reference', () => {
    // Each side dealt into two files by line parity, each with the header; the second settlement
    // file also repeats a few lines of the first (an overlapping re-export).
    const split = (name: string, extra: number) => {
      const [header, ...rows] = readFileSync(join(dir, name), 'utf8').trimEnd().split('\n');
      const parts = [rows.filter((_r, i) => i % 2 === 0), rows.filter((_r, i) => i % 2 === 1)];
      parts[1].push(...parts[0].slice(0, extra));
      return parts.map((lines, i) => {
        const path = join(dir, `${name.replace('.csv', '')}-part${i + 1}.csv`);
        writeFileSync(path, [header, ...lines].join('\n') + '\n');
        return path;
      });
    };
    const t = split('terminal.csv', 0);
    const s = split('settlement.csv', 5);
    const run = (engine: string, out: string) =>
      posrecon(['reconcile', ...t.flatMap((f) => ['-t', f]), ...s.flatMap((f) => ['-s', f]), '-c', join(dir, 'contract.yaml'), '--as-of', '2025-10-20', '--format', 'json', '-o', join(dir, out), '--verbose'], { POSRECON_ENGINE: engine, POSRECON_SCAN_THREADS: '2' });
    const fast = run('columnar', 'many-fast.json');
    const reference = run('reference', 'many-reference.json');
    expect(fast.stderr).toMatch(/^posrecon: fast path: [\d,]+ clean pairs counted in columns/);
    expect(fast.code).toBe(reference.code);
    expect(readFileSync(join(dir, 'many-fast.json'), 'utf8')).toBe(readFileSync(join(dir, 'many-reference.json'), 'utf8'));
    const report = JSON.parse(readFileSync(join(dir, 'many-fast.json'), 'utf8')) as { summary: { counts: Record<string, number> }; inputs: unknown[] };
    expect(report.inputs).toHaveLength(4);
    expect(report.summary.counts.duplicate_export).toBe(5);
    expect(report.summary.counts.dropped_order).toBe(meta.truth.dropped_order);
  });

  it('a missing or unreadable input is the same one-line error (exit 2) on the fast path', () => {
    const r = posrecon(['reconcile', '-t', join(dir, 'nope.csv'), '-s', join(dir, 'settlement.csv'), '-c', join(dir, 'contract.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`posrecon: ${join(dir, 'nope.csv')}: cannot read: no such file\n`);
    const d = posrecon(['reconcile', '-t', dir, '-s', join(dir, 'settlement.csv')]);
    expect(d.code).toBe(2);
    expect(d.stderr).toBe(`posrecon: ${dir}: cannot read: is a directory\n`);
  });

  it('prints a table for a mismatch with tens of thousands of findings', () => {
    // Every settlement line unmatched (the terminal file is another day's): ~43k dropped orders.
    const other = mkdtempSync(join(tmpdir(), 'posrecon-other-'));
    (generate as (d: string, n: number, o: { gbk: boolean; seed: number }) => Truth)(other, 200, { gbk: false, seed: 7 });
    const r = posrecon(['reconcile', '-t', join(other, 'terminal.csv'), '-s', join(dir, 'settlement.csv'), '-c', join(dir, 'contract.yaml'), '-o', join(other, 'report.txt')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(readFileSync(join(other, 'report.txt'), 'utf8')).toMatch(/\d{5} +dropped orders/);
  });

  it('--verbose says why the fast path was not used; an unknown POSRECON_ENGINE is a usage error', () => {
    const quoted = join(dir, 'settlement-quoted.csv');
    const lines = readFileSync(join(dir, 'settlement.csv'), 'utf8').split('\n');
    lines.splice(400_0, 0, '"2025-10-16,多行\n备注",,,,,,,,,,,'); // a quoted cell spanning lines, well past the head
    writeFileSync(quoted, lines.join('\n'));
    const r = posrecon(['reconcile', '-t', join(dir, 'terminal.csv'), '-s', quoted, '-c', join(dir, 'contract.yaml'), '-o', join(dir, 'q.json'), '-v']);
    expect(r.stderr).toBe(`posrecon: fast path not used: ${quoted}: a quoted cell spanning lines (or quotes the scan does not follow)\n`);
    const bad = posrecon(['reconcile', '-t', join(dir, 'terminal.csv'), '-s', join(dir, 'settlement.csv')], { POSRECON_ENGINE: 'ref' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('posrecon: POSRECON_ENGINE=ref: expected auto, reference or columnar\n');
    const threads = posrecon(['reconcile', '-t', join(dir, 'terminal.csv'), '-s', join(dir, 'settlement.csv')], { POSRECON_SCAN_THREADS: '4' });
    expect(threads.stderr).toBe('posrecon: POSRECON_SCAN_THREADS=4: expected 1 or 2\n');
  });

  it('POSRECON_ENGINE=columnar on small files prints the reference report', () => {
    const demo = ['-t', 'fixtures/demo/terminal-2025-09-29.csv', '-t', 'fixtures/demo/terminal-2025-09-30_10-09.csv', '-s', 'fixtures/demo/settlement-2025-09-30.csv', '-s', 'fixtures/demo/settlement-2025-10-09.csv', '-c', 'fixtures/demo/contract.yaml', '--format', 'json'];
    const fast = posrecon(['reconcile', ...demo], { POSRECON_ENGINE: 'columnar' });
    const reference = posrecon(['reconcile', ...demo], { POSRECON_ENGINE: 'reference' });
    expect(fast.stderr).toBe('');
    expect(fast.code).toBe(reference.code);
    expect(fast.stdout).toBe(reference.stdout);
  });

  it('POSRECON_ENGINE=columnar says why when the fast path does not apply', () => {
    const r = posrecon(['reconcile', '-t', 'fixtures/demo/terminal-2025-09-29.csv', '-s', 'fixtures/channels/wechatpay-tradebill-27col-refund-20251001.csv', '--format', 'json'], { POSRECON_ENGINE: 'columnar' });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('posrecon: POSRECON_ENGINE=columnar: the fast path does not apply (fixtures/channels/wechatpay-tradebill-27col-refund-20251001.csv: profile wechatpay-trade rewrites or checks rows)\n');
  });
});
