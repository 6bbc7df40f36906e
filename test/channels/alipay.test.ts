// Alipay merchant 业务明细: GBK, `#` preamble/footer, TAB-suffixed IDs, refunds reusing the
// original 支付宝交易号 with negative amounts, footer totals as control totals.
import { describe, expect, it } from 'vitest';
import { CHANNELS, bytesOf, read, readBytes, total, yuan } from './helpers.js';

const FILE = CHANNELS + 'alipay-yewumingxi-20251001.csv';

describe('Alipay 业务明细', () => {
  const f = read(FILE);

  it('is GBK, detected as alipay-trade with the header after the # preamble', () => {
    expect(f.encoding).toBe('gb18030');
    expect(f.profile.name).toBe('alipay-trade');
    expect(f.headerLine).toBe(5);
    expect(f.mapping.headers).toMatchObject({ amount: '订单金额（元）', fee: '服务费（元）', time: '完成时间', orderId: '商户订单号' });
  });

  it('reads 6 sales and 2 refunds; TABs after IDs are trimmed', () => {
    expect(f.records).toHaveLength(8);
    expect(f.records.map((r) => r.txnType)).toEqual(['sale', 'sale', 'sale', 'sale', 'sale', 'sale', 'refund', 'refund']);
    expect(f.records[0]).toMatchObject({ orderId: 'P202510010001', terminalId: 'T0000001', time: '2025-10-01 08:15:09', cardType: 'qr', channel: 'alipay' });
    expect(f.records.every((r) => !/\t/.test(r.orderId ?? '') && !/\t/.test(r.terminalId ?? ''))).toBe(true);
    expect(f.rejected).toEqual([]);
  });

  it('refunds are negative and point at the original order (the same 商户订单号)', () => {
    const refunds = f.records.filter((r) => r.txnType === 'refund');
    expect(refunds.map((r) => [yuan(r.amount), yuan(r.fee), r.orderId, r.originalRef, r.memo])).toEqual([
      ['-28.50', '-0.11', 'P202510010002', 'P202510010002', '部分退款'],
      ['-9.90', '-0.04', 'P202510010004', 'P202510010004', '全额退款'],
    ]);
  });

  it('totals: amount 1771.00, fee 6.73; the #交易合计 / #退款合计 footer ties out', () => {
    expect(total(f.records, 'amount')).toBe('1771.00');
    expect(total(f.records, 'fee')).toBe('6.73');
    expect(f.controlTotals?.totals.map((t) => [t.key, t.label, t.value.toString(), t.line])).toEqual([
      ['saleCount', '交易合计', '6', 15], ['saleAmount', '商家实收共', '1809.4', 15],
      ['refundCount', '退款合计', '2', 16], ['refundAmount', '商家实收共', '-38.4', 16],
    ]);
    expect(f.controlTotalMismatches).toEqual([]);
    expect(f.skipped.filter((s) => s.kind === 'summary').map((s) => s.line)).toEqual([15, 16]);
    expect(f.lines).toEqual({ total: 17, header: 1, skipped: 8, records: 8, rejected: 0 });
  });

  it('a missing row is a control_total_mismatch naming the footer wording', () => {
    const text = new TextDecoder('gbk').decode(bytesOf(FILE)).split('\r\n');
    const without = readBytes(encodeGbk(text.filter((_, i) => i !== 6).join('\r\n')), 'alipay.csv');
    expect(without.records).toHaveLength(7);
    expect(without.controlTotalMismatches?.map((m) => m.message)).toEqual([
      'control total 交易合计 (line 14) states 6 sale records, the rows read give 5 (difference -1)',
      'control total 商家实收共 (line 14) states 1809.40 sale amount, the rows read give 1680.90 (difference -128.50)',
    ]);
  });

  it('a charged fee printed negative on a sale is still a charge', () => {
    const text = new TextDecoder('gbk').decode(bytesOf(FILE)).replace(',0.10,0.00,', ',-0.10,0.00,');
    const g = readBytes(encodeGbk(text), 'alipay.csv');
    expect(yuan(g.records[0].fee)).toBe('0.10');
  });
});

/** GBK encoder for rewritten fixtures (Node ships only the decoder, so invert it). */
let table: Map<string, number> | null = null;
function encodeGbk(text: string): Uint8Array {
  if (!table) {
    table = new Map();
    const d = new TextDecoder('gbk');
    for (let lead = 0x81; lead <= 0xfe; lead++) {
      for (let trail = 0x40; trail <= 0xfe; trail++) {
        if (trail === 0x7f) continue;
        const ch = d.decode(new Uint8Array([lead, trail]));
        if (ch.length === 1 && ch !== '\uFFFD' && !table.has(ch)) table.set(ch, (lead << 8) | trail);
      }
    }
  }
  const out: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else {
      const code = table.get(ch);
      if (code === undefined) throw new Error(`no GBK code for ${ch}`);
      out.push(code >> 8, code & 0xff);
    }
  }
  return new Uint8Array(out);
}
