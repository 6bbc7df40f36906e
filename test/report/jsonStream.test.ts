// The streamed JSON report (reconcileJsonChunks) must be byte-identical to the documented form,
// `JSON.stringify(reconcileJson(…), null, 2) + '\n'`: on real reconcile results, on hand-built
// findings with awkward content and shapes, and on random strings.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { reconcileJson, reconcileJsonChunks, type JsonOptions } from '../../src/report/json.js';
import { readInputFile } from '../../src/read/readInput.js';
import { builtinProfiles } from '../../src/profiles/builtin.js';
import { loadContract } from '../../src/contract/contract.js';
import { loadBuiltinCalendar } from '../../src/calendar/calendar.js';
import { reconcile, type ReconcileResult } from '../../src/reconcile.js';
import type { Finding } from '../../src/classify/findings.js';
import type { CanonicalRecord } from '../../src/model.js';
import { demoResult, reconcileFiles } from './demo.js';
import { buildScenario } from '../support/scenario.js';
import { buildBankScenario } from '../support/bankScenario.js';

const documented = (r: ReconcileResult, opts?: JsonOptions) => JSON.stringify(reconcileJson(r, opts), null, 2) + '\n';
const streamed = (r: ReconcileResult, opts?: JsonOptions) => [...reconcileJsonChunks(r, opts)];

function expectSame(r: ReconcileResult): void {
  for (const includeMatched of [false, true]) {
    const chunks = streamed(r, { includeMatched });
    expect(chunks.every((c) => typeof c === 'string')).toBe(true);
    expect(chunks.join('')).toBe(documented(r, { includeMatched }));
  }
  // The default options are includeMatched: false.
  expect(streamed(r).join('')).toBe(documented(r));
}

// ---- real reconcile results ---------------------------------------------------------------------

function scenarioResult(): ReconcileResult {
  const scenario = buildScenario();
  const profiles = builtinProfiles();
  const read = (role: 'terminal' | 'settlement') =>
    scenario.files.filter((f) => f.role === role).map((f) => readInputFile(f.bytes, f.name, { profiles, role }));
  return reconcile({
    terminal: read('terminal'),
    settlement: read('settlement'),
    contract: loadContract(scenario.contract, 'contract.yaml'),
    calendar: loadBuiltinCalendar(),
    asOf: scenario.asOf,
  });
}

function bankResult(): ReconcileResult {
  const scenario = buildBankScenario();
  const profiles = builtinProfiles();
  const read = (role: 'settlement' | 'bank') =>
    scenario.files.filter((f) => f.role === role).map((f) => readInputFile(f.bytes, f.name, { profiles, role }));
  return reconcile({
    terminal: [],
    settlement: read('settlement'),
    bank: read('bank'),
    contract: loadContract(scenario.contract, 'contract.yaml'),
    calendar: loadBuiltinCalendar(),
    asOf: scenario.asOf,
  });
}

describe('reconcileJsonChunks on real results', () => {
  it('the README demo', () => {
    const { result } = demoResult();
    expect(result.findings.length).toBeGreaterThan(0);
    expectSame(result);
  });

  it('the National Day scenario (many kinds, related rows, details)', () => {
    const result = scenarioResult();
    expect(result.findings.some((f) => f.related.length > 0)).toBe(true);
    expectSame(result);
  });

  it('the bank scenario (bank records: credit/debit/balance, counterparty, memo)', () => {
    const result = bankResult();
    const records = result.findings.flatMap((f) => [f.terminal, f.settlement, ...f.related]);
    expect(records.some((r) => r?.role === 'bank')).toBe(true);
    expectSame(result);
  });

  it('an Excel-resaved terminal export (identifiers Excel destroyed: unusable fields)', () => {
    const { result } = reconcileFiles([
      { file: 'fixtures/channels/terminal-excel-resaved-20160504.csv', role: 'terminal' },
      { file: 'fixtures/demo/settlement-2025-09-30.csv', role: 'settlement' },
    ]);
    const records = result.findings.flatMap((f) => [f.terminal, f.settlement, ...f.related]);
    expect(records.some((r) => r && r.unusable.length > 0)).toBe(true);
    expectSame(result);
  });

  it('no findings at all', () => {
    const { result } = demoResult();
    const none = { ...result, findings: [] };
    expect(streamed(none).join('')).toContain('"findings": []');
    expectSame(none);
  });

  it('only matched findings, listed or not', () => {
    const { result } = demoResult();
    const matched = { ...result, findings: result.findings.filter((f) => f.kind === 'matched') };
    expect(matched.findings.length).toBeGreaterThan(0);
    expectSame(matched);
  });
});

// ---- hand-built findings ------------------------------------------------------------------------

