// Refund fees as a merchant's accountant checks them (review BC): each fixture in
// fixtures/fees/review-bc/ is a refund the audit judged wrongly; figures worked out by hand below.
import { describe, expect, it } from 'vitest';
import { posrecon } from '../cli/run.js';

const F = 'fixtures/fees/review-bc';

interface JsonFinding {
  kind: string;
  message: string;
  expected: string | null;
  actual: string | null;
  details: Record<string, unknown>;
}

function reconcile(dir: string, args: string[]) {
  const run = posrecon(['reconcile', ...args.map((a) => (a.endsWith('.csv') || a.endsWith('.yaml') ? `${F}/${dir}/${a}` : a)), '--format', 'json']);
  const json = JSON.parse(run.stdout) as { findings: JsonFinding[]; summary: { rows: Record<string, number> } };
  const r = json.summary.rows;
  expect(r.read).toBe(r.matched + r.flagged + r.informational + r.rejected);
  return { code: run.code, fees: json.findings.filter((f) => f.kind === 'fee_mismatch') };
}

describe('a refund whose sale settled in a file not given, but is on the terminal export', () => {
  it('half of a ¥10,000 debit sale capped at ¥20: ¥10.00 back is the sale\'s share, no finding', () => {
    // The sale paid the cap 20.00 (0.50% × 10,000 = 50 → 20); half refunded: 20.00 × 5,000 / 10,000 = 10.00.
    expect(reconcile('refund-capped-sale-not-in-files', ['-t', 'terminal.csv', '-s', 'settlement.csv', '-c', 'contract.yaml']).fees).toEqual([]);
  });

  it('without the terminal export the refund alone is judged (0.50% × 5,000 = 25 → cap 20): 10.00 back is 10.00 short', () => {
    const { fees } = reconcile('refund-capped-sale-not-in-files', ['-s', 'settlement.csv', '-c', 'contract.yaml']);
    expect(fees.map((f) => [f.expected, f.actual])).toEqual([['-20.00', '-10.00']]);
    // A refund is never a first-swipe deposit.
    expect(fees[0].details.first_swipe).toBe(false);
    expect(fees[0].message).not.toContain('首刷');
  });

  it('a ¥500 refund of a ¥1,500 云闪付 sale returns the 0.38% tier\'s 1.90, as its sale was charged', () => {
    expect(reconcile('refund-tier-sale-not-in-files', ['-t', 'terminal.csv', '-s', 'settlement.csv', '-c', 'contract.yaml', '--as-of', '2025-10-15']).fees).toEqual([]);
  });

  it('with no sale anywhere, the 1.90 back is not called "though the contract keeps it" under fee-returned', () => {
    const { fees } = reconcile('refund-tier-sale-not-in-files', ['-s', 'settlement.csv', '-c', 'contract.yaml']);
    expect(fees).toHaveLength(1);
    expect(fees[0].details.reason).toBe('fee returned on refund (1.90) where the rule for its amount charges none (was the sale charged under another? its line is not in these files)');
  });
});

describe('a refund that is its terminal\'s first settlement line', () => {
  it('keeping the fee is "not returned", not a 首刷 deposit', () => {
    const { fees } = reconcile('refund-first-line-called-first-swipe', ['-s', 'settlement.csv', '-c', 'contract.yaml']);
    expect(fees).toHaveLength(1);
    expect(fees[0].details.first_swipe).toBe(false);
    expect(fees[0].message).toMatch(/fee not returned on refund \(contract returns 30\.00\)$/);
  });
});

describe('a settlement file printing each line\'s payout mode (结算方式 D0 / T1) with one combined fee', () => {
  it('checks a D0 line under the contract\'s D0 terms (0.65% + 2.00), a T1 line under T+1: on contract, no finding', () => {
    // 1000 × 0.65% + 2.00 = 8.50 (credit, D0); 1000 × 0.55% + 2.00 = 7.50 (debit, D0); 1000 × 0.60% = 6.00 (credit, T1).
    const { code, fees } = reconcile('d0-mode-column', ['-s', 'settlement.csv', '-c', 'contract.yaml']);
    expect(fees).toEqual([]);
    expect(code).toBe(0);
  });

  it('maps 结算方式 as the payout mode', () => {
    const r = posrecon(['inspect', `${F}/d0-mode-column/settlement.csv`]);
    expect(r.stdout).toContain('结算方式→payoutMode');
  });
});

