// The bank-leg contract settings: acquirer names, the payout window and the near-match tolerance.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultContract, loadContract } from '../../src/contract/contract.js';

describe('contract: bank leg settings', () => {
  it('defaults to a 3-day window and a tolerance of 2% or ¥50', () => {
    const c = defaultContract();
    expect(c.payoutWindowDays).toBe(3);
    expect(c.payoutTolerance.rate.toString()).toBe('0.02');
    expect(c.payoutTolerance.amount.toFixed(2)).toBe('50.00');
  });

  it('the `posrecon init contract` template spells out the defaults', () => {
    const template = loadContract(readFileSync(new URL('../../templates/contract.yaml', import.meta.url), 'utf8'), 'contract.yaml');
    expect(template.payoutWindowDays).toBe(3);
    expect(template.payoutTolerance).toEqual(defaultContract().payoutTolerance);
  });

  it('reads payoutTolerance, each key optional', () => {
    const c = loadContract('acquirers: [乐刷]\npayoutWindowDays: 5\npayoutTolerance: { rate: "0.5%" }\n', 'c.yaml');
    expect(c.acquirers).toEqual(['乐刷']);
    expect(c.payoutWindowDays).toBe(5);
    expect(c.payoutTolerance.rate.toString()).toBe('0.005');
    expect(c.payoutTolerance.amount.toFixed(2)).toBe('50.00');
  });

  it.each([
    ['payoutTolerance: { rate: 2 }\n', /c\.yaml:1: payoutTolerance\.rate: expected a percent like "0\.60%"/],
    ['payoutTolerance: { amount: "-1" }\n', /c\.yaml:1: payoutTolerance\.amount: expected an amount in yuan/],
    ['payoutTolerance: { rat: "2%" }\n', /payoutTolerance\.rat: unknown key "rat" \(did you mean "rate"\?\)/],
  ])('rejects %j', (text, message) => {
    expect(() => loadContract(text, 'c.yaml')).toThrow(message);
  });
});
