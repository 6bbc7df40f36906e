// The fee audit end to end: settlement files and a contract, no terminal files.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readInputFile } from '../../src/read/readInput.js';
import { builtinProfiles } from '../../src/profiles/builtin.js';
import { loadContract } from '../../src/contract/contract.js';
import { loadBuiltinCalendar } from '../../src/calendar/calendar.js';
import { reconcile } from '../../src/reconcile.js';
import { posrecon } from '../cli/run.js';

describe('UnionPay sample (as CSV)', () => {
  const sample = 'fixtures/fees/unionpay-zm-20150905-as-csv.csv';
  it('audits to zero fee findings under the 0.60% it was charged', () => {
    const run = posrecon(['reconcile', '-s', sample, '-c', 'fixtures/fees/contract-unionpay-060.yaml', '--format', 'json']);
    const json = JSON.parse(run.stdout);
    expect(json.mode).toBe('fee-audit');
    expect(json.summary.counts.fee_mismatch).toBe(0);
    expect(json.summary.fees).toMatchObject({ checked: 8, charged: '79.36', perContract: '79.36', overcharge: '0.00' });
    expect(json.summary.totals).toMatchObject({ settled: '13227.00', fees: '79.36', net: '13147.64' });
    expect(run.code).toBe(0);
  });

  it('finds exactly 8 fee mismatches under a 0.55% contract, and says the rate once', () => {
    const run = posrecon(['reconcile', '-s', sample, '-c', 'fixtures/fees/contract-unionpay-055.yaml', '--format', 'json']);
    const json = JSON.parse(run.stdout);
    expect(run.code).toBe(1);
    expect(json.summary.counts.fee_mismatch).toBe(8);
    expect(json.summary.counts.fee_drift).toBe(1);
    const drift = json.findings.find((f: { kind: string }) => f.kind === 'fee_drift');
    expect(drift.message).toMatch(/debit cards were charged 0\.60%, contract says 0\.55%/);
    // 4768.00 × 0.55% = 26.224 → 26.22 against 28.61 charged.
    const big = json.findings.find((f: { kind: string; settlement: { amount: string } | null }) => f.kind === 'fee_mismatch' && f.settlement?.amount === '4768.00');
    expect(big).toMatchObject({ expected: '26.22', actual: '28.61', difference: '2.39' });
    // 0.55% fees by hand: 26.22 + 4.61 + 0.54 + 0.55 + 25.12 + 0.55 + 7.82 + 7.33 = 72.74.
    expect(json.summary.fees).toMatchObject({ perContract: '72.74', overcharge: '6.62' });
  });

  it('leads the table with the over-charge', () => {
    const run = posrecon(['reconcile', '-s', sample, '-c', 'fixtures/fees/contract-unionpay-055.yaml']);
    expect(run.stdout.split('\n')[3]).toBe('You were over-charged ¥6.62 in fees.');
  });
});

// --- A month of settlement lines built from the contract by integer arithmetic -------------

const HEADER = '清算日期,商户号,终端号,交易时间,交易类型,卡类型,交易金额,手续费,结算金额,参考号,备注';
let rrn = 300000000000;

function feeFen(amountFen: number, rateBp: number, capFen?: number): number {
  const fee = Math.floor((amountFen * rateBp + 5000) / 10000);
  return capFen === undefined ? fee : Math.min(fee, capFen);
}
const y = (fen: number) => `${fen < 0 ? '-' : ''}${Math.floor(Math.abs(fen) / 100)}.${String(Math.abs(fen) % 100).padStart(2, '0')}`;

interface Line { date: string; terminal: string; type: string; card: string; amountFen: number; feeFen: number; memo?: string }

function line(l: Line): string {
  if (l.type === 'deduction') return `${l.date},898310058120001,${l.terminal},,${l.memo},,,,${y(-l.amountFen)},,${l.memo}`;
  return `${l.date},898310058120001,${l.terminal},${l.date} 10:00:00,${l.type},${l.card},${y(l.amountFen)},${y(l.feeFen)},${y(l.amountFen - l.feeFen)},${rrn++},`;
}

const DATED_CONTRACT = (refunds: string, extra = '') => `
settlement: { cycle: D+1 }
fees:
  refunds: ${refunds}
  rules:
    - when: { cardType: debit }
      rate: "0.50%"
      cap: "20.00"
    - when: { cardType: credit }
      until: "2025-09-30"
      rate: "0.60%"
    - when: { cardType: credit }
      from: "2025-10-01"
      rate: "0.63%"
    - when: { cardType: qr, amountAtMost: "1000.00" }
      rate: "0.38%"
    - when: { cardType: qr, amountAbove: "1000.00" }
      rate: "0.60%"
${extra}`;

