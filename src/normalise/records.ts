// Rows → canonical records. Every row after the header ends as exactly one of: a record, a
// rejected row (with file:line, column and reason), or a skipped junk line (reported). Nothing
// is dropped silently.
import { Decimal } from 'decimal.js';
import type {
  CanonicalField, CanonicalRecord, CardType, RejectedRow, SkippedLine, TxnStatus, TxnType, UnusableField,
} from '../model.js';
import type { RawRow } from '../read/tokenize.js';
import type { Detection } from '../profiles/detect.js';
import { CANCELLED_STATUS_WORDS, normaliseLabel, type MoneyField, type Profile } from '../profiles/profile.js';
import { cleanCell, toHalfWidth } from './cells.js';
import { parseAmount } from './amount.js';
import { parseDate, parseDateTime } from './datetime.js';
import { checkIdentifier, maskCard } from './ids.js';
import { walletOf } from './wallets.js';

export interface NormalisedFile {
  records: CanonicalRecord[];
  rejected: RejectedRow[];
  skipped: SkippedLine[];
}

/** Words that make a settlement line a non-sale deduction (domain.md §3, §5). */
export const DEDUCTION_WORDS = [
  '首刷押金', '首刷扣费', '押金', '服务费', '激活费', 'sim卡流量费', '流量费', '年费', '调账', '扣款', '费用扣除',
  // Adjustments and money given back: a line without a transaction key saying 差错, 补差 or
  // 退还多收取手续费 is no card charge (a dropped order) but an adjustment, judged as one.
  '差错', '补差', '补款', '返还', '退还',
];

/** Lines whose amount is what the card was charged or given back (not a deduction or other line). */
const GROSS_TYPES: ReadonlySet<TxnType> = new Set(['sale', 'refund', 'void', 'reversal', 'preauth_complete']);
const ID_FIELDS = ['merchantId', 'terminalId', 'rrn', 'trace', 'batch', 'authCode', 'orderId', 'originalRef', 'originalTrace', 'payoutId', 'refundOrderId'] as const;
type IdField = (typeof ID_FIELDS)[number];

class RowError extends Error {
  constructor(readonly column: string, message: string) {
    super(message);
  }
}

interface RowContext {
  cells: string[];
  detection: Detection;
  profile: Profile;
}

function cellOf(ctx: RowContext, field: CanonicalField): string | undefined {
  const idx = ctx.detection.mapping.columns[field];
  if (idx === undefined) return undefined;
  const more = ctx.detection.mapping.joined?.[field];
  if (more) {
    const texts = [idx, ...more].map((i) => cleanCell(ctx.cells[i] ?? '')).filter((t) => t !== '');
    return texts.length > 0 ? texts.join(' / ') : undefined;
  }
  const raw = ctx.cells[idx];
  if (raw === undefined) return undefined;
  const v = cleanCell(raw);
  return v === '' ? undefined : v;
}

function columnName(ctx: RowContext, field: CanonicalField): string {
  return ctx.detection.mapping.headers[field] ?? field;
}

function moneyOf(ctx: RowContext, field: MoneyField): Decimal | undefined {
  const text = cellOf(ctx, field);
  if (text === undefined) return undefined;
  const parsed = parseAmount(text, ctx.profile.units[field] ?? 'yuan');
  if (!parsed.ok) throw new RowError(columnName(ctx, field), `cannot read "${text}" as ${parsed.expected}`);
  return parsed.value ?? undefined;
}

/** A host response code and its text, as terminals print a declined charge: `51-余额不足`, `00:交易成功`. */
const RESPONSE_CODE = /^\s*([0-9]{2})\s*[-:：_]\s*\S/u;

/**
 * The status a response code stands for (ISO 8583 field 39, as UnionPay uses it): 00 approved;
 * 68 and 98 no answer in time; any other code declined. Undefined for a cell that is no code.
 */
function responseCodeStatus(text: string): TxnStatus | undefined {
  const code = RESPONSE_CODE.exec(text)?.[1];
  if (code === undefined) return undefined;
  return code === '00' ? 'success' : code === '68' || code === '98' ? 'timeout' : 'failed';
}

/** Characters that negate the word after them: 未成功, 交易不成功, 未支付成功. */
const NEGATIONS = /[未不非没无]/u;

/**
 * The vocabulary's value for a cell: the cell itself, else the best vocabulary word it contains.
 * Best = the highest `rank` of its value (what the row *is* outranks the channel it went
 * through: 微信退款, 支付宝撤销, 消费撤销(微信) and 预授权完成撤销 are a refund and voids, never
 * payments; 借记卡(云闪付) is a debit card), then the word ending last (Chinese compounds put the
 * head last: POS消费撤销, 扫码支付), then the longer. With `negatable` (status words), a word
 * with a negation anywhere before it does not count: 交易不成功 is no 成功 (but 非接消费 is a
 * contactless sale).
 */
export function lookupWord<T>(vocab: Record<string, T>, text: string | undefined, opts: { negatable?: boolean; rank?: (value: T) => number } = {}): T | undefined {
  if (text === undefined) return undefined;
  const key = normaliseLabel(text);
  const direct = vocab[key];
  if (direct !== undefined) return direct;
  let best: { rank: number; end: number; len: number; value: T } | undefined;
  for (const [word, value] of Object.entries(vocab)) {
    if (word.length < 2) continue;
    const at = key.lastIndexOf(word);
    if (at >= 0 && SHORT_CODE.test(word) && !standalone(text, word, opts.negatable === true)) continue;
    if (at < 0 || (opts.negatable && NEGATIONS.test(key.slice(0, at)))) continue;
    const rank = opts.rank ? opts.rank(value) : 0;
    const end = at + word.length;
    if (!best || rank > best.rank || (rank === best.rank && (end > best.end || (end === best.end && word.length > best.len)))) {
      best = { rank, end, len: word.length, value };
    }
  }
  return best?.value;
}

/**
 * A code (00, 0000, 01, ok: digits only, or ok) is a word of its own only where no letter, digit, - or _ touches it
 * in the cell as printed (spaces are boundaries: "00 Approved", "DC 01"): 00 is approved, but
 * 9100, E00 and 超时(E100) are other codes; and NOT OK is no ok. Longer words (pay, qr, cr) are
 * found inside others as before: WXPAY, UnionPay QR.
 */
