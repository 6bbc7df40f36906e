// Red-team round 2 for the columnar fast path: the scanner's newer features (quoted cells split
// honouring the quotes, cell unwrapping, split date/time columns), a non-generic profile that
// passes the fast path's eligibility (allinpay-pos), and contract features combined with quoted or
// padded id cells. Each scenario compares everything a user sees (JSON + table + CSV) with the
// reference pipeline's report. Helpers shared with round 1 live in ./support.ts.
import { describe, expect, it } from 'vitest';
import { readInputFile } from '../../src/read/readInput.js';
import { parseProfile, type Profile } from '../../src/profiles/profile.js';
import { loadContract, type Contract } from '../../src/contract/contract.js';
import { reconcile } from '../../src/reconcile.js';
import { reconcileColumnar } from '../../src/columnar/reconcileColumnar.js';
import gbk from '../support/gbk.js';
import { readFileSync } from 'node:fs';
import { profiles, calendar, shown, enc, columnar, firstDiff, expectSame, MERCHANT, T_HEAD, S_HEAD, yuan, feeOf, tLine, sLine, filler, anchors, files, base, spacer, type Input, type Outcome, type Tx, type Sx } from './support.js';

const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** Clean pairs the fast path proves (it must engage). */
function cleanPairsOf(t: Input, s: Input, contract: Contract, headBytes = 400): number {
  const out = columnar(t, s, contract, undefined, headBytes);
  if ('fallback' in out) throw new Error(out.fallback);
  return out.stats.cleanPairs;
}

/**
 * The same file without quotes: a delimiter inside quotes becomes ；, quotes go. Quoting must
 * not change which pairs are clean, so the plain file's clean count is the quoted one's.
 */
function plainOf(x: Input, delim = ','): Input {
  const lines = dec(x.bytes).split('\n').map((line) => {
    let out = '';
    let i = 0;
    let cellStart = true;
    while (i < line.length) {
      if (cellStart && line[i] === '"') {
        const close = line.indexOf('"', i + 1);
        if (close < 0) return line;
        out += line.slice(i + 1, close).split(delim).join('；');
        i = close + 1;
        cellStart = false;
        continue;
      }
      cellStart = line[i] === delim;
      out += line[i++];
    }
    return out;
  });
  return { name: x.name, bytes: enc(lines.join('\n')) };
}

/** The fast path must decline, with this reason. */
function expectFallback(t: Input, s: Input, contract: Contract, reason: string | RegExp, headBytes = 400): void {
  const out = columnar(t, s, contract, undefined, headBytes);
  expect('fallback' in out ? out.fallback : 'engaged').toMatch(reason);
}

// --- File builders (as in redteam.test.ts) ---------------------------------------------------

/** Column positions in T_HEAD / S_HEAD. */
const TC = { merchant: 0, term: 1, time: 2, type: 3, status: 4, cardNo: 5, card: 6, amount: 7, rrn: 8, trace: 9, oref: 10, otrace: 11 } as const;
const SC = { settle: 0, merchant: 1, term: 2, time: 3, type: 4, cardNo: 5, card: 6, amount: 7, fee: 8, net: 9, rrn: 10, trace: 11, memo: 12 } as const;

/** Replaces cells of a built line (cells hold no commas before this). */
function withCells(line: string, edits: Record<number, string>): string {
  const cells = line.split(',');
  for (const [k, v] of Object.entries(edits)) cells[Number(k)] = v;
  return cells.join(',');
}

/** Wraps the chosen cells (all when omitted) in double quotes. */
function quoted(line: string, which?: number[]): string {
  return line.split(',').map((c, i) => (!which || which.includes(i) ? `"${c}"` : c)).join(',');
}

/** Clean pairs of the plain filler/anchor files (the baseline the scenarios add to). */
const BASELINE_CLEAN = (() => {
  const f = files([], []);
  const out = columnar(f.t, f.s, base, undefined, 400);
  if ('fallback' in out) throw new Error(out.fallback);
  return out.stats.cleanPairs;
})();

/** `n` scenario pairs at 12:mm on 2025-10-14, terminal 10000002, RRNs 6000000010nn. */
function pairs(n: number, from = 0): { t: Tx[]; s: Sx[] } {
  const t: Tx[] = [];
  const s: Sx[] = [];
  for (let i = from; i < from + n; i++) {
    const x = { term: '10000002', time: `2025-10-14 12:${String(i).padStart(2, '0')}:00`, amount: 5000 + i * 7, rrn: String(600000001000 + i), trace: String(1000 + i), cardNo: '622848******7777' };
    t.push(x);
    s.push(x);
  }
  return { t, s };
}

