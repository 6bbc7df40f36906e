import { readFileSync } from 'node:fs';
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { loadContract } from '../../src/contract/contract.js';
import { allowancesForLabel, isMoneyBack, judgeDeduction, matchAllowedDeduction } from '../../src/fees/deductions.js';
import type { DeductionSubject } from '../../src/fees/deductions.js';

const basic = loadContract(
  readFileSync(new URL('../../fixtures/contracts/contract-basic.yaml', import.meta.url), 'utf8'),
  'contract-basic.yaml',
);

function deduction(label: string, amount: string, businessDate: string, terminalId?: string): DeductionSubject {
  return { label, amount: new Decimal(amount), businessDate, terminalId };
}

/** Runs deductions in order the way a caller would, recording each accepted use. */
function run(items: DeductionSubject[], contract = basic): (string | null)[] {
  const used = new Map<string, number>();
  return items.map((item) => {
    const use = matchAllowedDeduction(contract, item, used);
    if (!use) return null;
    used.set(use.usageKey, use.usedFen);
    return `${use.allowance.label} ${use.remaining.toFixed(2)} left`;
  });
}

describe('matchAllowedDeduction', () => {
  it('allows the yearly data fee once a year', () => {
    expect(
      run([
        deduction('SIM卡流量费', '48.00', '2025-03-01'),
        deduction('SIM卡流量费', '48.00', '2025-09-01'),
        deduction('SIM卡流量费', '48.00', '2026-03-01'),
      ]),
    ).toEqual(['流量费 0.00 left', null, '流量费 0.00 left']);
  });

  it('treats the allowance as a budget per period', () => {
    expect(
      run([
        deduction('流量费', '24.00', '2025-01-05'),
        deduction('流量费', '24.00', '2025-07-05'),
        deduction('流量费', '0.01', '2025-12-05'),
      ]),
    ).toEqual(['流量费 24.00 left', '流量费 0.00 left', null]);
  });

  it('refuses a deduction above the allowance', () => {
    expect(run([deduction('流量费', '60.00', '2025-03-01')])).toEqual([null]);
    expect(allowancesForLabel(basic, '流量费').map((a) => a.amount.toFixed(2))).toEqual(['48.00']);
  });

  it('allows a deposit once per terminal', () => {
    expect(
      run([
        deduction('首刷押金', '99.00', '2025-03-01', 'T0000001'),
        deduction('首刷押金', '99.00', '2025-03-01', 'T0000002'),
        deduction('首刷押金', '99.00', '2025-04-01', 'T0000001'),
      ]),
    ).toEqual(['押金 0.00 left', '押金 0.00 left', null]);
  });

  it('does not modify the usage map and ignores unknown labels', () => {
    const used = new Map<string, number>();
    matchAllowedDeduction(basic, deduction('流量费', '48.00', '2025-03-01'), used);
    expect(used.size).toBe(0);
    expect(matchAllowedDeduction(basic, deduction('激活费', '10.00', '2025-03-01'), used)).toBeNull();
  });

  it('supports once, month and /regex/ labels', () => {
    const contract = loadContract(
      [
        'fees:',
        '  allowedDeductions:',
        '    - { label: "/^(年费|服务费)$/", amount: "10.00", per: once }',
        '    - { label: "通讯费", amount: "5.00", per: month }',
      ].join('\n'),
      'contract.yaml',
    );
    expect(
      run(
        [
          deduction('服务费', '10.00', '2025-01-01'),
          deduction('年费', '10.00', '2026-01-01'),
          deduction('通讯费', '5.00', '2025-01-31'),
          deduction('通讯费', '5.00', '2025-02-01'),
          deduction('通讯费', '5.00', '2025-02-28'),
        ],
        contract,
      ),
    ).toEqual(['/^(年费|服务费)$/ 0.00 left', null, '通讯费 0.00 left', '通讯费 0.00 left', null]);
  });
});

describe('judgeDeduction: what each settlement deduction line spends of its allowance', () => {
  const judge = (lines: { label: string; signed: string; date: string }[]) => {
    const usage = new Map<string, number>();
    return lines.map(({ label, signed, date }) => {
      const v = judgeDeduction(basic, { label, signed: new Decimal(signed), amount: new Decimal(signed).abs(), businessDate: date, terminalId: 'T1' }, usage);
      return v.kind === 'exceeded' ? `exceeded by ${v.over.excess.toFixed(2)} (${v.over.remaining.toFixed(2)} left)` : v.kind;
    });
  };

  it('spends what was left of a budget on a line beyond it, so the next line in the period has none', () => {
    // 流量费 48.00 a year: 30 fits, 30 more is 12 over the 18 left, then nothing is left.
    expect(
      judge([
        { label: '流量费 SIM卡流量费', signed: '-30.00', date: '2025-03-01' },
        { label: '流量费 SIM卡流量费', signed: '-30.00', date: '2025-06-01' },
        { label: '流量费 SIM卡流量费', signed: '-10.00', date: '2025-09-01' },
      ]),
    ).toEqual(['allowed', 'exceeded by 12.00 (18.00 left)', 'exceeded by 10.00 (0.00 left)']);
  });

  it('lets a deposit given back spend nothing, and still judges a later deduction against the full budget', () => {
    expect(
      judge([
        { label: '流量费 SIM卡流量费退还', signed: '48.00', date: '2025-03-01' },
        { label: '流量费 SIM卡流量费', signed: '-48.00', date: '2025-06-01' },
        { label: '年费 POS机具年费', signed: '-99.00', date: '2025-06-01' },
      ]),
    ).toEqual(['returned', 'allowed', 'extra']);
  });
});

describe('isMoneyBack: a positive deduction line that pays money back', () => {
  const plus = new Decimal('200.00');
  it.each(['首刷押金退还', '误扣款返还', '退还多收取手续费', '退还多扣除手续费', '押金退回', '调账 补差', '补款', '误扣款退回', '扣款退回', '拒付退回', '调账 误扣款冲回', '服务费退款'])('%s is money in', (label) => {
    expect(isMoneyBack(label, plus)).toBe(true);
  });
  it.each(['差错扣款', '拒付扣款 持卡人退款', '退款扣款', '调账 误入账冲回', '调账', '流量费', '差错扣款 持卡人申请退款', '消费者退款', '重复结算冲回', '误入账 冲回', '退回扣款'])('%s is money taken (a file printing deductions positive)', (label) => {
    expect(isMoneyBack(label, plus)).toBe(false);
  });
  it('a bare 调账 or 差错 is money in only in a file that prints its deductions negative, and never when it says 扣款', () => {
    expect(isMoneyBack('调账', plus, { signedFile: true })).toBe(true);
    expect(isMoneyBack('差错调整', plus, { signedFile: true })).toBe(true);
    expect(isMoneyBack('差错扣款', plus, { signedFile: true })).toBe(false);
    expect(isMoneyBack('首刷押金退还', new Decimal('-99.00'))).toBe(false);
  });
});
