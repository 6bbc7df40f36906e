// Red-team round 3 for the columnar fast path: SEVERAL files per side. Each file keeps its own
// head, profile, encoding, delimiter, line numbers, line account and stated totals, while the rows
// of all files of a side are joined into one set of columns. Every scenario runs both engines on
// the same list of files (same order) and compares everything a user sees (JSON + table + CSV),
// the row accounting, the per-file accounts and the finding counts. A scenario that falls back
// tests nothing: every run is recorded in `ledger` and printed at the end (engaged / fell back).
//
// Findings (fixed; the regression tests are in the last block):
// - A GB18030 file (detected, or forced with --encoding) whose bytes are not valid GB18030 in a
//   cell the scan never decodes (卡号, an unmapped column) was refused by the reference reader
//   ("cannot decode the file …" / "the file is UTF-8 …") but reported by the fast path: the scan
//   validated UTF-8 blocks only. It now validates GB18030 blocks too.
// - An empty list of files on a side throws a TypeError (API only; the CLI never passes one).
// RT3_RUNS=<n> runs the two properties n times each (default 120).
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { readInputFile } from '../../src/read/readInput.js';
import { parseProfile, type Profile } from '../../src/profiles/profile.js';
import { loadContract, type Contract } from '../../src/contract/contract.js';
import { reconcile, type ReconcileResult } from '../../src/reconcile.js';
import { reconcileColumnar } from '../../src/columnar/reconcileColumnar.js';
import gbk from '../support/gbk.js';
import { rng } from '../support/rng.js';
import { profiles, calendar, shown, enc, MERCHANT, T_HEAD, S_HEAD, yuan, feeOf, tCells, sCells, base, adversarialFiles, type Tx, type Sx } from './support.js';

// --- Running both engines --------------------------------------------------------------------

interface InputFile {
  name: string;
  bytes: Uint8Array;
  /** --terminal-profile / --settlement-profile for this file (both engines). */
  profile?: Profile;
}

interface Run {
  fallback?: string;
  cleanPairs: number;
  residualRows: number;
  fast?: ReconcileResult;
  ref: ReconcileResult;
}

/** Every run of the fast path: engaged or not (and why), with its clean pairs. */
const ledger: { scenario: string; engaged: boolean; reason?: string; cleanPairs: number }[] = [];

function referenceOf(ts: InputFile[], ss: InputFile[], contract: Contract, asOf?: string): ReconcileResult {
  return reconcile({
    terminal: ts.map((f) => readInputFile(f.bytes, f.name, { profiles, role: 'terminal', profile: f.profile })),
    settlement: ss.map((f) => readInputFile(f.bytes, f.name, { profiles, role: 'settlement', profile: f.profile })),
    contract,
    calendar,
    asOf,
  });
}

function runBoth(scenario: string, ts: InputFile[], ss: InputFile[], contract: Contract, o: { asOf?: string; headBytes?: number } = {}): Run {
  const side = (f: InputFile) => ({ file: f.name, bytes: f.bytes, profile: f.profile });
  const out = reconcileColumnar({ terminal: ts.map(side), settlement: ss.map(side), profiles, contract, calendar, asOf: o.asOf, headBytes: o.headBytes ?? 300 });
  const ref = referenceOf(ts, ss, contract, o.asOf);
  if ('fallback' in out) {
    ledger.push({ scenario, engaged: false, reason: out.fallback, cleanPairs: 0 });
    return { fallback: out.fallback, cleanPairs: 0, residualRows: 0, ref };
  }
  ledger.push({ scenario, engaged: true, cleanPairs: out.stats.cleanPairs });
  return { cleanPairs: out.stats.cleanPairs, residualRows: out.stats.residualRows, fast: out.result, ref };
}

/** First differing lines of two reports, with a line of context before each. */
function diffOf(a: string, b: string, max = 6): string {
  const x = a.split('\n');
  const y = b.split('\n');
  const out: string[] = [];
  for (let i = 0; i < Math.max(x.length, y.length) && out.length < max; i++) {
    if (x[i] !== y[i]) out.push(`line ${i + 1} (after: ${JSON.stringify(y[i - 1] ?? '')})\n  fast: ${x[i]}\n  ref:  ${y[i]}`);
  }
  return out.join('\n');
}

/** Both engines on the same files; the fast path must engage unless `mayFallBack`, and then equal the reference in everything shown. */
function check(scenario: string, ts: InputFile[], ss: InputFile[], contract: Contract, o: { asOf?: string; headBytes?: number; mayFallBack?: boolean; minClean?: number } = {}): Run {
  const run = runBoth(scenario, ts, ss, contract, o);
  const r = run.ref.rows;
  expect(r.read, `${scenario}: reference row accounting`).toBe(r.matched + r.flagged + r.informational + r.rejected);
  if (run.fallback) {
    if (!o.mayFallBack) throw new Error(`${scenario}: fast path fell back: ${run.fallback}`);
    return run;
  }
  const fast = shown(run.fast!);
  const ref = shown(run.ref);
  if (fast !== ref) expect.fail(`${scenario}: reports differ\n${diffOf(fast, ref)}`);
  const f = run.fast!.rows;
  expect(f.read, `${scenario}: fast row accounting`).toBe(f.matched + f.flagged + f.informational + f.rejected);
  expect(run.fast!.rows).toEqual(run.ref.rows);
  expect(run.fast!.counts).toEqual(run.ref.counts);
  const fileFacts = (x: ReconcileResult) => x.files.map((p) => ({ file: p.file, encoding: p.encoding, delimiter: p.delimiter, profile: p.profile.name, lines: p.lines, records: p.records.length + (p.preMatched ?? 0), rejected: p.rejected.length, mismatches: (p.controlTotalMismatches ?? []).map((m) => m.message) }));
  expect(fileFacts(run.fast!)).toEqual(fileFacts(run.ref));
  expect(run.fast!.asOf).toBe(run.ref.asOf);
  if (o.minClean !== undefined) expect(run.cleanPairs, `${scenario}: clean pairs`).toBeGreaterThanOrEqual(o.minClean);
  return run;
}

afterAll(() => {
  const engaged = ledger.filter((l) => l.engaged);
  const reasons = new Map<string, number>();
  for (const l of ledger) if (!l.engaged) reasons.set(l.reason!, (reasons.get(l.reason!) ?? 0) + 1);
  console.log(
    `[redteam3] fast path engaged in ${engaged.length} of ${ledger.length} runs (${engaged.reduce((n, l) => n + l.cleanPairs, 0)} clean pairs in all)` +
      [...reasons].map(([reason, n]) => `\n  fell back ${n}×: ${reason}`).join(''),
  );
});

// --- Rows and layouts --------------------------------------------------------------------------

/** One transaction as both a terminal and a settlement row; `over` replaces cells by header name. */
type Row = Tx & Sx & { over?: Record<string, string>; split?: boolean };

const T_NAMES = T_HEAD.split(',');
const S_NAMES = S_HEAD.split(',');

interface Layout {
  role: 'terminal' | 'settlement';
  head: string[];
  /** 交易日期 + 交易时间 (HH:MM:SS) instead of one 交易时间 column. */
  split?: boolean;
}

const TL: Record<string, Layout> = {
  generic: { role: 'terminal', head: T_NAMES },
  // Another column order, no 商户号 column.
  perm: { role: 'terminal', head: ['终端号', '参考号', '交易金额', '交易时间', '交易状态', '交易类型', '卡类型', '卡号', '凭证号', '原参考号', '原凭证号'] },
  split: { role: 'terminal', head: ['商户号', '终端号', '交易日期', '交易时间', '交易类型', '交易状态', '卡号', '卡类型', '交易金额', '参考号', '凭证号', '原参考号', '原凭证号'], split: true },
};
const A_HEAD = '商户号,门店名称,终端号,交易时间,交易类型,交易批次号,凭证号,参考号,卡号,卡类别,发卡行机构代码,发卡行名称,交易金额,手续费,交易日期,交易单号,订单号,清算日期,结算金额,备注';
const A_PREAMBLE = ['通联支付POS交易对账单', '商户名称：示例便利店（演示）', '清算日期：2025-10-15'];
const SL: Record<string, Layout> = {
  generic: { role: 'settlement', head: S_NAMES },
  perm: { role: 'settlement', head: ['参考号', '交易金额', '手续费', '结算金额', '清算日期', '交易时间', '终端号', '卡类型', '卡号', '交易类型', '凭证号', '备注'] },
  split: { role: 'settlement', head: ['清算日期', '商户号', '终端号', '交易日期', '交易时间', '交易类型', '卡号', '卡类型', '交易金额', '手续费', '结算金额', '参考号', '凭证号', '备注'], split: true },
  allinpay: { role: 'settlement', head: A_HEAD.split(','), split: true },
};

function cellsOf(layout: Layout, x: Row): string[] {
  const names = layout.role === 'terminal' ? T_NAMES : S_NAMES;
  const base = layout.role === 'terminal' ? tCells(x) : sCells(x);
  const card = x.card ?? '借记卡';
  return layout.head.map((h) => {
    if (x.over && h in x.over) return x.over[h];
    if (layout.split && h === '交易日期') return x.time.slice(0, 10);
    if (layout.split && h === '交易时间') return x.time.length > 10 ? x.time.slice(11) : '';
    switch (h) {
      case '门店名称': return '示例便利店';
      case '交易批次号': return '000002';
      case '卡类别': return card;
      case '发卡行机构代码': return card === '微信' ? '' : '01030000';
      case '发卡行名称': return card === '微信' ? '' : '农业银行';
      case '交易单号': return `TL${x.rrn}`;
      case '订单号': return '';
      default: {
        const i = names.indexOf(h);
        if (i < 0) throw new Error(`no cell for ${h}`);
        return base[i];
      }
    }
  });
}

const line = (layout: Layout, x: Row) => cellsOf(layout, x).join(',');

/** Replaces the delimiter outside quotes (cells of these builders hold no tab). */
function withDelimiter(text: string, d: string): string {
  if (d === ',') return text;
  let out = '';
  let inQuote = false;
  for (const ch of text.replace(/\t/g, ' ')) {
    if (ch === '"') inQuote = !inQuote;
    out += ch === ',' && !inQuote ? d : ch;
  }
  return out;
}

interface FileOpts {
  enc?: 'utf8' | 'gbk';
  eol?: '\n' | '\r\n';
  delim?: ',' | '\t' | ';';
  pre?: string[];
  tail?: string[];
  profile?: Profile;
}

/** A file: preamble, header, rows (a string is a literal line), tail; written with `o`'s delimiter, line end and encoding. */
function mkFile(name: string, layout: Layout, rows: (Row | string)[], o: FileOpts = {}): InputFile {
  const eol = o.eol ?? '\n';
  const d = o.delim ?? ',';
  const head = layout === SL.allinpay ? [...(o.pre ?? A_PREAMBLE)] : [...(o.pre ?? [])];
  const lines = [...head, withDelimiter(layout.head.join(','), d), ...rows.map((r) => withDelimiter(typeof r === 'string' ? r : line(layout, r), d)), ...(o.tail ?? []).map((t) => withDelimiter(t, d))];
  const text = lines.join(eol) + eol;
  return { name, bytes: o.enc === 'gbk' ? gbk.encodeGbk(text) : enc(text), profile: o.profile };
}

