// The four matching passes, each on the smallest example that needs it.
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { defaultContract, loadContract, type Contract } from '../../src/contract/contract.js';
import { reconcileBank } from '../../src/bank/reconcileBank.js';
import { expectedPayouts } from '../../src/bank/payouts.js';
import { MAX_SPLIT_CANDIDATES, subsetsSummingTo } from '../../src/bank/matchPayouts.js';
import type { CanonicalRecord } from '../../src/model.js';
import { bankRow, payoutCredit, settlementLine } from './records.js';
import { loadBuiltinCalendar } from '../../src/calendar/calendar.js';

const M1 = '898310058120001';
const M2 = '898310058120002';

function run(settlement: CanonicalRecord[], bank: CanonicalRecord[], asOf = '2025-11-30', contract: Contract = defaultContract()) {
  const result = reconcileBank({ settlement, bank, contract, asOf });
  const kinds: Record<string, number> = {};
  for (const f of result.findings) kinds[f.kind] = (kinds[f.kind] ?? 0) + 1;
  const status = (merchant: string, date: string) => result.payouts.find((o) => o.payout.merchantId === merchant && o.payout.date === date)?.status;
  return { result, kinds, status };
}

describe('expected payouts', () => {
  it('sum net as printed per merchant and settlement date, deductions taking money', () => {
    const payouts = expectedPayouts(
      [
        settlementLine({ settleDate: '2025-11-03', net: '995.00', amount: '1000.00', fee: '5.00' }),
        settlementLine({ settleDate: '2025-11-03', net: '99.50', amount: '100.00', fee: '0.50' }),
        settlementLine({ settleDate: '2025-11-03', net: '-48.00', deduction: '流量费' }),
        settlementLine({ settleDate: '2025-11-03', net: '500.00', merchantId: M2 }),
        settlementLine({ settleDate: '2025-11-04', net: '10.00' }),
      ],
      defaultContract(),
    );
    expect(payouts.map((p) => [p.key, p.amount.toFixed(2), p.lines.length, p.windowEnd])).toEqual([
      [`${M1}|2025-11-03`, '1046.50', 3, '2025-11-06'],
      [`${M2}|2025-11-03`, '500.00', 1, '2025-11-06'],
      [`${M1}|2025-11-04`, '10.00', 1, '2025-11-07'],
    ]);
    expect(payouts[0].deductions.toFixed(2)).toBe('-48.00');
    expect(payouts[0].fees.toFixed(2)).toBe('5.50');
  });

  it('expect whole fen from a net stored unrounded: amount less the fee rounded as the contract says (review AO)', () => {
    // A workbook's computed fee 6.1728 and net 1228.3922, each shown to 2 places: the acquirer
    // pays 1228.39, not a fraction of a fen; a net with no fee beside it rounds half-up.
    const [p] = expectedPayouts(
      [
        settlementLine({ settleDate: '2025-11-04', amount: '1234.56', fee: '6.1728', net: '1228.3922' }),
        settlementLine({ settleDate: '2025-11-04', amount: '128.00', fee: '0.6425', net: '127.3575' }),
        settlementLine({ settleDate: '2025-11-04', net: '10.005' }),
      ],
      defaultContract(),
    );
    expect(p.amount.toFixed()).toBe(new Decimal('1228.39').plus('127.36').plus('10.01').toFixed());
    // A net that is no amount − fee at all (the net check flags the line) is paid as printed, to the fen (review AR).
    const [q] = expectedPayouts([settlementLine({ settleDate: '2025-11-04', amount: '1235.00', fee: '6.175', net: '1218.825' })], defaultContract());
    expect(q.amount.toFixed(2)).toBe('1218.83');
    // A refund returning its fee, in every sign convention a file prints it in (review AS).
    for (const [amount, fee, net] of [['-102.50', '-0.615', '-101.885'], ['-102.50', '0.615', '-101.885'], ['102.50', '-0.615', '-101.885']]) {
      const [refund] = expectedPayouts([{ ...settlementLine({ settleDate: '2025-11-04', amount, fee, net }), txnType: 'refund' }], defaultContract());
      expect(refund.amount.toFixed(2)).toBe('-101.88');
    }
  });

  it('keep a window of at least as many working days: a payout due before National Day may be booked after it', () => {
    const calendar = loadBuiltinCalendar();
    const [holiday, weekday] = expectedPayouts(
      [settlementLine({ settleDate: '2025-09-30', net: '577.10' }), settlementLine({ settleDate: '2025-11-03', net: '10.00' })],
      defaultContract(),
      calendar,
    );
    // 3 calendar days would end 10-03, mid-holiday; the 3rd working day after 09-30 is Sat 10-11 (a make-up day).
    expect(holiday.windowEnd).toBe('2025-10-11');
    expect(weekday.windowEnd).toBe('2025-11-06');
  });

  it('are missing once a statement covers their window and runs past it, whatever date the settlement files reach; pending as of a given date', () => {
    const settlement = [settlementLine({ settleDate: '2025-11-03', net: '100.00' })];
    const row = (time: string, file: string) => bankRow({ time, debit: '50.00', counterparty: '某餐厅', file });
    const judge = (bank: CanonicalRecord[], asOfGiven = false) => reconcileBank({ settlement, bank, contract: defaultContract(), asOf: '2025-11-04', asOfGiven }).payouts[0].status;
    // One statement from 11-01 to 11-20: the window 11-03 … 11-06 saw no credit.
    expect(judge([row('2025-11-01 09:00:00', 'oct-nov.csv'), row('2025-11-20 12:00:00', 'oct-nov.csv')])).toBe('missing');
    expect(judge([row('2025-11-01 09:00:00', 'oct-nov.csv'), row('2025-11-20 12:00:00', 'oct-nov.csv')], true)).toBe('pending'); // --as-of 2025-11-04
    // Two statements, a gap between them over the window: nothing proven.
    expect(judge([row('2025-11-01 09:00:00', 'a.csv'), row('2025-11-02 09:00:00', 'a.csv'), row('2025-11-10 09:00:00', 'b.csv'), row('2025-11-20 09:00:00', 'b.csv')])).toBe('pending');
    // Two statements that join up: covered.
    expect(judge([row('2025-11-01 09:00:00', 'a.csv'), row('2025-11-04 09:00:00', 'a.csv'), row('2025-11-05 09:00:00', 'b.csv'), row('2025-11-20 09:00:00', 'b.csv')])).toBe('missing');
  });

  it('count weekly statements a weekend apart as one cover (banks book nothing on days off)', () => {
    const settlement = [settlementLine({ settleDate: '2025-10-17', net: '199.00' })];
    const row = (time: string, file: string) => bankRow({ time, debit: '50.00', counterparty: '某餐厅', file });
    const bank = [row('2025-10-13 09:00:00', 'w42.csv'), row('2025-10-17 09:00:00', 'w42.csv'), row('2025-10-20 09:00:00', 'w43.csv'), row('2025-10-24 09:00:00', 'w43.csv')];
    const result = reconcileBank({ settlement, bank, contract: defaultContract(), asOf: '2025-10-17', calendar: loadBuiltinCalendar() });
    expect(result.payouts[0]).toMatchObject({ status: 'missing' });
  });

  it('group by payout id where the file prints one, dated by its latest line', () => {
    const payouts = expectedPayouts(
      [
        settlementLine({ settleDate: '2025-11-03', net: '100.00', payoutId: 'P1' }),
        settlementLine({ settleDate: '2025-11-04', net: '200.00', payoutId: 'P1' }),
        settlementLine({ settleDate: '2025-11-04', net: '300.00', payoutId: 'P2' }),
      ],
      defaultContract(),
    );
    expect(payouts.map((p) => [p.payoutId, p.date, p.amount.toFixed(2)])).toEqual([
      ['P1', '2025-11-04', '300.00'],
      ['P2', '2025-11-04', '300.00'],
    ]);
  });

  it('a payout of zero or less expects no credit and is not reported', () => {
    const { kinds, status } = run([settlementLine({ settleDate: '2025-11-03', net: '-99.00', deduction: '押金' })], []);
    expect(status(M1, '2025-11-03')).toBe('nothing_due');
    expect(kinds).toEqual({});
  });
});