describe('columnar red team 2: quoted cells', () => {
  it('baseline engages and proves pairs clean', () => {
    expect(BASELINE_CLEAN).toBeGreaterThan(5);
  });

  it('every cell quoted on both sides (clean pairs read from quoted rows)', () => {
    const p = pairs(5);
    const f = files(p.t.map((x) => quoted(tLine(x))), p.s.map((x) => quoted(sLine(x))));
    const o = expectSame('all quoted', f.t, f.s, base);
    expect(o.cleanPairs).toBeGreaterThanOrEqual(BASELINE_CLEAN + 4);
    expect(o.cleanPairs).toBe(cleanPairsOf(plainOf(f.t), plainOf(f.s), base));
  });

  it('quotes only on some cells (RRN, amount, time, memo)', () => {
    const p = pairs(5);
    const f = files(
      p.t.map((x, i) => quoted(tLine(x), [[TC.rrn], [TC.amount], [TC.time], [TC.merchant, TC.otrace], [TC.term, TC.status]][i])),
      p.s.map((x, i) => quoted(sLine(x), [[SC.rrn], [SC.fee, SC.net], [SC.memo], [SC.settle, SC.type], [SC.card]][i])),
    );
    const o = expectSame('some quoted', f.t, f.s, base);
    expect(o.cleanPairs).toBe(cleanPairsOf(plainOf(f.t), plainOf(f.s), base));
  });

  it('quoted memo cells holding the delimiter (and a deduction word after the comma)', () => {
    const p = pairs(4);
    const f = files(
      p.t.map(tLine),
      [
        ...p.s.map((x, i) => sLine({ ...x, memo: ['"备注,含逗号"', '",,"', '"a,b,c,d"', '"正常,服务费"'][i] })),
        '2025-10-15,898310058120001,10000002,,其他,,,0.00,0.00,-10.00,,,"说明,服务费"',
      ],
    );
    const o = expectSame('memo with delimiter', f.t, f.s, base);
    expect(o.cleanPairs).toBe(cleanPairsOf(plainOf(f.t), plainOf(f.s), base));
  });

  it('quoted empty cells ("") for optional ids, fee and net', () => {
    const p = pairs(4);
    const f = files(
      p.t.map((x) => withCells(tLine(x), { [TC.oref]: '""', [TC.otrace]: '""', [TC.trace]: '""' })),
      p.s.map((x, i) => withCells(sLine(x), i < 2 ? { [SC.memo]: '""', [SC.trace]: '""' } : { [SC.fee]: '""', [SC.net]: '""' })),
    );
    const o = expectSame('quoted empty', f.t, f.s, base);
    expect(o.cleanPairs).toBe(cleanPairsOf(plainOf(f.t), plainOf(f.s), base));
  });

  it('quoted empty RRN, quoted all-zero RRN, quoted RRN with leading zeros', () => {
    const f = files(
      [
        withCells(tLine({ time: '2025-10-14 12:00:00', amount: 5000, rrn: '' }), { [TC.rrn]: '""', [TC.trace]: '000001' }),
        withCells(tLine({ time: '2025-10-14 12:01:00', amount: 5001, rrn: '' }), { [TC.rrn]: '"000000000000"', [TC.trace]: '000002' }),
        withCells(tLine({ time: '2025-10-14 12:02:00', amount: 5002, rrn: '' }), { [TC.rrn]: '"0600000000030"' }),
        withCells(tLine({ time: '2025-10-14 12:03:00', amount: 5003, rrn: '' }), { [TC.rrn]: '"0600000000031"' }),
        ...spacer.t,
      ],
      [
        sLine({ time: '2025-10-14 12:00:00', amount: 5000, rrn: '', trace: '000001' }),
        sLine({ time: '2025-10-14 12:01:00', amount: 5001, rrn: '000000000000', trace: '2' }),
        sLine({ time: '2025-10-14 12:02:00', amount: 5002, rrn: '600000000030' }),
        withCells(sLine({ time: '2025-10-14 12:03:00', amount: 5003, rrn: '' }), { [SC.rrn]: '"0600000000031"' }),
        ...spacer.s,
      ],
    );
    expectSame('quoted rrn forms', f.t, f.s, base);
  });

  it('spaces and tabs inside quotes around ids and amounts', () => {
    const p = pairs(5);
    const f = files(
      p.t.map((x, i) => withCells(tLine(x), [
        { [TC.rrn]: `" ${x.rrn} "` },
        { [TC.amount]: `"\t${yuan(x.amount)}\t"` },
        { [TC.term]: '"  10000002"', [TC.merchant]: `"${MERCHANT}  "` },
        { [TC.time]: `" ${x.time} "` },
        { [TC.type]: '" 消费 "', [TC.status]: '"\t成功"' },
      ][i])),
      p.s.map((x, i) => withCells(sLine(x), [
        { [SC.rrn]: `"\t${x.rrn}"` },
        { [SC.fee]: `" ${yuan(feeOf(x.amount, '借记卡'))}"` },
        { [SC.settle]: '" 2025-10-15 "' },
        { [SC.card]: '"  借记卡  "' },
        { [SC.net]: `"${yuan(x.amount - feeOf(x.amount, '借记卡'))} "` },
      ][i])),
    );
    const o = expectSame('padded quoted cells', f.t, f.s, base);
    expect(o.cleanPairs).toBe(cleanPairsOf(plainOf(f.t), plainOf(f.s), base));
  });

  it('quoted amounts with a thousands separator ("1,234.56") and a currency sign', () => {
    const f = files(
      [
        withCells(tLine({ time: '2025-10-14 12:00:00', amount: 123456, rrn: '600000000200' }), { [TC.amount]: '"1,234.56"' }),
        withCells(tLine({ time: '2025-10-14 12:01:00', amount: 123457, rrn: '600000000201' }), { [TC.amount]: '"¥1,234.57"' }),
        ...spacer.t,
      ],
      [
        sLine({ time: '2025-10-14 12:00:00', amount: 123456, rrn: '600000000200' }),
        withCells(sLine({ time: '2025-10-14 12:01:00', amount: 123457, rrn: '600000000201' }), { [SC.amount]: '"1,234.57"', [SC.net]: '"1,228.40"' }),
        ...spacer.s,
      ],
    );
    expectSame('thousands separators', f.t, f.s, base);
  });

  it('a doubled quote inside a quoted memo ("" escape) makes the row the reference reader\'s', () => {
    const p = pairs(3);
    const f = files(
      p.t.map(tLine),
      p.s.map((x, i) => sLine({ ...x, memo: ['"他说""好"""', '""""', '"a""b,服务费"'][i] })),
    );
    expectSame('doubled quotes', f.t, f.s, base);
  });

  it('quotes that are literal (not at a cell start): ab"c, 10"寸, a cell ending in a quote', () => {
    const p = pairs(3);
    const f = files(
      p.t.map(tLine),
      p.s.map((x, i) => sLine({ ...x, memo: ['ab"c', '10"寸', 'x"'][i] })),
    );
    const o = expectSame('literal quotes', f.t, f.s, base);
    expect(o.cleanPairs).toBe(cleanPairsOf(plainOf(f.t), plainOf(f.s), base));
  });

  it('a closing quote followed by text ("abc"def) after the head: falls back for the whole file', () => {
    const p = pairs(2);
    const f = files(p.t.map(tLine), p.s.map((x, i) => sLine({ ...x, memo: i === 0 ? '"abc"def' : '' })));
    expectSame('quote then text', f.t, f.s, base, { mayFallBack: true });
    expectFallback(f.t, f.s, base, /quoted cell spanning lines \(or quotes the scan does not follow\)/);
  });

  it('a quoted cell followed by spaces before the delimiter: falls back', () => {
    const p = pairs(2);
    const f = files(p.t.map((x, i) => (i === 0 ? withCells(tLine(x), { [TC.rrn]: `"${x.rrn}"  ` }) : tLine(x))), p.s.map(sLine));
    expectSame('quote then spaces', f.t, f.s, base, { mayFallBack: true });
    expectFallback(f.t, f.s, base, /quotes the scan does not follow/);
  });

  it('lines ending with a delimiter (header too; and a quoted last cell before it)', () => {
    const p = pairs(4);
    const plain = files(p.t.map(tLine), p.s.map(sLine));
    const trailing = (x: Input): Input => ({ name: x.name, bytes: enc(dec(x.bytes).replace(/\n/g, ',\n')) });
    const o = expectSame('trailing delimiter everywhere', trailing(plain.t), trailing(plain.s), base);
    expect(o.cleanPairs).toBe(cleanPairsOf(plain.t, plain.s, base));
    // The same with the scenario rows quoted before the trailing delimiter.
    const q = files(p.t.map((x) => quoted(tLine(x))), p.s.map((x) => quoted(sLine(x), [SC.memo, SC.rrn])));
    const oq = expectSame('trailing delimiter after quotes', trailing(q.t), trailing(q.s), base);
    expect(oq.cleanPairs).toBe(o.cleanPairs);
    // Only the scenario rows end with the delimiter: one cell more than the header.
    const some = files(p.t.map((x) => `${tLine(x)},`), p.s.map((x, i) => `${i === 2 ? quoted(sLine(x), [SC.memo]) : sLine(x)},`));
    expectSame('trailing delimiter on some rows', some.t, some.s, base);
  });

  it('a trailing delimiter only on data rows (one filled or empty extra cell)', () => {
    const p = pairs(4);
    const f = files(p.t.map((x, i) => (i % 2 ? `${tLine(x)},` : `${quoted(tLine(x))},""`)), p.s.map((x, i) => (i === 0 ? `${sLine(x)},extra` : `${sLine(x)},`)));
    expectSame('extra cells', f.t, f.s, base);
  });

  it('quoted cells in GBK, CRLF', () => {
    const p = pairs(4);
    const f = files(
      p.t.map((x, i) => (i % 2 ? quoted(tLine(x)) : quoted(tLine(x), [TC.type, TC.status, TC.card]))),
      p.s.map((x, i) => quoted(sLine({ ...x, memo: i === 1 ? '东,西' : '备注' }), [SC.card, SC.memo, SC.type])),
      { eol: '\r\n' },
    );
    const g = (x: Input): Input => ({ name: x.name, bytes: gbk.encodeGbk(dec(x.bytes)) });
    const o = expectSame('gbk quoted', g(f.t), g(f.s), base);
    expect(o.cleanPairs).toBe(cleanPairsOf(plainOf(f.t), plainOf(f.s), base));
  });

  it('tab-delimited with quoted cells holding a tab and a comma', () => {
    const p = pairs(4);
    const tab = (line: string) => line.split(',').join('\t');
    const memos = ['"a\tb"', '"x,y"', '" "', '""'];
    const a = filler(6, 0);
    const b = filler(6, 6);
    const tText = [tab(T_HEAD), ...a.t.map(tab), ...p.t.map((x) => tab(tLine(x))), ...b.t.map(tab)].join('\n') + '\n';
    const sText = [tab(S_HEAD), ...a.s.map(tab), ...p.s.map((x, i) => tab(sLine(x)) + memos[i]), ...b.s.map(tab)].join('\n') + '\n';
    const o = expectSame('tab quoted', { name: 't.tsv', bytes: enc(tText) }, { name: 's.tsv', bytes: enc(sText) }, base);
    expect(o.cleanPairs).toBeGreaterThanOrEqual(8);
  });

  it('a quoted header falls back', () => {
    const f = files([], [], { tHead: quoted(T_HEAD) });
    expectFallback(f.t, f.s, base, 'quoted header');
  });

  it('an unclosed quote on the last line of the file: falls back', () => {
    const f = files([], [], { sTail: ['"合计,共16笔'] });
    expectSame('unclosed quote at the end', f.t, f.s, base, { mayFallBack: true });
    expectFallback(f.t, f.s, base, /quoted cell spanning lines/);
  });

  it('quoted repeated header and quoted footer lines mid-file', () => {
    const p = pairs(3);
    const f = files(
      [tLine(p.t[0]), quoted(T_HEAD), quoted(tLine(p.t[1])), '"合计","共2笔"', quoted(tLine(p.t[2]))],
      [sLine(p.s[0]), quoted(S_HEAD), sLine(p.s[1]), quoted('本页合计,,,,,,,100.07,0.50,99.57,,,'), sLine(p.s[2])],
      { tTail: ['"合计","共17笔"'], sTail: ['"总笔数: 18"'] },
    );
    // Two count footers in one file are page subtotals or a grand total, each checked over its
    // own stretch of lines: the fast path leaves such files to the reference engine.
    expectSame('quoted headers and footers', f.t, f.s, base, { mayFallBack: true });
  });

  it('quoted words that make a row a cancellation, a failure or a deduction', () => {
    const f = files(
      [
        quoted(tLine({ time: '2025-10-14 12:00:00', amount: 5000, rrn: '600000000300', trace: '000300' })),
        quoted(tLine({ time: '2025-10-14 12:30:00', amount: 5000, rrn: '600000000301', trace: '000301', type: '消费撤销', oref: '600000000300' })),
        quoted(tLine({ time: '2025-10-14 13:00:00', amount: 6000, rrn: '600000000302', trace: '000302', status: '交易失败' })),
        ...spacer.t,
        quoted(tLine({ time: '2025-10-14 13:05:00', amount: 6000, rrn: '600000000303', trace: '000303' })),
      ],
      [
        quoted(sLine({ time: '2025-10-14 12:00:00', amount: 5000, rrn: '600000000300', trace: '000300' })),
        quoted(sLine({ time: '2025-10-14 13:00:00', amount: 6000, rrn: '600000000302', trace: '000302' })),
        ...spacer.s,
        quoted(sLine({ time: '2025-10-14 13:05:00', amount: 6000, rrn: '600000000303', trace: '000303' })),
        quoted('2025-10-15,898310058120001,10000002,,押金,,,0.00,0.00,-99.00,,,首刷押金'),
      ],
    );
    expectSame('quoted cancellations', f.t, f.s, base);
  });
});

