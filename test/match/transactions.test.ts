// The matching passes one rule at a time, on hand-made records.
import { describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import type { CanonicalRecord } from '../../src/model.js';
import { matchTransactions } from '../../src/match/transactions.js';
import { linkCancellations } from '../../src/match/cancellations.js';
import { canonicalCompare } from '../../src/match/keys.js';
import { classifyFindings } from '../../src/classify/findings.js';
import { defaultContract } from '../../src/contract/contract.js';
import { loadBuiltinCalendar } from '../../src/calendar/calendar.js';

let line = 1;
function rec(role: 'terminal' | 'settlement', over: Partial<CanonicalRecord>): CanonicalRecord {
  line++;
  return {
    role,
    source: { file: `${role}.csv`, line },
    profile: 'test',
    merchantId: 'M1',
    terminalId: 'T1',
    time: '2025-10-14 10:00:00',
    hasTime: true,
    cardType: 'debit',
    txnType: 'sale',
    status: 'success',
    amount: new Decimal('100.00'),
    unusable: [],
    content: `${role}|${line}`,
    ...over,
  };
}
const t = (over: Partial<CanonicalRecord> = {}) => rec('terminal', over);
const s = (over: Partial<CanonicalRecord> = {}) => rec('settlement', { settleDate: '2025-10-15', ...over });
const match = (ts: CanonicalRecord[], ss: CanonicalRecord[]) =>
  matchTransactions([...ts].sort(canonicalCompare), [...ss].sort(canonicalCompare), { traceWindowDays: 15, fuzzyWindowMinutes: 10 });

describe('matching passes', () => {
  it('gives a key two terminal rows hold (an order number Excel zeroed) to the row of the same amount, in either order', () => {
    const zeroed = '202510140912300000';
    const hundred = t({ orderId: zeroed, time: '2025-10-14 09:12:30' });
    const twoHundred = t({ orderId: zeroed, time: '2025-10-14 09:40:11', amount: new Decimal('200.00') });
    const line = s({ orderId: zeroed, time: '2025-10-14 09:40:11', amount: new Decimal('200.00') });
    for (const order of [[hundred, twoHundred], [twoHundred, hundred]]) {
      const r = matchTransactions(order, [line], { traceWindowDays: 15, fuzzyWindowMinutes: 10 });
      expect(r.pairs).toEqual([{ terminal: twoHundred, settlement: line, pass: 'order' }]);
      expect(r.unmatchedTerminal).toEqual([hundred]);
    }
  });

  it('pairs by RRN before anything else, even when a fuzzy candidate sits closer', () => {
    const sale = t({ rrn: '100000000001', card: '622848******1111' });
    const decoy = s({ card: '622848******1111' }); // same amount, card, time, no keys
    const real = s({ rrn: '100000000001', time: '2025-10-14 10:05:00' });
    const r = match([sale], [decoy, real]);
    expect(r.pairs).toEqual([{ terminal: sale, settlement: real, pass: 'rrn' }]);
    expect(r.unmatchedSettlement).toEqual([decoy]);
  });

  it('pairs a timed-out row without RRN by terminal + trace, across leading zeros', () => {
    const timedOut = t({ status: 'timeout', trace: '000104' });
    const line104 = s({ rrn: '100000000004', trace: '104' });
    expect(match([timedOut], [line104]).pairs[0]).toMatchObject({ pass: 'trace', settlement: line104 });
  });

  it('does not pair a trace that repeats after the window (traces wrap at 999999)', () => {
    const old = t({ trace: '000104', time: '2025-09-01 10:00:00' });
    const line104 = s({ trace: '000104', time: '2025-10-14 10:00:00' });
    const r = match([old], [line104]);
    expect(r.pairs).toEqual([]);
  });

  it('pairs QR payments by order number', () => {
    const qr = t({ cardType: 'qr', orderId: 'S20210128170702357723' });
    const bill = s({ cardType: 'qr', orderId: 'S20210128170702357723', time: '2025-10-14 10:00:03' });
    expect(match([qr], [bill]).pairs[0]).toMatchObject({ pass: 'order' });
  });

  it('fuzzy-matches only a pairing that is unique both ways, within the window', () => {
    const a = t({ card: '622848******1111', time: '2025-10-14 10:00:00' });
    const line = s({ card: '6228****1111', time: '2025-10-14 10:06:00' });
    expect(match([a], [line]).pairs[0]).toMatchObject({ pass: 'fuzzy' });
    const late = s({ card: '622848******1111', time: '2025-10-14 10:11:00' });
    expect(match([a], [late]).pairs).toEqual([]);
  });

  it('reports two candidates as ambiguous instead of picking one', () => {
    const a = t({ card: '622848******1111' });
    const l1 = s({ card: '622848******1111', time: '2025-10-14 10:01:00' });
    const l2 = s({ card: '622848******1111', time: '2025-10-14 10:02:00' });
    const r = match([a], [l1, l2]);
    expect(r.pairs).toEqual([]);
    expect(r.ambiguous).toEqual([{ terminal: a, candidates: [l1, l2], rivals: [] }]);
  });

  it('never pairs a sale with a refund line of the same amount', () => {
    const sale = t({ rrn: 'R1' });
    const refund = s({ rrn: 'R1', txnType: 'refund', amount: new Decimal('-100.00') });
    expect(match([sale], [refund]).pairs).toEqual([]);
    const terminalRefund = t({ rrn: 'R1', txnType: 'refund' });
    expect(match([terminalRefund], [refund]).pairs).toHaveLength(1);
  });

  it('counts the same transaction settled twice as one pair and one duplicate', () => {
    const sale = t({ rrn: 'R9' });
    const first = s({ rrn: 'R9' });
    const again = s({ rrn: 'R9' });
    const r = match([sale], [first, again]);
    expect(r.pairs).toHaveLength(1);
    expect(r.duplicates).toHaveLength(1);
  });
});

describe('voids and reversals', () => {
  it('links by 原参考号, then original trace, then same terminal + card + amount + day', () => {
    const s1 = t({ rrn: 'R1', trace: '1', card: '622848******1111' });
    const s2 = t({ rrn: 'R2', trace: '2', card: '622848******2222', time: '2025-10-14 11:00:00' });
    const s3 = t({ rrn: 'R3', trace: '3', card: '622848******3333', time: '2025-10-14 12:00:00' });
    const v1 = t({ txnType: 'void', rrn: 'R4', originalRef: 'R1', time: '2025-10-14 13:00:00' });
    const v2 = t({ txnType: 'void', rrn: 'R5', originalTrace: '000002', time: '2025-10-14 13:01:00' });
    const r3 = t({ txnType: 'reversal', card: '622848******3333', time: '2025-10-14 12:00:30' });
    const links = linkCancellations([s1, s2, s3, v1, v2, r3].sort(canonicalCompare));
    expect(links.originalOf.get(v1)).toBe(s1);
    expect(links.originalOf.get(v2)).toBe(s2);
    expect(links.originalOf.get(r3)).toBe(s3);
  });

  it('calls a reversed sale that settled void_settled even though the sale itself timed out', () => {
    const sale = t({ rrn: 'R1', status: 'timeout' });
    const reversal = t({ txnType: 'reversal', originalRef: 'R1', time: '2025-10-14 10:00:40' });
    const line = s({ rrn: 'R1' });
    const result = classifyFindings({
      terminal: [sale, reversal].sort(canonicalCompare),
      settlement: [line],
      duplicateExports: [],
      contract: defaultContract(),
      calendar: loadBuiltinCalendar(),
      asOf: '2025-10-20',
      haveTerminal: true,
    });
    expect(result.findings.map((f) => f.kind).sort()).toEqual(['void_settled']);
  });

  it('moves a reference-less void to the identical sale that did not settle', () => {
    const early = t({ rrn: 'R1', card: '622848******0001', time: '2025-10-14 10:00:00' });
    const late = t({ rrn: 'R2', card: '622848******0001', time: '2025-10-14 10:20:00' });
    const voidRow = t({ txnType: 'void', card: '622848******0001', time: '2025-10-14 10:30:00' });
    const result = classifyFindings({
      terminal: [early, late, voidRow].sort(canonicalCompare),
      settlement: [s({ rrn: 'R2', time: '2025-10-14 10:20:00' })],
      duplicateExports: [],
      contract: defaultContract(),
      calendar: loadBuiltinCalendar(),
      asOf: '2025-10-20',
      haveTerminal: true,
    });
    expect(result.findings.map((f) => f.kind).sort()).toEqual(['matched', 'voided']);
    expect(result.findings.find((f) => f.kind === 'voided')?.terminal).toBe(early);
  });
});
