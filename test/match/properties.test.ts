// Invariants of matching and classification over adversarial random inputs: colliding RRNs,
// repeated traces, identical amounts and cards within minutes of each other.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import type { CanonicalRecord, TxnStatus, TxnType, CardType } from '../../src/model.js';
import { reconcile, type ReconcileResult } from '../../src/reconcile.js';
import type { ParsedFile } from '../../src/read/readInput.js';
import { loadContract } from '../../src/contract/contract.js';
import { loadBuiltinCalendar } from '../../src/calendar/calendar.js';
import { builtinProfiles } from '../../src/profiles/builtin.js';
import { SCENARIO_CONTRACT } from '../support/scenario.js';

const contract = loadContract(SCENARIO_CONTRACT, 'contract.yaml');
const calendar = loadBuiltinCalendar();
const profile = builtinProfiles()[0];

const recordArb = (role: 'terminal' | 'settlement') =>
  fc.record({
    terminalId: fc.constantFrom('T1', 'T2'),
    minute: fc.integer({ min: 0, max: 40 }),
    day: fc.constantFrom('2025-09-29', '2025-09-30', '2025-10-08'),
    rrn: fc.option(fc.constantFrom('R1', 'R2', 'R3', 'R4'), { nil: undefined }),
    trace: fc.option(fc.constantFrom('000001', '000002', '1', '000003'), { nil: undefined }),
    card: fc.constantFrom('622848******1111', '622848******2222', undefined),
    amount: fc.constantFrom('100.00', '200.00', '-100.00'),
    fee: fc.constantFrom('0.50', '0.60', '1.00'),
    txnType: fc.constantFrom<TxnType>(...(role === 'terminal' ? (['sale', 'sale', 'void', 'refund'] as TxnType[]) : (['sale', 'sale', 'refund', 'deduction'] as TxnType[]))),
    status: fc.constantFrom<TxnStatus>('success', 'success', 'failed', 'timeout'),
    cardType: fc.constantFrom<CardType>('debit', 'credit', 'qr'),
    originalRef: fc.option(fc.constantFrom('R1', 'R2'), { nil: undefined }),
  });

type Raw = { terminalId: string; minute: number; day: string; rrn?: string; trace?: string; card?: string; amount: string; fee: string; txnType: TxnType; status: TxnStatus; cardType: CardType; originalRef?: string };

function toRecords(role: 'terminal' | 'settlement', file: string, raws: Raw[]): CanonicalRecord[] {
  return raws.map((r, i) => {
    const amount = new Decimal(r.amount);
    const rec: CanonicalRecord = {
      role,
      source: { file, line: i + 2 },
      profile: 'test',
      merchantId: 'M1',
      terminalId: r.terminalId,
      time: `${r.day} 10:${String(r.minute).padStart(2, '0')}:00`,
      hasTime: true,
      cardType: r.cardType,
      txnType: r.txnType,
      status: role === 'settlement' ? 'success' : r.status,
      amount: role === 'terminal' ? amount.abs() : amount,
      rrn: r.rrn,
      trace: r.trace,
      card: r.card,
      originalRef: r.txnType === 'void' ? r.originalRef : undefined,
      unusable: [],
      content: `${file}|${i}`,
    };
    if (role === 'settlement') {
      rec.settleDate = '2025-10-09';
      rec.fee = new Decimal(r.fee);
      rec.net = amount.minus(rec.fee);
      if (r.txnType === 'deduction') {
        rec.amount = undefined;
        rec.fee = undefined;
        rec.net = new Decimal('-48.00');
      }
    }
    return rec;
  });
}

function parsed(file: string, role: 'terminal' | 'settlement', records: CanonicalRecord[]): ParsedFile {
  return {
    file, encoding: 'utf-8', encodingReason: '', delimiter: ',', profile, role, reason: '', headerLine: 1,
    mapping: { columns: {}, headers: {}, unmapped: [] }, records, rejected: [], skipped: [],
    lines: { total: records.length + 1, header: 1, skipped: 0, records: records.length, rejected: 0 },
  };
}

function run(terminal: ParsedFile[], settlement: ParsedFile[]): ReconcileResult {
  return reconcile({ terminal, settlement, contract, calendar, asOf: '2025-10-10' });
}

