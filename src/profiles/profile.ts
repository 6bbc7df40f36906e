// A profile is a file layout described as data: which header names mean which canonical
// field, which words mean which transaction type or status, which lines are junk. Built-in
// profiles live in profiles/*.yaml and user profiles use exactly the same schema.
import { parseDocument, LineCounter, isMap, isScalar } from 'yaml';
import type { Node } from 'yaml';
import {
  InputError, ROLES, CARD_TYPES, TXN_TYPES, TXN_STATUSES,
  type CanonicalField, type CardType, type Role, type TxnStatus, type TxnType,
} from '../model.js';
import type { AmountUnit } from '../normalise/amount.js';

export const MONEY_FIELDS = ['amount', 'fee', 'net', 'credit', 'debit', 'balance', 'refundAmount', 'extraFee'] as const;
export type MoneyField = (typeof MONEY_FIELDS)[number];

export const CANONICAL_FIELDS: readonly CanonicalField[] = [
  'merchantId', 'terminalId', 'time', 'date', 'timeOfDay', 'businessDate', 'settleDate', 'card', 'cardType',
  'channel', 'txnType', 'status', 'amount', 'fee', 'net', 'credit', 'debit', 'direction', 'balance',
  'counterparty', 'counterpartyAccount', 'rrn', 'trace', 'batch', 'authCode', 'orderId', 'originalRef',
  'originalTrace', 'payoutId', 'memo', 'currency', 'refundAmount', 'refundOrderId', 'extraFee', 'payoutMode',
];

export interface Vocabulary {
  txnType: Record<string, TxnType>;
  status: Record<string, TxnStatus>;
  cardType: Record<string, CardType>;
  /** Direction words of bank statements: which side of the account moved. */
  direction: Record<string, 'credit' | 'debit'>;
}

export interface Profile {
  name: string;
  role: Role;
  description: string;
  /** Where it came from: 'built-in' or the profile file's path. */
  origin: string;
  /** Encodings this layout is usually shipped in; informational (decoding is detected). */
  encodings: string[];
  /** Forced delimiter; detected when absent. */
  delimiter?: string;
  /** Header aliases per canonical field, in priority order (first alias found wins). */
  columns: Partial<Record<CanonicalField, string[]>>;
  /** Fields that must all map for this profile to fit a header row; `a|b` means either. */
  required: string[];
  /** Headerless layouts: 1-based column positions per field instead of header aliases. */
  positions?: Partial<Record<CanonicalField, number>>;
  /** Headerless layouts: a regex every data line's first cell must match (to tell data from junk). */
  rowPattern?: RegExp;
  units: Partial<Record<MoneyField, AmountUnit>>;
  /** Lines matching these (first non-empty cell, or whole line) are junk before/after the data. */
  junk: { preamble: RegExp[]; footer: RegExp[] };
  vocab: Vocabulary;
  /** Values used when the layout has no column for a field (e.g. every row of a settlement file is a success). */
  defaults: { txnType?: TxnType; status?: TxnStatus; cardType?: CardType; channel?: string };
  /** Fields whose presence raises the score, used to tell near-identical layouts apart. */
  signature: string[];
  /**
   * The channel's day ends at 00:00 (WeChat, Alipay bills assign a payment by its success time),
   * so a record's business date is its calendar date, whatever card cut-off the contract sets.
   */
  midnightCutoff?: boolean;
  /**
   * Fields read from every column whose header is one of their aliases, joined with " / ": a
   * bank prints the payout's memo in 交易摘要 or in 客户摘要 or 附言, by bank and by row.
   */
  join?: CanonicalField[];

  // --- Optional additions (issue #6: channel and acquirer layouts). Absent = old behaviour. ---

  /** `delimited` (default: CSV/TSV and spreadsheets) or `fixed-width` (UnionPay ZM). */
  format?: ProfileFormat;
  /** Fixed-width layouts: the record's fields in order, with offsets resolved. */
  fixedWidth?: FixedWidthLayout;
  /**
   * Header names that must all appear in one row of the first lines for automatic detection to
   * consider this profile (never checked when the profile is forced with --profile). Lets a
   * specific layout claim its own files without stealing generic ones.
   */
  headerMarkers?: string[];
  /** Where the clearing date (清算日期) comes from: year of MMDDhhmmss times, stamped as businessDate. */
  clearingDate?: ClearingDateSpec;
  /** Per-field cell conversions applied before normalisation (D/C sign letters, year-less times). */
  transforms?: Partial<Record<CanonicalField, FieldTransform>>;
  /** Conditional cell rewrites, e.g. a WeChat REFUND row is a refund of -退款金额. */
  rules?: RowRule[];
  /** Where the file states its own control totals (summary row, `#交易合计` footer). */
  controlTotals?: ControlTotalsSpec;
}

export type ProfileFormat = 'delimited' | 'fixed-width';

