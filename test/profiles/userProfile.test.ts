// Users add a layout without code: a YAML or JSON profile with the same fields as the built-ins.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { parseProfile, type Profile } from '../../src/profiles/profile.js';
import { builtinProfiles } from '../../src/profiles/builtin.js';
import { InputError } from '../../src/model.js';
import { INGEST, read, ROOT } from '../read/fixtures.js';

const loadProfile = (path: string): Profile => parseProfile(readFileSync(ROOT + path, 'utf8'), path, path);

function parseError(text: string, file = 'my.yaml'): InputError {
  try {
    parseProfile(text, file, file);
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected the profile to be refused');
}

describe('fixtures/profiles/my-acquirer.yaml: fen amounts, BT/BV record types, glued timestamps', () => {
  const yaml = loadProfile('fixtures/profiles/my-acquirer.yaml');

  it('reads the layout end to end when forced', () => {
    const f = read(INGEST + 'fen-amounts.csv', { profile: yaml });
    expect([f.profile.name, f.role, f.headerLine]).toEqual(['my-acquirer', 'settlement', 2]);
    expect(f.reason).toMatch(/^forced by --profile; header on line 2/);
    expect(f.records.map((r) => [r.time, r.amount?.toFixed(2), r.fee?.toFixed(2), r.net?.toFixed(2), r.txnType])).toEqual([
      ['2018-07-31 16:07:27', '1234.56', '7.41', '1227.15', 'sale'],
      ['2018-07-31 16:10:00', '1.00', '0.01', '0.99', 'sale'],
      ['2018-07-31 17:00:00', '0.05', '0.00', '0.05', 'sale'],
      ['2018-07-31 18:00:00', '-1.00', '-0.01', '-0.99', 'refund'], // vocabulary added by the profile
    ]);
    expect(f.skipped.map((s) => [s.line, s.kind])).toEqual([[1, 'preamble'], [7, 'footer']]);
    expect(f.rejected).toEqual([]);
  });

  it('is auto-detected when it is among the candidate profiles', () => {
    const f = read(INGEST + 'fen-amounts.csv', { profiles: [yaml, ...builtinProfiles()] });
    expect(f.profile.name).toBe('my-acquirer');
    expect(f.reason).toMatch(/^header on line 2 maps 8 columns/);
  });

  it('the JSON form of the same profile reads the same records', () => {
    const json = loadProfile('fixtures/profiles/my-acquirer.json');
    expect(json).toMatchObject({ name: 'my-acquirer-json', role: 'settlement', units: yaml.units, columns: yaml.columns, required: yaml.required });
    const viaJson = read(INGEST + 'fen-amounts.csv', { profile: json }).records.map((r) => ({ ...r, profile: '' }));
    const viaYaml = read(INGEST + 'fen-amounts.csv', { profile: yaml }).records.map((r) => ({ ...r, profile: '' }));
    expect(viaJson).toEqual(viaYaml);
  });

  it('built-in profiles are files of the same schema', () => {
    const names = readdirSync(`${ROOT}profiles`)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => parseProfile(readFileSync(`${ROOT}profiles/${f}`, 'utf8'), `profiles/${f}`, 'built-in').name);
    expect(names.sort()).toEqual(builtinProfiles().map((p) => p.name).sort());
  });
});

describe('a broken profile is refused with file:line and what was expected', () => {
  const base = 'name: shop\nrole: terminal\ncolumns:\n  time: [时间]\n  amount: [金额]\n';

  it.each([
    ['an unknown role', 'name: shop\nrole: shop\ncolumns:\n  time: [时间]\n', 'my.yaml:2: role: expected terminal, settlement or bank, got "shop"'],
    ['a bad name', 'name: "my shop!"\nrole: bank\ncolumns:\n  time: [a]\n', 'my.yaml:1: name: expected a short name like "my-bank", got "my shop!"'],
    ['a unit that is not yuan or fen', base + 'units:\n  amount: cents\n', 'my.yaml:7: units.amount: expected yuan or fen, got "cents"'],
    ['a default that is not a status', base + 'defaults:\n  status: done\n', 'my.yaml:7: defaults.status: expected success, failed, timeout, unknown, got "done"'],
  ])('%s', (_what, text, message) => {
    expect(parseError(text).message).toBe(message);
  });

  it('a misspelt top-level key names the line and the allowed keys', () => {
    expect(parseError(base + 'colums:\n  x: [y]\n').message).toMatch(/^my\.yaml:6: colums: expected one of name, role, .*columns/);
  });

  it('a misspelt canonical field names the field and lists the valid ones', () => {
    expect(parseError('name: shop\nrole: bank\ncolumns:\n  time: [时间]\n  amout: [金额]\n').message).toMatch(
      /^my\.yaml:\d+: columns\.amout: expected a canonical field \(merchantId, .*amount/,
    );
  });

  it('a required field that does not exist', () => {
    expect(parseError(base + 'required: [time, amout]\n').message).toMatch(/^my\.yaml:6: required: expected a list of canonical fields/);
  });

  it('an invalid regular expression in junk patterns', () => {
    expect(parseError(base + 'junk:\n  footer: ["(unclosed"]\n').message).toMatch(/^my\.yaml:\d+: junk\.footer: expected valid regular expressions, got "\(unclosed"$/);
  });

  it('YAML and JSON syntax errors cite the line', () => {
    expect(parseError('name: shop\nrole: [terminal\ncolumns: {}\n').message).toMatch(/^my\.yaml:\d+: not valid YAML\/JSON: /);
    expect(parseError('{\n  "name": "x",\n  "role": "bank",\n  "columns": { "time": ["a"], }\n  oops\n}', 'my.json').message).toMatch(/^my\.json:5: not valid YAML\/JSON: /);
  });

  it('a profile with no column mapping at all', () => {
    expect(parseError('name: shop\nrole: bank\n').message).toMatch(/^my\.yaml:1: columns: expected at least one column mapping/);
  });

  it('every message is a single line', () => {
    for (const text of ['name: shop\nrole: [terminal\ncolumns: {}\n', base + 'colums: 1\n', 'name: shop\nrole: bank\n']) {
      expect(parseError(text).message).not.toContain('\n');
    }
  });
});
