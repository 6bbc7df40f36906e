// Canonical records: what every input layout is normalised into. Everything after
// normalisation (matching, classification, fee audit, reports) sees only these types.
import type { Decimal } from 'decimal.js';

export type Role = 'terminal' | 'settlement' | 'bank';
export const ROLES: readonly Role[] = ['terminal', 'settlement', 'bank'];

export type CardType = 'debit' | 'credit' | 'qr' | 'unknown';
export const CARD_TYPES: readonly CardType[] = ['debit', 'credit', 'qr', 'unknown'];

export type TxnType =
  | 'sale'
  | 'void'
  | 'refund'
  | 'reversal'
  | 'preauth'
  | 'preauth_complete'
  | 'deduction'
  | 'other';
export const TXN_TYPES: readonly TxnType[] = [
  'sale', 'void', 'refund', 'reversal', 'preauth', 'preauth_complete', 'deduction', 'other',
];

export type TxnStatus = 'success' | 'failed' | 'timeout' | 'unknown';
export const TXN_STATUSES: readonly TxnStatus[] = ['success', 'failed', 'timeout', 'unknown'];

/** Where a record came from: 1-based physical line number in the original file. */
export interface SourceRef {
  file: string;
  line: number;
}

/** A local wall-clock time in the business time zone, `YYYY-MM-DD HH:mm:ss`. Never a UTC instant. */
export type LocalDateTime = string;
/** A local calendar date, `YYYY-MM-DD`. */
export type LocalDate = string;

/** An identifier field that could not be used for matching, e.g. destroyed by Excel (`4.00123E+27`). */
export interface UnusableField {
  field: CanonicalField;
  raw: string;
  reason: string;
}

export interface CanonicalRecord {
  role: Role;
  source: SourceRef;
  /** Name of the profile that produced the record. */
  profile: string;
  merchantId?: string;
  terminalId?: string;
  /** Transaction (or booking) time; may be date-only (`YYYY-MM-DD 00:00:00`) when `hasTime` is false. */
  time?: LocalDateTime;
  hasTime?: boolean;
  /** Business date when the file states one (清算日期/交易日期); otherwise derived later from time + cut-off. */
  businessDate?: LocalDate;
  settleDate?: LocalDate;
  /** Masked card number; a full PAN is masked on read and never stored. */
  card?: string;
  cardType: CardType;
  channel?: string;
  /** A card-type cell that names a wallet (卡类型 = 云闪付, 支付宝花呗), as printed: for `channel` rules when no channel is printed. */
  wallet?: string;
  txnType: TxnType;
  status: TxnStatus;
  /** Amounts in yuan, exact. Sign as printed by the source (settlement refunds are often negative). */
  amount?: Decimal;
  fee?: Decimal;
  net?: Decimal;
  /**
   * A 秒到 (D0, instant payout) add-on fee printed in its own column, already included in `fee`:
   * the line was paid out under the contract's D0 terms (`mode: D0` rules), whatever its cycle.
   */
  instantFee?: Decimal;
  /**
   * How the line was paid out when its file says so in a column of its own (结算方式 / 到账方式:
   * D0, T0, 秒到 → `D0`; T1, T+1, 次日 → `T1`): the fee is checked under that mode's rules
   * (`mode: D0`) whatever the contract's default cycle.
   */
  payoutMode?: 'D0' | 'T1';
  /**
   * A settlement line reversing money (退货, 撤销, 冲正) that its file printed unsigned, the type
   * giving the direction: `amount`, `fee` and `net` were negated to the signed convention every
   * other part of posrecon reads (the net tells whether the fee was returned or charged).
   */
  signedByType?: boolean;
  /** Bank legs: credit (收入) and debit (支出) magnitudes and the running balance. */
  credit?: Decimal;
  debit?: Decimal;
  balance?: Decimal;
  /** Raw balance text when present but unreadable (e.g. masked `xx,yyyy.zz`). */
  balanceUnreadable?: string;
  counterparty?: string;
  counterpartyAccount?: string;
  rrn?: string;
  trace?: string;
  batch?: string;
  authCode?: string;
  orderId?: string;
  /** Original transaction reference of a void/refund/reversal (原参考号 / 原交易订单号). */
  originalRef?: string;
  /** Original trace/voucher number (原凭证号). */
  originalTrace?: string;
  payoutId?: string;
  /** A refund's own number (退款单号 / 商户退款单号), where its file prints one beside the original order. */
  refundOrderId?: string;
  memo?: string;
  /** Raw 交易类型/交易状态 words, kept for messages. */
  rawType?: string;
  rawStatus?: string;
  /** Set when the status itself says the sale was cancelled (已撤销 / 已冲正). */
  cancelled?: 'void' | 'reversal';
  unusable: UnusableField[];
  /** Canonical text of the source row (cleaned cells joined), used to recognise re-exported rows. */
  content: string;
}

export type CanonicalField =
  | 'merchantId' | 'terminalId' | 'time' | 'date' | 'timeOfDay' | 'businessDate' | 'settleDate'
  | 'card' | 'cardType' | 'channel' | 'txnType' | 'status' | 'amount' | 'fee' | 'net'
  | 'credit' | 'debit' | 'direction' | 'balance' | 'counterparty' | 'counterpartyAccount'
  | 'rrn' | 'trace' | 'batch' | 'authCode' | 'orderId' | 'originalRef' | 'originalTrace'
  | 'payoutId' | 'memo' | 'currency' | 'refundAmount' | 'refundOrderId'
  /** A second fee column (秒到手续费, D0 add-on): added to `fee`. */
  | 'extraFee'
  /** 结算方式 / 到账方式: D0 or T1 per line (CanonicalRecord.payoutMode). */
  | 'payoutMode';

/** A row that could not be turned into a record: reported, never dropped silently. */
export interface RejectedRow {
  file: string;
  line: number;
  column?: string;
  reason: string;
  /** The row's cleaned cells (card numbers masked), so a later finding can point at it. */
  text?: string;
  /**
   * Its identifiers as printed in their own columns (cleaned), for the same purpose; a row longer
   * than the header (an unquoted comma shifted its cells) also offers the cells shifted right.
   */
  ids?: { rrn?: string[]; trace?: string[]; terminalId?: string[] };
}

/** A line that is neither header nor data (title, export time, footer totals, blank lines). */
export interface SkippedLine {
  line: number;
  kind: 'preamble' | 'footer' | 'blank' | 'header-repeat' | 'summary';
  text: string;
}

/** Thrown for input the user must fix (exit 2). Messages are one line, file:line:column first. */
export class InputError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** Thrown for bad command-line usage (exit 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