export interface FixedWidthField {
  /** Field name as in the layout's specification (e.g. 交易代码). */
  name: string;
  /** Canonical field this field maps to, if any. */
  field?: CanonicalField;
  /** 0-based start, in `widthUnit`s. */
  offset: number;
  width: number;
}

export interface FixedWidthLayout {
  fields: FixedWidthField[];
  /** Separator characters after each field (UnionPay ZM: one space). */
  separatorWidth: number;
  /** Widths count bytes of the file's encoding (GBK: a Chinese character is 2) or characters. */
  widthUnit: 'bytes' | 'chars';
  /** End of the last field: the full record length. */
  recordLength: number;
  /** End of the last mapped field: shorter lines cannot be records. */
  minLength: number;
}

export interface ClearingDateSpec {
  /** `filename`: taken from the file name with `pattern` (an option still overrides); `option`: only from the option. */
  from: 'filename' | 'option';
  /** Regular expression whose first group is the date (YYYYMMDD or YYYY-MM-DD). */
  pattern?: RegExp;
}

export interface FieldTransform {
  /** The first character is a sign letter: `D000000002861` with `{ D: '+', C: '-' }` → `2861`. */
  signPrefix?: Record<string, '+' | '-'>;
  /** Year-less `MMDDhhmmss` (or `MMDD`): the year is inferred from the clearing date. */
  format?: 'MMDDhhmmss';
}

export interface RowRule {
  /** Every condition must hold: a regular expression tested on the cleaned cell of that field. */
  when: Partial<Record<CanonicalField, RegExp>>;
  /** Cells to set: literal text, `{field}` (copy) or `-{field}` (copy with the sign flipped). */
  set: Partial<Record<CanonicalField, string>>;
}

/** Control totals a file can state about itself; see src/read/controlTotals.ts for their meaning. */
export const TOTAL_KEYS = [
  'count', 'amount', 'fee', 'net', 'credit', 'debit', 'creditCount', 'debitCount',
  'saleCount', 'saleAmount', 'refundCount', 'refundAmount',
] as const;
export type TotalKey = (typeof TOTAL_KEYS)[number];

export interface ControlTotalsSpec {
  /** A summary header row (its first cell matches) followed by one row of values (WeChat). */
  summaryHeader?: RegExp;
  /** Summary header names per total, in priority order. */
  columns?: Partial<Record<TotalKey, string[]>>;
  /** Footer lines with named groups, e.g. `#交易合计：(?<saleCount>\d+)笔` (Alipay). */
  lines?: RegExp[];
  /** Unit of the stated money totals (default yuan). */
  unit?: AmountUnit;
}