const SHORT_CODE = /^(?:\d+|ok)$/;
const CODE_CHAR = /[a-z0-9_-]/;
const ENGLISH_NEGATION = /(?:^|[^a-z])(?:not|no|non)[\s_-]*$/;

function standalone(text: string, word: string, negatable: boolean): boolean {
  const spaced = text.normalize('NFKC').toLowerCase();
  for (let at = spaced.indexOf(word); at >= 0; at = spaced.indexOf(word, at + 1)) {
    if (CODE_CHAR.test(spaced.charAt(at - 1)) || CODE_CHAR.test(spaced.charAt(at + word.length))) continue;
    if (negatable && ENGLISH_NEGATION.test(spaced.slice(0, at))) continue;
    return true;
  }
  return false;
}

/** Operations outrank the sale or channel words beside them (撤销 in 消费撤销(微信)). */
export const TXN_TYPE_RANK = (t: TxnType): number =>
  t === 'void' || t === 'reversal' ? 4 : t === 'refund' ? 3 : t === 'preauth_complete' ? 2 : t === 'preauth' ? 1 : 0;
/** A card's kind outranks the channel it was presented through (借记卡(云闪付)); "other" ranks last. */
export const CARD_TYPE_RANK = (c: CardType): number => (c === 'debit' || c === 'credit' ? 2 : c === 'qr' ? 1 : 0);
/**
 * A status that says it did not go through outranks a success word beside it (已撤销(成功));
 * a timeout does not (超时补登成功: posted after all).
 */
export const STATUS_RANK = (s: TxnStatus): number => (s === 'failed' ? 1 : 0);

function timeOf(ctx: RowContext): { time?: string; hasTime?: boolean } {
  const timeText = cellOf(ctx, 'time');
  const dateText = cellOf(ctx, 'date');
  if (timeText !== undefined && dateText === undefined) {
    const r = parseDateTime(timeText);
    if (!r.ok) throw new RowError(columnName(ctx, 'time'), `cannot read "${timeText}" as ${r.expected}`);
    return { time: r.value, hasTime: r.hasTime };
  }
  if (dateText !== undefined) {
    // Split date and time columns (通联: 交易日期 + 交易时间 HH:mm:ss). A time column that
    // already holds a full timestamp wins.
    if (timeText !== undefined) {
      // The same header twice: when the first column holds the whole timestamp, it is the time.
      if (ctx.detection.mapping.repeatedTime) {
        const first = parseDateTime(dateText);
        if (first.ok && first.hasTime && first.value.slice(11) !== '00:00:00') return { time: first.value, hasTime: true };
      }
      const full = parseDateTime(timeText);
      if (full.ok && full.hasTime) return { time: full.value, hasTime: true };
    }
    const r = parseDateTime(dateText, timeText);
    if (!r.ok) {
      const col = timeText !== undefined ? `${columnName(ctx, 'date')}+${columnName(ctx, 'time')}` : columnName(ctx, 'date');
      throw new RowError(col, `cannot read "${dateText}${timeText ? ' ' + timeText : ''}" as ${r.expected}`);
    }
    return { time: r.value, hasTime: r.hasTime };
  }
  return {};
}

function dateField(ctx: RowContext, field: 'settleDate' | 'businessDate'): string | undefined {
  const text = cellOf(ctx, field);
  if (text === undefined) return undefined;
  const r = parseDate(text);
  if (!r.ok) throw new RowError(columnName(ctx, field), `cannot read "${text}" as ${r.expected}`);
  return r.value;
}

/** Whether any of these texts (a type word, a memo) names a non-sale deduction (押金, 流量费 …). */
export function hasDeductionWord(...texts: (string | undefined)[]): boolean {
  for (const t of texts) {
    if (!t) continue;
    const k = normaliseLabel(t);
    if (DEDUCTION_WORDS.some((w) => k.includes(w))) return true;
  }
  return false;
}

/** The cells a record's type, status and card type are read from (already cleaned). */
export interface WordCells {
  rawType?: string;
  rawStatus?: string;
  rawCardType?: string;
  channel?: string;
  memo?: string;
  /** No RRN, trace or order id (and none unusable). */
  noKey: boolean;
  /** A negative net with no (or a zero) amount. */
  negativeOnly: boolean;
  /** A positive amount (or, with none, a positive net): money taken from a card, as a sale is. */
  charge: boolean;
}

export interface RecordWords {
  txnType: TxnType;
  status: TxnStatus;
  /** The status cell holds a word the vocabulary does not know (status is then 'unknown'). */
  unreadStatus?: true;
  cancelled?: 'void' | 'reversal';
  cardType: CardType;
}

/**
 * Type, status, cancellation and card type of a row from its words. One function for every
 * reader: the columnar fast path calls it once per distinct combination of these cells.
 */