const AWKWARD = [
  'plain',
  '',
  'quote " and \\ backslash \\" \\\\',
  'line\nbreak\r\ttab',
  'controls \u0000\u0001\u001f\u007f\u0080\u009f',
  'separators \u2028 \u2029',
  'emoji 😀👍🏽 and lone surrogates \ud800 \udfff x\udc00y',
  '中文 交易超时 ¥1,234.56 （全角）',
  '</script><!-- -->',
  '{"findings": []}',
  '\n  "findings": []',
];

let nextLine = 1;
function record(over: Partial<CanonicalRecord> = {}): CanonicalRecord {
  return {
    role: 'terminal',
    source: { file: 'terminal.csv', line: nextLine++ },
    profile: 'test',
    cardType: 'debit',
    txnType: 'sale',
    status: 'success',
    unusable: [],
    content: '',
    ...over,
  };
}

const full = (i: number): CanonicalRecord =>
  record({
    merchantId: '898310058120001',
    terminalId: AWKWARD[i % AWKWARD.length],
    time: '2025-10-14 10:20:30',
    settleDate: '2025-10-15',
    rrn: '100000000237',
    trace: '000237',
    orderId: AWKWARD[(i + 1) % AWKWARD.length],
    card: '622837******0237',
    amount: new Decimal('3542.41'),
    fee: new Decimal('17.705'),
    net: new Decimal('-0'),
    rawType: '消费',
    rawStatus: '交易"超时"',
    memo: AWKWARD[(i + 2) % AWKWARD.length],
  });

const bank = (over: Partial<CanonicalRecord> = {}): CanonicalRecord =>
  record({
    role: 'bank',
    source: { file: '银行流水.csv', line: nextLine++ },
    cardType: 'unknown',
    txnType: 'other',
    time: '2025-10-15 00:00:00',
    credit: new Decimal('1000'),
    memo: '清算款 "T+1"',
    counterparty: '拉卡拉支付股份有限公司',
    ...over,
  });

function finding(over: Partial<Finding> = {}): Finding {
  return {
    id: 'f00000000001',
    kind: 'amount_mismatch',
    severity: 'error',
    message: 'Amount differs',
    terminal: null,
    settlement: null,
    related: [],
    details: {},
    ...over,
  };
}

let base: ReconcileResult | undefined;
/** The demo result (its header, inputs and totals) around the given findings. */
function withFindings(findings: Finding[]): ReconcileResult {
  base ??= demoResult().result;
  return { ...base, findings };
}

const handBuilt = (): Finding[] => [
  finding({ id: undefined, terminal: full(0), settlement: full(1) }),
  ...AWKWARD.map((s, i) => finding({ id: `f${i}`, message: s, terminal: full(i), details: { text: s, [s || 'empty']: s } })),
  finding({ kind: 'matched', severity: 'info', terminal: full(3), settlement: full(4) }),
  finding({ kind: 'voided', severity: 'info', related: [full(5)] }),
  finding({ kind: 'ambiguous_match', related: [full(6), full(7), record()], expected: new Decimal('12.5'), actual: '12.5 or 13.0' }),
  finding({ expected: new Decimal('-0.00'), actual: new Decimal('0.123456'), difference: new Decimal('-100') }),
  finding({ expected: '约 ¥12', actual: undefined, difference: undefined }),
  finding({ expected: undefined, actual: '', difference: new Decimal('0') }),
  finding({
    details: {
      rule: 'debit 0.50% cap 20.00',
      count: 3,
      ratio: 0.1 + 0.2,
      big: 1e21,
      tiny: -1e-7,
      negZero: -0,
      notANumber: NaN,
      infinite: -Infinity,
      yes: true,
      no: false,
      gone: undefined as unknown as string,
      '': 'empty key',
      '2': 'integer-like key (comes first in JSON.stringify and Object.keys)',
      'k"ey\\': 'escaped key',
    },
  }),
  finding({ details: { nested: { a: [1, 'two', { three: null }], empty: {}, none: [] } } as unknown as Finding['details'] }),
  finding({ details: { list: [undefined, () => 1, 'x'], obj: { u: undefined, d: new Decimal('1.50') } } as unknown as Finding['details'] }),
  finding({ details: { when: new Date(Date.UTC(2025, 9, 14)), big: new Decimal('123.4500') } as unknown as Finding['details'] }),
  finding({ details: undefined as unknown as Finding['details'] }),
  finding({ details: [] as unknown as Finding['details'] }),
  finding({ details: ['a', { b: 1 }] as unknown as Finding['details'] }),
  finding({ details: Object.assign(Object.create(null), { x: '1' }) as Finding['details'] }),
  finding({ details: { toJSON: () => ({ replaced: 'by toJSON' }) } as unknown as Finding['details'] }),
  // Records with unusable fields, bank records, and records off their declared types.
  finding({
    terminal: record({
      rrn: undefined,
      unusable: [
        { field: 'rrn', raw: '4.00123E+27', reason: 'destroyed by Excel' },
        { field: 'card', raw: '6.22848E+15', reason: 'scientific "notation"\n' },
      ],
    }),
  }),
  finding({
    terminal: bank(),
    settlement: bank({ credit: undefined, debit: new Decimal('30'), balance: new Decimal('12345.6'), counterpartyAccount: '6222 0000 1111', memo: '' }),
    related: [bank({ balanceUnreadable: 'xx,yyyy.zz', counterparty: undefined }), bank({ balanceUnreadable: '' })],
  }),
  finding({ kind: 'balance_gap', terminal: bank({ rawType: '', rawStatus: '' }) }),
  finding({ terminal: record({ source: { file: 'a.csv', line: NaN } }), settlement: record({ cardType: undefined as unknown as CanonicalRecord['cardType'] }) }),
  finding({ terminal: record({ source: { file: undefined as unknown as string, line: 3 } }) }),
  finding({ terminal: record({ merchantId: 12345 as unknown as string, card: null as unknown as string }) }),
  finding({ message: undefined as unknown as string, id: null as unknown as string }),
  finding({ related: [null as unknown as CanonicalRecord, full(8)] }),
  // eslint-disable-next-line no-sparse-arrays -- a hole in related prints as null, like map's hole
  finding({ related: [full(9), , full(10)] as CanonicalRecord[] }),
];

