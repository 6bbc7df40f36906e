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

export const MONEY_FIELDS = ['amount', 'fee', 'net', 'credit', 'debit', 'balance', 'refundAmount'] as const;
export type MoneyField = (typeof MONEY_FIELDS)[number];

export const CANONICAL_FIELDS: readonly CanonicalField[] = [
  'merchantId', 'terminalId', 'time', 'date', 'timeOfDay', 'businessDate', 'settleDate', 'card', 'cardType',
  'channel', 'txnType', 'status', 'amount', 'fee', 'net', 'credit', 'debit', 'direction', 'balance',
  'counterparty', 'counterpartyAccount', 'rrn', 'trace', 'batch', 'authCode', 'orderId', 'originalRef',
  'originalTrace', 'payoutId', 'memo', 'currency', 'refundAmount',
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
}

// Words seen in real exports (domain.md §3). Profiles add to these; keys are compared after
// normalising case, width and spaces.
export const DEFAULT_VOCAB: Vocabulary = {
  txnType: {
    '消费': 'sale', '消费交易': 'sale', '自助消费': 'sale', '刷卡消费': 'sale', '银行卡消费': 'sale', '扫码': 'sale',
    '扫码支付': 'sale', '扫码消费': 'sale', '二维码': 'sale', '二维码消费': 'sale', '微信': 'sale', '微信支付': 'sale', '支付宝': 'sale',
    '支付宝支付': 'sale', '云闪付': 'sale', '银联二维码': 'sale', '付款码': 'sale', 'sale': 'sale', 'purchase': 'sale', 'pay': 'sale', '支付': 'sale',
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
    '已结算': 'success', '清算成功': 'success', '已入账': 'success', 'success': 'success', '00': 'success', 'ok': 'success',
    '失败': 'failed', '交易失败': 'failed', '支付失败': 'failed', 'fail': 'failed', 'failed': 'failed', 'payerror': 'failed',
    'closed': 'failed', '已关闭': 'failed', '拒绝': 'failed', '交易拒绝': 'failed', 'declined': 'failed', '未支付': 'failed',
    '已撤销': 'failed', 'revoked': 'failed', '已冲正': 'failed', '已退款': 'success', 'refund': 'success',
    '超时': 'timeout', '交易超时': 'timeout', 'timeout': 'timeout', '处理中': 'timeout', '未知': 'unknown', 'unknown': 'unknown',
  },
  cardType: {
    '借记卡': 'debit', '借记': 'debit', '储蓄卡': 'debit', 'debit': 'debit', '借': 'debit', 'd': 'debit', '01': 'debit',
    '贷记卡': 'credit', '贷记': 'credit', '信用卡': 'credit', '准贷记卡': 'credit', '准贷记': 'credit', 'credit': 'credit', '贷': 'credit', 'c': 'credit', '02': 'credit',
    '扫码': 'qr', '二维码': 'qr', '微信': 'qr', '支付宝': 'qr', '云闪付': 'qr', 'qr': 'qr', '银联二维码': 'qr', '零钱': 'qr',
    '其他卡': 'unknown', '其他': 'unknown', '外卡': 'unknown',
  },
  direction: {
    '收入': 'credit', '收': 'credit', '贷': 'credit', '贷方': 'credit', '存入': 'credit', '入账': 'credit', 'c': 'credit', 'cr': 'credit', 'credit': 'credit', '+': 'credit',
    '支出': 'debit', '支': 'debit', '借': 'debit', '借方': 'debit', '取出': 'debit', '出账': 'debit', 'd': 'debit', 'dr': 'debit', 'debit': 'debit', '-': 'debit',
  },
};

/** Words whose status also says the transaction was cancelled (a voided or reversed sale). */
export const CANCELLED_STATUS_WORDS: Record<string, 'void' | 'reversal'> = {
  '已撤销': 'void', 'revoked': 'void', '已冲正': 'reversal',
};

