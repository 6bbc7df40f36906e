// The fee audit as an accountant reads it (review J): each fixture in fixtures/fees/review-j/ is
// a layout or a contract term the audit got wrong; the expected figures are worked out by hand
// in the comments.
import { describe, expect, it } from 'vitest';
import { posrecon } from '../cli/run.js';

const F = 'fixtures/fees/review-j';

interface JsonFinding {
  kind: string;
  message: string;
  expected: string | null;
  actual: string | null;
  difference: string | null;
  settlement: { line: number } | null;
  details: Record<string, unknown>;
}

function audit(settlement: string, contract: string) {
  const run = posrecon(['reconcile', '-s', `${F}/${settlement}`, '-c', `${F}/${contract}`, '--format', 'json']);
  expect(run.stderr).toBe('');
  const json = JSON.parse(run.stdout) as { summary: { counts: Record<string, number>; fees: Record<string, unknown>; totals: Record<string, string> }; findings: JsonFinding[] };
  const of = (kind: string) => json.findings.filter((f) => f.kind === kind);
  return { code: run.code, json, of };
}

describe('a line that prints no fee is audited by amount − net', () => {
  it('no 手续费 column: 10.00 taken on a 1000.00 credit sale (6.00 signed), 50.00 on a 10000.00 debit sale (cap 20.00)', () => {
    const { code, json, of } = audit('no-fee-column.csv', 'contract-cards.yaml');
    expect(code).toBe(1);
    expect(of('fee_mismatch').map((f) => [f.settlement?.line, f.actual, f.expected])).toEqual([
      [2, '10.00', '6.00'],
      [3, '50.00', '20.00'],
    ]);
    expect(of('fee_mismatch')[1].message).toContain('no fee printed: amount − net');
    expect(of('fee_mismatch')[1].details.feePrinted).toBe(false);
    expect(json.summary.fees).toMatchObject({ checked: 2, overcharge: '34.00' });
  });

  it('a blank or "-" fee cell: the two debit lines are 30.00 and 20.00 over the cap', () => {
    const { json, of } = audit('blank-fee-cells.csv', 'contract-cards.yaml');
    expect(of('fee_mismatch').map((f) => f.difference).sort()).toEqual(['20.00', '30.00']);
    expect(json.summary.fees).toMatchObject({ checked: 3, overcharge: '50.00' });
  });
});

describe('deductions', () => {
  it('a 年费 printed in the fee column with a blank net is 365.00, so the second one in the year is extra', () => {
    const { of } = audit('annual-fee-in-fee-column.csv', 'contract-annual-fee.yaml');
    expect(of('allowed_deduction').map((f) => f.actual)).toEqual(['365.00']);
    expect(of('extra_deduction').map((f) => [f.settlement?.line, f.actual])).toEqual([[4, '365.00']]);
  });

  it('sums the off-contract deductions by hand: 99 + 48 + 99 + 365 + 60 = 671; a positive 调账 补差 is money in', () => {
    const { json, of } = audit('deductions-mixed-signs.csv', 'contract-deductions.yaml');
    expect(json.summary.totals.extraDeductions).toBe('671.00');
    const credited = of('deduction_returned').find((f) => f.settlement?.line === 9);
    expect(credited?.message).toMatch(/^调账 调账 补差 ¥20\.00 credited on 2025-10-10/);
    expect(of('extra_deduction').some((f) => f.settlement?.line === 9)).toBe(false);
  });

  it('a contract saved as GBK (Windows Notepad) reads as the same contract: its 流量费 allowance applies', () => {
    const gbk = audit('deductions-mixed-signs.csv', 'contract-saved-as-gbk.yaml');
    const utf8 = audit('deductions-mixed-signs.csv', 'contract-deductions.yaml');
    expect(gbk.of('allowed_deduction').map((f) => f.message)).toEqual(utf8.of('allowed_deduction').map((f) => f.message));
    expect(gbk.json.summary.totals.extraDeductions).toBe('671.00');
  });

  it('a deduction whose memo says 首刷 is a first-swipe charge even when the line names no terminal', () => {
    const { of } = audit('first-swipe-no-terminal.csv', 'contract-cards.yaml');
    expect(of('extra_deduction').map((f) => f.details.first_swipe)).toEqual([true]);
  });
});

describe('contract terms', () => {
  it('a line printing a 秒到 fee is judged by the mode: D0 rule of a T+1 contract (credit 0.70% + 2.00: 9.00 and 16.00 are as signed)', () => {
    const { of } = audit('d0-add-on-column.csv', 'contract-t1-with-d0-terms.yaml');
    // Only the debit lines differ: the contract has no D0 debit terms, so their 秒到 fee is extra.
    expect(of('fee_mismatch').map((f) => [f.settlement?.line, f.difference])).toEqual([
      [4, '12.00'],
      [5, '5.00'],
    ]);
    // The cap was applied (20.00): the 12.00 over is the 秒到 fee, which the debit terms do not have (review CH: named as such).
    expect(of('fee_mismatch')[0].message).toMatch(/contract allows ¥20\.00: 秒到 fee 12\.00 charged where the contract's rule for this line has none \(0\.50%, no add-on\)/);
  });

  it('a channel rule reads the wallet from the 卡类型 column (云闪付 above 1000.00 at 0.60%)', () => {
    const { code, of } = audit('channel-in-card-type-column.csv', 'contract-unionpay-qr-tier.yaml');
    expect(of('fee_mismatch')).toEqual([]);
    expect(code).toBe(0);
  });

  it('fee-kept: a void still returns its fee; a refund that is charged or returns a fee says so', () => {
    const { of } = audit('voids-and-refunds-fee-kept.csv', 'contract-fee-kept.yaml');
    const reasons = Object.fromEntries(of('fee_mismatch').map((f) => [f.settlement?.line, f.details.reason]));
    expect(Object.keys(reasons).sort()).toEqual(['5', '7', '8']); // not line 3: a void returning 0.33 of a 0.33 fee
    expect(reasons[5]).toBe('fee charged on refund (0.40) instead of returned (0.40)');
    expect(reasons[7]).toBe('fee returned on refund (2.40) though the contract keeps it');
    expect(reasons[8]).toBe("fee charged on refund (2.40); the contract keeps the sale's fee and charges none on a refund");
  });

  it('fees printed as negative money movements: the net tells a fee charged, and the one real overcharge (0.63% on 2000.00) stays', () => {
    const { json, of } = audit('fees-printed-negative.csv', 'contract-cards.yaml');
    expect(of('net_mismatch')).toEqual([]);
    expect(of('fee_mismatch').map((f) => [f.settlement?.line, f.actual, f.expected])).toEqual([[3, '12.60', '12.00']]);
    expect(json.summary.fees).toMatchObject({ overcharge: '0.60', undercharge: '0.00' });
  });

  it('differences within the tolerance are neither findings nor an over-charge in the headline', () => {
    const { code, json } = audit('one-fen-over.csv', 'contract-tolerance.yaml');
    expect(json.summary.fees).toMatchObject({ checked: 3, charged: '36.03', perContract: '36.00', overcharge: '0.00' });
    expect(code).toBe(0);
    const table = posrecon(['reconcile', '-s', `${F}/one-fen-over.csv`, '-c', `${F}/contract-tolerance.yaml`]);
    expect(table.stdout).not.toContain('over-charged');
  });

  it('rate drift under `rounding: down` names the rate charged (0.63%), not the half-up fit (0.6298%)', () => {
    const { of } = audit('drift-rounded-down.csv', 'contract-rounding-down.yaml');
    expect(of('fee_drift').map((f) => f.actual)).toEqual(['0.63%']);
  });
});
