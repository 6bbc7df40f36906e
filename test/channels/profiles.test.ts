// The profile schema additions for channel layouts: formats stay data (a new layout is a profile
// file), errors cite the file and the key, and specific layouts never steal generic files.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseProfile } from '../../src/profiles/profile.js';
import { builtinProfiles } from '../../src/profiles/builtin.js';
import { ROOT, inputError, read, readBytes, total, yuan } from './helpers.js';

const parse = (yaml: string) => parseProfile(yaml, 'my.yaml', 'my.yaml');

describe('fixed-width profiles written by a user', () => {
  // A made-up bank file: 8-char date, 6-char time, D/C-signed 12-digit fen amount, a name.
  const profile = parse(`
name: my-fixed
role: bank
format: fixed-width
rowPattern: '^[0-9]{8}$'
fields:
  - { field: date, width: 8 }
  - { field: time, name: 时间, width: 6 }
  - { name: 金额, field: amount, width: 13, sign: { C: '+', D: '-' } }
  - { name: 余额, field: balance, offset: 30, width: 10 }
  - { name: 户名, field: counterparty, offset: 40, width: 12 }
units: { amount: fen, balance: fen }
`);

  it('resolves offsets from widths, or takes them as declared', () => {
    expect(profile.fixedWidth?.fields.map((f) => [f.name, f.field, f.offset, f.width])).toEqual([
      ['date', 'date', 0, 8], ['时间', 'time', 8, 6], ['金额', 'amount', 14, 13], ['余额', 'balance', 30, 10], ['户名', 'counterparty', 40, 12],
    ]);
    expect(profile.fixedWidth).toMatchObject({ separatorWidth: 0, widthUnit: 'bytes', recordLength: 52, minLength: 52 });
    expect(profile.transforms).toEqual({ amount: { signPrefix: { C: '+', D: '-' } } });
  });

  it('reads a file in that layout, title lines reported as skipped', () => {
    const text = [
      'ACCOUNT STATEMENT',
      '20251009093000C000000150000   0000250000示例便利店  ',
      '20251009101500D000000002000   0000230000电费        ',
      '20251009120000X000000001000   0000220000坏符号      ',
    ].join('\r\n');
    const gbk = new Uint8Array([...Buffer.from(iconvGbk(text))]);
    const f = readBytes(gbk, 'stmt.txt', { profile });
    expect(f.profile.name).toBe('my-fixed');
    expect(f.skipped.map((s) => [s.line, s.kind])).toEqual([[1, 'preamble']]);
    expect(f.records.map((r) => [r.time, yuan(r.credit), yuan(r.debit), yuan(r.balance), r.counterparty])).toEqual([
      ['2025-10-09 09:30:00', '1500.00', undefined, '2500.00', '示例便利店'],
      ['2025-10-09 10:15:00', undefined, '20.00', '2300.00', '电费'],
    ]);
    expect(f.rejected).toHaveLength(1);
    expect(f.rejected[0]).toMatchObject({ line: 4, column: '金额 (bytes 14–26)' });
    expect(f.rejected[0].reason).toMatch(/X000000001000/);
  });

  it.each([
    ['format: fixed-width\nfields: []', /fields: expected a list of \{ name, width \}/],
    ['format: fixed-width\nfields: [{ name: a, width: 0 }]', /fields\[0\]\.width: expected a positive whole number/],
    ['format: fixed-width\nfields: [{ name: a, width: 3, field: nope }]', /fields\[0\]\.field: expected a canonical field/],
    ['format: fixed-width\nfields: [{ name: a, width: 3, field: fee }, { name: b, width: 3, field: fee }]', /fee is mapped twice/],
    ['format: fixed-width\nfields: [{ name: a, width: 3, sign: { D: "+" } }]', /fields\[0\]: expected a field: for sign: or format: to apply to/],
    ['format: fixed-width\nfields: [{ name: a, width: 3, field: fee, sign: { DR: "+" } }]', /sign\.DR: expected one letter mapped to "\+" or "-"/],
    ['format: csv\ncolumns: { amount: [金额] }', /format: expected delimited or fixed-width/],
    ['columns: { amount: [金额] }\nfields: [{ name: a, width: 3 }]', /fields: only with format: fixed-width/],
    ['columns: { amount: [金额] }\ntransforms: { time: { format: YYMMDD } }', /transforms\.time\.format: expected MMDDhhmmss/],
    ['columns: { amount: [金额] }\nrules: [{ when: { status: "(" }, set: { txnType: refund } }]', /rules\[0\]\.when\.status: expected a valid regular expression/],
    ['columns: { amount: [金额] }\nrules: [{ set: { amount: "-{nope}" } }]', /rules\[0\]\.set\.amount: expected a template naming a canonical field/],
    ['columns: { amount: [金额] }\ncontrolTotals: { lines: ["合计(?<total>\\\\d+)"] }', /controlTotals\.lines\[0\]: expected named groups among count, amount/],
    ['columns: { amount: [金额] }\ncontrolTotals: { summaryHeader: "^合计" }', /controlTotals\.columns: expected a mapping of total/],
    ['columns: { amount: [金额] }\nclearingDateFrom: email', /clearingDateFrom: expected filename or option/],
    ['columns: { amount: [金额] }\nheaderMarkers: [""]', /headerMarkers: expected a list of header names/],
  ])('rejects %j with a message citing the key', (body, want) => {
    const e = inputError(() => parse(`name: bad\nrole: settlement\n${body}\n`));
    expect(e.message).toMatch(/^my\.yaml:\d+: /);
    expect(e.message).toMatch(want);
  });
});

