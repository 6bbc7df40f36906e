// Hand-built canonical records for the bank-leg unit tests.
import { Decimal } from 'decimal.js';
import type { CanonicalRecord } from '../../src/model.js';

let line = 1;

export interface BankRowSpec {
  time: string;
  credit?: string;
  debit?: string;
  balance?: string;
  balanceUnreadable?: string;
  memo?: string;
  counterparty?: string;
  file?: string;
  line?: number;
}

export function bankRow(spec: BankRowSpec): CanonicalRecord {
  const time = spec.time.length === 10 ? `${spec.time} 00:00:00` : spec.time;
  const r: CanonicalRecord = {
    role: 'bank',
    source: { file: spec.file ?? 'bank.csv', line: spec.line ?? ++line },
    profile: 'generic-bank',
    time,
    hasTime: spec.time.length > 10,
    cardType: 'unknown',
    txnType: 'other',
    status: 'success',
    unusable: [],
    content: JSON.stringify(spec),
  };
  if (spec.credit) r.credit = new Decimal(spec.credit);
  if (spec.debit) r.debit = new Decimal(spec.debit);
  if (spec.balance) r.balance = new Decimal(spec.balance);
  if (spec.balanceUnreadable) r.balanceUnreadable = spec.balanceUnreadable;
  if (spec.memo) r.memo = spec.memo;
  if (spec.counterparty) r.counterparty = spec.counterparty;
  return r;
}

/** An acquirer payout credit: counterparty 拉卡拉, memo 清算款. */
export const payoutCredit = (time: string, amount: string, extra: Partial<BankRowSpec> = {}) =>
  bankRow({ time, credit: amount, memo: '清算款', counterparty: '拉卡拉支付股份有限公司', ...extra });

export interface LineSpec {
  settleDate: string;
  net: string;
  merchantId?: string;
  amount?: string;
  fee?: string;
  deduction?: string;
  payoutId?: string;
  terminalId?: string;
  time?: string;
  file?: string;
}

/** A settlement line; `deduction: '押金'` makes a deduction line. */
export function settlementLine(spec: LineSpec): CanonicalRecord {
  const r: CanonicalRecord = {
    role: 'settlement',
    source: { file: spec.file ?? 'settlement.csv', line: ++line },
    profile: 'generic-settlement',
    settleDate: spec.settleDate,
    merchantId: spec.merchantId ?? '898310058120001',
    cardType: 'debit',
    txnType: spec.deduction ? 'deduction' : 'sale',
    status: 'success',
    net: new Decimal(spec.net),
    unusable: [],
    content: JSON.stringify(spec) + line,
  };
  if (spec.time) r.time = spec.time;
  if (spec.amount) r.amount = new Decimal(spec.amount);
  if (spec.fee) r.fee = new Decimal(spec.fee);
  if (spec.deduction) r.rawType = spec.deduction;
  if (spec.payoutId) r.payoutId = spec.payoutId;
  if (spec.terminalId) r.terminalId = spec.terminalId;
  return r;
}