export function deriveWords(profile: Profile, w: WordCells): RecordWords {
  const { rawType, rawStatus, channel, memo } = w;
  const typeWord = lookupWord(profile.vocab.txnType, rawType, { rank: TXN_TYPE_RANK });
  let txnType: TxnType = typeWord ?? profile.defaults.txnType ?? 'sale';
  if (rawType !== undefined && typeWord === undefined) txnType = 'other';
  let statusWord = rawStatus !== undefined ? (lookupWord(profile.vocab.status, rawStatus, { negatable: true, rank: STATUS_RANK }) ?? responseCodeStatus(rawStatus)) : undefined;
  let cancelled = rawStatus !== undefined ? CANCELLED_STATUS_WORDS[normaliseLabel(rawStatus)] : undefined;
  // A sale whose status names its void or reversal (撤销成功, 冲正成功, 已撤销成功, bare 撤销) was
  // cancelled: read as 已撤销 / 已冲正, never as the 成功 beside it (a reversed sale would be a
  // false 未到账, a voided one the acquirer cleared anyway a silent match). Unless the
  // cancellation failed (撤销失败). On a void or reversal row the same words are its own outcome.
  if (rawStatus !== undefined && !cancelled && CANCELLABLE_TYPES.has(txnType)) {
    const label = normaliseLabel(rawStatus);
    const m = CANCEL_DONE_IN_STATUS.exec(label);
    // Not when a negation or a part comes anywhere before it (无法被冲正, 不能被撤销, 部分已被撤销).
    if (m && !NEGATIONS.test(label.slice(0, m.index)) && !/部分|可/u.test(label.slice(0, m.index))) {
      const word = m[1] ?? m[2] ?? m[3];
      cancelled = word === '冲正' || word === '冲销' ? 'reversal' : 'void';
      statusWord = 'failed';
    } else if (VOID_FAILED_IN_STATUS.test(label)) {
      // 撤销失败, 成功(撤销被拒): the void failed, so the sale stands; what is left of the cell, if
      // anything, says how the sale itself went. (A failed 冲正 leaves the charge uncertain: the
      // vocabulary reads it as it reads 失败 or 超时.)
      const rest = label.replace(new RegExp(VOID_FAILED_IN_STATUS.source, 'gu'), '').replace(/[()（）[\]【】,，;；/\s-]+/gu, '');
      statusWord = rest === '' ? 'success' : (lookupWord(profile.vocab.status, rest, { negatable: true, rank: STATUS_RANK }) ?? statusWord);
    }
  }
  const status: TxnStatus = rawStatus !== undefined ? (statusWord ?? 'unknown') : (profile.defaults.status ?? 'success');
  const unreadStatus = rawStatus !== undefined && statusWord === undefined;

  if (profile.role === 'settlement') {
    // Not a card transaction: a deduction word in the type, or no transaction key with a negative
    // net. A memo naming one (押金, 服务费 …) only when the line is no card charge: a hotel's
    // deposit or a restaurant's service charge is a sale with an RRN and a positive amount.
    const memoDeduction = hasDeductionWord(memo) && (w.noKey || !w.charge);
    if (txnType === 'deduction' || hasDeductionWord(rawType) || memoDeduction || (w.noKey && w.negativeOnly)) txnType = 'deduction';
  }

  let cardType: CardType | undefined = lookupWord(profile.vocab.cardType, w.rawCardType, { rank: CARD_TYPE_RANK });
  if (cardType === undefined) {
    const channelHint = lookupWord(profile.vocab.cardType, channel) ?? lookupWord(profile.vocab.cardType, rawType);
    cardType = channelHint === 'qr' ? 'qr' : undefined;
  }
  cardType = cardType ?? profile.defaults.cardType ?? 'unknown';
  const words: RecordWords = cancelled ? { txnType, status, cancelled, cardType } : { txnType, status, cardType };
  if (unreadStatus) words.unreadStatus = true;
  return words;
}

/** A status saying the outcome is not known (未知, 结果未知, unknown). */
const UNKNOWN_OUTCOME = /未知|unknown/iu;
const CANCELLABLE_TYPES: ReadonlySet<TxnType> = new Set(['sale', 'preauth', 'preauth_complete']);
/**
 * A void or reversal a status cell says was done: 已撤销, 撤销成功/完成, or the bare word alone —
 * not 未撤销, 可撤销, 撤销中, 撤销申请, 撤销拒绝, 撤销失败, 撤销未知 or 部分撤销 (those stay as the
 * status vocabulary reads them, or are rejected as unknown).
 */
/** A void a status cell says failed or was refused. */
const VOID_FAILED_IN_STATUS = /(?:已|被)?(?:撤销|撤消)(?:被拒绝|被拒|拒绝|失败|未成功|不成功)/u;
const CANCEL_DONE_IN_STATUS =
  /(?<![未不非没无可部分])(?:已被|已|被)(撤销|撤消|冲正|冲销)(?!中|申请|失败|未|拒绝|被拒)|(?<![未不非没无可已被部分])(撤销|撤消|冲正|冲销)(?:已|交易)?(?:成功|完成)|^(?:自动)?(撤销|撤消|冲正|冲销)$/u;

/** deriveWords results per profile: a file has a handful of distinct word combinations. */
const wordsCache = new WeakMap<Profile, Map<string, RecordWords>>();
const WORDS_CACHE_MAX = 4096;

/**
 * deriveWords, remembered per combination of cells (vocabulary lookups normalise and scan the
 * vocabulary, once per row otherwise). A settlement memo takes part in the result, and memos
 * are mostly distinct: rows with one are not cached.
 */
function derivedWords(profile: Profile, w: WordCells): RecordWords {
  if (w.memo !== undefined && profile.role === 'settlement') return deriveWords(profile, w);
  let cache = wordsCache.get(profile);
  if (!cache) wordsCache.set(profile, (cache = new Map()));
  // Each cell as its length and text (absent: -): no cell content can make two combinations one key.
  const part = (t: string | undefined) => (t === undefined ? '-' : `${t.length}:${t}`);
  const key = `${part(w.rawType)}${part(w.rawStatus)}${part(w.rawCardType)}${part(w.channel)}${w.noKey ? 1 : 0}${w.negativeOnly ? 1 : 0}${w.charge ? 1 : 0}`;
  let words = cache.get(key);
  if (words === undefined) {
    words = deriveWords(profile, w);
    if (cache.size < WORDS_CACHE_MAX) cache.set(key, words);
  }
  return words;
}

/**
 * One string instance per distinct value of the cells that repeat on every row (merchant and
 * terminal ids, 交易类型, 交易状态): a record lives until the report is written, and a million
 * copies of `898310058120001` or `交易失败` are memory the collector copies and scans.
 */
const sharedTexts = new Map<string, string>();
const SHARED_TEXTS_MAX = 65536;
function shared(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const known = sharedTexts.get(text);
  if (known !== undefined) return known;
  // Past the bound (ids that do not repeat): start over rather than grow without end.
  if (sharedTexts.size >= SHARED_TEXTS_MAX) sharedTexts.clear();
  sharedTexts.set(text, text);
  return text;
}
/**
 * A payout-mode cell (结算方式, 到账方式, 结算类型) as D0 or T1; undefined for anything else (a
 * blank, 正常, a word no acquirer uses for the timing), which leaves the mode to the 秒到 fee
 * column and the contract's cycle.
 */
function payoutModeOf(text: string | undefined): 'D0' | 'T1' | undefined {
  if (text === undefined) return undefined;
  const word = toHalfWidth(text).replace(/[\s+]/g, '').toUpperCase();
  if (/^(?:[DT]0|秒到|秒结|即时|即时到账|实时|实时到账|当日|当日到账|当天到账)$/u.test(word)) return 'D0';
  if (/^(?:[DT]1|次日|次日到账|隔日|隔日到账)$/u.test(word)) return 'T1';
  return undefined;
}

/** The `unusable` of every record with nothing unusable: one frozen array, not one per record. */
const NOTHING_UNUSABLE: UnusableField[] = Object.freeze([]) as unknown as UnusableField[];

