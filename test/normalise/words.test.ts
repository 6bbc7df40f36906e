// Type, status and card-type words as exports print them (deriveWords with the generic terminal
// profile's vocabulary): what the row is outranks the channel beside it, then the word a compound
// ends with decides; a negated success is no success; a host response code says approved or declined.
import { describe, expect, it } from 'vitest';
import { deriveWords, lookupWord } from '../../src/normalise/records.js';
import { DEFAULT_VOCAB } from '../../src/profiles/profile.js';
import { builtinProfiles } from '../../src/profiles/builtin.js';

const terminal = builtinProfiles().find((p) => p.name === 'generic-terminal')!;
const words = (cells: { rawType?: string; rawStatus?: string; rawCardType?: string }) =>
  deriveWords(terminal, { ...cells, noKey: false, negativeOnly: false, charge: true });

describe('transaction types', () => {
  it.each([
    // Review CD: words inside others and beside a space, as before the code rule.
    ['QR PAY', 'sale'], ['WeChat Pay', 'sale'], ['WXPAY', 'sale'], ['Alipay', 'sale'], ['UnionPay', 'sale'],
    ['微信退款', 'refund'], ['支付宝撤销', 'void'], ['预授权完成撤销', 'void'], ['POS消费撤销', 'void'], ['扫码退款', 'refund'],
    ['消费撤销(微信)', 'void'], ['消费撤销(闪付)', 'void'], ['消费撤销-云闪付', 'void'], ['联机退货(微信)', 'refund'], ['预授权完成(云闪付)', 'preauth_complete'],
    ['微信扫码支付', 'sale'], ['银联二维码消费', 'sale'], ['非接消费', 'sale'], ['撤销冲正', 'reversal'], ['退货撤销', 'void'],
    ['预授权完成(请求)', 'preauth_complete'], ['会员充值', 'other'],
  ])('%s → %s', (rawType, want) => {
    expect(words({ rawType, rawStatus: '成功' }).txnType).toBe(want);
  });
});