describe('columnar red team 2: cell unwrapping', () => {
  it('RRN wrappers: ="…", backtick, nested (` ="…", ="`…"), three and four deep, padded, with tabs', () => {
    const p = pairs(10);
    const rrn = (x: Tx, i: number) => [
      `="${x.rrn}"`, `\`${x.rrn}`, `\` ="${x.rrn}"`, `="\`${x.rrn}"`, `\`\`="${x.rrn}"`, `\`\`\`\`${x.rrn}`,
      ` ="${x.rrn}" `, `=" ${x.rrn} "`, `\t\`\t${x.rrn}`, `="\t${x.rrn}"`,
    ][i];
    const f = files(p.t.map((x, i) => withCells(tLine(x), { [TC.rrn]: rrn(x, i) })), p.s.map((x, i) => withCells(sLine(x), { [SC.rrn]: rrn(x, 9 - i) })));
    const o = expectSame('rrn wrappers', f.t, f.s, base);
    expect(o.cleanPairs).toBeGreaterThan(BASELINE_CLEAN);
  });

  it('="…" not unwrapped by the scan: = "…" (space), ="…" with a quote inside, =" alone, ="abc (unclosed)', () => {
    const p = pairs(4);
    const cell = ['= "600000001000"', '="6000000010""01"', '="', '="600000001003'];
    const f = files(p.t.map((x, i) => withCells(tLine(x), { [TC.rrn]: cell[i] })), p.s.map(sLine));
    expectSame('not unwrapped', f.t, f.s, base);
  });

  it("apostrophe text markers: '0123 RRN, '50.00 amount, 'abc memo, '10000002 terminal", () => {
    const p = pairs(4);
    const f = files(
      p.t.map((x, i) => withCells(tLine(x), [{ [TC.rrn]: `'${x.rrn}` }, { [TC.amount]: `'${yuan(x.amount)}` }, { [TC.term]: "'10000002" }, { [TC.trace]: `'${x.trace}` }][i])),
      p.s.map((x, i) => withCells(sLine(x), [{ [SC.memo]: "'abc" }, { [SC.rrn]: `'0${x.rrn}` }, { [SC.term]: "'10000002" }, { [SC.fee]: "'0" }][i])),
    );
    expectSame('apostrophes', f.t, f.s, base);
  });

  it('NBSP and ideographic spaces (U+00A0, U+3000) around digits in every kind of column', () => {
    const p = pairs(8);
    const nb = '\u00a0';
    const id = '\u3000';
    const f = files(
      p.t.map((x, i) => withCells(tLine(x), [
        { [TC.rrn]: `${nb}${x.rrn}` }, { [TC.amount]: `${yuan(x.amount)}${id}` }, { [TC.term]: `${id}10000002` }, { [TC.merchant]: `${MERCHANT}${nb}` },
        { [TC.time]: `${x.time}${nb}` }, { [TC.trace]: `${id}${x.trace}` }, { [TC.status]: `${id}成功${id}` }, { [TC.card]: `${nb}借记卡` },
      ][i])),
      p.s.map((x, i) => withCells(sLine(x), [
        { [SC.fee]: `${nb}0.25` }, { [SC.net]: `${id}${yuan(x.amount - feeOf(x.amount, '借记卡'))}` }, { [SC.settle]: `2025-10-15${nb}` }, { [SC.term]: `10000002${id}` },
        { [SC.rrn]: `${x.rrn}${id}` }, { [SC.merchant]: `${nb}${MERCHANT}` }, { [SC.type]: `${nb}消费` }, { [SC.memo]: `${id}` },
      ][i])),
    );
    expectSame('nbsp', f.t, f.s, base);
  });

  it('cells that unwrap to nothing: only spaces, ="", =" ", a lone backtick, in fee, net, trace, RRN, terminal', () => {
    const p = pairs(6);
    const empty = ['   ', '=""', '=" "', '`', '\t', '` =""'];
    const f = files(
      p.t.map((x, i) => withCells(tLine(x), i < 3 ? { [TC.trace]: empty[i], [TC.oref]: empty[5 - i] } : { [TC.term]: empty[i] })),
      p.s.map((x, i) => withCells(sLine(x), i % 2 ? { [SC.fee]: empty[i], [SC.net]: empty[5 - i] } : { [SC.memo]: empty[i], [SC.trace]: empty[i], [SC.term]: empty[5 - i] })),
    );
    const o = expectSame('empty wrappers', f.t, f.s, base);
    expect(o.cleanPairs).toBeGreaterThan(BASELINE_CLEAN);
    // RRN cells that are empty after unwrapping: no key, never clean.
    const q = files(p.t.map((x, i) => withCells(tLine(x), { [TC.rrn]: empty[i] })), p.s.map(sLine));
    expectSame('empty rrn wrappers', q.t, q.s, base);
  });

  it('placeholders in used columns: -, --, *, /, N/A, null, 无 in fee, net, terminal, merchant, memo, trace', () => {
    const p = pairs(7);
    const ph = ['-', '--', '*', '/', 'N/A', 'null', '无'];
    const f = files(
      p.t.map((x, i) => withCells(tLine(x), i % 2 ? { [TC.merchant]: ph[i] } : { [TC.trace]: ph[i], [TC.otrace]: ph[6 - i] })),
      p.s.map((x, i) => withCells(sLine(x), [{ [SC.fee]: ph[i], [SC.net]: ph[i] }, { [SC.term]: ph[i] }, { [SC.memo]: ph[i] }][i % 3])),
    );
    expectSame('placeholders', f.t, f.s, base);
  });

  it('wrapped amounts and dates: ="50.00", `2025-10-14 12:00:00, ="2025-10-15", full-width digits', () => {
    const p = pairs(5);
    const f = files(
      p.t.map((x, i) => withCells(tLine(x), [{ [TC.amount]: `="${yuan(x.amount)}"` }, { [TC.time]: `\`${x.time}` }, { [TC.time]: `="${x.time}"` }, { [TC.amount]: '５０.２１' }, { [TC.time]: x.time.replace(/1/g, '１') }][i])),
      p.s.map((x, i) => withCells(sLine(x), [{ [SC.settle]: '="2025-10-15"' }, { [SC.fee]: '="0.25"', [SC.net]: `\`${yuan(x.amount - 25)}` }, { [SC.time]: `="${x.time}"` }, {}, {}][i])),
    );
    expectSame('wrapped amounts and dates', f.t, f.s, base);
  });

  it('merchant and terminal ids printed in different wrappers on different rows (one terminal, two spellings)', () => {
    // 首刷 (each terminal's first settlement line) and the fee-by-terminal table key on the
    // terminal id's value, the scan interns byte slices: '10000005 and 10000005 are one terminal.
    const f = files(
      [
        tLine({ time: '2025-10-14 12:00:00', amount: 500000, rrn: '600000000400', term: '10000005' }),
        tLine({ time: '2025-10-14 12:01:00', amount: 500001, rrn: '600000000401', term: '10000005' }),
        tLine({ time: '2025-10-14 12:02:00', amount: 500002, rrn: '600000000402', term: '10000005' }),
        tLine({ time: '2025-10-14 12:03:00', amount: 500003, rrn: '600000000403', term: '10000005' }),
      ],
      [
        withCells(sLine({ time: '2025-10-14 12:01:00', amount: 500001, rrn: '600000000401', term: '10000005', fee: 5000 }), { [SC.term]: "'10000005", [SC.merchant]: `\u3000${MERCHANT}` }),
        withCells(sLine({ time: '2025-10-14 12:00:00', amount: 500000, rrn: '600000000400', term: '10000005' }), { [SC.term]: '\u00a010000005' }),
        withCells(sLine({ time: '2025-10-14 12:02:00', amount: 500002, rrn: '600000000402', term: '10000005' }), { [SC.term]: '１００００００５' }),
        sLine({ time: '2025-10-14 12:03:00', amount: 500003, rrn: '600000000403', term: '10000005' }),
        '2025-10-15,898310058120001,"10000005",,押金,,,0.00,0.00,-99.00,,,首刷押金',
      ],
    );
    expectSame('terminal spellings', f.t, f.s, base);
  });
});

