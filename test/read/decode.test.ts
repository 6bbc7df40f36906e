import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { decodeInput, looksGarbled, parseEncodingName, type Encoding } from '../../src/read/decode.js';
import { InputError } from '../../src/model.js';
import { bytesOf, encodeGbk, ingestFixtures, INGEST, ROOT, sampleFixtures } from './fixtures.js';

const UNICODE_TEXT_HEADER = '交易时间\t终端号\t参考号\t交易金额\t交易状态\t备注';

function decodeError(bytes: Uint8Array, file: string, forced?: Encoding): InputError {
  try {
    decodeInput(bytes, file, forced);
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error(`expected ${file} not to decode`);
}

describe('binary fixtures', () => {
  it('are exactly what fixtures/ingest/make-binary-fixtures.mjs writes', () => {
    const r = spawnSync(process.execPath, [INGEST + 'make-binary-fixtures.mjs', '--check'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('decodeInput: automatic detection on fixture bytes', () => {
  it.each([
    ['garbled-forced-encoding.csv', 'utf-8', 'valid UTF-8', '交易时间,终端号'],
    ['utf8-bom-semicolon.csv', 'utf-8', 'utf-8 byte-order mark', '交易时间;终端号'],
    ['gbk-with-title-and-footer.csv', 'gb18030', 'not valid UTF-8; valid GB18030/GBK', '商户交易明细\r\n商户名称：上海示例餐饮有限公司'],
    ['gbk-hash-preamble-footer.csv', 'gb18030', 'not valid UTF-8; valid GB18030/GBK', '#支付宝业务明细查询'],
    ['gb18030-four-byte-chars.csv', 'gb18030', 'not valid UTF-8; valid GB18030/GBK', '交易时间,终端号'],
    ['utf-16le-bom.txt', 'utf-16le', 'utf-16le byte-order mark', UNICODE_TEXT_HEADER],
    ['utf-16le-nobom.csv', 'utf-16le', 'utf-16le without BOM (NUL byte pattern)', UNICODE_TEXT_HEADER],
    ['utf-16be-bom.txt', 'utf-16be', 'utf-16be byte-order mark', UNICODE_TEXT_HEADER],
  ])('%s → %s', (name, encoding, reason, start) => {
    const d = decodeInput(bytesOf(INGEST + name), name);
    expect(d.encoding).toBe(encoding);
    expect(d.encodingReason).toBe(reason);
    // The byte-order mark is consumed, never left in front of the first header cell.
    expect(d.text.startsWith(start)).toBe(true);
  });

  it('reads four-byte GB18030 characters that GBK lacks', () => {
    const d = decodeInput(bytesOf(INGEST + 'gb18030-four-byte-chars.csv'), 'x');
    expect(d.text).toContain('刘䶮');
    expect(d.text).toContain('㐀记小吃 €');
  });

  it('gives the same text for UTF-16LE with BOM, without BOM and UTF-16BE', () => {
    const texts = ['utf-16le-bom.txt', 'utf-16le-nobom.csv', 'utf-16be-bom.txt'].map((n) => decodeInput(bytesOf(INGEST + n), n).text);
    expect(texts[1]).toBe(texts[0]);
    expect(texts[2]).toBe(texts[0]);
  });

  it('detects UTF-16 without BOM even when the text is mostly Chinese', () => {
    const text = '商户交易明细表（上海示例餐饮有限公司）\r\n交易时间\t终端号\t交易金额\t交易状态\t备注\r\n2025-04-17 10:00:00\t12345678\t10.00\t成功\t午餐两份加饮料\r\n';
    const le = new Uint8Array(Buffer.from(text, 'utf16le'));
    const be = Buffer.from(text, 'utf16le').swap16();
    expect(decodeInput(le, 'le')).toMatchObject({ text, encoding: 'utf-16le' });
    expect(decodeInput(new Uint8Array(be), 'be')).toMatchObject({ text, encoding: 'utf-16be' });
  });
});

describe('decodeInput: --encoding overrides detection', () => {
  it('reads a GBK file forced as gbk', () => {
    const d = decodeInput(bytesOf(INGEST + 'gbk-with-title-and-footer.csv'), 'f', 'gb18030');
    expect(d).toMatchObject({ encoding: 'gb18030', encodingReason: 'forced by --encoding' });
    expect(d.text.startsWith('商户交易明细')).toBe(true);
  });

  it('strips a matching byte-order mark when forced', () => {
    const d = decodeInput(bytesOf(INGEST + 'utf8-bom-semicolon.csv'), 'f', 'utf-8');
    expect(d.text.startsWith('交易时间')).toBe(true);
    const le = decodeInput(bytesOf(INGEST + 'utf-16le-bom.txt'), 'f', 'utf-16le');
    expect(le.text.startsWith('交易时间')).toBe(true);
  });

  it('fails, naming the file, the line and the forced encoding, when the bytes do not fit it', () => {
    const bytes = Uint8Array.from([...new TextEncoder().encode('title\nheader,x\n'), ...encodeGbk('交易,金额\n')]);
    const e = decodeError(bytes, 'terminal.csv', 'utf-8');
    expect(e.message).toBe('terminal.csv:3: bytes are not valid utf-8 (forced by --encoding)');
    expect(e.hint).toMatch(/drop --encoding/);
    expect(decodeError(bytesOf(INGEST + 'utf-16le-nobom.csv'), 'u16.csv', 'gb18030').message).toMatch(/^u16\.csv:\d+: bytes are not valid gb18030/);
  });

  it('maps the names users type to encodings and refuses unknown ones', () => {
    expect(parseEncodingName('GBK')).toBe('gb18030');
    expect(parseEncodingName('gb2312')).toBe('gb18030');
    expect(parseEncodingName('UTF8')).toBe('utf-8');
    expect(parseEncodingName('utf-16')).toBe('utf-16le');
    expect(parseEncodingName('UTF-16BE')).toBe('utf-16be');
    expect(parseEncodingName('latin1')).toBeNull();
  });
});

describe('decodeInput: undecodable input fails loudly', () => {
  it('names the bad line of a GBK file, not its first (Chinese) line that UTF-8 cannot read', () => {
    const gbkLines = [0xbd, 0xbb, 0xd2, 0xd7, 0x0a]; // 交易\n in GBK
    const bytes = Uint8Array.from([...gbkLines, ...gbkLines, 0x61, 0x2c, 0x62, 0x0a, ...gbkLines, 0x63, 0xff, 0x0a, ...gbkLines]);
    expect(decodeError(bytes, 'x.csv').message).toBe('x.csv:5: cannot decode the file as UTF-8, GB18030/GBK or UTF-16');
  });

  it('names the first bad line when nothing decodes', () => {
    const bytes = Uint8Array.from([0x61, 0x2c, 0x62, 0x0a, 0x63, 0xff, 0x0a]);
    const e = decodeError(bytes, 'x.csv');
    expect(e.message).toBe('x.csv:2: cannot decode the file as UTF-8, GB18030/GBK or UTF-16');
    expect(e.hint).toMatch(/--encoding/);
  });

  it('does not trust a UTF-8 byte-order mark over bad bytes', () => {
    const bytes = Uint8Array.from([0xef, 0xbb, 0xbf, ...encodeGbk('交易时间,金额\n')]);
    expect(decodeError(bytes, 'bom.csv').message).toBe('bom.csv:1: file starts with a utf-8 byte-order mark but its bytes are not valid utf-8');
  });
});

describe('looksGarbled', () => {
  /** Strict decoding, as decodeInput does: a wrong pairing that fails here already fails loudly there. */
  const strictDecode = (bytes: Uint8Array, enc: string): string | null => {
    try {
      return new TextDecoder(enc, { fatal: true }).decode(bytes);
    } catch {
      return null;
    }
  };

  it('is false for every fixture and published sample decoded as detected', () => {
    for (const f of [...ingestFixtures(), ...sampleFixtures()]) {
      const bytes = bytesOf(f);
      if (bytes.length === 0) continue;
      expect(looksGarbled(decodeInput(bytes, f).text), f).toBe(false);
    }
  });

  it('is false for real text with a few rare names, accented letters, emoji and traditional hanzi', () => {
    expect(looksGarbled('商户名称：Café Ünïon 刘䶮 喆 ℃ №3 ¥12.00 — 《对账单》【明细】①')).toBe(false);
    expect(looksGarbled('交易時間,終端號,參考號,交易金額,帳戶餘額,結算費用,備註,澳門')).toBe(false);
    expect(looksGarbled('2025-04-17,Coffee 😀☕,Crème brûlée 🍰,Thé 🍵,Naïve 🎉')).toBe(false);
    expect(looksGarbled('2025-04-17,12345678,1.00')).toBe(false);
  });

  // Text made of words that real exports print, at least twelve hanzi long (a header row or two).
  const WORDS = ['交易时间', '终端号', '参考号', '交易金额', '交易状态', '备注', '商户名称', '消费', '撤销', '成功', '失败',
    '手续费', '结算金额', '记账日期', '对方户名', '余额', '支付宝', '微信', '银联入账', '合计', '总笔数', '上海示例餐饮有限公司'];
  const realText = fc
    .array(fc.oneof(fc.constantFrom(...WORDS), fc.constantFrom(',', '\t', '\r\n', '2025-04-17 10:00:00', '12345678', '1,234.56', ' ')), { minLength: 1, maxLength: 30 })
    .map((parts) => parts.join(''))
    .filter((t) => [...t].filter((ch) => ch >= '\u4e00').length >= 12)
    // A file's text has delimiters or digits somewhere. CJK alone in UTF-16BE read as GB18030
    // (手续费… → bK~韻9OY槤…) shows too few odd characters to judge; real rows never are that.
    .filter((t) => /[,\t0-9]/.test(t));

  it('is true whenever real text is decoded with a wrong encoding', () => {
    fc.assert(
      fc.property(realText, fc.constantFrom('utf-8', 'gbk', 'utf-16le', 'utf-16be'), fc.constantFrom('utf-8', 'gb18030', 'utf-16le', 'utf-16be'), (text, from, to) => {
        // UTF-8 read as GB18030 decodes to valid, common-looking characters (消费 → 娑堣垂): no
        // character test can tell, so decodeInput refuses that pairing from the bytes instead
        // (tested below).
        fc.pre(!(from === 'gbk' && to === 'gb18030') && !(from === 'utf-8' && to === 'gb18030') && from !== to);
        const bytes =
          from === 'utf-8' ? new TextEncoder().encode(text)
            : from === 'gbk' ? encodeGbk(text)
              : from === 'utf-16le' ? new Uint8Array(Buffer.from(text, 'utf16le'))
                : new Uint8Array(Buffer.from(text, 'utf16le').swap16());
        const wrong = strictDecode(bytes, to);
        fc.pre(wrong !== null);
        expect(looksGarbled(wrong!)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('is false for the same text decoded correctly', () => {
    fc.assert(fc.property(realText, (text) => !looksGarbled(text)), { numRuns: 200 });
  });
});

describe('forcing GBK on a UTF-8 file', () => {
  it('is refused with a one-line error instead of garbled text', () => {
    // These UTF-8 bytes are also valid GB18030 (they decode to 娑堣垂寰俊…), so strict decoding alone would pass them.
    const bytes = new TextEncoder().encode('消费微信失败消费记账日期,\n');
    expect(() => decodeInput(bytes, 'utf8.csv', 'gb18030')).toThrow(/utf8\.csv: the file is UTF-8; reading it as gb18030 \(forced by --encoding\) would garble its text/);
  });
});

describe('a file joining a UTF-8 export and a GBK one', () => {
  it('says it mixes two encodings and where the second starts (no --encoding can fix it)', () => {
    const bytes = bytesOf(`${INGEST}utf8-then-gbk-joined.csv`);
    expect(() => decodeInput(bytes, 't.csv')).toThrow(/^t\.csv:7: the file mixes two encodings: lines 1–6 are UTF-8, from line 7 on GBK\/GB18030 \(two exports joined\?\)$/);
  });
});

describe('a picture, PDF or archive given as an export', () => {
  it.each([
    [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d], 'a PNG image'],
    [[0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x37], 'a PDF document'],
    [[0x1f, 0x8b, 0x08, 0x00], 'a gzip archive'],
  ])('%j is named for what it is, not "cut off" or "not UTF-8"', (bytes, what) => {
    expect(() => decodeInput(new Uint8Array(bytes), 'x.csv')).toThrow(`x.csv: this is ${what}, not a CSV, text or Excel export`);
  });
});
