// The merchant's contract with the acquirer: settlement timing, matching windows, fee rules and
// the non-sale deductions the merchant agreed to. Read from YAML or JSON (JSON is YAML 1.2).
//
// Validation is strict on purpose: a contract typo (`ratee`, `rate: 0.6`) silently ignored would
// turn every fee finding of a run into noise, so every mistake is an InputError that names the
// file, the line of the offending node and the path of the setting.
import { Decimal } from 'decimal.js';
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import { CARD_TYPES, InputError, TXN_TYPES } from '../model.js';
import type { CardType, LocalDate, TxnType } from '../model.js';

/** Chinese card-type words a merchant copies from the paper contract (the template mentions them). */
const CARD_TYPE_WORDS: Record<string, CardType> = {
  '借记卡': 'debit', '借记': 'debit', '储蓄卡': 'debit',
  '贷记卡': 'credit', '贷记': 'credit', '信用卡': 'credit', '准贷记卡': 'credit',
  '扫码': 'qr', '二维码': 'qr', '微信': 'qr', '支付宝': 'qr', '云闪付': 'qr',
};

export type Rounding = 'half-up' | 'half-even' | 'down' | 'up';
export const ROUNDINGS: readonly Rounding[] = ['half-up', 'half-even', 'down', 'up'];

/** Whether the acquirer gives the fee back when a sale is refunded (WeChat does; cards vary). */
export type RefundFeePolicy = 'fee-returned' | 'fee-kept';
export const REFUND_FEE_POLICIES: readonly RefundFeePolicy[] = ['fee-returned', 'fee-kept'];

/**
 * How the 日切 boundary itself is treated: `at-or-after` moves 23:00:00 to the next business date
 * (">= 23:00:00"), `after` keeps it on the same date ("> 23:00:00"). Acquirers differ.
 */
export type CutoffRule = 'at-or-after' | 'after';
export const CUTOFF_RULES: readonly CutoffRule[] = ['at-or-after', 'after'];

/** Payout mode of a transaction: ordinary next-working-day payout or instant (秒到) payout. */
export type PayoutMode = 'T1' | 'D0';
export const PAYOUT_MODES: readonly PayoutMode[] = ['T1', 'D0'];

/** How often an allowed deduction may be taken: once ever, once per calendar year/month, once per terminal. */
export type AllowancePeriod = 'once' | 'year' | 'month' | 'terminal' | 'terminal-year';
export const ALLOWANCE_PERIODS: readonly AllowancePeriod[] = ['once', 'year', 'month', 'terminal', 'terminal-year'];

/**
 * Settlement cycle. `T` counts working days (holiday calendar applies), `D` calendar days.
 * `T0`/`D0` are same-day (`days: 0`). `text` is the normalised spelling, e.g. `T+1`.
 */
export interface SettlementCycle {
  basis: 'T' | 'D';
  days: number;
  text: string;
}

export interface SettlementTerms {
  cycle: SettlementCycle;
  /** Cut-off time normalised to `HH:mm:ss`, so it compares directly with a LocalDateTime's time part. */
  cutoff: string;
  cutoffRule: CutoffRule;
  /**
   * QR payments (卡类型 微信/支付宝/扫码 …): `cutoff`, like cards (the default), or `midnight`,
   * as WeChat and Alipay cut their own days (a 23:30 payment belongs to its calendar date).
   */
  qrCutoff: 'cutoff' | 'midnight';
  /** Extra days a payout may be late before it is reported. */
  graceDays: number;
}

/**
 * Conditions of a fee rule; an absent field matches anything, a list matches any of its values.
 * Amount bounds compare the absolute amount: `amountAbove` excludes its bound, `amountAtMost` includes it.
 */
export interface FeeRuleCondition {
  cardType?: CardType[];
  channel?: string[];
  txnType?: TxnType[];
  merchantId?: string[];
  terminalId?: string[];
  amountAbove?: Decimal;
  amountAtMost?: Decimal;
  mode?: PayoutMode[];
}

