// Bank statement rows: booking dates, the words that mark acquirer payouts and fee debits, and
// the booking order of rows from statements printed oldest- or newest-first. Pure.
import { Decimal } from 'decimal.js';
import type { CanonicalRecord, LocalDate } from '../model.js';
import type { Contract } from '../contract/contract.js';

/**
 * Acquirers (收单机构) whose names appear as the counterparty of payouts. Deliberately specific
 * names: bare 银联 also marks card spending (银联消费), and 财付通 / 支付宝 are ordinary spending on a
 * personal account. Add your acquirer's exact name with `acquirers:` in the contract.
 */
export const ACQUIRER_NAMES: readonly string[] = [
  '银联商务', '拉卡拉', 'lakala', '通联支付', '通联商务', 'allinpay', '乐刷', '随行付', '汇付天下', '汇付数据', '快钱', '易宝支付',
  '联动优势', '盛付通', '海科融通', '付临门', '合利宝', '富友支付', '杉德', '嘉联支付', '星驿付', '收钱吧', '银盛支付',
];

/** Memo / counterparty words of an acquirer payout (银联入账, 清算款 …). */
export const PAYOUT_WORDS: readonly string[] = [
  '银联入账', '银联清算', '清算款', '清算资金', 'pos清算', 'pos结算', '结算款', '商户结算', '收单结算', '银商清算', '银商结算', '银商入账',
  // WeChat Pay and Alipay merchants are paid by 财付通 / 支付宝 under these memos (the payer's
  // name alone is no sign: it is also where personal spending goes).
  '微信支付结算', '微信结算', '支付宝结算', '财付通结算',
];

/** Fee words that name a card terminal's charge on their own: its SIM card's data fee, its activation, its first swipe, the machine. */
export const POS_FEE_WORDS: readonly string[] = ['流量费', '激活费', '首刷'];
/** A terminal's machine charged for (机具押金, 机具使用费, POS机具租金), not a farm's or a workshop's (农机具, 工机具). */
const MACHINE_FEE = /(?<![农工])机具(?:押金|费|服务费|使用费|租金|租赁费)/u;

/**
 * Fee words any business account shows for other reasons: the bank's own transfer fee (手续费) and
 * card annual fee (年费), a utility or tax 扣款, a rent 押金, an SMS 服务费. They mark an
 * acquirer debit only beside the acquirer's name or one of POS_CONTEXT_WORDS.
 */
export const FEE_WORDS: readonly string[] = ['押金', '服务费', '年费', '手续费', '扣款'];
/**
 * POS, 机具 (not 农机具), 终端, 刷卡, 收单. Not 商户: 个体工商户 is the legal form of most merchants,
 * and a mall's 商户装修押金 or 美团's 商户服务费 are no acquirer's. Not `pos` inside a word (deposit).
 */
const POS_CONTEXT = /(?:^|[^a-z])m?pos(?:[^a-z]|$)|(?<![农工])机具|刷卡|收单/u;
/** 终端 alone is a phone as often as a POS: not beside a carrier's contract or instalments. */
const TERMINAL = /终端/u;
const PHONE = /分期|分月|合约机|中国移动|中国联通|中国电信/u;

/** Full-width to half-width, no spaces, lower case: `ＰＯＳ 清算` → `pos清算`. */
export function normText(text: string): string {
  return text.normalize('NFKC').replace(/\s+/g, '').toLowerCase();
}

/** The searchable text of a bank row: memo, counterparty name and account. */
export function rowText(r: CanonicalRecord): string {
  return normText([r.memo, r.counterparty, r.counterpartyAccount].filter(Boolean).join(' '));
}

function firstWordIn(text: string, words: readonly string[]): string | undefined {
  return words.find((w) => w !== '' && text.includes(normText(w)));
}

/** The acquirer name the row names (built-in names and the contract's `acquirers`), if any. */
export function acquirerNameIn(r: CanonicalRecord, contract: Contract): string | undefined {
  const text = rowText(r);
  return firstWordIn(text, contract.acquirers) ?? firstWordIn(text, ACQUIRER_NAMES) ?? (YINSHANG.test(normText(r.counterparty ?? '')) ? '银商' : undefined);
}

/**
 * 银商, 银联商务's short name, only as the counterparty's whole name (银商, 银商(上海)): glued to other
 * words it is 工银/中银/农银商务卡, 网银商城, 白银商品, 金银商贸.
 */
