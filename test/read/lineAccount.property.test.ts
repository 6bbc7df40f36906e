// Every physical line of a file is exactly one of: header, junk (skipped), record, rejected.
// Generated files mix title/preamble lines, blank lines, good rows, bad rows (some spanning two
// lines through a quoted memo) and footer lines, in four encodings and two line-end styles; the
// generator knows what each line is, so the test checks the classification, not just the sum.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { readInputFile } from '../../src/read/readInput.js';
import { builtinProfiles } from '../../src/profiles/builtin.js';
import { InputError } from '../../src/model.js';
import { encodeGbk } from './fixtures.js';

const HEADER = '交易时间,终端号,参考号,交易金额,交易状态,备注';

const PREAMBLE = ['商户交易明细', '商户名称：上海示例餐饮有限公司', '导出时间：2025-04-18 09:00:00', '#查询条件：全部', '起止日期：2025-04-17 至 2025-04-18', '交易明细,,,'];
const FOOTER = ['合计,,,100.00,,', '总计：3笔', '总笔数：3', '#-----交易明细列表结束-----', '注：本明细仅供对账参考', '温馨提示：如有疑问请致电客服', '小计,,,1.00,,'];
const BLANK = ['', '   ', ',,,,,', ' ,\t, , ,,'];
const BAD_AMOUNTS = ['12,5O', '1.2.3', 'abc', '--12', '4.00123E+27', '12元5角'];

type Line =
  | { kind: 'preamble' | 'footer' | 'blank'; text: string }
  | { kind: 'good'; text: string; amount: string; span: number }
  | { kind: 'bad'; text: string; span: number };

const memoArb = fc.oneof(
  fc.constantFrom('午餐', '', '含税, 两份', '他说"好"'),
  fc.constant('第一行\n第二行'), // a quoted memo across two physical lines
);

