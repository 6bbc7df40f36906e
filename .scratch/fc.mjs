import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { tokenizeDelimited } from '/work/main/dist/read/tokenize.js';
const delims = [',', '\t', ';', '|'];
const cellArb = fc.array(fc.constantFrom('a', '1', ' ', '"', ',', '\t', ';', '|', '\n', '\r', '\r\n', '中', '`', '='), { maxLength: 6 }).map(a => a.join(''));
const fileArb = fc.record({
  d: fc.constantFrom(...delims),
  eol: fc.constantFrom('\n', '\r\n'),
  rows: fc.array(fc.array(fc.record({ v: cellArb, q: fc.boolean() }), { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 6 }),
  final: fc.boolean(),
});
function render({ d, eol, rows, final }) {
  const lines = rows.map(r => r.map(({ v, q }) => {
    const needs = v.startsWith("\"") || v.includes(d) || v.includes('\n') || v.includes('\r');
    return (q || needs) ? '"' + v.replaceAll('"', '""') + '"' : v;
  }).join(d));
  return lines.join(eol) + (final ? eol : '');
}
let n = 0;
fc.assert(fc.property(fileArb, (f) => {
  const text = render(f);
  const ref = parse(text, { delimiter: f.d, relax_column_count: true, relax_quotes: true });
  const mine = tokenizeDelimited(text, f.d).map(r => r.cells);
  if (JSON.stringify(ref) !== JSON.stringify(mine)) { console.log(JSON.stringify(text), JSON.stringify(ref), JSON.stringify(mine)); return false; }
  return true;
}), { numRuns: 20000 });
console.log('ok');