export interface FeeRule {
  /** Contract file and 1-based line of the rule, so findings can cite "rule at contract.yaml:14". */
  file: string;
  line: number;
  /** Position in the rule list (0-based); earlier rules win. */
  index: number;
  when: FeeRuleCondition;
  /** Inclusive business-date bounds. */
  from?: LocalDate;
  until?: LocalDate;
  /** Rate as a fraction: "0.60%" → 0.006. */
  rate: Decimal;
  /** The rate as a percent string for messages, at least two decimals: "0.60%". */
  ratePercent: string;
  /** 封顶: the per-transaction fee never exceeds this (before the fixed add-on). */
  cap?: Decimal;
  /** Minimum per-transaction fee (before the fixed add-on). */
  min?: Decimal;
  /** Per-transaction add-on, e.g. the D0 秒到费. */
  fixed?: Decimal;
}

export interface AllowedDeduction {
  file: string;
  line: number;
  index: number;
  /** The label as written: a substring of the deduction's memo, or `/regex/flags`. */
  label: string;
  /** Compiled pattern when the label was written as `/regex/`; null for a plain substring. */
  labelPattern: RegExp | null;
  /** The most that may be deducted per period (positive yuan). */
  amount: Decimal;
  per: AllowancePeriod;
}

export interface FeeTerms {
  rounding: Rounding;
  /** A fee differing from the expected fee by at most this much is not reported. */
  tolerance: Decimal;
  refunds: RefundFeePolicy;
  rules: FeeRule[];
  allowedDeductions: AllowedDeduction[];
}

export interface Contract {
  /** Contract file name as given to loadContract, used when citing rules. */
  file: string;
  timezone: string;
  settlement: SettlementTerms;
  /**
   * Other terms for some merchant ids (`settlement.merchants`): a shop with two acquirers has a
   * merchant id with each, and each acquirer its own cycle and cut-off. Keys not given there
   * are `settlement`'s.
   */
  settlementByMerchant: Map<string, SettlementTerms>;
  /** Extra holiday files, relative to the contract file; kept verbatim. */
  holidays: string[];
  /** Names that identify acquirer payouts on bank statements. */
  acquirers: string[];
  payoutWindowDays: number;
  /**
   * Bank leg, last matching pass: a payout with no exact match pairs with the closest credit in
   * its window when |difference| <= max(rate x payout, amount). Default 2% or 50.00.
   */
  payoutTolerance: { rate: Decimal; amount: Decimal };
  matching: { traceWindowDays: number; fuzzyWindowMinutes: number };
  fees: FeeTerms;
}

export const DEFAULT_CONTRACT_FILE = '(default contract)';

/** The contract used when none is given: T+1, 日切 at 23:00 (inclusive), no fee rules. */
export function defaultContract(): Contract {
  return {
    file: DEFAULT_CONTRACT_FILE,
    timezone: 'Asia/Shanghai',
    settlement: {
      cycle: { basis: 'T', days: 1, text: 'T+1' },
      cutoff: '23:00:00',
      cutoffRule: 'at-or-after',
      qrCutoff: 'cutoff',
      graceDays: 0,
    },
    settlementByMerchant: new Map(),
    holidays: [],
    acquirers: [],
    payoutWindowDays: 3,
    payoutTolerance: { rate: new Decimal('0.02'), amount: new Decimal(50) },
    matching: { traceWindowDays: 15, fuzzyWindowMinutes: 10 },
    fees: {
      rounding: 'half-up',
      tolerance: new Decimal(0),
      refunds: 'fee-returned',
      rules: [],
      allowedDeductions: [],
    },
  };
}

/** The settlement terms of a merchant id: its own (`settlement.merchants`), else the contract's. */
export function settlementTermsOf(contract: Contract, merchantId: string | undefined): SettlementTerms {
  return (merchantId !== undefined && contract.settlementByMerchant.get(merchantId)) || contract.settlement;
}

/** "rule at contract.yaml:14" — how findings point at the rule in force. */
export function citeRule(rule: Pick<FeeRule, 'file' | 'line'>): string {
  return `rule at ${rule.file}:${rule.line}`;
}

/**
 * Formats a fractional rate as a percent with at least two decimals and no trailing noise:
 * 0.006 → "0.60%", 0.00385 → "0.385%", 0.0063 → "0.63%".
 */
export function formatPercent(fraction: Decimal): string {
  const percent = fraction.times(100);
  const decimals = Math.max(2, percent.decimalPlaces());
  return `${percent.toFixed(decimals)}%`;
}

// ---------------------------------------------------------------------------------------------
// Reading

/** A mapping entry with the nodes kept, so errors can point at the key or the value. */
interface Entry {
  key: string;
  keyNode: YamlNode;
  value: YamlNode | null;
}

