// Domain cases on the fixtures in fixtures/domain/, each named after its case (found by a
// payments-domain review and a new-user review): what a merchant would claim must be what is off
// contract, and no successful charge may quietly become "no settlement expected".
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Decimal } from 'decimal.js';
import { readInputFile } from '../../src/read/readInput.js';
import { builtinProfiles } from '../../src/profiles/builtin.js';
import { checkControlTotals } from '../../src/read/controlTotals.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { posrecon, ROOT } from '../cli/run.js';

interface JsonFinding {
  kind: string;
  message: string;
  actual: string | null;
  expected: string | null;
  difference: string | null;
  details: Record<string, unknown>;
  settlement: { line: number } | null;
}

function reconcileJson(dir: string, terminal = 'terminal.csv', settlement = 'settlement.csv', extra: string[] = []) {
  const d = `fixtures/domain/${dir}`;
  const run = posrecon(['reconcile', '-t', `${d}/${terminal}`, '-s', `${d}/${settlement}`, '-c', `${d}/contract.yaml`, '--format', 'json', ...extra]);
  const json = JSON.parse(run.stdout) as {
    summary: { counts: Record<string, number>; totals: Record<string, string>; fees: Record<string, unknown>; rows: Record<string, number> };
    findings: JsonFinding[];
    rejected: { line: number; column: string; reason: string }[];
  };
  // Nothing lost, in every case: each input row matched, flagged, informational or rejected.
  const r = json.summary.rows;
  expect(r.read).toBe(r.matched + r.flagged + r.informational + r.rejected);
  return { run, json, kinds: json.findings.map((f) => f.kind) };
}

describe('a sale whose memo names a deposit or service charge is still a sale', () => {
  it('matches a 2,000.00 hotel deposit sale (RRN, positive amount, memo 酒店押金) and finds nothing', () => {
    const { run, json } = reconcileJson('sale-with-deposit-memo');
    expect(json.summary.counts).toMatchObject({ matched: 1, extra_deduction: 0, unsettled_pending: 0, unsettled_overdue: 0 });
    expect(json.summary.totals).toMatchObject({ settled: '2000.00', extraDeductions: '0.00' });
    expect(run.code).toBe(0);
  });
});

describe('a deposit given back', () => {
  it('reports the −199.00 首刷押金 once and the +199.00 首刷押金退还 as money returned, not a second deduction', () => {
    const { run, json } = reconcileJson('deposit-returned');
    expect(json.summary.counts).toMatchObject({ extra_deduction: 1, deduction_returned: 1, matched: 1 });
    const taken = json.findings.find((f) => f.kind === 'extra_deduction')!;
    expect(taken).toMatchObject({ actual: '199.00', details: { first_swipe: true } });
    const back = json.findings.find((f) => f.kind === 'deduction_returned')!;
    expect(back.message).toBe('押金 首刷押金退还 ¥199.00 returned on 2025-10-15 (terminal 10000002)');
    expect(json.summary.totals.extraDeductions).toBe('199.00');
    expect(run.code).toBe(1);
  });
});

describe('two deductions on one day sharing one allowance', () => {
  it('spends it on the line printed first: the second is the excess (review AH)', () => {
    const { json } = reconcileJson('two-data-fees-same-day', 'terminal.csv', 'settlement.csv', ['--as-of', '2025-05-08']);
    expect(json.findings.filter((f) => f.kind === 'allowed_deduction' || f.kind === 'extra_deduction').map((f) => [f.kind, f.settlement?.line])).toEqual([
      ['extra_deduction', 4],
      ['allowed_deduction', 3],
    ]);
  });
});

describe('a deduction beyond its allowance', () => {
  it('flags only the 12.00 over a 48.00-a-year 流量费 allowance, and says the contract allows 流量费', () => {
    const { json } = reconcileJson('data-fee-over-allowance');
    const over = json.findings.filter((f) => f.kind === 'extra_deduction');
    expect(over).toHaveLength(1);
    expect(over[0]).toMatchObject({ actual: '60.00', expected: '48.00', difference: '12.00' });
    expect(over[0].message).toMatch(/the contract allows 流量费 48\.00 per terminal-year, ¥48\.00 of it left in this period: ¥12\.00 over$/);
    expect(over[0].message).not.toMatch(/allows no such deduction/);
    expect(json.summary.totals.extraDeductions).toBe('12.00');
  });
});

describe('首刷 is not claimed for recurring fees', () => {
  it('does not call a 年费 in a one-day settlement file a first-swipe charge', () => {
    const { json } = reconcileJson('annual-fee-in-daily-file', 'terminal-2025-11-02.csv', 'settlement-2025-11-03.csv');
    const fee = json.findings.find((f) => f.kind === 'extra_deduction')!;
    expect(fee.details.first_swipe).toBe(false);
    expect(fee.message).not.toMatch(/首刷/);
  });
});

describe('an unsettled refund is not money the merchant failed to receive', () => {
  it('keeps the refund overdue but adds nothing to "not received"', () => {
    const { run, json } = reconcileJson('unsettled-refund');
    expect(json.summary.counts.unsettled_overdue).toBe(1);
    expect(json.summary.totals.overdue).toBe('0.00');
    const table = posrecon(['reconcile', '-t', 'fixtures/domain/unsettled-refund/terminal.csv', '-s', 'fixtures/domain/unsettled-refund/settlement.csv', '-c', 'fixtures/domain/unsettled-refund/contract.yaml']);
    expect(table.stdout).toMatch(/unsettled, overdue \(未到账\)\s+refunds not yet debited/);
    expect(table.stdout).not.toMatch(/not received/);
    expect(run.code).toBe(1);
  });
});

describe('a successful charge of a type the vocabulary does not know', () => {
  it('reads 闪付 (QuickPass) as a sale, rejects 会员充值 with its line and column, and keeps a 0.00 余额查询 informational', () => {
    const { run, json } = reconcileJson('unknown-type-success');
    expect(json.summary.counts).toMatchObject({ matched: 1, no_settlement_expected: 1 });
    expect(json.rejected).toEqual([
      expect.objectContaining({ line: 3, column: '交易类型', reason: expect.stringMatching(/^unknown transaction type "会员充值" on a successful charge: cannot tell whether it settles/) }),
    ]);
    expect(run.code).toBe(1); // a rejected row is never all clear
  });
});

describe('a settled line whose terminal row could not be read', () => {
  it('points at the rejected row instead of "no such transaction", and claims no money charged to customers', () => {
    const { run, json } = reconcileJson('unreadable-terminal-row');
    const dropped = json.findings.filter((f) => f.kind === 'dropped_order');
    expect(dropped).toHaveLength(1);
    expect(dropped[0].message).toMatch(/its terminal row is probably the unreadable row fixtures\/domain\/unreadable-terminal-row\/terminal\.csv:6 \(empty; expected an amount\): fix that row and run again$/);
    expect(dropped[0].details).toMatchObject({ terminalStatus: 'unreadable', rejectedTerminalRow: 'fixtures/domain/unreadable-terminal-row/terminal.csv:6' });
    expect(json.summary.totals.dropped).toBe('0.00');
    expect(run.code).toBe(1);
  });
});

describe('the fee expected back on a refund is a share of its sale\'s fee', () => {
  it('two 5,000.00 refunds of a 10,000.00 debit sale capped at 20.00 get 10.00 each back, as charged', () => {
    const { json } = reconcileJson('partial-refunds-of-capped-sale');
    expect(json.summary.counts.fee_mismatch).toBe(0);
    expect(json.summary.fees).toMatchObject({ overcharge: '0.00', undercharge: '0.00' });
  });

  it('a refund after a rate change gets back the 6.00 its sale was charged at the old 0.60%', () => {
    const { json } = reconcileJson('refund-after-rate-change');
    expect(json.summary.counts.fee_mismatch).toBe(0);
    expect(json.summary.fees).toMatchObject({ overcharge: '0.00', undercharge: '0.00' });
  });
});

describe('a settlement file printing refunds and voids unsigned (交易类型 gives the direction)', () => {
  it('takes a 退货 line of 400.00 / fee 2.40 / net 397.60 as money going back: no false fee over-charge, the payout is 1988.00 − 397.60', () => {
    const d = 'fixtures/domain/refund-printed-unsigned';
    const { run, json } = reconcileJson('refund-printed-unsigned', 'terminal.csv', 'settlement.csv', ['--bank', `${d}/bank.csv`, '--as-of', '2025-10-25']);
    expect(json.summary.counts).toMatchObject({ matched: 2, fee_mismatch: 0, payout_missing: 0, unexplained_credit: 0, payout_matched: 1 });
    // The returned fee is no fee charged: the same figures as the file printed signed (−400.00, −2.40, −397.60).
    expect(json.summary.totals).toMatchObject({ settled: '1600.00', fees: '9.60', net: '1590.40', feeOvercharge: '0.00' });
    expect(run.code).toBe(0);
  });

  it('pairs a 消费撤销 line of 800.00 with its terminal void: the sale is voided, no dropped order', () => {
    const { run, json } = reconcileJson('void-printed-unsigned');
    expect(json.summary.counts).toMatchObject({ voided: 1, dropped_order: 0, void_settled: 0 });
    expect(json.summary.totals.dropped).toBe('0.00');
    expect(run.code).toBe(0);
  });

  it('still ties out a footer that totals the lines as printed (2400.00), as it does one that totals them signed (1600.00)', () => {
    const d = 'fixtures/domain/refund-printed-unsigned';
    const parsed = readInputFile(new Uint8Array(readFileSync(`${d}/settlement.csv`)), 'settlement.csv', { role: 'settlement', profiles: builtinProfiles() });
    expect(parsed.records.map((r) => [r.amount?.toFixed(2), r.net?.toFixed(2), r.signedByType ?? false])).toEqual([['-400.00', '-397.60', true], ['2000.00', '1988.00', false]]);
    const totals = (amount: string, net: string) => ({ source: 'footer', lines: [4], totals: [
      { key: 'amount' as const, value: new Decimal(amount), label: '交易金额' },
      { key: 'net' as const, value: new Decimal(net), label: '结算金额' },
    ] });
    expect(checkControlTotals(parsed.records, totals('2400.00', '2385.60'))).toEqual([]);
    expect(checkControlTotals(parsed.records, totals('1600.00', '1590.40'))).toEqual([]);
    expect(checkControlTotals(parsed.records, totals('2000.00', '1988.00')).map((m) => m.key)).toEqual(['amount', 'net']);
  });
});