const hms = (secs: number) => `${String(Math.floor(secs / 3600)).padStart(2, '0')}:${String(Math.floor((secs % 3600) / 60)).padStart(2, '0')}:${String(secs % 60).padStart(2, '0')}`;

/**
 * `n` clean-looking pairs numbered from `from` (RRNs 7000000xxxxx, distinct amounts), on terminal
 * 10000009 unless told: the same objects serve as terminal and settlement rows.
 */
function fill(n: number, from: number, o: { term?: string; day?: string; card?: string; settle?: string } = {}): Row[] {
  const out: Row[] = [];
  const cards = ['借记卡', '贷记卡', '微信'];
  for (let i = from; i < from + n; i++) {
    const card = o.card ?? cards[i % 3];
    out.push({
      term: o.term ?? '10000009',
      time: `${o.day ?? '2025-10-14'} ${hms(8 * 3600 + ((i * 173) % 50000))}`,
      amount: 700001 + i * 1013,
      rrn: String(700000000000 + i),
      trace: String(900000 + i),
      card,
      cardNo: card === '微信' ? '' : '622848******9999',
      type: card === '微信' ? '扫码支付' : '消费',
      settle: o.settle,
    });
  }
  return out;
}

/** Each terminal 10000001–10000008's first settlement line and date on 2025-10-13 (so 首刷 keeps no scenario pair). */
function anchorRows(): Row[] {
  return Array.from({ length: 8 }, (_, i) => ({
    term: `1000000${i + 1}`, time: `2025-10-13 08:0${i}:00`, amount: 400001 + i * 17, rrn: String(710000000000 + i), trace: String(910000 + i), cardNo: '622848******8888', settle: '2025-10-14',
  }));
}

// --- Scenarios -----------------------------------------------------------------------------------

describe('columnar red team 3: layouts, encodings and delimiters per file', () => {
  it('three terminal layouts (generic / permuted tab GBK CRLF / split ;) against generic, allinpay GBK and permuted tab settlement files', () => {
    const a = fill(12, 0);
    const b = fill(12, 100);
    const c = fill(12, 200, { term: '10000002' });
    const anchors = anchorRows();
    const ts = [
      mkFile('t-generic.csv', TL.generic, [...a, ...anchors]),
      mkFile('t-perm.tsv', TL.perm, b, { enc: 'gbk', eol: '\r\n', delim: '\t' }),
      mkFile('t-split.csv', TL.split, c, { delim: ';' }),
    ];
    // Settlement lines of each terminal file spread over the three settlement files.
    const ss = [
      mkFile('s-generic.csv', SL.generic, [...a.slice(0, 6), ...b.slice(6), ...anchors, ...c.slice(0, 3)]),
      mkFile('allinpay-pos-duizhangdan-20251015.csv', SL.allinpay, [...c.slice(3), ...a.slice(6, 9)], { enc: 'gbk', eol: '\r\n', tail: ['合计,,,,,,,,,,,,1.00,,,,,,,', '总笔数：12'] }),
      mkFile('s-perm.tsv', SL.perm, [...b.slice(0, 6), ...a.slice(9)], { delim: '\t' }),
    ];
    for (const headBytes of [250, 400, 600]) {
      const run = check(`layouts h${headBytes}`, ts, ss, base, { headBytes, mayFallBack: headBytes !== 400 });
      if (!run.fallback) expect(run.ref.files.map((f) => f.profile.name)).toEqual(['generic-terminal', 'generic-terminal', 'generic-terminal', 'generic-settlement', 'allinpay-pos', 'generic-settlement']);
    }
    check('layouts 400', ts, ss, base, { headBytes: 400, minClean: 20 });
  });

  it('the same files in every order of the terminal files and three orders of the settlement files', () => {
    const a = fill(10, 0);
    const b = fill(10, 100, { term: '10000003' });
    const c = fill(10, 200, { term: '10000002' });
    const ts = [
      mkFile('t1.csv', TL.generic, [...a, ...anchorRows()], { eol: '\r\n' }),
      mkFile('t2.csv', TL.perm, [...b, { ...c[0], status: '交易失败', rrn: '' }], { enc: 'gbk' }),
      mkFile('t3.csv', TL.split, c),
    ];
    const ss = [
      mkFile('s1.csv', SL.generic, [...a.slice(5), ...b.slice(0, 5), ...anchorRows()]),
      mkFile('s2.csv', SL.split, [...a.slice(0, 5), ...c], { enc: 'gbk', eol: '\r\n' }),
      mkFile('s3.csv', SL.generic, [...b.slice(5), a[7]]), // a[7]'s line in s1 and again in s3, identical: a re-export (duplicate_export)
    ];
    const perms = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
    for (const p of perms) {
      for (const q of [[0, 1, 2], [2, 1, 0], [1, 2, 0]]) {
        check(`order t${p.join('')} s${q.join('')}`, p.map((i) => ts[i]), q.map((i) => ss[i]), base, { minClean: 10 });
      }
    }
  });

  it('UTF-8 with a BOM next to GBK, CRLF next to LF, comma next to semicolon', () => {
    const a = fill(10, 0);
    const b = fill(10, 50);
    const bom = (f: InputFile): InputFile => ({ ...f, bytes: new Uint8Array([0xef, 0xbb, 0xbf, ...f.bytes]) });
    const ts = [bom(mkFile('t1.csv', TL.generic, [...a, ...anchorRows()])), mkFile('t2.csv', TL.generic, b, { enc: 'gbk', eol: '\r\n', delim: ';' })];
    const ss = [mkFile('s1.csv', SL.generic, [...b, ...anchorRows()], { enc: 'gbk', delim: ';' }), bom(mkFile('s2.csv', SL.generic, a, { eol: '\r\n' }))];
    check('bom + gbk', ts, ss, base, { minClean: 10 });
  });
});

describe('columnar red team 3: the same RRN in several files', () => {
  /** Shared background: two terminal and three settlement files of clean pairs. */
  function world(tExtra: [Row[], Row[], Row[]], sExtra: [(Row | string)[], (Row | string)[], (Row | string)[]], o: { sLayouts?: Layout[]; tLayouts?: Layout[] } = {}) {
    const a = fill(8, 0);
    const b = fill(8, 100);
    const tl = o.tLayouts ?? [TL.generic, TL.generic, TL.split];
    const sl = o.sLayouts ?? [SL.generic, SL.generic, SL.perm];
    const ts = [
      mkFile('t1.csv', tl[0], [...a.slice(0, 4), ...anchorRows(), ...tExtra[0], ...a.slice(4)]),
      mkFile('t2.csv', tl[1], [...b.slice(0, 4), ...tExtra[1], ...b.slice(4)], { enc: 'gbk', eol: '\r\n' }),
      mkFile('t3.csv', tl[2], [...fill(6, 300), ...tExtra[2], ...fill(4, 310)]),
    ];
    const ss = [
      mkFile('s1.csv', sl[0], [...a.slice(0, 4), ...anchorRows(), ...sExtra[0], ...b.slice(4)]),
      mkFile('s2.csv', sl[1], [...b.slice(0, 4), ...sExtra[1], ...a.slice(4), ...fill(4, 310)], { enc: 'gbk' }),
      mkFile('s3.csv', sl[2], [...fill(6, 300), ...sExtra[2]], { delim: '\t' }),
    ];
    return { ts, ss };
  }

  it('one RRN on two terminal rows in different files (other amount / other status), and on two settlement lines in different files', () => {
    const r1: Row = { term: '10000002', time: '2025-10-14 12:00:00', amount: 5000, rrn: '600000000001', trace: '000001' };
    const r2: Row = { term: '10000002', time: '2025-10-14 12:10:00', amount: 6000, rrn: '600000000002', trace: '000002' };
    const r3: Row = { term: '10000003', time: '2025-10-14 12:20:00', amount: 7000, rrn: '600000000003', trace: '000003', card: '贷记卡' };
    const w = world(
      [[r1, r2, r3], [{ ...r1, status: '交易失败' }, { ...r2, amount: 6100 }], []],
      [[r1, r3], [r2, { ...r3, fee: feeOf(7000, '贷记卡') + 1 }], []],
    );
    check('rrn twice', w.ts, w.ss, base, { minClean: 12 });
  });

  it('the same settlement line in two files (re-export): identical, re-quoted, padded, other line end, other layout', () => {
    const rows: Row[] = Array.from({ length: 6 }, (_, i) => ({ term: '10000002', time: `2025-10-14 13:0${i}:00`, amount: 8000 + i, rrn: String(600000000010 + i), trace: String(10 + i).padStart(6, '0') }));
    const q = (l: string) => l.split(',').map((c) => `"${c}"`).join(',');
    const g = SL.generic;
    const w = world(
      [rows.slice(0, 3), rows.slice(3), []],
      [
        [rows[0], rows[1], rows[2], rows[3], rows[4], rows[5]],
        [
          line(g, rows[0]), // identical
          q(line(g, rows[1])), // every cell quoted
          line(g, { ...rows[2], over: { 参考号: ` ${rows[2].rrn} `, 终端号: '="10000002"' } }), // padded, Excel-wrapped
          line(g, { ...rows[3], memo: '重发' }), // differs in the memo: not the same row
        ],
        [rows[4], rows[5]], // other layout (no 商户号): not the same fingerprint
      ],
    );
    const run = check('re-exports', w.ts, w.ss, base, { minClean: 12 });
    expect(run.ref.counts.duplicate_export).toBeGreaterThanOrEqual(3);
  });

  it('the same terminal rows in two terminal files (re-export in another layout) and a line twice in one file plus once in another', () => {
    const rows: Row[] = Array.from({ length: 5 }, (_, i) => ({ term: '10000003', time: `2025-10-14 14:0${i}:00`, amount: 9000 + i, rrn: String(600000000020 + i), trace: String(20 + i).padStart(6, '0') }));
    const w = world(
      [[rows[0], rows[1], rows[2], rows[2]], [rows[0], rows[3]], [rows[1], rows[2], rows[3], rows[4]]],
      [[rows[0], rows[1], rows[2]], [rows[3], rows[4], rows[4]], [rows[4]]],
    );
    const run = check('terminal re-exports', w.ts, w.ss, base, { minClean: 12 });
    expect(run.ref.counts.duplicate_export).toBeGreaterThan(0);
  });

  it('a re-exported file: the whole second settlement file repeated under another name', () => {
    const w = world([[], [], []], [[], [], []]);
    const copy: InputFile = { ...w.ss[1], name: 's2 (1).csv' };
    const run = check('whole file twice', w.ts, [...w.ss, copy], base, { mayFallBack: false });
    expect(run.ref.counts.duplicate_export).toBeGreaterThan(5);
    // And the re-export given first.
    check('whole file twice, copy first', w.ts, [copy, ...w.ss], base);
  });
});

