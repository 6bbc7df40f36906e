// A cashier's bad afternoon (review CB): a trace reused in the next batch, a retry on the other
// terminal, failed voids and reversals. Fixtures in fixtures/domain/, named after the case.
import { describe, expect, it } from 'vitest';
import { posrecon } from '../cli/run.js';

interface JsonFinding {
  kind: string;
  message: string;
  details: Record<string, unknown>;
  terminal: { line: number } | null;
  settlement: { line: number } | null;
  related: { line: number }[];
}

function reconcileJson(dir: string) {
  const d = `fixtures/domain/${dir}`;
  const run = posrecon(['reconcile', '-t', `${d}/terminal.csv`, '-s', `${d}/settlement.csv`, '-c', `${d}/contract.yaml`, '--format', 'json']);
  const json = JSON.parse(run.stdout) as { summary: { counts: Record<string, number>; totals: Record<string, string>; rows: Record<string, number> }; findings: JsonFinding[] };
  const r = json.summary.rows;
  expect(r.read).toBe(r.matched + r.flagged + r.informational + r.rejected);
  return { run, json };
}

describe('a trace number reused in the next batch', () => {
  it("pairs Saturday's line with Saturday's sale of the same card and second, not Friday's timed-out charge under the same 凭证号", () => {
    const { run, json } = reconcileJson('trace-reused-in-next-batch');
    expect(json.summary.counts).toMatchObject({ matched: 2, no_settlement_expected: 1, dropped_order: 0, unsettled_overdue: 0 });
    const failed = json.findings.find((f) => f.kind === 'no_settlement_expected')!;
    expect(failed.terminal!.line).toBe(3);
    expect(json.summary.totals).toMatchObject({ dropped: '0.00', overdue: '0.00' });
    expect(run.code).toBe(0);
  });
});

describe('a retry on the other terminal', () => {
  it('names the successful charge of the same card on another terminal as a possible double charge; a QR payment (no card) only on its own terminal', () => {
    const { json } = reconcileJson('retry-on-another-terminal');
    const dropped = json.findings.filter((f) => f.kind === 'dropped_order');
    expect(dropped).toHaveLength(2);
    const card = dropped.find((f) => f.terminal!.line === 3)!;
    expect(card.details.possibleDoubleCharge).toBe(true);
    expect(card.related.map((r) => r.line)).toEqual([4]);
    expect(card.message).toContain('followed at 2025-11-14 14:04:30 on terminal 10000002 (fixtures/domain/retry-on-another-terminal/terminal.csv:4)');
    const qr = dropped.find((f) => f.terminal!.line === 5)!;
    expect(qr.details.possibleDoubleCharge).toBe(false);
    expect(qr.related).toEqual([]);
  });
});

describe('a failed reversal and a failed void', () => {
  it('are one finding each ("cancels nothing"), so the failed-row count agrees with the row account', () => {
    const { json } = reconcileJson('failed-reversal-and-failed-void');
    const failed = json.findings.filter((f) => f.kind === 'no_settlement_expected');
    expect(failed.map((f) => [f.terminal!.line, f.message]).sort()).toEqual([
      [4, '冲正 交易失败: cancels nothing'],
      [6, '消费撤销 交易失败: cancels nothing'],
    ]);
    expect(json.summary.counts.no_settlement_expected).toBe(2);
    expect(json.summary.rows.informational).toBe(2);
  });
});

describe('what is no retry on another terminal (review CD)', () => {
  it('a success on another terminal before the failed try, or a match of last-four-only masks (or of a bare 5678), is no double charge', () => {
    const { json } = reconcileJson('no-retry-across-terminals');
    const dropped = json.findings.filter((f) => f.kind === 'dropped_order');
    expect(dropped.map((f) => [f.terminal!.line, f.details.possibleDoubleCharge])).toEqual(expect.arrayContaining([[3, false], [5, false], [6, false]]));
    expect(dropped.every((f) => f.related.length === 0)).toBe(true);
  });

  it('a refund settled at another counter is never called a double charge of its sale', () => {
    const { json } = reconcileJson('refund-at-another-counter-no-double-charge');
    const refund = json.findings.find((f) => f.kind === 'dropped_order')!;
    expect(refund.message).toMatch(/^Refund of ¥300\.00 settled .* but the terminal export has no such refund$/);
    expect(refund.details.possibleDoubleCharge).toBe(false);
  });
});

describe('a QR order logged 用户支付中, then 成功, under one 商户订单号 (review CG)', () => {
  it('pairs the wallet line with the 成功 row even when its second is nearer the 用户支付中 row', () => {
    const { run, json } = reconcileJson('qr-order-paying-then-paid');
    expect(json.summary.counts).toMatchObject({ matched: 1, no_settlement_expected: 1, dropped_order: 0, unsettled_pending: 0, unsettled_overdue: 0 });
    expect(json.findings.find((f) => f.kind === 'no_settlement_expected')!.terminal!.line).toBe(2);
    expect(run.code).toBe(0);
  });
});

describe('a timed-out charge and a success under one trace (review CI)', () => {
  it('are two charges: the line 2 s from the timed-out row is its (a possible double charge), not the success 88 s away', () => {
    const { run, json } = reconcileJson('timeout-and-success-under-one-trace');
    expect(json.summary.counts).toMatchObject({ dropped_order: 1, unsettled_overdue: 1 });
    expect(json.findings.find((f) => f.kind === 'dropped_order')!.details.possibleDoubleCharge).toBe(true);
    expect(run.code).toBe(1);
  });
});
