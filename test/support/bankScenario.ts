// A deterministic two-merchant, two-week scenario for the bank leg (settlement payouts ↔ bank
// credits), with planted faults and the exact findings they must produce. Payouts are summed
// here with integer fen arithmetic from the lines this generator writes — independently of
// posrecon's payout code — so the tests can fail.
//
// Planted: exact payouts (T+1 and same-day), a weekend paid as one merged credit, a payout split
// over two per-terminal credits, a missing payout, a pending one, a short payout explained by a
// same-day bank debit, an over payout (a printed deduction not taken), an ambiguous split, an
// unexplained acquirer credit, acquirer/fee debits (one allowed by the contract), a missing
// statement row (balance gap), unrelated rows, a re-sent settlement file, a duplicated settlement
// line, a statement re-exported over part of another, statements newest- and oldest-first.
import iconv from './gbk.js';
import { contractFeeFen } from './scenario.js';
import { rng } from './rng.js';

export interface BankScenarioFile {
  name: string;
  role: 'settlement' | 'bank';
  bytes: Uint8Array;
}

export interface PlannedPayout {
  merchantId: string;
  settleDate: string;
  fen: number;
  plan: 'exact' | 'merged' | 'split' | 'missing' | 'pending' | 'short' | 'over' | 'ambiguous' | 'nothing_due';
}

export interface BankScenario {
  files: BankScenarioFile[];
  asOf: string;
  contract: string;
  /** Exact count of every finding kind the run must produce; kinds not listed must be 0. */
  expected: Record<string, number>;
  payouts: PlannedPayout[];
  /** Bank rows printed (all statement files, copies included). */
  bankRows: number;
}

export const BANK_CONTRACT = `timezone: Asia/Shanghai
settlement: { cycle: D+1, cutoff: "23:00", cutoffRule: at-or-after, graceDays: 0 }
acquirers: ["拉卡拉"]
payoutWindowDays: 3
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
  allowedDeductions:
    - { label: "流量费", amount: "48.00", per: year }
`;

const M1 = '898310058120001';
const M2 = '898310058120002';
const TERMINALS: Record<string, [string, string]> = { [M1]: ['10000001', '10000002'], [M2]: ['20000001', '20000002'] };
const CARD_WORD = { debit: '借记卡', credit: '贷记卡', qr: '扫码' } as const;
type Card = keyof typeof CARD_WORD;

const yuan = (fen: number) => `${fen < 0 ? '-' : ''}${Math.floor(Math.abs(fen) / 100)}.${String(Math.abs(fen) % 100).padStart(2, '0')}`;
const thousands = (fen: number) => {
  const [int, frac] = yuan(fen).split('.');
  return `${int.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${frac}`;
};
const csvRow = (cells: string[]) => cells.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',');


interface Line {
  clearing: string;
  merchant: string;
  terminal: string;
  time: string;
  card: Card;
  amountFen: number;
  feeFen: number;
  rrn: string;
  trace: string;
  deduction?: { label: string; memo: string };
}

interface BankEvent {
  time: string;
  creditFen: number;
  debitFen: number;
  memo: string;
  counterparty: string;
  account: string;
  /** Left out of the printed statement: a missing row. */
  unprinted?: boolean;
  balanceFen?: number;
}