// --- Split date and time columns (交易日期 + 交易时间) ------------------------------------------

const T_HEAD_SPLIT = T_HEAD.replace('交易时间', '交易日期,交易时间') + ',币种';
const S_HEAD_SPLIT = S_HEAD.replace('交易时间', '交易日期,交易时间') + ',币种';

/** A built line with its time cell split into date and time cells (given explicitly or from the timestamp), plus a currency. */
function split(line: string, col: number, o: { date?: string; time?: string; currency?: string } = {}): string {
  const cells = line.split(',');
  const ts = cells[col];
  const date = o.date ?? (ts.length >= 10 ? ts.slice(0, 10) : '');
  const time = o.time ?? (ts.length > 11 ? ts.slice(11) : '');
  cells.splice(col, 1, date, time);
  return [...cells, o.currency ?? 'CNY'].join(',');
}

/** Files with split date/time columns; the filler and anchors are split too. */
function splitFiles(t: string[], s: string[], o: { tTail?: string[]; sTail?: string[] } = {}): { t: Input; s: Input } {
  const a = filler(6, 0);
  const an = anchors();
  const b = filler(6, 6);
  const st = (l: string) => split(l, TC.time);
  const ss = (l: string) => split(l, SC.time);
  const tText = [T_HEAD_SPLIT, ...a.t.map(st), ...an.t.map(st), ...t, ...b.t.map(st), ...(o.tTail ?? [])].join('\n') + '\n';
  const sText = [S_HEAD_SPLIT, ...a.s.map(ss), ...an.s.map(ss), ...s, ...b.s.map(ss), ...(o.sTail ?? [])].join('\n') + '\n';
  return { t: { name: 'terminal.csv', bytes: enc(tText) }, s: { name: 'settlement.csv', bytes: enc(sText) } };
}

