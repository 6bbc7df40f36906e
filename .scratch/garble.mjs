const gb = new TextDecoder('gb18030');
const set = new Set();
for (let a = 0xb0; a <= 0xf7; a++) for (let b = 0xa1; b <= 0xfe; b++) { const s = gb.decode(Uint8Array.of(a, b)); if (s.length === 1 && s !== '\ufffd') set.add(s); }
console.log('gb2312 hanzi', set.size);
// GBK encoder via reverse map
const enc = new Map();
for (let a = 0x81; a <= 0xfe; a++) for (let b = 0x40; b <= 0xfe; b++) { if (b === 0x7f) continue; const s = gb.decode(Uint8Array.of(a, b)); if (s.length === 1 && s !== '\ufffd' && !enc.has(s)) enc.set(s, [a, b]); }
const gbk = (t) => { const out = []; for (const ch of t) { const c = ch.codePointAt(0); if (c < 0x80) out.push(c); else { const p = enc.get(ch); if (!p) throw new Error('no gbk for ' + ch); out.push(...p); } } return Uint8Array.from(out); };
function stats(t) {
  let non = 0, odd = 0;
  for (const ch of t) { const c = ch.codePointAt(0); if (c === 9 || c === 10 || c === 13) continue; if (c >= 0x20 && c < 0x7f) continue; non++;
    const ok = set.has(ch) || (c >= 0x3000 && c <= 0x303f) || (c >= 0xff00 && c <= 0xffef) || [0xa5,0xb7,0xd7,0x2014,0x2018,0x2019,0x201c,0x201d,0x2026,0x2103,0x3001].includes(c);
    if (!ok) odd++; }
  return `${odd}/${non}=${(odd/Math.max(non,1)).toFixed(2)}`;
}
const headers = ['交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态', '记账日期,记账时间,币别,金额,余额,交易名称,渠道,网点名称,附言,对方账户名', '商户号,终端号,交易时间,交易类型,卡号,交易金额,参考号,凭证号,交易状态', '交易日期,摘要,交易详情', '商户交易明细', '记账日期,货币,交易金额,联机余额,交易摘要,对手信息,客户摘要','中国银行交易流水明细单'];
for (const h of headers) {
  const u8 = new TextEncoder().encode(h);
  const g = gbk(h);
  const le = Buffer.from(h, 'utf16le');
  const r = (bytes, e) => new TextDecoder(e).decode(bytes);
  console.log(h.slice(0,12), 'legit', stats(h), '| utf8→gbk', stats(r(u8,'gb18030')), r(u8,'gb18030').slice(0,12), '| gbk→utf16', stats(r(g.length%2?Uint8Array.from([...g,0x20]):g,'utf-16le')), '| utf8→utf16', stats(r(u8.length%2?Uint8Array.from([...u8,0x20]):u8,'utf-16le')), '| utf16→gbk', stats(r(le,'gb18030')), '| gbk→utf8', stats(r(g,'utf-8')));
}