describe('pass 1: exact amount', () => {
  it('pairs inside the window only: settlement date … +3 calendar days', () => {
    const lines = [settlementLine({ settleDate: '2025-11-03', net: '1000.00' })];
    expect(run(lines, [payoutCredit('2025-11-06 10:00:00', '1000.00')]).status(M1, '2025-11-03')).toBe('matched');
    expect(run(lines, [payoutCredit('2025-11-07 10:00:00', '1000.00')]).status(M1, '2025-11-03')).toBe('missing');
    expect(run(lines, [payoutCredit('2025-11-02 10:00:00', '1000.00')]).status(M1, '2025-11-03')).toBe('missing');
  });

  // Review CA: a customer's transfer of the same amount must not answer "did the acquirer pay?".
  it("a private person's transfer saying 结算款, or booked by BOC as 银联入账, is no payout; a credit naming the acquirer wins a tie", () => {
    const lines = [settlementLine({ settleDate: '2025-11-03', net: '1449.13' })];
    const customer = payoutCredit('2025-11-03 08:00:00', '1449.13', { memo: '货款结算款', counterparty: '王五' });
    const boc = payoutCredit('2025-11-03 08:30:00', '1449.13', { memo: '银联入账 转账', counterparty: '张*' });
    const missing = run(lines, [customer, boc]);
    expect(missing.kinds).toEqual({ payout_missing: 1, bank_unrelated: 2 });
    // With the acquirer's own credit the same day, that one pays, whichever was booked first.
    const acquirer = payoutCredit('2025-11-03 09:30:00', '1449.13', { memo: '商户结算款', counterparty: '银联商务股份有限公司' });
    const company = payoutCredit('2025-11-03 08:00:00', '1449.13', { memo: '结算款', counterparty: '某某商贸有限公司' });
    const paid = run(lines, [company, acquirer]);
    expect(paid.result.payouts[0].credits).toEqual([acquirer]);
    expect(paid.kinds).toEqual({ payout_matched: 1, unexplained_credit: 1 });
    // A strong payout word (清算款) keeps a person-named credit a candidate, and so does the contract's `acquirers`.
    expect(run(lines, [payoutCredit('2025-11-03 09:00:00', '1449.13', { memo: 'POS清算款', counterparty: '王五' })]).kinds).toEqual({ payout_matched: 1 });
    expect(run(lines, [customer], '2025-11-30', loadContract('acquirers: ["王五"]\n', 'c.yaml')).kinds).toEqual({ payout_matched: 1 });
    // An acquirer's short name is no person (review CD): 通联 (通联支付), 富友, 汇付.
    for (const counterparty of ['通联', '富友', '汇付']) {
      expect(run(lines, [payoutCredit('2025-11-03 09:00:00', '1449.13', { memo: '结算款', counterparty })]).kinds, counterparty).toEqual({ payout_matched: 1 });
    }
  });

  it('a longer payoutWindowDays widens the window', () => {
    const contract = loadContract('payoutWindowDays: 5\n', 'c.yaml');
    const { status } = run([settlementLine({ settleDate: '2025-11-03', net: '1000.00' })], [payoutCredit('2025-11-08 10:00:00', '1000.00')], '2025-11-30', contract);
    expect(status(M1, '2025-11-03')).toBe('matched');
  });

  it('ties go to the credit that names the merchant, then to the nearest date', () => {
    const lines = [
      settlementLine({ settleDate: '2025-11-03', net: '1234.50', merchantId: M1 }),
      settlementLine({ settleDate: '2025-11-03', net: '1234.50', merchantId: M2 }),
    ];
    const named = payoutCredit('2025-11-03 10:00:00', '1234.50', { memo: `POS清算 ${M2}` });
    const later = payoutCredit('2025-11-04 10:00:00', '1234.50');
    const { result } = run(lines, [named, later]);
    const paidBy = (m: string) => result.payouts.find((o) => o.payout.merchantId === m)!.credits[0];
    expect(paidBy(M2)).toBe(named);
    expect(paidBy(M1)).toBe(later);

    // Without the hint, the nearest date decides: M1 (first by key) and M2 both settle on 11-03.
    const a = payoutCredit('2025-11-05 10:00:00', '500.00');
    const b = payoutCredit('2025-11-03 10:00:00', '500.00');
    const { result: r2 } = run([settlementLine({ settleDate: '2025-11-03', net: '500.00' }), settlementLine({ settleDate: '2025-11-05', net: '500.00' })], [a, b]);
    expect(r2.payouts.map((o) => o.credits[0])).toEqual([b, a]);
  });

  it('a credit naming another merchant does not pay this one', () => {
    const { status, kinds } = run(
      [settlementLine({ settleDate: '2025-11-03', net: '800.00', merchantId: M1 }), settlementLine({ settleDate: '2025-11-01', net: '1.00', merchantId: M2 })],
      [payoutCredit('2025-11-03 10:00:00', '800.00', { memo: `结算款 ${M2}` })],
    );
    expect(status(M1, '2025-11-03')).toBe('missing');
    expect(kinds.unexplained_credit).toBe(1);
  });
});