function buildRecord(ctx: RowContext, file: string, row: RawRow): CanonicalRecord {
  const { profile } = ctx;
  const unusable: UnusableField[] = [];
  const ids: Partial<Record<IdField, string>> = {};
  for (const f of ID_FIELDS) {
    const text = cellOf(ctx, f);
    if (text === undefined) continue;
    const r = checkIdentifier(text);
    if (r.ok) ids[f] = r.value;
    else unusable.push({ field: f, raw: text, reason: r.reason });
  }
  // A card number Excel stored as a number prints as 6.22202123456789E+15: its last digits are
  // gone, and masking that text as a card would show 11 of its digits. Unusable, and shown with
  // the first 6 digits only.
  const cardText = cellOf(ctx, 'card');
  const cardDestroyed = cardText !== undefined && SCIENTIFIC_CARD.test(toHalfWidth(cardText).trim());
  const destroyedCard = cardDestroyed ? toHalfWidth(cardText).trim().replace(/^(\d)\.(\d{0,5})\d*/u, '$1.$2…') : undefined;
  if (destroyedCard) unusable.push({ field: 'card', raw: destroyedCard, reason: `destroyed by Excel (scientific notation ${destroyedCard}); re-export the file as text` });

  const { time, hasTime } = timeOf(ctx);
  const settleDate = dateField(ctx, 'settleDate');
  const statedBusinessDate = dateField(ctx, 'businessDate');
  // Channels whose day ends at midnight: the payment's calendar date is its business date.
  const businessDate = statedBusinessDate ?? (profile.midnightCutoff && time ? time.slice(0, 10) : undefined);
  const printedAmount = moneyOf(ctx, 'amount');
  // A separate add-on fee column (秒到手续费 on a D0 line) is part of what the line charged.
  const extraFee = moneyOf(ctx, 'extraFee');
  const fee = extraFee === undefined ? moneyOf(ctx, 'fee') : (moneyOf(ctx, 'fee') ?? new Decimal(0)).plus(extraFee);
  const net = moneyOf(ctx, 'net');
  let credit = moneyOf(ctx, 'credit');
  let debit = moneyOf(ctx, 'debit');
  let balance: Decimal | undefined;
  let balanceUnreadable: string | undefined;
  const balanceText = cellOf(ctx, 'balance');
  if (balanceText !== undefined) {
    const b = parseAmount(balanceText, profile.units.balance ?? 'yuan');
    // A masked or unreadable balance only disables the continuity check; the row itself is fine.
    if (b.ok) balance = b.value ?? undefined;
    else balanceUnreadable = balanceText;
  }

  const rawType = cellOf(ctx, 'txnType');
  const rawStatus = cellOf(ctx, 'status');
  const channel = cellOf(ctx, 'channel') ?? profile.defaults.channel;
  // Free text can carry a full card number (备注: 卡号6222…); mask it like the card column.
  const memoText = cellOf(ctx, 'memo');
  const memo = memoText !== undefined ? maskCard(memoText) : undefined;

  if (profile.role === 'bank') {
    if (credit === undefined && debit === undefined && printedAmount !== undefined) {
      const dirText = cellOf(ctx, 'direction');
      const dir = lookupWord(profile.vocab.direction, dirText);
      if (dirText !== undefined && dir === undefined) {
        throw new RowError(columnName(ctx, 'direction'), `cannot read "${dirText}" as a direction (收入/支出, 借/贷)`);
      }
      const magnitude = printedAmount.abs();
      if (dir === 'credit' || (dir === undefined && printedAmount.gte(0))) credit = magnitude;
      else debit = magnitude;
    }
    if (credit === undefined && debit === undefined) {
      throw new RowError(columnName(ctx, 'credit'), 'no amount: expected a credit (收入) or debit (支出) amount');
    }
    if (time === undefined) throw new RowError(columnName(ctx, 'date'), 'empty; expected a booking date');
  } else {
    if (time === undefined && settleDate === undefined && businessDate === undefined) {
      throw new RowError(columnName(ctx, ctx.detection.mapping.columns.time !== undefined ? 'time' : 'date'), 'empty; expected a transaction date/time');
    }
    if (profile.role === 'terminal' && printedAmount === undefined) throw new RowError(columnName(ctx, 'amount'), 'empty; expected an amount');
    if (profile.role === 'settlement' && printedAmount === undefined && net === undefined) {
      throw new RowError(columnName(ctx, 'amount'), 'empty; expected an amount or a net (结算金额)');
    }
  }

  const rawCardType = cellOf(ctx, 'cardType');
  const words = derivedWords(profile, {
    rawType,
    rawStatus,
    rawCardType,
    channel,
    memo,
    noKey: !ids.rrn && !ids.trace && !ids.orderId && unusable.length === 0,
    negativeOnly: net !== undefined && net.lt(0) && (printedAmount === undefined || printedAmount.isZero()),
    charge: printedAmount !== undefined ? printedAmount.gt(0) : net !== undefined && net.gt(0),
  });
  const { txnType, status, cancelled, cardType } = words;
  // A settlement file printing 手续费 and 结算金额 but no 交易金额: the line's amount is net + fee
  // (结算金额 = 交易金额 − 手续费), what the card was charged and the terminal shows. Taken as the
  // amount, the net would differ from every terminal row by its fee (false amount mismatches).
  // By magnitude: a fee printed −5.00 beside a net of 995.00 was taken from 1000.00, and a
  // refund of net −497.00 returning a fee printed 3.00 gave back 500.00. Not on a deduction
  // line, whose fee column may hold the deduction itself.
  const amount =
    printedAmount ?? (profile.role === 'settlement' && net !== undefined && fee !== undefined && GROSS_TYPES.has(txnType)
      ? (net.isNegative() ? net.minus(fee.abs()) : net.plus(fee.abs()))
      : undefined);
  // A terminal row whose status no vocabulary knows may be a charge that went through: calling it
  // failed would hide it if it never settles, and call it a dropped order if it does.
  if (profile.role === 'terminal' && words.unreadStatus) {
    // 未知 / 结果未知: the export itself does not know; a vocabulary entry cannot fix that.
    if (UNKNOWN_OUTCOME.test(rawStatus!)) throw new RowError(columnName(ctx, 'status'), `status "${rawStatus}": the export does not know whether the charge went through; check it on the terminal or with the acquirer`);
    throw new RowError(columnName(ctx, 'status'), `unknown status "${rawStatus}": cannot tell whether the charge went through (add it to the profile's vocab.status)`);
  }
  // Nor, in a settlement file, whether the line was paid (未结算 is no payout).
  if (profile.role === 'settlement' && words.unreadStatus) {
    throw new RowError(columnName(ctx, 'status'), `unknown status "${rawStatus}": cannot tell whether the line was settled (add it to the profile's vocab.status)`);
  }
  // A successful charge of a kind the vocabulary does not know could be a sale: calling it
  // "no settlement expected" would drop it silently if it never settles.
  if (profile.role === 'terminal' && txnType === 'other' && status === 'success' && amount?.gt(0)) {
    throw new RowError(columnName(ctx, 'txnType'), `unknown transaction type "${rawType}" on a successful charge: cannot tell whether it settles (add it to the profile's vocab.txnType)`);
  }

  // A settlement line that reverses money (退货, 撤销, 冲正) printed unsigned, its type giving the
  // direction: negated, so payouts, totals and the fee check take it as money going back, as they
  // take a line printed signed. The fee is negated as returned (400.00, 2.40, 397.60 → −400.00,
  // −2.40, −397.60) unless the net shows it charged on top (402.40: the fee stays 2.40).
  // (Terminals print every amount unsigned: theirs stay as printed.)
  const money = amount ?? net;
  const signedByType =
    profile.role === 'settlement' && (txnType === 'refund' || txnType === 'void' || txnType === 'reversal') && money !== undefined && money.gt(0) && (net === undefined || !net.lt(0));
  const negated = (d: Decimal | undefined) => (d === undefined || d.isZero() ? d : d.neg());

  const record: CanonicalRecord = {
    role: profile.role,
    source: { file, line: row.line },
    profile: profile.name,
    merchantId: shared(ids.merchantId),
    terminalId: shared(ids.terminalId),
    time,
    hasTime,
    businessDate,
    settleDate,
    card: cardText !== undefined && !cardDestroyed ? maskCard(cardText) : undefined,
    cardType,
    channel,
    // A card-type cell naming a wallet (卡类型 = 云闪付 / 微信 / 支付宝花呗), as printed: the channel
    // when no side prints one.
    wallet: walletOf(rawCardType) ? rawCardType : undefined,
    txnType,
    status,
    amount: signedByType ? negated(amount) : amount,
    fee: signedByType && fee?.gt(0) && !(net !== undefined && amount !== undefined && net.abs().gt(amount.abs())) ? fee.neg() : fee,
    net: signedByType ? negated(net) : net,
    instantFee: extraFee !== undefined && !extraFee.isZero() ? extraFee : undefined,
    payoutMode: payoutModeOf(cellOf(ctx, 'payoutMode')),
    signedByType: signedByType || undefined,
    credit,
    debit,
    balance,
    balanceUnreadable,
    counterparty: cellOf(ctx, 'counterparty'),
    counterpartyAccount: cellOf(ctx, 'counterpartyAccount'),
    rrn: ids.rrn,
    trace: ids.trace,
    batch: ids.batch,
    authCode: ids.authCode,
    orderId: ids.orderId,
    originalRef: ids.originalRef,
    originalTrace: ids.originalTrace,
    payoutId: ids.payoutId,
    memo,
    rawType: shared(rawType),
    rawStatus: shared(rawStatus),
    unusable: unusable.length > 0 ? unusable : NOTHING_UNUSABLE,
    // Masked like every printed field: the store keeps this text (never a full PAN at rest).
    content: (destroyedCard === undefined ? row.cells.map((c) => maskCard(cleanCell(c))) : row.cells.map((c, i) => (i === ctx.detection.mapping.columns.card ? destroyedCard : maskCard(cleanCell(c))))).join('\u001f'),
  };
  if (cancelled) record.cancelled = cancelled;
  // Undefined fields stay as keys: one hidden class for every record keeps them small and fast.
  return record;
}

