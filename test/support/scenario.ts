// A deterministic multi-day scenario spanning the 2025 National Day holiday and its make-up
// working days, with planted faults and the exact findings they must produce. The expected
// settlement dates and fees are written out here by hand from the holiday notice and the
// contract — independently of posrecon's calendar and fee code — so the test can fail.
import iconv from './gbk.js';
import { rng } from './rng.js';

export interface ScenarioFile {
  name: string;
  role: 'terminal' | 'settlement';
  bytes: Uint8Array;
}

export interface Scenario {
  files: ScenarioFile[];
  asOf: string;
  contract: string;
  expected: Record<string, number>;
}

// T+1 under the 2025 State Council notice: 09-28 (Sun) and 10-11 (Sat) are make-up working
// days; 10-01…10-08 are off. Business date → settlement date.
export const T1_SETTLEMENT: Record<string, string> = {
  '2025-09-25': '2025-09-26',
  '2025-09-26': '2025-09-28',
  '2025-09-27': '2025-09-28',
  '2025-09-28': '2025-09-29',
  '2025-09-29': '2025-09-30',
  '2025-09-30': '2025-10-09',
  '2025-10-01': '2025-10-09',
  '2025-10-02': '2025-10-09',
  '2025-10-03': '2025-10-09',
  '2025-10-04': '2025-10-09',
  '2025-10-05': '2025-10-09',
  '2025-10-06': '2025-10-09',
  '2025-10-07': '2025-10-09',
  '2025-10-08': '2025-10-09',
  '2025-10-09': '2025-10-10',
  '2025-10-10': '2025-10-11',
};

const DAYS = Object.keys(T1_SETTLEMENT);
const MERCHANT = '898310058120001';
const TERMINALS = ['10000001', '10000002', '10000003'];
type Card = 'debit' | 'credit' | 'qr';

export const SCENARIO_CONTRACT = `timezone: Asia/Shanghai
settlement: { cycle: T+1, cutoff: "23:00", cutoffRule: at-or-after, graceDays: 0 }
fees:
  rounding: half-up
  refunds: fee-returned
  rules:
    - when: { cardType: debit }
      rate: "0.50%"
      cap: "20.00"
    - when: { cardType: credit }
      rate: "0.60%"
    - when: { cardType: qr }
      rate: "0.38%"
`;

/** Contract fee in fen with integer arithmetic: half-up to the fen, debit capped at 20.00. */
export function contractFeeFen(amountFen: number, card: Card): number {
  const bp = card === 'debit' ? 50 : card === 'credit' ? 60 : 38; // hundredths of a percent
  const fee = Math.floor((amountFen * bp + 5000) / 10000); // amount × bp / 10000, half-up
  return card === 'debit' ? Math.min(fee, 2000) : fee;
}


interface Txn {
  terminal: string;
  time: string; // local
  businessDate: string;
  type: '消费' | '消费撤销' | '退货' | '扫码';
  status: '成功' | '交易超时' | '交易失败';
  card: string;
  cardType: Card;
  amountFen: number;
  rrn: string;
  trace: string;
  originalRrn: string;
}

interface SettlementLine {
  clearing: string;
  txn: Txn;
  amountFen: number;
  feeFen: number;
}

const yuan = (fen: number) => `${fen < 0 ? '-' : ''}${Math.floor(Math.abs(fen) / 100)}.${String(Math.abs(fen) % 100).padStart(2, '0')}`;
const CARD_WORD: Record<Card, string> = { debit: '借记卡', credit: '贷记卡', qr: '微信' };