function quote(v: string): string {
  return /[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

const timeArb = fc.record({ d: fc.integer({ min: 1, max: 28 }), s: fc.integer({ min: 0, max: 86399 }) }).map(
  ({ d, s }) => `2025-04-${String(d).padStart(2, '0')} ${String(Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`,
);

const goodArb = fc.record({ time: timeArb, cents: fc.integer({ min: -100000, max: 10000000 }), memo: memoArb, rrn: fc.integer({ min: 1, max: 999999 }) }).map(({ time, cents, memo, rrn }): Line => {
  const amount = new Decimal(cents).div(100).toFixed(2);
  const text = [time, '12345678', String(510700000000 + rrn), quote(amount), '成功', quote(memo)].join(',');
  return { kind: 'good', text, amount, span: memo.includes('\n') ? 2 : 1 };
});

const BAD_TIMES = ['2025-02-30 10:00:00', '2025-13-01 09:00:00', '2025-04-17 25:61:00', '20250431 120000'];
const badArb = fc
  .record({ time: fc.oneof(timeArb, fc.constantFrom(...BAD_TIMES)), amount: fc.constantFrom(...BAD_AMOUNTS, '8.00'), memo: memoArb })
  .filter(({ time, amount }) => BAD_TIMES.includes(time) || amount !== '8.00')
  .map(({ time, amount, memo }): Line => {
    const text = [time, '12345678', '510711111111', quote(amount), '成功', quote(memo)].join(',');
    return { kind: 'bad', text, span: memo.includes('\n') ? 2 : 1 };
  });

const junk = (kind: 'preamble' | 'footer' | 'blank', texts: string[]) => fc.constantFrom(...texts).map((text): Line => ({ kind, text }));

const fileArb = fc.record({
  preamble: fc.array(fc.oneof(junk('preamble', PREAMBLE), junk('blank', BLANK)), { maxLength: 5 }),
  body: fc.array(fc.oneof({ weight: 6, arbitrary: goodArb }, { weight: 2, arbitrary: badArb }, { weight: 1, arbitrary: junk('blank', BLANK) }), { maxLength: 25 }),
  footer: fc.array(fc.oneof(junk('footer', FOOTER), junk('blank', BLANK)), { maxLength: 5 }),
  encoding: fc.constantFrom('utf-8', 'utf-8-bom', 'gbk', 'utf-16le-bom'),
  eol: fc.constantFrom('\n', '\r\n'),
  finalEol: fc.boolean(),
});

function encode(text: string, encoding: string): Uint8Array {
  if (encoding === 'gbk') return encodeGbk(text);
  if (encoding === 'utf-16le-bom') return Uint8Array.from([0xff, 0xfe, ...Buffer.from(text, 'utf16le')]);
  const utf8 = new TextEncoder().encode(text);
  return encoding === 'utf-8-bom' ? Uint8Array.from([0xef, 0xbb, 0xbf, ...utf8]) : utf8;
}

describe('line accounting', () => {
  it('lines in = header + junk + records + rejected, and each line lands in the right bucket', () => {
    fc.assert(
      fc.property(fileArb, ({ preamble, body, footer, encoding, eol, finalEol }) => {
        const all: Line[] = [...preamble, { kind: 'preamble', text: HEADER } as Line, ...body, ...footer];
        const headerIndex = preamble.length;
        const text = all.map((l) => l.text.replaceAll('\n', eol)).join(eol) + (finalEol ? eol : '');
        const f = readInputFile(encode(text, encoding), 'gen.csv', { profiles: builtinProfiles() });

        // Where each generated line starts.
        const starts: number[] = [];
        let line = 1;
        for (const l of all) {
          starts.push(line);
          line += l.kind === 'good' || l.kind === 'bad' ? l.span : 1;
        }
        let physical = line - 1;
        // An empty last line without a line end after it is not a line at all.
        if (!finalEol && all.length - 1 > headerIndex && all[all.length - 1].text === '') physical--;

        const expectLines = (kind: Line['kind'] | Line['kind'][]) =>
          all.flatMap((l, i) => ((Array.isArray(kind) ? kind : [kind]).includes(l.kind) && i !== headerIndex && starts[i] <= physical ? [starts[i]] : []));

        expect(f.headerLine).toBe(headerIndex + 1);
        expect(f.records.map((r) => r.source.line)).toEqual(expectLines('good'));
        expect(f.rejected.map((r) => r.line)).toEqual(expectLines('bad'));
        expect(f.rejected.every((r) => (r.column === '交易金额' || r.column === '交易时间') && r.file === 'gen.csv')).toBe(true);
        expect(f.skipped.map((s) => s.line).sort((a, b) => a - b)).toEqual(expectLines(['preamble', 'footer', 'blank']));
        expect(f.records.map((r) => r.amount!.toFixed(2))).toEqual(body.flatMap((l) => (l.kind === 'good' ? [l.amount] : [])));

        const { total, header, skipped, records, rejected } = f.lines;
        expect(total).toBe(physical);
        expect(header + skipped + records + rejected).toBe(total);
      }),
      { numRuns: 400 },
    );
  });

  it('arbitrary text either reads with every line accounted for or fails as an input error, never a crash', () => {
    const cell = fc.oneof(
      fc.string({ maxLength: 8 }),
      fc.constantFrom('交易时间', '交易金额', '终端号', '参考号', '交易状态', '2025-04-17 10:00:00', '12.00', '合计', '#', '"', '""', '`', '="01"', '-', '\t'),
    );
    const row = fc.array(cell, { minLength: 1, maxLength: 7 }).map((cells) => cells.join(','));
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 12 }), fc.boolean(), (rows, withHeader) => {
        const text = (withHeader ? [HEADER, ...rows] : rows).join('\n');
        try {
          const f = readInputFile(new TextEncoder().encode(text), 'any.csv', { profiles: builtinProfiles() });
          const { total, header, skipped, records, rejected } = f.lines;
          expect(header + skipped + records + rejected).toBe(total);
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
          expect(e.message.split('\n')).toHaveLength(1);
          expect(e.message.startsWith('any.csv')).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});