/** Findings as comparable text: kind and the rows involved, independent of array order. */
function signature(result: ReconcileResult): string[] {
  const ref = (r: CanonicalRecord | null) => (r ? `${r.source.file}:${r.source.line}` : '-');
  return result.findings
    .map((f) => `${f.kind} ${ref(f.terminal)} ${ref(f.settlement)} [${f.related.map(ref).sort().join(',')}]`)
    .sort();
}

const PAIR_KINDS = new Set(['matched', 'amount_mismatch', 'dropped_order', 'void_settled', 'fee_mismatch']);

const inputsArb = fc.record({
  t1: fc.array(recordArb('terminal'), { maxLength: 12 }),
  t2: fc.array(recordArb('terminal'), { maxLength: 6 }),
  s1: fc.array(recordArb('settlement'), { maxLength: 12 }),
  s2: fc.array(recordArb('settlement'), { maxLength: 6 }),
  seed: fc.integer(),
});

function shuffle<T>(xs: T[], seed: number): T[] {
  const out = [...xs];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe('matching invariants (property)', () => {
  it('accounts for every row exactly once', () => {
    fc.assert(
      fc.property(inputsArb, ({ t1, t2, s1, s2 }) => {
        const terminal = [parsed('t1.csv', 'terminal', toRecords('terminal', 't1.csv', t1)), parsed('t2.csv', 'terminal', toRecords('terminal', 't2.csv', t2))];
        const settlement = [parsed('s1.csv', 'settlement', toRecords('settlement', 's1.csv', s1)), parsed('s2.csv', 'settlement', toRecords('settlement', 's2.csv', s2))];
        const result = run(terminal, settlement);
        const all = [...terminal, ...settlement].flatMap((f) => f.records);
        expect(result.dispositions.size).toBe(all.length);
        for (const r of all) expect(result.dispositions.has(r)).toBe(true);
        const rows = result.rows;
        expect(rows.matched + rows.flagged + rows.informational + rows.rejected).toBe(rows.read);
        // Every terminal row and every settlement line is named by at least one finding.
        const named = new Set(result.findings.flatMap((f) => [f.terminal, f.settlement, ...f.related]));
        for (const r of all) expect(named.has(r), `${r.source.file}:${r.source.line} named by no finding`).toBe(true);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });

  it('never lets two terminal rows claim one settlement line', () => {
    fc.assert(
      fc.property(inputsArb, ({ t1, s1, s2 }) => {
        const result = run(
          [parsed('t1.csv', 'terminal', toRecords('terminal', 't1.csv', t1))],
          [parsed('s1.csv', 'settlement', toRecords('settlement', 's1.csv', s1)), parsed('s2.csv', 'settlement', toRecords('settlement', 's2.csv', s2))],
        );
        const claims = new Map<CanonicalRecord, Set<CanonicalRecord>>();
        for (const f of result.findings) {
          if (!PAIR_KINDS.has(f.kind) || !f.settlement || !f.terminal) continue;
          const set = claims.get(f.settlement) ?? new Set();
          set.add(f.terminal);
          claims.set(f.settlement, set);
        }
        for (const set of claims.values()) expect(set.size).toBe(1);
        // And a terminal row is paired with at most one line.
        const byTerminal = new Map<CanonicalRecord, Set<CanonicalRecord>>();
        for (const f of result.findings) {
          if (!PAIR_KINDS.has(f.kind) || !f.settlement || !f.terminal) continue;
          const set = byTerminal.get(f.terminal) ?? new Set();
          set.add(f.settlement);
          byTerminal.set(f.terminal, set);
        }
        for (const set of byTerminal.values()) expect(set.size).toBe(1);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });

  it('gives the same findings whatever the order of files and rows', () => {
    fc.assert(
      fc.property(inputsArb, ({ t1, t2, s1, s2, seed }) => {
        const tf = [parsed('t1.csv', 'terminal', toRecords('terminal', 't1.csv', t1)), parsed('t2.csv', 'terminal', toRecords('terminal', 't2.csv', t2))];
        const sf = [parsed('s1.csv', 'settlement', toRecords('settlement', 's1.csv', s1)), parsed('s2.csv', 'settlement', toRecords('settlement', 's2.csv', s2))];
        const before = signature(run(tf, sf));
        const reorder = (files: ParsedFile[]) => shuffle(files, seed).map((f) => ({ ...f, records: shuffle(f.records, seed ^ 0x5bd1e995) }));
        const after = signature(run(reorder(tf), reorder(sf)));
        expect(after).toEqual(before);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });
});