export function buildScenario(seed = 20251001): Scenario {
  const rand = rng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  let rrnSeq = 200000000000;
  let traceSeq = 1;
  const txns: Txn[] = [];
  const lines: SettlementLine[] = [];
  const expected: Record<string, number> = {
    matched: 0, dropped_order: 0, unsettled_overdue: 0, unsettled_pending: 0, amount_mismatch: 0,
    fee_mismatch: 0, duplicate_settlement: 0, void_settled: 0, extra_deduction: 0, voided: 0,
    no_settlement_expected: 0, duplicate_export: 0, ambiguous_match: 0, net_mismatch: 0, fee_unverified: 0,
  };
  const asOf = '2025-10-11';

  const newTxn = (day: string, hhmmss: string, terminal: string, cardType: Card, amountFen: number, over: Partial<Txn> = {}): Txn => {
    const cardNo = cardType === 'qr' ? '' : `${cardType === 'debit' ? '622848' : '436742'}******${String(1000 + Math.floor(rand() * 9000))}`;
    const t: Txn = {
      terminal,
      time: `${day} ${hhmmss}`,
      businessDate: day,
      type: cardType === 'qr' ? '扫码' : '消费',
      status: '成功',
      card: cardNo,
      cardType,
      amountFen,
      rrn: String(rrnSeq++),
      trace: String(traceSeq++).padStart(6, '0'),
      originalRrn: '',
      ...over,
    };
    txns.push(t);
    return t;
  };
  const settle = (t: Txn, over: Partial<SettlementLine> = {}): SettlementLine => {
    const sign = t.type === '退货' ? -1 : 1;
    const line: SettlementLine = {
      clearing: T1_SETTLEMENT[t.businessDate],
      txn: t,
      amountFen: sign * t.amountFen,
      feeFen: sign * contractFeeFen(t.amountFen, t.cardType),
      ...over,
    };
    lines.push(line);
    return line;
  };
  const randomTime = () => `${String(9 + Math.floor(rand() * 13)).padStart(2, '0')}:${String(Math.floor(rand() * 60)).padStart(2, '0')}:${String(Math.floor(rand() * 60)).padStart(2, '0')}`;
  const randomAmount = () => 100 * (5 + Math.floor(rand() * 3000)) + (rand() < 0.5 ? 0 : Math.floor(rand() * 100));

  // Ordinary business: every day, every terminal, settled as the contract says.
  for (const day of DAYS) {
    for (const terminal of TERMINALS) {
      for (let i = 0; i < 6; i++) {
        const t = newTxn(day, randomTime(), terminal, pick<Card>(['debit', 'credit', 'qr']), randomAmount());
        if (T1_SETTLEMENT[day] <= '2025-10-10') {
          settle(t);
          expected.matched++;
        } else {
          expected.unsettled_pending++; // business date 10-10 settles 10-11: not yet due as of 10-11
        }
      }
    }
  }
  // Debit cap: large debit sales settle at the capped fee (no finding).
  for (const day of ['2025-09-26', '2025-10-03']) {
    settle(newTxn(day, '10:00:00', '10000001', 'debit', 1_234_500));
    expected.matched++;
  }
  // Cut-off: 23:30 on 10-09 belongs to business date 10-10, due 10-11 → still pending on 10-11.
  // Without the 日切 shift it would be due 10-10 and overdue.
  newTxn('2025-10-09', '23:30:00', '10000002', 'credit', 45_600, { businessDate: '2025-10-10' });
  expected.unsettled_pending++;
  // Cut-off crossing that did settle: 09-28 23:45 → business date 09-29 → clears 09-30.
  settle(newTxn('2025-09-28', '23:45:00', '10000003', 'debit', 12_800, { businessDate: '2025-09-29' }));
  expected.matched++;

  // Dropped orders: the terminal timed out (no RRN), the customer retried; both settled.
  for (const day of ['2025-09-26', '2025-10-02']) {
    const timedOut = newTxn(day, '14:00:05', '10000001', 'credit', 30_000, { status: '交易超时' });
    const line = settle(timedOut);
    line.txn = { ...timedOut }; // settlement knows the RRN the terminal never received
    timedOut.rrn = '';
    settle(newTxn(day, '14:02:40', '10000001', 'credit', 30_000, { card: timedOut.card }));
    expected.dropped_order++;
    expected.matched++;
  }
  // Dropped: a settlement line the terminal export does not have at all.
  {
    const ghost: Txn = { ...newTxn('2025-10-04', '16:20:00', '10000002', 'debit', 58_800) };
    txns.pop();
    settle(ghost);
    expected.dropped_order++;
  }
  // Unsettled: successful sales with no settlement although their date has passed.
  for (const day of ['2025-09-27', '2025-10-05']) {
    newTxn(day, '11:11:11', '10000003', 'debit', 8_800);
    expected.unsettled_overdue++;
  }
  // Amount mismatch.
  settle(newTxn('2025-09-29', '10:00:00', '10000001', 'debit', 20_000), { amountFen: 2_000, feeFen: contractFeeFen(2_000, 'debit') });
  expected.amount_mismatch++;
  // Voids: voided sale not settled (fine), and one settled anyway.
  {
    const sale = newTxn('2025-09-30', '12:00:00', '10000002', 'debit', 6_600);
    newTxn('2025-09-30', '12:05:00', '10000002', 'debit', 6_600, { type: '消费撤销', card: sale.card, originalRrn: sale.rrn });
    expected.voided++;
    const sale2 = newTxn('2025-10-06', '12:00:00', '10000002', 'credit', 80_000);
    newTxn('2025-10-06', '12:03:00', '10000002', 'credit', 80_000, { type: '消费撤销', card: sale2.card, originalRrn: sale2.rrn });
    settle(sale2);
    expected.void_settled++;
  }
  // Refund of an earlier sale: terminal positive, settlement negative with the fee returned.
  settle(newTxn('2025-10-07', '15:00:00', '10000003', 'credit', 5_000, { type: '退货' }));
  expected.matched++;
  // Duplicate settlement: the acquirer settled one sale twice.
  {
    const t = newTxn('2025-10-08', '09:45:00', '10000001', 'credit', 100_000);
    settle(t);
    settle(t);
    expected.matched++;
    expected.duplicate_settlement++;
  }
  // Failed rows: no settlement, not an exception.
  for (const day of ['2025-09-25', '2025-10-01', '2025-10-09']) {
    newTxn(day, '20:00:00', '10000001', 'debit', 9_900, { status: '交易失败', rrn: '' });
    expected.no_settlement_expected++;
  }
  // Fee faults: credit charged 0.63%, debit cap ignored.
  settle(newTxn('2025-09-29', '11:02:10', '10000002', 'credit', 200_000), { feeFen: 1_260 });
  settle(newTxn('2025-10-03', '12:30:00', '10000003', 'debit', 500_000), { feeFen: 2_500 });
  expected.fee_mismatch += 2;
  // A new terminal starts trading during the holiday; its first payout (10-09) carries a deposit.
  for (const day of ['2025-10-02', '2025-10-04']) {
    settle(newTxn(day, '13:13:13', '10000004', 'debit', 18_800));
    expected.matched++;
  }
  // Non-sale deductions: a data fee on an old terminal and a first-swipe deposit on the new one.
  const deductions = [
    { clearing: '2025-09-30', terminal: '10000001', label: '流量费', memo: 'SIM卡流量费 2025年度', fen: 4_800 },
    { clearing: '2025-10-09', terminal: '10000004', label: '押金', memo: '首刷押金', fen: 9_900 },
  ];
  expected.extra_deduction += deductions.length;

  // --- Render files ----------------------------------------------------------------------
  const files: ScenarioFile[] = [];
  const byDay = new Map<string, Txn[]>();
  for (const t of txns) {
    const day = t.time.slice(0, 10);
    byDay.set(day, [...(byDay.get(day) ?? []), t]);
  }
  for (const [day, list] of [...byDay.entries()].sort()) {
    const rows = list
      .sort((a, b) => (a.time < b.time ? -1 : 1))
      .map((t) => [MERCHANT, t.terminal, t.time, t.type, t.status, t.card, CARD_WORD[t.cardType], yuanThousands(t.amountFen), t.rrn, t.trace, t.originalRrn]);
    const text = [
      '商户交易明细',
      '商户名称：演示商户',
      `导出时间：${day} 23:59:59`,
      '商户号,终端号,交易时间,交易类型,交易状态,卡号,卡类型,交易金额,参考号,凭证号,原参考号',
      ...rows.map(csvRow),
      `合计,,,,,,,,共${rows.length}笔,,`,
    ].join('\r\n') + '\r\n';
    // Odd days ship in GBK, as many portals still do.
    const gbk = Number(day.slice(8, 10)) % 2 === 1;
    files.push({ name: `terminal-${day}.csv`, role: 'terminal', bytes: gbk ? iconv.encodeGbk(text) : new TextEncoder().encode(text) });
  }
  const clearings = [...new Set(lines.map((l) => l.clearing).concat(deductions.map((d) => d.clearing)))].sort();
  clearings.forEach((clearing, i) => {
    const own = lines.filter((l) => l.clearing === clearing);
    const ded = deductions.filter((d) => d.clearing === clearing);
    let text: string;
    if (i % 2 === 0) {
      // Layout A: GBK, with RRN, one timestamp column.
      text = [
        '结算对账单',
        `清算日期：${clearing}`,
        '清算日期,商户号,终端号,交易时间,交易类型,卡号,卡类型,交易金额,手续费,结算金额,参考号,凭证号,备注',
        ...own.map((l) => csvRow([clearing, MERCHANT, l.txn.terminal, l.txn.time, l.txn.type === '消费撤销' ? '消费' : l.txn.type, l.txn.card, CARD_WORD[l.txn.cardType], yuan(l.amountFen), yuan(l.feeFen), yuan(l.amountFen - l.feeFen), l.txn.rrn, l.txn.trace, ''])),
        ...ded.map((d) => csvRow([clearing, MERCHANT, d.terminal, '', d.label, '', '', '', '', yuan(-d.fen), '', '', d.memo])),
        '总计,,,,,,,,,,,,',
      ].join('\r\n') + '\r\n';
      files.push({ name: `settlement-${clearing}.csv`, role: 'settlement', bytes: iconv.encodeGbk(text) });
    } else {
      // Layout B: UTF-8 with BOM, no RRN, split date and time columns (通联-like).
      text = '\uFEFF' + [
        '清算日期,商户号,终端号,交易日期,交易时间,交易类型,卡号,卡类别,交易金额,手续费,结算金额,凭证号,备注',
        ...own.map((l) => csvRow([clearing, MERCHANT, l.txn.terminal, l.txn.time.slice(0, 10), l.txn.time.slice(11), l.txn.type === '消费撤销' ? '消费' : l.txn.type, l.txn.card, CARD_WORD[l.txn.cardType], yuan(l.amountFen), yuan(l.feeFen), yuan(l.amountFen - l.feeFen), l.txn.trace, ''])),
        ...ded.map((d) => csvRow([clearing, MERCHANT, d.terminal, '', '', d.label, '', '', '', '', yuan(-d.fen), '', d.memo])),
      ].join('\n') + '\n';
      files.push({ name: `settlement-${clearing}.csv`, role: 'settlement', bytes: new TextEncoder().encode(text) });
    }
  });
  // A re-sent settlement file: same content under another name. Its rows count once.
  const resent = files.find((f) => f.name === 'settlement-2025-09-30.csv')!;
  files.push({ name: 'settlement-2025-09-30-resent.csv', role: 'settlement', bytes: resent.bytes });
  expected.duplicate_export += lines.filter((l) => l.clearing === '2025-09-30').length + deductions.filter((d) => d.clearing === '2025-09-30').length;

  return { files, asOf, contract: SCENARIO_CONTRACT, expected };
}

function yuanThousands(fen: number): string {
  const [int, frac] = yuan(fen).split('.');
  return `${int.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${frac}`;
}

function csvRow(cells: string[]): string {
  return cells.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',');
}