export function buildBankScenario(seed = 20251114): BankScenario {
  const rand = rng(seed);
  const lines: Line[] = [];
  let rrn = 300000000001;
  let trace = 1;
  const expected: Record<string, number> = {
    payout_matched: 0, payout_missing: 0, payout_pending: 0, payout_short: 0, payout_over: 0, ambiguous_payout: 0,
    unexplained_credit: 0, unexplained_debit: 0, balance_gap: 0, bank_unrelated: 0, allowed_deduction: 0,
    duplicate_export: 0, duplicate_settlement: 0, extra_deduction: 0,
  };

  /** Card lines of one terminal on one day whose gross is exactly `grossFen`. */
  const cardLines = (clearing: string, merchant: string, terminal: string, grossFen: number): Line[] => {
    const out: Line[] = [];
    let left = grossFen;
    const businessDay = addDays(clearing, -1);
    for (let i = 0; left > 0; i++) {
      const amount = left < 60_000 || i >= 4 ? left : 10_000 + Math.floor(rand() * 40_000);
      const card = (['debit', 'credit', 'qr'] as const)[Math.floor(rand() * 3)];
      const time = `${businessDay} ${String(9 + i).padStart(2, '0')}:${String(Math.floor(rand() * 60)).padStart(2, '0')}:00`;
      out.push({ clearing, merchant, terminal, time, card, amountFen: amount, feeFen: contractFeeFen(amount, card), rrn: String(rrn++), trace: String(trace++).padStart(6, '0') });
      left -= amount;
    }
    lines.push(...out);
    return out;
  };
  const net = (ls: Line[]) => ls.reduce((n, l) => n + (l.deduction ? -Math.abs(l.amountFen) : l.amountFen - l.feeFen), 0);
  /** A day's payout: gross split over the merchant's two terminals. */
  const day = (clearing: string, merchant: string, grossFen: number) => {
    const [t1, t2] = TERMINALS[merchant];
    const first = Math.round(grossFen * 0.42);
    return { t1: cardLines(clearing, merchant, t1, first), t2: cardLines(clearing, merchant, t2, grossFen - first) };
  };
  const payouts: PlannedPayout[] = [];
  const events: BankEvent[] = [];
  const LAKALA = '拉卡拉支付股份有限公司';
  const UMS = '银联商务股份有限公司';
  const ACQ_ACCOUNT = '1100****0001';
  const credit = (time: string, fen: number, memo: string, counterparty = LAKALA): BankEvent => {
    const e = { time, creditFen: fen, debitFen: 0, memo, counterparty, account: ACQ_ACCOUNT };
    events.push(e);
    return e;
  };
  const debit = (time: string, fen: number, memo: string, counterparty: string, account = '6222****8888', unprinted = false): BankEvent => {
    const e = { time, creditFen: 0, debitFen: fen, memo, counterparty, account, unprinted };
    events.push(e);
    return e;
  };
  const plan = (merchantId: string, settleDate: string, fen: number, p: PlannedPayout['plan']) => {
    payouts.push({ merchantId, settleDate, fen, plan: p });
    if (p === 'exact' || p === 'merged' || p === 'split') expected.payout_matched++;
    if (p === 'missing') expected.payout_missing++;
    if (p === 'pending') expected.payout_pending++;
    if (p === 'short') expected.payout_short++;
    if (p === 'over') expected.payout_over++;
    if (p === 'ambiguous') expected.ambiguous_payout++;
  };
  const exact = (clearing: string, merchant: string, gross: number, bookedOn: string, memo = '拉卡拉清算款', counterparty = LAKALA) => {
    const d = day(clearing, merchant, gross);
    const fen = net([...d.t1, ...d.t2]);
    plan(merchant, clearing, fen, 'exact');
    credit(`${bookedOn} 10:${String(Math.floor(rand() * 50) + 10)}:00`, fen, memo, counterparty);
  };

  // --- Merchant 1: payouts of 5,000–14,000 (far from merchant 2's, and ≥ 8% apart day to day) --
  exact('2025-11-03', M1, 520_000, '2025-11-04');
  {
    const d = day('2025-11-04', M1, 610_000); // never credited: 未到账
    plan(M1, '2025-11-04', net([...d.t1, ...d.t2]), 'missing');
  }
  {
    // The acquirer settled one sale twice: the payout pays both lines, as printed.
    const d = day('2025-11-05', M1, 700_000);
    lines.push({ ...d.t1[0] });
    expected.duplicate_settlement++;
    const fen = net([...d.t1, ...d.t2, d.t1[0]]);
    plan(M1, '2025-11-05', fen, 'exact');
    credit('2025-11-05 17:05:00', fen, 'POS清算', UMS);
  }
  {
    // A 服务费 deduction printed in the settlement file but not taken: the credit is 20.00 over.
    const d = day('2025-11-06', M1, 800_000);
    const ded: Line = { clearing: '2025-11-06', merchant: M1, terminal: '10000001', time: '', card: 'debit', amountFen: 2_000, feeFen: 0, rrn: '', trace: '', deduction: { label: '服务费', memo: '终端服务费' } };
    lines.push(ded);
    expected.extra_deduction++;
    const fen = net([...d.t1, ...d.t2, ded]);
    plan(M1, '2025-11-06', fen, 'over');
    credit('2025-11-07 09:40:00', fen + 2_000, '拉卡拉清算款');
  }
  {
    // Friday, Saturday and Sunday paid on Monday as one credit.
    let sum = 0;
    for (const [clearing, gross] of [['2025-11-07', 430_000], ['2025-11-08', 310_000], ['2025-11-09', 260_000]] as const) {
      const d = day(clearing, M1, gross);
      const fen = net([...d.t1, ...d.t2]);
      plan(M1, clearing, fen, 'merged');
      sum += fen;
    }
    credit('2025-11-10 10:05:00', sum, '拉卡拉清算款 合并入账');
  }
  exact('2025-11-10', M1, 920_000, '2025-11-11', 'POS清算', UMS);
  exact('2025-11-11', M1, 1_040_000, '2025-11-12');
  exact('2025-11-12', M1, 1_190_000, '2025-11-12', `结算款 ${M1}`);
  {
    const d = day('2025-11-13', M1, 1_350_000); // due by 11-16: pending as of 11-14
    plan(M1, '2025-11-13', net([...d.t1, ...d.t2]), 'pending');
  }

  // --- Merchant 2: payouts of 1,000–3,600 --------------------------------------------------------
  exact('2025-11-03', M2, 115_000, '2025-11-04');
  exact('2025-11-04', M2, 140_000, '2025-11-05');
  {
    // Per-terminal payouts: one credit per terminal, on two days.
    const d = day('2025-11-05', M2, 360_000);
    plan(M2, '2025-11-05', net([...d.t1, ...d.t2]), 'split');
    credit('2025-11-05 16:00:00', net(d.t1), '拉卡拉清算款 终端20000001');
    credit('2025-11-06 09:10:00', net(d.t2), '拉卡拉清算款 终端20000002');
  }
  exact('2025-11-06', M2, 165_000, '2025-11-07');
  {
    // 30.00 short; the bank debited a 30.00 service fee on the same day.
    const d = day('2025-11-07', M2, 200_000);
    const fen = net([...d.t1, ...d.t2]);
    plan(M2, '2025-11-07', fen, 'short');
    credit('2025-11-08 10:20:00', fen - 3_000, '拉卡拉清算款');
    debit('2025-11-08 10:21:00', 3_000, 'POS服务费', LAKALA, ACQ_ACCOUNT);
    expected.unexplained_debit++;
  }
  {
    // Four credits in the window; two different pairs each add up to the payout.
    const d = day('2025-11-10', M2, 250_000);
    const fen = net([...d.t1, ...d.t2]);
    plan(M2, '2025-11-10', fen, 'ambiguous');
    const a = Math.floor(fen * 0.4);
    const b = Math.floor(fen * 0.25);
    for (const [i, part] of [a, fen - a, b, fen - b].entries()) credit(`2025-11-11 14:0${i}:00`, part, '拉卡拉清算款');
  }
  exact('2025-11-11', M2, 290_000, '2025-11-12');
  {
    // A day with only a deposit deduction: the payout is negative, no credit expected.
    lines.push({ clearing: '2025-11-12', merchant: M2, terminal: '20000002', time: '', card: 'debit', amountFen: 9_900, feeFen: 0, rrn: '', trace: '', deduction: { label: '押金', memo: '机具押金' } });
    expected.extra_deduction++;
    plan(M2, '2025-11-12', -9_900, 'nothing_due');
  }
  exact('2025-11-13', M2, 330_000, '2025-11-13', '拉卡拉清算款 D0');

  // --- Other bank rows ---------------------------------------------------------------------------
  credit('2025-11-09 11:11:00', 88_888, '银联入账', UMS); // pays nothing
  expected.unexplained_credit++;
  debit('2025-11-11 08:00:00', 9_900, 'SIM卡流量费', LAKALA, ACQ_ACCOUNT); // 99.00 > the 48.00 a year allowed
  expected.unexplained_debit++;
  debit('2025-11-12 08:00:00', 4_800, '流量费', LAKALA, ACQ_ACCOUNT); // allowed: 48.00 per year
  expected.allowed_deduction++;
  const unrelated: BankEvent[] = [
    credit('2025-11-01 09:00:00', 432_100, '拉卡拉清算款'), // a payout of October: outside the settlement files' period
    debit('2025-11-02 10:00:00', 800_000, '房租', '张三'),
    debit('2025-11-04 12:00:00', 25_630, '消费', '北京三快在线科技有限公司'),
    credit('2025-11-07 18:00:00', 500_000, '转账', '王五'),
    debit('2025-11-10 09:30:00', 1_200_000, '代发工资', '本公司员工'),
    debit('2025-11-11 11:00:00', 128_800, '货款', '上海某某食品有限公司'),
    debit('2025-11-12 14:00:00', 3_500, '银联消费', '银联无卡支付业务'),
    credit('2025-11-13 16:00:00', 88, '结息', '本行'),
  ];
  expected.bank_unrelated += unrelated.length;
  // A card payment missing from the printed statement: the next balance does not follow.
  debit('2025-11-06 15:00:00', 6_600, '银联消费', '银联无卡支付业务', '6222****8888', true);
  expected.balance_gap++;

  // --- Settlement files: one per clearing date, both merchants; one re-sent --------------------------
  const files: BankScenarioFile[] = [];
  const clearings = [...new Set(lines.map((l) => l.clearing))].sort();
  for (const clearing of clearings) {
    const own = lines.filter((l) => l.clearing === clearing);
    const text = [
      '结算对账单',
      `清算日期：${clearing}`,
      '清算日期,商户号,终端号,交易时间,交易类型,卡号,卡类型,交易金额,手续费,结算金额,参考号,凭证号,备注',
      ...own.map((l) =>
        l.deduction
          ? csvRow([clearing, l.merchant, l.terminal, '', l.deduction.label, '', '', '', '', yuan(-l.amountFen), '', '', l.deduction.memo])
          : csvRow([clearing, l.merchant, l.terminal, l.time, '消费', '622848******' + l.rrn.slice(-4), CARD_WORD[l.card], yuan(l.amountFen), yuan(l.feeFen), yuan(l.amountFen - l.feeFen), l.rrn, l.trace, '']),
      ),
      '总计,,,,,,,,,,,,',
    ].join('\r\n') + '\r\n';
    files.push({ name: `settlement-${clearing}.csv`, role: 'settlement', bytes: iconv.encodeGbk(text) });
  }
  const resent = files.find((f) => f.name === 'settlement-2025-11-10.csv')!;
  files.push({ name: 'settlement-2025-11-10-resent.csv', role: 'settlement', bytes: resent.bytes });
  expected.duplicate_export += lines.filter((l) => l.clearing === '2025-11-10').length;

  // --- Bank statements ---------------------------------------------------------------------------
  events.sort((x, y) => (x.time < y.time ? -1 : x.time > y.time ? 1 : 0));
  let balance = 5_000_000;
  for (const e of events) {
    balance += e.creditFen - e.debitFen;
    e.balanceFen = balance;
  }
  const printed = events.filter((e) => !e.unprinted);
  // A: 11-01 … 11-07, GBK, newest first, one amount with a 借/贷 direction column, split date/time.
  const a = printed.filter((e) => e.time < '2025-11-08').reverse();
  const aText = [
    '交易流水明细',
    '账号：6217****1234,户名：某某餐饮有限公司',
    '交易日期,交易时间,借贷标志,交易金额,账户余额,对方户名,对方账号,摘要',
    ...a.map((e) => csvRow([e.time.slice(0, 10), e.time.slice(11), e.creditFen ? '贷' : '借', thousands(e.creditFen || e.debitFen), thousands(e.balanceFen!), e.counterparty, e.account, e.memo])),
    `合计,,,共${a.length}笔,,,,`,
  ].join('\r\n') + '\r\n';
  files.push({ name: 'bank-2025-11-01_07.csv', role: 'bank', bytes: iconv.encodeGbk(aText) });
  // B: 11-08 … 11-14, UTF-8 with BOM, oldest first, separate 收入/支出 columns, one timestamp column.
  const layoutB = (rows: BankEvent[]) =>
    '\uFEFF' + [
      '交易时间,收入金额,支出金额,余额,对方户名,对方账号,交易摘要',
      ...rows.map((e) => csvRow([e.time, e.creditFen ? thousands(e.creditFen) : '', e.debitFen ? thousands(e.debitFen) : '', thousands(e.balanceFen!), e.counterparty, e.account, e.memo])),
    ].join('\n') + '\n';
  const b = printed.filter((e) => e.time >= '2025-11-08');
  files.push({ name: 'bank-2025-11-08_14.csv', role: 'bank', bytes: new TextEncoder().encode(layoutB(b)) });
  // C: the same account re-exported for 11-08 … 11-10: every row is also in B, counted once.
  const c = b.filter((e) => e.time < '2025-11-11');
  files.push({ name: 'bank-2025-11-08_10-reexport.csv', role: 'bank', bytes: new TextEncoder().encode(layoutB(c)) });
  expected.duplicate_export += c.length;

  return { files, asOf: '2025-11-14', contract: BANK_CONTRACT, expected, payouts, bankRows: a.length + b.length + c.length };
}

function addDays(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}