describe('status words', () => {
  it.each([
    ['交易成功(已打印)', 'success'], ['已完成', 'success'], ['支付完成', 'success'], ['TRADE_FINISHED', 'success'],
    ['交易不成功', 'failed'], ['未支付成功', 'failed'], ['余额不足', 'failed'], ['已撤销(成功)', 'failed'], ['交易关闭', 'failed'],
    ['51-余额不足', 'failed'], ['00-交易成功', 'success'], ['98-交易超时', 'timeout'], ['用户支付中', 'timeout'],
    ['超时补登成功', 'success'], ['UNSUCCESSFUL', 'failed'],
    // Review CC: a code is a word of its own only where no letter, digit, - or _ touches it.
    ['00', 'success'], ['成功(00)', 'success'], ['OK', 'success'], ['超时(E100)', 'timeout'], ['TIMEOUT(E100)', 'timeout'], ['98-00', 'timeout'],
    // Review CD: spaces are boundaries, as printed.
    ['00 Approved', 'success'], ['RC 00', 'success'],
    // Review CE: the gateways' 0000 / 000000.
    ['0000', 'success'], ['000000', 'success'],
  ])('%s → %s', (rawStatus, want) => {
    expect(words({ rawType: '消费', rawStatus }).status).toBe(want);
  });

  it.each(['9100', '0001', '1005', '2001', 'E00', '12300456', 'NOT OK', '90000', '00000'])('the code %s contains 00 or ok but is not approved: unknown, so the row is rejected', (rawStatus) => {
    expect(lookupWord(DEFAULT_VOCAB.status, rawStatus, { negatable: true })).toBeUndefined();
    expect(words({ rawType: '消费', rawStatus })).toMatchObject({ unreadStatus: true });
  });

  it('a sale whose status names its void or reversal was cancelled, whatever success word follows; on the void row itself the words are its own outcome', () => {
    for (const [rawStatus, cancelled] of [
      ['撤销成功', 'void'], ['冲正成功', 'reversal'], ['已撤销成功', 'void'], ['交易成功(已冲正)', 'reversal'], ['撤销', 'void'], ['冲销成功', 'reversal'],
      ['撤销已完成', 'void'], ['撤销已成功', 'void'], ['撤销交易成功', 'void'], ['已被撤销', 'void'], ['被冲正', 'reversal'], ['自动冲正', 'reversal'],
    ]) {
      expect(words({ rawType: '消费', rawStatus }), rawStatus).toMatchObject({ status: 'failed', cancelled });
    }
    expect(words({ rawType: '预授权完成', rawStatus: '撤销成功' })).toMatchObject({ status: 'failed', cancelled: 'void' });
    // A void that failed, is pending, was refused, or is not said to be done leaves the sale as its status says (review AK).
    for (const rawStatus of ['撤销失败', '未撤销', '交易成功(未冲正)', '撤销拒绝', '可撤销', '撤销中', '冲正中', '撤销申请', '撤销未知', '部分撤销', '无法被冲正', '不能被撤销', '没有被撤销', '部分已被撤销']) {
      expect(words({ rawType: '消费', rawStatus }).cancelled, rawStatus).toBeUndefined();
    }
    expect(words({ rawType: '消费', rawStatus: '交易成功(未冲正)' }).status).toBe('success');
    // A void that failed or was refused leaves the sale standing: no false dropped order when it settles.
    for (const rawStatus of ['撤销失败', '成功(撤销失败)', '交易成功（撤销被拒）', '撤销拒绝', '撤销被拒绝', '已撤销被拒绝', '被撤销失败']) expect(words({ rawType: '消费', rawStatus }).status, rawStatus).toBe('success');
    expect(words({ rawType: '消费', rawStatus: '失败(撤销失败)' }).status).toBe('failed');
    expect(words({ rawType: '消费', rawStatus: '撤销中' })).toMatchObject({ status: 'unknown', unreadStatus: true });
    expect(words({ rawType: '消费撤销', rawStatus: '撤销成功' })).toEqual({ txnType: 'void', status: 'success', cardType: 'unknown' });
    expect(words({ rawType: '冲正', rawStatus: '冲正成功' })).toEqual({ txnType: 'reversal', status: 'success', cardType: 'unknown' });
  });

  it('未知 (the export does not know the outcome) is no status: the row is rejected, not "correctly not settled"', () => {
    expect(words({ rawType: '消费', rawStatus: '未知' })).toMatchObject({ status: 'unknown', unreadStatus: true });
    expect(words({ rawType: '消费', rawStatus: '结果未知' })).toMatchObject({ status: 'unknown', unreadStatus: true });
  });

  it('a success word after a negation is no success: 没有成功 is a status no vocabulary knows', () => {
    expect(words({ rawType: '消费', rawStatus: '没有成功' })).toMatchObject({ status: 'unknown', unreadStatus: true });
    expect(words({ rawType: '消费', rawStatus: '已打印' })).toMatchObject({ status: 'unknown', unreadStatus: true });
  });
});

describe('card types', () => {
  it.each([
    ['银联借记卡', 'debit'], ['IC贷记卡', 'credit'], ['微信零钱', 'qr'], ['借记卡(其他)', 'debit'], ['借记卡/其他', 'debit'], ['信用卡-其他', 'credit'],
    ['贷记卡(外卡)', 'credit'], ['借记卡(云闪付)', 'debit'], ['借记卡(扫码)', 'debit'], ['信用卡(支付宝)', 'credit'],
    // Review CD.
    ['UnionPay QR', 'qr'], ['QR Code', 'qr'], ['Alipay QR', 'qr'], ['DC 01', 'debit'], ['01 Debit', 'debit'],
  ])('%s → %s', (rawCardType, want) => {
    expect(words({ rawType: '消费', rawStatus: '成功', rawCardType }).cardType).toBe(want);
  });
});

describe('bank directions', () => {
  it.each([['转入', 'credit'], ['转出', 'debit'], ['付', 'debit']] as const)('%s → %s', (text, want) => {
    expect(lookupWord(DEFAULT_VOCAB.direction, text)).toBe(want);
  });
});