describe('pass 2: one credit for consecutive settlement dates', () => {
  const weekend = [
    settlementLine({ settleDate: '2025-11-07', net: '100.00' }),
    settlementLine({ settleDate: '2025-11-08', net: '200.00' }),
    settlementLine({ settleDate: '2025-11-09', net: '300.00' }),
  ];

  it('pays Friday to Sunday with one Monday credit', () => {
    const { result, kinds } = run(weekend, [payoutCredit('2025-11-10 09:00:00', '600.00')]);
    expect(result.payouts.map((o) => o.status)).toEqual(['merged', 'merged', 'merged']);
    expect(kinds).toEqual({ payout_matched: 3 });
    expect(result.findings[0].details).toMatchObject({ mode: 'merged', mergedWith: '2025-11-08,2025-11-09' });
  });

  it('needs the credit inside the window of the latest date', () => {
    // Booked before the latest date (11-09): it cannot already pay Sunday.
    expect(run(weekend, [payoutCredit('2025-11-08 09:00:00', '600.00')]).result.payouts.map((o) => o.status)).toEqual(['missing', 'missing', 'missing']);
    expect(run(weekend, [payoutCredit('2025-11-13 09:00:00', '600.00')]).result.payouts.map((o) => o.status)).toEqual(['missing', 'missing', 'missing']);
  });

  it('nets a deduction-only day into the merged credit', () => {
    const days = [weekend[0], settlementLine({ settleDate: '2025-11-08', net: '-99.00', deduction: '押金' }), weekend[2]];
    const { result, kinds } = run(days, [payoutCredit('2025-11-10 09:00:00', '301.00')]);
    expect(result.payouts.map((o) => [o.payout.date, o.payout.amount.toFixed(2), o.status])).toEqual([
      ['2025-11-07', '100.00', 'merged'],
      ['2025-11-08', '-99.00', 'merged'],
      ['2025-11-09', '300.00', 'merged'],
    ]);
    expect(kinds).toEqual({ payout_matched: 3 });
  });

  it('never merges payouts of two merchants or skips a day', () => {
    const twoMerchants = [settlementLine({ settleDate: '2025-11-07', net: '100.00' }), settlementLine({ settleDate: '2025-11-08', net: '200.00', merchantId: M2 })];
    expect(run(twoMerchants, [payoutCredit('2025-11-10 09:00:00', '300.00')]).kinds.unexplained_credit).toBe(1);
    // 11-07 + 11-09 = 400 skips 11-08 (paid on its own): not consecutive.
    const skip = run(weekend, [payoutCredit('2025-11-09 09:00:00', '200.00'), payoutCredit('2025-11-10 09:00:00', '400.00')]);
    expect(skip.status(M1, '2025-11-07')).toBe('missing');
  });
});