type SchemaPath = string;

const TOP_LEVEL_KEYS = [
  'timezone', 'settlement', 'holidays', 'acquirers', 'payoutWindowDays', 'payoutTolerance', 'matching', 'fees', 'rules',
] as const;
const PAYOUT_TOLERANCE_KEYS = ['rate', 'amount'] as const;
const SETTLEMENT_TERM_KEYS = ['cycle', 'cutoff', 'cutoffRule', 'qrCutoff', 'graceDays'] as const;
const SETTLEMENT_KEYS = [...SETTLEMENT_TERM_KEYS, 'merchants'] as const;
const MATCHING_KEYS = ['traceWindowDays', 'fuzzyWindowMinutes'] as const;
const FEES_KEYS = ['rounding', 'tolerance', 'refunds', 'rules', 'allowedDeductions'] as const;
const RULE_KEYS = ['when', 'from', 'until', 'rate', 'cap', 'min', 'fixed'] as const;
const WHEN_KEYS = [
  'cardType', 'channel', 'txnType', 'merchantId', 'terminalId', 'amountAbove', 'amountAtMost', 'mode',
] as const;
const DEDUCTION_KEYS = ['label', 'amount', 'per'] as const;

/** Reads one parsed document, failing with file:line messages. */
class ContractReader {
  constructor(
    private readonly fileName: string,
    private readonly lineCounter: LineCounter,
    private readonly doc: Document,
  ) {}

  lineOf(node: YamlNode | null | undefined): number {
    const offset = node?.range?.[0];
    if (offset === undefined) return 1;
    return Math.max(1, this.lineCounter.linePos(offset).line);
  }

  fail(node: YamlNode | null | undefined, path: SchemaPath, message: string, hint?: string): never {
    const where = path ? `${path}: ` : '';
    throw new InputError(`${this.fileName}:${this.lineOf(node)}: ${where}${message}`, hint);
  }

  /** Follows `*alias` references so anchors behave like the copied value. */
  deref(node: YamlNode | null): YamlNode | null {
    if (node && isAlias(node)) {
      const target = node.resolve(this.doc);
      return (target as YamlNode | undefined) ?? null;
    }
    return node;
  }

  /** A mapping's entries; rejects keys outside `known` with a did-you-mean hint. */
  mapping(node: YamlNode | null, path: SchemaPath, known: readonly string[], parent?: YamlNode | null): Entry[] {
    const target = this.deref(node);
    if (!target || !isMap(target)) {
      this.fail(target ?? parent, path, `expected a mapping (key: value lines), got ${describeNode(target)}`);
    }
    const entries: Entry[] = [];
    for (const pair of target.items) {
      const keyNode = pair.key as YamlNode | null;
      if (!keyNode || !isScalar(keyNode) || typeof keyNode.value !== 'string') {
        this.fail(keyNode ?? target, path, `expected text keys, got ${describeNode(keyNode)}`);
      }
      const key = keyNode.value;
      if (!known.includes(key)) {
        const guess = closestKey(key, known);
        const childPath = path ? `${path}.${key}` : key;
        this.fail(
          keyNode,
          childPath,
          `unknown key "${key}"${guess ? ` (did you mean "${guess}"?)` : ''}`,
          `keys allowed here: ${known.join(', ')}`,
        );
      }
      entries.push({ key, keyNode, value: this.deref(pair.value as YamlNode | null) });
    }
    return entries;
  }

  sequence(node: YamlNode, path: SchemaPath): YamlNode[] {
    if (!isSeq(node)) this.fail(node, path, `expected a list, got ${describeNode(node)}`);
    return node.items.map((item) => {
      const resolved = this.deref(item as YamlNode | null);
      if (!resolved) this.fail(node, path, 'list items must not be empty');
      return resolved;
    });
  }

  /**
   * Text of a scalar. Numbers are returned as written in the file (`1000.00`, `00012345`), not
   * as the float YAML made of them, so amounts and IDs stay exact.
   */
  scalarText(node: YamlNode, path: SchemaPath, expected: string): string {
    if (!isScalar(node)) this.fail(node, path, `expected ${expected}, got ${describeNode(node)}`);
    const { value } = node;
    if (typeof value === 'string') return value.trim();
    if (typeof value === 'number' || typeof value === 'bigint') {
      return (node.source ?? String(value)).trim();
    }
    return this.fail(node, path, `expected ${expected}, got ${describeNode(node)}`);
  }

