// `posrecon inspect` as a user runs it: the built binary, spawned from the repository root.
// Needs `npm run build` first (`npm test` does it).
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { posrecon } from './run.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function inspect(...args: string[]): Run {
  const r = spawnSync(process.execPath, ['bin/posrecon.js', 'inspect', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    input: '',
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

interface InspectFile {
  file: string;
  encoding: string;
  encodingReason: string;
  delimiter: string;
  profile: string;
  role: string;
  reason: string;
  headerLine: number | null;
  rows: number;
  skipped: { count: number; lines: { line: number; kind: string; text: string }[] };
  rejected: { file: string; line: number; column?: string; reason: string; message: string }[];
  mapping: Record<string, string>;
  unmapped: string[];
  lines: { total: number; header: number; skipped: number; records: number; rejected: number };
  dateRange: { from: string | null; to: string | null };
  totals: Record<string, string>;
  unusableIds: { line: number; field: string; raw: string; reason: string }[];
  unreadableBalances: { count: number; lines: number[]; example: string } | null;
  notes: string[];
}

function inspectJson(...args: string[]): { code: number; files: InspectFile[]; stderr: string } {
  const r = inspect('--format', 'json', ...args);
  expect(r.stderr).toBe('');
  return { code: r.code, files: (JSON.parse(r.stdout) as { files: InspectFile[] }).files, stderr: r.stderr };
}

/** An error the user must fix: exit 2, nothing on stdout, a one-line message plus at most a hint, no stack. */
function expectInputError(r: Run, firstLine: RegExp | string): void {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  if (typeof firstLine === 'string') expect(lines[0]).toBe(firstLine);
  else expect(lines[0]).toMatch(firstLine);
  expect(lines.length).toBeLessThanOrEqual(2);
  if (lines[1] !== undefined) expect(lines[1]).toMatch(/^ {2}hint: /);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toMatch(/internal error/);
}

beforeAll(() => {
  if (!existsSync(ROOT + 'dist/cli/main.js')) throw new Error('run `npm run build` before the CLI tests');
});

describe('posrecon inspect --format json', () => {
  it('reports encoding, delimiter, profile, role and reason, mapping, counts, skipped lines, date range and totals', () => {
    const { code, files } = inspectJson('fixtures/ingest/gbk-with-title-and-footer.csv');
    expect(code).toBe(0);
    expect(files).toHaveLength(1);
    const f = files[0];
    expect(f).toMatchObject({
      file: 'fixtures/ingest/gbk-with-title-and-footer.csv',
      encoding: 'gb18030',
      delimiter: 'comma',
      profile: 'generic-terminal',
      role: 'terminal',
      headerLine: 5,
      rows: 3,
      rejected: [],
      dateRange: { from: '2025-04-17', to: '2025-04-17' },
      totals: { amount: '1410.56' },
      lines: { total: 10, header: 1, skipped: 6, records: 3, rejected: 0 },
      unreadableBalances: null,
    });
    expect(f.reason).toMatch(/^header on line 5 maps 9 columns/);
    expect(f.mapping).toMatchObject({ 交易时间: 'time', 交易金额: 'amount', 终端号: 'terminalId', 参考号: 'rrn', 交易状态: 'status' });
    expect(f.skipped.count).toBe(6);
    expect(f.skipped.lines.map((s) => `${s.line}:${s.kind}:${s.text}`)).toEqual([
      '1:preamble:商户交易明细', '2:preamble:商户名称：上海示例餐饮有限公司', '3:preamble:导出时间：2025-04-18 09:00:00',
      '4:blank:', '9:footer:合计,,,,,1,410.56', '10:summary:总笔数：3',
    ]);
  });

  it('exit 1 when rows are rejected, each with file:line, column and reason', () => {
    const { code, files } = inspectJson('fixtures/ingest/bad-amount-row.csv');
    expect(code).toBe(1);
    expect(files[0].rows).toBe(9);
    expect(files[0].totals).toEqual({ amount: '90.00' });
    expect(files[0].rejected).toEqual([
      {
        file: 'fixtures/ingest/bad-amount-row.csv',
        line: 14,
        column: '交易金额',
        reason: 'cannot read "12,5O" as an amount such as 1,234.56',
        message: 'fixtures/ingest/bad-amount-row.csv:14: column 交易金额: cannot read "12,5O" as an amount such as 1,234.56 (profile generic-terminal)',
      },
    ]);
  });

  it('exit 1 if any of several files has rejected rows; all files are reported', () => {
    const { code, files } = inspectJson('fixtures/ingest/pipe-delimited.txt', 'fixtures/ingest/ragged-rows.csv');
    expect(code).toBe(1);
    expect(files.map((f) => [f.file, f.delimiter, f.rows, f.rejected.map((r) => r.line)])).toEqual([
      ['fixtures/ingest/pipe-delimited.txt', 'pipe', 4, []],
      ['fixtures/ingest/ragged-rows.csv', 'comma', 2, [3, 4, 6]],
    ]);
  });

  it('lists identifiers destroyed by Excel as unusable', () => {
    const { code, files } = inspectJson('fixtures/ingest/excel-destroyed-ids.csv');
    expect(code).toBe(0);
    expect(files[0].unusableIds.map((u) => [u.line, u.field, u.raw])).toEqual([
      [2, 'orderId', '4.00123E+27'],
      [3, 'rrn', '5.10710E+11'],
      [3, 'orderId', '4.00123E+27'],
    ]);
    expect(files[0].notes).toContain('2 rows have identifiers destroyed by Excel: they are never used for matching');
  });

  it('keeps more than two decimals in totals', () => {
    const { files } = inspectJson('fixtures/ingest/amount-forms.csv');
    expect(files[0].totals).toEqual({ amount: '4908.263456789', fee: '29.430800740734' });
  });

  it.each([
    ['utf8-bom-semicolon.csv', 'utf-8', 'utf-8 byte-order mark', 'semicolon', '13581.22'],
    ['tab-delimited.tsv', 'utf-8', 'valid UTF-8', 'tab', '1335.00'],
    ['utf-16le-bom.txt', 'utf-16le', 'utf-16le byte-order mark', 'tab', '1239.56'],
    ['utf-16le-nobom.csv', 'utf-16le', 'utf-16le without BOM (NUL byte pattern)', 'tab', '1239.56'],
    ['utf-16be-bom.txt', 'utf-16be', 'utf-16be byte-order mark', 'tab', '1239.56'],
    ['gb18030-four-byte-chars.csv', 'gb18030', 'not valid UTF-8; valid GB18030/GBK', 'comma', '30.00'],
  ])('%s: %s (%s), %s-separated, amount %s', (name, encoding, reason, delimiter, amount) => {
    const { code, files } = inspectJson(`fixtures/ingest/${name}`);
    expect(code).toBe(0);
    expect(files[0]).toMatchObject({ encoding, encodingReason: reason, delimiter, totals: { amount } });
  });

  it('--encoding overrides detection', () => {
    const gbk = inspectJson('--encoding', 'gbk', 'fixtures/ingest/gbk-with-title-and-footer.csv');
    expect(gbk.files[0]).toMatchObject({ encoding: 'gb18030', encodingReason: 'forced by --encoding', rows: 3 });
    const le = inspectJson('--encoding', 'UTF-16LE', 'fixtures/ingest/utf-16le-nobom.csv');
    expect(le.files[0]).toMatchObject({ encoding: 'utf-16le', encodingReason: 'forced by --encoding', rows: 3 });
  });
});

describe('user profiles: --profile FILE', () => {
  it.each(['fixtures/profiles/my-acquirer.yaml', 'fixtures/profiles/my-acquirer.json'])('%s reads the fen layout end to end', (profile) => {
    const { code, files } = inspectJson('--profile', profile, 'fixtures/ingest/fen-amounts.csv');
    expect(code).toBe(0);
    expect(files[0]).toMatchObject({
      role: 'settlement',
      rows: 4,
      headerLine: 2,
      totals: { amount: '1234.61', fee: '7.41', net: '1227.20' },
      dateRange: { from: '2018-07-31', to: '2018-07-31' },
      mapping: { '交易额(分)': 'amount', '手续费(分)': 'fee', '结算额(分)': 'net', 交易时刻: 'time' },
    });
    expect(files[0].reason).toMatch(/^forced by --profile; /);
    expect(files[0].skipped.lines.map((s) => s.line)).toEqual([1, 7]);
  });

  it('--profile NAME forces a built-in', () => {
    const { files } = inspectJson('--profile', 'generic-terminal', 'fixtures/ingest/settlement-with-fees.csv');
    expect(files[0]).toMatchObject({ profile: 'generic-terminal', role: 'terminal' });
  });

  it('without the profile the layout is unknown: exit 2 naming the closest profile and the unmapped columns', () => {
    expectInputError(inspect('fixtures/ingest/fen-amounts.csv'), /^posrecon: fixtures\/ingest\/fen-amounts\.csv:2: no profile fits; closest is [\w-]+, which lacks .*; columns that did not map: 记录类型, /);
  });

  it('a broken profile file is refused with its file:line', () => {
    expectInputError(
      inspect('--profile', 'fixtures/profiles/broken-role.yaml', 'fixtures/ingest/fen-amounts.csv'),
      'posrecon: fixtures/profiles/broken-role.yaml:3: role: expected terminal, settlement or bank, got "shop"',
    );
  });
});

describe('exit 2: the file cannot be read or no profile fits', () => {
  it('unknown layout', () => {
    expectInputError(
      inspect('fixtures/ingest/unknown-layout.csv'),
      /^posrecon: fixtures\/ingest\/unknown-layout\.csv:2: no profile fits; closest is [\w-]+, which lacks .*; columns that did not map: 门店, 品项, 数量, 单价$/,
    );
  });

  it('a wrong --encoding: garbled text is detected, undecodable bytes are named', () => {
    expectInputError(
      inspect('--encoding', 'utf-16le', 'fixtures/ingest/garbled-forced-encoding.csv'),
      /^posrecon: fixtures\/ingest\/garbled-forced-encoding\.csv:1: text looks garbled when decoded as utf-16le: "/,
    );
    expectInputError(
      inspect('--encoding', 'utf-8', 'fixtures/ingest/gbk-with-title-and-footer.csv'),
      'posrecon: fixtures/ingest/gbk-with-title-and-footer.csv:1: bytes are not valid utf-8 (forced by --encoding)',
    );
  });

  it('an unknown --encoding name, an unknown --profile', () => {
    expectInputError(inspect('--encoding', 'latin1', 'fixtures/ingest/tab-delimited.tsv'), /^posrecon: --encoding: unknown encoding "latin1"; expected one of: utf-8, gbk/);
    expectInputError(inspect('--profile', 'no-such-profile', 'fixtures/ingest/tab-delimited.tsv'), /^posrecon: --profile: "no-such-profile" is neither a built-in profile \(.*generic-terminal.*\) nor a file$/);
  });

  it('a missing file, an empty file', () => {
    expectInputError(inspect('fixtures/ingest/does-not-exist.csv'), 'posrecon: fixtures/ingest/does-not-exist.csv: cannot read: no such file');
    expectInputError(inspect('fixtures/ingest/empty.csv'), 'posrecon: fixtures/ingest/empty.csv: the file is empty');
  });

  it('one unreadable file fails the whole run without partial output', () => {
    expectInputError(inspect('fixtures/ingest/tab-delimited.tsv', 'fixtures/ingest/unknown-layout.csv'), /^posrecon: fixtures\/ingest\/unknown-layout\.csv:2: /);
  });
});

describe('every ingestion fixture', () => {
  const EXPECTED_EXIT: Record<string, number> = {
    'bad-amount-row.csv': 1,
    'ragged-rows.csv': 1,
    'empty.csv': 2,
    'unknown-layout.csv': 2,
    'fen-amounts.csv': 2, // needs --profile fixtures/profiles/my-acquirer.yaml
    'full-pan-in-title-and-footer.csv': 1, // rows with a bad date, a bad amount, an unknown status
    'utf8-then-gbk-joined.csv': 2, // mixes two encodings
    'unclosed-quote-swallows-next-line.csv': 1, // that row is rejected
    'download-cut-off-last-line.csv': 1, // its cut-off last line is rejected
  };
  const names = readdirSync(ROOT + 'fixtures/ingest').filter((f) => /\.(csv|tsv|txt)$/.test(f)).sort();

  it.each(names)('%s', (name) => {
    const r = inspect('--format', 'json', `fixtures/ingest/${name}`);
    expect(r.code).toBe(EXPECTED_EXIT[name] ?? 0);
    if (r.code === 2) {
      expectInputError(r, new RegExp(`^posrecon: fixtures/ingest/${name.replace('.', '\\.')}`));
      return;
    }
    const f = (JSON.parse(r.stdout) as { files: InspectFile[] }).files[0];
    // Every physical line is header, junk, record or rejected.
    expect(f.lines.header + f.lines.skipped + f.lines.records + f.lines.rejected).toBe(f.lines.total);
    // A record may span lines (a quoted line break), so rows ≤ record lines, and none only if none.
    expect(f.rows).toBeLessThanOrEqual(f.lines.records);
    expect(f.rows === 0).toBe(f.lines.records === 0);
    expect(f.skipped.count).toBe(f.skipped.lines.length);
  });
});

describe('published samples (fixtures/samples)', () => {
  it('ICBC: 11 rows, totals, and balances reported unreadable rather than guessed', () => {
    const { code, files } = inspectJson('fixtures/samples/bank-icbc-mingxi.csv');
    expect(code).toBe(0);
    expect(files[0]).toMatchObject({
      role: 'bank',
      rows: 11,
      headerLine: 7,
      rejected: [],
      totals: { credit: '2841.74', debit: '4241.08' },
      dateRange: { from: '2023-02-08', to: '2023-05-02' },
      unreadableBalances: { count: 11, example: 'xx,yyyy.zz', lines: [8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18] },
    });
    expect(files[0].skipped.count).toBe(8);
    expect(files[0].notes[0]).toMatch(/^balance unreadable on 11 of 11 rows \(e\.g\. "xx,yyyy\.zz"/);
    const text = inspect('fixtures/samples/bank-icbc-mingxi.csv');
    expect(text.stdout).toMatch(/^ {2}note {7}balance unreadable on 11 of 11 rows/m);
  });

  it.each([
    ['bank-cmb-statement.csv', 'bank', 5, { credit: '1234.00', debit: '2013.14' }, ['2024-01-01', '2024-01-27']],
    ['bank-boc-liushui.csv', 'bank', 17, { credit: '9821.00', debit: '9394.30' }, ['2025-08-01', '2025-08-22']],
    ['wechatpay-tradebill-20210128.csv', 'settlement', 3, { amount: '0.03' }, ['2021-01-28', '2021-01-28']],
    ['wechatpay-fundflowbill-20210201.csv', 'bank', 2, { debit: '0.02' }, ['2021-02-01', '2021-02-01']],
  ] as const)('%s: %s, %i rows', (name, role, rows, totals, [from, to]) => {
    const { code, files } = inspectJson(`fixtures/samples/${name}`);
    expect(code).toBe(0);
    expect(files[0]).toMatchObject({ role, rows, rejected: [], totals, dateRange: { from, to }, unreadableBalances: null });
  });

  it('WeChat trade bill fee total is zero and its summary rows are skipped, not read', () => {
    const { files } = inspectJson('fixtures/samples/wechatpay-tradebill-20210128.csv');
    expect(Number(files[0].totals.fee)).toBe(0);
    expect(files[0].skipped.lines.map((s) => s.line)).toEqual([5, 6]);
  });
});

describe('posrecon inspect (text)', () => {
  it('says what it read and what it skipped, and prints rejected rows as file:line: column: reason', () => {
    const r = inspect('fixtures/ingest/bad-amount-row.csv');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('  encoding   utf-8 (valid UTF-8), comma-separated\n');
    expect(r.stdout).toMatch(/^ {2}profile {4}generic-terminal → terminal: header on line 4 maps 8 columns/m);
    expect(r.stdout).toContain('  lines      16 = header 1 + skipped 5 + records 9 + rejected 1\n');
    expect(r.stdout).toContain('    skipped  line 15 (footer): 合计,,,,102.50\n');
    expect(r.stdout).toContain('  rejected   fixtures/ingest/bad-amount-row.csv:14: column 交易金额: cannot read "12,5O" as an amount such as 1,234.56 (profile generic-terminal)\n');
  });
});

describe('inspect on the footers and headers of real exports', () => {
  it.each(['footer-count-colon.csv', 'footer-count-gong-first.csv', 'footer-count-own-cell.csv', 'footer-count-gongji.csv', 'footer-count-heji-bishu.csv'])('%s: the stated row count is checked against the rows read', (name) => {
    const run = posrecon(['reconcile', '-t', `fixtures/ingest/${name}`, '-s', 'fixtures/demo/settlement-2025-09-30.csv', '--format', 'json']);
    const json = JSON.parse(run.stdout) as { findings: { kind: string; message: string }[] };
    const totals = json.findings.filter((f) => f.kind === 'control_total_mismatch');
    expect(totals).toHaveLength(1);
    expect(totals[0].message).toMatch(/3/);
  });

  it('a row count that leaves out the deduction lines listed with the sales (合计：2笔 over 2 sales + a 首刷押金 line) ties out', () => {
    const run = posrecon(['reconcile', '-s', 'fixtures/ingest/footer-count-without-deduction-lines.csv', '-c', 'fixtures/demo/contract.yaml', '--format', 'json']);
    const json = JSON.parse(run.stdout) as { findings: { kind: string }[]; summary: { rows: Record<string, number> } };
    expect(json.findings.filter((f) => f.kind === 'control_total_mismatch')).toEqual([]);
    expect(json.summary.rows.read).toBe(3);
  });

  it('page subtotals (合计 … 共2笔, 共3笔) and a grand total (总计 … 共5笔) in one export: each is checked against its own rows', () => {
    const file = 'fixtures/ingest/page-subtotals-then-grand-total.csv';
    const totalsOf = (path: string) => {
      const json = JSON.parse(posrecon(['reconcile', '-t', path, '-s', 'fixtures/demo/settlement-2025-09-30.csv', '--format', 'json']).stdout) as { findings: { kind: string; message: string }[] };
      return json.findings.filter((f) => f.kind === 'control_total_mismatch').map((f) => f.message);
    };
    // Before, the first subtotal was checked against all 5 rows (a false mismatch) and the rest not at all.
    expect(totalsOf(file)).toEqual([]);
    const dir = mkdtempSync(join(tmpdir(), 'posrecon-pages-'));
    try {
      writeFileSync(join(dir, 'grand.csv'), readFileSync(file, 'utf8').replace('共5笔', '共6笔'));
      expect(totalsOf(join(dir, 'grand.csv'))).toEqual([expect.stringMatching(/grand\.csv:10: control total 共 \(line 10\) states 6 records, the rows read before line 10 give 5 \(difference -1\)/)]);
      // A page that lost a row is found even when its stated count happens to fit the whole file.
      writeFileSync(join(dir, 'lost.csv'), readFileSync(file, 'utf8').replace('共2笔', '共5笔'));
      expect(totalsOf(join(dir, 'lost.csv'))).toEqual([expect.stringMatching(/lost\.csv:5: control total 共 \(line 5\) states 5 records, the rows read before line 5 give 2 \(difference -3\)/)]);
      // Two exports pasted together, each ending with a subtotal and a total: each total covers its own export.
      expect(totalsOf('fixtures/ingest/two-exports-pasted-each-with-subtotal-and-total.csv')).toEqual([]);
      writeFileSync(join(dir, 'page.csv'), readFileSync(file, 'utf8').replace('共3笔', '共4笔'));
      expect(totalsOf(join(dir, 'page.csv'))).toEqual([expect.stringMatching(/page\.csv:9: control total 共 \(line 9\) states 4 records, the rows read after line 5 and before line 9 give 3 \(difference -1\)/)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('two exports pasted into one file, each with its own 合计 … 共N笔 footer: each footer is checked against its own part (2 and 3 rows)', () => {
    const file = 'fixtures/ingest/two-exports-pasted-together.csv';
    const run = posrecon(['reconcile', '-t', file, '-s', 'fixtures/demo/settlement-2025-09-30.csv', '--format', 'json']);
    const json = JSON.parse(run.stdout) as { findings: { kind: string; message: string }[] };
    expect(json.findings.filter((f) => f.kind === 'control_total_mismatch')).toEqual([]);
    // A wrong second footer is checked too (before, only the first was, against all 5 rows).
    const dir = mkdtempSync(join(tmpdir(), 'posrecon-pasted-'));
    try {
      writeFileSync(join(dir, 'pasted.csv'), readFileSync(file, 'utf8').replace('共3笔', '共9笔'));
      const wrong = JSON.parse(posrecon(['reconcile', '-t', join(dir, 'pasted.csv'), '-s', 'fixtures/demo/settlement-2025-09-30.csv', '--format', 'json']).stdout) as typeof json;
      const totals = wrong.findings.filter((f) => f.kind === 'control_total_mismatch');
      expect(totals).toHaveLength(1);
      expect(totals[0].message).toMatch(/states 9 records, the rows read after line 5 and before line 12 give 3 .*footer lines 5, 12, each over its own export pasted into the file/);
      // The second export without its footer: the first footer still covers only its own part.
      writeFileSync(join(dir, 'pasted.csv'), readFileSync(file, 'utf8').replace('合计,,,,,,,12095.80,共3笔,\n', ''));
      const lone = JSON.parse(posrecon(['reconcile', '-t', join(dir, 'pasted.csv'), '-s', 'fixtures/demo/settlement-2025-09-30.csv', '--format', 'json']).stdout) as typeof json;
      expect(lone.findings.filter((f) => f.kind === 'control_total_mismatch')).toEqual([]);
      // The first export with a page break (its header printed again) before its footer: the
      // footer covers its export's rows since the start, not its last page.
      const paged = JSON.parse(posrecon(['reconcile', '-t', 'fixtures/ingest/two-exports-pasted-first-with-page-break.csv', '-s', 'fixtures/demo/settlement-2025-09-30.csv', '--format', 'json']).stdout) as typeof json;
      expect(paged.findings.filter((f) => f.kind === 'control_total_mismatch')).toEqual([]);
      // Three exports, the middle one without a footer: the last footer covers its own export.
      const three = JSON.parse(posrecon(['reconcile', '-t', 'fixtures/ingest/three-exports-pasted-middle-without-footer.csv', '-s', 'fixtures/demo/settlement-2025-09-30.csv', '--format', 'json']).stdout) as typeof json;
      expect(three.findings.filter((f) => f.kind === 'control_total_mismatch')).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('maps 通联 headers that print their format: 交易时间(HH:mm:ss), 交易日期(yyyy-mm-dd)', () => {
    const { code, files } = inspectJson('fixtures/ingest/header-format-hints.csv');
    expect(code).toBe(0);
    expect(files[0].mapping).toMatchObject({ '交易时间(HH:mm:ss)': 'time', '交易日期(yyyy-mm-dd)': 'date' });
  });

  it('masks a card number printed in a title or footer line it lists as skipped', () => {
    const run = posrecon(['inspect', 'fixtures/ingest/full-pan-in-title-and-footer.csv']);
    expect(run.stdout).toContain('skipped  line 2 (preamble): 卡号:622202******0123');
    expect(run.stdout).toContain('skipped  line 8 (footer): 合计 622202******0123');
    expect(run.stdout).not.toMatch(/\d{13}/);
  });
});