// Words seen in real exports (domain.md §3). Profiles add to these; keys are compared after
// normalising case, width and spaces.
export const DEFAULT_VOCAB: Vocabulary = {
  txnType: {
    '消费': 'sale', '消费交易': 'sale', '自助消费': 'sale', '刷卡消费': 'sale', '银行卡消费': 'sale', '扫码': 'sale',
    '扫码支付': 'sale', '扫码消费': 'sale', '二维码': 'sale', '二维码消费': 'sale', '微信': 'sale', '微信支付': 'sale', '支付宝': 'sale',
    '支付宝支付': 'sale', '云闪付': 'sale', '银联二维码': 'sale', '付款码': 'sale', '闪付': 'sale', 'quickpass': 'sale', 'sale': 'sale', 'purchase': 'sale', 'pay': 'sale', '支付': 'sale',
    '撤销': 'void', '消费撤销': 'void', '撤消': 'void', '消费撤消': 'void', 'void': 'void',
    '冲正': 'reversal', '消费冲正': 'reversal', '撤销冲正': 'reversal', 'reversal': 'reversal',
    '退货': 'refund', '退款': 'refund', '消费退货': 'refund', '联机退货': 'refund', '脱机退货': 'refund', 'refund': 'refund',
    '预授权': 'preauth', 'preauth': 'preauth', '预授权撤销': 'void',
    '预授权完成': 'preauth_complete', '预授权完成(请求)': 'preauth_complete', '预授权完成请求': 'preauth_complete', 'preauth_complete': 'preauth_complete',
    '押金': 'deduction', '首刷押金': 'deduction', '首刷扣费': 'deduction', '服务费': 'deduction', '激活费': 'deduction',
    '流量费': 'deduction', 'sim卡流量费': 'deduction', '年费': 'deduction', '调账': 'deduction', '扣款': 'deduction',
    '其他扣款': 'deduction', '费用扣除': 'deduction', 'deduction': 'deduction',
  },
  status: {
    '成功': 'success', '交易成功': 'success', '支付成功': 'success', '已支付': 'success', '已清算': 'success',
    '已结算': 'success', '清算成功': 'success', '已入账': 'success', 'success': 'success', '00': 'success', '0000': 'success', '000000': 'success', 'ok': 'success',
    '完成': 'success', '已完成': 'success', '交易完成': 'success', '支付完成': 'success', '已退货': 'success', '部分退款': 'success', '部分退货': 'success',
    '未成功': 'failed', '不成功': 'failed', '交易不成功': 'failed', '未完成': 'failed',
    '余额不足': 'failed', '密码错误': 'failed', '不予承兑': 'failed', '无效卡': 'failed', '卡已过期': 'failed', '超过限额': 'failed', '交易受限': 'failed',
    '关闭': 'failed', '交易关闭': 'failed', '已取消': 'failed', '取消': 'failed', 'notpay': 'failed', 'cancelled': 'failed', 'canceled': 'failed',
    '待支付': 'timeout', '支付中': 'timeout', '等待付款': 'timeout', '用户支付中': 'timeout', 'userpaying': 'timeout', 'pending': 'timeout',
    '全额退款': 'success', '退款成功': 'success', '部分退货成功': 'success', '已全额退款': 'success', '退款中': 'success', '转入退款': 'success',
    '已付款': 'success', 'trade_finished': 'success', 'trade_success': 'success',
    'unsuccessful': 'failed', 'notsuccessful': 'failed', '未付款': 'failed', '已撤消': 'failed', '已冲销': 'failed', 'trade_closed': 'failed', 'wait_buyer_pay': 'timeout',
    '失败': 'failed', '交易失败': 'failed', '支付失败': 'failed', 'fail': 'failed', 'failed': 'failed', 'payerror': 'failed',
    'closed': 'failed', '已关闭': 'failed', '拒绝': 'failed', '交易拒绝': 'failed', 'declined': 'failed', '未支付': 'failed',
    '已撤销': 'failed', 'revoked': 'failed', '已冲正': 'failed', '已退款': 'success', 'refund': 'success',
    '超时': 'timeout', '交易超时': 'timeout', 'timeout': 'timeout', '处理中': 'timeout',
    // A settlement line's own state (结算状态): paid out, not yet, or refused.
    '正常': 'success', '交易正常': 'success', '结算成功': 'success', '结算完成': 'success', '清算完成': 'success', '已到账': 'success', '已出款': 'success', '已划款': 'success', '入账成功': 'success',
    '未结算': 'timeout', '待结算': 'timeout', '结算中': 'timeout', '清算中': 'timeout', '未清算': 'timeout', '待清算': 'timeout', '未入账': 'timeout',
    '未到账': 'timeout', '待入账': 'timeout', '暂缓结算': 'timeout', '延迟结算': 'timeout', '结算冻结': 'timeout', '已冻结': 'timeout', '挂账': 'timeout',
    '结算失败': 'failed', '清算失败': 'failed', '入账失败': 'failed', '出款失败': 'failed', '划款失败': 'failed', '退票': 'failed',
  },
  cardType: {
    '借记卡': 'debit', '借记': 'debit', '储蓄卡': 'debit', 'debit': 'debit', '借': 'debit', 'd': 'debit', '01': 'debit',
    '贷记卡': 'credit', '贷记': 'credit', '信用卡': 'credit', '准贷记卡': 'credit', '准贷记': 'credit', 'credit': 'credit', '贷': 'credit', 'c': 'credit', '02': 'credit',
    '扫码': 'qr', '二维码': 'qr', '微信': 'qr', '支付宝': 'qr', '云闪付': 'qr', 'qr': 'qr', '银联二维码': 'qr', '零钱': 'qr',
    '其他卡': 'unknown', '其他': 'unknown', '外卡': 'unknown',
  },
  direction: {
    '收入': 'credit', '收': 'credit', '转入': 'credit', '贷': 'credit', '贷方': 'credit', '存入': 'credit', '入账': 'credit', 'c': 'credit', 'cr': 'credit', 'credit': 'credit', '+': 'credit',
    '支出': 'debit', '支': 'debit', '付': 'debit', '转出': 'debit', '借': 'debit', '借方': 'debit', '取出': 'debit', '出账': 'debit', 'd': 'debit', 'dr': 'debit', 'debit': 'debit', '-': 'debit',
  },
};

/** Words whose status also says the transaction was cancelled (a voided or reversed sale). */
export const CANCELLED_STATUS_WORDS: Record<string, 'void' | 'reversal'> = {
  '已撤销': 'void', '已撤消': 'void', 'revoked': 'void', '已冲正': 'reversal', '已冲销': 'reversal',
};

/** Normalise a header cell or vocabulary word for comparison: width, case, spaces, unit suffixes. */
export function normaliseLabel(s: string): string {
  if (isNormalLabel(s)) return s;
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (c >= 0xff01 && c <= 0xff5e) out += String.fromCodePoint(c - 0xfee0);
    // (A line break too: a header cell wrapped with Alt+Enter, 交易\n时间, names 交易时间.)
    else if (c === 0x3000 || c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0xa0 || c === 0x60 /* ` */ || c === 0xfeff) continue;
    else out += ch;
  }
  out = out.toLowerCase();
  // Unit suffixes carry no meaning for mapping: 收支金额(元) = 收支金额; nor do id hints:
  // 系统参考号(RRN), 商户号(MID), 终端号(TID); nor a format hint with a year or hours, whose cells
  // read as dates and times: 交易时间(HH:mm:ss), 交易日期(yyyy-mm-dd) (清算日期(MMDD) stays apart:
  // a date without its year).
  // (终端编号(SN) stays apart: it may hold the device serial.)
  return out
    .replace(/[([](元|人民币|rmb|cny|¥|￥|rrn|mid|tid|(?=[ymdhs:\-/. ]*(?:yy|hh))[ymdhs][ymdhs:\-/. ]*)[)\]]$/u, '')
    .replace(/[:：*]+$/u, '');
}

