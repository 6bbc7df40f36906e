// printable(): control characters from input cells shown as visible stand-ins in the text
// reports, and the table renderer using it on cell text while keeping its own colours.
import { describe, expect, it } from 'vitest';
import { printable } from '../../src/report/printable.js';
import { renderTable } from '../../src/report/table.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { reconcileFiles } from './demo.js';

/** Any C0 control but the layout's own LF, DEL or C1 control. */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe('printable', () => {
  it.each([
    ['\x1b[30A\x1b[J', '␛[30A␛[J'],
    ['\x1b]0;pwned\x07正常', '␛]0;pwned␇正常'],
    ['a\x00b\x08c\td', 'a␀b␈c␉d'],
    ['del\x7f', 'del␡'],
    ['\u009b2J and \u0085', '\\u{9b}2J and \\u{85}'],
    ['line1\r\nline2\nline3\rline4', 'line1 ⏎ line2 ⏎ line3 ⏎ line4'],
    // Unicode line/paragraph separators break lines in some terminals and editors.
    ['memo\u2028next\u2029end', 'memo ⏎ next ⏎ end'],
    // Bidi controls reorder what follows on screen (a right-to-left override reverses the digits).
    ['\u202e00.21¥ 退款', '\\u{202e}00.21¥ 退款'],
    ['a\u2066b\u2069c\u200fd\u061ce', 'a\\u{2066}b\\u{2069}c\\u{200f}d\\u{61c}e'],
  ])('%j → %j', (input, shown) => {
    expect(printable(input)).toBe(shown);
    expect(printable(input)).not.toMatch(RAW_CONTROL);
    expect(printable(input)).not.toContain('\n');
    expect(printable(input)).not.toMatch(/[\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/);
  });

  it('leaves text without control characters as it is (Chinese, ¥, ⏎, the Latin-1 letters after C1)', () => {
    for (const s of ['', '流量费 正常 ¥48.00', '622848******0001', 'Zürich ©', '␛ already a picture', '👨\u200d👩\u200d👧 ZWJ']) expect(printable(s)).toBe(s);
  });
});

describe('reports of a file with escape sequences in its cells', () => {
  const dir = 'fixtures/hostile/memo-with-escape-sequences';
  const { result } = reconcileFiles(
    [{ file: `${dir}/terminal.csv`, role: 'terminal' }, { file: `${dir}/settlement.csv`, role: 'settlement' }],
    `${dir}/contract.yaml`,
  );
  const memo = '␛[30A␛[J␛]0;pwned␇\\u{9b}2J␡␈正常';

  it('the table shows the memo visibly and keeps chalk\'s colours around it', () => {
    const plain = renderTable(result, { color: false, verbose: false });
    expect(plain).not.toMatch(RAW_CONTROL);
    expect(plain).toContain(`流量费 ${memo} ¥48.00 deducted`);
    const coloured = renderTable(result, { color: true, verbose: false });
    expect(coloured).toContain('\x1b[1m'); // bold headings: the colours are the report's own
    expect(coloured).toContain(memo);
    expect(coloured).not.toContain('\x1b[30A');
    expect(coloured).not.toContain('\x07');
    expect(coloured).not.toContain('\u009b');
  });

  it('Markdown shows the stand-ins too, escaped as Markdown', () => {
    const md = renderMarkdown(result, { verbose: false });
    expect(md).not.toMatch(RAW_CONTROL);
    expect(md).toContain('␛\\[30A␛\\[J␛\\]0;pwned␇\\\\u{9b}2J␡␈正常');
    expect(md).toContain('刷␛\\[31m卡 新');
  });
});