/**
 * A row with filled cells beyond the header's last column had its columns shifted, most often by
 * an unquoted thousands comma (`12,5O` or `1,234.56` written without quotes): reading it by
 * position would take the wrong cell as the amount, so it is rejected instead. Empty trailing
 * cells (a trailing comma, WeChat's lone backtick) are harmless. Columns added by profile rules
 * sit past the header too and are not the file's own, hence `added`.
 */
function checkOverflow(row: RawRow, headerLength: number, added: Set<number>, headerCells: readonly string[] = [], delimiter?: string): void {
  if (headerLength === 0) return;
  // A quote opened and never closed swallows the next line(s) into one cell: the row then comes
  // out short (or long, below). A quoted memo with a line break keeps the header's cell count.
  // (A memo's own line break, in a row that leaves out its trailing empty cells, is no such thing:
  // the swallowed line is a row of its own, cells and delimiters.)
  const swallowed = (c: string) =>
    c.split(/\r?\n|\r/).slice(1).some((line) => line.split(delimiter ?? delimiterOf(c)).length * 2 > headerLength && ROW_MARK.test(line));
  const at = row.endLine > row.line && row.cells.length !== headerLength ? row.cells.findIndex((c) => /[\r\n]/.test(c) && swallowed(c)) : -1;
  if (at >= 0) {
    throw new RowError(
      headerCells[at]?.trim() || `#${at + 1}`,
      `a quoted value runs from line ${row.line} into line ${row.endLine} and the row has ${row.cells.length} cells, the header ${headerLength}: a quote (") that is not closed where it should be`,
    );
  }
  for (let i = headerLength; i < row.cells.length; i++) {
    if (!added.has(i) && cleanCell(row.cells[i]) !== '') {
      throw new RowError(
        `#${i + 1} (beyond the header)`,
        `row has ${row.cells.length} cells but the header has ${headerLength}: a comma inside an unquoted value (e.g. an amount like 1,234.56) shifted the columns`,
      );
    }
  }
}

/** What a transaction row has and a memo hardly ever: a date (2025-10-14, 2025/10/14, 20251014), a time, a 12-digit RRN. */
const ROW_MARK = /\d{4}[-/.年]\d{1,2}|(?<!\d)20\d{6}(?!\d)|\d{1,2}:\d{2}:\d{2}|(?<!\d)\d{12}(?!\d)/u;

/** The delimiter inside swallowed text: the commonest of comma, tab, semicolon and bar. */
function delimiterOf(text: string): string {
  let best = ',';
  let most = -1;
  for (const d of [',', '\t', ';', '|']) {
    const n = text.split(d).length;
    if (n > most) {
      most = n;
      best = d;
    }
  }
  return best;
}