/**
 * Whether normaliseLabel would return `s` unchanged: ASCII without spaces, tabs, backticks or
 * capitals, and common CJK ideographs, not ending in a unit suffix or colon. Readers normalise
 * a cell or two of every row (type and status words, the repeated-header check): most are
 * already normal, and rebuilding them character by character is most of the cost.
 */
function isNormalLabel(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x60 || (c >= 0x41 && c <= 0x5a)) return false;
    } else if (c < 0x4e00 || c > 0x9fff) return false;
  }
  const last = s.charCodeAt(s.length - 1);
  return !(last === 0x29 /* ) */ || last === 0x5d /* ] */ || last === 0x3a /* : */ || last === 0x2a /* * */);
}

// ---------------------------------------------------------------------------------------------
// Loading a profile file (YAML or JSON). Errors cite file:line and the expected shape.

function fail(where: () => string, path: string, expected: string, got?: unknown): never {
  const gotText = got === undefined ? '' : `, got ${JSON.stringify(got)}`;
  throw new InputError(`${where()}: ${path}: expected ${expected}${gotText}`);
}

const PROFILE_KEYS = new Set([
  'name', 'role', 'description', 'encodings', 'encoding', 'delimiter', 'columns', 'required', 'positions', 'rowPattern',
  'units', 'junk', 'vocab', 'defaults', 'signature',
  'format', 'fields', 'separatorWidth', 'widthUnit', 'headerMarkers', 'clearingDateFrom', 'clearingDatePattern',
  'transforms', 'rules', 'controlTotals', 'midnightCutoff', 'join',
]);