  string(node: YamlNode, path: SchemaPath, expected = 'text'): string {
    const text = this.scalarText(node, path, expected);
    if (text === '') this.fail(node, path, `expected ${expected}, got an empty value`);
    return text;
  }

  stringList(node: YamlNode, path: SchemaPath): string[] {
    return this.sequence(node, path).map((item, i) => this.string(item, `${path}[${i}]`));
  }

  count(node: YamlNode, path: SchemaPath): number {
    const text = this.scalarText(node, path, 'a whole number');
    if (!/^\d{1,6}$/.test(text)) this.fail(node, path, `expected a whole number like 3, got ${JSON.stringify(text)}`);
    return Number(text);
  }

  choice<T extends string>(node: YamlNode, path: SchemaPath, allowed: readonly T[], synonyms: Record<string, T> = {}): T {
    const text = this.scalarText(node, path, `one of ${allowed.join(', ')}`);
    const found = allowed.find((candidate) => candidate === text) ?? synonyms[text];
    if (found === undefined) {
      const guess = closestKey(text, allowed);
      this.fail(
        node,
        path,
        `expected one of ${allowed.join(', ')}, got ${JSON.stringify(text)}${guess ? ` (did you mean "${guess}"?)` : ''}`,
      );
    }
    return found;
  }

  /** A non-negative yuan amount with at most two decimals (the fen is the smallest unit). */
  amount(node: YamlNode, path: SchemaPath): Decimal {
    const text = this.scalarText(node, path, 'an amount in yuan like "20.00"');
    if (!/^\d+(\.\d{1,2})?$/.test(text)) {
      this.fail(
        node,
        path,
        `expected an amount in yuan like "20.00", got ${JSON.stringify(text)}`,
        'amounts are non-negative yuan with at most two decimals (fen)',
      );
    }
    return new Decimal(text);
  }

  /** A percent string; a bare number is refused because "0.6" vs "0.006" is a 100x mistake waiting to happen. */
  percent(node: YamlNode, path: SchemaPath): Decimal {
    const text = this.scalarText(node, path, 'a percent like "0.60%"');
    const match = /^(\d+(?:\.\d+)?)\s*[%％]$/.exec(text);
    if (!match) {
      this.fail(
        node,
        path,
        `expected a percent like "0.60%", got ${JSON.stringify(text)}`,
        'write the rate with a % sign, e.g. rate: "0.60%"; a bare number is ambiguous (0.6 or 0.006?)',
      );
    }
    const percent = new Decimal(match[1]);
    if (percent.gte(100)) this.fail(node, path, `rate ${text} is not below 100%`);
    // No card or QR merchant rate comes near 5%: "60%" is a typo for "0.60%", not a contract.
    if (percent.gt(5)) {
      this.fail(node, path, `rate ${text} is implausible for a merchant discount rate (expected at most 5%)`, `did you mean "${percent.div(100).toFixed(2)}%"?`);
    }
    return percent.div(100);
  }

  date(node: YamlNode, path: SchemaPath): LocalDate {
    const text = this.scalarText(node, path, 'a date like "2025-10-01"');
    if (!isCalendarDate(text)) {
      this.fail(node, path, `expected a date like "2025-10-01", got ${JSON.stringify(text)}`);
    }
    return text;
  }

  /** A condition value: one scalar or a list of them (any-of). */
  oneOrMany(node: YamlNode, path: SchemaPath, read: (item: YamlNode, itemPath: SchemaPath) => string): string[] {
    if (isSeq(node)) {
      const items = this.sequence(node, path);
      if (items.length === 0) this.fail(node, path, 'an empty list would match nothing');
      return items.map((item, i) => read(item, `${path}[${i}]`));
    }
    return [read(node, path)];
  }
}

function describeNode(node: YamlNode | null | undefined): string {
  if (!node) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const { value } = node;
    if (value === null) return 'an empty value';
    if (typeof value === 'boolean') return `${value}`;
    if (typeof value === 'number') return JSON.stringify(node.source ?? String(value));
    return JSON.stringify(excerpt(String(value)));
  }
  return 'an unsupported value';
}

/**
 * A value quoted in an error, kept short and safe for cron mail: its first line, at most 40
 * characters, and any long digit run (a card number in a data file given as the contract) masked.
 */
