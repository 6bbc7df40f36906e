import { describe, expect, it } from 'vitest';
import { detectProfile, mapHeader } from '../../src/profiles/detect.js';
import { builtinProfiles } from '../../src/profiles/builtin.js';
import { InputError } from '../../src/model.js';
import { tokenizeDelimited } from '../../src/read/tokenize.js';
import { looksGarbled } from '../../src/read/decode.js';
import { INGEST, read } from '../read/fixtures.js';

const generic = (name: string) => builtinProfiles().find((p) => p.name === name)!;

function failure(run: () => unknown): InputError {
  try {
    run();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError');
}

describe('auto-detection picks profile and role from the header row, and says why', () => {
  it.each([
    ['gbk-with-title-and-footer.csv', 'generic-terminal', 'terminal', 5],
    ['settlement-with-fees.csv', 'generic-settlement', 'settlement', 1], // 清算日期, 手续费 and 结算金额 make it a settlement file
    ['footer-variants.csv', 'generic-terminal', 'terminal', 4],
    ['tab-delimited.tsv', 'generic-terminal', 'terminal', 1],
  ])('%s → %s (%s), header on line %i', (name, profile, role, headerLine) => {
    const f = read(INGEST + name);
    expect([f.profile.name, f.role, f.headerLine]).toEqual([profile, role, headerLine]);
    expect(f.reason).toMatch(new RegExp(`^header on line ${headerLine} maps \\d+ columns \\(score \\d+\\)`));
  });

  it('names the runner-up profiles that also fit', () => {
    expect(read(INGEST + 'settlement-with-fees.csv').reason).toMatch(/; also fits: generic-terminal \(score \d+\)$/);
  });

  it('bank statements go to generic-bank', () => {
    expect(read('fixtures/samples/bank-boc-liushui.csv')).toMatchObject({ role: 'bank', headerLine: 2 });
  });

  it('--role restricts the candidates', () => {
    const f = read(INGEST + 'settlement-with-fees.csv', { role: 'terminal' });
    expect([f.profile.name, f.role]).toEqual(['generic-terminal', 'terminal']);
  });

  it('--profile NAME forces a built-in profile and says so', () => {
    const f = read(INGEST + 'settlement-with-fees.csv', { profile: generic('generic-terminal') });
    expect(f.profile.name).toBe('generic-terminal');
    expect(f.reason).toMatch(/^forced by --profile; header on line 1/);
  });
});

describe('an unknown layout fails, naming the closest profile and the columns that did not map', () => {
  it('with every built-in profile', () => {
    const e = failure(() => read(INGEST + 'unknown-layout.csv'));
    expect(e.message).toMatch(/^fixtures\/ingest\/unknown-layout\.csv:2: no profile fits; closest is generic-\w+, which lacks /);
    expect(e.message).toMatch(/; columns that did not map: 门店, 品项, 数量, 单价$/);
    expect(e.hint).toMatch(/--profile FILE/);
  });

  it('within a role', () => {
    const e = failure(() => read(INGEST + 'unknown-layout.csv', { role: 'terminal' }));
    expect(e.message).toMatch(/^fixtures\/ingest\/unknown-layout\.csv:2: no terminal profile fits; closest is generic-terminal, which lacks amount \(交易金额\);/);
  });

  it('a forced profile that does not fit says so instead of guessing', () => {
    const e = failure(() => read(INGEST + 'unknown-layout.csv', { profile: generic('generic-settlement') }));
    expect(e.message).toMatch(/^fixtures\/ingest\/unknown-layout\.csv:2: profile generic-settlement \(forced by --profile\) does not fit: no header row has amount \(交易金额\) or net \(结算金额\)/);
    expect(e.hint).toMatch(/drop --profile/);
  });

  it('a layout a user profile describes is unknown to the built-ins', () => {
    const e = failure(() => read(INGEST + 'fen-amounts.csv'));
    expect(e.message).toMatch(/^fixtures\/ingest\/fen-amounts\.csv:2: no profile fits; closest is /);
    expect(e.message).toMatch(/columns that did not map: 记录类型, .*交易时刻, .*交易额\(分\)/);
  });

  it('keeps the message on one line even when header cells hold line breaks', () => {
    const rows = tokenizeDelimited('"门店\n名称",品项\n一号店,拿铁\n', ',');
    const e = failure(() => detectProfile(rows, builtinProfiles(), { file: 'x.csv', garbled: looksGarbled }));
    expect(e.message).not.toContain('\n');
    expect(e.message).toContain('门店·名称');
  });

  it('a profile without `required` still needs two of its columns in the header row', () => {
    const loose = { ...generic('generic-terminal'), name: 'loose', required: [], columns: { time: ['交易时刻'], amount: ['交易额'] } };
    const rows = tokenizeDelimited('乐刷交易明细,2018-07-31\n交易时刻,交易额\n2018-07-31 16:07:27,1.00\n', ',');
    const d = detectProfile(rows, [loose], { file: 'x.csv', forced: loose });
    expect(d.headerIndex).toBe(1); // not the title line, which maps nothing
    const e = failure(() => detectProfile(tokenizeDelimited('日期,金额\n', ','), [loose], { file: 'y.csv', forced: loose }));
    expect(e.message).toBe('y.csv:1: profile loose (forced by --profile) does not fit: no header row has two of its columns (交易时刻, 交易额); columns that did not map: 日期, 金额');
  });
});

describe('header mapping', () => {
  it('ignores padding, TABs, backticks, full-width （元） and unit suffixes', () => {
    const m = mapHeader(generic('generic-bank'), ['  记账日期\t', '`收入金额（元）', '支出金额(人民币)', ' 余额 ', '对方户名：']);
    expect(m.columns).toEqual({ date: 0, credit: 1, debit: 2, balance: 3, counterparty: 4 });
    expect(m.headers.credit).toBe('`收入金额（元）');
    expect(m.unmapped).toEqual([]);
  });

  it('takes aliases in priority order: ICBC booked amounts win over transaction-currency amounts', () => {
    const m = mapHeader(generic('generic-bank'), ['交易日期', '交易金额(收入)', '交易金额(支出)', '记账金额(收入)', '记账金额(支出)', '余额']);
    expect(m.columns).toMatchObject({ credit: 3, debit: 4 });
    expect(m.unmapped).toEqual(['交易金额(收入)', '交易金额(支出)']);
  });

  it('maps each header cell to at most one field', () => {
    const m = mapHeader(generic('generic-terminal'), ['交易时间', '时间', '交易金额']);
    expect(m.columns).toEqual({ time: 0, amount: 2 });
    expect(m.unmapped).toEqual(['时间']);
  });
});