export function parseProfile(text: string, file: string, origin: string, opts: { data?: unknown } = {}): Profile {
  // The YAML document gives the data and places an error on its line. A built-in profile comes
  // with its data already parsed (at build time, see builtin.ts): its document is parsed only if
  // an error has to be placed, which a built-in that passed its tests never needs.
  let parsed: { doc: ReturnType<typeof parseDocument>; lines: LineCounter } | undefined;
  const document = () => {
    if (!parsed) {
      const lines = new LineCounter();
      parsed = { doc: parseDocument(text, { lineCounter: lines, prettyErrors: false }), lines };
    }
    return parsed;
  };
  if (opts.data === undefined) {
    const { doc, lines } = document();
    if (doc.errors.length > 0) {
      const err = doc.errors[0];
      const pos = lines.linePos(err.pos[0]);
      throw new InputError(`${file}:${pos.line}: not valid YAML/JSON: ${err.message.split('\n')[0]}`);
    }
  }
  /** "file:line" of a node of the document (the file alone when it has no place). */
  const at = (node: () => Node | null | undefined) => () => {
    const n = node();
    const pos = n?.range ? document().lines.linePos(n.range[0]) : undefined;
    return pos ? `${file}:${pos.line}` : file;
  };
  const root = () => document().doc.contents;
  const js = (opts.data !== undefined ? opts.data : document().doc.toJS()) as Record<string, unknown>;
  const pairOf = (key: string) => {
    const r = root();
    return isMap(r) ? r.items.find((it) => isScalar(it.key) && String(it.key.value) === key) : undefined;
  };
  const keyNode = (key: string): Node | undefined => (pairOf(key)?.key as Node | undefined) ?? undefined;
  const nodeAt = (key: string): Node | undefined => (pairOf(key)?.value as Node | undefined) ?? undefined;
  // The entry itself (its key's line), so `columns.amout` cites the misspelt line, not the block.
  const deepNode = (path: string, block: string): Node | undefined => {
    const [top, key] = path.split('.');
    const map = nodeAt(top);
    if (isMap(map)) {
      const pair = map.items.find((it) => isScalar(it.key) && String(it.key.value) === key);
      if (pair) return pair.key as Node;
    }
    return nodeAt(block);
  };

  if (js === null || typeof js !== 'object' || Array.isArray(js)) fail(at(root), 'profile', 'a mapping with name, role and columns');
  for (const key of Object.keys(js)) {
    if (!PROFILE_KEYS.has(key)) fail(at(() => keyNode(key)), key, `one of ${[...PROFILE_KEYS].join(', ')}`);
  }
  const name = js.name;
  if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/i.test(name)) fail(at(() => nodeAt('name')), 'name', 'a short name like "my-bank"', name);
  const role = js.role;
  if (typeof role !== 'string' || !ROLES.includes(role as Role)) fail(at(() => nodeAt('role')), 'role', 'terminal, settlement or bank', role);

  const columns: Partial<Record<CanonicalField, string[]>> = {};
  const rawColumns = js.columns ?? {};
  if (typeof rawColumns !== 'object' || Array.isArray(rawColumns)) fail(at(() => nodeAt('columns')), 'columns', 'a mapping of field: [header names]');
  for (const [field, aliases] of Object.entries(rawColumns as Record<string, unknown>)) {
    if (!CANONICAL_FIELDS.includes(field as CanonicalField)) {
      fail(at(() => deepNode(`columns.${field}`, 'columns')), `columns.${field}`, `a canonical field (${CANONICAL_FIELDS.join(', ')})`);
    }
    const list = typeof aliases === 'string' ? [aliases] : aliases;
    if (!Array.isArray(list) || list.some((a) => typeof a !== 'string')) fail(at(() => deepNode(`columns.${field}`, 'columns')), `columns.${field}`, 'a header name or a list of header names');
    columns[field as CanonicalField] = list as string[];
  }

  const positions: Partial<Record<CanonicalField, number>> = {};
  if (js.positions !== undefined) {
    if (typeof js.positions !== 'object' || js.positions === null) fail(at(() => nodeAt('positions')), 'positions', 'a mapping of field: column number (1-based)');
    for (const [field, pos] of Object.entries(js.positions as Record<string, unknown>)) {
      if (!CANONICAL_FIELDS.includes(field as CanonicalField)) fail(at(() => deepNode(`positions.${field}`, 'positions')), `positions.${field}`, 'a canonical field');
      if (typeof pos !== 'number' || !Number.isInteger(pos) || pos < 1) fail(at(() => deepNode(`positions.${field}`, 'positions')), `positions.${field}`, 'a column number from 1', pos);
      positions[field as CanonicalField] = pos;
    }
  }

  const required = (js.required ?? []) as unknown;
  if (
    !Array.isArray(required) ||
    required.some((g) => typeof g !== 'string' || g.split('|').some((f) => !CANONICAL_FIELDS.includes(f as CanonicalField)))
  ) {
    fail(at(() => nodeAt('required')), 'required', 'a list of canonical fields (a|b means either)', required);
  }

  const units: Partial<Record<MoneyField, AmountUnit>> = {};
  for (const [field, unit] of Object.entries((js.units ?? {}) as Record<string, unknown>)) {
    if (!MONEY_FIELDS.includes(field as MoneyField)) fail(at(() => deepNode(`units.${field}`, 'units')), `units.${field}`, `one of ${MONEY_FIELDS.join(', ')}`);
    if (unit !== 'yuan' && unit !== 'fen') fail(at(() => deepNode(`units.${field}`, 'units')), `units.${field}`, 'yuan or fen', unit);
    units[field as MoneyField] = unit;
  }

  const junkRaw = (js.junk ?? {}) as Record<string, unknown>;
  const toRegexList = (key: 'preamble' | 'footer'): RegExp[] => {
    const list = junkRaw[key] ?? [];
    if (!Array.isArray(list)) fail(at(() => deepNode(`junk.${key}`, 'junk')), `junk.${key}`, 'a list of regular expressions');
    return list.map((src) => {
      try {
        return new RegExp(String(src), 'iu');
      } catch {
        return fail(at(() => deepNode(`junk.${key}`, 'junk')), `junk.${key}`, 'valid regular expressions', src);
      }
    });
  };

  const vocabRaw = (js.vocab ?? {}) as Record<string, Record<string, string> | undefined>;
  const vocab: Vocabulary = {
    txnType: mergeVocab(DEFAULT_VOCAB.txnType, vocabRaw.txnType, TXN_TYPES, 'vocab.txnType', (v) => fail(at(() => nodeAt('vocab')), 'vocab.txnType', `values among ${TXN_TYPES.join(', ')}`, v)),
    status: mergeVocab(DEFAULT_VOCAB.status, vocabRaw.status, TXN_STATUSES, 'vocab.status', (v) => fail(at(() => nodeAt('vocab')), 'vocab.status', `values among ${TXN_STATUSES.join(', ')}`, v)),
    cardType: mergeVocab(DEFAULT_VOCAB.cardType, vocabRaw.cardType, CARD_TYPES, 'vocab.cardType', (v) => fail(at(() => nodeAt('vocab')), 'vocab.cardType', `values among ${CARD_TYPES.join(', ')}`, v)),
    direction: mergeVocab(DEFAULT_VOCAB.direction, vocabRaw.direction, ['credit', 'debit'] as const, 'vocab.direction', (v) => fail(at(() => nodeAt('vocab')), 'vocab.direction', 'credit or debit', v)),
  };

  const defaults = (js.defaults ?? {}) as Profile['defaults'];
  if (defaults.txnType && !TXN_TYPES.includes(defaults.txnType)) fail(at(() => nodeAt('defaults')), 'defaults.txnType', TXN_TYPES.join(', '), defaults.txnType);
  if (defaults.status && !TXN_STATUSES.includes(defaults.status)) fail(at(() => nodeAt('defaults')), 'defaults.status', TXN_STATUSES.join(', '), defaults.status);
  if (defaults.cardType && !CARD_TYPES.includes(defaults.cardType)) fail(at(() => nodeAt('defaults')), 'defaults.cardType', CARD_TYPES.join(', '), defaults.cardType);

  let rowPattern: RegExp | undefined;
  if (js.rowPattern !== undefined) {
    try {
      rowPattern = new RegExp(String(js.rowPattern), 'u');
    } catch {
      fail(at(() => nodeAt('rowPattern')), 'rowPattern', 'a valid regular expression', js.rowPattern);
    }
  }
  const extras = parseExtensions(js, (key, path, expected, got) => fail(at(() => nodeAt(key)), path, expected, got));
  if (Object.keys(columns).length === 0 && Object.keys(positions).length === 0 && !extras.fixedWidth) {
    fail(at(root), 'columns', 'at least one column mapping (columns:, positions: or fields: with format: fixed-width)');
  }
  const encodings = js.encodings ?? (js.encoding ? [js.encoding] : []);
  return {
    ...extras,
    name,
    role: role as Role,
    description: typeof js.description === 'string' ? js.description : '',
    origin,
    encodings: (encodings as unknown[]).map(String),
    delimiter: typeof js.delimiter === 'string' ? (js.delimiter === '\\t' || js.delimiter === 'tab' ? '\t' : js.delimiter) : undefined,
    columns,
    required: required as string[],
    positions: Object.keys(positions).length > 0 ? positions : undefined,
    rowPattern,
    units,
    junk: { preamble: toRegexList('preamble'), footer: toRegexList('footer') },
    vocab,
    defaults,
    signature: Array.isArray(js.signature) ? js.signature.map(String) : [],
    midnightCutoff: js.midnightCutoff === true,
    ...(Array.isArray(js.join) ? { join: joinFields(js.join, at(() => nodeAt('join'))) } : {}),
  };
}