/** Normalise a header cell or vocabulary word for comparison: width, case, spaces, unit suffixes. */
export function normaliseLabel(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (c >= 0xff01 && c <= 0xff5e) out += String.fromCodePoint(c - 0xfee0);
    else if (c === 0x3000 || c === 0x20 || c === 0x09 || c === 0xa0 || c === 0x60 /* ` */ || c === 0xfeff) continue;
    else out += ch;
  }
  out = out.toLowerCase();
  // Unit suffixes carry no meaning for mapping: 收支金额(元) = 收支金额.
  return out.replace(/[([](元|人民币|rmb|cny|¥|￥)[)\]]$/u, '').replace(/[:：*]+$/u, '');
}

// ---------------------------------------------------------------------------------------------
// Loading a profile file (YAML or JSON). Errors cite file:line and the expected shape.

function fail(file: string, lines: LineCounter, node: Node | null | undefined, path: string, expected: string, got?: unknown): never {
  const pos = node?.range ? lines.linePos(node.range[0]) : undefined;
  const where = pos ? `${file}:${pos.line}` : file;
  const gotText = got === undefined ? '' : `, got ${JSON.stringify(got)}`;
  throw new InputError(`${where}: ${path}: expected ${expected}${gotText}`);
}

const PROFILE_KEYS = new Set([
  'name', 'role', 'description', 'encodings', 'encoding', 'delimiter', 'columns', 'required', 'positions', 'rowPattern',
  'units', 'junk', 'vocab', 'defaults', 'signature',
]);