function cleanMonth(refunds: 'fee-returned' | 'fee-kept'): Line[] {
  const lines: Line[] = [];
  for (let d = 1; d <= 30; d++) {
    const date = `2025-09-${String(d).padStart(2, '0')}`;
    const date2 = `2025-10-${String(d).padStart(2, '0')}`;
    for (const day of [date, date2]) {
      const creditBp = day <= '2025-09-30' ? 60 : 63;
      const amount = 1000 + d * 3791;
      lines.push({ date: day, terminal: 'T1', type: '消费', card: '贷记卡', amountFen: amount, feeFen: feeFen(amount, creditBp) });
      lines.push({ date: day, terminal: 'T1', type: '消费', card: '借记卡', amountFen: 500_000 + d, feeFen: feeFen(500_000 + d, 50, 2000) }); // capped
      lines.push({ date: day, terminal: 'T2', type: '消费', card: '借记卡', amountFen: 12_345 + d, feeFen: feeFen(12_345 + d, 50, 2000) });
      lines.push({ date: day, terminal: 'T2', type: '扫码', card: '微信', amountFen: 100_000, feeFen: feeFen(100_000, 38) }); // exactly 1000.00
      lines.push({ date: day, terminal: 'T2', type: '扫码', card: '微信', amountFen: 100_001, feeFen: feeFen(100_001, 60) }); // 1000.01
      const refund = 2_000 + d;
      const returned = refunds === 'fee-returned' ? feeFen(refund, creditBp) : 0;
      lines.push({ date: day, terminal: 'T1', type: '退货', card: '贷记卡', amountFen: -refund, feeFen: -returned });
    }
  }
  return lines;
}

function audit(lines: Line[], contractText: string) {
  const csv = [HEADER, ...lines.map(line)].join('\n') + '\n';
  const parsed = readInputFile(new TextEncoder().encode(csv), 'month.csv', { profiles: builtinProfiles(), role: 'settlement' });
  expect(parsed.rejected).toEqual([]);
  return reconcile({ terminal: [], settlement: [parsed], contract: loadContract(contractText, 'contract.yaml'), calendar: loadBuiltinCalendar() });
}

describe('a clean month audits to zero fee findings', () => {
  it.each(['fee-returned', 'fee-kept'] as const)('with caps, QR tiers, a dated rate change and refunds (%s)', (policy) => {
    const result = audit(cleanMonth(policy), DATED_CONTRACT(policy));
    expect(result.counts.fee_mismatch).toBe(0);
    expect(result.counts.fee_unverified).toBe(0);
    expect(result.counts.net_mismatch).toBe(0);
    expect(result.counts.fee_drift).toBe(0);
    expect(result.fees.checked).toBe(360);
  });

  it('the same month under the other refund policy flags exactly the 60 refunds', () => {
    const result = audit(cleanMonth('fee-returned'), DATED_CONTRACT('fee-kept'));
    expect(result.counts.fee_mismatch).toBe(60);
  });
});

describe('planted fee faults', () => {
  it('finds a silent rate hike, an ignored cap, a first-swipe deposit and a second data fee', () => {
    const lines = cleanMonth('fee-returned');
    // Silent hike: from 09-28 credit sales are charged 0.63% although the contract says 0.60% until 09-30.
    let hiked = 0;
    for (const l of lines) {
      if (l.card === '贷记卡' && l.type === '消费' && l.date >= '2025-09-28' && l.date <= '2025-09-30') {
        l.feeFen = feeFen(l.amountFen, 63);
        hiked++;
      }
    }
    // Cap ignored on one debit sale.
    const capped = lines.find((l) => l.card === '借记卡' && l.amountFen > 400_000 && l.date === '2025-10-15')!;
    capped.feeFen = feeFen(capped.amountFen, 50);
    // A new terminal's first payout carries a 99.00 deposit; two 48.00 data fees in one year.
    lines.push({ date: '2025-10-20', terminal: 'T3', type: '消费', card: '借记卡', amountFen: 10_000, feeFen: 50 });
    lines.push({ date: '2025-10-20', terminal: 'T3', type: 'deduction', card: '', amountFen: 9_900, feeFen: 0, memo: '首刷押金' });
    lines.push({ date: '2025-09-10', terminal: 'T1', type: 'deduction', card: '', amountFen: 4_800, feeFen: 0, memo: 'SIM卡流量费' });
    lines.push({ date: '2025-10-10', terminal: 'T1', type: 'deduction', card: '', amountFen: 4_800, feeFen: 0, memo: 'SIM卡流量费' });
    const contract = DATED_CONTRACT('fee-returned', '  allowedDeductions:\n    - { label: "流量费", amount: "48.00", per: year }\n');
    const result = audit(lines, contract);
    expect(hiked).toBe(3);
    expect(result.counts.fee_mismatch).toBe(hiked + 1);
    expect(result.counts.extra_deduction).toBe(2);
    expect(result.counts.allowed_deduction).toBe(1);
    const deposit = result.findings.find((f) => f.kind === 'extra_deduction' && String(f.details.label).includes('押金'));
    expect(deposit?.details.first_swipe).toBe(true);
    const secondDataFee = result.findings.find((f) => f.kind === 'extra_deduction' && String(f.details.label).includes('流量费'));
    expect(secondDataFee?.settlement?.settleDate).toBe('2025-10-10');
    const cap = result.findings.find((f) => f.kind === 'fee_mismatch' && f.details.reason === 'cap 20.00 not applied');
    expect(cap?.difference?.toString()).toBe(String((feeFen(capped.amountFen, 50) - 2000) / 100));
  });

  it('reports net ≠ amount − fee', () => {
    const lines = cleanMonth('fee-returned').slice(0, 3);
    const csv = [HEADER, ...lines.map(line)].join('\n').replace(/,(\d+\.\d\d),(\d+),$/m, ',$1,$2,');
    const broken = csv.split('\n');
    const cells = broken[1].split(',');
    cells[8] = (Number(cells[8]) - 1).toFixed(2);
    broken[1] = cells.join(',');
    const parsed = readInputFile(new TextEncoder().encode(broken.join('\n')), 'net.csv', { profiles: builtinProfiles(), role: 'settlement' });
    const result = reconcile({ terminal: [], settlement: [parsed], contract: loadContract(DATED_CONTRACT('fee-returned'), 'c.yaml'), calendar: loadBuiltinCalendar() });
    expect(result.counts.net_mismatch).toBe(1);
    expect(result.findings.find((f) => f.kind === 'net_mismatch')?.difference?.toString()).toBe('-1');
  });
});