describe('columnar red team 3: rows in one file that decide the outcome of rows in another', () => {
  it('voids and reversals in terminal file 2 (by 原参考号, 原凭证号, amount + day) of sales that look clean in file 1', () => {
    const sale = (i: number, term: string, card = '借记卡'): Row => ({ term, time: `2025-10-14 1${i}:00:00`, amount: 12345 + i, rrn: String(600000000100 + i), trace: String(100 + i).padStart(6, '0'), card, cardNo: '622848******4444' });
    const s = [0, 1, 2, 3, 4, 5, 6].map((i) => sale(i, i < 3 ? '10000002' : '10000003'));
    const voidOf = (x: Row, how: 'ref' | 'trace' | 'none', o: Partial<Row> = {}): Row => ({
      ...x, time: `${x.time.slice(0, 11)}23:30:00`, type: '消费撤销', rrn: String(Number(x.rrn) + 500), trace: String(Number(x.trace) + 500).padStart(6, '0'),
      oref: how === 'ref' ? x.rrn : '', otrace: how === 'trace' ? x.trace : '', ...o,
    });
    const a = fill(8, 0);
    const ts = [
      mkFile('t1.csv', TL.generic, [...a.slice(0, 4), ...anchorRows(), ...s, ...a.slice(4)]),
      mkFile('t2.csv', TL.generic, [
        ...fill(5, 100),
        voidOf(s[0], 'ref'),
        voidOf(s[1], 'trace', { over: { 终端号: '="10000002"' } }), // the same terminal, printed the Excel way
        voidOf(s[2], 'none'),
        voidOf(s[3], 'ref', { type: '冲正' }),
        voidOf(s[4], 'trace', { term: '10000004' }), // another terminal's trace: links nothing
        voidOf(s[5], 'none', { amount: 99 }), // another amount: links nothing
        voidOf(s[6], 'trace', { status: '交易失败' }), // a failed void cancels nothing
      ], { enc: 'gbk' }),
      mkFile('t3.csv', TL.split, [...fill(6, 200)]),
    ];
    const ss = [
      mkFile('s1.csv', SL.generic, [...a, ...anchorRows(), ...s.slice(0, 4), ...fill(6, 200)]),
      mkFile('s2.csv', SL.split, [...fill(5, 100), ...s.slice(4)], { eol: '\r\n' }),
    ];
    for (const headBytes of [300, 500]) check(`voids across files h${headBytes}`, ts, ss, base, { headBytes, minClean: 6 });
    // The voids first: file order must not matter beyond what the reference shows.
    check('voids across files, void file first', [ts[1], ts[0], ts[2]], [ss[1], ss[0]], base, { minClean: 6 });
  });

  it('a void in the head zone of file 2 and its sale deep in file 1 (and the other way round)', () => {
    const sale: Row = { term: '10000002', time: '2025-10-14 10:00:00', amount: 31415, rrn: '600000000200', trace: '000200' };
    const late: Row = { term: '10000003', time: '2025-10-14 11:00:00', amount: 27182, rrn: '600000000201', trace: '000201' };
    const v = (x: Row): Row => ({ ...x, time: `${x.time.slice(0, 11)}22:00:00`, type: '消费撤销', rrn: '', trace: String(Number(x.trace) + 1).padStart(6, '0') });
    const ts = [
      mkFile('t1.csv', TL.generic, [v(late), ...fill(10, 0), ...anchorRows(), sale, ...fill(4, 10)]),
      mkFile('t2.csv', TL.generic, [v(sale), ...fill(10, 100), late]),
    ];
    const ss = [mkFile('s1.csv', SL.generic, [...fill(14, 0), ...anchorRows(), sale]), mkFile('s2.csv', SL.generic, [...fill(10, 100), late])];
    check('void in head zone', ts, ss, base, { headBytes: 250, minClean: 15 });
  });

  it('a failed charge in one file and its successful retry in another; a settlement line nobody took next to a clean pair in another file', () => {
    const card = '622848******5555';
    const failed: Row = { term: '10000002', time: '2025-10-14 10:00:00', amount: 8800, rrn: '600000000300', trace: '000300', status: '交易失败', cardNo: card };
    const retry: Row = { ...failed, time: '2025-10-14 10:05:00', rrn: '600000000301', trace: '000301', status: '成功' };
    const timeout: Row = { term: '10000003', time: '2025-10-14 11:00:00', amount: 9900, rrn: '', trace: '000302', status: '交易超时', cardNo: card };
    const retry2: Row = { ...timeout, time: '2025-10-14 11:29:00', rrn: '600000000303', trace: '000303', status: '成功' };
    const retry2b: Row = { ...timeout, time: '2025-10-14 11:31:00', rrn: '600000000313', trace: '000313', status: '成功' }; // just outside 30 minutes
    const orphan: Row = { term: '10000002', time: '2025-10-14 14:00:00', amount: 7700, rrn: '600000000304', trace: '000304', cardNo: card };
    const near: Row = { ...orphan, time: '2025-10-14 14:20:00', rrn: '600000000305', trace: '000305' };
    const noTerminal: Row = { ...orphan, time: '2025-10-14 15:00:00', amount: 6600, rrn: '600000000306', trace: '000306' };
    const near2: Row = { ...noTerminal, term: '', time: '2025-10-14 15:10:00', rrn: '600000000307', trace: '000307' };
    const ts = [
      mkFile('t1.csv', TL.generic, [...fill(6, 0), ...anchorRows(), failed, timeout, ...fill(4, 6)]),
      mkFile('t2.csv', TL.perm, [...fill(6, 100), retry, retry2, retry2b, near, near2], { enc: 'gbk', eol: '\r\n' }),
    ];
    const ss = [
      mkFile('s1.csv', SL.generic, [...fill(10, 0), ...anchorRows(), retry, { ...failed, fee: feeOf(8800, '借记卡') }, orphan]),
      mkFile('s2.csv', SL.perm, [...fill(6, 100), retry2, retry2b, noTerminal]),
      mkFile('s3.csv', SL.split, [...fill(6, 400), near, near2]),
    ];
    const t3 = mkFile('t3.csv', TL.split, fill(6, 400));
    check('retries across files', [...ts, t3], ss, base, { minClean: 9 });
    check('retries across files, reversed', [t3, ...ts].reverse(), [...ss].reverse(), base, { minClean: 9 });
  });

  it('首刷 spread over files: the earliest line of a terminal in the second settlement file, ties in time across files, 押金 on a first payout date set by another file', () => {
    const over = (x: Row, by: number): Row => ({ ...x, fee: feeOf(x.amount, x.card ?? '借记卡') + by });
    // 10000005: earliest line (clean) in s2 at 09:00; an overcharged line in s1 at 10:00 is not the first.
    const e5: Row = { term: '10000005', time: '2025-10-14 09:00:00', amount: 50000, rrn: '600000000400', trace: '000400' };
    const o5 = over({ term: '10000005', time: '2025-10-14 10:00:00', amount: 50001, rrn: '600000000401', trace: '000401' }, 1500);
    // 10000006: clean and overcharged lines at the same second; the clean one sorts first (smaller RRN).
    const e6: Row = { term: '10000006', time: '2025-10-14 09:30:00', amount: 50002, rrn: '600000000402', trace: '000402' };
    const o6 = over({ term: '10000006', time: '2025-10-14 09:30:00', amount: 50003, rrn: '600000000403', trace: '000403' }, 1500);
    // 10000007: same, but the overcharged one sorts first: it is the 首刷 line.
    const e7: Row = { term: '10000007', time: '2025-10-14 09:30:00', amount: 50004, rrn: '600000000405', trace: '000405' };
    const o7 = over({ term: '10000007', time: '2025-10-14 09:30:00', amount: 50005, rrn: '600000000404', trace: '000404' }, 1500);
    // 10000008: first settlement date 2025-10-15 from a clean line in s2; 押金 on 10-15 in s1 is 首刷, 流量费 on 10-16 is not.
    const e8: Row = { term: '10000008', time: '2025-10-14 16:00:00', amount: 50006, rrn: '600000000406', trace: '000406', settle: '2025-10-15' };
    const l8: Row = { term: '10000008', time: '2025-10-15 16:00:00', amount: 50007, rrn: '600000000407', trace: '000407', settle: '2025-10-16' };
    // 10000004: the earliest line is a clean one with a merchant id printed only in s1 … and a tie on time with another merchant's line in s2.
    const e4: Row = { term: '10000004', time: '2025-10-14 08:30:00', amount: 50008, rrn: '600000000409', trace: '000409' };
    const o4 = over({ term: '10000004', time: '2025-10-14 08:30:00', amount: 50009, rrn: '600000000408', trace: '000408', merchant: '898310058120009' }, 1200);
    const allT = [e5, o5, e6, o6, e7, o7, e8, l8, e4, o4];
    const ts = [
      mkFile('t1.csv', TL.generic, [...fill(6, 0), ...allT.slice(0, 5), ...fill(3, 6)]),
      mkFile('t2.csv', TL.generic, [...fill(6, 100), ...allT.slice(5), ...fill(3, 106)], { enc: 'gbk' }),
    ];
    const dep = (term: string, settle: string, what: string, net: string) => `${settle},${MERCHANT},${term},,${what},,,0.00,0.00,${net},,,${what === '押金' ? '首刷押金' : 'SIM卡流量费'}`;
    const s1Rows: (Row | string)[] = [...fill(6, 0), o5, o6, l8, o4, dep('10000008', '2025-10-15', '押金', '-99.00'), dep('10000008', '2025-10-16', '流量费', '-36.00'), dep('10000005', '2025-10-15', '押金', '-99.00'), ...fill(3, 6)];
    const s2Rows: (Row | string)[] = [...fill(6, 100), e5, e6, e7, o7, e8, e4, ...fill(3, 106)];
    for (const headBytes of [300, 700]) {
      const run = check(`首刷 h${headBytes}`, ts, [mkFile('s1.csv', SL.generic, s1Rows), mkFile('s2.csv', SL.generic, s2Rows, { eol: '\r\n' })], base, { headBytes, minClean: 4 });
      const swipes = run.ref.findings.filter((f) => f.details.first_swipe === true).length;
      expect(swipes).toBeGreaterThan(0);
    }
    // The earliest lines moved into the first file, and the files swapped.
    check('首刷 swapped', [ts[1], ts[0]], [mkFile('s2.csv', SL.generic, s2Rows), mkFile('s1.csv', SL.split, s1Rows.map((r) => (typeof r === 'string' ? r.replace(/^(\S+?),(\S+?),(\S+?),,/, '$1,$2,$3,,,') : r)))], base, { minClean: 6 });
  });
});