describe('a deposit the contract allows (押金 99 per terminal), taken with the first sale\'s fee', () => {
  const D = 'allowed-deposit-folded-into-fee';
  const kinds = (settlement: string) => {
    const run = posrecon(['reconcile', '-s', `${F}/${D}/${settlement}`, '-c', `${F}/${D}/contract.yaml`, '--format', 'json']);
    const json = JSON.parse(run.stdout) as { findings: JsonFinding[]; summary: { fees: { charged: string; overcharge: string } } };
    return { code: run.code, json, found: json.findings.map((f) => [f.kind, f.actual]) };
  };

  it('named 首刷押金 on the line (105.00 = 6.00 + 99.00): an allowed deduction, the fee on contract, exit 0', () => {
    const { code, json, found } = kinds('settlement.csv');
    expect(found).toEqual([['allowed_deduction', '99.00']]);
    // The deposit is no fee: 6.00 + 12.00 charged, nothing over-charged.
    expect([json.summary.fees.charged, json.summary.fees.overcharge]).toEqual(['18.00', '0.00']);
    expect(code).toBe(0);
  });

  it('unnamed, exactly 99.00 over, then a 押金 line of its own the next day: the first deposit is allowed, the second is extra', () => {
    // In date order, lines and folded deposits alike: a later day never flips an earlier verdict.
    const { found } = kinds('settlement-unnamed-then-deposit-line.csv');
    expect(found).toEqual([['extra_deduction', '99.00'], ['allowed_deduction', '99.00']]);
  });

  it('unnamed, exactly 99.00 over, no 押金 line: the deposit', () => {
    const { found } = kinds('settlement-unnamed-exactly-99-over.csv');
    expect(found).toEqual([['allowed_deduction', '99.00']]);
  });

  it('unnamed, 30.00 over: no deposit the contract names, still a fee over-charge on the first line', () => {
    const { found, json } = kinds('settlement-unnamed-30-over.csv');
    expect(found).toEqual([['fee_mismatch', '36.00']]);
    expect(json.findings[0].details.first_swipe).toBe(true);
  });
});

describe('re-review of these fixes (review BD)', () => {
  const G = 'fixtures/fees/review-bd';
  const found = (dir: string, args: string[]) => {
    const run = posrecon(['reconcile', ...args.map((a) => (a.endsWith('.csv') || a.endsWith('.yaml') ? `${G}/${dir}/${a}` : a)), '--format', 'json']);
    return (JSON.parse(run.stdout) as { findings: JsonFinding[] }).findings.map((f) => [f.kind, f.actual]);
  };

  it('a 押金 line before the first sale keeps its allowance; the 105.00 fee carries the second deposit, as before', () => {
    expect(found('dep-line-before-first-sale', ['-s', 'settlement.csv', '-c', 'contract.yaml'])).toEqual([
      ['fee_mismatch', '105.00'],
      ['allowed_deduction', '99.00'],
    ]);
  });

  it('a refund\'s sale on a terminal export printing no 卡类型 is the refund line\'s card: 10.00 back of the capped 20.00, no finding', () => {
    expect(found('refund-terminal-sale-no-cardtype', ['-t', 'terminal.csv', '-s', 'settlement.csv', '-c', 'contract.yaml', '--as-of', '2025-10-15']).filter(([k]) => k === 'fee_mismatch')).toEqual([]);
  });

  it('a first sale whose memo says 首刷扣费, exactly the allowed 押金 99.00 over, is that deposit', () => {
    expect(found('named-shoushua-other-word', ['-s', 'settlement.csv', '-c', 'contract.yaml'])).toEqual([['allowed_deduction', '99.00']]);
  });
});

describe('a deduction beyond its allowance (review BC)', () => {
  it('puts the excess in the amount column, as the headline totals it: 流量费 60.00 against 48.00 a year is 12.00', () => {
    const d = 'fixtures/domain/data-fee-over-allowance';
    const csv = posrecon(['reconcile', '-t', `${d}/terminal.csv`, '-s', `${d}/settlement.csv`, '-c', `${d}/contract.yaml`, '--format', 'csv']).stdout;
    const [header, ...rows] = csv.replace(/^\uFEFF/, '').trim().split('\n');
    const amount = header.split(',').indexOf('amount');
    const extra = rows.find((r) => r.includes('extra_deduction'))!;
    expect(extra.split(',')[amount]).toBe('12.00');
    const table = posrecon(['reconcile', '-t', `${d}/terminal.csv`, '-s', `${d}/settlement.csv`, '-c', `${d}/contract.yaml`]).stdout;
    expect(table).toContain('¥12.00 deducted');
    expect(table).toMatch(/¥12\.00 {2}流量费 .*¥60\.00 deducted/);
  });
});