function firstNonEmpty(cells: string[]): string {
  for (const c of cells) {
    const v = c.trim();
    if (v !== '') return v;
  }
  return '';
}

function matchesAny(patterns: RegExp[], text: string): boolean {
  return patterns.some((p) => p.test(text));
}

function lineText(row: RawRow, length = 120): string {
  return row.cells.map((c) => c.trim()).join(',').replace(/,+$/, '').slice(0, length);
}

/**
 * A skipped line as reports and `inspect` show it: a card number in a title or footer is masked
 * too, before the line is cut. (Only for lines skipped: every data row's line text is matched
 * against the footer words, and masking it would cost more than the rest of the row.)
 */
function skippedText(row: RawRow): string {
  const text = lineText(row, Infinity);
  const masked = maskCard(text);
  // maskCard also maps full-width characters (：); a line with no card number stays as printed.
  return (masked === toHalfWidth(text) ? text : masked).slice(0, 120);
}

/** A number in Excel's scientific notation (6.22202123456789E+15), as a card cell it is destroyed. */
const SCIENTIFIC_CARD = /^\d(?:\.\d+)?E\+?\d+$/iu;

/** Fields that only a transaction row carries; a totals or subtotal line never has them. */
const TRANSACTION_KEYS = ['rrn', 'trace', 'orderId', 'authCode', 'originalRef', 'payoutId', 'card'] as const;

function hasTransactionKey(record: CanonicalRecord): boolean {
  return TRANSACTION_KEYS.some((k) => record[k] !== undefined) || record.unusable.length > 0;
}

const DATE_FIELDS: readonly CanonicalField[] = ['time', 'date', 'settleDate', 'businessDate'];

/** The start of a date, even an impossible one (`2025-02-30`, `20251341`): a mistyped row, not a note. */
const DATE_SHAPE = /^\d{4}(?:[-/.年]\d{1,2}|\d{4})/u;

/**
 * A row that failed to parse still looks like a transaction when one of its date columns holds a
 * date, or something shaped like one: totals, counts, notes and summary headers never do. Such a
 * row is rejected (and reported with its reason), never waved through as footer junk.
 */
function looksLikeData(row: RawRow, detection: Detection): boolean {
  for (const field of DATE_FIELDS) {
    const idx = detection.mapping.columns[field];
    if (idx === undefined) continue;
    const text = toHalfWidth(cleanCell(row.cells[idx] ?? ''));
    if (text !== '' && (DATE_SHAPE.test(text) || parseDateTime(text).ok)) return true;
  }
  return false;
}

/**
 * Classify and normalise every row of a file after its header was detected.
 * `rows` are all rows of the file; rows before the header are preamble junk.
 *
 * After the header a row is a record when it parses. A row that does not parse is footer junk
 * only when it does not look like a transaction (nothing date-like in its date columns) and
 * either matches the profile's footer patterns, or is short (under half the header's columns)
 * and follows a footer line or the last record; otherwise it is rejected with file:line, column
 * and reason. A row that parses is junk
 * only when it is a totals line (合计, 总计 …) or follows one, and carries no transaction key
 * (reference, trace, order number, card): so a shop called 小计划咖啡 stays a record.
 */
