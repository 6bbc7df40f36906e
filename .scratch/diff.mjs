import { parse } from 'csv-parse/sync';
import { tokenizeDelimited } from '/work/main/dist/read/tokenize.js';
const cases = ['a,b\n\nc,d\n', 'a,b\r\n"x\r\ny",z\r\n', '"a""b",c', 'a,"b",\n', '\n', 'a\n\n', ' "a",b', 'a,b\r\n\r\n', '"a"\r', 'a,"b\nc"\n', 'a,b,', 'x', '"",""', 'a\rb\r'];
for (const c of cases) {
  let ref;
  try { ref = parse(c, { relax_column_count: true, relax_quotes: true }); } catch (e) { ref = 'ERR ' + e.message; }
  const mine = tokenizeDelimited(c, ',').map(r => r.cells);
  const same = JSON.stringify(ref) === JSON.stringify(mine);
  console.log(same ? 'OK ' : 'DIFF', JSON.stringify(c), JSON.stringify(ref), JSON.stringify(mine));
}