function excerpt(text: string): string {
  const line = text.split(/\r?\n/)[0];
  const short = line.length > 40 || line.length < text.length ? `${line.slice(0, 40)}…` : line;
  return short.replace(/\d{12,}/g, (d) => `${d.slice(0, 6)}${'*'.repeat(d.length - 10)}${d.slice(-4)}`);
}

function isCalendarDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Suggests a known key within edit distance 2, for "unknown key" messages. */
function closestKey(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length];
}

function parseCycle(reader: ContractReader, node: YamlNode, path: SchemaPath): SettlementCycle {
  const text = reader.scalarText(node, path, 'a cycle like "T+1"');
  const compact = text.replace(/\s+/g, '').toUpperCase();
  const match = /^([TD])(?:\+(\d{1,2})|0)$/.exec(compact);
  if (!match) {
    reader.fail(node, path, `expected a cycle like T+1, D+1, T0 or D0, got ${JSON.stringify(text)}`);
  }
  const basis = match[1] === 'T' ? 'T' : 'D';
  const days = match[2] === undefined ? 0 : Number(match[2]);
  return { basis, days, text: days === 0 ? `${basis}0` : `${basis}+${days}` };
}

function parseCutoff(reader: ContractReader, node: YamlNode, path: SchemaPath): string {
  const text = reader.scalarText(node, path, 'a time like "23:00"');
  const match = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  const valid = match !== null && Number(match[1]) <= 23 && Number(match[2]) <= 59 && Number(match[3] ?? 0) <= 59;
  if (!match || !valid) reader.fail(node, path, `expected a time like "23:00", got ${JSON.stringify(text)}`);
  return `${match[1].padStart(2, '0')}:${match[2]}:${match[3] ?? '00'}`;
}

function parseTimezone(reader: ContractReader, node: YamlNode, path: SchemaPath): string {
  const zone = reader.string(node, path, 'a time zone like "Asia/Shanghai"');
  let canonical = zone;
  try {
    canonical = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    reader.fail(node, path, `unknown time zone ${JSON.stringify(zone)}`, 'use an IANA name such as Asia/Shanghai');
  }
  // Every time is read as printed, in China Standard Time (and a UTC stamp converted to it): a
  // zone that is not would be accepted and silently ignored. (Names as Intl resolves them: any case.)
  if (!CHINA_STANDARD_TIME.has(canonical) && !CHINA_STANDARD_TIME.has(zone)) {
    reader.fail(node, path, `time zone ${JSON.stringify(zone)} is not supported: posrecon reads every time as China Standard Time`, 'use Asia/Shanghai, or leave timezone out');
  }
  return zone;
}

/** IANA names of China Standard Time (UTC+8, no daylight saving). */
const CHINA_STANDARD_TIME = new Set(['Asia/Shanghai', 'Asia/Chongqing', 'Asia/Chungking', 'Asia/Harbin', 'PRC', 'Etc/GMT-8']);

function parseSettlement(reader: ContractReader, node: YamlNode, keyNode: YamlNode, into: SettlementTerms, byMerchant: Map<string, SettlementTerms>): void {
  let merchants: Entry | undefined;
  for (const entry of reader.mapping(node, 'settlement', SETTLEMENT_KEYS, keyNode)) {
    if (entry.value === null || isNull(entry.value)) continue;
    if (entry.key === 'merchants') merchants = entry;
    else parseSettlementTerm(reader, entry, 'settlement', into);
  }
  // After the contract's own terms, whatever their order in the file: a merchant's start from them.
  if (!merchants?.value) return;
  const map = merchants.value;
  if (!isMap(map)) reader.fail(map, 'settlement.merchants', `expected a mapping of merchant id: terms, got ${describeNode(map)}`, 'e.g. merchants: { "898310058130002": { cycle: D+1 } }');
  for (const pair of map.items) {
    const idNode = pair.key as YamlNode | null;
    if (!idNode) reader.fail(map, 'settlement.merchants', 'expected a merchant id as the key');
    const id = reader.string(idNode, 'settlement.merchants');
    const path = `settlement.merchants.${id}`;
    const terms: SettlementTerms = { ...into, cycle: { ...into.cycle } };
    for (const entry of reader.mapping(reader.deref(pair.value as YamlNode | null), path, SETTLEMENT_TERM_KEYS, idNode)) {
      if (entry.value !== null && !isNull(entry.value)) parseSettlementTerm(reader, entry, path, terms);
    }
    byMerchant.set(id, terms);
  }
}