describe('a 秒到 fee on a T+1 contract', () => {
  it('buys a same-day payout: a line charging it and paid the next day settled late under D0, says what the fee was for, and the fee bought nothing (review CH)', () => {
    const { run, json } = reconcileJson('instant-fee-paid-next-day');
    expect(json.summary.counts).toMatchObject({ settled_late: 1, fee_mismatch: 1 });
    // Judged under the contract's own T+1 terms: the 2.00 is the 秒到 fee for a payout that was not same-day.
    const fee = json.findings.find((f) => f.kind === 'fee_mismatch')!;
    expect(fee).toMatchObject({ expected: '6.00', actual: '8.00', difference: '2.00' });
    expect(fee.message).toMatch(/秒到 fee 2\.00 charged where the contract's rule for this line has none .* \(incl\. 秒到 fee 2\.00, paid on 2025-10-15, not the same day\)$/);
    const late = json.findings.find((f) => f.kind === 'settled_late')!;
    expect(late.message).toMatch(/settled on 2025-10-15, 1 day after its due date 2025-10-14 under D0 — a 秒到 fee of ¥2\.00 was charged for a same-day payout$/);
    expect(late.details).toMatchObject({ businessDate: '2025-10-14', dueDate: '2025-10-14', settleDate: '2025-10-15', daysLate: 1 });
    expect(run.code).toBe(1); // the fee; the late settlement itself stays informational
  });
});

describe('a debit card rule with a cap (0.50%, 封顶 20.00)', () => {
  const audit = (dir: string) => {
    const d = `fixtures/domain/${dir}`;
    const run = posrecon(['reconcile', '-s', `${d}/settlement.csv`, '-c', `${d}/contract.yaml`, '--format', 'json']);
    return { run, json: JSON.parse(run.stdout) as { summary: { counts: Record<string, number> }; findings: JsonFinding[] } };
  };

  it('names debit lines charged the credit rate with no cap as a rate, and claims no 首刷 on the first of them', () => {
    const { run, json } = audit('debit-charged-credit-rate');
    const fees = json.findings.filter((f) => f.kind === 'fee_mismatch');
    expect(fees.map((f) => f.details.reason)).toEqual([
      'rate above contract (charged 0.60%, contract 0.50%) and cap 20.00 not applied',
      'rate above contract (charged 0.60%, contract 0.50%) and cap 20.00 not applied',
    ]);
    expect(fees.map((f) => f.details.first_swipe)).toEqual([false, false]);
    expect(fees.every((f) => !f.message.includes('首刷'))).toBe(true);
    expect(run.code).toBe(1);
  });

  it('reports a rate raised silently below the cap (0.55% on six sales) as a rate change', () => {
    const { json } = audit('debit-rate-raised-below-cap');
    expect(json.summary.counts).toMatchObject({ fee_mismatch: 6, fee_drift: 1 });
    const drift = json.findings.find((f) => f.kind === 'fee_drift')!;
    expect(drift.message).toBe('From 2025-10-20 debit cards were charged 0.55%, contract says 0.50% (6 of 6 fees differing from then on by more than a fen fit 0.55% exactly)');
  });
});

describe('fee reasons that must not mistake an add-on or a deposit for a rate (review AA)', () => {
  const audit = (dir: string) => {
    const d = `fixtures/domain/${dir}`;
    const run = posrecon(['reconcile', '-s', `${d}/settlement.csv`, '-c', `${d}/contract.yaml`, '--format', 'json']);
    return JSON.parse(run.stdout) as { summary: { counts: Record<string, number> }; findings: JsonFinding[] };
  };

  it('a 秒到 fee printed apart on lines the contract gives no D0 terms is that fee, not a rate change to 0.70%', () => {
    const json = audit('instant-fee-not-in-contract');
    expect(json.summary.counts).toMatchObject({ fee_mismatch: 6, fee_drift: 0 });
    expect(new Set(json.findings.filter((f) => f.kind === 'fee_mismatch').map((f) => f.details.reason))).toEqual(new Set(["秒到 fee 2.00 charged where the contract's rule for this line has none (0.50%, no add-on): was a same-day payout asked for? (incl. 秒到 fee 2.00)"]));
  });

  it('a 99.00 deposit on a terminal\'s first line stays 首刷 though the fee happens to fit a plain rate (17000.00 → 119.00 is 0.70%), when the terminal\'s next line is on contract', () => {
    const json = audit('first-swipe-on-large-sale');
    const fees = json.findings.filter((f) => f.kind === 'fee_mismatch');
    expect(fees.map((f) => [f.settlement?.line, f.details.first_swipe])).toEqual([[2, true], [4, true], [6, true]]);
  });

  it('a 冲正 line (printed unsigned, fee 0.00) of a sale that never cleared is no fee owed back', () => {
    const { json } = reconcileJson('reversal-of-sale-never-cleared');
    expect(json.summary.counts.fee_mismatch).toBe(0);
    expect(json.summary.totals.feeOvercharge).toBe('0.00');
    // The line itself still says money went back for a sale that was never paid.
    expect(json.findings.filter((f) => f.kind === 'dropped_order').map((f) => f.details.terminalStatus)).toEqual(['voided']);
  });

  it('a void of an approved sale returning no fee still owes it when no 原参考号 names the sale (review AB #1)', () => {
    const { run, json } = reconcileJson('void-fee-kept-no-original-ref');
    expect(json.findings.filter((f) => f.kind === 'fee_mismatch').map((f) => f.details.reason)).toEqual(['fee not returned on refund (contract returns 6.00)']);
    expect(run.code).toBe(1);
  });

  it('an unsigned 退货 line charged a fee on top (400.00, 2.40, 402.40) keeps its fee charged: totals and payout as the signed file', () => {
    const d = 'fixtures/domain/refund-unsigned-fee-charged-on-top';
    const { json } = reconcileJson('refund-unsigned-fee-charged-on-top', 'terminal.csv', 'settlement.csv', ['--bank', `${d}/bank.csv`]);
    expect(json.summary.totals.fees).toBe('20.40');
    const payouts = (json as unknown as { payouts: { gross: string; fees: string; expected: string }[] }).payouts;
    expect(payouts.map((p) => [p.gross, p.fees, p.expected])).toContainEqual(['1600.00', '14.40', '1585.60']);
  });

  it('首刷 stays on deposits (49, 99 …) and leaves a first line whose rate other debit lines were charged too (review AB #4)', () => {
    const d = 'fixtures/domain/first-swipe-versus-debit-at-credit-rate';
    const json = JSON.parse(posrecon(['reconcile', '-s', `${d}/settlement.csv`, '-c', `${d}/contract.yaml`, '--format', 'json']).stdout) as { findings: JsonFinding[] };
    const firstSwipe = Object.fromEntries(json.findings.filter((f) => f.kind === 'fee_mismatch').map((f) => [f.settlement!.line, f.details.first_swipe]));
    expect(firstSwipe).toEqual({ 2: true, 4: true, 6: true, 8: true, 10: true, 12: false, 14: false, 15: false, 16: false, 17: false });
  });

  it('a 冲正 returning no fee owes none when no paid sale line could be the one it reverses (reviews AC, AD, AE)', () => {
    const counts = (args: string[]) => (JSON.parse(posrecon(['reconcile', ...args, '--format', 'json']).stdout) as { summary: { counts: Record<string, number> } }).summary.counts;
    const d = (name: string) => `fixtures/domain/${name}`;
    // The timed-out sale named by 原凭证号 (no RRN); the sale marked 已冲正; a settlement-only run.
    expect(reconcileJson('reversal-of-timed-out-sale-by-trace').json.summary.counts.fee_mismatch).toBe(0);
    expect(reconcileJson('reversal-of-sale-marked-reversed').json.summary.counts.fee_mismatch).toBe(0);
    expect(counts(['-s', `${d('reversal-of-sale-never-cleared')}/settlement.csv`, '-c', `${d('reversal-of-sale-never-cleared')}/contract.yaml`]).fee_mismatch).toBe(0);
    // Beside a paid sale of its amount that day, it owes that sale's fee (settlement only, no 原参考号).
    expect(counts(['-s', `${d('reversal-beside-its-paid-sale')}/settlement.csv`, '-c', `${d('reversal-beside-its-paid-sale')}/contract.yaml`]).fee_mismatch).toBe(1);
  });

  it('a 冲正 is judged against the paid sale it may reverse: not the approved retry after it; a fee-and-net-only line or a blank 终端号 still counts (review AF)', () => {
    const d = 'fixtures/domain/reversal-retried-sale-and-blank-ids';
    const counts = (args: string[]) => (JSON.parse(posrecon(['reconcile', ...args, '-c', `${d}/contract.yaml`, '--format', 'json']).stdout) as { summary: { counts: Record<string, number> } }).summary.counts;
    expect(counts(['-t', `${d}/terminal.csv`, '-s', `${d}/settlement.csv`]).fee_mismatch).toBe(0);
    expect(counts(['-s', `${d}/settlement-net-only.csv`]).fee_mismatch).toBe(1);
    expect(counts(['-s', `${d}/settlement-blank-terminal.csv`]).fee_mismatch).toBe(1);
  });

  it('a 冲正 printed a second before its paid sale (clock skew), or dated the day after it, still owes the fee; one naming a timed-out sale by 原凭证号 does not, beside a paid sale of the same card (review AG)', () => {
    const d = 'fixtures/domain/reversal-clock-skew-and-dates';
    const counts = (args: string[]) => (JSON.parse(posrecon(['reconcile', ...args, '-c', `${d}/contract.yaml`, '--format', 'json']).stdout) as { summary: { counts: Record<string, number> } }).summary.counts;
    expect(counts(['-s', `${d}/settlement-reversal-before-sale-clock.csv`]).fee_mismatch).toBe(1);
    expect(counts(['-s', `${d}/settlement-date-only-across-midnight.csv`]).fee_mismatch).toBe(1);
    expect(counts(['-t', `${d}/terminal-timed-out-then-paid.csv`, '-s', `${d}/settlement-timed-out-then-paid.csv`]).fee_mismatch).toBe(0);
  });

  it('a void (撤销) returning no fee owes it, whatever terminal row an earlier day\'s reused trace points at (review AE)', () => {
    const d = 'fixtures/domain/void-trace-reused-on-another-day';
    const run = posrecon(['reconcile', '-t', `${d}/terminal-day1.csv`, `${d}/terminal-day2.csv`, '-s', `${d}/settlement.csv`, '-c', `${d}/contract.yaml`, '--format', 'json']);
    const json = JSON.parse(run.stdout) as { summary: { counts: Record<string, number>; totals: Record<string, string> } };
    expect(json.summary.counts.fee_mismatch).toBe(1);
    expect(json.summary.totals.feeOvercharge).toBe('6.00');
  });

  it('a void whose fee never came back is reported when the sale it cancels was approved (已撤销), or only guessed by amount and day (review AD)', () => {
    const d = 'fixtures/domain/void-of-approved-sale-marked-voided';
    for (const [t, s] of [['terminal.csv', 'settlement.csv'], ['terminal-declined-retry.csv', 'settlement-declined-retry.csv']]) {
      const json = JSON.parse(posrecon(['reconcile', '-t', `${d}/${t}`, '-s', `${d}/${s}`, '-c', `${d}/contract.yaml`, '--format', 'json']).stdout) as { summary: { counts: Record<string, number> } };
      expect(json.summary.counts.fee_mismatch).toBe(1);
    }
  });

  it('voids that return no fee are fee findings, never a rate change to "0.00%" (review AC #2)', () => {
    const { json } = reconcileJson('voids-returning-no-fee');
    expect(json.summary.counts).toMatchObject({ fee_mismatch: 5, fee_drift: 0 });
  });

  it("首刷 evidence is the merchant's own: another merchant's off-contract rate, or a line named 首刷, leaves a deposit its label (review AC #4)", () => {
    const d = 'fixtures/domain/first-swipe-beside-other-merchant';
    for (const file of ['settlement.csv', 'settlement-named.csv']) {
      const json = JSON.parse(posrecon(['reconcile', '-s', `${d}/${file}`, '-c', `${d}/contract.yaml`, '--format', 'json']).stdout) as { findings: JsonFinding[] };
      expect(json.findings.find((f) => f.kind === 'fee_mismatch' && f.settlement?.line === 2)?.details.first_swipe).toBe(true);
    }
  });

  it('on a T0 contract a 秒到 line keeps the contract\'s cycle: a Saturday sale paid on Monday is on time', () => {
    const { json } = reconcileJson('t0-instant-fee-saturday');
    expect(json.summary.counts).toMatchObject({ matched: 2, settled_late: 0 });
  });
});

describe('a void the acquirer cleared as well', () => {
  it('nets a cleared sale (+88.00) and its cleared void (−88.00) to zero: voided, no false alarm', () => {
    const { run, json } = reconcileJson('void-cleared-with-sale');
    expect(json.summary.counts).toMatchObject({ voided: 1, void_settled: 0, dropped_order: 0 });
    const voided = json.findings.find((f) => f.kind === 'voided')!;
    expect(voided.message).toMatch(/voided by fixtures\/domain\/void-cleared-with-sale\/terminal\.csv:3; the acquirer cleared the sale and its void \(fixtures\/domain\/void-cleared-with-sale\/settlement\.csv:3\): net ¥0\.00$/);
    expect(json.summary.totals.dropped).toBe('0.00');
    expect(run.code).toBe(0);
  });

  it('flags a cleared void whose sale never cleared: money taken back for a sale not paid', () => {
    const { run, json } = reconcileJson('void-cleared-without-sale');
    const dropped = json.findings.filter((f) => f.kind === 'dropped_order');
    expect(dropped).toHaveLength(1);
    expect(dropped[0].message).toMatch(/^Void of ¥88\.00 cleared .* but the sale it cancels never cleared/);
    expect(dropped[0].details.terminalStatus).toBe('voided');
    expect(json.summary.totals.dropped).toBe('0.00'); // a debit, not a charge to a customer
    expect(run.code).toBe(1);
  });
});

describe('identifiers Excel destroyed', () => {
  it('still reconciles by trace, and the table says which columns of which file to re-export as text', () => {
    const d = 'fixtures/domain/excel-mangled-ids';
    const run = posrecon(['reconcile', '-t', `${d}/terminal.csv`, '-s', `${d}/settlement.csv`, '-c', `${d}/contract.yaml`]);
    expect(run.stdout).toContain(`Note: ${d}/terminal.csv: unusable identifiers: 7 商户号 (e.g. 8.98310E+14), 7 参考号 (e.g. 2.5093E+11), 2 原参考号 (e.g. 2.5093E+11); matched by other keys where possible. Re-export with these columns as text.`);
    expect(run.stdout).toContain(' 4 matched');
  });
});

describe('a timed-out charge and its retry, both cleared, in files without RRN or trace', () => {
  it('stays for a person to pair, but says more lines settled than charges succeeded', () => {
    const { json } = reconcileJson('double-charge-without-keys');
    const ambiguous = json.findings.filter((f) => f.kind === 'ambiguous_match');
    expect(ambiguous).toHaveLength(2);
    for (const f of ambiguous) {
      expect(f.message).toMatch(/ — possible double charge: 2 lines settled for 1 successful charge\(s\)$/);
      expect(f.details.possibleDoubleCharge).toBe(true);
    }
  });
});

describe('an unreadable terminal row is only the row of a line it names in the same columns', () => {
  it('does not give one rejected row to two lines, nor match a trace against a batch number', () => {
    const { json } = reconcileJson('unreadable-row-claimed-twice');
    const dropped = json.findings.filter((f) => f.kind === 'dropped_order');
    expect(dropped.map((f) => f.details.terminalStatus).sort()).toEqual(['missing', 'unreadable']);
    expect(dropped.find((f) => f.details.terminalStatus === 'missing')!.message).toMatch(/^Card was charged ¥666\.00 .* but the terminal export has no such transaction$/);
    expect(json.summary.totals.dropped).toBe('666.00');
  });

  it('does not take a rejected refund naming the sale in 原参考号 for the sale itself', () => {
    const { json } = reconcileJson('unreadable-row-origref');
    const dropped = json.findings.find((f) => f.kind === 'dropped_order')!;
    // Not 'unreadable': the refund row is not the sale's. (The export holds 10-08 only, so the
    // 10-02 sale is also named as a date no terminal export covers: an export to add, no money
    // claimed until it is in.)
    expect(dropped.details.terminalStatus).toBe('no_export_for_date');
    expect(json.summary.totals.dropped).toBe('0.00');
  });
});

describe('a QR payment after the 23:00 cut-off', () => {
  it('belongs to the next business day by default, like a card (due 09-28, pending on 09-27)', () => {
    const { json } = reconcileJson('qr-payment-after-23');
    const f = json.findings.find((x) => x.kind === 'unsettled_pending')!;
    expect(f.details).toMatchObject({ businessDate: '2025-09-26', expectedDate: '2025-09-28' });
  });

  it('keeps its calendar date with settlement.qrCutoff: midnight, as WeChat and Alipay cut (overdue on 09-27)', () => {
    const d = 'fixtures/domain/qr-payment-after-23';
    const run = posrecon(['reconcile', '-t', `${d}/terminal.csv`, '-s', `${d}/settlement.csv`, '-c', `${d}/contract-qr-midnight.yaml`, '--format', 'json']);
    const json = JSON.parse(run.stdout) as { findings: JsonFinding[] };
    const f = json.findings.find((x) => x.kind === 'unsettled_overdue')!;
    expect(f.details).toMatchObject({ businessDate: '2025-09-25', expectedDate: '2025-09-26' });
  });
});

describe('首刷 on a fee, in a one-day file where every terminal starts', () => {
  it('calls a 99.00 deposit folded into the first fee 首刷, but not a debit cap the acquirer ignored', () => {
    const { json } = reconcileJson('first-lines-of-a-daily-file');
    const fees = json.findings.filter((f) => f.kind === 'fee_mismatch');
    expect(fees.map((f) => [f.actual, f.difference, f.details.first_swipe])).toEqual(
      expect.arrayContaining([['50.00', '30.00', false], ['105.00', '99.00', true]]),
    );
    expect(fees).toHaveLength(2);
    expect(fees.find((f) => f.actual === '50.00')!.message).toMatch(/cap 20\.00 not applied$/);
  });
});

describe('status and type words as terminals print them', () => {
  it('reads QR refunds and voids by the word they end with, response codes and negated success as failed, and rejects a status no vocabulary knows', () => {
    const { run, json } = reconcileJson('status-and-type-words', 'terminal.csv', 'settlement.csv', ['--as-of', '2025-10-20']);
    // 微信退款 is the refund of 微信支付 (both settled); 支付宝撤销 and 预授权完成撤销 void their sales.
    expect(json.summary.counts).toMatchObject({ matched: 4, voided: 2, no_settlement_expected: 3, unsettled_overdue: 0, dropped_order: 0 });
    const failed = json.findings.filter((f) => f.kind === 'no_settlement_expected').map((f) => f.message);
    expect(failed.sort()).toEqual(['消费 51-余额不足: no settlement expected, none found', '消费 交易不成功: no settlement expected, none found', '消费 未成功: no settlement expected, none found']);
    // 已打印 says nothing about whether the charge went through: the row is rejected, not called failed.
    expect(json.rejected).toEqual([
      expect.objectContaining({ line: 13, column: '交易状态', reason: expect.stringMatching(/^unknown status "已打印": cannot tell whether the charge went through \(add it to the profile's vocab.status\)$/) }),
    ]);
    expect(run.code).toBe(1);
    const table = posrecon(['reconcile', '-t', 'fixtures/domain/status-and-type-words/terminal.csv', '-s', 'fixtures/domain/status-and-type-words/settlement.csv', '-c', 'fixtures/domain/status-and-type-words/contract.yaml', '--as-of', '2025-10-20']);
    expect(table.stdout).toContain('No exceptions, but 1 row(s) could not be read (listed below)');
  });
});

describe('a WeChat Pay payout on a CMB statement', () => {
  it('is found by its 客户摘要 (微信支付结算…, from 财付通): the bank profile reads every memo column', () => {
    const d = 'fixtures/domain/wechat-payout-in-customer-memo';
    const run = posrecon(['reconcile', '-s', `${d}/settlement-wechat-20251014.csv`, '--bank', `${d}/bank-cmb.csv`, '-c', `${d}/contract.yaml`, '--as-of', '2025-10-20', '--format', 'json']);
    const json = JSON.parse(run.stdout) as { summary: { counts: Record<string, number> } };
    expect(json.summary.counts).toMatchObject({ payout_matched: 1, payout_missing: 0, bank_unrelated: 1 });
    expect(run.code).toBe(0);
  });
});

describe('a D0 settlement printing its add-on fee in a column of its own', () => {
  it('adds 秒到手续费 to the fee and reads 系统参考号(RRN): both lines match their contract fee and net', () => {
    const { run, json } = reconcileJson('d0-fee-in-own-column');
    expect(json.summary.counts).toMatchObject({ matched: 2, fee_mismatch: 0, net_mismatch: 0 });
    expect(json.summary.totals).toMatchObject({ fees: '10.70', net: '1311.86' });
    expect(run.code).toBe(0);
  });
});

describe('a T+1 sale missing from the settlement file of its due date', () => {
  const day1 = ['reconcile', '-t', 'fixtures/demo/terminal-2025-09-29.csv', '-s', 'fixtures/demo/settlement-2025-09-30.csv', '-c', 'fixtures/demo/contract.yaml', '--format', 'json'];
  const kindOf88 = (args: string[]) => {
    const json = JSON.parse(posrecon(args).stdout) as { asOfSource: string; findings: { kind: string; message: string }[] };
    return [json.asOfSource, json.findings.find((f) => f.message.includes('¥88.00'))?.kind];
  };

  it('is overdue (未到账) as of that file\'s date: the file is in and the line is not', () => {
    expect(kindOf88(day1)).toEqual(['latest settlement date in the settlement files', 'unsettled_overdue']);
  });

  it('is pending with an explicit --as-of of that day (the money may still come in that day)', () => {
    expect(kindOf88([...day1, '--as-of', '2025-09-30'])).toEqual(['--as-of', 'unsettled_pending']);
  });
});

describe('T+1 over New Year 2027, a year without a holiday file (review BB)', () => {
  const d = 'fixtures/domain/new-year-2027-without-calendar';
  it('counts 元旦 as off: the 12-31 sales paid on Monday 01-04 are on time, and the report says the year has no calendar', () => {
    const { json } = reconcileJson('new-year-2027-without-calendar');
    expect(json.summary.counts).toMatchObject({ settled_late: 0, matched: 3, unsettled_overdue: 0 });
    expect((json.summary as unknown as { missingCalendarYears: number[] }).missingCalendarYears).toEqual([2027]);
  });

  it('a --quiet run says so on stderr (a cron job learns its calendar ran out)', () => {
    const quiet = posrecon(['reconcile', '-t', `${d}/terminal.csv`, '-s', `${d}/settlement.csv`, '-c', `${d}/contract.yaml`, '--quiet']);
    expect([quiet.code, quiet.stdout]).toEqual([0, '']);
    expect(quiet.stderr).toBe('posrecon: no holiday calendar for 2027; only weekends and the fixed-date holidays (1 Jan, 1–2 May, 1–3 Oct) are treated as days off, not 春节, 清明, 端午, 中秋 or make-up working days (add the year\'s notice with --holidays FILE).\n');
    const dir = mkdtempSync(join(tmpdir(), 'posrecon-2027-'));
    const run = posrecon(['run', '--store', join(dir, 's.sqlite'), '-t', `${d}/terminal.csv`, '-s', `${d}/settlement.csv`, '-c', `${d}/contract.yaml`, '--quiet']);
    expect([run.code, run.stdout]).toEqual([0, '']);
    expect(run.stderr).toMatch(/^posrecon: no holiday calendar for 2027; /);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('a D+1 merchant whose settlement files stop over 国庆 (review BB)', () => {
  // D+1 pays every calendar day, holidays too: two days of terminal exports past the last
  // settlement file are two missed payouts, though 10-02 and 10-03 are no working days.
  const d = 'fixtures/domain/d1-feed-stops-over-guoqing';
  const args = (contract: string) => ['reconcile', '-t', `${d}/terminal.csv`, '-s', `${d}/settlement.csv`, '-c', contract, '--quiet'];

  it('is told after two calendar days, with --quiet on stderr', () => {
    const { json } = reconcileJson('d1-feed-stops-over-guoqing');
    expect((json.summary as unknown as { feedGap: unknown }).feedGap).toEqual({ terminalUntil: '2026-10-03', settlementUntil: '2026-10-01', workingDays: 0, calendarDays: 2, basis: 'calendar' });
    const quiet = posrecon(args(`${d}/contract.yaml`));
    expect([quiet.code, quiet.stdout]).toEqual([0, '']);
    expect(quiet.stderr).toMatch(/^posrecon: the terminal exports run to 2026-10-03, the settlement files only to 2026-10-01 \(2 days later; the contract pays every calendar day\)/);
  });

  it('under T+1 the same files are no gap: no working day has passed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'posrecon-d1-'));
    writeFileSync(join(dir, 't1.yaml'), readFileSync(`${ROOT}${d}/contract.yaml`, 'utf8').replace('cycle: D+1', 'cycle: T+1'));
    expect(posrecon(args(join(dir, 't1.yaml'))).stderr).toBe('');
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('a contract with grace days (review BB)', () => {
  // The demo's ¥88 sale is due 2025-09-30 (T+1) and never settles; 2 grace days make it overdue after 10-02.
  const dir = mkdtempSync(join(tmpdir(), 'posrecon-grace-'));
  const contract = join(dir, 'contract.yaml');
  writeFileSync(contract, readFileSync(`${ROOT}fixtures/demo/contract.yaml`, 'utf8').replace(/graceDays: \d+/, 'graceDays: 2'));
  const message88 = (asOf: string) => {
    const json = JSON.parse(posrecon(['reconcile', '-t', 'fixtures/demo/terminal-2025-09-29.csv', '-s', 'fixtures/demo/settlement-2025-09-30.csv', '-c', contract, '--as-of', asOf, '--format', 'json']).stdout) as { findings: { kind: string; message: string }[] };
    const f = json.findings.find((x) => x.message.includes('¥88.00'))!;
    return [f.kind, f.message.replace(/^.*; due /, 'due ')];
  };

  it('names the last day of grace on a pending sale past its due date, and on the overdue one', () => {
    expect(message88('2025-10-01')).toEqual(['unsettled_pending', 'due 2025-09-30 under T+1 (+2 grace days: overdue after 2025-10-02)']);
    expect(message88('2025-10-03')).toEqual(['unsettled_overdue', 'due 2025-09-30 under T+1 (+2 grace days: overdue after 2025-10-02)']);
  });
});

describe('terminal exports that run on for days past the last settlement file', () => {
  const d = 'fixtures/domain/settlement-feed-stopped';
  const args = ['reconcile', '-t', `${d}/terminal.csv`, '-s', `${d}/settlement.csv`, '-c', `${d}/contract.yaml`];
  it('are named in the report, and on stderr even with --quiet (a cron job learns the feed stopped)', () => {
    const { json } = reconcileJson('settlement-feed-stopped');
    expect((json.summary as unknown as { feedGap: unknown }).feedGap).toEqual({ terminalUntil: '2025-10-16', settlementUntil: '2025-10-13', workingDays: 3, calendarDays: 3, basis: 'working' });
    const quiet = posrecon([...args, '--quiet']);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toBe('');
    expect(quiet.stderr).toMatch(/^posrecon: the terminal exports run to 2025-10-16, the settlement files only to 2025-10-13 \(3 working days later\)/);
    // An explicit date judges them: no note.
    expect(posrecon([...args, '--as-of', '2025-10-20', '--quiet']).stderr).toBe('');
    // The daily run too, also when it writes its report to a file.
    const dir = mkdtempSync(join(tmpdir(), 'posrecon-feed-'));
    const run = posrecon(['run', '--store', join(dir, 's.sqlite'), '-t', `${d}/terminal.csv`, '-s', `${d}/settlement.csv`, '-c', `${d}/contract.yaml`, '--quiet', '-o', join(dir, 'r.json')]);
    expect([run.code, run.stdout]).toEqual([0, '']);
    expect(run.stderr).toMatch(/^posrecon: the terminal exports run to 2025-10-16/);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('a settled line of a date no terminal export covers', () => {
  it('is named as a missing export for that date, not a bare dropped order; a day inside an export\'s span stays a dropped order', () => {
    const run = posrecon(['reconcile', '-t', 'fixtures/demo/terminal-2025-09-30_10-09.csv', '-s', 'fixtures/demo/settlement-2025-09-30.csv', 'fixtures/demo/settlement-2025-10-09.csv', '-c', 'fixtures/demo/contract.yaml', '--format', 'json']);
    const json = JSON.parse(run.stdout) as { findings: JsonFinding[] };
    const dropped = json.findings.filter((f) => f.kind === 'dropped_order');
    const uncovered = dropped.filter((f) => f.details.terminalStatus === 'no_export_for_date');
    expect(uncovered.length).toBeGreaterThan(0);
    expect(uncovered[0].message).toMatch(/but no terminal export covers 2025-09-29 \(the terminal files hold 2025-09-30 … 2025-10-09\): add that day's export; if it is in, this is a dropped order$/);
    expect(dropped.filter((f) => f.details.terminalStatus === 'missing').every((f) => !f.message.includes('no terminal export covers'))).toBe(true);
  });
});

describe('a sale row whose status names its void or reversal (撤销成功, 冲正成功)', () => {
  it('was cancelled: settled anyway it is void_settled, not settled it is voided (not 未到账)', () => {
    const { run, json } = reconcileJson('sale-status-names-its-void', 'terminal.csv', 'settlement.csv', ['--as-of', '2025-05-08']);
    expect(run.code).toBe(1);
    // Before: 冲正成功 read as 成功 (a false ¥108.00 未到账) and 撤销成功 settled anyway a silent match.
    expect(json.summary.counts).toMatchObject({ void_settled: 2, voided: 1, matched: 0, unsettled_overdue: 0 });
    expect(json.findings.find((f) => f.kind === 'void_settled' && f.message.includes('撤销成功'))?.message).toMatch(/was marked 撤销成功 but settled anyway/);
  });
});

describe('a void naming its sale by a trace (原凭证号) another day\'s sale used too', () => {
  it('cancels the sale of its own day and amount, not yesterday\'s settled one', () => {
    const { run, json } = reconcileJson('void-trace-reused-next-day', 'terminal.csv', 'settlement.csv', ['--as-of', '2025-10-17']);
    // Before: linked to 10-14's 000123 (settled) → a false void_settled, and 10-15's sale unsettled_overdue.
    expect(run.code).toBe(0);
    expect(json.summary.counts).toMatchObject({ matched: 1, voided: 1, void_settled: 0, unsettled_overdue: 0 });
    const voided = json.findings.find((f) => f.kind === 'voided') as JsonFinding & { terminal: { line: number } };
    expect(voided.terminal.line).toBe(3);
  });

  it('still links a void printed without a time of day, and a 冲正 seconds after midnight under a midnight cut-off (review AJ)', () => {
    for (const dir of ['void-without-time-of-day', 'reversal-across-midnight-cutoff']) {
      const { run, json } = reconcileJson(dir, 'terminal.csv', 'settlement.csv', ['--as-of', '2025-10-20']);
      expect([dir, run.code, json.summary.counts.voided, json.summary.counts.unsettled_overdue]).toEqual([dir, 0, 1, 0]);
    }
  });
});

describe('a second acquirer on D+1 beside a T+1 one (settlement.merchants)', () => {
  it('judges each merchant\'s sale by its own cycle: D+1 overdue on 10-02, T+1 pending until after the holiday', () => {
    const { run, json } = reconcileJson('second-acquirer-own-cycle', 'terminal.csv', 'settlement.csv', ['--as-of', '2025-10-05']);
    expect(run.code).toBe(1);
    const overdue = json.findings.find((f) => f.kind === 'unsettled_overdue')!;
    // Before, one cycle for the whole contract: the 银联商务 sale stayed "not yet due" until 10-09.
    expect(overdue.details).toMatchObject({ businessDate: '2025-10-01', expectedDate: '2025-10-02' });
    expect(overdue.message).toMatch(/due 2025-10-02 under D\+1$/);
    const pending = json.findings.find((f) => f.kind === 'unsettled_pending')!;
    expect(pending.details).toMatchObject({ businessDate: '2025-10-01', expectedDate: '2025-10-09' });
    expect(json.summary.counts).toMatchObject({ matched: 2, settled_late: 0 });
  });

  it('applies the merchant\'s terms to an export printing no 商户号 whose rows matched that merchant\'s lines (review AJ)', () => {
    const { json } = reconcileJson('second-acquirer-own-cycle', 'terminal-without-merchant-id.csv', 'settlement.csv', ['--as-of', '2025-10-04']);
    expect(json.findings.find((f) => f.kind === 'unsettled_overdue')?.details).toMatchObject({ businessDate: '2025-10-01', expectedDate: '2025-10-02' });
    // The 23:30 sale is in the 10-02 batch under this merchant's midnight cut-off: paid on 10-03, not late.
    expect(json.summary.counts).toMatchObject({ matched: 2, settled_late: 0, unsettled_pending: 0 });
  });
});

describe('a settlement file printing no RRN or trace (review AH)', () => {
  it('pairs a line printing the same terminal, card and second as a row, at another amount: an amount mismatch, not a dropped order plus an unsettled sale', () => {
    const { json } = reconcileJson('same-swipe-settled-other-amount', 'terminal.csv', 'settlement.csv', ['--as-of', '2026-05-06']);
    expect(json.findings.map((f) => f.kind)).toEqual(['amount_mismatch']);
    expect(json.findings[0].difference).toBe('100.00');
    expect(json.summary.totals).toMatchObject({ dropped: '0.00', overdue: '0.00' });
  });

  it('lets the same second decide between a timed-out charge and its retry: a dropped order (double charge) with its money, not two ambiguous matches', () => {
    const { json } = reconcileJson('timeout-and-retry-without-keys', 'terminal.csv', 'settlement.csv', ['--as-of', '2026-01-05']);
    expect(json.summary.counts).toMatchObject({ dropped_order: 1, matched: 1, ambiguous_match: 0 });
    expect(json.findings.find((f) => f.kind === 'dropped_order')?.details.possibleDoubleCharge).toBe(true);
    expect(json.summary.totals.dropped).toBe('2824.40');
  });
});

describe('review AK: merchants, terminals and seconds', () => {
  it.each([
    // The only export given prints another 商户号 (the other acquirer's export forgotten).
    ['only-one-acquirers-export-given'],
    // One row of the export prints no 商户号: it must not make the export hold every merchant (review AM).
    ['export-with-one-row-printing-no-merchant'],
  ])('%s: the other acquirer\'s lines are a missing export, not dropped orders', (dir) => {
    const { json } = reconcileJson(dir, 'ums-terminal-20251014.csv', 'settlement.csv');
    const dropped = json.findings.filter((f) => f.kind === 'dropped_order');
    expect(dropped.length).toBeGreaterThan(0);
    expect(dropped.every((f) => f.details.terminalStatus === 'no_export_for_date')).toBe(true);
    expect(json.summary.totals.dropped).toBe('0.00');
  });

  it('a cash register serving two acquirers\' terminals: each terminal goes by the merchant its own rows matched', () => {
    const { json } = reconcileJson('cash-register-serving-two-acquirers', 'terminal.csv', 'settlement-ums.csv', ['--as-of', '2025-11-16']);
    // 50010001 (拉卡拉, T+1) matched nothing: the contract's T+1, not 银联商务's D+1 (a false 未到账 before).
    expect(json.summary.counts).toMatchObject({ matched: 1, unsettled_pending: 1, unsettled_overdue: 0 });
  });

  it('times printed to the minute decide nothing: two swipes in one minute stay a dropped order and an unsettled sale', () => {
    const { json } = reconcileJson('same-minute-two-swipes-without-keys', 'terminal.csv', 'settlement.csv', ['--as-of', '2025-05-09']);
    expect(json.summary.counts).toMatchObject({ dropped_order: 1, unsettled_overdue: 1, amount_mismatch: 0 });
  });
});

describe('a settled line later than the terminal export was taken (导出时间 in its title)', () => {
  it('says to add a later export, claiming no money; a line before the export time stays a dropped order', () => {
    const { json } = reconcileJson('settled-after-export-was-taken', 'terminal.csv', 'settlement.csv', ['--as-of', '2025-05-08']);
    const dropped = json.findings.filter((f) => f.kind === 'dropped_order');
    // Before: the 14:00 sale was "charged to customers … the terminal export has no such transaction",
    // though the export was taken at 08:00 that morning.
    expect(dropped.map((f) => [f.settlement?.line, f.details.terminalStatus])).toEqual([[5, 'missing'], [4, 'no_export_for_date']]);
    expect(dropped[1].message).toMatch(/but the terminal export of 2025-05-07 was taken at 08:00:00, before it: add a later export; if it is in, this is a dropped order$/);
    expect(json.summary.totals.dropped).toBe('150.00');
  });

  it('reads the export time beside a query period on one line, and one printed to the minute (review AL)', () => {
    const d = 'fixtures/domain/settled-after-export-was-taken';
    const dir = mkdtempSync(join(tmpdir(), 'posrecon-exported-'));
    try {
      const terminal = readFileSync(`${d}/terminal.csv`, 'utf8');
      // 07:45 is five minutes before the export's last row (07:50): two clocks; the row says when it
      // was taken, so the 07:55 line is past it too.
      const cases: [string, string, string[]][] = [
        ['both.csv', '导出时间：2025-05-07 08:00:00    查询时间：2025-05-06 00:00:00 至 2025-05-07 23:59:59', ['missing', 'no_export_for_date']],
        ['minute.csv', '导出时间：2025-05-07 08:00', ['missing', 'no_export_for_date']],
        ['skew.csv', '导出时间：2025-05-07 07:45:00', ['no_export_for_date', 'no_export_for_date']],
      ];
      for (const [name, line, want] of cases) {
        writeFileSync(join(dir, name), terminal.replace('导出时间：2025-05-07 08:00:00', line));
        const run = posrecon(['reconcile', '-t', join(dir, name), '-s', `${d}/settlement.csv`, '-c', `${d}/contract.yaml`, '--as-of', '2025-05-08', '--format', 'json']);
        const json = JSON.parse(run.stdout) as { findings: JsonFinding[] };
        expect([name, json.findings.filter((f) => f.kind === 'dropped_order').map((f) => f.details.terminalStatus)]).toEqual([name, want]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads no export time from a query period, nor from a time earlier than rows the export holds: the 14:00 line stays a dropped order', () => {
    const d = 'fixtures/domain/settled-after-export-was-taken';
    const dir = mkdtempSync(join(tmpdir(), 'posrecon-exported-'));
    try {
      const terminal = readFileSync(`${d}/terminal.csv`, 'utf8');
      for (const [name, line] of [['period.csv', '查询时间：2025-05-06 00:00:00 至 2025-05-07 08:00:00'], ['early.csv', '导出时间：2025-05-07 07:00:00']]) {
        writeFileSync(join(dir, name), terminal.replace('导出时间：2025-05-07 08:00:00', line));
        const run = posrecon(['reconcile', '-t', join(dir, name), '-s', `${d}/settlement.csv`, '-c', `${d}/contract.yaml`, '--as-of', '2025-05-08', '--format', 'json']);
        const json = JSON.parse(run.stdout) as { findings: JsonFinding[] };
        expect([name, json.findings.filter((f) => f.kind === 'dropped_order').map((f) => f.details.terminalStatus)]).toEqual([name, ['missing', 'missing']]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a shop with two acquirers, one of whose terminal exports for a day is missing', () => {
  const d = 'fixtures/domain/other-acquirer-export-of-the-day';
  const args = ['reconcile', '-t', `${d}/lakala-terminal-20251014.csv`, `${d}/lakala-terminal-20251015.csv`, `${d}/ums-terminal-20251014.csv`, '-s', `${d}/settlement.csv`, '-c', `${d}/contract.yaml`, '--format', 'json'];
  it('names the other merchant\'s lines of that day a missing export, claiming no money; the day\'s own dropped order stays one', () => {
    const run = posrecon(args);
    expect(run.code).toBe(1);
    const json = JSON.parse(run.stdout) as { findings: JsonFinding[]; summary: { totals: Record<string, string>; rows: Record<string, number> } };
    const dropped = json.findings.filter((f) => f.kind === 'dropped_order');
    // 拉卡拉's 10-15 export (it prints no 商户号: its merchant is that of the lines it matched)
    // says nothing of 银联商务's 10-15 sales: before, they were two dropped orders "charged to customers".
    expect(dropped.map((f) => [f.settlement?.line, f.details.terminalStatus])).toEqual([[5, 'missing'], [7, 'no_export_for_date'], [8, 'no_export_for_date']]);
    expect(dropped[1].message).toMatch(/but no terminal export covers 2025-10-15 \(the terminal files of merchant 898310058130002 hold 2025-10-14\): add that day's export/);
    expect(json.summary.totals.dropped).toBe('260.00');
    expect(posrecon(args.slice(0, -2)).stdout).toContain('3  dropped orders (掉单)             ¥260.00 charged to customers, missing or failed on the terminal; 2 beyond what the terminal exports cover: add that export');
  });
  it.each([
    // Its only line may be the dropped one (review AJ).
    ['dropped-order-of-merchant-without-exports', '2025-10-20', '800.00'],
    // An export mixing rows with and without 商户号 may hold it in the latter (review AL).
    ['terminal-export-mixing-merchant-column', '2025-05-09', '80.00'],
  ])('%s: a merchant no export is known to hold keeps its dropped order and the money claim', (dir, asOf, money) => {
    const { json } = reconcileJson(dir, 'terminal.csv', 'settlement.csv', ['--as-of', asOf]);
    expect(json.findings.filter((f) => f.kind === 'dropped_order').map((f) => f.details.terminalStatus)).toEqual(['missing']);
    expect(json.summary.totals.dropped).toBe(money);
  });

  it('gives the same report on the fast path, which reads the merchantless export\'s clean pairs in columns', () => {
    expect(posrecon(args, { POSRECON_ENGINE: 'columnar' }).stdout).toBe(posrecon(args).stdout);
  });
});

describe('two merchants, one of whose settlement files for the day is not in yet', () => {
  it('keeps merchant B\'s sale due 10-15 pending: only merchant A\'s 10-15 file is in', () => {
    const d = 'fixtures/domain/due-date-other-merchant-file';
    const run = posrecon(['reconcile', '-t', `${d}/terminal.csv`, '-s', `${d}/settlement-A-20251015.csv`, `${d}/settlement-B-20251014.csv`, '-c', `${d}/contract.yaml`, '--format', 'json']);
    const json = JSON.parse(run.stdout) as { asOf: string; summary: { counts: Record<string, number> } };
    expect(json.asOf).toBe('2025-10-15');
    expect(json.summary.counts).toMatchObject({ matched: 2, unsettled_pending: 1, unsettled_overdue: 0 });
    expect(run.code).toBe(0);
  });
});

describe('bank credits whose memos name the merchant (15-digit UnionPay merchant numbers)', () => {
  it('pay the payout of the merchant they name: the merchant number is no card number and stays readable', () => {
    const d = 'fixtures/domain/bank-memo-names-merchant';
    const run = posrecon(['reconcile', '-s', `${d}/settlement.csv`, '--bank', `${d}/bank.csv`, '-c', `${d}/contract.yaml`, '--as-of', '2025-10-20', '--format', 'json']);
    const json = JSON.parse(run.stdout) as { payouts: { merchantId: string; credits: { line: number }[] }[] };
    expect(json.payouts.map((p) => [p.merchantId, p.credits.map((c) => c.line)])).toEqual([
      ['898310058120001', [3]], ['898310058120002', [2]],
    ]);
  });
});

describe('the headline when nothing is wrong but little is known', () => {
  it('does not say every transaction ties out when none settled yet, nor when the settlement feed stopped', () => {
    const d = 'fixtures/domain/nothing-settled-yet';
    const pending = posrecon(['reconcile', '-t', `${d}/terminal.csv`, '-s', `${d}/settlement.csv`, '-c', `${d}/contract.yaml`, '--as-of', '2025-10-14']);
    expect(pending.code).toBe(0);
    expect(pending.stdout).toMatch(/\nNothing to act on yet: \d+ payment\(s\) not yet due, none settled so far\.\n/);
    const stopped = posrecon(['reconcile', '-t', 'fixtures/domain/settlement-feed-stopped/terminal.csv', '-s', 'fixtures/domain/settlement-feed-stopped/settlement.csv', '-c', 'fixtures/domain/settlement-feed-stopped/contract.yaml']);
    expect(stopped.stdout).toContain('No exceptions so far, but the settlement files stop at 2025-10-13');
    expect(stopped.stdout).not.toContain('All clear');
  });
});

describe('a terminal export printing no merchant id', () => {
  it('is overdue on its due date when the settlement file of that date is in (any merchant\'s lines could be its)', () => {
    const { json } = reconcileJson('due-date-terminal-without-merchant');
    expect(json.summary.counts).toMatchObject({ unsettled_overdue: 1, unsettled_pending: 0 });
  });
});

describe('the not-all-clear headlines in every format', () => {
  it('are not styled as all clear (no ✅, no allclear class), and a CSV report says a stopped feed on stderr', () => {
    const d = 'fixtures/domain/settlement-feed-stopped';
    const args = ['reconcile', '-t', `${d}/terminal.csv`, '-s', `${d}/settlement.csv`, '-c', `${d}/contract.yaml`];
    expect(posrecon([...args, '--format', 'markdown']).stdout).toContain('**No exceptions so far, but the settlement files stop at 2025-10-13');
    expect(posrecon([...args, '--format', 'html']).stdout).toContain('<p class="headline">No exceptions so far');
    expect(posrecon([...args, '--format', 'csv']).stderr).toMatch(/^posrecon: the terminal exports run to 2025-10-16/);
  });
});

describe('a settlement line its own file marks failed or unpaid', () => {
  it('交易失败 lines settle nothing: the timed-out charge is no dropped order, the successful sale is unsettled', () => {
    const { run, json } = reconcileJson('settlement-line-failed');
    expect(json.summary.counts).toMatchObject({ dropped_order: 0, unsettled_overdue: 1, fee_mismatch: 0, net_mismatch: 0, matched: 0 });
    const unpaid = json.findings.filter((f) => f.kind === 'no_settlement_expected' && f.settlement);
    expect(unpaid.map((f) => f.settlement?.line)).toEqual([2, 3]);
    expect(unpaid[0].message).toMatch(/^Settlement line says "交易失败": ¥100\.00 .* was not paid out, so it settles nothing$/);
    expect(json.summary.totals.settled).toBe('0.00');
    expect(run.code).toBe(1);
  });

  it('reads a 结算状态 column: 已结算 is paid, 未结算 and 结算失败 leave their sales unsettled', () => {
    const { json } = reconcileJson('settlement-status-column');
    expect(json.summary.counts).toMatchObject({ matched: 1, unsettled_overdue: 2 });
    expect(json.findings.filter((f) => f.kind === 'unsettled_overdue').map((f) => f.expected)).toEqual(['200.00', '300.00']);
  });
});

describe('a void after midnight', () => {
  it('cancels the late-evening sale of its business day (23:00 cut-off) when the export prints no original reference', () => {
    const { json } = reconcileJson('void-after-midnight', 'terminal.csv', 'settlement.csv', ['--as-of', '2025-10-20']);
    expect(json.summary.counts).toMatchObject({ voided: 2, unsettled_overdue: 0 });
  });
});

describe('a sale paid after the date the contract promises', () => {
  it('is matched, and said to be late (settled_late): T+1 sale of 10-14 paid 10-22; not an on-time line, a late-evening sale paid on its business day + 1, or a refund', () => {
    const { run, json } = reconcileJson('settled-after-due-date');
    expect(json.summary.counts).toMatchObject({ matched: 9, settled_late: 1 });
    const late = json.findings.filter((f) => f.kind === 'settled_late');
    expect(late.map((f) => f.settlement?.line)).toEqual([10]);
    expect(late[0].details).toMatchObject({ businessDate: '2025-10-14', dueDate: '2025-10-15', settleDate: '2025-10-22', daysLate: 7 });
    expect(json.summary.rows).toMatchObject({ matched: 18, flagged: 0 });
    expect(run.code).toBe(0); // informational: the money came
    expect(posrecon(['reconcile', '-t', 'fixtures/domain/settled-after-due-date/terminal.csv', '-s', 'fixtures/domain/settled-after-due-date/settlement.csv', '-c', 'fixtures/domain/settled-after-due-date/contract.yaml']).stdout)
      .toContain('  9 matched · 1 settled after the contract date');
  });

  it('under D0 says the 秒到 fee bought no same-day payout', () => {
    const d = 'fixtures/domain/settled-after-due-date';
    const run = posrecon(['reconcile', '-t', `${d}/terminal-d0.csv`, '-s', `${d}/settlement-d0.csv`, '-c', `${d}/contract-d0.yaml`, '--format', 'json']);
    const late = (JSON.parse(run.stdout) as { findings: JsonFinding[] }).findings.filter((f) => f.kind === 'settled_late');
    expect(late.map((f) => f.message)).toEqual([
      '¥100.00 (2025-10-14 10:00:00, terminal 10000001, RRN 730000000001, card 622848******1111) settled on 2025-10-17, 3 days after its due date 2025-10-14 under D0 — a 秒到 fee of ¥2.00 was charged for a same-day payout',
    ]);
  });
});

describe('review L: this session\'s fixes, held to what a user sees', () => {
  it('unpaid lines are left out of every total: settled, fees, net and the daily series', () => {
    const { json } = reconcileJson('settlement-status-column');
    expect(json.summary.totals).toMatchObject({ settled: '100.00', fees: '0.50', net: '99.50', overdue: '500.00' });
    expect((json.summary as unknown as { daily: unknown[] }).daily).toEqual([{ date: '2025-10-14', expected: '600.00', settled: '100.00', credited: null }]);
  });

  it('a positive 差错扣款 in a file printing deductions as positive amounts is money taken: the 695.00 bank credit pays the payout', () => {
    const d = 'fixtures/domain/chargeback-printed-positive';
    const run = posrecon(['reconcile', '-t', `${d}/terminal.csv`, '-s', `${d}/settlement.csv`, '--bank', `${d}/bank.csv`, '-c', `${d}/contract.yaml`, '--format', 'json']);
    const json = JSON.parse(run.stdout) as { summary: { counts: Record<string, number>; totals: Record<string, string> } };
    expect(json.summary.counts).toMatchObject({ extra_deduction: 2, deduction_returned: 0, payout_matched: 1, unexplained_credit: 0 });
    expect(json.summary.totals.extraDeductions).toBe('299.00');
  });

  it('a generic QR word in the 卡类型 column (扫码) does not hide the terminal\'s channel (云闪付 at 0.60%)', () => {
    const { run, json } = reconcileJson('qr-word-in-card-type-column');
    expect(json.summary.counts).toMatchObject({ matched: 2, fee_mismatch: 0 });
    expect(run.code).toBe(0);
  });

  it('a 清算日期(MMDD) column (no year) stays unmapped, as before: no row is rejected for it', () => {
    const { json } = reconcileJson('settlement-date-without-year');
    expect(json.summary.rows).toMatchObject({ rejected: 0, matched: 4 });
  });

  it('an all-zero placeholder id is not reported as destroyed by Excel', () => {
    const d = 'fixtures/domain/zero-placeholder-ids';
    const run = posrecon(['reconcile', '-t', `${d}/terminal.csv`, '-s', `${d}/settlement.csv`, '-c', `${d}/contract.yaml`]);
    expect(run.stdout).not.toContain('unusable identifiers');
    expect(run.code).toBe(0);
  });

  it('a contract\'s narrower channel rule (支付宝花呗 before 支付宝) stays narrow', () => {
    const run = posrecon(['reconcile', '-s', 'fixtures/fees/review-l/alipay-huabei-and-plain.csv', '-c', 'fixtures/fees/review-l/contract-huabei-rule-first.yaml', '--format', 'json']);
    const json = JSON.parse(run.stdout) as { summary: { counts: Record<string, number> } };
    expect(json.summary.counts.fee_mismatch).toBe(0);
    expect(run.code).toBe(0);
  });
});

describe('refunds that add up to more than their sale', () => {
  it('are flagged once, on the sale, with the settlement lines as evidence: two 退货 of 60.00 against a sale of 100.00', () => {
    const { run, json } = reconcileJson('refunds-beyond-sale');
    const beyond = json.findings.filter((f) => f.kind === 'refund_exceeds_sale');
    expect(beyond).toHaveLength(1);
    expect(beyond[0]).toMatchObject({ expected: '100.00', actual: '120.00', difference: '20.00', details: { side: 'settlement', refunds: 2 } });
    expect(beyond[0].settlement?.line).toBe(2);
    expect(run.code).toBe(1);
  });

  it('are found on the terminal export alone when no refund has settled yet', () => {
    const d = 'fixtures/domain/refunds-beyond-sale';
    const run = posrecon(['reconcile', '-t', `${d}/terminal.csv`, '-s', 'fixtures/demo/settlement-2025-09-30.csv', '-c', `${d}/contract.yaml`, '--as-of', '2025-10-01', '--format', 'json']);
    const beyond = (JSON.parse(run.stdout) as { findings: JsonFinding[] }).findings.filter((f) => f.kind === 'refund_exceeds_sale');
    expect(beyond.map((f) => [f.difference, f.details.side])).toEqual([['20.00', 'terminal']]);
  });
});
describe('review N: deduction signs, wallets, shared RRNs, T0', () => {
  const bankJson = (dir: string) => {
    const d = `fixtures/domain/${dir}`;
    const run = posrecon(['reconcile', '-t', `${d}/terminal.csv`, '-s', `${d}/settlement.csv`, '--bank', `${d}/bank.csv`, '-c', `${d}/contract.yaml`, '--format', 'json']);
    return { run, json: JSON.parse(run.stdout) as { summary: { counts: Record<string, number>; totals: Record<string, string> } } };
  };

  it('positive lines saying 退还多收取手续费 or 误扣款返还 pay money back: the 1,044.00 credit pays the payout', () => {
    const { run, json } = bankJson('money-back-words');
    expect(json.summary.counts).toMatchObject({ deduction_returned: 2, extra_deduction: 0, payout_matched: 1, unexplained_credit: 0 });
    expect(run.code).toBe(0);
  });

  it('a positive 差错 line in a file that prints its deductions negative reverses the −200.00 差错扣款', () => {
    const { json } = bankJson('adjustment-reversed-in-signed-file');
    expect(json.summary.counts).toMatchObject({ extra_deduction: 1, deduction_returned: 1, payout_matched: 1, unexplained_credit: 0 });
    expect(json.summary.totals.extraDeductions).toBe('200.00');
  });

  it('支付宝花呗 printed in the 卡类型 column matches the contract rule channel: 支付宝花呗', () => {
    const { run, json } = reconcileJson('huabei-in-card-type-column');
    expect(json.summary.counts.fee_mismatch).toBe(0);
    expect(run.code).toBe(0);
  });

  it('a refund names the sale of its own merchant when two merchants\' sales share an RRN', () => {
    const { run, json } = reconcileJson('rrn-shared-by-two-merchants');
    expect(json.summary.counts.refund_exceeds_sale).toBe(0);
    expect(run.code).toBe(0);
  });

  it('review O: a fee-only line (printed positive) does not make a file "signed": its bare positive 调账 stays money taken', () => {
    const d = 'fixtures/domain/fee-only-line-in-unsigned-file';
    const run = posrecon(['reconcile', '-t', `${d}/terminal.csv`, '-s', `${d}/settlement.csv`, '--bank', `${d}/bank.csv`, '-c', `${d}/contract.yaml`, '--as-of', '2025-10-20', '--format', 'json']);
    const json = JSON.parse(run.stdout) as { summary: { counts: Record<string, number>; totals: Record<string, string> }; payouts: { expected: string }[] };
    expect(json.summary.counts).toMatchObject({ extra_deduction: 2, deduction_returned: 0, payout_matched: 1, payout_missing: 0, unexplained_credit: 0 });
    // The net the lines pay is what the payout expects (review U: the fee-only 年费 was left out, the 调账 added).
    expect(json.summary.totals.net).toBe(json.payouts[0].expected);
    expect(json.summary.totals.net).toBe('695.00');
  });

  it('review O: a chargeback saying 持卡人退款 is money taken', () => {
    const d = 'fixtures/domain/chargeback-says-refund';
    const run = posrecon(['reconcile', '-t', `${d}/terminal.csv`, '-s', `${d}/settlement.csv`, '--bank', `${d}/bank.csv`, '-c', `${d}/contract.yaml`, '--as-of', '2025-10-20', '--format', 'json']);
    const json = JSON.parse(run.stdout) as { summary: { counts: Record<string, number>; totals: Record<string, string> } };
    expect(json.summary.counts).toMatchObject({ extra_deduction: 2, deduction_returned: 0, payout_matched: 1, unexplained_credit: 0 });
    expect(json.summary.totals.extraDeductions).toBe('299.00');
  });

  it.each(['rrn-shared-terminal-no-merchant', 'rrn-shared-settlement-no-merchant'])('review O (%s): a refund row printing no merchant names the sale of its pair\'s merchant and terminal', (dir) => {
    const { run, json } = reconcileJson(dir);
    expect(json.summary.counts).toMatchObject({ refund_exceeds_sale: 0, fee_mismatch: 0, matched: 3 });
    expect(run.code).toBe(0);
  });

  it('review P: a refund keyed at another counter of the shop still names its sale (over-refund found; a capped sale\'s share of fee back is right)', () => {
    expect(reconcileJson('refund-at-another-counter').json.summary.counts).toMatchObject({ refund_exceeds_sale: 1, fee_mismatch: 0 });
    const capped = reconcileJson('capped-refund-at-another-counter');
    expect(capped.json.summary.counts).toMatchObject({ fee_mismatch: 0, matched: 3 });
    expect(capped.run.code).toBe(0);
  });

  it.each(['deduction-taken-then-given-back', 'wrong-deduction-reversed-in-signed-file'])('review P (%s): a deduction given back (扣款退回, 误扣款冲回) lets the bank credit pay the payout', (dir) => {
    const d = `fixtures/domain/${dir}`;
    const run = posrecon(['reconcile', '-t', `${d}/terminal.csv`, '-s', `${d}/settlement.csv`, '--bank', `${d}/bank.csv`, '-c', `${d}/contract.yaml`, '--format', 'json']);
    const json = JSON.parse(run.stdout) as { summary: { counts: Record<string, number> } };
    expect(json.summary.counts).toMatchObject({ deduction_returned: 1, payout_matched: 1, unexplained_credit: 0, payout_missing: 0 });
  });

  it('review Q: a refund does not name a sale printing no merchant id on another terminal (another merchant\'s export)', () => {
    const d = 'fixtures/domain/refund-sale-without-merchant-elsewhere';
    const run = posrecon(['reconcile', '-t', `${d}/terminal-m1.csv`, `${d}/terminal-m2.csv`, '-s', `${d}/settlement.csv`, '-c', `${d}/contract.yaml`, '--format', 'json']);
    const json = JSON.parse(run.stdout) as { summary: { counts: Record<string, number> } };
    expect(json.summary.counts.refund_exceeds_sale).toBe(0);
    expect(run.code).toBe(0);
  });

  it('review R: a keyless line saying 退还多收取手续费 or a bare 差错 is an adjustment, never a dropped order; the file\'s signs say the 差错\'s direction', () => {
    const d = 'fixtures/domain/money-back-line-without-deduction-word';
    const counts = (settlement: string) =>
      (JSON.parse(posrecon(['reconcile', '-t', `${d}/terminal.csv`, '-s', `${d}/${settlement}`, '-c', `${d}/contract.yaml`, '--format', 'json']).stdout) as { summary: { counts: Record<string, number> } }).summary.counts;
    expect(counts('settlement.csv')).toMatchObject({ dropped_order: 0, deduction_returned: 2, extra_deduction: 1 }); // 流量费 printed −48.00
    expect(counts('settlement-unsigned.csv')).toMatchObject({ dropped_order: 0, deduction_returned: 1, extra_deduction: 2 }); // 流量费 printed 48.00
  });

  it('under T0 a Saturday sale paid on Monday is on time', () => {
    const { json } = reconcileJson('t0-sale-on-saturday');
    expect(json.summary.counts.settled_late).toBe(0);
  });
});

describe('a settlement file with a dated 小计 line after each day', () => {
  it('reads the subtotal lines as summary lines, not as charges the terminal never took', () => {
    const { run, json } = reconcileJson('settlement-daily-subtotal-lines');
    expect(json.summary.counts).toMatchObject({ matched: 3, dropped_order: 0, fee_unverified: 0 });
    expect(json.summary.totals.settled).toBe('350.00');
    expect(json.summary.rows).toEqual({ read: 6, matched: 6, flagged: 0, informational: 0, rejected: 0 });
    expect(run.code).toBe(0);
  });
});

describe('a QR refund the terminal prints under its original order number', () => {
  it.each([['terminal.csv', 'with its own 退款单号 beside it'], ['terminal-without-refund-number.csv', 'and nothing else']])('%s (%s) matches the WeChat REFUND line keyed by 商户退款单号', (terminal) => {
    const { run, json } = reconcileJson('qr-refund-with-own-number', terminal, 'settlement.csv', ['--as-of', '2026-02-24']);
    expect(json.summary.counts).toMatchObject({ matched: 5, dropped_order: 0, unsettled_overdue: 0 });
    expect(run.code).toBe(0);
  });
});

describe('a settlement file printing 手续费 and 结算金额 but no 交易金额', () => {
  it('compares net + fee with the terminal amount, not the net', () => {
    const { run, json } = reconcileJson('settlement-without-amount-column');
    expect(run.code).toBe(1);
    // Lines 2–4 tie out at net + fee (995.00 + 5.00 = 1000.00); the net alone had been an amount mismatch per line.
    expect(json.summary.counts).toMatchObject({ matched: 2, amount_mismatch: 1, fee_mismatch: 1, extra_deduction: 1 });
    const mismatch = json.findings.find((f) => f.kind === 'amount_mismatch')!;
    expect(mismatch.settlement?.line).toBe(5);
    expect(mismatch.message).toContain('Terminal shows ¥300.00 but ¥299.00 was settled');
    const fee = json.findings.find((f) => f.kind === 'fee_mismatch')!;
    expect([fee.settlement?.line, fee.expected, fee.actual]).toEqual([3, '3.00', '3.50']);
    // The deposit line's blank fee is no part of any amount: it stays a ¥99.00 deduction.
    expect(json.findings.find((f) => f.kind === 'extra_deduction')?.actual).toBe('99.00');
    expect(json.summary.totals).toMatchObject({ settled: '7799.00', fees: '30.29', net: '7669.71' });
  });

  it('by magnitude: a fee printed −5.00 beside a net of 995.00, a refund of net −497.00 returning a fee printed 3.00 (review AJ)', () => {
    const { run, json } = reconcileJson('settlement-without-amount-fee-signs', 'terminal.csv', 'settlement.csv', ['--as-of', '2025-10-16']);
    expect([run.code, json.summary.counts.matched, json.summary.counts.amount_mismatch]).toEqual([0, 3, 0]);
  });
});

describe('a settlement file printing no settlement date, with lines after the cut-off', () => {
  it('takes as proven the latest transaction date it prints, not the business day after the cut-off, and dates a deduction by its own day', () => {
    // Lines of 2025-11-05 and 11-06, one sale at 23:30 and a 流量费 stamped 23:59:59 (cut-off
    // 23:00): the file proves nothing of business day 11-07. A sale of 11-05 missing from it is
    // due 11-06 under T+1, so pending on 11-06, not overdue.
    const { run, json } = reconcileJson('calendar-day-files-with-late-lines');
    expect(run.stdout).toContain('"asOf": "2025-11-06"');
    expect(json.summary.counts.unsettled_overdue).toBe(0);
    expect(json.summary.counts.unsettled_pending).toBe(1);
    // A 流量费 of 10-31 23:59:59 is October's, the one of 11-06 November's: each within its
    // month's 48.00, neither moved into the next day (or month) by the card cut-off.
    const allowed = json.findings.filter((f) => f.kind === 'allowed_deduction');
    expect(allowed.map((f) => f.message)).toEqual([
      expect.stringContaining('on 2025-10-31'),
      expect.stringContaining('on 2025-11-06'),
    ]);
    expect(json.summary.counts.extra_deduction).toBe(0);
    expect(run.code).toBe(0);
    // The fast path (whose clean pairs include the 23:30 sale) proves the same date.
    const d = 'fixtures/domain/calendar-day-files-with-late-lines';
    const columnar = posrecon(['reconcile', '-t', `${d}/terminal.csv`, '-s', `${d}/settlement.csv`, '-c', `${d}/contract.yaml`, '--format', 'json', '--verbose'], { POSRECON_ENGINE: 'columnar' });
    expect(columnar.stderr).toMatch(/^posrecon: fast path: 2 clean pairs counted in columns/);
    expect(columnar.stdout).toBe(run.stdout);
  });
});

describe('a first-swipe deposit the same evening as a first sale after the cut-off', () => {
  it('is still named 首刷扣费: the deposit is dated by its own day, the sale by its business day', () => {
    const { json } = reconcileJson('first-swipe-deposit-after-late-first-sale');
    const deposit = json.findings.filter((f) => f.kind === 'extra_deduction');
    expect(deposit).toHaveLength(1);
    expect(deposit[0].message).toContain('deducted on 2025-11-06 (terminal 10000004) from the terminal\'s first payout (首刷扣费)');
    expect(deposit[0].details.first_swipe).toBe(true);
  });
});