describe('columnar red team 3: per-file control totals and junk', () => {
  it('footer counts per file, right in one file and wrong in the other, each counting its own clean rows', () => {
    const a = fill(10, 0);
    const b = fill(9, 100);
    const bad: Row = { term: '10000002', time: '2025-10-14 12:00:00', amount: 5000, rrn: '600000000500', trace: '000500', fee: 1 }; // fee off contract: residual
    const variants: [string[], string[], string[], string[]][] = [
      [[`合计,共${a.length + 8 + 1}笔`], [`合计,共${b.length}笔`], [`总笔数: ${a.length + 8 + 1}`], [`总笔数: ${b.length}`]],
      [[`合计,共${a.length + 8 + 1}笔`], [`合计,共${b.length + 2}笔`], [`总笔数: ${a.length}`], [`总笔数: ${b.length}`]],
      [[`合计,共${b.length}笔`], [`合计,共${a.length + 9}笔`], [`总笔数: ${b.length}`], [`总笔数: ${a.length + 9}`]], // each file stating the other's count
      [['', '合计,共1笔'], ['合计,共999笔', ''], ['总笔数: 0'], ['总笔数：10笔']],
    ];
    for (const [i, [t1, t2, s1, s2]] of variants.entries()) {
      const ts = [mkFile('t1.csv', TL.generic, [...a.slice(0, 5), ...anchorRows(), bad, ...a.slice(5)], { tail: t1 }), mkFile('t2.csv', TL.perm, b, { tail: t2, enc: 'gbk' })];
      const ss = [mkFile('s1.csv', SL.generic, [...a.slice(0, 5), ...anchorRows(), bad, ...a.slice(5)], { tail: s1 }), mkFile('s2.csv', SL.split, b, { tail: s2, eol: '\r\n' })];
      const run = check(`footer counts ${i}`, ts, ss, base, { minClean: 9 });
      if (i > 0) expect(run.ref.counts.control_total_mismatch).toBeGreaterThan(0);
    }
  });

  it('amount, fee and net totals stated per file (a user profile on one settlement file, auto-detection on the other)', () => {
    const generic = readProfileText('profiles/generic-settlement.yaml');
    const totals = parseProfile(
      generic.replace(/^name: .*$/m, 'name: my-settlement-with-totals').replace(
        /controlTotals:\n {2}lines:\n/,
        "controlTotals:\n  lines:\n    - '^合计[,，]+共(?<count>\\d+)笔[,，]+金额(?<amount>[0-9.]+)[,，]+手续费(?<fee>[0-9.]+)[,，]+结算(?<net>[0-9.]+)'\n",
      ),
      'my-settlement-with-totals.yaml',
      'user',
    );
    const a = fill(12, 0);
    const b = fill(11, 100);
    const odd: Row = { term: '10000002', time: '2025-10-14 12:00:00', amount: 5000, rrn: '600000000600', trace: '000600', fee: 30 };
    const sum = (rows: Row[], f: (x: Row) => number) => yuan(rows.reduce((n, x) => n + f(x), 0));
    const feeOfRow = (x: Row) => (typeof x.fee === 'number' ? x.fee : feeOf(x.amount, x.card ?? '借记卡'));
    const all1 = [...a, ...anchorRows(), odd];
    const stated = (rows: Row[], d = { n: 0, amount: 0, fee: 0, net: 0 }) =>
      `合计,共${rows.length + d.n}笔,金额${sum(rows, (x) => x.amount + d.amount)},手续费${sum(rows, (x) => feeOfRow(x) + d.fee)},结算${sum(rows, (x) => x.amount - feeOfRow(x) + d.net)}`;
    const ts = [mkFile('t1.csv', TL.generic, [...a, ...anchorRows(), odd]), mkFile('t2.csv', TL.generic, b)];
    for (const [i, [t1, t2]] of [
      [stated(all1), stated(b)],
      [stated(all1, { n: 0, amount: 1, fee: 0, net: 0 }), stated(b)],
      [stated(all1), stated(b, { n: 1, amount: 0, fee: 1, net: -1 })],
      [stated(b), stated(all1)], // the other file's totals
    ].entries()) {
      const ss = [mkFile('s1.csv', SL.generic, all1, { tail: [t1], profile: totals }), mkFile('s2.csv', SL.generic, b, { tail: [t2] })];
      const ssBoth = [ss[0], mkFile('s2.csv', SL.generic, b, { tail: [t2], profile: totals })];
      const run = check(`stated totals ${i}`, ts, ss, base, { minClean: 15 });
      const both = check(`stated totals ${i}, both files`, ts, ssBoth, base, { minClean: 15 });
      expect(run.ref.files[2].profile.name).toBe('my-settlement-with-totals');
      expect(run.ref.files[3].profile.name).toBe('generic-settlement');
      if (i > 0) expect(both.ref.counts.control_total_mismatch).toBeGreaterThan(0);
      else expect(both.ref.counts.control_total_mismatch).toBe(0);
    }
  });

  it('junk in one file only: preamble, repeated header, blank lines, an unreadable row at every place right after the head of file 2', () => {
    const a = fill(10, 0);
    const b = fill(10, 100);
    const junk = [
      `${MERCHANT},10000002,2025-10-14 12:00:00,消费,成功,622848******1234,借记卡,abc,600000000700,000700,,`, // unreadable amount
      `${MERCHANT},10000002,2025-13-45 12:00:00,消费,成功,622848******1234,借记卡,12.00,600000000701,000701,,`, // impossible date
      T_HEAD, // repeated header
      '',
      '合计,共3笔', // a footer mid-file
      `${MERCHANT},10000002,2025-10-14 12:00:00,消费,成功,622848******1234,借记卡,12.00`, // short row
    ];
    let engaged = 0;
    for (let k = 0; k < junk.length; k++) {
      for (let at = 0; at < 5; at++) {
        const t2rows: (Row | string)[] = [...b];
        t2rows.splice(at, 0, junk[k]);
        const ts = [mkFile('t1.csv', TL.generic, [...a.slice(0, 5), '', ...anchorRows(), T_HEAD, ...a.slice(5)], { pre: ['交易明细', '导出时间: 2025-10-16 08:00'] }), mkFile('t2.csv', TL.generic, t2rows, { enc: k % 2 ? 'gbk' : 'utf8' })];
        const ss = [mkFile('s1.csv', SL.generic, [...a, ...anchorRows()], { tail: ['', '总笔数: 18', '注：本对账单仅供参考'] }), mkFile('s2.csv', SL.generic, [...b.slice(0, 3), S_HEAD, ...b.slice(3)], { pre: ['结算对账单', '商户编号：' + MERCHANT] })];
        const run = check(`junk ${k} at ${at}`, ts, ss, base, { headBytes: 300, mayFallBack: true });
        if (!run.fallback) engaged++;
      }
    }
    expect(engaged).toBeGreaterThan(20);
  });
});

describe('columnar red team 3: ids across files', () => {
  it('one terminal printed ="…", padded and plain in different files; a merchant id in one file and none in the other; another merchant on one line', () => {
    const rows = fill(10, 0, { term: '10000002' });
    const w = (x: Row, term: string): Row => ({ ...x, over: { 终端号: term } });
    const ts = [
      mkFile('t1.csv', TL.generic, [...rows.slice(0, 5).map((x) => w(x, '="10000002"')), ...anchorRows(), ...fill(5, 50)]),
      mkFile('t2.csv', TL.perm, [...fill(5, 60), ...rows.slice(5).map((x) => w(x, ' 10000002 '))], { enc: 'gbk' }),
    ];
    const other: Row = { ...fill(1, 70)[0], merchant: '898310058120002' };
    const ss = [
      mkFile('s1.csv', SL.perm, [...fill(5, 50), ...rows.slice(0, 5)]), // no 商户号 column
      mkFile('s2.csv', SL.generic, [...rows.slice(5).map((x) => w(x, '`10000002')), ...anchorRows(), ...fill(5, 60), other]),
    ];
    const t3 = mkFile('t3.csv', TL.generic, [...fill(5, 80), fill(1, 70)[0]]);
    const s3 = mkFile('s3.csv', SL.generic, fill(5, 80));
    const run = check('ids across files', [...ts, t3], [...ss, s3], base, { minClean: 6 });
    // One terminal in the fee table, whichever way it was printed.
    expect([...run.ref.fees.byTerminal.keys()].filter((k) => k.includes('10000002'))).toEqual(['10000002']);
  });

  it('fee rules by terminal and merchant, with the ids printed differently in each file', () => {
    const c = loadContract(`settlement: { cycle: T+1, cutoff: "23:00" }
fees:
  rules:
    - when: { cardType: debit, terminalId: "10000002" }
      rate: "0.45%"
    - when: { cardType: credit, merchantId: "${MERCHANT}" }
      rate: "0.55%"
    - when: { cardType: debit }
      rate: "0.50%"
      cap: "20.00"
    - when: { cardType: [credit, qr] }
      rate: "0.60%"
`, 'c.yaml');
    const fee = (x: Row, hasMerchant: boolean) => {
      const card = x.card ?? '借记卡';
      const rate = card === '借记卡' ? (x.term === '10000002' ? 45 : 50) : card === '贷记卡' && hasMerchant ? 55 : 60;
      const f = Math.floor((x.amount * rate + 5000) / 10000);
      return card === '借记卡' && x.term !== '10000002' ? Math.min(f, 2000) : f;
    };
    const rows = [...fill(9, 0, { term: '10000002' }), ...fill(9, 20, { term: '10000003' })];
    const ts = [
      mkFile('t1.csv', TL.generic, [...rows.slice(0, 9).map((x) => ({ ...x, over: { 终端号: '="10000002"' } })), ...anchorRows()]),
      mkFile('t2.csv', TL.perm, rows.slice(9), { enc: 'gbk' }),
    ];
    // s1 prints the merchant (0.55% credit), s2 (permuted layout) prints none (0.60% credit).
    const s1 = rows.filter((_, i) => i % 2 === 0).map((x) => ({ ...x, fee: fee(x, true) }));
    const s2 = rows.filter((_, i) => i % 2 === 1).map((x) => ({ ...x, fee: fee(x, false) }));
    const ss = [mkFile('s1.csv', SL.generic, [...s1, ...anchorRows().map((x) => ({ ...x, fee: fee(x, true) }))]), mkFile('s2.csv', SL.perm, s2, { delim: '\t' })];
    const run = check('fee rules by id', ts, ss, c, { minClean: 6 });
    expect(run.ref.counts.fee_mismatch).toBe(0);
  });
});

