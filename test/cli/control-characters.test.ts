// Control characters in input cells (an acquirer memo `ESC[30A ESC[J ESC]0;pwned BEL 正常` that
// would move the cursor up and clear the screen over the findings) never reach a terminal raw:
// the table, inspect and the store's run, status and history show a visible stand-in instead.
// JSON keeps escaping them its own way (\u001b).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { posrecon } from './run.js';

const DIR = 'fixtures/hostile/memo-with-escape-sequences';
const INPUTS = ['-t', `${DIR}/terminal.csv`, '-s', `${DIR}/settlement.csv`, '-c', `${DIR}/contract.yaml`];
/** The 流量费 memo as shown: ESC ␛, BEL ␇, the 8-bit CSI U+009B, DEL ␡, backspace ␈. */
const MEMO = '␛[30A␛[J␛]0;pwned␇\\u{9b}2J␡␈正常';

/** ESC, BEL, any other C0 control but the layout's LF, DEL or C1 control (incl. the single-byte CSI). */
function expectNoRawControl(text: string): void {
  // eslint-disable-next-line no-control-regex
  const raw = text.match(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  expect(raw, `raw ${JSON.stringify(raw?.[0])} in output`).toBeNull();
}

const dir = mkdtempSync(join(tmpdir(), 'posrecon-cli-controls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a memo with terminal escape sequences', () => {
  it('reconcile (table): shown visibly, and the dropped order above it is still there', () => {
    const r = posrecon(['reconcile', ...INPUTS]);
    expect(r.code).toBe(1);
    expectNoRawControl(r.stdout);
    expect(r.stdout).toContain(`流量费 ${MEMO} ¥48.00 deducted on 2025-11-11`);
    expect(r.stdout).toContain('Card was charged ¥9,999.00');
    // The rejected row's reason quotes the cell: its line break stays on the row's line.
    const rejected = r.stdout.split('\n').filter((l) => l.includes('terminal.csv:5: column 交易类型'));
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toContain('unknown transaction type "刷␛[31m卡 ⏎ 新" on a successful charge');
  });

  it('reconcile --format markdown: shown visibly', () => {
    const r = posrecon(['reconcile', ...INPUTS, '--format', 'markdown']);
    expectNoRawControl(r.stdout);
    expect(r.stdout).toContain('pwned␇');
  });

  it('reconcile --format json still escapes them as JSON does (unchanged)', () => {
    const r = posrecon(['reconcile', ...INPUTS, '--format', 'json']);
    expect(r.stdout).toContain('\\u001b[30A\\u001b[J\\u001b]0;pwned\\u0007');
    const deduction = JSON.parse(r.stdout).findings.find((f: { kind: string }) => f.kind === 'extra_deduction');
    expect(deduction.settlement.memo).toBe('\x1b[30A\x1b[J\x1b]0;pwned\x07\u009b2J\x7f\x08正常');
  });

  it('inspect: the skipped title line and the rejected row are shown visibly', () => {
    const r = posrecon(['inspect', `${DIR}/terminal.csv`, `${DIR}/settlement.csv`]);
    expect(r.code).toBe(1);
    expectNoRawControl(r.stdout);
    expect(r.stdout).toContain('skipped  line 2 (preamble): 商户名称：␛[2J␛]0;pwned␇示例店');
    expect(r.stdout).toContain('unknown transaction type "刷␛[31m卡 ⏎ 新"');
  });

  it('run, status and history of the store: shown visibly', () => {
    const store = join(dir, 's.sqlite');
    const run = posrecon(['run', '--store', store, ...INPUTS]);
    expect(run.code).toBe(1);
    expectNoRawControl(run.stdout);
    expect(run.stdout).toContain(`extra_deduction      流量费 ${MEMO} ¥48.00`);

    const status = posrecon(['status', '--store', store]);
    expect(status.code).toBe(0);
    expectNoRawControl(status.stdout);
    expect(status.stdout).toContain(`extra_deduction      流量费 ${MEMO} ¥48.00`);

    const id = /! ([0-9a-f]{12})\s+extra_deduction/.exec(status.stdout)![1];
    const history = posrecon(['history', id, '--store', store]);
    expect(history.code).toBe(0);
    expectNoRawControl(history.stdout);
    expect(history.stdout).toContain(`流量费 ${MEMO}`);
  });
});

describe('an error message quoting a file name or cell with control characters', () => {
  it('is one line on stderr with the characters shown visibly (review AR)', () => {
    const name = join(dir, 'settlement-\u001b[31mRED\u001b[0m.csv');
    writeFileSync(name, '清算日期,商户号,\u009b2J金额\n2025-11-04,898310058120001,1.00\n');
    const r = posrecon(['reconcile', '-s', name]);
    expect(r.code).toBe(2);
    expectNoRawControl(r.stderr);
    expect(r.stderr).toContain('settlement-␛[31mRED␛[0m.csv');
    expect(r.stderr.trimEnd().split('\n').filter((l) => l.startsWith('posrecon:'))).toHaveLength(1);
  });

  it('a note naming such a file (given twice) shows it visibly too (review BA)', () => {
    const name = join(dir, 'terminal-\u001b[2J\u202e.csv');
    writeFileSync(name, readFileSync('fixtures/demo/terminal-2025-09-29.csv'));
    const r = posrecon(['reconcile', '-t', name, name, '-s', 'fixtures/demo/settlement-2025-09-30.csv', '-c', 'fixtures/demo/contract.yaml']);
    expectNoRawControl(r.stderr);
    expect(r.stderr).toContain('terminal-␛[2J\\u{202e}.csv is given twice to --terminal');
  });
});