describe('reconcileJsonChunks on hand-built findings', () => {
  it('awkward strings, optional keys, details of every shape', () => {
    const findings = handBuilt();
    expect(findings.length).toBeGreaterThan(30);
    expectSame(withFindings(findings));
  });

  it('each hand-built finding on its own', () => {
    for (const f of handBuilt()) {
      const r = withFindings([f]);
      expect(streamed(r, { includeMatched: true }).join('')).toBe(documented(r, { includeMatched: true }));
    }
  });

  it('one finding, only a matched one, or a matched one between others', () => {
    expectSame(withFindings([finding()]));
    expectSame(withFindings([finding({ kind: 'matched', severity: 'info' })]));
    expectSame(withFindings([finding(), finding({ kind: 'matched', severity: 'info' }), finding()]));
  });

  it('thousands of findings: several chunks, joined exactly', () => {
    const findings = Array.from({ length: 4500 }, (_, i) =>
      finding({
        id: `f${i}`,
        kind: i % 3 === 0 ? 'matched' : 'fee_mismatch',
        message: `finding ${i} ${AWKWARD[i % AWKWARD.length]}`,
        terminal: full(i),
        settlement: i % 2 ? full(i + 1) : null,
        related: i % 10 === 0 ? [full(i + 2)] : [],
        expected: new Decimal(i).div(100),
        actual: new Decimal(i + 1).div(100),
        difference: new Decimal('0.01'),
        details: { rule: 'credit 0.60%', n: i, first_swipe: i % 7 === 0 },
      }),
    );
    const r = withFindings(findings);
    for (const includeMatched of [false, true]) {
      const chunks = streamed(r, { includeMatched });
      expect(chunks.length).toBeGreaterThan(2);
      expect(chunks.join('')).toBe(documented(r, { includeMatched }));
    }
  });
});

describe('reconcileJsonChunks on random strings', () => {
  // Any code unit, with the ones JSON escapes (or famously does not) made likely.
  const unit = fc.oneof(
    fc.constantFrom('"', '\\', '\n', '\r', '\t', '\u0000', '\u001f', '\u007f', '\u2028', '\u2029', '\ud800', '\udfff', '😀', '中', '/'),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  );
  const text = fc.string({ unit, maxLength: 20 });
  const value = fc.oneof(text, fc.double(), fc.integer(), fc.boolean(), fc.constant(undefined), fc.constant(null));

  it('in messages, memos, identifiers and details, keys included', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            message: text,
            memo: text,
            rrn: fc.option(text, { nil: undefined }),
            rawStatus: text,
            actual: fc.option(text, { nil: undefined }),
            details: fc.dictionary(text, value, { maxKeys: 4 }),
          }),
          { maxLength: 4 },
        ),
        (specs) => {
          const findings = specs.map((s, i) =>
            finding({
              id: `p${i}`,
              message: s.message,
              terminal: record({ memo: s.memo, rrn: s.rrn, rawStatus: s.rawStatus }),
              settlement: i % 2 ? bank({ memo: s.memo, counterparty: s.rawStatus }) : null,
              actual: s.actual,
              details: s.details as Finding['details'],
            }),
          );
          const r = withFindings(findings);
          return streamed(r).join('') === documented(r);
        },
      ),
      { numRuns: 200 },
    );
  });
});