describe('columnar red team 2: split date and time columns', () => {
  it('交易日期 + 交易时间 HH:MM:SS on both sides, 币种 CNY and USD', () => {
    const p = pairs(6);
    const f = splitFiles(p.t.map((x, i) => split(tLine(x), TC.time, { currency: i % 2 ? 'USD' : 'CNY' })), p.s.map((x, i) => split(sLine(x), SC.time, { currency: i % 3 ? '' : 'USD' })));
    const o = expectSame('split basic', f.t, f.s, base);
    const plain = files(p.t.map(tLine), p.s.map(sLine));
    expect(o.cleanPairs).toBe(cleanPairsOf(plain.t, plain.s, base));
  });

  it('a full timestamp in the time column while the date column holds another date (either side, either way)', () => {
    const p = pairs(4);
    const f = splitFiles(
      p.t.map((x, i) => split(tLine(x), TC.time, i % 2 ? { date: '2025-10-13', time: x.time } : {})),
      p.s.map((x, i) => split(sLine(x), SC.time, i >= 2 ? { date: '2025-10-16', time: x.time } : {})),
    );
    expectSame('full time wins', f.t, f.s, base);
  });

  it('a full timestamp in the time column near a cut-off, the date column saying the next day', () => {
    const f = splitFiles(
      [
        split(tLine({ time: '2025-10-14 23:30:00', amount: 5000, rrn: '600000000500', term: '10000002' }), TC.time, { date: '2025-10-15', time: '2025-10-14 23:30:00' }),
        split(tLine({ time: '2025-10-14 22:59:59', amount: 5001, rrn: '600000000501', term: '10000002' }), TC.time),
      ],
      [
        split(sLine({ time: '2025-10-14 23:30:00', amount: 5000, rrn: '600000000500', term: '10000002' }), SC.time),
        split(sLine({ time: '2025-10-14 22:59:59', amount: 5001, rrn: '600000000501', term: '10000002' }), SC.time, { date: '2025-10-13', time: '2025-10-14 22:59:59' }),
      ],
    );
    expectSame('full time near cut-off', f.t, f.s, base);
    expectSame('full time near cut-off, as-of', f.t, f.s, base, { asOf: '2025-10-15' });
  });

  it('time without seconds (HH:MM), compact time (HHMMSS), H:MM:SS', () => {
    const p = pairs(3);
    const f = splitFiles(
      p.t.map((x, i) => split(tLine(x), TC.time, { time: [x.time.slice(11, 16), x.time.slice(11).replace(/:/g, ''), x.time.slice(12)][i] })),
      p.s.map((x) => split(sLine(x), SC.time)),
    );
    expectSame('time forms', f.t, f.s, base);
  });

  it('date forms: 2025/10/14, 20251014, 2025.10.14, 2025-1-4 style, 2025年10月14日', () => {
    const p = pairs(5);
    const dates = ['2025/10/14', '20251014', '2025.10.14', '2025-10-4', '2025年10月14日'];
    const f = splitFiles(p.t.map((x, i) => split(tLine(x), TC.time, { date: dates[i] })), p.s.map((x, i) => split(sLine(x), SC.time, { date: dates[4 - i] })));
    expectSame('date forms', f.t, f.s, base);
  });

  it('empty date with a full time; empty date with HH:MM:SS; date without time; both empty', () => {
    const p = pairs(4);
    const f = splitFiles(
      [
        ...p.t.map((x, i) => split(tLine(x), TC.time, [{ date: '', time: x.time }, { date: '' }, { time: '' }, { date: '', time: '' }][i])),
        ...spacer.t.map((l) => split(l, TC.time)),
      ],
      [
        ...p.s.map((x, i) => split(sLine(x), SC.time, [{ date: '' }, { date: '', time: x.time }, { date: '', time: '' }, { time: '' }][i])),
        ...spacer.s.map((l) => split(l, SC.time)),
      ],
    );
    expectSame('empty date or time', f.t, f.s, base);
  });

  it('a date-only settlement line (split columns) near a clean sale of the same amount: possible double charge', () => {
    const f = splitFiles(
      [split(tLine({ time: '2025-10-14 00:10:00', amount: 5000, rrn: '600000000600', term: '10000002' }), TC.time)],
      [
        split(sLine({ time: '2025-10-14 00:10:00', amount: 5000, rrn: '600000000600', term: '10000002' }), SC.time),
        split(sLine({ time: '2025-10-14 00:00:00', amount: 5000, rrn: '600000000601', term: '10000002' }), SC.time, { time: '' }),
      ],
    );
    expectSame('date-only split retry', f.t, f.s, base);
  });

  it('impossible times and dates in split columns (24:00:00, 12:60:00, 2025-02-29, 2025-13-01)', () => {
    const p = pairs(4);
    const f = splitFiles(
      [...p.t.map((x, i) => split(tLine(x), TC.time, [{ time: '24:00:00' }, { time: '12:60:00' }, { date: '2025-02-29' }, { date: '2025-13-01' }][i])), ...spacer.t.map((l) => split(l, TC.time))],
      [...p.s.map((x) => split(sLine(x), SC.time)), ...spacer.s.map((l) => split(l, SC.time))],
    );
    expectSame('impossible split', f.t, f.s, base);
  });

  it('a date column holding a full timestamp next to a time column (agreeing and not)', () => {
    const p = pairs(3);
    const f = splitFiles(
      p.t.map((x, i) => split(tLine(x), TC.time, [{ date: x.time }, { date: x.time.slice(0, 11) + '08:00:00' }, { date: x.time, time: '' }][i])),
      p.s.map((x) => split(sLine(x), SC.time)),
    );
    expectSame('date column with time', f.t, f.s, base);
  });

  it('wrapped and quoted split cells: "2025-10-14","12:00:00", ="12:00:00", `2025-10-14, padded', () => {
    const p = pairs(4);
    const f = splitFiles(
      p.t.map((x, i) => split(tLine(x), TC.time, [{ date: '"2025-10-14"', time: `"${x.time.slice(11)}"` }, { time: `="${x.time.slice(11)}"` }, { date: '`2025-10-14' }, { date: ' 2025-10-14 ', time: ` ${x.time.slice(11)}\t` }][i])),
      p.s.map((x, i) => split(sLine(x), SC.time, [{}, { date: '"2025-10-14"' }, { time: `"${x.time}"` }, { date: '="2025-10-14"' }][i])),
    );
    const o = expectSame('wrapped split cells', f.t, f.s, base);
    const plain = files(p.t.map(tLine), p.s.map(sLine));
    expect(o.cleanPairs).toBe(cleanPairsOf(plain.t, plain.s, base));
  });

  it('split columns with dated fee rules across the cut-off (23:00:00 exactly)', () => {
    const c = loadContract(`settlement: { cycle: T+1, cutoff: "23:00" }
fees:
  rules:
    - when: { cardType: debit }
      until: 2025-10-14
      rate: "0.50%"
    - when: { cardType: debit }
      from: 2025-10-15
      rate: "0.60%"
`, 'c.yaml');
    const rows: Tx[] = [];
    const sRows: Sx[] = [];
    ['2025-10-14 22:59:59', '2025-10-14 23:00:00', '2025-10-14 23:59:59', '2025-10-15 00:00:00'].forEach((time, i) => {
      for (const rate of [50, 60]) {
        const amount = 10001 + i * 10 + rate;
        const x = { time, amount, rrn: String(600000000700 + i * 2 + (rate === 60 ? 1 : 0)), term: '10000002' };
        rows.push(x);
        sRows.push({ ...x, fee: Math.floor((amount * rate + 5000) / 10000) });
      }
    });
    const f = splitFiles(rows.map((x) => split(tLine(x), TC.time)), sRows.map((x) => split(sLine(x), SC.time)));
    expectSame('split cut-off', f.t, f.s, c);
  });
});

// --- allinpay-pos (通联 POS 对账单): a channel profile that passes the fast path's eligibility ---

const A_HEAD = '商户号,门店名称,终端号,交易时间,交易类型,交易批次号,凭证号,参考号,卡号,卡类别,发卡行机构代码,发卡行名称,交易金额,手续费,交易日期,交易单号,订单号,清算日期,结算金额,备注';
const A_PREAMBLE = ['通联支付POS交易对账单', '商户名称：示例便利店（演示）', '清算日期：2025-10-09'];

interface Ax {
  term?: string;
  date: string;
  time: string;
  type?: string;
  card?: string;
  amount: number;
  fee?: number;
  rrn: string;
  trace: string;
  order?: string;
  memo?: string;
  settle?: string;
  merchant?: string;
}