export function normaliseRows(rows: RawRow[], detection: Detection, file: string, opts: { lastLineUnterminated?: boolean; delimiter?: string } = {}): NormalisedFile {
  const { profile } = detection;
  // Columns profile rules append after the file's own (e.g. a clearing date stamped on each row).
  const addedColumns = new Set(Object.values(detection.mapping.columns).filter((i): i is number => i !== undefined && i >= detection.headerCells.length));
  const records: CanonicalRecord[] = [];
  /** The row index of each record (the cut-off check looks at what they fill). */
  const recordRows: number[] = [];
  /** The running balance the last record left (a bank statement's). */
  let previousBalance: Decimal | undefined;
  const rejected: RejectedRow[] = [];
  const skipped: SkippedLine[] = [];
  const headerKey = detection.headerCells.map((c) => normaliseLabel(c)).join('\u001f');
  const headerFirst = normaliseLabel(detection.headerCells[0] ?? '');
  const headerWidth = detection.headerCells.filter((c) => c.trim() !== '').length;

  for (let i = 0; i <= detection.headerIndex && i < rows.length; i++) {
    if (i === detection.headerIndex) continue;
    const blank = rows[i].cells.every((c) => c.trim() === '');
    skipped.push({ line: rows[i].line, kind: blank ? 'blank' : 'preamble', text: skippedText(rows[i]) });
  }

  // A failed row may be junk only when it has no date and fills less than half the header's
  // columns (a totals line, a count, a note); a wider or dated row is a transaction that failed.
  const mayBeJunk = (row: RawRow) =>
    row.cells.filter((c) => cleanCell(c) !== '').length * 2 < headerWidth && !looksLikeData(row, detection);

  // Failures not yet followed by a good row. A good row after them makes them rejected rows;
  // otherwise each is judged on its own once the footer or the end of the file is reached.
  let pending: { row: RawRow; error: RowError }[] = [];
  let inFooter = false;
  // A rejected row's RRN, trace and terminal id, each from its own column: a settled line that
  // names them may point at the row (never a batch number or 原参考号 that happens to equal them).
  const rejectedIds = (row: RawRow): RejectedRow['ids'] => {
    const ids: NonNullable<RejectedRow['ids']> = {};
    const shift = Math.max(0, row.cells.length - detection.headerCells.length - addedColumns.size);
    for (const field of ['rrn', 'trace', 'terminalId'] as const) {
      const idx = detection.mapping.columns[field];
      if (idx === undefined) continue;
      const values: string[] = [];
      for (let k = 0; k <= shift; k++) {
        const v = cleanCell(row.cells[idx + k] ?? '');
        if (v !== '') values.push(v);
      }
      if (values.length > 0) ids[field] = values;
    }
    return ids;
  };
  const reject = (row: RawRow, error: RowError) =>
    rejected.push({ file, line: row.line, column: error.column, reason: error.message, text: row.cells.map((c) => maskCard(cleanCell(c))).join(','), ids: rejectedIds(row) });
  const footer = (row: RawRow) => skipped.push({ line: row.line, kind: 'footer', text: skippedText(row) });
  const settlePending = (isFooter: (row: RawRow) => boolean) => {
    for (const p of pending) {
      if (isFooter(p.row)) footer(p.row);
      else reject(p.row, p.error);
    }
    pending = [];
  };

  for (let i = detection.headerIndex + 1; i < rows.length; i++) {
    const row = rows[i];
    if (row.cells.every((c) => cleanCell(c) === '')) {
      skipped.push({ line: row.line, kind: 'blank', text: '' });
      continue;
    }
    // Cheap first-cell test before normalising the whole row: most rows are not a repeated header.
    if (headerKey && row.cells.length === detection.headerCells.length && normaliseLabel(row.cells[0] ?? '') === headerFirst &&
      row.cells.map((c) => normaliseLabel(c)).join('\u001f') === headerKey) {
      // Short undated lines right before it (商户交易明细, 导出时间：…) are the title of an export
      // pasted after this one, as before the first header: preamble, not failed rows.
      for (const p of pending) {
        if (mayBeJunk(p.row)) skipped.push({ line: p.row.line, kind: 'preamble', text: skippedText(p.row) });
        else reject(p.row, p.error);
      }
      pending = [];
      skipped.push({ line: row.line, kind: 'header-repeat', text: skippedText(row) });
      continue;
    }
    const first = firstNonEmpty(row.cells);
    const wholeLine = lineText(row);
    const looksFooter = matchesAny(profile.junk.footer, first) || matchesAny(profile.junk.footer, wholeLine);
    if (profile.rowPattern && !profile.rowPattern.test(cleanCell(row.cells[0] ?? ''))) {
      skipped.push({ line: row.line, kind: inFooter || records.length > 0 ? 'footer' : 'preamble', text: skippedText(row) });
      continue;
    }
    // A balance or totals line between the movements (期初余额, 本日合计, 承前页 …) is dated like
    // them and may parse like one: it is no transaction, and data goes on after it.
    // (One whose first cell says it is left to the footer rules below: data may end there.)
    if (STATEMENT_LINE_HINT.test(wholeLine) && !isTotalsRow(first) && isStatementLine(row, detection, previousBalance)) {
      skipped.push({ line: row.line, kind: 'summary', text: skippedText(row) });
      continue;
    }
    let record: CanonicalRecord | undefined;
    let error: RowError | undefined;
    try {
      checkOverflow(row, detection.headerCells.length, addedColumns, detection.headerCells, opts.delimiter);
      record = buildRecord({ cells: row.cells, detection, profile }, file, row);
    } catch (e) {
      if (!(e instanceof RowError)) throw e;
      error = e;
    }
    if (record) {
      // Totals rows can parse like data (合计,,,,1234.00 with a date column filled in): the
      // footer pattern decides, unless the row carries a transaction key.
      if (looksFooter && (inFooter || isTotalsRow(first)) && !hasTransactionKey(record)) {
        inFooter = true;
        settlePending(mayBeJunk);
        footer(row);
        continue;
      }
      // The file's last line, with no line end and short of the header's cells, is a line cut
      // off (a download still in progress), not a transaction: `…,500.00,3.00,49` is no net of 49.
      if (opts.lastLineUnterminated && i === rows.length - 1 && row.cells.length < detection.headerCells.length && missesFilledColumn(rows, i, detection, recordRows)) {
        settlePending(() => false);
        const missing = detection.headerCells[row.cells.length]?.trim() || `#${row.cells.length + 1}`;
        reject(row, new RowError(missing, `the file's last line stops after ${row.cells.length} of ${detection.headerCells.length} cells, without a line end: the file looks cut off (still downloading?); fetch it again`));
        continue;
      }
      // A clean record after a footer means the footer was a subtotal mid-file: data resumes.
      inFooter = false;
      settlePending(() => false);
      records.push(record);
      recordRows.push(i);
      if (record.balance) previousBalance = record.balance;
      continue;
    }
    // A failed row matching a footer pattern is junk unless it holds a date; after a footer line,
    // only short undated rows are (a full-width row there is a transaction that failed).
    if ((looksFooter && !looksLikeData(row, detection)) || (inFooter && mayBeJunk(row))) {
      inFooter = true;
      settlePending(mayBeJunk);
      footer(row);
      continue;
    }
    // The same cut line stopping before a cell a record needs (its time): still a row begun, its
    // cells shaped like the records' own (898310058120001,10000001), not a footer's words.
    if (opts.lastLineUnterminated && i === rows.length - 1 && row.cells.length < detection.headerCells.length && startsLikeRecord(row, detection)) {
      settlePending(() => false);
      const missing = detection.headerCells[row.cells.length]?.trim() || `#${row.cells.length + 1}`;
      reject(row, new RowError(missing, `the file's last line stops after ${row.cells.length} of ${detection.headerCells.length} cells, without a line end: the file looks cut off (still downloading?); fetch it again`));
      continue;
    }
    pending.push({ row, error: error! });
  }
  // Trailing failures: short lines without a date after the last record are footer junk (a
  // summary header, a count, a note in an unknown wording); anything else is a failed row.
  settlePending((r) => records.length > 0 && mayBeJunk(r));
  return { records, rejected, skipped };
}

/**
 * The words a statement prints in a line of its own between movements: the balance brought
 * forward or carried, a page, day or month total. Whole cells only: 合计 inside a shop's name or
 * a memo is text.
 */
const STATEMENT_LINE_WORDS = /^(期初余额|期末余额|期初|期末|上日余额|本日余额|当日余额|昨日余额|承前页|过次页|上页结转|结转下页|转下页|上年结转|本页合计|本页小计|本日合计|本日小计|当日合计|本月合计|本月累计|本期合计|本季合计|本年累计|本年合计|合计|小计|总计)[:：]?$/u;

/** A character every one of those words has: most lines are spared the per-cell test. */
const STATEMENT_LINE_HINT = /[余页计转期]/u;

/** The statement word the row holds as a cell of its own, if any. */
function statementWordOf(row: RawRow): string | undefined {
  for (const c of row.cells) {
    const text = c.length <= 64 && STATEMENT_LINE_HINT.test(c) ? cleanCell(c).replace(/\s/g, '') : '';
    if (text !== '' && STATEMENT_LINE_WORDS.test(text)) return text.replace(/[:：]$/, '');
  }
  return undefined;
}

/**
 * Whether a short last row leaves out a column the other data rows fill (nine in ten of them, at
 * least one row): an export that drops a row's trailing empty cells leaves out empty ones.
 */