describe('pass 3: several credits for one payout', () => {
  it('finds the per-terminal credits that add up exactly', () => {
    const { result, kinds } = run(
      [settlementLine({ settleDate: '2025-11-05', net: '1000.00' })],
      [payoutCredit('2025-11-05 10:00:00', '400.00'), payoutCredit('2025-11-05 11:00:00', '250.00'), payoutCredit('2025-11-06 10:00:00', '600.00')],
    );
    expect(result.payouts[0].status).toBe('split');
    expect(result.payouts[0].credits.map((c) => c.credit!.toFixed(2))).toEqual(['400.00', '600.00']);
    expect(kinds).toEqual({ payout_matched: 1, unexplained_credit: 1 });
  });

  it('reports more than one fitting set as ambiguous_payout and holds the credits', () => {
    const { result, kinds } = run(
      [settlementLine({ settleDate: '2025-11-05', net: '1000.00' })],
      ['300.00', '700.00', '400.00', '600.00'].map((a, i) => payoutCredit(`2025-11-05 1${i}:00:00`, a)),
    );
    expect(kinds).toEqual({ ambiguous_payout: 1 });
    expect(result.payouts[0].candidates?.length).toBe(2);
    expect([...result.rows.values()]).toEqual(['ambiguous', 'ambiguous', 'ambiguous', 'ambiguous']);
    expect([...result.dispositions.values()].every((d) => d === 'flagged')).toBe(true);
  });

  it(`looks at no more than the ${MAX_SPLIT_CANDIDATES} nearest credits, and says so`, () => {
    // 16 small credits on the settlement date, and the two that fit on the last day of the window.
    const near = Array.from({ length: MAX_SPLIT_CANDIDATES }, (_, i) => payoutCredit(`2025-11-05 ${String(8 + (i % 12)).padStart(2, '0')}:0${i % 6}:00`, (0.01 + 0.02 * i).toFixed(2)));
    const far = [payoutCredit('2025-11-08 10:00:00', '7.00'), payoutCredit('2025-11-08 11:00:00', '8.00')];
    const exactOnly = loadContract('payoutTolerance: { rate: "0%", amount: "0.00" }\n', 'c.yaml'); // no pass 4
    const { result } = run([settlementLine({ settleDate: '2025-11-05', net: '15.00' })], [...near, ...far], '2025-11-30', exactOnly);
    expect(result.payouts[0].status).toBe('missing');
    expect(result.payouts[0].note).toBe('split search looked at the 16 nearest of 18 candidate credits');
    expect(result.findings.find((f) => f.kind === 'payout_missing')?.message).toMatch(/16 nearest of 18/);
    // With fewer small credits the far pair is searched and found.
    const found = run([settlementLine({ settleDate: '2025-11-05', net: '15.00' })], [...near.slice(0, 10), ...far], '2025-11-30', exactOnly);
    expect(found.result.payouts[0].status).toBe('split');
  });

  it('subset search: exact decimals, sets of two or more', () => {
    const cs = ['0.10', '0.20', '0.30'].map((a) => payoutCredit('2025-11-05', a));
    expect(subsetsSummingTo(cs, new Decimal('0.30')).map((s) => s.map((c) => c.credit!.toString()))).toEqual([['0.2', '0.1']]);
    expect(subsetsSummingTo(cs, new Decimal('0.60')).length).toBe(1);
  });
});

describe('pass 4: the closest credit within tolerance', () => {
  const payout = [settlementLine({ settleDate: '2025-11-05', net: '1000.00', amount: '1005.00', fee: '5.00' })];

  it('short within ¥50 (2% of 1000 is only 20), with a same-day bank debit as the likely cause', () => {
    const credit = payoutCredit('2025-11-06 10:00:00', '955.00');
    const fee = bankRow({ time: '2025-11-06 10:01:00', debit: '45.00', memo: '手续费', counterparty: '某银行' });
    const { result, kinds } = run(payout, [credit, fee]);
    // The bank's own 手续费 is no acquirer debit; the short payout names it as the likely cause.
    expect(kinds).toEqual({ payout_short: 1, bank_unrelated: 1 });
    const short = result.findings.find((f) => f.kind === 'payout_short')!;
    expect(short.difference?.toFixed(2)).toBe('-45.00');
    expect(short.details.cause).toBe('bank_debit');
    expect(short.message).toMatch(/bank-side deduction of ¥45\.00 on the same day/);
    expect(result.dispositions.get(credit)).toBe('flagged');
  });

  it('beyond the tolerance the payout is missing and the credit unexplained', () => {
    const { kinds } = run(payout, [payoutCredit('2025-11-06 10:00:00', '949.99')]);
    expect(kinds).toEqual({ payout_missing: 1, unexplained_credit: 1 });
  });

  it('over: fees not deducted', () => {
    const { result } = run(payout, [payoutCredit('2025-11-06 10:00:00', '1005.00')]);
    expect(result.payouts[0]).toMatchObject({ status: 'over', cause: { code: 'fees_not_deducted' } });
  });

  it('the tolerance is configurable in the contract', () => {
    const contract = loadContract('payoutTolerance: { rate: "1%", amount: "5.00" }\n', 'c.yaml');
    expect(run(payout, [payoutCredit('2025-11-06 10:00:00', '991.00')], '2025-11-30', contract).kinds).toEqual({ payout_short: 1 });
    expect(run(payout, [payoutCredit('2025-11-06 10:00:00', '989.99')], '2025-11-30', contract).kinds).toEqual({ payout_missing: 1, unexplained_credit: 1 });
  });

  it('two equally close credits on the same day are ambiguous, not guessed', () => {
    const { kinds } = run(payout, [payoutCredit('2025-11-06 10:00:00', '990.00'), payoutCredit('2025-11-06 11:00:00', '1010.00')]);
    expect(kinds).toEqual({ ambiguous_payout: 1 });
  });

  it('exact matches win over near ones, whatever the order', () => {
    const two = [settlementLine({ settleDate: '2025-11-05', net: '1000.00' }), settlementLine({ settleDate: '2025-11-05', net: '990.00', merchantId: M2 })];
    const credits = [payoutCredit('2025-11-06 10:00:00', '990.00'), payoutCredit('2025-11-06 11:00:00', '1000.00')];
    for (const bank of [credits, [...credits].reverse()]) {
      const { result } = run(two, bank);
      expect(result.payouts.map((o) => o.status)).toEqual(['matched', 'matched']);
    }
  });
});