function aLine(x: Ax): string {
  const card = x.card ?? '借记卡';
  const fee = x.fee ?? feeOf(Math.abs(x.amount), card) * Math.sign(x.amount);
  return [
    x.merchant ?? MERCHANT, '示例便利店', x.term ?? '10000001', x.time, x.type ?? '消费', '000002', x.trace, x.rrn, card === '微信' ? '' : '622848******6666', card,
    card === '微信' ? '' : '01030000', card === '微信' ? '' : '农业银行', yuan(x.amount), yuan(fee), x.date, `TL${x.rrn}`, x.order ?? '', x.settle ?? '2025-10-09', yuan(x.amount - fee), x.memo ?? '',
  ].join(',');
}

/** A generic terminal export and an allinpay-pos settlement statement (GBK, CRLF, preamble, footer) for the same sales. */
function allinpayFiles(extraT: string[] = [], extraA: string[] = [], o: { quote?: boolean; utf8?: boolean } = {}): { t: Input; s: Input } {
  const t: string[] = [T_HEAD];
  const a: string[] = [...A_PREAMBLE, A_HEAD];
  const cards = ['借记卡', '贷记卡', '微信'];
  let total = 0;
  let count = 0;
  for (let i = 0; i < 24; i++) {
    const card = cards[i % 3];
    const amount = 10001 + i * 1357;
    const time = `2025-10-08 ${String(9 + Math.floor(i / 4)).padStart(2, '0')}:${String((i % 4) * 13).padStart(2, '0')}:07`;
    const rrn = String(100000000100 + i);
    const trace = String(110 + i).padStart(6, '0');
    t.push(tLine({ term: `1000000${1 + (i % 2)}`, time, amount, rrn, trace, card, type: card === '微信' ? '扫码支付' : '消费', cardNo: card === '微信' ? '' : '622848******6666' }));
    const line = aLine({ term: `1000000${1 + (i % 2)}`, date: time.slice(0, 10), time: time.slice(11), amount, rrn, trace, card, type: card === '微信' ? '扫码支付' : '消费', order: card === '微信' ? `W20251008${rrn}` : '' });
    a.push(o.quote && i % 2 ? quoted(line) : line);
    total += amount;
    count++;
  }
  t.push(...extraT);
  a.push(...extraA);
  a.push(`合计,,,,,,,,,,,,${yuan(total)},,,,,,,`, `总笔数：${count + extraA.length}`);
  const tText = t.join('\n') + '\n';
  const aText = a.join('\r\n') + '\r\n';
  return { t: { name: 'terminal.csv', bytes: enc(tText) }, s: { name: 'allinpay-pos-duizhangdan-20251009.csv', bytes: o.utf8 ? enc(aText) : gbk.encodeGbk(aText) } };
}

describe('columnar red team 2: allinpay-pos settlement statements', () => {
  it('the fixture reads as allinpay-pos and the built statement does too', () => {
    const fixture = readFileSync('fixtures/channels/allinpay-pos-duizhangdan-20251009.csv');
    expect(readInputFile(fixture, 'x.csv', { profiles, role: 'settlement' }).profile.name).toBe('allinpay-pos');
    const f = allinpayFiles();
    const parsed = readInputFile(f.s.bytes, f.s.name, { profiles, role: 'settlement' });
    expect(parsed.profile.name).toBe('allinpay-pos');
    expect(parsed.records.length).toBe(24);
  });

  it('clean pairs against a GBK statement with preamble and footer', () => {
    const f = allinpayFiles();
    for (const headBytes of [500, 800, 1500]) {
      const o = expectSame(`allinpay ${headBytes}`, f.t, f.s, base, { headBytes });
      expect(o.cleanPairs).toBeGreaterThan(5);
    }
    expectSame('allinpay as-of', f.t, f.s, base, { headBytes: 600, asOf: '2025-10-20' });
  });

  it('UTF-8 statement with quoted rows', () => {
    const f = allinpayFiles([], [], { quote: true, utf8: true });
    const o = expectSame('allinpay quoted', f.t, f.s, base, { headBytes: 700 });
    expect(o.cleanPairs).toBeGreaterThan(5);
  });

  it('faults in the statement: refund (退货), fee off contract, missing sale, a line with no terminal row, a 首刷 charge, 押金', () => {
    const extraT = [
      tLine({ term: '10000003', time: '2025-10-08 20:11:58', amount: 20000, rrn: '100000000200', trace: '000200', card: '贷记卡' }),
      tLine({ term: '10000003', time: '2025-10-08 20:30:00', amount: 20000, rrn: '100000000201', trace: '000201', card: '贷记卡', type: '退货', oref: '100000000200' }),
      tLine({ term: '10000003', time: '2025-10-08 21:00:00', amount: 30000, rrn: '100000000202', trace: '000202', card: '借记卡' }),
      tLine({ term: '10000004', time: '2025-10-08 06:00:00', amount: 500000, rrn: '100000000203', trace: '000203', card: '借记卡' }),
      tLine({ term: '10000003', time: '2025-10-08 21:10:00', amount: 40000, rrn: '100000000205', trace: '000205', card: '借记卡', status: '交易失败' }),
    ];
    const extraA = [
      aLine({ term: '10000003', date: '2025-10-08', time: '20:11:58', amount: 20000, rrn: '100000000200', trace: '000200', card: '贷记卡' }),
      aLine({ term: '10000003', date: '2025-10-08', time: '20:30:00', amount: -20000, rrn: '100000000201', trace: '000201', card: '贷记卡', type: '退货', memo: '原参考号100000000200' }),
      aLine({ term: '10000004', date: '2025-10-08', time: '06:00:00', amount: 500000, fee: 5000, rrn: '100000000203', trace: '000203' }),
      aLine({ term: '10000003', date: '2025-10-08', time: '21:12:00', amount: 40000, rrn: '100000000204', trace: '000204' }),
      `${MERCHANT},示例便利店,10000004,,押金,,,,,,,,0.00,0.00,,,,2025-10-09,-99.00,首刷押金`,
    ];
    const f = allinpayFiles(extraT, extraA);
    expectSame('allinpay faults', f.t, f.s, base, { headBytes: 600 });
  });
});

// --- Contract features with quoted or padded id cells --------------------------------------