describe('columnar red team 3: many small files', () => {
  it('6 terminal and 7 settlement files of uneven sizes, one holding only rows that stay residual, in several orders', () => {
    const rand = rng(4242);
    const all = fill(90, 0).map((x, i) => ({ ...x, term: `1000000${1 + (i % 8)}` }));
    const tSizes = [6, 25, 8, 30, 9, 12];
    const tFiles: Row[][] = [];
    let k = 0;
    for (const n of tSizes) {
      tFiles.push(all.slice(k, k + n));
      k += n;
    }
    tFiles[0].push(...anchorRows());
    // Settlement lines dealt at random into 6 files; a 7th holds only lines with fees off contract.
    const sFiles: (Row | string)[][] = Array.from({ length: 6 }, () => []);
    for (const x of all) sFiles[Math.floor(rand() * 6)].push(x);
    sFiles[0].push(...anchorRows());
    const residual = Array.from({ length: 7 }, (_, i): Row => ({ term: '10000002', time: `2025-10-14 20:0${i}:00`, amount: 3000 + i, rrn: String(600000000800 + i), trace: String(800 + i).padStart(6, '0'), fee: 1 }));
    tFiles[5].push(...residual);
    sFiles.push(residual);
    const layouts = [TL.generic, TL.perm, TL.split];
    const ts = tFiles.map((rows, i) => mkFile(`t${i}.csv`, layouts[i % 3], rows, { enc: i % 2 ? 'gbk' : 'utf8', eol: i % 3 === 1 ? '\r\n' : '\n' }));
    const sLayouts = [SL.generic, SL.perm, SL.split, SL.allinpay];
    const ss = sFiles.map((rows, i) => mkFile(`s${i}.csv`, sLayouts[i % 4], rows, { enc: i % 3 === 0 ? 'gbk' : 'utf8', delim: i === 1 ? '\t' : ',' }));
    let engaged = 0;
    for (let p = 0; p < 4; p++) {
      const order = <T,>(xs: T[]) => {
        const r = rng(p + 1);
        const out = [...xs];
        for (let i = out.length - 1; i > 0; i--) {
          const j = Math.floor(r() * (i + 1));
          [out[i], out[j]] = [out[j], out[i]];
        }
        return out;
      };
      for (const headBytes of [200, 300]) {
        const run = check(`many files order ${p} h${headBytes}`, order(ts), order(ss), base, { headBytes, mayFallBack: true });
        if (!run.fallback) {
          engaged++;
          expect(run.cleanPairs).toBeGreaterThan(30);
        }
      }
    }
    expect(engaged).toBeGreaterThanOrEqual(4);
  });
});

describe('columnar red team 3: dates, cut-offs and contracts across files', () => {
  const DATED = `settlement: { cycle: T+1, cutoff: "23:00", cutoffRule: after, graceDays: 1 }
fees:
  rules:
    - when: { cardType: credit }
      until: "2025-09-30"
      rate: "0.60%"
    - when: { cardType: credit }
      from: "2025-10-01"
      rate: "0.63%"
    - when: { cardType: qr }
      until: "2025-09-30"
      rate: "0.38%"
    - when: { cardType: qr }
      from: "2025-10-01"
      rate: "0.30%"
    - when: { cardType: [debit, unknown] }
      rate: "0.50%"
      cap: "20.00"
`;
  const dated = loadContract(DATED, 'dated.yaml');
  const rate = (card: string, bizDate: string) => (card === '贷记卡' ? (bizDate <= '2025-09-30' ? 60 : 63) : card === '微信' ? (bizDate <= '2025-09-30' ? 38 : 30) : 50);
  const feeAt = (x: Row, bizDate: string) => {
    const card = x.card ?? '借记卡';
    const f = Math.floor((x.amount * rate(card, bizDate) + 5000) / 10000);
    return card === '借记卡' ? Math.min(f, 2000) : f;
  };
  // A QR channel layout read with a user profile: midnight cut-off (its business date is the calendar date).
  const MIDNIGHT = parseProfile(`name: my-midnight-channel
role: settlement
required: [time, amount, fee]
signature: [rrn, net]
midnightCutoff: true
defaults: { status: success, txnType: sale }
columns:
  merchantId: [商户号]
  terminalId: [终端号]
  time: [交易时间]
  settleDate: [清算日期]
  rrn: [参考号]
  cardType: [卡类型]
  amount: [交易金额]
  fee: [手续费]
  net: [结算金额]
  memo: [备注]
`, 'my-midnight-channel.yaml', 'user');
  const M_LAYOUT: Layout = { role: 'settlement', head: ['清算日期', '商户号', '终端号', '交易时间', '卡类型', '交易金额', '手续费', '结算金额', '参考号', '备注'] };

  it('settlement files of different days with dated fee rules; sales after the cut-off on the last day of a rate; a midnight-cut-off file next to a 23:00 one', () => {
    const cards = ['贷记卡', '微信', '借记卡'];
    const day = (d: string, from: number, n: number, settle: string) =>
      Array.from({ length: n }, (_, i): Row => {
        const card = cards[i % 3];
        return { term: `1000000${1 + (i % 3)}`, time: `${d} ${hms(9 * 3600 + i * 1800)}`, amount: 100000 + from + i * 37, rrn: String(600000000000 + from + i), trace: String(from + i).padStart(6, '0'), card, cardNo: card === '微信' ? '' : '622848******3333', type: card === '微信' ? '扫码支付' : '消费', settle };
      });
    const d30 = day('2025-09-30', 1000, 12, '2025-10-01');
    const d01 = day('2025-10-01', 2000, 12, '2025-10-02');
    // After 23:00 on 09-30: business date 10-01 on a 23:00 cut-off, 09-30 at midnight.
    const late = [0, 1, 2, 3].map((i): Row => ({ term: '10000002', time: `2025-09-30 23:${String(10 + i * 10).padStart(2, '0')}:00`, amount: 200000 + i * 11, rrn: String(600000003000 + i), trace: String(3000 + i).padStart(6, '0'), card: i % 2 ? '贷记卡' : '微信', cardNo: i % 2 ? '622848******3333' : '', type: i % 2 ? '消费' : '扫码支付', settle: '2025-10-02' }));
    const priced = (rows: Row[], biz: (x: Row) => string) => rows.map((x) => ({ ...x, fee: feeAt(x, biz(x)) }));
    const biz23 = (x: Row) => (x.time.slice(11) >= '23:00:00' ? '2025-10-01' : x.time.slice(0, 10));
    const bizMid = (x: Row) => x.time.slice(0, 10);
    const anchors = anchorRows().map((x) => ({ ...x, time: x.time.replace('2025-10-13', '2025-09-29'), settle: '2025-09-30' }));
    const ts = [
      mkFile('t-0930.csv', TL.generic, [...d30, ...late.slice(0, 2), ...anchors]),
      mkFile('t-1001.csv', TL.split, [...d01, ...late.slice(2)], { enc: 'gbk' }),
    ];
    const sWrong = priced(late, bizMid); // the midnight business date's rate in the 23:00 file: off contract for the late ones
    for (const variant of ['right', 'wrong'] as const) {
      const ss = [
        mkFile('s-1001.csv', SL.generic, [...priced(d30, biz23), ...priced(anchors, biz23), ...(variant === 'right' ? priced(late.slice(0, 2), biz23) : sWrong.slice(0, 2))]),
        mkFile('s-1002.csv', M_LAYOUT, [...priced(d01, bizMid), ...(variant === 'right' ? priced(late.slice(2), bizMid) : priced(late.slice(2), biz23))], { profile: MIDNIGHT, enc: 'gbk', eol: '\r\n' }),
      ];
      const run = check(`dated fees ${variant}`, ts, ss, dated, { minClean: 15 });
      expect(run.ref.files[3].profile.name).toBe('my-midnight-channel');
      for (const asOf of ['2025-10-02', '2025-10-20']) check(`dated fees ${variant} as of ${asOf}`, ts, ss, dated, { asOf, minClean: 15 });
    }
  });

  it('a D0 contract (fixed 秒到费 on D0 payouts) over several files, and no contract at all', () => {
    const D0 = loadContract(`settlement: { cycle: D0, cutoff: "23:00" }
fees:
  rules:
    - when: { mode: D0, cardType: [debit, credit] }
      rate: "0.60%"
      fixed: "2.00"
    - when: { cardType: qr }
      rate: "0.38%"
      min: "0.01"
`, 'd0.yaml');
    const feeD0 = (x: Row) => {
      const card = x.card ?? '借记卡';
      return card === '微信' ? Math.max(1, Math.floor((x.amount * 38 + 5000) / 10000)) : Math.floor((x.amount * 60 + 5000) / 10000) + 200;
    };
    const a = fill(10, 0, { settle: '2025-10-14' });
    const b = fill(10, 100, { settle: '2025-10-14' });
    const odd: Row = { term: '10000002', time: '2025-10-14 12:00:00', amount: 5000, rrn: '600000000900', trace: '000900', fee: feeOf(5000, '借记卡'), settle: '2025-10-14' }; // T+1 fee on a D0 contract
    const ts = [mkFile('t1.csv', TL.generic, [...a, odd, ...anchorRows()]), mkFile('t2.csv', TL.perm, b, { enc: 'gbk' })];
    const ss = [
      mkFile('s1.csv', SL.generic, [...a.map((x) => ({ ...x, fee: feeD0(x) })), odd, ...anchorRows().map((x) => ({ ...x, fee: feeD0(x) }))]),
      mkFile('s2.csv', SL.split, b.map((x) => ({ ...x, fee: feeD0(x) })), { eol: '\r\n' }),
    ];
    check('D0 contract', ts, ss, D0, { minClean: 10 });
    check('no contract', ts, ss, loadContract('settlement: { cycle: T+1 }\n', 'none.yaml'), { minClean: 10 });
    check('base contract over D0 fees', ts, ss, base, { mayFallBack: false });
  });
});

// --- Property: adversarial files dealt into random files per side ------------------------------

/**
 * Data lines dealt into `parts` files (each with the header), some also into a second file
 * (overlapping re-export), footers into a random file; each file with its own encoding,
 * delimiter and line end.
 */
function dealFiles(text: string, parts: number, rand: () => number, overlap: number, prefix: string): InputFile[] {
  const [header, ...rest] = text.split(/\r?\n/).filter((l, i, all) => i < all.length - 1 || l !== '');
  const files: string[][] = Array.from({ length: parts }, () => [header]);
  for (const l of rest) {
    const f = Math.floor(rand() * parts);
    files[f].push(l);
    if (rand() < overlap && !l.startsWith('合计')) files[Math.floor(rand() * parts)].push(l);
  }
  return files.map((lines, i) => {
    const gb = rand() < 0.4;
    const d = rand() < 0.3 ? '\t' : rand() < 0.15 ? ';' : ',';
    const eol = rand() < 0.3 ? '\r\n' : '\n';
    const body = lines.map((l) => withDelimiter(l, d)).join(eol) + eol;
    return { name: `${prefix}-${i + 1}${d === '\t' ? '.tsv' : '.csv'}`, bytes: gb ? gbk.encodeGbk(body) : enc(body) };
  });
}