describe('pass 5: several credits, together within tolerance', () => {
  const payout = [settlementLine({ settleDate: '2025-11-05', net: '5691.34' })];

  it('a payout paid per terminal and short by a withheld ¥30.00 is short, with both credits', () => {
    const credits = [payoutCredit('2025-11-06 10:00:00', '3488.31'), payoutCredit('2025-11-06 10:05:00', '2173.03')];
    const { result, kinds } = run(payout, credits);
    // Before: no single credit came near, so the payout was missing (未到账) and both credits unexplained.
    expect(kinds).toEqual({ payout_short: 1 });
    expect(result.payouts[0]).toMatchObject({ status: 'short' });
    expect(result.payouts[0].difference?.toFixed(2)).toBe('-30.00');
    const short = result.findings.find((f) => f.kind === 'payout_short')!;
    expect(short.message).toMatch(/credited ¥5,661\.34 in 2 credits: ¥3,488\.31 on 2025-11-06 .*, ¥2,173\.03 on 2025-11-06 .*: ¥30\.00 short/);
    expect(credits.map((c) => result.dispositions.get(c))).toEqual(['flagged', 'flagged']);
  });

  it('a single near credit or an exact set claims first', () => {
    const single = run(payout, [payoutCredit('2025-11-06 10:00:00', '5661.34'), payoutCredit('2025-11-06 11:00:00', '3000.00'), payoutCredit('2025-11-06 11:05:00', '2650.00')]);
    expect(single.result.payouts[0].credits.map((c) => c.credit!.toFixed(2))).toEqual(['5661.34']);
    expect(single.kinds).toEqual({ payout_short: 1, unexplained_credit: 2 });
  });

  it('several sets within tolerance are ambiguous, not guessed', () => {
    const { result, kinds } = run(payout, ['3488.31', '2173.03', '2200.00'].map((a, i) => payoutCredit(`2025-11-06 1${i}:00:00`, a)));
    expect(kinds).toEqual({ ambiguous_payout: 1 });
    expect(result.payouts[0].candidates?.length).toBe(2);
    expect(result.findings[0].message).toMatch(/fits 2 sets of bank credits within tolerance \(none exactly\)/);
  });

  it('claims closest first across payouts: a bounced payout does not take the next day\'s per-terminal credits', () => {
    const settlement = [settlementLine({ settleDate: '2025-11-04', net: '1990.00' }), settlementLine({ settleDate: '2025-11-05', net: '1980.05' })];
    const credits = [payoutCredit('2025-11-05 10:00:00', '1200.00'), payoutCredit('2025-11-05 10:05:00', '775.05')];
    for (const bank of [credits, [...credits].reverse()]) {
      const { status } = run(settlement, bank);
      // Both payouts' windows hold both credits: 11-05's is ¥5.00 short, 11-04's would be ¥14.95.
      expect([status(M1, '2025-11-04'), status(M1, '2025-11-05')]).toEqual(['missing', 'short']);
    }
  });

  it('a payout whose rival can no longer claim keeps its one fitting set (review AK)', () => {
    const settlement = ['3000.00', '10000.00', '20000.00'].map((net, i) => settlementLine({ settleDate: `2025-11-0${3 + i}`, net }));
    const bank = ['1000.00', '1995.00', '7905.00', '11995.00'].map((a, i) => payoutCredit(`2025-11-05 10:0${i}:00`, a));
    const { status } = run(settlement, bank);
    expect([status(M1, '2025-11-03'), status(M1, '2025-11-04'), status(M1, '2025-11-05')]).toEqual(['short', 'missing', 'short']);
  });

  it('one set left that two open payouts want is for a person, whatever the order (review AL)', () => {
    const settlement = [
      settlementLine({ settleDate: '2025-11-04', net: '1000.00', merchantId: M1 }),
      settlementLine({ settleDate: '2025-11-04', net: '1000.00', merchantId: M2 }),
      settlementLine({ settleDate: '2025-11-05', net: '999.00', merchantId: '898310058120003' }),
    ];
    const bank = [['2025-11-04 10:00:00', '500.00'], ['2025-11-04 10:01:00', '495.00'], ['2025-11-05 10:02:00', '600.00'], ['2025-11-05 10:03:00', '398.00']].map(([t, a]) => payoutCredit(t, a));
    for (const [s, b] of [[settlement, bank], [[...settlement].reverse(), [...bank].reverse()]]) {
      const { status } = run(s, b);
      expect([status(M1, '2025-11-04'), status(M2, '2025-11-04'), status('898310058120003', '2025-11-05')]).toEqual(['ambiguous', 'ambiguous', 'short']);
    }
  });

  it('beyond the tolerance the payout is still missing', () => {
    const { kinds } = run(payout, [payoutCredit('2025-11-06 10:00:00', '3000.00'), payoutCredit('2025-11-06 10:05:00', '2000.00')]);
    expect(kinds).toEqual({ payout_missing: 1, unexplained_credit: 2 });
  });
});