describe('columnar red team 2: contract features', () => {
  it('fee rules by terminal, merchant and channel, ids quoted / padded / wrapped', () => {
    const c = loadContract(`settlement: { cycle: T+1, cutoff: "23:00" }
fees:
  rules:
    - when: { cardType: debit, terminalId: "10000002" }
      rate: "0.45%"
    - when: { cardType: debit, merchantId: "898310058120002" }
      rate: "0.40%"
    - when: { cardType: qr, channel: 微信 }
      rate: "0.30%"
    - when: { cardType: debit }
      rate: "0.50%"
      cap: "20.00"
    - when: { cardType: [credit, qr] }
      rate: "0.60%"
`, 'c.yaml');
    const fee = (amount: number, rate: number) => Math.floor((amount * rate + 5000) / 10000);
    const rows: { t: string; s: string }[] = [];
    const wraps = [(v: string) => `"${v}"`, (v: string) => ` ${v} `, (v: string) => `="${v}"`, (v: string) => `\`${v}`, (v: string) => `"  ${v}"`, (v: string) => v];
    for (let i = 0; i < 12; i++) {
      const w = wraps[i % wraps.length];
      const amount = 12345 + i * 101;
      const time = `2025-10-14 13:${String(i).padStart(2, '0')}:00`;
      const rrn = String(600000000800 + i);
      const kind = i % 4;
      if (kind === 0) {
        // terminal 10000002, debit: 0.45%
        const x = { term: '10000002', time, amount, rrn };
        rows.push({ t: withCells(tLine(x), { [TC.term]: w('10000002') }), s: withCells(sLine({ ...x, fee: fee(amount, 45) }), { [SC.term]: w('10000002') }) });
      } else if (kind === 1) {
        // merchant 898310058120002, debit: 0.40% (the settlement line's merchant decides)
        const x = { term: '10000003', time, amount, rrn, merchant: '898310058120002' };
        rows.push({ t: tLine(x), s: withCells(sLine({ ...x, fee: fee(amount, 40) }), { [SC.merchant]: w('898310058120002') }) });
      } else if (kind === 2) {
        // terminal row on 10000002, settlement line without a terminal id: the terminal's id decides
        const x = { term: '10000002', time, amount, rrn };
        rows.push({ t: withCells(tLine(x), { [TC.term]: w('10000002') }), s: sLine({ ...x, term: '', fee: fee(amount, 45) }) });
      } else {
        // QR with the channel in the txn type; settlement fee at the general QR rate (a finding) or the channel rate
        const x = { term: '10000003', time, amount, rrn, card: '微信', cardNo: '' };
        rows.push({ t: withCells(tLine({ ...x, type: '微信支付' }), { [TC.card]: w('微信') }), s: sLine({ ...x, type: '微信支付', fee: fee(amount, i % 8 === 3 ? 30 : 60) }) });
      }
    }
    const f = files(rows.map((r) => r.t), rows.map((r) => r.s));
    const o = expectSame('fee rules by id', f.t, f.s, c);
    expect(o.cleanPairs).toBeGreaterThan(BASELINE_CLEAN);
  });

  it('fee rules naming a terminal whose id is wrapped differently on the two sides (and the 首刷 excess)', () => {
    const c = loadContract(`settlement: { cycle: T+1, cutoff: "23:00" }
fees:
  rules:
    - when: { cardType: debit, terminalId: ["10000006"] }
      rate: "0.38%"
    - when: { cardType: debit }
      rate: "0.50%"
`, 'c.yaml');
    const fee = (amount: number, rate: number) => Math.floor((amount * rate + 5000) / 10000);
    const f = files(
      [
        withCells(tLine({ term: '10000006', time: '2025-10-14 07:00:00', amount: 500000, rrn: '600000000900' }), { [TC.term]: '"10000006"' }),
        withCells(tLine({ term: '10000006', time: '2025-10-14 07:01:00', amount: 500001, rrn: '600000000901' }), { [TC.term]: '="10000006"' }),
        tLine({ term: '10000006', time: '2025-10-14 07:02:00', amount: 500002, rrn: '600000000902' }),
      ],
      [
        withCells(sLine({ term: '10000006', time: '2025-10-14 07:00:00', amount: 500000, rrn: '600000000900', fee: fee(500000, 38) }), { [SC.term]: "'10000006" }),
        withCells(sLine({ term: '10000006', time: '2025-10-14 07:01:00', amount: 500001, rrn: '600000000901', fee: fee(500001, 38) + 5000 }), { [SC.term]: ' 10000006 ' }),
        withCells(sLine({ term: '10000006', time: '2025-10-14 07:02:00', amount: 500002, rrn: '600000000902', fee: fee(500002, 38) }), { [SC.term]: '\u00a010000006' }),
      ],
    );
    expectSame('wrapped terminal fee rules', f.t, f.s, c);
  });

  it('refunds policy fee-kept, tolerance 0.01, rounding down', () => {
    const c = loadContract(`settlement: { cycle: T+1, cutoff: "23:00" }
fees:
  rounding: down
  tolerance: "0.01"
  refunds: fee-kept
  rules:
    - when: { cardType: debit }
      rate: "0.55%"
`, 'c.yaml');
    const fee = (amount: number) => Math.floor((amount * 55) / 10000);
    const rows: Tx[] = [];
    const sRows: Sx[] = [];
    for (let i = 0; i < 8; i++) {
      const amount = 10007 + i * 333;
      const x = { term: '10000002', time: `2025-10-14 14:${String(i).padStart(2, '0')}:00`, amount, rrn: String(600000001100 + i) };
      rows.push(x);
      // off by 0, +0.01, -0.01, +0.02 (beyond tolerance)
      sRows.push({ ...x, fee: fee(amount) + [0, 1, -1, 2][i % 4] });
    }
    rows.push({ term: '10000002', time: '2025-10-14 18:00:00', amount: 10007, rrn: '600000001199', type: '退货', oref: '600000001100' });
    sRows.push({ term: '10000002', time: '2025-10-14 18:00:00', amount: 10007, rrn: '600000001199', type: '退货', fee: '0.00', net: '-100.07' });
    const f = files(rows.map((x, i) => (i % 2 ? quoted(tLine(x)) : tLine(x))), sRows.map((x, i) => {
      const l = sLine(x);
      return i === 8 ? withCells(l, { [SC.amount]: '-100.07' }) : l;
    }));
    const o = expectSame('fee-kept tolerance', f.t, f.s, c);
    expect(o.cleanPairs).toBeGreaterThan(0);
  });

  it('D0 contract with a mode rule, a min and a fixed add-on; amount tiers on quoted amounts', () => {
    const c = loadContract(`settlement: { cycle: D0, cutoff: "23:00" }
fees:
  rules:
    - when: { cardType: debit, mode: D0, amountAtMost: "100.00" }
      rate: "0.60%"
      min: "0.50"
      fixed: "0.10"
    - when: { cardType: debit, mode: D0 }
      rate: "0.60%"
      fixed: "2.00"
`, 'c.yaml');
    const rows: Tx[] = [];
    const sRows: Sx[] = [];
    [1000, 8333, 10000, 10001, 99999, 123456].forEach((amount, i) => {
      const pct = Math.floor((amount * 60 + 5000) / 10000);
      const f = amount <= 10000 ? Math.max(pct, 50) + 10 : pct + 200;
      const x = { term: '10000002', time: `2025-10-14 15:0${i}:00`, amount, rrn: String(600000001200 + i) };
      rows.push(x);
      sRows.push({ ...x, fee: f, settle: '2025-10-14' });
    });
    const f = files(rows.map((x) => quoted(tLine(x), [TC.amount])), sRows.map((x) => quoted(sLine(x), [SC.amount, SC.fee, SC.net])));
    const o = expectSame('D0 tiers quoted', f.t, f.s, c);
    expect(o.cleanPairs).toBeGreaterThan(0);
  });
});

// --- A user profile (--settlement-profile) that passes the eligibility: business-date column,
// midnight cut-off, defaults instead of type/card columns, a pipe delimiter -------------------

const CHANNEL_PROFILE = parseProfile(`name: my-qr-channel
role: settlement
delimiter: "|"
required: [time, amount, fee]
signature: [rrn, net]
midnightCutoff: true
defaults: { status: success, txnType: sale, cardType: qr, channel: wechat }
columns:
  merchantId: [商户号]
  terminalId: [终端号]
  time: [支付时间]
  businessDate: [业务日期]
  settleDate: [结算日期]
  rrn: [参考号]
  amount: [订单金额]
  fee: [手续费]
  net: [结算金额]
  memo: [备注]
`, 'my-qr-channel.yaml', 'user');

