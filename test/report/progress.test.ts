import { describe, expect, it } from 'vitest';
import { BYTES_PER_ROW, createProgress, PROGRESS_MIN_ROWS, progressWanted } from '../../src/report/progress.js';

const big = PROGRESS_MIN_ROWS * BYTES_PER_ROW;

describe('progressWanted', () => {
  it('only for big inputs, a terminal on stderr, no --quiet and no CI', () => {
    expect(progressWanted({ stderrIsTTY: true, quiet: false, env: {}, inputBytes: big })).toBe(true);
    expect(progressWanted({ stderrIsTTY: true, quiet: false, env: {}, inputBytes: big - 1 })).toBe(false);
    expect(progressWanted({ stderrIsTTY: false, quiet: false, env: {}, inputBytes: big })).toBe(false);
    expect(progressWanted({ stderrIsTTY: true, quiet: true, env: {}, inputBytes: big })).toBe(false);
    expect(progressWanted({ stderrIsTTY: true, quiet: false, env: { CI: 'true' }, inputBytes: big })).toBe(false);
    expect(progressWanted({ stderrIsTTY: true, quiet: false, env: { TERM: 'dumb' }, inputBytes: big })).toBe(false);
  });
});

describe('createProgress', () => {
  it('rewrites one line and erases it when done', () => {
    const out: string[] = [];
    let t = 0;
    const p = createProgress(true, (s) => out.push(s), () => t);
    p.step('reading settlement file 1/2 a.csv');
    t = 2500;
    p.step('matching 60,000 rows');
    p.done();
    p.done();
    expect(out).toEqual(['\r\x1b[2Kposrecon: reading settlement file 1/2 a.csv (0s)', '\r\x1b[2Kposrecon: matching 60,000 rows (2s)', '\r\x1b[2K']);
  });

  it('shows a file name\'s control characters visibly (the line is rewritten with escapes of its own)', () => {
    const out: string[] = [];
    const p = createProgress(true, (s) => out.push(s), () => 0);
    p.step('scanning bad\x1b[2J\u202ename.csv');
    expect(out).toEqual(['\r\x1b[2Kposrecon: scanning bad␛[2J\\u{202e}name.csv (0s)']);
  });

  it('writes nothing when disabled', () => {
    const out: string[] = [];
    const p = createProgress(false, (s) => out.push(s));
    p.step('x');
    p.done();
    expect(out).toEqual([]);
  });
});
