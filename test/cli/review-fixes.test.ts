// Defects a new user hit, pinned so they stay fixed.
import { linkSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { posrecon, ROOT } from './run.js';
import { readInputFile } from '../../src/read/readInput.js';
import { builtinProfiles } from '../../src/profiles/builtin.js';

const dir = mkdtempSync(join(tmpdir(), 'posrecon-review-'));
const T1 = 'fixtures/demo/terminal-2025-09-29.csv';
const S1 = 'fixtures/demo/settlement-2025-09-30.csv';
const CONTRACT = 'fixtures/demo/contract.yaml';

describe('new-user defects', () => {
  it('points an unsettled payment at the unreadable settlement row that carries its terminal and trace', () => {
    // The overdue ¥88.00 sale (terminal 10000001, trace 000106) arrives in a settlement file (no
    // RRN column) with a typo'd amount whose unquoted comma shifts the cells after it by one.
    const text = readFileSync(`${ROOT}fixtures/demo/settlement-2025-10-09.csv`, 'utf8').replace(
      '2025-10-09,898310058120001,10000001,2025-09-30,10:00:00',
      '2025-10-09,898310058120001,10000001,2025-09-29,15:10:00,消费,622848******4444,借记卡,8,8.O0,0.44,87.56,000106,000001,\n2025-10-09,898310058120001,10000001,2025-09-30,10:00:00',
    );
    const broken = join(dir, 'settlement-typo.csv');
    writeFileSync(broken, text);
    const run = posrecon(['reconcile', '-t', T1, '-s', S1, broken, '-c', CONTRACT, '--format', 'json']);
    const json = JSON.parse(run.stdout);
    expect(json.rejected.length).toBe(1);
    const overdue = json.findings.find((f: { kind: string; terminal: { rrn: string } }) => f.kind === 'unsettled_overdue' && f.terminal.rrn === '100000000006');
    expect(overdue.details.rejectedSettlementRow).toBe(`${broken}:${json.rejected[0].line}`);
    expect(overdue.message).toMatch(/probably the unreadable row/);
  });

  it('refuses the same file on two sides', () => {
    const run = posrecon(['reconcile', '-t', S1, '-s', S1]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/given to both --terminal and --settlement/);
  });

  it('reads a file given twice to one side once, and says so', () => {
    const once = JSON.parse(posrecon(['reconcile', '-t', T1, '-s', S1, '-c', CONTRACT, '--format', 'json']).stdout);
    const twice = posrecon(['reconcile', '-t', T1, '-s', S1, S1, '-c', CONTRACT, '--format', 'json']);
    expect(twice.stderr).toMatch(/given twice to --settlement; reading it once/);
    expect(JSON.parse(twice.stdout).summary.counts).toEqual(once.summary.counts);
  });

  it('refuses a fee audit with no fee rules instead of printing "all clear"', () => {
    const run = posrecon(['reconcile', '-s', S1]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/needs --contract with fee rules/);
  });

  it('says a UnionPay RD summary alone is missing its detail', () => {
    const run = posrecon(['reconcile', '-s', 'fixtures/samples/unionpay-acp-rd-summary-20150905.txt', '-c', 'fixtures/fees/contract-unionpay-060.yaml']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/RD summary .*pass its ZM detail/);
  });

  it('rejects an implausible rate with the likely fix, and accepts Chinese card-type words', () => {
    const bad = join(dir, 'rate.yaml');
    writeFileSync(bad, 'fees:\n  rules:\n    - when: { cardType: 借记卡 }\n      rate: "60%"\n');
    const run = posrecon(['reconcile', '-s', S1, '-c', bad]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/rate\.yaml:4: .*rate 60% is implausible/);
    expect(run.stderr).toMatch(/did you mean "0\.60%"/);
    const good = join(dir, 'cn.yaml');
    writeFileSync(good, 'fees:\n  rules:\n    - when: { cardType: 借记卡 }\n      rate: "0.50%"\n      cap: "20.00"\n    - when: { cardType: [贷记卡, 扫码] }\n      rate: "0.60%"\n');
    expect(posrecon(['reconcile', '-s', S1, '-c', good, '--quiet']).code).toBe(1);
  });

  it('never keeps a full card number in a record, even in free text', () => {
    const csv = '商户号,终端号,交易时间,交易类型,交易状态,卡号,交易金额,参考号,备注\n898310058120001,10000001,2025-10-01 10:00:00,消费,成功,6222021234567890,10.00,123456789012,退卡号6222021234567890\n';
    const parsed = readInputFile(new TextEncoder().encode(csv), 'pan.csv', { profiles: builtinProfiles(), role: 'terminal' });
    expect(JSON.stringify(parsed.records)).not.toMatch(/6222021234567890/);
    expect(parsed.records[0].card).toBe('622202******7890');
  });
});

describe('options a script gets wrong (review T)', () => {
  const DEMO = ['-t', T1, '-s', S1, '-c', CONTRACT];

  it('an option whose value is missing is a usage error, not the next option taken as its value', () => {
    for (const args of [[...DEMO, '-o', '--quiet'], [...DEMO, '-o', ''], ['-t', '-s', S1, '-c', CONTRACT]]) {
      const run = posrecon(['reconcile', ...args]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^posrecon: option '-[ot], --(output|terminal) <[a-z.]+>' argument '.*' is invalid\. (expected a value, got the option -[a-z-]+|the value is empty)/);
      expect(run.stdout).toBe('');
    }
  });

  it('--fail-on given twice adds up (a single-value option given twice keeps the last: base arguments plus an override)', () => {
    const twice = posrecon(['reconcile', ...DEMO, '--as-of', '2025-10-09', '--as-of', '2025-09-30', '--format', 'json']);
    expect(JSON.parse(twice.stdout).asOf).toBe('2025-09-30');
    // The demo has dropped orders: the first --fail-on must still count.
    expect(posrecon(['reconcile', ...DEMO, '--fail-on', 'dropped_order', '--fail-on', 'payout_missing', '-q']).code).toBe(1);
  });

  it('a kind given to both --fail-on and --ignore is a contradiction', () => {
    const run = posrecon(['reconcile', ...DEMO, '--fail-on', 'dropped_order', '--ignore', 'dropped_order']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('posrecon: --fail-on and --ignore both name dropped_order: give each kind to one of them\n');
  });

  it('file lists may still be given in several goes', () => {
    const run = posrecon(['reconcile', '-t', T1, '-t', 'fixtures/demo/terminal-2025-09-30_10-09.csv', '-s', S1, 'fixtures/demo/settlement-2025-10-09.csv', '-c', CONTRACT, '--format', 'json']);
    expect(JSON.parse(run.stdout).inputs).toHaveLength(4);
  });
});

describe('a contract that says nothing (review T)', () => {
  it('an empty or comments-only contract file is an input error, not "all clear" with fee checks off', () => {
    for (const text of ['', '# settlement: { cycle: T+1 }\n\n']) {
      const path = join(dir, `empty-${text.length}.yaml`);
      writeFileSync(path, text);
      const run = posrecon(['reconcile', '-t', T1, '-s', S1, '-c', path]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(new RegExp(`^posrecon: ${path}: the contract is empty`));
    }
  });

  it('a contract without fee rules is named as such, not "pass --contract"', () => {
    const path = join(dir, 'no-fees.yaml');
    writeFileSync(path, 'settlement: { cycle: T+1 }\n');
    const run = posrecon(['reconcile', '-t', T1, '-s', S1, '-c', path]);
    expect(run.stdout).toContain(`fees not checked (${path} has no fee rules)`);
  });
});

describe('a day without sales (review T)', () => {
  it('header-only files: asOf is null with its reason, never an empty date, and no calendar note for year 0', () => {
    const settlement = join(dir, 'settlement-header-only.csv');
    writeFileSync(settlement, '清算日期,商户号,终端号,交易时间,交易类型,卡号,卡类别,交易金额,手续费,结算金额,参考号,凭证号\n');
    const json = JSON.parse(posrecon(['reconcile', '-t', 'fixtures/ingest/header-only.csv', '-s', settlement, '-c', CONTRACT, '--format', 'json']).stdout);
    expect(json.asOf).toBeNull();
    expect(json.asOfSource).toBe('none: no dated row in the files');
    expect(json.summary.missingCalendarYears).toEqual([]);
    const table = posrecon(['reconcile', '-t', 'fixtures/ingest/header-only.csv', '-s', settlement, '-c', CONTRACT]);
    expect(table.stdout).toMatch(/^posrecon reconcile — as of — \(none: no dated row in the files\)\n/);
    expect(table.code).toBe(0);
  });
});

describe('one file under two names (review T)', () => {
  const copy = join(dir, 'terminal-copy.csv');
  const link = join(dir, 'terminal-link.csv');
  writeFileSync(copy, readFileSync(`${ROOT}${T1}`));
  symlinkSync(copy, link);

  it('a link and its target are read once; --quiet keeps the note off stderr', () => {
    const run = posrecon(['reconcile', '-t', copy, link, '-s', S1, '--format', 'json']);
    expect(run.stderr).toBe(`posrecon: note: ${link} is given twice to --terminal; reading it once\n`);
    expect(JSON.parse(run.stdout).summary.counts.duplicate_export).toBe(0);
    expect(posrecon(['reconcile', '-t', copy, link, '-s', S1, '-q', '--ignore', 'dropped_order,unsettled_overdue']).stderr).toBe('');
  });

  it('--output naming an input is a usage error: the report would overwrite the export', () => {
    const run = posrecon(['reconcile', '-t', link, '-s', S1, '-o', copy, '--format', 'csv']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`posrecon: --output ${copy} is also an input (--terminal ${link}): the report would overwrite it\n`);
    expect(readFileSync(copy, 'utf8')).toBe(readFileSync(`${ROOT}${T1}`, 'utf8'));
  });
});

describe('JSON bytes do not depend on the order files are given in (review T)', () => {
  it('inputs are listed by role, then path', () => {
    const files = (order: string[]) => ['-t', ...order, '-s', S1, 'fixtures/demo/settlement-2025-10-09.csv', '-c', CONTRACT, '--format', 'json'];
    const a = posrecon(['reconcile', ...files([T1, 'fixtures/demo/terminal-2025-09-30_10-09.csv'])]).stdout;
    const b = posrecon(['reconcile', ...files(['fixtures/demo/terminal-2025-09-30_10-09.csv', T1])]).stdout;
    expect(b).toBe(a);
    expect(JSON.parse(a).inputs.map((i: { file: string }) => i.file)).toEqual([T1, 'fixtures/demo/terminal-2025-09-30_10-09.csv', S1, 'fixtures/demo/settlement-2025-10-09.csv']);
  });
});

describe('--output naming a file the command reads (review U)', () => {
  it('the contract, or the store of a run, is never overwritten by the report', () => {
    const contract = join(dir, 'contract-copy.yaml');
    writeFileSync(contract, readFileSync(`${ROOT}${CONTRACT}`));
    const run = posrecon(['reconcile', '-t', T1, '-s', S1, '-c', contract, '-o', contract]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`posrecon: --output ${contract} is also --contract ${contract}: the report would overwrite it\n`);
    expect(readFileSync(contract, 'utf8')).toBe(readFileSync(`${ROOT}${CONTRACT}`, 'utf8'));
    const store = join(dir, 'out-store.sqlite');
    expect(posrecon(['run', '--store', store, '-t', T1, '-s', S1, '-c', CONTRACT, '-q']).code).toBe(1);
    expect(posrecon(['run', '--store', store, '-t', T1, '-s', S1, '-c', CONTRACT, '--format', 'json', '-o', store]).code).toBe(2);
    expect(posrecon(['export', '--store', store, '-o', store]).code).toBe(2);
    expect(posrecon(['status', '--store', store]).code).toBe(0);
  });
});

describe('review U: the edges of this session\'s option and file checks', () => {
  it('a value that starts with a dash but is no option is a value (a --note of -88.00)', () => {
    const store = join(dir, 'note-store.sqlite');
    posrecon(['run', '--store', store, '-t', T1, '-s', S1, '-c', CONTRACT, '-q']);
    const id = (JSON.parse(posrecon(['status', '--store', store, '--format', 'json']).stdout) as { open: { id: string }[] }).open[0].id;
    expect(posrecon(['resolve', id, '--store', store, '--note', '-88.00 已原路退回顾客']).code).toBe(0);
  });

  it('an empty --fail-on is refused also when given a second time', () => {
    const run = posrecon(['reconcile', '-t', T1, '-s', S1, '--fail-on', 'dropped_order', '--fail-on', '']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--fail-on <kinds>' argument '' is invalid\. no finding kind given/);
  });

  it('a contract of a document marker or an empty map is empty; a time zone in any case is China Standard Time', () => {
    for (const [text, code] of [['---\n', 2], ['{}\n', 2], ['~\n', 2], ['timezone: asia/shanghai\nsettlement: { cycle: T+1 }\n', 0]] as const) {
      const path = join(dir, `c-${text.length}.yaml`);
      writeFileSync(path, text);
      expect(posrecon(['reconcile', '-t', T1, '-s', S1, '-c', path, '--ignore', 'dropped_order,unsettled_overdue', '-q']).code).toBe(code);
    }
  });

  it('a hard link to an input is the same file, read once', () => {
    const original = join(dir, 'hard-original.csv');
    const hard = join(dir, 'hard-link.csv');
    writeFileSync(original, readFileSync(`${ROOT}${T1}`));
    linkSync(original, hard);
    const json = JSON.parse(posrecon(['reconcile', '-t', original, hard, '-s', S1, '--format', 'json']).stdout);
    expect([json.inputs.length, json.summary.counts.duplicate_export]).toEqual([2, 0]);
  });
});

describe('files given to the wrong side (review V)', () => {
  it('a settlement file in the terminal list is read as given, with a note that it reads better as a settlement file', () => {
    const run = posrecon(['reconcile', '-t', S1, T1, '-s', 'fixtures/demo/settlement-2025-10-09.csv', '-c', CONTRACT]);
    expect(run.stdout).toContain(`Note: ${S1} was given as a terminal file but reads better as a settlement file (generic-settlement): if it is one, pass it with --settlement`);
    expect(posrecon(['reconcile', '-t', T1, '-s', S1, '-c', CONTRACT]).stdout).not.toContain('reads better');
  });

  it('names the side the file reads as, instead of asking for a new profile', () => {
    const run = posrecon(['reconcile', '-t', S1, '-s', T1, '-c', CONTRACT]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no settlement profile fits;.*\n {2}hint: it reads as a terminal file \(generic-terminal fits\): pass it with --terminal \(were the sides swapped\?\)\n$/);
  });
});
