// A month of cron runs (November 2025, no public holidays, so T+1 = the next weekday): terminal
// exports and settlement files written to an inbox, delivered day by day the way they really
// arrive — some a day late, one re-sent under the same name, one re-sent under another name, one
// multi-day terminal export that overlaps daily files already ingested, one day where cron hands
// over the whole inbox again, and one day run twice.
import { SCENARIO_CONTRACT, contractFeeFen } from '../support/scenario.js';
import { rng } from '../support/rng.js';

export const SIM_CONTRACT = SCENARIO_CONTRACT;
const MERCHANT = '898310058120001';
const TERMINALS = ['20000001', '20000002'];
type Card = 'debit' | 'credit' | 'qr';
const CARD_WORD: Record<Card, string> = { debit: '借记卡', credit: '贷记卡', qr: '微信' };

export interface SimFile {
  name: string;
  role: 'terminal' | 'settlement';
  text: string;
}

export interface SimDay {
  /** The morning the cron job runs. */
  runDate: string;
  /** Files handed to `posrecon run` that morning (names; some were delivered before). */
  terminal: string[];
  settlement: string[];
  /** Run the same command twice this morning. */
  twice?: boolean;
}

export interface Simulation {
  files: Map<string, SimFile>;
  days: SimDay[];
  /** Files whose content is also in another file under another name (re-sent, overlapping export). */
  overlapping: string[];
}

interface Txn {
  terminal: string;
  time: string;
  type: '消费' | '消费撤销' | '扫码';
  status: '成功' | '交易失败';
  card: string;
  cardType: Card;
  fen: number;
  rrn: string;
  trace: string;
  originalRrn: string;
}

interface Line {
  clearing: string;
  txn: Txn;
  fen: number;
  feeFen: number;
}

const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const weekday = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay();
/** T+1 in a month without holidays: the next Monday–Friday. */
export function nextWorkingDay(date: string): string {
  let d = addDays(date, 1);
  while (weekday(d) === 0 || weekday(d) === 6) d = addDays(d, 1);
  return d;
}
const yuan = (fen: number) => `${fen < 0 ? '-' : ''}${Math.floor(Math.abs(fen) / 100)}.${String(Math.abs(fen) % 100).padStart(2, '0')}`;
const csv = (cells: string[]) => cells.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',');


const TERMINAL_HEADER = '商户号,终端号,交易时间,交易类型,交易状态,卡号,卡类型,交易金额,参考号,凭证号,原参考号';
const SETTLEMENT_HEADER = '清算日期,商户号,终端号,交易时间,交易类型,卡号,卡类型,交易金额,手续费,结算金额,参考号,凭证号,备注';

function terminalText(title: string, txns: Txn[]): string {
  const rows = [...txns].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  return (
    ['商户交易明细', `导出：${title}`, TERMINAL_HEADER,
      ...rows.map((t) => csv([MERCHANT, t.terminal, t.time, t.type, t.status, t.card, CARD_WORD[t.cardType], yuan(t.fen), t.rrn, t.trace, t.originalRrn])),
      `合计,,,,,,,,共${rows.length}笔,,`,
    ].join('\r\n') + '\r\n'
  );
}