export function parseProfile(text: string, file: string, origin: string): Profile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const pos = lines.linePos(err.pos[0]);
    throw new InputError(`${file}:${pos.line}: not valid YAML/JSON: ${err.message.split('\n')[0]}`);
  }
  const root = doc.contents;
  if (!isMap(root)) fail(file, lines, root, 'profile', 'a mapping with name, role and columns');
  for (const item of root.items) {
    const key = isScalar(item.key) ? String(item.key.value) : '';
    if (!PROFILE_KEYS.has(key)) fail(file, lines, item.key as Node, key, `one of ${[...PROFILE_KEYS].join(', ')}`);
  }
  const js = doc.toJS() as Record<string, unknown>;
  const nodeAt = (key: string): Node | undefined => {
    const pair = root.items.find((it) => isScalar(it.key) && it.key.value === key);
    return (pair?.value as Node | undefined) ?? undefined;
  };

  const name = js.name;
  if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/i.test(name)) fail(file, lines, nodeAt('name'), 'name', 'a short name like "my-bank"', name);
  const role = js.role;
  if (typeof role !== 'string' || !ROLES.includes(role as Role)) fail(file, lines, nodeAt('role'), 'role', 'terminal, settlement or bank', role);

  const columns: Partial<Record<CanonicalField, string[]>> = {};
  const rawColumns = js.columns ?? {};
  if (typeof rawColumns !== 'object' || Array.isArray(rawColumns)) fail(file, lines, nodeAt('columns'), 'columns', 'a mapping of field: [header names]');
  for (const [field, aliases] of Object.entries(rawColumns as Record<string, unknown>)) {
    if (!CANONICAL_FIELDS.includes(field as CanonicalField)) {
      fail(file, lines, nodeAt('columns'), `columns.${field}`, `a canonical field (${CANONICAL_FIELDS.join(', ')})`);
    }
    const list = typeof aliases === 'string' ? [aliases] : aliases;
    if (!Array.isArray(list) || list.some((a) => typeof a !== 'string')) fail(file, lines, nodeAt('columns'), `columns.${field}`, 'a header name or a list of header names');
    columns[field as CanonicalField] = list as string[];
  }

  const positions: Partial<Record<CanonicalField, number>> = {};
  if (js.positions !== undefined) {
    if (typeof js.positions !== 'object' || js.positions === null) fail(file, lines, nodeAt('positions'), 'positions', 'a mapping of field: column number (1-based)');
    for (const [field, pos] of Object.entries(js.positions as Record<string, unknown>)) {
      if (!CANONICAL_FIELDS.includes(field as CanonicalField)) fail(file, lines, nodeAt('positions'), `positions.${field}`, 'a canonical field');
      if (typeof pos !== 'number' || !Number.isInteger(pos) || pos < 1) fail(file, lines, nodeAt('positions'), `positions.${field}`, 'a column number from 1', pos);
      positions[field as CanonicalField] = pos;
    }
  }

  const required = (js.required ?? []) as unknown;
  if (
    !Array.isArray(required) ||
    required.some((g) => typeof g !== 'string' || g.split('|').some((f) => !CANONICAL_FIELDS.includes(f as CanonicalField)))
  ) {
    fail(file, lines, nodeAt('required'), 'required', 'a list of canonical fields (a|b means either)', required);
  }

  const units: Partial<Record<MoneyField, AmountUnit>> = {};
  for (const [field, unit] of Object.entries((js.units ?? {}) as Record<string, unknown>)) {
    if (!MONEY_FIELDS.includes(field as MoneyField)) fail(file, lines, nodeAt('units'), `units.${field}`, `one of ${MONEY_FIELDS.join(', ')}`);
    if (unit !== 'yuan' && unit !== 'fen') fail(file, lines, nodeAt('units'), `units.${field}`, 'yuan or fen', unit);
    units[field as MoneyField] = unit;
  }

  const junkRaw = (js.junk ?? {}) as Record<string, unknown>;
  const toRegexList = (key: 'preamble' | 'footer'): RegExp[] => {
    const list = junkRaw[key] ?? [];
    if (!Array.isArray(list)) fail(file, lines, nodeAt('junk'), `junk.${key}`, 'a list of regular expressions');
    return list.map((src) => {
      try {
        return new RegExp(String(src), 'iu');
      } catch {
        return fail(file, lines, nodeAt('junk'), `junk.${key}`, 'valid regular expressions', src);
      }
    });
  };

  const vocabRaw = (js.vocab ?? {}) as Record<string, Record<string, string> | undefined>;
  const vocab: Vocabulary = {
    txnType: mergeVocab(DEFAULT_VOCAB.txnType, vocabRaw.txnType, TXN_TYPES, 'vocab.txnType', (v) => fail(file, lines, nodeAt('vocab'), 'vocab.txnType', `values among ${TXN_TYPES.join(', ')}`, v)),
    status: mergeVocab(DEFAULT_VOCAB.status, vocabRaw.status, TXN_STATUSES, 'vocab.status', (v) => fail(file, lines, nodeAt('vocab'), 'vocab.status', `values among ${TXN_STATUSES.join(', ')}`, v)),
    cardType: mergeVocab(DEFAULT_VOCAB.cardType, vocabRaw.cardType, CARD_TYPES, 'vocab.cardType', (v) => fail(file, lines, nodeAt('vocab'), 'vocab.cardType', `values among ${CARD_TYPES.join(', ')}`, v)),
    direction: mergeVocab(DEFAULT_VOCAB.direction, vocabRaw.direction, ['credit', 'debit'] as const, 'vocab.direction', (v) => fail(file, lines, nodeAt('vocab'), 'vocab.direction', 'credit or debit', v)),
  };

  const defaults = (js.defaults ?? {}) as Profile['defaults'];
  if (defaults.txnType && !TXN_TYPES.includes(defaults.txnType)) fail(file, lines, nodeAt('defaults'), 'defaults.txnType', TXN_TYPES.join(', '), defaults.txnType);
  if (defaults.status && !TXN_STATUSES.includes(defaults.status)) fail(file, lines, nodeAt('defaults'), 'defaults.status', TXN_STATUSES.join(', '), defaults.status);
  if (defaults.cardType && !CARD_TYPES.includes(defaults.cardType)) fail(file, lines, nodeAt('defaults'), 'defaults.cardType', CARD_TYPES.join(', '), defaults.cardType);

  let rowPattern: RegExp | undefined;
  if (js.rowPattern !== undefined) {
    try {
      rowPattern = new RegExp(String(js.rowPattern), 'u');
    } catch {
      fail(file, lines, nodeAt('rowPattern'), 'rowPattern', 'a valid regular expression', js.rowPattern);
    }
  }
  if (Object.keys(columns).length === 0 && Object.keys(positions).length === 0) {
    fail(file, lines, root, 'columns', 'at least one column mapping (columns: or positions:)');
  }
  const encodings = js.encodings ?? (js.encoding ? [js.encoding] : []);
  return {
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
  };
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

