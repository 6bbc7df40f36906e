import { readFileSync } from 'node:fs';
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { citeRule, defaultContract, loadContract, settlementTermsOf } from '../../src/contract/contract.js';
import { InputError } from '../../src/model.js';

function fixture(name: string): string {
  return readFileSync(new URL(`../../fixtures/contracts/${name}`, import.meta.url), 'utf8');
}

/** The InputError thrown by loading `text`, so tests can look at message and hint. */
function loadError(text: string, fileName = 'contract.yaml'): InputError {
  try {
    loadContract(text, fileName);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('defaultContract', () => {
  it('has the documented defaults', () => {
    const contract = defaultContract();
    expect(contract.settlement).toEqual({
      cycle: { basis: 'T', days: 1, text: 'T+1' },
      cutoff: '23:00:00',
      cutoffRule: 'at-or-after',
      qrCutoff: 'cutoff',
      graceDays: 0,
    });
    expect(contract.timezone).toBe('Asia/Shanghai');
    expect(contract.payoutWindowDays).toBe(3);
    expect(contract.matching).toEqual({ traceWindowDays: 15, fuzzyWindowMinutes: 10 });
    expect(contract.fees.rules).toEqual([]);
    expect(contract.fees.rounding).toBe('half-up');
    expect(contract.fees.refunds).toBe('fee-returned');
    expect(contract.fees.tolerance.eq(0)).toBe(true);
  });

  it('is what an empty file means', () => {
    const contract = loadContract('# nothing here\n', 'empty.yaml');
    expect({ ...contract, file: defaultContract().file }).toEqual(defaultContract());
  });
});

describe('loadContract: contract-basic.yaml', () => {
  const contract = loadContract(fixture('contract-basic.yaml'), 'contract-basic.yaml');

  it('reads settlement terms and acquirers', () => {
    expect(contract.settlement.cycle.text).toBe('T+1');
    expect(contract.settlement.cutoff).toBe('23:00:00');
    expect(contract.acquirers).toEqual(['拉卡拉', '银联商务']);
  });

  it('reads rules in order with exact rates and their source lines', () => {
    const [debit, credit, qr] = contract.fees.rules;
    expect(debit.when.cardType).toEqual(['debit']);
    expect(debit.rate.eq('0.005')).toBe(true);
    expect(debit.cap?.toFixed(2)).toBe('20.00');
    expect(debit.line).toBe(13);
    expect(citeRule(debit)).toBe('rule at contract-basic.yaml:13');
    expect(credit.ratePercent).toBe('0.60%');
    expect(credit.line).toBe(16);
    expect(qr.rate.toString()).toBe('0.0038');
  });

  it('reads allowed deductions', () => {
    const [dataFee, deposit] = contract.fees.allowedDeductions;
    expect(dataFee).toMatchObject({ label: '流量费', per: 'year', labelPattern: null });
    expect(dataFee.amount.toFixed(2)).toBe('48.00');
    expect(deposit.per).toBe('terminal');
  });
});

describe('loadContract: contract-dated.yaml', () => {
  const contract = loadContract(fixture('contract-dated.yaml'), 'contract-dated.yaml');

  it('keeps dates, tiers and lists', () => {
    const [oldCredit, newCredit, qrLow, qrHigh, debit] = contract.fees.rules;
    expect(oldCredit.until).toBe('2025-09-30');
    expect(newCredit.from).toBe('2025-10-01');
    expect(qrLow.when.amountAtMost?.toFixed(2)).toBe('1000.00');
    expect(qrHigh.when.amountAbove?.toFixed(2)).toBe('1000.00');
    expect(debit.when.cardType).toEqual(['debit', 'unknown']);
    expect(contract.settlement.cutoffRule).toBe('after');
    expect(contract.settlement.graceDays).toBe(1);
  });
});

describe('loadContract: JSON and the top-level rules alias', () => {
  it('parses JSON and treats top-level rules as fees.rules', () => {
    const contract = loadContract(fixture('contract-top-level-rules.json'), 'contract.json');
    expect(contract.settlement.cycle).toEqual({ basis: 'D', days: 0, text: 'D0' });
    expect(contract.fees.rules).toHaveLength(2);
    expect(contract.fees.rules[0].when.mode).toEqual(['D0']);
    expect(contract.fees.rules[0].fixed?.toFixed(2)).toBe('2.00');
    expect(contract.fees.rules[1].line).toBe(5);
  });

  it('refuses rules given both ways', () => {
    const error = loadError('fees:\n  rules: []\nrules:\n  - rate: "0.60%"\n');
    expect(error.message).toMatch(/^contract\.yaml:3: rules: fee rules are given both here and under fees\.rules \(line 2\)/);
  });
});

describe('loadContract: values stay exact', () => {
  it('reads unquoted numbers as written, not as floats', () => {
    const contract = loadContract(
      [
        'fees:',
        '  tolerance: 0.01',
        '  rules:',
        '    - when: { terminalId: 00012345, merchantId: 898340149000005, amountAbove: 1000.00 }',
        '      rate: 0.38%',
        '      from: 2025-01-01',
      ].join('\n'),
      'contract.yaml',
    );
    const [rule] = contract.fees.rules;
    expect(rule.when.terminalId).toEqual(['00012345']);
    expect(rule.when.merchantId).toEqual(['898340149000005']);
    expect(rule.when.amountAbove).toEqual(new Decimal('1000.00'));
    expect(rule.from).toBe('2025-01-01');
    expect(contract.fees.tolerance.toFixed(2)).toBe('0.01');
  });

  it('accepts regex labels and D+N cycles', () => {
    const contract = loadContract(
      'settlement: { cycle: "d + 2", cutoff: "0:00" }\nfees:\n  allowedDeductions:\n    - { label: "/流量|SIM/i", amount: 60, per: year }\n',
      'contract.yaml',
    );
    expect(contract.settlement.cycle.text).toBe('D+2');
    expect(contract.settlement.cutoff).toBe('00:00:00');
    expect(contract.fees.allowedDeductions[0].labelPattern?.test('sim卡年费')).toBe(true);
  });
});

describe('loadContract: errors name file, line and setting', () => {
  it('bad-rate.yaml: a rate without a % sign', () => {
    const error = loadError(fixture('bad-rate.yaml'), 'bad-rate.yaml');
    expect(error.message).toBe('bad-rate.yaml:8: fees.rules[1].rate: expected a percent like "0.60%", got "0.6"');
    expect(error.hint).toMatch(/% sign/);
  });

  it('bad-key.yaml: an unknown key, with a suggestion', () => {
    const error = loadError(fixture('bad-key.yaml'), 'bad-key.yaml');
    expect(error.message).toBe('bad-key.yaml:5: fees.rules[0].ratee: unknown key "ratee" (did you mean "rate"?)');
    expect(error.hint).toContain('when, from, until, rate');
  });

  it.each([
    ['a bare numeric rate', 'rules:\n  - rate: 0.6\n', 'contract.yaml:2: rules[0].rate: expected a percent like "0.60%", got "0.6"'],
    ['a fraction instead of a percent', 'rules:\n  - rate: "0.006"\n', 'contract.yaml:2: rules[0].rate: expected a percent like "0.60%", got "0.006"'],
    ['a missing rate', 'rules:\n  - when: { cardType: qr }\n', 'contract.yaml:2: rules[0]: missing rate'],
    ['three decimals in an amount', 'rules:\n  - rate: "0.5%"\n    cap: "20.005"\n', 'contract.yaml:3: rules[0].cap: expected an amount in yuan like "20.00", got "20.005"'],
    ['a negative amount', 'rules:\n  - rate: "0.5%"\n    min: "-1"\n', 'contract.yaml:3: rules[0].min: expected an amount in yuan like "20.00", got "-1"'],
    ['a bad date', 'rules:\n  - rate: "0.5%"\n    from: "2025-02-30"\n', 'contract.yaml:3: rules[0].from: expected a date like "2025-10-01", got "2025-02-30"'],
    ['from after until', 'rules:\n  - rate: "0.5%"\n    from: "2025-10-01"\n    until: "2025-09-30"\n', 'contract.yaml:3: rules[0].from: from 2025-10-01 is after until 2025-09-30'],
    ['an unknown card type', 'rules:\n  - when:\n      cardType: [debit, amex]\n    rate: "0.5%"\n', 'contract.yaml:3: rules[0].when.cardType[1]: expected one of debit, credit, qr, unknown, got "amex"'],
    ['an unknown rounding', 'fees:\n  rounding: half_up\n', 'contract.yaml:2: fees.rounding: expected one of half-up, half-even, down, up, got "half_up" (did you mean "half-up"?)'],
    ['an unknown cycle', 'settlement:\n  cycle: weekly\n', 'contract.yaml:2: settlement.cycle: expected a cycle like T+1, D+1, T0 or D0, got "weekly"'],
    ['a wrong type', 'holidays: holidays-2027.json\n', 'contract.yaml:1: holidays: expected a list, got "holidays-2027.json"'],
    ['a boolean count', 'payoutWindowDays: true\n', 'contract.yaml:1: payoutWindowDays: expected a whole number, got true'],
    ['an unknown top-level key', 'timezone: Asia/Shanghai\nfee:\n  rules: []\n', 'contract.yaml:2: fee: unknown key "fee" (did you mean "fees"?)'],
    ['an unknown period', 'fees:\n  allowedDeductions:\n    - { label: 年费, amount: "10.00", per: week }\n', 'contract.yaml:3: fees.allowedDeductions[0].per: expected one of once, year, month, terminal, terminal-year, got "week"'],
    ['a bad time zone', 'timezone: Asia/Beijing\n', 'contract.yaml:1: timezone: unknown time zone "Asia/Beijing"'],
    ['a time zone posrecon would ignore', 'timezone: America/New_York\n', 'contract.yaml:1: timezone: time zone "America/New_York" is not supported: posrecon reads every time as China Standard Time'],
    ['an impossible amount tier', 'rules:\n  - when: { amountAbove: "1000", amountAtMost: "1000" }\n    rate: "0.3%"\n', 'contract.yaml:2: rules[0].when.amountAtMost: amountAtMost 1000.00 is not above amountAbove 1000.00, so the rule can never match'],
  ])('%s', (_label, text, message) => {
    expect(loadError(text).message).toBe(message);
  });

  it('reports YAML syntax errors with their line and column', () => {
    expect(loadError('fees:\n  rules: [\n').message).toMatch(/^contract\.yaml:\d+:\d+: /);
    expect(loadError('fees: {}\nfees: {}\n').message).toMatch(/^contract\.yaml:2:1: Map keys must be unique/);
  });

  it('reports JSON errors with their line', () => {
    expect(loadError('{\n  "fees": {\n    "rules": [ { "rate": 0.6 } ]\n  }\n}\n', 'contract.json').message).toBe(
      'contract.json:3: fees.rules[0].rate: expected a percent like "0.60%", got "0.6"',
    );
  });
});

describe('settlement.qrCutoff', () => {
  it('takes midnight (WeChat and Alipay cut at 00:00) or cutoff, and names the key on anything else', () => {
    expect(loadContract('settlement: { cutoff: "23:00", qrCutoff: midnight }', 'c.yaml').settlement.qrCutoff).toBe('midnight');
    expect(() => loadContract('settlement: { qrCutoff: "00:00" }', 'c.yaml')).toThrow(/c\.yaml:1: settlement\.qrCutoff/);
  });
});

describe('settlement.merchants: a second acquirer\'s own cycle and cut-off', () => {
  const text = [
    'settlement:',
    '  merchants:',
    '    "898310058130002": { cycle: D+1, cutoff: "00:00" }',
    '    822290058120011: { graceDays: 1 }',
    '  cycle: T+1',
    '  cutoff: "22:30"',
  ].join('\n');

  it('gives the named merchants their own terms, the rest of them the contract\'s (whatever the order of the keys)', () => {
    const contract = loadContract(text, 'c.yaml');
    expect(settlementTermsOf(contract, '898310058130002')).toMatchObject({ cycle: { text: 'D+1' }, cutoff: '00:00:00', graceDays: 0 });
    // A numeric key is the id as written; the keys not given are the contract's.
    expect(settlementTermsOf(contract, '822290058120011')).toMatchObject({ cycle: { text: 'T+1' }, cutoff: '22:30:00', graceDays: 1 });
    expect(settlementTermsOf(contract, '111111111111111')).toBe(contract.settlement);
    expect(settlementTermsOf(contract, undefined)).toBe(contract.settlement);
  });

  it('names the key on a mistake', () => {
    expect(loadError('settlement:\n  merchants:\n    "898310058130002": { cycel: D+1 }\n').message).toBe(
      'contract.yaml:3: settlement.merchants.898310058130002.cycel: unknown key "cycel" (did you mean "cycle"?)',
    );
    expect(loadError('settlement:\n  merchants: [898310058130002]\n').message).toMatch(/^contract\.yaml:2: settlement\.merchants: expected a mapping of merchant id: terms/);
  });
});