function parseSettlementTerm(reader: ContractReader, entry: Entry, parent: SchemaPath, into: SettlementTerms): void {
  const value = entry.value!;
  const path = `${parent}.${entry.key}`;
  switch (entry.key) {
    case 'cycle': into.cycle = parseCycle(reader, value, path); break;
    case 'cutoff': into.cutoff = parseCutoff(reader, value, path); break;
    case 'cutoffRule': into.cutoffRule = reader.choice(value, path, CUTOFF_RULES); break;
    case 'qrCutoff': into.qrCutoff = reader.choice(value, path, ['cutoff', 'midnight'] as const); break;
    case 'graceDays': into.graceDays = reader.count(value, path); break;
  }
}

function parseMatching(reader: ContractReader, node: YamlNode, keyNode: YamlNode, into: Contract['matching']): void {
  for (const entry of reader.mapping(node, 'matching', MATCHING_KEYS, keyNode)) {
    if (entry.value === null || isNull(entry.value)) continue;
    const path = `matching.${entry.key}`;
    switch (entry.key) {
      case 'traceWindowDays': into.traceWindowDays = reader.count(entry.value, path); break;
      case 'fuzzyWindowMinutes': into.fuzzyWindowMinutes = reader.count(entry.value, path); break;
    }
  }
}

function parsePayoutTolerance(reader: ContractReader, node: YamlNode, keyNode: YamlNode, into: Contract['payoutTolerance']): void {
  for (const entry of reader.mapping(node, 'payoutTolerance', PAYOUT_TOLERANCE_KEYS, keyNode)) {
    if (entry.value === null || isNull(entry.value)) continue;
    const path = `payoutTolerance.${entry.key}`;
    switch (entry.key) {
      case 'rate': into.rate = reader.percent(entry.value, path); break;
      case 'amount': into.amount = reader.amount(entry.value, path); break;
    }
  }
}

function parseWhen(reader: ContractReader, node: YamlNode, keyNode: YamlNode, path: SchemaPath): FeeRuleCondition {
  const when: FeeRuleCondition = {};
  const amountNodes: { above?: YamlNode; atMost?: YamlNode } = {};
  for (const entry of reader.mapping(node, path, WHEN_KEYS, keyNode)) {
    if (entry.value === null || isNull(entry.value)) continue;
    const value = entry.value;
    const fieldPath = `${path}.${entry.key}`;
    const text = (item: YamlNode, itemPath: SchemaPath): string => reader.string(item, itemPath);
    switch (entry.key) {
      case 'cardType':
        when.cardType = reader.oneOrMany(value, fieldPath, (item, p) => reader.choice(item, p, CARD_TYPES, CARD_TYPE_WORDS)) as CardType[];
        break;
      case 'txnType':
        when.txnType = reader.oneOrMany(value, fieldPath, (item, p) => reader.choice(item, p, TXN_TYPES)) as TxnType[];
        break;
      case 'mode':
        when.mode = reader.oneOrMany(value, fieldPath, (item, p) => reader.choice(item, p, PAYOUT_MODES)) as PayoutMode[];
        break;
      case 'channel': when.channel = reader.oneOrMany(value, fieldPath, text); break;
      case 'merchantId': when.merchantId = reader.oneOrMany(value, fieldPath, text); break;
      case 'terminalId': when.terminalId = reader.oneOrMany(value, fieldPath, text); break;
      case 'amountAbove':
        when.amountAbove = reader.amount(value, fieldPath);
        amountNodes.above = value;
        break;
      case 'amountAtMost':
        when.amountAtMost = reader.amount(value, fieldPath);
        amountNodes.atMost = value;
        break;
    }
  }
  if (when.amountAbove && when.amountAtMost && when.amountAtMost.lte(when.amountAbove)) {
    reader.fail(
      amountNodes.atMost,
      `${path}.amountAtMost`,
      `amountAtMost ${when.amountAtMost.toFixed(2)} is not above amountAbove ${when.amountAbove.toFixed(2)}, so the rule can never match`,
    );
  }
  return when;
}