// Review CA: 国庆 paid in one credit less a ¥2.00 transfer fee.
describe('pass 6: one credit within tolerance of consecutive payouts', () => {
  const week = ['2025-11-07', '2025-11-08', '2025-11-09'].map((d, i) => settlementLine({ settleDate: d, net: `${(i + 1) * 100}.00` }));
  it('is one short lump sum on the latest payout (the others merged into it), not three payouts 未到账 and an unexplained credit', () => {
    const credit = payoutCredit('2025-11-10 09:00:00', '598.00');
    const { result, kinds } = run(week, [credit]);
    expect(kinds).toEqual({ payout_matched: 2, payout_short: 1 });
    expect(result.payouts.map((o) => [o.payout.date, o.status, o.credited?.toFixed(2)])).toEqual([
      ['2025-11-07', 'merged', '100.00'],
      ['2025-11-08', 'merged', '200.00'],
      ['2025-11-09', 'short', '298.00'],
    ]);
    const short = result.findings.find((f) => f.kind === 'payout_short')!;
    expect(short.message).toMatch(/^Payouts of 2025-11-07 … 2025-11-09 \(3 payouts, ¥600\.00 together; .*\) arrived in one credit of ¥598\.00 on 2025-11-10 .*: ¥2\.00 short/);
    expect([short.expected?.toString(), short.actual?.toString(), short.difference?.toString()]).toEqual(['600', '598', '-2']);
    expect(result.findings.filter((f) => f.kind === 'payout_matched').every((f) => f.message.endsWith('(the credit is ¥2.00 short: see the payout of 2025-11-09)'))).toBe(true);
    expect(result.totals.credited.toFixed(2)).toBe('598.00');
    expect(result.totals.short.toFixed(2)).toBe('2.00');
  });
  it('puts the difference on the latest payout that expected money, not on a deduction-only day netted in (the property found it)', () => {
    const days = [settlementLine({ settleDate: '2025-11-01', net: '300.00' }), settlementLine({ settleDate: '2025-11-02', net: '-0.10', deduction: '押金' })];
    // ¥50.10 short of the 300.00 alone (beyond the ¥50 tolerance), ¥50.00 short of the two together.
    const { result, kinds } = run(days, [payoutCredit('2025-11-02 10:00:00', '249.90')]);
    expect(result.payouts.map((o) => [o.payout.date, o.status])).toEqual([['2025-11-01', 'short'], ['2025-11-02', 'merged']]);
    expect(kinds).toEqual({ payout_short: 1, payout_matched: 1 });
  });
  it('takes no credit above the run, nor one giving money back (review CE: a 押金退还 near two held days)', () => {
    const held = [settlementLine({ settleDate: '2025-11-04', net: '45.20' }), settlementLine({ settleDate: '2025-11-05', net: '38.10' })];
    expect(run(held, [payoutCredit('2025-11-05 15:00:00', '99.00', { memo: '结算款' })]).kinds).toEqual({ payout_missing: 2, unexplained_credit: 1 });
    expect(run(held, [payoutCredit('2025-11-05 15:00:00', '80.00', { memo: '押金退还' })]).kinds).toEqual({ payout_missing: 2, unexplained_credit: 1 });
    // Review CF: 退押金 and 保证金 too; 差错 and 调账 say no direction (差错扣款), and 扣押金 is a payout less its deposit.
    const deposits = [settlementLine({ settleDate: '2025-11-04', net: '150.00' }), settlementLine({ settleDate: '2025-11-05', net: '160.00' })];
    for (const memo of ['退押金', '保证金返还', '押金']) {
      expect(run(deposits, [payoutCredit('2025-11-05 15:00:00', '299.00', { memo })]).kinds, memo).toEqual({ payout_missing: 2, unexplained_credit: 1 });
    }
    const one = [settlementLine({ settleDate: '2025-11-05', net: '1000.00' })];
    for (const memo of ['结算款(差错调整后)', '清算款 差错扣款', '结算款 扣调账20.00', '结算款 已扣押金20.00']) {
      expect(run(one, [payoutCredit('2025-11-05 15:00:00', '980.00', { memo })]).kinds, memo).toEqual({ payout_short: 1 });
    }
  });
  it('a single payout near the credit claims first; beyond the tolerance nothing is merged', () => {
    expect(run(week, [payoutCredit('2025-11-10 09:00:00', '299.00')]).kinds).toEqual({ payout_short: 1, payout_missing: 2 });
    expect(run(week, [payoutCredit('2025-11-10 09:00:00', '700.00')]).kinds).toEqual({ payout_missing: 3, unexplained_credit: 1 });
  });
});