describe('columnar red team 3: property', () => {
  it('adversarial files dealt into 1–5 files per side with overlap, per-file encoding, delimiter and line end', () => {
    let runs = 0;
    let engaged = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom(0, 0.02, 0.1),
        fc.constantFrom(200, 300, 500),
        (seed, tParts, sParts, overlap, headBytes) => {
          const rand = rng(seed ^ 0x2545f491);
          const files = adversarialFiles(seed, 150 + Math.floor(rand() * 400));
          const ts = dealFiles(files.terminal, tParts, rand, overlap, 'terminal');
          const ss = dealFiles(files.settlement, sParts, rand, overlap, 'settlement');
          runs++;
          const run = check(`property seed ${seed} t${tParts} s${sParts} o${overlap} h${headBytes}`, ts, ss, base, { headBytes, mayFallBack: true });
          if (!run.fallback) engaged++;
        },
      ),
      { numRuns: Number(process.env.RT3_RUNS ?? 120) },
    );
    expect(engaged).toBeGreaterThan(runs / 2);
  });
});

function readProfileText(path: string): string {
  return readFileSync(path, 'utf8');
}

// --- Property: a world of transactions rendered into random files of random layouts -------------

const without = (names: string[], ...drop: string[]) => names.filter((h) => !drop.includes(h));
/** More layouts: columns some exports do not print. */
const TL2: Record<string, Layout> = {
  fee: { role: 'terminal', head: [...T_NAMES, '手续费'] },
  noTerm: { role: 'terminal', head: without(T_NAMES, '终端号') },
};
const SL2: Record<string, Layout> = {
  noSettle: { role: 'settlement', head: without(S_NAMES, '清算日期') },
  noIds: { role: 'settlement', head: without(S_NAMES, '终端号', '商户号') },
  noFee: { role: 'settlement', head: without(S_NAMES, '手续费') },
  noNet: { role: 'settlement', head: without(S_NAMES, '结算金额') },
};

/** A contract and the fee it charges a settlement line (business date after the 23:00 cut-off). */
interface Pricing {
  name: string;
  contract: Contract;
  fee(x: Row, biz: string): number;
}
const half = (amount: number, bp: number) => Math.floor((amount * bp + 5000) / 10000);
const PRICINGS: Pricing[] = [
  { name: 'base', contract: base, fee: (x) => feeOf(x.amount, x.card ?? '借记卡') },
  { name: 'none', contract: loadContract('settlement: { cycle: T+1, cutoff: "23:00" }\n', 'none.yaml'), fee: (x) => feeOf(x.amount, x.card ?? '借记卡') },
  {
    name: 'dated',
    contract: loadContract(`settlement: { cycle: T+1, cutoff: "23:00" }
fees:
  rules:
    - when: { cardType: debit }
      until: "2025-10-14"
      rate: "0.50%"
      cap: "20.00"
    - when: { cardType: debit }
      from: "2025-10-15"
      rate: "0.55%"
      cap: "25.00"
    - when: { cardType: credit }
      rate: "0.60%"
    - when: { cardType: qr }
      until: "2025-10-14"
      rate: "0.38%"
    - when: { cardType: qr }
      from: "2025-10-15"
      rate: "0.30%"
`, 'dated.yaml'),
    fee: (x, biz) => {
      const card = x.card ?? '借记卡';
      const late = biz >= '2025-10-15';
      if (card === '借记卡') return Math.min(half(x.amount, late ? 55 : 50), late ? 2500 : 2000);
      return half(x.amount, card === '贷记卡' ? 60 : late ? 30 : 38);
    },
  },
  {
    name: 'by terminal',
    contract: loadContract(`settlement: { cycle: T+1, cutoff: "23:00" }
fees:
  rules:
    - when: { cardType: debit, terminalId: "10000002" }
      rate: "0.45%"
    - when: { cardType: debit }
      rate: "0.50%"
      cap: "20.00"
    - when: { cardType: credit }
      rate: "0.60%"
    - when: { cardType: qr }
      rate: "0.38%"
`, 'byterm.yaml'),
    fee: (x) => ((x.card ?? '借记卡') === '借记卡' && x.term === '10000002' ? half(x.amount, 45) : feeOf(x.amount, x.card ?? '借记卡')),
  },
  {
    name: 'D0',
    contract: loadContract(`settlement: { cycle: D0, cutoff: "23:00" }
fees:
  rules:
    - when: { mode: D0, cardType: [debit, credit] }
      rate: "0.60%"
      fixed: "2.00"
    - when: { cardType: qr }
      rate: "0.38%"
      min: "0.01"
`, 'd0.yaml'),
    fee: (x) => ((x.card ?? '借记卡') === '微信' ? Math.max(1, half(x.amount, 38)) : half(x.amount, 60) + 200),
  },
];

interface World {
  ts: InputFile[];
  ss: InputFile[];
}

/**
 * Sales with every fault the reference must judge (fee and amount faults, unsettled, failed,
 * retries, voids by 原参考号 / 原凭证号 / amount + day from another file, duplicate RRNs,
 * settlement-only lines, date-only lines, cut-off crossings, deductions, ids printed the Excel
 * way), dealt into `tParts` terminal and `sParts` settlement files whose layout, encoding,
 * delimiter and line end are drawn per file, with re-exported copies in other files.
 */
function worldFiles(seed: number, n: number, tParts: number, sParts: number, overlap: number, pricing: Pricing = PRICINGS[0]): World {
  const rand = rng(seed);
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  type Opts = { layout: Layout; o: FileOpts };
  const tSpecs: Opts[] = Array.from({ length: tParts }, () => ({
    layout: pick([TL.generic, TL.generic, TL.perm, TL.split, TL2.fee, TL2.noTerm]),
    o: { enc: rand() < 0.4 ? 'gbk' : 'utf8', eol: rand() < 0.3 ? '\r\n' : '\n', delim: pick([',', ',', '\t', ';'] as const) },
  }));
  const sSpecs: Opts[] = Array.from({ length: sParts }, () => {
    const layout = pick([SL.generic, SL.generic, SL.perm, SL.split, SL.allinpay, SL2.noSettle, SL2.noIds, SL2.noFee, SL2.noNet]);
    return { layout, o: { enc: layout === SL.allinpay || rand() < 0.3 ? 'gbk' : 'utf8', eol: rand() < 0.3 ? '\r\n' : '\n', delim: layout === SL.allinpay ? ',' : pick([',', '\t', ';'] as const) } };
  });
  const tRows: (Row | string)[][] = tSpecs.map(() => []);
  const sRows: (Row | string)[][] = sSpecs.map(() => []);
  const toT = (x: Row | string) => {
    const f = Math.floor(rand() * tParts);
    tRows[f].push(x);
    if (rand() < overlap) tRows[(f + 1 + Math.floor(rand() * tParts)) % tParts].push(x);
  };
  const bizOf = (x: Row) => (x.time === '' ? x.settle ?? '2025-10-17' : x.time.slice(11) >= '23:00:00' ? `2025-10-${Number(x.time.slice(8, 10)) + 1}` : x.time.slice(0, 10));
  const toS = (x: Row | string) => {
    const priced = typeof x === 'string' || x.fee !== undefined ? x : { ...x, fee: pricing.fee(x, bizOf(x)) };
    const f = Math.floor(rand() * sParts);
    sRows[f].push(priced);
    if (rand() < overlap) sRows[(f + 1 + Math.floor(rand() * sParts)) % sParts].push(priced);
  };
  const terms = ['10000001', '10000002', '10000003', '10000004'];
  const amounts = [1000, 2500, 9900, 10000, 123456];
  const cards = ['借记卡', '贷记卡', '微信'] as const;
  let rrn = 520000000000;
  let trace = 1;
  for (let i = 0; i < n; i++) {
    const card = pick(cards);
    const term = pick(terms);
    const secs = 8 * 3600 + i * 131 + Math.floor(rand() * 60);
    const time = `2025-10-${14 + Math.floor(secs / 86400)} ${hms(secs % 86400)}`;
    const amount = rand() < 0.4 ? pick(amounts) : 100 + Math.floor(rand() * 300000);
    const x: Row = {
      term, time, amount, rrn: String(rrn++), trace: String(trace++).padStart(6, '0'), card,
      cardNo: card === '微信' ? '' : `622848******${1000 + (i % 5)}`, type: card === '微信' ? '扫码支付' : '消费',
      settle: rand() < 0.05 ? '2025-10-16' : '2025-10-17',
    };
    if (rand() < 0.05) x.over = { 终端号: `="${term}"` };
    if (rand() < 0.03) x.merchant = '898310058120002';
    const r = rand();
    let t: Row | null = x;
    let s: Row | null = x;
    if (r < 0.04) s = { ...x, fee: pricing.fee(x, bizOf(x)) + (i < 40 && rand() < 0.5 ? 1500 : 1 + Math.floor(rand() * 40)) };
    else if (r < 0.06) s = { ...x, amount: amount + 100 };
    else if (r < 0.08) s = null;
    else if (r < 0.1) { t = { ...x, status: '交易失败', rrn: '' }; s = null; }
    else if (r < 0.12) { t = { ...x, status: '交易失败' }; } // failed, yet settled: dropped order
    else if (r < 0.14) {
      // A failed try and its retry minutes later (the retry is this row), maybe in other files.
      toT({ ...x, time: `${time.slice(0, 11)}${hms(Math.max(0, (secs % 86400) - 60 * (1 + Math.floor(rand() * 40))))}`, status: pick(['交易失败', '交易超时']), rrn: '', trace: String(trace++).padStart(6, '0') });
    } else if (r < 0.18) {
      const how = pick(['ref', 'trace', 'none'] as const);
      toT({
        ...x, time: `${time.slice(0, 11)}23:40:00`, type: pick(['消费撤销', '冲正']), rrn: how === 'none' && rand() < 0.5 ? '' : String(rrn++), trace: String(trace++).padStart(6, '0'),
        oref: how === 'ref' ? x.rrn : '', otrace: how === 'trace' ? x.trace! : '',
      });
      if (rand() < 0.7) s = null;
    } else if (r < 0.19) s = { ...x, rrn: String(rrn - 2) }; // another sale's RRN
    else if (r < 0.2) s = { ...x, time: '' }; // date-only settlement line (clearing date only)
    else if (r < 0.21) { toT(x); } // the same terminal row twice (other file or same)
    else if (r < 0.22) { t = null; } // settlement only
    else if (r < 0.23) s = { ...x, memo: '含押金' };
    else if (r < 0.24) s = { ...x, time: `${time.slice(0, 11)}23:${String(10 + Math.floor(rand() * 49)).padStart(2, '0')}:00` }; // settled at another time, after the cut-off
    else if (r < 0.25) s = { ...x, over: { 手续费: '', 结算金额: '' } }; // no fee, no net printed
    if (t) toT(t);
    if (s) toS(s);
  }
  // Deductions, each in a random settlement file.
  for (const term of terms) {
    if (rand() < 0.6) toS(`2025-10-${pick(['16', '17'])},${MERCHANT},${term},,押金,,,0.00,0.00,-99.00,,,首刷押金`);
    if (rand() < 0.4) toS(`2025-10-17,${MERCHANT},${term},,流量费,,,0.00,0.00,-36.00,,,SIM卡流量费`);
  }
  // Deduction lines are written in the generic settlement layout: give them only to such files.
  const fixLiteral = (rows: (Row | string)[], layout: Layout) => (layout === SL.generic ? rows : rows.filter((r) => typeof r !== 'string'));
  const shuffled = <T,>(xs: T[]) => {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [xs[i], xs[j]] = [xs[j], xs[i]];
    }
    return xs;
  };
  const tFeeCell = (rows: (Row | string)[], layout: Layout) => (layout === TL2.fee ? rows.map((r) => (typeof r === 'string' ? r : { ...r, over: { ...r.over, 手续费: yuan(pricing.fee(r, bizOf(r))) } })) : rows);
  return {
    ts: tSpecs.map((spec, i) => mkFile(`t${i}.csv`, spec.layout, tFeeCell(tRows[i], spec.layout), spec.o)),
    ss: sSpecs.map((spec, i) => mkFile(`s${i}.csv`, spec.layout, shuffled(fixLiteral(sRows[i], spec.layout)), spec.o)),
  };
}