function parseRule(reader: ContractReader, fileName: string, node: YamlNode, index: number, path: SchemaPath): FeeRule {
  const entries = reader.mapping(node, path, RULE_KEYS);
  const rule: Partial<FeeRule> & { when: FeeRuleCondition } = {
    file: fileName,
    line: reader.lineOf(node),
    index,
    when: {},
  };
  const nodes: Partial<Record<(typeof RULE_KEYS)[number], YamlNode>> = {};
  for (const entry of entries) {
    if (entry.value === null || isNull(entry.value)) continue;
    const value = entry.value;
    const fieldPath = `${path}.${entry.key}`;
    nodes[entry.key as (typeof RULE_KEYS)[number]] = value;
    switch (entry.key) {
      case 'when': rule.when = parseWhen(reader, value, entry.keyNode, fieldPath); break;
      case 'from': rule.from = reader.date(value, fieldPath); break;
      case 'until': rule.until = reader.date(value, fieldPath); break;
      case 'rate': rule.rate = reader.percent(value, fieldPath); break;
      case 'cap': rule.cap = reader.amount(value, fieldPath); break;
      case 'min': rule.min = reader.amount(value, fieldPath); break;
      case 'fixed': rule.fixed = reader.amount(value, fieldPath); break;
    }
  }
  if (!rule.rate) {
    // A rule without a rate would silently win over the card-rate rules below it.
    reader.fail(node, path, 'missing rate', 'every rule needs a rate; use rate: "0%" for a rule that only adds a fixed fee');
  }
  if (rule.from && rule.until && rule.from > rule.until) {
    reader.fail(nodes.from, `${path}.from`, `from ${rule.from} is after until ${rule.until}`);
  }
  if (rule.min && rule.cap && rule.min.gt(rule.cap)) {
    reader.fail(nodes.min, `${path}.min`, `min ${rule.min.toFixed(2)} is above cap ${rule.cap.toFixed(2)}`);
  }
  return {
    file: fileName,
    line: rule.line ?? 1,
    index,
    when: rule.when,
    from: rule.from,
    until: rule.until,
    rate: rule.rate,
    ratePercent: formatPercent(rule.rate),
    cap: rule.cap,
    min: rule.min,
    fixed: rule.fixed,
  };
}

function parseRules(reader: ContractReader, fileName: string, node: YamlNode, path: SchemaPath): FeeRule[] {
  return reader.sequence(node, path).map((item, i) => parseRule(reader, fileName, item, i, `${path}[${i}]`));
}

