// The wallet a channel or card-type word names: files print 微信扫码, 支付宝条码支付, 云闪付二维码 …
const WALLET_WORDS: [string, string][] = [
  ['微信', 'wechat'], ['wechat', 'wechat'], ['weixin', 'wechat'],
  ['支付宝', 'alipay'], ['alipay', 'alipay'],
  ['云闪付', 'unionpay'], ['银联二维码', 'unionpay'], ['quickpass', 'unionpay'],
];

/** `wechat`, `alipay` or `unionpay` when the word names that wallet, else undefined (扫码, 二维码, 借记卡). */
export function walletOf(word: string | undefined): string | undefined {
  if (word === undefined) return undefined;
  const k = word.trim().toLowerCase();
  return WALLET_WORDS.find(([w]) => k.includes(w))?.[1];
}