describe('columnar red team 3: property over layouts', () => {
  it('a world of faults rendered into 1–4 files per side of random layouts, encodings, delimiters, line ends and contracts', () => {
    let runs = 0;
    let engaged = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom(0, 0.03, 0.15),
        fc.constantFrom(300, 500, 900),
        fc.integer({ min: 0, max: PRICINGS.length - 1 }),
        (seed, tParts, sParts, overlap, headBytes, p) => {
          const w = worldFiles(seed, 300, tParts, sParts, overlap, PRICINGS[p]);
          runs++;
          const run = check(`world seed ${seed} t${tParts} s${sParts} o${overlap} h${headBytes} ${PRICINGS[p].name}`, w.ts, w.ss, PRICINGS[p].contract, { headBytes, mayFallBack: true });
          if (!run.fallback) engaged++;
        },
      ),
      { numRuns: Number(process.env.RT3_RUNS ?? 120) },
    );
    expect(engaged).toBeGreaterThan(runs / 2);
  });
});

describe('columnar red team 3: more shapes of several files', () => {
  it('head boundaries: every head size from 150 to 1200 bytes (step 7) over files with CRLF, GBK, tabs, preamble and mid-file subtotals', () => {
    const a = fill(12, 0);
    const b = fill(12, 100);
    const c = fill(12, 200, { term: '10000002' });
    const anchors = anchorRows();
    const ts = [
      mkFile('t-generic.csv', TL.generic, [...a.slice(0, 5), '合计,共5笔', ...a.slice(5), ...anchors], { eol: '\r\n' }),
      mkFile('t-perm.tsv', TL.perm, b, { enc: 'gbk', eol: '\r\n', delim: '\t' }),
      mkFile('t-split.csv', TL.split, c, { delim: ';' }),
    ];
    const ss = [
      mkFile('s-generic.csv', SL.generic, [...a.slice(0, 6), '本页合计,,,,,,,1.00,,,,,', ...b.slice(6), ...anchors, ...c.slice(0, 3)], { tail: ['合计,共23笔'] }),
      mkFile('allinpay-pos-duizhangdan-20251015.csv', SL.allinpay, [...c.slice(3), ...a.slice(6, 9)], { enc: 'gbk', eol: '\r\n', tail: ['合计,,,,,,,,,,,,1.00,,,,,,,', '总笔数：12'] }),
      mkFile('s-perm.tsv', SL.perm, [...b.slice(0, 6), ...a.slice(9)], { delim: '\t' }),
    ];
    let engaged = 0;
    for (let h = 150; h < 1200; h += 7) {
      const run = check(`sweep h${h}`, ts, ss, base, { headBytes: h, mayFallBack: true });
      if (!run.fallback) engaged++;
    }
    expect(engaged).toBeGreaterThan(80);
  });

  it('the same file name for two different files of a side (and of both sides)', () => {
    const a = fill(10, 0);
    const b = fill(10, 100);
    const x: Row = { term: '10000002', time: '2025-10-14 12:00:00', amount: 5000, rrn: '600000000001', trace: '000001' };
    const ts = [mkFile('export.csv', TL.generic, [...a, ...anchorRows(), x]), mkFile('export.csv', TL.generic, [...b, x])];
    const ss = [mkFile('export.csv', SL.generic, [...a, ...anchorRows(), x]), mkFile('export.csv', SL.generic, [...b, x, { ...x, rrn: '600000000002' }])];
    check('same names', ts, ss, base, { minClean: 10 });
  });

  it('a whole settlement file re-exported in another encoding, delimiter, line end and layout', () => {
    const a = fill(12, 0);
    const b = fill(12, 100);
    const x: Row = { term: '10000002', time: '2025-10-14 12:00:00', amount: 5000, rrn: '600000000001', trace: '000001', fee: 1 };
    const ts = [mkFile('t1.csv', TL.generic, [...a, ...anchorRows(), x]), mkFile('t2.csv', TL.generic, b)];
    const s2 = [...b, x];
    const ss = [mkFile('s1.csv', SL.generic, [...a, ...anchorRows()]), mkFile('s2.csv', SL.generic, s2), mkFile('s2-gbk.csv', SL.generic, s2, { enc: 'gbk', eol: '\r\n', delim: '\t' }), mkFile('s2-split.csv', SL.split, s2)];
    const run = check('re-export encodings', ts, ss, base, { minClean: 6 });
    expect(run.ref.counts.duplicate_export).toBeGreaterThan(20);
  });

  it('a terminal profile with a midnight cut-off next to a generic terminal file (sales after 23:00 in both)', () => {
    const midT = parseProfile(readProfileText('profiles/generic-terminal.yaml').replace(/^name: .*$/m, 'name: my-midnight-terminal') + '\nmidnightCutoff: true\n', 'mt.yaml', 'user');
    const late = (n: number, from: number): Row[] => Array.from({ length: n }, (_, k) => ({ term: '10000002', time: `2025-10-14 23:${String(5 + k * 6).padStart(2, '0')}:00`, amount: 30000 + from + k, rrn: String(600000010000 + from + k), trace: String(from + k).padStart(6, '0') }));
    const l1 = late(5, 0);
    const l2 = late(5, 50);
    const ts = [mkFile('t1.csv', TL.generic, [...fill(6, 0), ...anchorRows(), ...l1, ...fill(4, 6)]), mkFile('t2.csv', TL.generic, [...fill(6, 100), ...l2, ...fill(4, 106)], { profile: midT })];
    const ss = [mkFile('s1.csv', SL.generic, [...fill(10, 0), ...anchorRows(), ...l2]), mkFile('s2.csv', SL.generic, [...fill(10, 100), ...l1])];
    const run = check('midnight terminal', ts, ss, base, { minClean: 18 });
    expect(run.ref.files[1].profile.name).toBe('my-midnight-terminal');
  });

  it('settlement files without 手续费 / without 结算金额 / without 清算日期 / without ids next to full ones; a terminal file printing 手续费', () => {
    const tFee: Layout = TL2.fee;
    const a = fill(10, 0);
    const b = fill(10, 100);
    const c = fill(10, 200);
    const d = fill(10, 300);
    const e = fill(10, 400);
    const odd: Row = { term: '10000002', time: '2025-10-14 12:00:00', amount: 5000, rrn: '600000000001', trace: '000001', fee: 7 };
    const tFeeRows = c.map((x) => ({ ...x, over: { 手续费: yuan(feeOf(x.amount, x.card ?? '借记卡')) } }));
    const ts = [mkFile('t1.csv', TL.generic, [...a, ...anchorRows(), odd, ...d]), mkFile('t2.csv', TL.generic, [...b, ...e]), mkFile('t3.csv', tFee, tFeeRows)];
    const ss = [mkFile('s1.csv', SL.generic, [...a, ...anchorRows()]), mkFile('s2.csv', SL2.noFee, [...b, odd]), mkFile('s3.csv', SL2.noNet, c), mkFile('s4.csv', SL2.noSettle, d, { enc: 'gbk' }), mkFile('s5.csv', SL2.noIds, e)];
    check('missing columns', ts, ss, base, { minClean: 25 });
    check('missing columns, as of', ts, ss, base, { minClean: 25, asOf: '2025-10-30' });
  });

  it('files either side of a year end, and one in a year the holiday calendar does not cover', () => {
    const d1 = fill(10, 0, { day: '2025-12-31', settle: '2026-01-02' });
    const d2 = fill(10, 100, { day: '2026-01-01', settle: '2026-01-02' });
    const d3 = fill(10, 200, { day: '2027-03-01', settle: '2027-03-02' });
    const anchors = anchorRows().map((x) => ({ ...x, time: x.time.replace('2025-10-13', '2025-12-30'), settle: '2025-12-31' }));
    const ts = [mkFile('t1.csv', TL.generic, [...d1, ...anchors]), mkFile('t2.csv', TL.split, d2), mkFile('t3.csv', TL.generic, d3)];
    const ss = [mkFile('s1.csv', SL.generic, [...d1, ...anchors]), mkFile('s2.csv', SL.generic, [...d2, ...d3])];
    const run = check('year boundary', ts, ss, base, { minClean: 15 });
    expect(run.fast!.missingCalendarYears).toEqual([2027]);
  });

  it('file endings: no final line end, a bare CR, extra blank lines, trailing spaces or delimiters', () => {
    const a = fill(10, 0);
    const b = fill(10, 100);
    const x: Row = { term: '10000002', time: '2025-10-14 12:00:00', amount: 5000, rrn: '600000000001', trace: '000001', fee: 1 };
    const strip = (f: InputFile, tail: number[]): InputFile => {
      let end = f.bytes.length;
      while (end > 0 && (f.bytes[end - 1] === 0x0a || f.bytes[end - 1] === 0x0d)) end--;
      return { ...f, bytes: new Uint8Array([...f.bytes.subarray(0, end), ...tail]) };
    };
    for (const tail of [[], [0x0d], [0x0a, 0x0a], [0x0d, 0x0a, 0x0d, 0x0a], [0x20], [0x2c, 0x2c]]) {
      for (const eol of ['\n', '\r\n'] as const) {
        const ts = [strip(mkFile('t1.csv', TL.generic, [...a, ...anchorRows(), x], { eol }), tail), mkFile('t2.csv', TL.generic, b)];
        const ss = [mkFile('s1.csv', SL.generic, [...a, ...anchorRows()]), strip(mkFile('s2.csv', SL.generic, [...b, x], { eol, tail: ['合计,共11笔'] }), tail)];
        check(`endings ${JSON.stringify(tail)} ${JSON.stringify(eol)}`, ts, ss, base, { minClean: 10 });
      }
    }
  });

  it('a file whose scanned part holds no rows at all (footers and blank lines only)', () => {
    const a = fill(10, 0);
    const b = fill(2, 100);
    const ts = [mkFile('t1.csv', TL.generic, [...a, ...anchorRows()]), mkFile('t2.csv', TL.generic, b, { tail: ['', '', '合计,共2笔', '', '注：仅供参考，以银行入账为准，如有疑问请联系客服热线'] })];
    const ss = [mkFile('s1.csv', SL.generic, [...a, ...anchorRows(), ...b], { tail: ['', '总笔数: 20'] }), mkFile('s2.csv', SL.generic, [b[0]], { tail: Array.from({ length: 200 }, () => '') })];
    check('scanned part without rows', ts, ss, base, { headBytes: 250, minClean: 5 });
  });

  it('concatenated exports in one file (a BOM and the header again mid-file)', () => {
    const a = fill(12, 0);
    const b = fill(12, 100);
    const c = fill(12, 200);
    const bom = (f: InputFile) => new Uint8Array([0xef, 0xbb, 0xbf, ...f.bytes]);
    const cat = (...parts: Uint8Array[]) => new Uint8Array(parts.flatMap((x) => [...x]));
    for (const first of [TL.generic, TL.perm]) {
      const t1 = { name: 't-cat.csv', bytes: cat(bom(mkFile('x', first, [...a, ...anchorRows()])), bom(mkFile('y', first, b))) };
      const s1 = { name: 's-cat.csv', bytes: cat(bom(mkFile('x', SL.perm, [...a, ...anchorRows()])), bom(mkFile('y', SL.perm, [...b, ...c]))) };
      check(`concatenated ${first.head[0]}`, [t1, mkFile('t2.csv', TL.generic, c)], [s1], base, { minClean: 20 });
    }
  });

  it('the channel printed in one terminal file decides the fee of a settlement line in another file', () => {
    const c = loadContract(`settlement: { cycle: T+1, cutoff: "23:00" }
fees:
  rules:
    - when: { cardType: qr, channel: 微信 }
      rate: "0.30%"
    - when: { cardType: qr, channel: [支付宝, alipay] }
      rate: "0.35%"
    - when: { cardType: qr }
      rate: "0.38%"
    - when: { cardType: [debit, unknown] }
      rate: "0.50%"
      cap: "20.00"
    - when: { cardType: credit }
      rate: "0.60%"
`, 'ch.yaml');
    const tCh: Layout = { role: 'terminal', head: [...T_NAMES, '支付方式'] };
    const sCh: Layout = { role: 'settlement', head: [...S_NAMES, '支付渠道'] };
    const sNoCard: Layout = { role: 'settlement', head: without(S_NAMES, '卡类型') };
    const qr = (n: number, from: number, ch: string): Row[] => fill(n, from, { card: '微信' }).map((x) => ({ ...x, over: { 支付方式: ch, 支付渠道: ch } }));
    const w1 = qr(6, 0, '微信');
    const w2 = qr(6, 10, '支付宝');
    const w3 = qr(6, 20, '');
    const w4 = qr(6, 30, 'alipay');
    const w5 = w4.map((x) => ({ ...x, rrn: String(Number(x.rrn) + 50), trace: String(Number(x.trace) + 50) }));
    // A row printing no channel went through the wallet its card-type cell names (微信).
    const rate = (ch: string) => (ch === '微信' || ch === '' ? 30 : ch === '支付宝' || ch === 'alipay' ? 35 : 38);
    const priced = (rows: Row[], ch: (x: Row) => string) => rows.map((x) => ({ ...x, fee: half(x.amount, rate(ch(x))) }));
    const ts = [
      mkFile('t1.csv', tCh, [...w1, ...w2, ...anchorRows().map((x) => ({ ...x, over: { 支付方式: '' } }))]),
      mkFile('t2.csv', TL.generic, [...w3, ...w4], { enc: 'gbk' }), // prints no channel
      mkFile('t3.csv', TL.generic, [...qr(6, 40, ''), ...w5]),
    ];
    const ss = [
      mkFile('s1.csv', SL.generic, [...priced(w1, () => '微信'), ...priced(w4, () => ''), ...anchorRows()]),
      mkFile('s2.csv', sCh, [...priced(w2, () => '支付宝'), ...priced(w3, () => ''), ...priced(w5, (x) => x.over!.支付渠道)], { delim: '\t' }),
      mkFile('s3.csv', sNoCard, priced(qr(6, 40, ''), () => '')),
    ];
    const run = check('channels across files', ts, ss, c, { minClean: 15 });
    expect(run.ref.counts.fee_mismatch).toBe(0);
  });
});