/** `join: [memo]`: mapped fields only (their text is joined; an amount cannot be). */
function joinFields(list: unknown[], where: () => string): CanonicalField[] {
  const allowed: readonly string[] = ['memo', 'counterparty', 'counterpartyAccount'];
  for (const f of list) if (!allowed.includes(String(f))) fail(where, 'join', `a list of ${allowed.join(', ')}`, f);
  return list.map(String) as CanonicalField[];
}

function mergeVocab<T extends string>(
  base: Record<string, T>,
  extra: Record<string, string> | undefined,
  allowed: readonly T[],
  _path: string,
  onBad: (value: string) => never,
): Record<string, T> {
  const out: Record<string, T> = { ...base };
  for (const [word, value] of Object.entries(extra ?? {})) {
    if (!allowed.includes(value as T)) onBad(value);
    out[normaliseLabel(word)] = value as T;
  }
  return out;
}


// ---------------------------------------------------------------------------------------------
// Schema additions for channel and acquirer layouts (fixed width, sign letters, year-less times,
// conditional rewrites, control totals). All optional: a profile without them reads as before.

type Fail = (key: string, path: string, expected: string, got?: unknown) => never;

type Extensions = Pick<Profile, 'format' | 'fixedWidth' | 'headerMarkers' | 'clearingDate' | 'transforms' | 'rules' | 'controlTotals'>;

const TRANSFORM_FORMATS = ['MMDDhhmmss'] as const;
/** `{field}` or `-{field}` in a rule's `set` value. */
export const RULE_TEMPLATE = /^(-?)\{([A-Za-z]+)\}$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function toRegex(src: unknown, flags: string, onBad: () => never): RegExp {
  if (typeof src !== 'string' && typeof src !== 'number') onBad();
  try {
    return new RegExp(String(src), flags);
  } catch {
    return onBad();
  }
}

function canonical(field: string, onBad: () => never): CanonicalField {
  if (!CANONICAL_FIELDS.includes(field as CanonicalField)) onBad();
  return field as CanonicalField;
}

function parseTransform(raw: unknown, path: string, key: string, fail: Fail): FieldTransform {
  if (!isRecord(raw)) fail(key, path, 'a mapping with sign: and/or format:', raw);
  const out: FieldTransform = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k === 'sign') {
      if (!isRecord(v) || Object.keys(v).length === 0) fail(key, `${path}.sign`, 'a mapping of sign letter to + or -, e.g. { D: "+", C: "-" }', v);
      const signs: Record<string, '+' | '-'> = {};
      for (const [letter, sign] of Object.entries(v)) {
        if (letter.length !== 1 || (sign !== '+' && sign !== '-')) fail(key, `${path}.sign.${letter}`, 'one letter mapped to "+" or "-"', sign);
        signs[letter] = sign;
      }
      out.signPrefix = signs;
    } else if (k === 'format') {
      if (!TRANSFORM_FORMATS.includes(v as (typeof TRANSFORM_FORMATS)[number])) fail(key, `${path}.format`, TRANSFORM_FORMATS.join(', '), v);
      out.format = v as FieldTransform['format'];
    } else if (k !== 'name' && k !== 'width' && k !== 'offset' && k !== 'field') {
      fail(key, `${path}.${k}`, 'sign or format');
    }
  }
  return out;
}