function parseLabel(reader: ContractReader, node: YamlNode, path: SchemaPath): { label: string; labelPattern: RegExp | null } {
  const label = reader.string(node, path, 'a label like "流量费" or "/流量|SIM/"');
  const regexForm = /^\/(.+)\/([imsu]*)$/.exec(label);
  if (!regexForm) return { label, labelPattern: null };
  try {
    return { label, labelPattern: new RegExp(regexForm[1], regexForm[2]) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return reader.fail(node, path, `invalid regular expression ${label}: ${reason}`);
  }
}

function parseDeduction(reader: ContractReader, fileName: string, node: YamlNode, index: number, path: SchemaPath): AllowedDeduction {
  let label: { label: string; labelPattern: RegExp | null } | undefined;
  let amount: Decimal | undefined;
  let per: AllowancePeriod | undefined;
  for (const entry of reader.mapping(node, path, DEDUCTION_KEYS)) {
    if (entry.value === null || isNull(entry.value)) continue;
    const fieldPath = `${path}.${entry.key}`;
    switch (entry.key) {
      case 'label': label = parseLabel(reader, entry.value, fieldPath); break;
      case 'amount': amount = reader.amount(entry.value, fieldPath); break;
      case 'per': per = reader.choice(entry.value, fieldPath, ALLOWANCE_PERIODS); break;
    }
  }
  if (!label) reader.fail(node, path, 'missing label');
  if (!amount) reader.fail(node, path, 'missing amount');
  if (!per) reader.fail(node, path, 'missing per', `per is one of ${ALLOWANCE_PERIODS.join(', ')}`);
  return { file: fileName, line: reader.lineOf(node), index, ...label, amount, per };
}

function parseFees(reader: ContractReader, fileName: string, node: YamlNode, keyNode: YamlNode, into: FeeTerms): YamlNode | null {
  let rulesNode: YamlNode | null = null;
  for (const entry of reader.mapping(node, 'fees', FEES_KEYS, keyNode)) {
    if (entry.value === null || isNull(entry.value)) continue;
    const path = `fees.${entry.key}`;
    switch (entry.key) {
      case 'rounding': into.rounding = reader.choice(entry.value, path, ROUNDINGS); break;
      case 'tolerance': into.tolerance = reader.amount(entry.value, path); break;
      case 'refunds': into.refunds = reader.choice(entry.value, path, REFUND_FEE_POLICIES); break;
      case 'rules':
        into.rules = parseRules(reader, fileName, entry.value, path);
        rulesNode = entry.keyNode;
        break;
      case 'allowedDeductions':
        into.allowedDeductions = reader
          .sequence(entry.value, path)
          .map((item, i) => parseDeduction(reader, fileName, item, i, `${path}[${i}]`));
        break;
    }
  }
  return rulesNode;
}

function isNull(node: YamlNode): boolean {
  return isScalar(node) && node.value === null;
}

/**
 * Parses a contract (YAML or JSON). Unset settings take the defaults of defaultContract().
 * Throws InputError `file:line: path: message` for anything it cannot use.
 */
export function loadContract(text: string, fileName: string): Contract {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntaxError = doc.errors[0];
  if (syntaxError) {
    // An error at the very end (an unclosed quote) points past the last line: name the last one.
    const lastLine = text.replace(/\r?\n$/, '').split(/\r?\n/).length;
    const at = lineCounter.linePos(syntaxError.pos[0]);
    const line = Math.min(at.line, lastLine);
    const col = at.line > lastLine ? 1 : at.col;
    const message = syntaxError.message.split('\n')[0];
    throw new InputError(`${fileName}:${Math.max(1, line)}:${Math.max(1, col)}: ${message}`, 'the contract must be valid YAML or JSON');
  }

  const contract = defaultContract();
  contract.file = fileName;
  const reader = new ContractReader(fileName, lineCounter, doc);
  const root = reader.deref(doc.contents as YamlNode | null);
  if (root === null || isNull(root)) return contract; // an empty file means "all defaults"
  // A CSV export given as the contract (-c where -s was meant) parses as one long YAML string.
  // (A title line may come first: 结算对账单, then the header.)
  const firstLines = text.replace(/^\uFEFF/, '').split(/\r?\n/, 6);
  if (root !== null && isScalar(root) && typeof root.value === 'string' && firstLines.some((line) => /(?:[,\t].*){3}/.test(line))) {
    throw new InputError(`${fileName}: this looks like a data file (comma- or tab-separated columns), not a contract`, 'a contract is YAML or JSON (`posrecon init contract` writes an annotated one); was this file meant for --terminal, --settlement or --bank?');
  }

  let feesRulesKey: YamlNode | null = null;
  let topRules: { keyNode: YamlNode; value: YamlNode } | null = null;
  for (const entry of reader.mapping(root, '', TOP_LEVEL_KEYS)) {
    if (entry.value === null || isNull(entry.value)) continue;
    const { key, value } = entry;
    switch (key) {
      case 'timezone': contract.timezone = parseTimezone(reader, value, key); break;
      case 'settlement': parseSettlement(reader, value, entry.keyNode, contract.settlement, contract.settlementByMerchant); break;
      case 'holidays': contract.holidays = reader.stringList(value, key); break;
      case 'acquirers': contract.acquirers = reader.stringList(value, key); break;
      case 'payoutWindowDays': contract.payoutWindowDays = reader.count(value, key); break;
      case 'payoutTolerance': parsePayoutTolerance(reader, value, entry.keyNode, contract.payoutTolerance); break;
      case 'matching': parseMatching(reader, value, entry.keyNode, contract.matching); break;
      case 'fees': feesRulesKey = parseFees(reader, fileName, value, entry.keyNode, contract.fees); break;
      // Top-level `rules:` is an accepted shorthand for fees.rules.
      case 'rules': topRules = { keyNode: entry.keyNode, value }; break;
    }
  }
  if (topRules) {
    if (feesRulesKey) {
      reader.fail(
        topRules.keyNode,
        'rules',
        `fee rules are given both here and under fees.rules (line ${reader.lineOf(feesRulesKey)})`,
        'keep one list of rules; the first matching rule wins',
      );
    }
    contract.fees.rules = parseRules(reader, fileName, topRules.value, 'rules');
  }
  return contract;
}
