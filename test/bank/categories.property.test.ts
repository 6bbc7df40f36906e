// Property: whatever the statement and the payouts, every bank row ends in exactly one category,
// with one disposition, and the findings say the same thing the categories do.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadContract } from '../../src/contract/contract.js';
import { reconcileBank, type BankRowCategory } from '../../src/bank/reconcileBank.js';
import type { FindingKind } from '../../src/classify/kinds.js';
import type { CanonicalRecord } from '../../src/model.js';
import { bankRow, settlementLine } from './records.js';

const contract = loadContract('acquirers: ["某某收单"]\nfees:\n  allowedDeductions:\n    - { label: "流量费", amount: "48.00", per: year }\n', 'c.yaml');

const TEXTS: [string, string][] = [
  ['清算款', '拉卡拉支付股份有限公司'],
  ['银联入账', '银联商务股份有限公司'],
  ['POS清算', '某某收单'],
  ['流量费', '拉卡拉支付股份有限公司'],
  ['手续费', '本行'],
  ['押金', '某某科技'],
  ['房租', '张三'],
  ['转账', '王五'],
  ['消费', '美团'],
  ['银联消费', '银联无卡支付业务'],
];

/** The finding kinds that state each category, with the row as the finding's first related row. */
const CATEGORY_KINDS: Record<BankRowCategory, FindingKind[]> = {
  payout: ['payout_matched', 'payout_short', 'payout_over'],
  ambiguous: ['ambiguous_payout'],
  unexplained_credit: ['unexplained_credit'],
  unexplained_debit: ['unexplained_debit'],
  allowed_deduction: ['allowed_deduction'],
  unrelated: ['bank_unrelated'],
  duplicate: ['duplicate_export'],
  returned: ['credit_returned'],
};

const rowArb = fc.record({
  day: fc.integer({ min: 1, max: 12 }),
  fen: fc.oneof(fc.integer({ min: 1, max: 300_000 }), fc.constantFrom(10_000, 20_000, 30_000, 50_000)),
  credit: fc.boolean(),
  text: fc.integer({ min: 0, max: TEXTS.length - 1 }),
  file: fc.constantFrom('a.csv', 'b.csv'),
  copy: fc.boolean(),
});
const lineArb = fc.record({
  day: fc.integer({ min: 1, max: 10 }),
  fen: fc.oneof(fc.integer({ min: -5_000, max: 200_000 }), fc.constantFrom(10_000, 20_000, 30_000)),
  merchant: fc.constantFrom('898310058120001', '898310058120002'),
});

describe('every bank row ends in exactly one category', () => {
  it('property', () => {
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 30 }), fc.array(lineArb, { maxLength: 20 }), (rowSpecs, lineSpecs) => {
        const bank: CanonicalRecord[] = [];
        rowSpecs.forEach((s, i) => {
          const amount = (s.fen / 100).toFixed(2);
          const [memo, counterparty] = TEXTS[s.text];
          const spec = { time: `2025-11-${String(s.day).padStart(2, '0')} 10:${String(i % 60).padStart(2, '0')}:00`, memo, counterparty, ...(s.credit ? { credit: amount } : { debit: amount }) };
          bank.push(bankRow({ ...spec, file: s.file, line: i + 2 }));
          // The same row again in the other file: a re-export.
          if (s.copy) bank.push(bankRow({ ...spec, file: s.file === 'a.csv' ? 'b.csv' : 'a.csv', line: i + 2 }));
        });
        const settlement = lineSpecs.map((l) =>
          settlementLine({ settleDate: `2025-11-${String(l.day).padStart(2, '0')}`, net: (l.fen / 100).toFixed(2), merchantId: l.merchant, ...(l.fen < 0 ? { deduction: '押金' } : {}) }),
        );
        const result = reconcileBank({ settlement, bank, contract, asOf: '2025-11-20' });

        expect(result.rows.size).toBe(bank.length);
        expect(result.dispositions.size).toBe(bank.length);
        for (const r of bank) {
          const category = result.rows.get(r);
          expect(category).toBeDefined();
          const stating = result.findings.filter((f) => f.related[0] === r || (f.kind !== 'duplicate_export' && f.kind !== 'balance_gap' && f.related.includes(r) && !f.kind.startsWith('payout_')));
          const kinds = new Set(stating.map((f) => f.kind).filter((k) => k !== 'balance_gap'));
          // Each category is stated by its own kinds and no other category's.
          for (const k of kinds) expect(CATEGORY_KINDS[category!]).toContain(k);
          // One finding per row — but an ambiguous row is named by every payout it could have paid
          // (two 650.01 payouts that 500.00 + 200.00 might each be: each says "decide which paid it").
          if (category === 'ambiguous') expect(stating.filter((f) => f.kind === 'ambiguous_payout').length).toBeGreaterThanOrEqual(1);
          else if (category !== 'payout') expect(stating.filter((f) => f.kind !== 'balance_gap').length).toBe(1);
        }
        // Each payout has one outcome, reported by exactly one payout finding — except a payout
        // of zero or less, which expects no credit and is silent unless netted into a merged one.
        for (const o of result.payouts) {
          const kinds = result.findings.filter((f) => f.details.payout === o.payout.key).map((f) => f.kind);
          expect(kinds.length).toBe(o.payout.amount.gt(0) || o.status === 'merged' ? 1 : 0);
          if (!o.payout.amount.gt(0)) expect(['nothing_due', 'merged']).toContain(o.status);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('two payouts that the same bank credits could each have paid', () => {
  it('are each ambiguous, both naming the credits (the counterexample the property found)', () => {
    const bank = [
      bankRow({ time: '2025-11-02 10:00:00', memo: '清算款', counterparty: '拉卡拉支付股份有限公司', credit: '500.00', file: 'a.csv', line: 2 }),
      bankRow({ time: '2025-11-02 10:01:00', memo: '清算款', counterparty: '拉卡拉支付股份有限公司', credit: '200.00', file: 'a.csv', line: 3 }),
    ];
    const settlement = ['2025-11-01', '2025-11-02'].map((settleDate) => settlementLine({ settleDate, net: '650.01', merchantId: '898310058120001' }));
    const result = reconcileBank({ settlement, bank, contract, asOf: '2025-11-20' });
    expect(bank.map((r) => result.rows.get(r))).toEqual(['ambiguous', 'ambiguous']);
    expect(result.findings.map((f) => [f.kind, f.related.map((r) => r.source.line)])).toEqual([
      ['ambiguous_payout', [2, 3]],
      ['ambiguous_payout', [2, 3]],
    ]);
  });
});