// Review CA: domain.md §4, a payout can bounce (退票): money never arrives though settlement says paid.
describe('a payout the bank returned (退汇)', () => {
  const lines = [settlementLine({ settleDate: '2025-11-05', net: '888.68' })];
  it('is not received: the payout is missing, naming the credit and the return; the return is no fee debit', () => {
    const credit = payoutCredit('2025-11-05 10:02:00', '888.68', { memo: `POS清算款 ${M1}` });
    const back = bankRow({ time: '2025-11-05 16:20:00', debit: '888.68', memo: `退汇 原清算款 ${M1}`, counterparty: '拉卡拉支付股份有限公司' });
    const { result, kinds } = run(lines, [credit, back]);
    expect(kinds).toEqual({ payout_missing: 1, credit_returned: 1 });
    expect(result.findings.find((f) => f.kind === 'payout_missing')!.message).toMatch(/; a credit of ¥888\.68 on 2025-11-05 \(bank\.csv:\d+\) was returned \(退汇\) on 2025-11-05/);
    expect(result.findings.find((f) => f.kind === 'credit_returned')!.related).toEqual([credit, back]);
    // It names the settlement lines the payout is made of (review CA: the accountant had to find them by hand).
    const line = lines[0].source;
    expect(result.findings.find((f) => f.kind === 'payout_missing')!.message.endsWith(`; its lines: ${line.file}:${line.line}`)).toBe(true);
    expect([result.rows.get(credit), result.rows.get(back)]).toEqual(['returned', 'returned']);
    expect(result.totals.credited.toFixed(2)).toBe('0.00');
    expect(result.totals.unexplainedDebits.toFixed(2)).toBe('0.00');
  });
  it('a 退汇 of another amount, or from another counterparty, returns nothing', () => {
    const credit = payoutCredit('2025-11-05 10:02:00', '888.68');
    const other = bankRow({ time: '2025-11-05 16:20:00', debit: '888.68', memo: '退汇', counterparty: '张三' });
    expect(run(lines, [credit, other]).kinds).toMatchObject({ payout_matched: 1 });
  });
});

describe('not credited', () => {
  const lines = [settlementLine({ settleDate: '2025-11-05', net: '1000.00' })];
  it('is pending until as-of passes the end of the window, missing after', () => {
    expect(run(lines, [], '2025-11-08').kinds).toEqual({ payout_pending: 1 });
    expect(run(lines, [], '2025-11-09').kinds).toEqual({ payout_missing: 1 });
  });
  // Review CA: an October statement beside September's settlement files. Review CD: a quiet
  // settlement account whose first row is the first payout after a freeze looks the same, and
  // the held payouts are the point: still 未到账, saying where the statement starts.
  it('stays missing when its window closed before the statement starts, and says so (an earlier statement, or payouts held)', () => {
    const rent = (day: string) => bankRow({ time: `${day} 09:00:00`, debit: '10.00', memo: '房租' });
    const far = run(lines, [rent('2025-11-12')], '2025-11-20');
    expect(far.kinds).toEqual({ payout_missing: 1, bank_unrelated: 1 });
    expect(far.result.findings.find((f) => f.kind === 'payout_missing')!.message).toMatch(/; the bank statement starts on 2025-11-12, after this window closed: if an earlier statement shows the credit, it arrived — else ask the acquirer \(payouts held\?\)/);
    expect(far.result.notes).toContain('1 payout(s) not credited (¥1,000.00) were due before the bank statement starts on 2025-11-12: give the statement of those days, or ask the acquirer whether it held them');
    // A statement that starts inside the window judges the payout, and says where it starts.
    const inside = run(lines, [rent('2025-11-07')], '2025-11-20');
    expect(inside.result.findings.find((f) => f.kind === 'payout_missing')!.message).toMatch(/statement starts on 2025-11-07, after the window opened/);
  });
  it('says when the statement ends before the window closes', () => {
    const { result } = run(lines, [bankRow({ time: '2025-11-06 09:00:00', debit: '10.00', memo: '房租' })], '2025-11-20');
    expect(result.findings.find((f) => f.kind === 'payout_missing')?.message).toMatch(/statement ends on 2025-11-06/);
  });
});