export function buildSimulation(seed = 20251101, salesPerTerminalPerDay = 4): Simulation {
  const rand = rng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  let rrn = 310000000000;
  let trace = 1;
  const txns: Txn[] = [];
  const lines: Line[] = [];
  const deductions: { clearing: string; terminal: string; label: string; memo: string; fen: number }[] = [];
  const businessDays = Array.from({ length: 30 }, (_, i) => addDays('2025-11-01', i));

  const sale = (day: string, hhmmss: string, terminal: string, cardType: Card, fen: number, over: Partial<Txn> = {}): Txn => {
    const t: Txn = {
      terminal,
      time: `${day} ${hhmmss}`,
      type: cardType === 'qr' ? '扫码' : '消费',
      status: '成功',
      card: cardType === 'qr' ? '' : `${cardType === 'debit' ? '622848' : '436742'}******${String(1000 + Math.floor(rand() * 9000))}`,
      cardType,
      fen,
      rrn: String(rrn++),
      trace: String(trace++).padStart(6, '0'),
      originalRrn: '',
      ...over,
    };
    txns.push(t);
    return t;
  };
  const settle = (t: Txn, over: Partial<Line> = {}) => {
    lines.push({ clearing: nextWorkingDay(t.time.slice(0, 10)), txn: t, fen: t.fen, feeFen: contractFeeFen(t.fen, t.cardType), ...over });
  };
  const clock = () => `${String(9 + Math.floor(rand() * 13)).padStart(2, '0')}:${String(Math.floor(rand() * 60)).padStart(2, '0')}:${String(Math.floor(rand() * 60)).padStart(2, '0')}`;

  for (const day of businessDays) {
    for (const terminal of TERMINALS) {
      for (let i = 0; i < salesPerTerminalPerDay; i++) settle(sale(day, clock(), terminal, pick<Card>(['debit', 'credit', 'qr']), 100 * (10 + Math.floor(rand() * 2000))));
    }
  }
  // Planted faults.
  sale('2025-11-06', '11:11:11', '20000001', 'debit', 8_800); // never settles: pending, then overdue
  sale('2025-11-03', '20:00:00', '20000002', 'debit', 9_900, { status: '交易失败', rrn: '' }); // failed, correctly unsettled
  settle(sale('2025-11-12', '10:30:00', '20000002', 'credit', 200_000), { feeFen: 1_260 }); // fee above contract
  { // a settlement line the terminal export does not have (掉单)
    const ghost = sale('2025-11-13', '16:20:00', '20000002', 'debit', 58_800);
    txns.pop();
    settle(ghost);
  }
  { // settled twice
    const t = sale('2025-11-17', '09:45:00', '20000001', 'credit', 100_000);
    settle(t);
    settle(t);
  }
  { // voided sale, correctly not settled
    const t = sale('2025-11-25', '12:00:00', '20000002', 'debit', 6_600);
    sale('2025-11-25', '12:05:00', '20000002', 'debit', 6_600, { type: '消费撤销', card: t.card, originalRrn: t.rrn });
  }
  // After the 23:00 cut-off on the last day: business date 12-01, due 12-02 — still pending at the end.
  sale('2025-11-30', '23:30:00', '20000001', 'credit', 45_600);
  deductions.push({ clearing: '2025-11-20', terminal: '20000001', label: '流量费', memo: 'SIM卡流量费 2025年度', fen: 4_800 });

  // --- files ----------------------------------------------------------------------------------
  const files = new Map<string, SimFile>();
  const add = (f: SimFile) => files.set(f.name, f);
  const onDay = (day: string) => txns.filter((t) => t.time.startsWith(day));
  for (const day of businessDays) add({ name: `terminal-${day}.csv`, role: 'terminal', text: terminalText(day, onDay(day)) });
  // One export spanning 11-24…11-26 that overlaps the daily files of 11-24 and 11-25.
  add({ name: 'terminal-2025-11-24_26.csv', role: 'terminal', text: terminalText('2025-11-24 至 2025-11-26', ['2025-11-24', '2025-11-25', '2025-11-26'].flatMap(onDay)) });
  const clearings = [...new Set([...lines.map((l) => l.clearing), ...deductions.map((d) => d.clearing)])].sort();
  for (const clearing of clearings) {
    const own = lines.filter((l) => l.clearing === clearing);
    const ded = deductions.filter((d) => d.clearing === clearing);
    const text =
      ['结算对账单', `清算日期：${clearing}`, SETTLEMENT_HEADER,
        ...own.map((l) => csv([clearing, MERCHANT, l.txn.terminal, l.txn.time, l.txn.type, l.txn.card, CARD_WORD[l.txn.cardType], yuan(l.fen), yuan(l.feeFen), yuan(l.fen - l.feeFen), l.txn.rrn, l.txn.trace, ''])),
        ...ded.map((d) => csv([clearing, MERCHANT, d.terminal, '', d.label, '', '', '', '', yuan(-d.fen), '', '', d.memo])),
        '总计,,,,,,,,,,,,',
      ].join('\r\n') + '\r\n';
    add({ name: `settlement-${clearing}.csv`, role: 'settlement', text });
  }
  add({ ...files.get('settlement-2025-11-10.csv')!, name: 'settlement-2025-11-10-resent.csv' });

  // --- delivery: the cron run on the morning after each business day ---------------------------
  const days: SimDay[] = [];
  const delivered: SimFile[] = [];
  for (const business of businessDays) {
    const runDate = addDays(business, 1);
    let terminal = [`terminal-${business}.csv`];
    let settlement = files.has(`settlement-${runDate}.csv`) ? [`settlement-${runDate}.csv`] : [];
    if (business === '2025-11-19') terminal = []; // the portal export failed: arrives a day late
    if (business === '2025-11-20') terminal = ['terminal-2025-11-19.csv', 'terminal-2025-11-20.csv'];
    if (runDate === '2025-11-12') settlement = []; // the acquirer's file is a day late
    if (runDate === '2025-11-13') settlement = ['settlement-2025-11-12.csv', 'settlement-2025-11-13.csv'];
    if (runDate === '2025-11-07') settlement.push('settlement-2025-11-05.csv'); // re-sent, same name and bytes
    if (runDate === '2025-11-11') settlement.push('settlement-2025-11-10-resent.csv'); // re-sent under another name
    if (business === '2025-11-26') terminal = ['terminal-2025-11-24_26.csv']; // overlaps 11-24 and 11-25
    for (const n of [...terminal, ...settlement]) if (!delivered.some((f) => f.name === n)) delivered.push(files.get(n)!);
    if (runDate === '2025-11-15') {
      // cron handed over the whole inbox (a glob of everything delivered so far)
      terminal = delivered.filter((f) => f.role === 'terminal').map((f) => f.name);
      settlement = delivered.filter((f) => f.role === 'settlement').map((f) => f.name);
    }
    days.push({ runDate, terminal, settlement, twice: runDate === '2025-11-18' });
  }
  // Never delivered on its own: the overlapping export replaces it.
  files.delete('terminal-2025-11-26.csv');
  return { files, days, overlapping: ['settlement-2025-11-10-resent.csv', 'terminal-2025-11-24_26.csv'] };
}
