// The National Day scenario: every planted fault found with the right kind, nothing else flagged.
import { describe, expect, it } from 'vitest';
import { buildScenario } from '../support/scenario.js';
import { readInputFile } from '../../src/read/readInput.js';
import { builtinProfiles } from '../../src/profiles/builtin.js';
import { loadContract } from '../../src/contract/contract.js';
import { loadBuiltinCalendar } from '../../src/calendar/calendar.js';
import { reconcile } from '../../src/reconcile.js';

function run(scenario = buildScenario()) {
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

describe('multi-day scenario across the 2025 National Day holiday', () => {
  const scenario = buildScenario();
  const result = run(scenario);

  it('reads every file without rejecting a row', () => {
    expect(result.rejected).toEqual([]);
    expect(result.files.map((f) => f.encoding)).toContain('gb18030');
  });

  it.each(Object.entries(scenario.expected))('finds exactly the planted %s', (kind, count) => {
    expect(result.counts[kind as keyof typeof result.counts]).toBe(count);
  });

  it('flags dropped timeouts followed by a retry as possible double charges', () => {
    const dropped = result.findings.filter((f) => f.kind === 'dropped_order');
    expect(dropped.filter((f) => f.details.possibleDoubleCharge).length).toBe(2);
    expect(dropped.filter((f) => f.details.terminalStatus === 'missing').length).toBe(1);
  });

  it('flags the deposit on a terminal\'s first payout as a first-swipe charge', () => {
    const deposit = result.findings.find((f) => f.kind === 'extra_deduction' && String(f.details.label).includes('押金'));
    expect(deposit?.details.first_swipe).toBe(true);
    const dataFee = result.findings.find((f) => f.kind === 'extra_deduction' && String(f.details.label).includes('流量费'));
    expect(dataFee?.details.first_swipe).toBe(false);
  });

  it('accounts for every row exactly once', () => {
    const r = result.rows;
    expect(r.matched + r.flagged + r.informational + r.rejected).toBe(r.read);
  });

  it('judges the 23:30 sale by its shifted business date', () => {
    const late = result.findings.find((f) => f.terminal?.time === '2025-10-09 23:30:00');
    expect(late?.kind).toBe('unsettled_pending');
    expect(late?.details.expectedDate).toBe('2025-10-11');
  });
});