function missesFilledColumn(rows: RawRow[], last: number, detection: Detection, recordRows: readonly number[]): boolean {
  // (The rows read as records: a day's 本日合计 lines leave the counterparty empty by nature.)
  const data = recordRows.filter((i) => i < last).map((i) => rows[i]);
  if (data.length === 0) return false;
  for (let c = rows[last].cells.length; c < detection.headerCells.length; c++) {
    let filled = 0;
    for (const r of data) if (cleanCell(r.cells[c] ?? '') !== '') filled++;
    if (filled * 10 >= data.length * 9) return true;
  }
  return false;
}

/**
 * Whether a line begins as a transaction row of this layout, judged by the line alone (every
 * reader judges it alike; the fast path reads a file's lines apart). Narrow on purpose: a good
 * file refused every morning is worse than a cut one let through. It must have two cells or
 * more, no totals, count, page or label word (合计, 笔, 页, 共, 打印人：…), its first cell an id or
 * a date (not a 序号 or store name), every whole id, date and amount cell fit for its column, no
 * empty date cell it has passed (every row is dated), and its last, perhaps cut, cell the start
 * of such a value.
 */
function startsLikeRecord(row: RawRow, detection: Detection): boolean {
  const cut = row.cells.length - 1;
  if (cut < 1 || NOT_A_ROW_BEGUN.test(row.cells.join(','))) return false;
  const fieldAt = new Map<number, CanonicalField>();
  for (const [field, idx] of Object.entries(detection.mapping.columns) as [CanonicalField, number][]) fieldAt.set(idx, field);
  const kindOf = (c: number): 'id' | 'date' | 'money' | 'text' => {
    const f = fieldAt.get(c);
    return f === undefined ? 'text' : ID_CELL_FIELDS.has(f) ? 'id' : DATE_FIELDS.includes(f) ? 'date' : MONEY_CELL_FIELDS.has(f) ? 'money' : 'text';
  };
  const first = kindOf(0);
  if ((first !== 'id' && first !== 'date') || cleanCell(row.cells[0]) === '') return false;
  for (let c = 0; c < cut; c++) {
    const v = cleanCell(row.cells[c]);
    const kind = kindOf(c);
    if (kind === 'date' && v === '') return false;
    if (v === '' || kind === 'text') continue;
    if (!WHOLE_CELL[kind].test(v)) return false;
  }
  // (Excel's ="… text escape or a quote the cut left open is no part of the value.)
  const partial = cleanCell(row.cells[cut]).replace(/^="?|^"|"$/g, '');
  const kind = kindOf(cut);
  return partial === '' || kind === 'text' || PARTIAL_CELL[kind].test(partial);
}
/** Words of a totals, count, page or note line, and a label with a colon (打印人：张三). */
const NOT_A_ROW_BEGUN = /合计|小计|总计|汇总|笔|条|页|共|计|注|[:：](?=[^\d\s])/u;
const ID_CELL_FIELDS: ReadonlySet<CanonicalField> = new Set(['merchantId', 'terminalId', 'rrn', 'trace', 'batch', 'authCode', 'orderId', 'card', 'originalRef', 'originalTrace', 'payoutId', 'refundOrderId']);
const MONEY_CELL_FIELDS: ReadonlySet<CanonicalField> = new Set(['amount', 'fee', 'net', 'extraFee', 'credit', 'debit', 'balance']);
const WHOLE_CELL = {
  id: /^[0-9A-Za-z*\-_ ]+$/,
  date: /^(?:\d{4}[-/.年]\d{1,2}(?:[-/.月]\d{1,2}日?)?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?|\d{8}(?: ?\d{4,6})?|\d{1,2}:\d{2}(?::\d{2})?|\d{5}(?:\.\d+)?)$/,
  money: /^[-+(]?[¥￥]?-?\d[\d,]*(?:\.\d+)?\)?元?$/,
} as const;
const PARTIAL_CELL = {
  id: /^[0-9A-Za-z*\-_ ]+$/,
  date: /^[\d\s\-/.:年月日T]+$/,
  money: /^[-+(]?[¥￥]?-?(?:\d[\d,]*(?:\.\d*)?)?$/,
} as const;

/** Bare totals words: as a memo they may label a real movement (a transfer noted 小计). */
const BARE_TOTAL_WORDS = new Set(['合计', '小计', '总计']);

/**
 * A statement line: a statement word as a cell of its own and no movement of its own. A bare
 * 合计/小计 beside a movement and a running balance is a movement (a bank row so noted); a day's
 * or page's total (本日合计 …) stays one even when it prints the closing balance.
 */
function isStatementLine(row: RawRow, detection: Detection, previousBalance: Decimal | undefined): boolean {
  const word = statementWordOf(row);
  if (word === undefined || hasKeyCells(row, detection)) return false;
  if (!BARE_TOTAL_WORDS.has(word)) return true;
  const text = (field: CanonicalField) => {
    const idx = detection.mapping.columns[field];
    return idx === undefined ? '' : cleanCell(row.cells[idx] ?? '');
  };
  if (text('balance') === '' || (text('credit') === '' && text('debit') === '' && text('amount') === '')) return true;
  // A movement moves the running balance; a day's 小计 prints the day's sums beside the balance
  // the last movement left. (No earlier balance to compare: a movement, as the row reads.)
  const balance = parseAmount(text('balance'), 'yuan');
  return balance.ok && balance.value !== null && previousBalance !== undefined && balance.value.eq(previousBalance);
}

/**
 * Whether the row names a movement of its own: an RRN, trace, order number or card, or a
 * counterparty (a bank credit whose memo happens to be 合计). A running balance proves nothing:
 * a day's total line often prints the closing balance beside the day's sums.
 */
function hasKeyCells(row: RawRow, detection: Detection): boolean {
  const cell = (field: CanonicalField) => {
    const idx = detection.mapping.columns[field];
    return idx !== undefined && cleanCell(row.cells[idx] ?? '') !== '';
  };
  for (const field of TRANSACTION_KEYS) if (cell(field)) return true;
  return cell('counterparty') || cell('counterpartyAccount');
}

/** Totals rows parse like data (合计,,,,1234.00) and must still never become records. */
function isTotalsRow(first: string): boolean {
  return /^(合计|总计|小计|汇总|本页合计|人民币合计|交易合计|总笔数|总金额)/u.test(first.replace(/\s/g, ''));
}