const YINSHANG = /^银商(?:[（(\d].*)?$/u;

/**
 * Why a row looks like an acquirer movement: an acquirer name, or a payout word — but the
 * words people use too (结算款, 银联入账) not when a private person is the counterparty: a
 * customer's 货款结算款, or a transfer BOC books as 银联入账 (its 交易名称 for any incoming
 * card-network transfer), is no acquirer payout. A merchant paid from a person's account names
 * that person in the contract's `acquirers`.
 */
export function acquirerHint(r: CanonicalRecord, contract: Contract): string | undefined {
  const named = acquirerNameIn(r, contract);
  if (named) return named;
  const text = rowText(r);
  const word = firstWordIn(text, PAYOUT_WORDS);
  if (word && isPersonName(r.counterparty) && PERSONAL_WORDS.includes(word) && PAYOUT_WORDS.every((w) => w === word || PERSONAL_WORDS.includes(w) || !text.includes(normText(w)))) return undefined;
  return word;
}

/**
 * A debit that takes a credit back: the bank returned a transfer it could not book (退汇, 退票 —
 * a closed account, a name that does not match). The money never arrived.
 */
const RETURN_WORDS: readonly string[] = ['退汇', '退票', '汇款退回', '划款退回', '资金退回', '清算款退回', '结算款退回', '入账退回'];

export function returnWordIn(r: CanonicalRecord): string | undefined {
  return firstWordIn(rowText(r), RETURN_WORDS);
}

/** Payout words a private person's transfer carries as well. */
const PERSONAL_WORDS: readonly string[] = ['结算款', '银联入账'];

/** 2–4 Han characters (a masked 张* too) and no word of an institution: a private person's name. */
const PERSON = /^[\p{Script=Han}*＊·]{2,4}$/u;
const INSTITUTION = /公司|银行|中心|集团|商务|支付|清算|结算|财付通|支付宝|银联|网联|商户|收单|科技|网络|基金|保险|证券|财政|税务|医院|学校|[店厂局社所部院会行]/u;

export function isPersonName(name: string | undefined): boolean {
  if (!name) return false;
  const n = name.normalize('NFKC').replace(/\s+/g, '');
  // An acquirer's short name (通联, 富友, 汇付) is no person either (review CD).
  return PERSON.test(n) && !INSTITUTION.test(n) && !ACQUIRER_NAMES.some((a) => a.startsWith(n));
}

// "退款总金额0.01元;含手续费0.00元" describes a refund's make-up, not a fee taken: such
// "including fee" notes must not turn a customer refund into a fee debit.
const INCLUDED_FEE_NOTE = /含手续费-?[\d.,]*元?/gu;

/** The fee word that makes a debit the acquirer's business, if any (a POS fee word, or a generic one in POS context). */
export function feeWordIn(r: CanonicalRecord): string | undefined {
  const text = rowText(r).replace(INCLUDED_FEE_NOTE, '');
  const own = firstWordIn(text, POS_FEE_WORDS) ?? MACHINE_FEE.exec(text)?.[0];
  if (own) return own;
  const generic = firstWordIn(text, FEE_WORDS);
  return generic && (POS_CONTEXT.test(text) || (TERMINAL.test(text) && !PHONE.test(text))) ? generic : undefined;
}

export type Movement = 'credit' | 'debit' | 'none';

/** Which side of the account a row moved. A row printing both sides counts by its net. */
export function movementOf(r: CanonicalRecord): { side: Movement; amount: Decimal } {
  const net = (r.credit ?? new Decimal(0)).minus(r.debit ?? new Decimal(0));
  if (net.gt(0)) return { side: 'credit', amount: net };
  if (net.lt(0)) return { side: 'debit', amount: net.neg() };
  return { side: 'none', amount: net };
}

export function bookingDate(r: CanonicalRecord): LocalDate {
  return (r.time ?? '').slice(0, 10);
}

function dayNumber(date: LocalDate): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / 86_400_000;
}

export function addDays(date: LocalDate, n: number): LocalDate {
  return new Date((dayNumber(date) + n) * 86_400_000).toISOString().slice(0, 10);
}

/** Calendar days from `a` to `b` (negative when b is earlier). */
export function daysBetween(a: LocalDate, b: LocalDate): number {
  return Math.round(dayNumber(b) - dayNumber(a));
}

/**
 * Booking order: date and time, then file (earliest first, then name), then position in the
 * file. Statements are printed oldest-first or newest-first (BOC, ICBC): a file whose rows
 * mostly run backwards in time is read backwards, so rows with the same timestamp (date-only
 * statements) keep their real order. When the dates cannot tell (one day), the running balances
 * do: which reading makes more rows follow from the one before.
 */
export function orderBankRows(records: CanonicalRecord[]): CanonicalRecord[] {
  const byFile = new Map<string, CanonicalRecord[]>();
  for (const r of records) {
    const list = byFile.get(r.source.file);
    if (list) list.push(r);
    else byFile.set(r.source.file, [r]);
  }
  const newestFirst = new Set<string>();
  const firstTime = new Map<string, string>();
  for (const [file, list] of byFile) {
    list.sort((a, b) => a.source.line - b.source.line);
    let up = 0;
    let down = 0;
    for (let i = 1; i < list.length; i++) {
      const a = list[i - 1].time ?? '';
      const b = list[i].time ?? '';
      if (b > a) up++;
      else if (b < a) down++;
    }
    if (down > up || (down === up && balancesRunBackwards(list))) newestFirst.add(file);
    firstTime.set(file, list.reduce((m, r) => ((r.time ?? '') < m ? (r.time ?? '') : m), list[0]?.time ?? ''));
  }
  const files = [...byFile.keys()].sort((a, b) => cmp(firstTime.get(a) ?? '', firstTime.get(b) ?? '') || cmp(a, b));
  const rank = new Map(files.map((f, i) => [f, i]));
  return [...records].sort(
    (a, b) =>
      cmp(a.time ?? '', b.time ?? '') ||
      (rank.get(a.source.file) ?? 0) - (rank.get(b.source.file) ?? 0) ||
      (newestFirst.has(a.source.file) ? b.source.line - a.source.line : a.source.line - b.source.line),
  );
}

/** Rows in file order: do the balances chain better read bottom-up than top-down? */
function balancesRunBackwards(list: CanonicalRecord[]): boolean {
  const move = (r: CanonicalRecord) => (r.credit ?? new Decimal(0)).minus(r.debit ?? new Decimal(0));
  let forward = 0;
  let backward = 0;
  for (let i = 1; i < list.length; i++) {
    const a = list[i - 1];
    const b = list[i];
    if (!a.balance || !b.balance) continue;
    if (a.balance.plus(move(b)).eq(b.balance)) forward++;
    if (b.balance.plus(move(a)).eq(a.balance)) backward++;
  }
  return backward > forward;
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export const where = (r: CanonicalRecord): string => `${r.source.file}:${r.source.line}`;