describe('UnionPay ZM detail and RD summary (the real published layout)', () => {
  const zm = 'fixtures/samples/unionpay-acp-zm-detail-20150905.txt';
  const rd = 'fixtures/samples/unionpay-acp-rd-summary-20150905.txt';

  it('audits to zero findings under 0.60%, with the RD control totals tying out', () => {
    const run = posrecon(['reconcile', '-s', zm, rd, '-c', 'fixtures/fees/contract-unionpay-060.yaml', '--format', 'json']);
    const json = JSON.parse(run.stdout);
    expect(run.code).toBe(0);
    expect(json.summary.exceptions).toBe(0);
    expect(json.summary.counts.control_total_mismatch).toBe(0);
    expect(json.summary.totals).toMatchObject({ settled: '13227.00', fees: '79.36', net: '13147.64' });
  });

  it('finds exactly 8 fee mismatches under 0.55%', () => {
    const json = JSON.parse(posrecon(['reconcile', '-s', zm, rd, '-c', 'fixtures/fees/contract-unionpay-055.yaml', '--format', 'json']).stdout);
    expect(json.summary.counts.fee_mismatch).toBe(8);
  });

  it('reports a control_total_mismatch when the detail lost a line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'posrecon-rd-'));
    const lines = readFileSync(zm, 'latin1').split('\r\n');
    const truncated = join(dir, 'ZM_802310048993424_20150905.txt');
    writeFileSync(truncated, lines.filter((_l, i) => i !== 2).join('\r\n'), 'latin1');
    const run = posrecon(['reconcile', '-s', truncated, rd, '-c', 'fixtures/fees/contract-unionpay-060.yaml', '--format', 'json']);
    const json = JSON.parse(run.stdout);
    expect(run.code).toBe(1);
    const keys = json.findings.filter((f: { kind: string }) => f.kind === 'control_total_mismatch').map((f: { details: { key: string } }) => f.details.key).sort();
    expect(keys).toEqual(['amount', 'count', 'fee', 'net']);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('allowances per terminal per year', () => {
  it('allows one 48.00 data fee per terminal per year and flags a second one', () => {
    const lines: Line[] = [
      { date: '2025-03-01', terminal: 'T1', type: 'deduction', card: '', amountFen: 4_800, feeFen: 0, memo: 'SIM卡流量费' },
      { date: '2025-03-01', terminal: 'T2', type: 'deduction', card: '', amountFen: 4_800, feeFen: 0, memo: 'SIM卡流量费' },
      { date: '2025-09-01', terminal: 'T1', type: 'deduction', card: '', amountFen: 4_800, feeFen: 0, memo: 'SIM卡流量费' },
      { date: '2026-03-01', terminal: 'T1', type: 'deduction', card: '', amountFen: 4_800, feeFen: 0, memo: 'SIM卡流量费' },
      { date: '2025-03-01', terminal: 'T1', type: '消费', card: '借记卡', amountFen: 10_000, feeFen: 50 },
    ];
    const contract = DATED_CONTRACT('fee-returned', '  allowedDeductions:\n    - { label: "流量费", amount: "48.00", per: terminal-year }\n');
    const result = audit(lines, contract);
    expect(result.counts.allowed_deduction).toBe(3);
    expect(result.counts.extra_deduction).toBe(1);
    expect(result.findings.find((f) => f.kind === 'extra_deduction')?.settlement?.settleDate).toBe('2025-09-01');
  });
});

describe('inspect on a UnionPay RD summary', () => {
  it('shows its control totals instead of failing', () => {
    const run = posrecon(['inspect', '--format', 'json', 'fixtures/samples/unionpay-acp-rd-summary-20150905.txt']);
    expect(run.code).toBe(0);
    const [file] = JSON.parse(run.stdout).files;
    expect(file).toMatchObject({ role: 'control totals', rows: 0, totals: { count: '8', amount: '13227.00', fee: '79.36', net: '13147.64' } });
  });
});
