// Type, status and card-type words as exports print them: the word a compound ends with decides,
// a negated success is no success, a host response code says approved or declined.
import { describe, expect, it } from 'vitest';
import { lookupWord } from '../../src/normalise/records.js';
import { DEFAULT_VOCAB } from '../../src/profiles/profile.js';

describe('transaction types', () => {
  it.each([
    ['微信退款', 'refund'], ['支付宝撤销', 'void'], ['预授权完成撤销', 'void'], ['POS消费撤销', 'void'], ['扫码退款', 'refund'],
    ['微信扫码支付', 'sale'], ['银联二维码消费', 'sale'], ['非接消费', 'sale'], ['撤销冲正', 'reversal'], ['退货撤销', 'void'],
    ['预授权完成(请求)', 'preauth_complete'], ['会员充值', undefined],
  ])('%s → %s', (text, want) => {
    expect(lookupWord(DEFAULT_VOCAB.txnType, text)).toBe(want);
  });
});

describe('status words', () => {
  it.each([
    ['交易成功(已打印)', 'success'], ['已完成', 'success'], ['支付完成', 'success'], ['撤销成功', 'success'],
    ['交易不成功', 'failed'], ['未成功', 'failed'], ['未支付成功', 'failed'], ['未完成', 'failed'], ['余额不足', 'failed'],
    ['已打印', undefined],
  ])('%s → %s', (text, want) => {
    expect(lookupWord(DEFAULT_VOCAB.status, text, { negatable: true })).toBe(want);
  });
});

describe('card types and bank directions', () => {
  it.each([
    ['cardType', '银联借记卡', 'debit'], ['cardType', 'IC贷记卡', 'credit'], ['cardType', '微信零钱', 'qr'],
    ['direction', '转入', 'credit'], ['direction', '转出', 'debit'], ['direction', '付', 'debit'],
  ] as const)('%s %s → %s', (vocab, text, want) => {
    expect(lookupWord(DEFAULT_VOCAB[vocab] as Record<string, string>, text)).toBe(want);
  });
});