function parseExtensions(js: Record<string, unknown>, fail: Fail): Extensions {
  const out: Extensions = {};
  const transforms: Partial<Record<CanonicalField, FieldTransform>> = {};

  if (js.format !== undefined) {
    if (js.format !== 'delimited' && js.format !== 'fixed-width') fail('format', 'format', 'delimited or fixed-width', js.format);
    out.format = js.format;
  }

  if (js.transforms !== undefined) {
    if (!isRecord(js.transforms)) fail('transforms', 'transforms', 'a mapping of field: { sign: …, format: … }', js.transforms);
    for (const [field, t] of Object.entries(js.transforms)) {
      const f = canonical(field, () => fail('transforms', `transforms.${field}`, 'a canonical field'));
      transforms[f] = parseTransform(t, `transforms.${field}`, 'transforms', fail);
    }
  }

  if (out.format === 'fixed-width') {
    if (!Array.isArray(js.fields) || js.fields.length === 0) fail('fields', 'fields', 'a list of { name, width } (fixed-width layouts)', js.fields);
    const sep = js.separatorWidth ?? 0;
    if (typeof sep !== 'number' || !Number.isInteger(sep) || sep < 0) fail('separatorWidth', 'separatorWidth', 'a whole number of separator characters after each field', sep);
    const unit = js.widthUnit ?? 'bytes';
    if (unit !== 'bytes' && unit !== 'chars') fail('widthUnit', 'widthUnit', 'bytes or chars', unit);
    const fields: FixedWidthField[] = [];
    let next = 0;
    const seen = new Set<CanonicalField>();
    (js.fields as unknown[]).forEach((raw, i) => {
      const path = `fields[${i}]`;
      if (!isRecord(raw)) fail('fields', path, 'a mapping { name, width } or { name, offset, width }', raw);
      const width = raw.width;
      if (typeof width !== 'number' || !Number.isInteger(width) || width < 1) fail('fields', `${path}.width`, 'a positive whole number', width);
      const offset = raw.offset ?? next;
      if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) fail('fields', `${path}.offset`, 'a whole number from 0', offset);
      const name = raw.name ?? raw.field;
      if (typeof name !== 'string' || name === '') fail('fields', `${path}.name`, 'the field name (or a canonical field:)', name);
      let field: CanonicalField | undefined;
      if (raw.field !== undefined) {
        field = canonical(String(raw.field), () => fail('fields', `${path}.field`, `a canonical field (${CANONICAL_FIELDS.join(', ')})`, raw.field));
        if (seen.has(field)) fail('fields', `${path}.field`, `each canonical field at most once (${field} is mapped twice)`);
        seen.add(field);
      } else if (CANONICAL_FIELDS.includes(name as CanonicalField)) {
        field = name as CanonicalField;
        seen.add(field);
      }
      if (raw.sign !== undefined || raw.format !== undefined) {
        if (!field) fail('fields', path, 'a field: for sign: or format: to apply to');
        transforms[field] = { ...transforms[field], ...parseTransform(raw, path, 'fields', fail) };
      }
      fields.push({ name, field, offset, width });
      next = offset + width + (sep as number);
    });
    const ends = fields.map((f) => f.offset + f.width);
    const mappedEnds = fields.filter((f) => f.field).map((f) => f.offset + f.width);
    out.fixedWidth = {
      fields,
      separatorWidth: sep as number,
      widthUnit: unit as 'bytes' | 'chars',
      recordLength: Math.max(...ends),
      minLength: mappedEnds.length > 0 ? Math.max(...mappedEnds) : fields[0].offset + fields[0].width,
    };
  } else if (js.fields !== undefined) {
    fail('fields', 'fields', 'fields: only with format: fixed-width');
  }

  if (js.headerMarkers !== undefined) {
    if (!Array.isArray(js.headerMarkers) || js.headerMarkers.some((m) => typeof m !== 'string' || m.trim() === '')) {
      fail('headerMarkers', 'headerMarkers', 'a list of header names that identify the layout', js.headerMarkers);
    }
    out.headerMarkers = js.headerMarkers as string[];
  }

  if (js.clearingDateFrom !== undefined || js.clearingDatePattern !== undefined) {
    const from = js.clearingDateFrom ?? 'filename';
    if (from !== 'filename' && from !== 'option') fail('clearingDateFrom', 'clearingDateFrom', 'filename or option', from);
    let pattern: RegExp | undefined;
    if (js.clearingDatePattern !== undefined) {
      pattern = toRegex(js.clearingDatePattern, 'u', () => fail('clearingDatePattern', 'clearingDatePattern', 'a regular expression whose first group is the date', js.clearingDatePattern));
    } else if (from === 'filename') {
      pattern = /(?:^|[^0-9])(20\d{6})(?![0-9])/u;
    }
    out.clearingDate = { from, pattern };
  }

  if (js.rules !== undefined) {
    if (!Array.isArray(js.rules)) fail('rules', 'rules', 'a list of { when: { field: regex }, set: { field: value } }', js.rules);
    out.rules = (js.rules as unknown[]).map((raw, i) => {
      const path = `rules[${i}]`;
      if (!isRecord(raw) || !isRecord(raw.set) || (raw.when !== undefined && !isRecord(raw.when))) {
        fail('rules', path, 'a mapping { when: { field: regex }, set: { field: value } }', raw);
      }
      const when: RowRule['when'] = {};
      for (const [field, re] of Object.entries((raw.when ?? {}) as Record<string, unknown>)) {
        const f = canonical(field, () => fail('rules', `${path}.when.${field}`, 'a canonical field'));
        when[f] = toRegex(re, 'iu', () => fail('rules', `${path}.when.${field}`, 'a valid regular expression', re));
      }
      const set: RowRule['set'] = {};
      for (const [field, value] of Object.entries(raw.set as Record<string, unknown>)) {
        const f = canonical(field, () => fail('rules', `${path}.set.${field}`, 'a canonical field'));
        if (typeof value !== 'string' && typeof value !== 'number') fail('rules', `${path}.set.${field}`, 'text, {field} or -{field}', value);
        const text = String(value);
        const tpl = RULE_TEMPLATE.exec(text);
        if (tpl) canonical(tpl[2], () => fail('rules', `${path}.set.${field}`, 'a template naming a canonical field', text));
        set[f] = text;
      }
      return { when, set };
    });
  }

  if (js.controlTotals !== undefined) {
    const ct = js.controlTotals;
    if (!isRecord(ct)) fail('controlTotals', 'controlTotals', 'a mapping with summaryHeader: + columns:, or lines:', ct);
    const spec: ControlTotalsSpec = {};
    if (ct.summaryHeader !== undefined) {
      spec.summaryHeader = toRegex(ct.summaryHeader, 'iu', () => fail('controlTotals', 'controlTotals.summaryHeader', 'a regular expression', ct.summaryHeader));
      if (!isRecord(ct.columns)) fail('controlTotals', 'controlTotals.columns', `a mapping of total (${TOTAL_KEYS.join(', ')}): [summary header names]`, ct.columns);
    }
    if (ct.columns !== undefined) {
      if (!isRecord(ct.columns)) fail('controlTotals', 'controlTotals.columns', 'a mapping of total: [names]', ct.columns);
      spec.columns = {};
      for (const [key, names] of Object.entries(ct.columns)) {
        if (!TOTAL_KEYS.includes(key as TotalKey)) fail('controlTotals', `controlTotals.columns.${key}`, `one of ${TOTAL_KEYS.join(', ')}`);
        const list = typeof names === 'string' ? [names] : names;
        if (!Array.isArray(list) || list.some((n) => typeof n !== 'string')) fail('controlTotals', `controlTotals.columns.${key}`, 'a header name or a list of names', names);
        spec.columns[key as TotalKey] = list as string[];
      }
    }
    if (ct.lines !== undefined) {
      if (!Array.isArray(ct.lines)) fail('controlTotals', 'controlTotals.lines', 'a list of regular expressions with named groups', ct.lines);
      spec.lines = (ct.lines as unknown[]).map((src, i) => {
        const re = toRegex(src, 'iu', () => fail('controlTotals', `controlTotals.lines[${i}]`, 'a valid regular expression', src));
        const groups = [...String(src).matchAll(/\(\?<([A-Za-z]+)>/g)].map((m) => m[1]);
        if (groups.length === 0 || groups.some((g) => !TOTAL_KEYS.includes(g as TotalKey))) {
          fail('controlTotals', `controlTotals.lines[${i}]`, `named groups among ${TOTAL_KEYS.join(', ')}`, src);
        }
        return re;
      });
    }
    if (ct.unit !== undefined) {
      if (ct.unit !== 'yuan' && ct.unit !== 'fen') fail('controlTotals', 'controlTotals.unit', 'yuan or fen', ct.unit);
      spec.unit = ct.unit;
    }
    if (!spec.summaryHeader && !spec.lines) fail('controlTotals', 'controlTotals', 'summaryHeader: with columns:, or lines:');
    out.controlTotals = spec;
  }

  if (Object.keys(transforms).length > 0) out.transforms = transforms;
  if (js.separatorWidth !== undefined && out.format !== 'fixed-width') fail('separatorWidth', 'separatorWidth', 'separatorWidth: only with format: fixed-width');
  return out;
}
