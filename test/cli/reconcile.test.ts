// `posrecon reconcile` through the binary on the README demo: exit codes, JSON contract, table golden.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { posrecon, ROOT } from './run.js';

const DEMO = [
  'reconcile',
  '--terminal', 'fixtures/demo/terminal-2025-09-29.csv', 'fixtures/demo/terminal-2025-09-30_10-09.csv',
  '--settlement', 'fixtures/demo/settlement-2025-09-30.csv', 'fixtures/demo/settlement-2025-10-09.csv',
  '--contract', 'fixtures/demo/contract.yaml',
];

describe('posrecon reconcile on the demo files', () => {
  it('prints the hand-checked table and exits 1 because there are exceptions', () => {
    const run = posrecon(DEMO);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(readFileSync(`${ROOT}test/golden/demo-table.txt`, 'utf8'));
  });

  it('emits the posrecon.reconcile/1 JSON with every kind counted', () => {
    const run = posrecon([...DEMO, '--format', 'json']);
    expect(run.code).toBe(1);
    const json = JSON.parse(run.stdout);
    expect(json.schema).toBe('posrecon.reconcile/1');
    expect(json.asOf).toBe('2025-10-09');
    expect(json.summary.counts).toEqual({
      dropped_order: 2, unsettled_overdue: 1, amount_mismatch: 1, fee_mismatch: 2, net_mismatch: 0,
      duplicate_settlement: 1, void_settled: 1, refund_exceeds_sale: 0, extra_deduction: 2, ambiguous_match: 0, fee_unverified: 0, control_total_mismatch: 0,
      matched: 7, settled_late: 0, unsettled_pending: 1, fee_drift: 0, allowed_deduction: 0, deduction_returned: 0, voided: 1, no_settlement_expected: 1,
      duplicate_export: 0,
      // The bank leg: no --bank, nothing to count.
      payout_missing: 0, payout_short: 0, payout_over: 0, ambiguous_payout: 0, unexplained_credit: 0,
      unexplained_debit: 0, balance_gap: 0, payout_matched: 0, payout_pending: 0, credit_returned: 0, bank_unrelated: 0,
    });
    expect(json.summary.rows).toEqual({ read: 34, matched: 14, flagged: 16, informational: 4, rejected: 0 });
    expect(json.summary.totals.dropped).toBe('888.00');
    expect(json.summary.totals.feeOvercharge).toBe('5.60');
    expect(json.inputs.map((i: { encoding: string }) => i.encoding)).toEqual(['utf-8', 'utf-8', 'gb18030', 'utf-8']);
    const fee = json.findings.find((f: { kind: string; details: { reason: string } }) => f.kind === 'fee_mismatch' && f.details.reason.startsWith('cap'));
    expect(fee).toMatchObject({ expected: '20.00', actual: '25.00', difference: '5.00', details: { rule: 'rule at fixtures/demo/contract.yaml:8' } });
    expect(fee.settlement).toMatchObject({ file: 'fixtures/demo/settlement-2025-09-30.csv', line: 7, rrn: '100000000003' });
  });

  it('exits 0 when the failing kinds are ignored, and --quiet prints nothing then', () => {
    const ignore = 'dropped_order,unsettled_overdue,amount_mismatch,fee_mismatch,duplicate_settlement,void_settled,extra_deduction';
    const run = posrecon([...DEMO, '--ignore', ignore, '--quiet']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
  });

  it('--fail-on limits the exit code to the kinds asked for', () => {
    expect(posrecon([...DEMO, '--fail-on', 'ambiguous_match', '--quiet']).code).toBe(0);
    expect(posrecon([...DEMO, '--fail-on', 'dropped_order', '--quiet']).code).toBe(1);
  });

  it('says in the headline which exceptions do not fail the run under --ignore / --fail-on', () => {
    const ignored = posrecon([...DEMO, '--ignore', 'fee_mismatch,extra_deduction']);
    expect(ignored.code).toBe(1); // the dropped orders still fail it
    expect(ignored.stdout).toContain('10 exception(s) need attention (4 of them do not fail the run: fee_mismatch, extra_deduction, per --fail-on/--ignore):');
    const all = 'dropped_order,unsettled_overdue,amount_mismatch,fee_mismatch,duplicate_settlement,void_settled,extra_deduction';
    const none = posrecon([...DEMO, '--ignore', all, '--format', 'markdown']);
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/10 exception\(s\) need attention \(10 of them do not fail the run: dropped\\_order, /);
    // An informational kind asked to fail the run is named as what fails it (exit 1).
    const pending = posrecon([...DEMO, '--fail-on', 'unsettled_pending']);
    expect(pending.code).toBe(1);
    expect(pending.stdout).toContain('; the run fails on unsettled_pending, per --fail-on/--ignore):');
    // With no exception at all, "All clear" still says what fails the run.
    const d = 'fixtures/domain/refund-printed-unsigned';
    const clear = posrecon(['reconcile', '-t', `${d}/terminal.csv`, '-s', `${d}/settlement.csv`, '-c', `${d}/contract.yaml`, '--fail-on', 'matched']);
    expect(clear.code).toBe(1);
    expect(clear.stdout).toContain('平账 All clear: every transaction ties out. (the run fails on matched, per --fail-on/--ignore)\n');
    // Without either option the headline is as before.
    expect(posrecon(DEMO).stdout).toContain('10 exception(s) need attention:\n');
  });

  it('judges overdue by --as-of', () => {
    const json = JSON.parse(posrecon([...DEMO, '--format', 'json', '--as-of', '2025-10-10']).stdout);
    expect(json.summary.counts.unsettled_pending).toBe(1); // the 10-09 sale is due 10-10
    const later = JSON.parse(posrecon([...DEMO, '--format', 'json', '--as-of', '2025-10-11']).stdout);
    expect(later.summary.counts.unsettled_pending).toBe(0);
    expect(later.summary.counts.unsettled_overdue).toBe(2);
  });
});

describe('usage and input errors exit 2 with one line, no stack trace', () => {
  it.each([
    [['reconcile', '--terminal', 'fixtures/demo/terminal-2025-09-29.csv'], /needs at least one --settlement/],
    [['reconcile', '-s', 'no/such/file.csv'], /no\/such\/file\.csv: cannot read: no such file/],
    [['reconcile', '-s', 'fixtures/demo/settlement-2025-10-09.csv', '--as-of', '10/10/2025'], /--as-of: expected a date like 2025-10-10/],
    [['reconcile', '-s', 'fixtures/demo/settlement-2025-10-09.csv', '--as-of', '2025-02-30'], /--as-of: expected a date like 2025-10-10, got "2025-02-30"/],
    [['reconcile', '-s', 'fixtures/demo/settlement-2025-10-09.csv', '--fail-on', 'dropped'], /--fail-on: unknown finding kind "dropped"/],
    [['reconcile', '-s', 'fixtures/demo/settlement-2025-10-09.csv', '-c', 'fixtures/contracts/bad-rate.yaml'], /bad-rate\.yaml:\d+: fees\.rules\[1\]\.rate: expected a percent/],
    [['reconcile', '--bogus'], /unknown option '--bogus'/],
    // An unset variable in a cron script ("--fail-on $KINDS") must not switch alerting off.
    [['reconcile', '-s', 'fixtures/demo/settlement-2025-10-09.csv', '--fail-on', ''], /--fail-on: no finding kind given/],
    [['reconcile', '-s', 'fixtures/demo/settlement-2025-10-09.csv', '--settlement-profile', 'nosuch'], /^posrecon: --settlement-profile: "nosuch" is neither a built-in profile/],
  ])('%j', (args, message) => {
    const run = posrecon(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