describe('re-review of the deposit and refund fixes (review BE)', () => {
  const G = 'fixtures/fees/review-be';
  const found = (dir: string, args: string[]) => {
    const run = posrecon(['reconcile', ...args.map((a) => (a.endsWith('.csv') || a.endsWith('.yaml') ? `${G}/${dir}/${a}` : a)), '--format', 'json']);
    const json = JSON.parse(run.stdout) as { findings: JsonFinding[]; summary: { rows: Record<string, number> } };
    const r = json.summary.rows;
    expect(r.read).toBe(r.matched + r.flagged + r.informational + r.rejected);
    return json.findings.map((f) => [f.kind, f.actual]);
  };

  it('a deposit given back the next day does not undo the allowed deposit folded into the first sale\'s fee', () => {
    const d = 'deposit-return-unfolds';
    expect(found(d, ['-s', 'settlement-2025-10-14.csv', '-c', 'contract.yaml'])).toEqual([['allowed_deduction', '99.00']]);
    expect(found(d, ['-s', 'settlement-2025-10-14.csv', 'settlement-2025-10-15.csv', '-c', 'contract.yaml'])).toEqual([
      ['allowed_deduction', '99.00'],
      ['deduction_returned', '99.00'],
    ]);
  });

  it.each(['contract.yaml', 'contract-once.yaml'])('a %s budget of 198.00 covers a folded deposit on one terminal and a 押金 line on another', (contract) => {
    expect(found('year-allowance-other-terminal-line', ['-s', 'settlement-2025-10-14.csv', 'settlement-2025-10-15.csv', '-c', contract]).filter(([k]) => k !== 'matched')).toEqual([
      ['allowed_deduction', '99.00'],
      ['allowed_deduction', '99.00'],
    ]);
  });

  it('a refund of a D0 sale found on the terminal export is priced under the D0 rule the refund line names', () => {
    expect(found('refund-d0-sale-from-terminal', ['-t', 'terminal.csv', '-s', 'settlement.csv', '-c', 'contract.yaml', '--as-of', '2025-10-15']).filter(([k]) => k === 'fee_mismatch')).toEqual([]);
  });

  it('another merchant\'s sale line with the same RRN does not hide this merchant\'s terminal sale', () => {
    expect(found('refund-rrn-shared-other-merchant', ['-t', 'terminal.csv', '-s', 'settlement.csv', '-c', 'contract.yaml', '--as-of', '2025-10-15']).filter(([k]) => k === 'fee_mismatch')).toEqual([]);
  });
});

describe('deposits folded into a fee, re-reviewed (review BF)', () => {
  const G = 'fixtures/fees/review-bf';
  const json = (args: string[]) => JSON.parse(posrecon(['reconcile', ...args, '--format', 'json']).stdout) as { findings: JsonFinding[]; summary: { fees: { overcharge: string } } };

  it('a first line that fits the rate other lines were charged off contract is that rate, not an allowed deposit', () => {
    // Debit cards charged the credit rate 0.60% on every terminal: the first lines' 40.00 over is the rate, whatever 服务费 the contract allows.
    const d = `${G}/rate-not-deposit`;
    const withAllowance = json(['-s', `${d}/settlement.csv`, '-c', `${d}/contract.yaml`]);
    expect(withAllowance.findings.map((f) => f.kind)).not.toContain('allowed_deduction');
    expect(withAllowance.summary.fees.overcharge).toBe(json(['-s', `${d}/settlement.csv`, '-c', `${d}/contract-none.yaml`]).summary.fees.overcharge);
  });

  it('a bank debit of 押金 after a deposit taken with the first sale\'s fee finds the allowance spent, as after a 押金 line', () => {
    const d = `${G}/bank-debit-after-folded-deposit`;
    const kinds = (settlement: string) => json(['-s', `${d}/${settlement}`, '--bank', `${d}/bank.csv`, '-c', `${d}/contract.yaml`, '--as-of', '2025-10-15']).findings.map((f) => f.kind).sort();
    expect(kinds('settlement.csv')).toEqual(['allowed_deduction', 'payout_matched', 'unexplained_debit']);
    expect(kinds('settlement.csv')).toEqual(kinds('settlement-line.csv'));
  });
});