describe('acquirer and fee debits', () => {
  const contract = loadContract('fees:\n  allowedDeductions:\n    - { label: "流量费", amount: "48.00", per: year }\n', 'c.yaml');
  it('are allowed within the contract budget, flagged beyond it, unrelated when neither', () => {
    const { kinds, result } = run(
      [settlementLine({ settleDate: '2025-11-05', net: '1.00' })],
      [
        bankRow({ time: '2025-11-05 09:00:00', debit: '48.00', memo: '流量费', counterparty: '拉卡拉支付股份有限公司' }),
        bankRow({ time: '2025-11-06 09:00:00', debit: '48.00', memo: 'SIM卡流量费' }),
        bankRow({ time: '2025-11-06 10:00:00', debit: '300.00', memo: 'POS机押金', counterparty: '某某科技' }),
        bankRow({ time: '2025-11-06 11:00:00', debit: '12.00', memo: '银联消费', counterparty: '银联无卡支付业务' }),
        payoutCredit('2025-11-05 10:00:00', '1.00'),
      ],
      '2025-11-06',
      contract,
    );
    expect(kinds).toEqual({ allowed_deduction: 1, unexplained_debit: 2, bank_unrelated: 1, payout_matched: 1 });
    expect([...result.rows.values()].sort()).toEqual(['allowed_deduction', 'payout', 'unexplained_debit', 'unexplained_debit', 'unrelated']);
  });

  it('leave the bank\'s own fees and a business\'s other debits alone: 手续费, 年费, 扣款, 服务费, 押金 need the acquirer or the POS beside them', () => {
    const { kinds, result } = run(
      [settlementLine({ settleDate: '2025-11-05', net: '1.00' })],
      [
        bankRow({ time: '2025-11-05 09:00:00', debit: '356.20', memo: '电费代扣款', counterparty: '国网上海市电力公司' }),
        bankRow({ time: '2025-11-05 09:10:00', debit: '120.00', memo: '税款扣款', counterparty: '国家税务总局上海市税务局' }),
        bankRow({ time: '2025-11-05 09:20:00', debit: '2000.00', memo: '个人经营贷款自动扣款', counterparty: '中国工商银行' }),
        bankRow({ time: '2025-11-05 09:30:00', debit: '2.00', memo: '跨行转账手续费' }),
        bankRow({ time: '2025-11-05 09:40:00', debit: '10.00', memo: '借记卡年费' }),
        bankRow({ time: '2025-11-05 09:50:00', debit: '2.00', memo: '短信通知服务费' }),
        bankRow({ time: '2025-11-05 09:55:00', debit: '5000.00', memo: '房租押金 RENT DEPOSIT', counterparty: '张三' }),
        bankRow({ time: '2025-11-05 09:56:00', debit: '300.00', memo: '个体工商户定额税款扣款', counterparty: '国家税务总局上海市税务局' }),
        bankRow({ time: '2025-11-05 09:57:00', debit: '500.00', memo: '商户服务费', counterparty: '美团' }),
        bankRow({ time: '2025-11-05 09:58:00', debit: '8000.00', memo: '购农机具款' }),
        bankRow({ time: '2025-11-05 09:59:00', debit: '199.00', memo: '智能终端分期扣款', counterparty: '中国移动' }),
        bankRow({ time: '2025-11-06 08:00:00', debit: '99.00', memo: '终端服务费', counterparty: '某某科技' }),
        bankRow({ time: '2025-11-06 08:10:00', debit: '99.00', memo: '服务费', counterparty: '银商' }),
        bankRow({ time: '2025-11-06 08:20:00', debit: '99.00', memo: '年费', counterparty: 'LAKALA' }),
        payoutCredit('2025-11-05 10:00:00', '1.00'),
      ],
      '2025-11-06',
    );
    expect(kinds).toEqual({ bank_unrelated: 11, unexplained_debit: 3, payout_matched: 1 });
    expect([...result.findings].filter((f) => f.kind === 'unexplained_debit').map((f) => f.details.acquirer ?? f.details.feeWord)).toEqual(['服务费', '银商', 'lakala']);
  });

  it('share the allowance with the settlement file\'s deduction lines', () => {
    const { kinds } = run(
      [settlementLine({ settleDate: '2025-11-05', net: '-48.00', deduction: '流量费' })],
      [bankRow({ time: '2025-11-06 09:00:00', debit: '48.00', memo: '流量费', counterparty: '拉卡拉' })],
      '2025-11-06',
      contract,
    );
    expect(kinds).toEqual({ unexplained_debit: 1 });
  });
});

describe('credits outside the settlement period', () => {
  it('are not judged: a payout of a day whose settlement file was not given', () => {
    const { kinds, result } = run([settlementLine({ settleDate: '2025-11-10', net: '5.00' })], [payoutCredit('2025-11-03 10:00:00', '777.00'), payoutCredit('2025-11-10 10:00:00', '5.00')]);
    expect(kinds).toEqual({ bank_unrelated: 1, payout_matched: 1 });
    expect(result.period).toEqual({ from: '2025-11-10', to: '2025-11-13' });
  });
});

describe('money credited, per business date (summary.daily)', () => {
  it('a deduction taken from a payout goes with the sales it was taken from, not to a day of its own', () => {
    const { result } = run(
      [
        settlementLine({ settleDate: '2025-11-04', time: '2025-11-03 10:00:00', net: '995.00', amount: '1000.00', fee: '5.00' }),
        settlementLine({ settleDate: '2025-11-04', net: '-48.00', deduction: '流量费' }),
      ],
      [payoutCredit('2025-11-04 10:00:00', '947.00')],
    );
    expect([...result.creditedByDate].map(([d, v]) => [d, v.toFixed(2)])).toEqual([['2025-11-03', '947.00']]);
  });
});

describe('acquirer and fee debits: the words around them (reviews W, X, Y)', () => {
  // memo, counterparty, kind: POS fees by their own words or POS beside a generic one; 终端 unless
  // a phone is meant; 银商 only as the counterparty's name.
  const cases: [string, string, string][] = [
    ['MPOS押金', '深圳某科技有限公司', 'unexplained_debit'],
    ['机具使用费', '深圳某科技有限公司', 'unexplained_debit'],
    ['智能终端服务费', '深圳某科技有限公司', 'unexplained_debit'],
    ['POS分期手续费', '某科技公司', 'unexplained_debit'],
    ['POS物联网卡服务费', '中国联通', 'unexplained_debit'],
    ['服务费', '银商', 'unexplained_debit'],
    ['年费', '银商 8888888888', 'unexplained_debit'],
    ['中银商务卡年费', '中国银行', 'bank_unrelated'],
    ['工银商务卡年费', '中国工商银行', 'bank_unrelated'],
    ['网银商城购物', '某银行', 'bank_unrelated'],
    ['移动终端分期扣款', '某公司', 'bank_unrelated'],
    ['合约机终端款扣款', '某公司', 'bank_unrelated'],
  ];
  it.each(cases)('%s (%s) → %s', (memo, counterparty, kind) => {
    const { result } = run(
      [settlementLine({ settleDate: '2025-11-05', net: '1.00' })],
      [bankRow({ time: '2025-11-06 09:00:00', debit: '10.00', memo, counterparty }), payoutCredit('2025-11-05 10:00:00', '1.00')],
      '2025-11-06',
    );
    expect(result.findings.find((f) => f.message.includes(`(${memo} / ${counterparty})`))?.kind).toBe(kind);
  });
});