function compareWithProfile(t: Input, s: Input, contract: Contract, profile: Profile, headBytes: number, asOf?: string): Outcome {
  const out = reconcileColumnar({ terminal: { file: t.name, bytes: t.bytes }, settlement: { file: s.name, bytes: s.bytes, profile }, profiles, contract, calendar, asOf, headBytes });
  if ('fallback' in out) return { fallback: out.fallback, same: true, diff: '', cleanPairs: 0, residualRows: 0 };
  const ref = reconcile({
    terminal: [readInputFile(t.bytes, t.name, { profiles, role: 'terminal' })],
    settlement: [readInputFile(s.bytes, s.name, { profiles, role: 'settlement', profile })],
    contract,
    calendar,
    asOf,
  });
  const a = shown(out.result);
  const b = shown(ref);
  return { same: a === b, diff: a === b ? '' : firstDiff(a, b), cleanPairs: out.stats.cleanPairs, residualRows: out.stats.residualRows };
}

describe('columnar red team 2: a user settlement profile', () => {
  it('business-date column, midnight cut-off, defaults, | delimiter, quoted and wrapped cells', () => {
    const t: string[] = [T_HEAD];
    const s: string[] = ['商户号|终端号|支付时间|业务日期|结算日期|参考号|订单金额|手续费|结算金额|备注'];
    for (let i = 0; i < 30; i++) {
      const amount = 1001 + i * 733;
      // Around the contract's 23:00 cut-off and midnight: the channel's day ends at midnight.
      const time = `2025-10-${14 + Math.floor(i / 10)} ${['22:59:59', '23:00:00', '23:30:00', '00:00:00', '08:00:00'][i % 5]}`;
      const rrn = String(420000000000 + i);
      const fee = Math.floor((amount * 38 + 5000) / 10000) + (i % 11 === 7 ? 1 : 0);
      t.push(tLine({ term: '10000002', time, amount, rrn, card: '微信', cardNo: '', type: '微信支付' }));
      const biz = i % 7 === 3 ? '' : i % 7 === 5 ? '2025-10-20' : time.slice(0, 10);
      const settle = i % 9 === 4 ? '' : '2025-10-17';
      const cells = [MERCHANT, '10000002', time, biz, settle, rrn, yuan(amount), yuan(fee), yuan(amount - fee), i % 6 === 2 ? '服务费返还' : ''];
      if (i % 4 === 1) cells[5] = `"${rrn}"`;
      if (i % 4 === 2) cells[6] = `="${yuan(amount)}"`;
      if (i % 4 === 3) cells[3] = biz ? `"${biz}"` : '""';
      s.push(cells.join('|'));
    }
    s.push('合计|||||||||');
    const tIn = { name: 'terminal.csv', bytes: enc(t.join('\n') + '\n') };
    const sIn = { name: 'bill.txt', bytes: enc(s.join('\n') + '\n') };
    const qr = loadContract(`settlement: { cycle: T+1, cutoff: "23:00" }
fees:
  rules:
    - when: { cardType: qr, channel: wechat }
      rate: "0.38%"
`, 'qr.yaml');
    for (const headBytes of [300, 600, 1200]) {
      for (const asOf of [undefined, '2025-10-25']) {
        const o = compareWithProfile(tIn, sIn, qr, CHANNEL_PROFILE, headBytes, asOf);
        expect(o.fallback).toBeUndefined();
        expect(o.diff, `head ${headBytes} as-of ${asOf}`).toBe('');
        expect(o.cleanPairs).toBeGreaterThan(5);
      }
    }
  });
});

describe('columnar red team 2: line ends at the end of the file', () => {
  it('no final line end after a quoted clean row, a footer, a quoted footer; a final bare CR', () => {
    const p = pairs(3);
    const cut = (x: Input, tail: string): Input => ({ name: x.name, bytes: enc(dec(x.bytes).replace(/\n$/, '') + tail) });
    for (const [tTail, sTail, tail] of [
      [[quoted(tLine(p.t[2]))], [quoted(sLine(p.s[2]))], ''],
      [['合计,共16笔'], ['"总笔数: 16"'], ''],
      [[quoted(tLine(p.t[2]))], [sLine(p.s[2])], '\r'],
      [[], [], '\r'],
      [[''], ['', ''], ''],
    ] as [string[], string[], string][]) {
      const f = files(p.t.slice(0, 2).map(tLine), p.s.slice(0, 2).map(sLine), { tTail, sTail });
      expectSame(`eof ${JSON.stringify(tail)} ${tTail.join('|')}`, cut(f.t, tail), cut(f.s, tail), base);
    }
  });
});

describe('columnar red team 2: quoted lines in the head zone', () => {
  it('a quoted title line holding the delimiter, quoted rows and a doubled quote before the header ends', () => {
    const p = pairs(3);
    const f = files(p.t.map(tLine), p.s.map(sLine));
    const tText = `"交易明细,2025-10-14"\n${dec(f.t.bytes)}`;
    const lines = dec(f.s.bytes).split('\n');
    lines[1] = quoted(lines[1]);
    lines[2] = lines[2].replace(/,$/, ',"他说""好"""');
    const t = { name: 'terminal.csv', bytes: enc(tText) };
    const s = { name: 'settlement.csv', bytes: enc(lines.join('\n')) };
    for (const headBytes of [250, 400, 700]) expectSame(`quoted head ${headBytes}`, t, s, base, { headBytes });
  });
});

describe('columnar red team 2: facts about a file its clean pairs alone show (review AL)', () => {
  it('seconds printed only by a clean pair still let the same second decide a timed-out charge and its retry', () => {
    const card = '622848******4321';
    const f = files(
      [
        tLine({ term: '10000009', time: '2025-10-14 12:00:07', amount: 123457, rrn: '720000000001', trace: '920001', cardNo: '622848******7777' }),
        tLine({ term: '10000002', time: '2025-10-14 13:00:00', amount: 500000, rrn: '', trace: '', status: '交易超时', cardNo: card }),
        tLine({ term: '10000002', time: '2025-10-14 13:03:00', amount: 500000, rrn: '720000000002', trace: '', cardNo: card }),
      ],
      [
        sLine({ term: '10000009', time: '2025-10-14 12:00:07', amount: 123457, rrn: '720000000001', trace: '920001', cardNo: '622848******7777' }),
        sLine({ term: '10000002', time: '2025-10-14 13:00:00', amount: 500000, rrn: '', trace: '', cardNo: card }),
        sLine({ term: '10000002', time: '2025-10-14 13:03:00', amount: 500000, rrn: '', trace: '', cardNo: card }),
      ],
    );
    const o = expectSame('seconds from a clean pair', f.t, f.s, base, { asOf: '2025-10-20' });
    expect(o.fallback).toBeUndefined();
  });

  it('an export time earlier than a clean pair\'s row is no export time, on both engines', () => {
    const f = files(
      [tLine({ term: '10000009', time: '2025-10-14 20:30:00', amount: 123459, rrn: '720000000003', trace: '920003', cardNo: '622848******7777' })],
      [
        sLine({ term: '10000009', time: '2025-10-14 20:30:00', amount: 123459, rrn: '720000000003', trace: '920003', cardNo: '622848******7777' }),
        sLine({ term: '10000002', time: '2025-10-14 21:00:00', amount: 300000, rrn: '720000000004', trace: '920004' }),
      ],
      { tHead: `商户交易明细\n导出时间：2025-10-14 20:00:00\n${T_HEAD}` },
    );
    const o = expectSame('export time before a clean row', f.t, f.s, base, { asOf: '2025-10-20', headBytes: 200 });
    expect(o.fallback).toBeUndefined();
  });
});