describe('built-in channel profiles', () => {
  const names = builtinProfiles().map((p) => p.name);

  it('are data files in profiles/, listed before the generic catch-alls', () => {
    const files = readdirSync(ROOT + 'profiles').filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, ''));
    expect([...names].sort()).toEqual([...files].sort());
    for (const n of ['unionpay-acp-zm', 'wechatpay-trade', 'wechatpay-fundflow', 'alipay-trade', 'allinpay-pos', 'leshua-trade', 'lcsw-saobei']) {
      expect(names).toContain(n);
    }
    const firstGeneric = names.findIndex((n) => n.startsWith('generic-'));
    expect(names.slice(firstGeneric).every((n) => n.startsWith('generic-'))).toBe(true);
  });

  it('never claim the generic demo exports (header markers gate them)', () => {
    for (const [file, profile] of [
      ['fixtures/demo/settlement-2025-09-30.csv', 'generic-settlement'],
      ['fixtures/demo/settlement-2025-10-09.csv', 'generic-settlement'],
      ['fixtures/demo/terminal-2025-09-29.csv', 'generic-terminal'],
      ['fixtures/demo/terminal-2025-09-30_10-09.csv', 'generic-terminal'],
    ]) {
      expect(read(file).profile.name, file).toBe(profile);
    }
  });

  it('a forced channel profile skips the marker gate (the user knows the layout)', () => {
    const wechat = builtinProfiles().find((p) => p.name === 'wechatpay-trade')!;
    const text = '交易时间,商户号,商户订单号,交易状态,应结订单金额,手续费\n`2025-10-01 10:00:00,`1,`A1,`SUCCESS,`1.00,`0.00600\n';
    const f = readBytes(new TextEncoder().encode(text), 'bill.csv', { profile: wechat });
    expect(f.profile.name).toBe('wechatpay-trade');
    expect(total(f.records, 'fee', 5)).toBe('0.00600');
  });

  it('docs/layouts.md has a row for every built-in profile', () => {
    const doc = readFileSync(ROOT + 'docs/layouts.md', 'utf8');
    for (const n of names) expect(doc, n).toContain('`' + n + '`');
  });
});

/** GBK bytes of text (ASCII and the few Chinese characters used above). */
function iconvGbk(text: string): Uint8Array {
  const d = new TextDecoder('gbk');
  const table = new Map<string, number>();
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail === 0x7f) continue;
      const ch = d.decode(new Uint8Array([lead, trail]));
      if (ch.length === 1 && !table.has(ch)) table.set(ch, (lead << 8) | trail);
    }
  }
  const out: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else {
      const code = table.get(ch)!;
      out.push(code >> 8, code & 0xff);
    }
  }
  return new Uint8Array(out);
}

describe('fixed-width detection safety', () => {
  it('a fixed-width profile without a rowPattern never claims a file on its own', () => {
    const loose = parse('name: loose\nrole: settlement\nformat: fixed-width\nfields: [{ name: a, field: amount, width: 5 }, { name: b, field: time, width: 19 }]\n');
    // Every line is exactly the 24-character record length.
    const text = new TextEncoder().encode('00100 2025-10-09 10:00:00\n00200 2025-10-09 11:00:00\n'.replace(/ (?=2025)/g, ''));
    expect(loose.fixedWidth?.recordLength).toBe(24);
    const e = inputError(() => readBytes(text, 'x.txt', { profiles: [loose] }));
    expect(e.message).toMatch(/^x\.txt(:\d+)?: no profile fits/);
    const forced = readBytes(text, 'x.txt', { profiles: [loose], profile: loose });
    expect(forced.records.map((r) => [yuan(r.amount), r.time])).toEqual([['100.00', '2025-10-09 10:00:00'], ['200.00', '2025-10-09 11:00:00']]);
  });
});