// --- Bugs found and fixed (regression tests) ---------------------------------------------------

describe('columnar red team 3: fixed bugs', () => {
  /**
   * Was a bug (fast path): a GBK/GB18030 file with bytes that are not valid GB18030 in a cell the scan
   * never decodes (卡号, or a column no field maps such as allinpay's 门店名称). The reference
   * reader decodes the whole file strictly and refuses it ("cannot decode the file as UTF-8,
   * GB18030/GBK or UTF-16"); the fast path validates UTF-8 blocks (isUtf8) but never GB18030 ones,
   * so it proves the row clean without decoding it and prints a report. The same file is refused
   * below 4 MiB and accepted above. Expected: fall back (or scan-abort) as for invalid UTF-8.
   */
  function fastVersusReference(ts: InputFile[], ss: InputFile[]): { refError: string; fast: string } {
    let refError = '';
    try {
      referenceOf(ts, ss, base);
    } catch (e) {
      refError = (e as Error).message;
    }
    const out = reconcileColumnar({ terminal: ts.map((f) => ({ file: f.name, bytes: f.bytes })), settlement: ss.map((f) => ({ file: f.name, bytes: f.bytes })), profiles, contract: base, calendar, headBytes: 300 });
    return { refError, fast: 'fallback' in out ? `fallback: ${out.fallback}` : `report (${out.stats.cleanPairs} clean pairs)` };
  }

  /** Bytes of `f` with `bytes` put in place of the first `find` after the line holding `after`. */
  function patch(f: InputFile, after: string, find: Uint8Array, bytes: Uint8Array): InputFile {
    const text = new TextDecoder('gb18030').decode(f.bytes);
    const lineStart = text.lastIndexOf('\n', text.indexOf(after)) + 1;
    const from = gbk.encodeGbk(text.slice(0, lineStart)).length;
    let at = -1;
    for (let i = from; i < f.bytes.length && at < 0; i++) if (find.every((b, k) => f.bytes[i + k] === b)) at = i;
    if (at < 0) throw new Error('nothing to patch');
    return { ...f, bytes: new Uint8Array([...f.bytes.subarray(0, at), ...bytes, ...f.bytes.subarray(at + find.length)]) };
  }

  it('fixed: invalid GB18030 byte (0xFF) in the 卡号 of a clean row deep in GBK terminal file 2: the reference refuses the file, the fast path falls back to it', () => {
    const a = fill(12, 0);
    const b = fill(12, 100);
    const t2 = mkFile('t2.csv', TL.generic, b, { enc: 'gbk' });
    // 622848******9999 → 622848******99\xFF9 on the 10th data row.
    const bad = patch(t2, b[9].rrn, enc('******9999'), new Uint8Array([...enc('******99'), 0xff, 0x39]));
    const ts = [mkFile('t1.csv', TL.generic, [...a, ...anchorRows()], { enc: 'gbk' }), bad];
    const ss = [mkFile('s1.csv', SL.generic, [...a, ...anchorRows(), ...b], { enc: 'gbk' })];
    const r = fastVersusReference(ts, ss);
    expect(r.refError).toMatch(/cannot decode the file/);
    expect(r.fast).toMatch(/^fallback/);
  });

  it('fixed: a store name (门店名称, unmapped) in UTF-8 inside a GBK allinpay statement: the reference refuses the file, the fast path falls back to it', () => {
    const a = fill(12, 0, { term: '10000002' });
    const s = mkFile('allinpay-pos-duizhangdan-20251015.csv', SL.allinpay, a, { enc: 'gbk', eol: '\r\n' });
    // 示例便利店 (GBK) → 示例店 written in UTF-8 (9 bytes: the last one is left alone before the comma).
    const bad = patch(s, a[8].rrn, gbk.encodeGbk('示例便利店'), enc('示例店'));
    const ts = [mkFile('t1.csv', TL.generic, [...a, ...anchorRows()])];
    const ss = [bad, mkFile('s2.csv', SL.generic, anchorRows())];
    const r = fastVersusReference(ts, ss);
    expect(r.refError).toMatch(/cannot decode the file/);
    expect(r.fast).toMatch(/^fallback/);
  });

  it('fixed (same cause): --encoding gbk over a GBK file and a UTF-8 file whose head is ASCII: the reference refuses the UTF-8 file, the fast path falls back to it', () => {
    // English headers and words: nothing but ASCII in the head; a store name (unmapped column) in UTF-8 further down.
    const tHead = 'merchant id,terminal id,time,type,status,card no,card type,amount,rrn,trace,shop';
    const rows = fill(20, 0, { card: '借记卡' });
    const t2 = rows.map((x, i) => `${MERCHANT},${x.term},${x.time},sale,success,${x.cardNo},debit,${yuan(x.amount)},${x.rrn},${x.trace},${i > 12 ? '门店' : 'shop'}`);
    const ts = [mkFile('t1.csv', TL.generic, [...fill(10, 100), ...anchorRows()], { enc: 'gbk' }), { name: 't2.csv', bytes: enc([tHead, ...t2].join('\n') + '\n') }];
    const ss = [mkFile('s1.csv', SL.generic, [...rows, ...fill(10, 100), ...anchorRows()], { enc: 'gbk' })];
    const encoding = 'gb18030' as const;
    expect(() => readInputFile(ts[1].bytes, ts[1].name, { profiles, role: 'terminal', encoding })).toThrow(/the file is UTF-8/);
    const out = reconcileColumnar({ terminal: ts.map((f) => ({ file: f.name, bytes: f.bytes })), settlement: ss.map((f) => ({ file: f.name, bytes: f.bytes })), profiles, contract: base, calendar, headBytes: 300, encoding });
    expect('fallback' in out ? 'fallback' : `report (${out.stats.cleanPairs} clean pairs)`).toBe('fallback');
  });

  /**
   * Was a bug (fast path, API only): an empty list of files on a side throws a TypeError (groupSides
   * reads sides[0].scan) instead of returning { fallback } or the reference result. The CLI never
   * passes an empty side (columnarWanted needs both), so no user sees it; the reference handles
   * terminal: [] (audit mode) fine.
   */
  it('fixed: an empty side (terminal: [] or settlement: []) falls back instead of throwing', () => {
    const a = fill(10, 0);
    const s = [mkFile('s1.csv', SL.generic, [...a, ...anchorRows()])];
    const t = [mkFile('t1.csv', TL.generic, [...a, ...anchorRows()])];
    for (const [ts, ss] of [[[], s], [t, []]] as const) {
      const out = reconcileColumnar({ terminal: ts.map((f) => ({ file: f.name, bytes: f.bytes })), settlement: ss.map((f) => ({ file: f.name, bytes: f.bytes })), profiles, contract: base, calendar, headBytes: 300 });
      expect(out).toEqual({ fallback: 'terminal and settlement files are both needed' });
    }
  });
});
