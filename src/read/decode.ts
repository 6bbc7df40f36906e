// Turn the bytes merchants download into text. Chinese exports come as UTF-8 (with or without
// BOM), GBK/GB18030, or UTF-16 from Excel's "Unicode text". A wrong guess must never hand
// garbled headers to the next step, so every decode is strict and failures say so.
import { InputError } from '../model.js';

export type Encoding = 'utf-8' | 'gb18030' | 'utf-16le' | 'utf-16be';

export interface DecodedText {
  text: string;
  encoding: Encoding;
  /** How the encoding was chosen, for `inspect`. */
  encodingReason: string;
}

const ENCODING_ALIASES: Record<string, Encoding> = {
  'utf8': 'utf-8', 'utf-8': 'utf-8', 'utf-8-bom': 'utf-8', 'utf8bom': 'utf-8',
  'gbk': 'gb18030', 'gb2312': 'gb18030', 'gb18030': 'gb18030', 'cp936': 'gb18030', 'gb-18030': 'gb18030',
  'utf16le': 'utf-16le', 'utf-16le': 'utf-16le', 'utf16': 'utf-16le', 'utf-16': 'utf-16le', 'ucs-2': 'utf-16le',
  'utf16be': 'utf-16be', 'utf-16be': 'utf-16be',
};

export function parseEncodingName(name: string): Encoding | null {
  return ENCODING_ALIASES[name.trim().toLowerCase()] ?? null;
}

export const SUPPORTED_ENCODINGS = 'utf-8, gbk/gb18030, utf-16le, utf-16be';

function bomOf(bytes: Uint8Array): { encoding: Encoding; length: number } | null {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: 'utf-8', length: 3 };
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'utf-16le', length: 2 };
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'utf-16be', length: 2 };
  return null;
}

/**
 * UTF-16 without a BOM: ASCII-heavy text has a zero byte in every other position.
 * Checked before UTF-8 because NUL-laden bytes are valid UTF-8 and would decode to junk.
 */
function sniffUtf16(bytes: Uint8Array): Encoding | null {
  const n = Math.min(bytes.length - (bytes.length % 2), 4096);
  if (n < 4) return null;
  let zeroEven = 0;
  let zeroOdd = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) zeroEven++;
    if (bytes[i + 1] === 0) zeroOdd++;
  }
  const pairs = n / 2;
  if (zeroOdd > pairs * 0.3 && zeroEven < pairs * 0.05) return 'utf-16le';
  if (zeroEven > pairs * 0.3 && zeroOdd < pairs * 0.05) return 'utf-16be';
  return null;
}

function strictDecode(bytes: Uint8Array, encoding: Encoding): string | null {
  try {
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** 1-based line of the first byte that does not decode, for the error message. */
function lineOfFirstBadByte(bytes: Uint8Array, encoding: Encoding): number {
  const text = new TextDecoder(encoding, { fatal: false, ignoreBOM: true }).decode(bytes);
  const bad = text.indexOf('\uFFFD');
  if (bad < 0) return 1;
  let line = 1;
  for (let i = 0; i < bad; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Byte offset where 1-based line `line` starts (LF-terminated lines). */
function lineStart(bytes: Uint8Array, line: number): number {
  let at = 0;
  for (let n = 1; n < line; n++) {
    const lf = bytes.indexOf(0x0a, at);
    if (lf < 0) return -1;
    at = lf + 1;
  }
  return at;
}

/**
 * A file that decodes but for its last one to three bytes ends in the middle of a character: it
 * was cut off (a download still in progress), whatever --encoding says. Throws saying so.
 */
function cutOff(bytes: Uint8Array, file: string, encodings: Encoding[]): void {
  for (const encoding of encodings) {
    for (let k = 1; k <= 3 && k < bytes.length; k++) {
      // Only the last bytes of the file, no line end among them: a bad byte on a line of its own is no cut.
      const tail = bytes[bytes.length - k];
      if ((tail === 0x0a || tail === 0x0d) && !encoding.startsWith('utf-16')) break;
      if (strictDecode(bytes.subarray(0, bytes.length - k), encoding) === null) continue;
      const line = countLines(bytes);
      throw new InputError(
        `${file}:${line}: the file ends in the middle of a character (valid ${encoding} up to its last ${k} byte${k === 1 ? '' : 's'}): it looks cut off (still downloading?)`,
        'fetch the file again once the download has finished',
      );
    }
  }
}

/** Physical lines in the bytes (the last one counted even without a line end). */
function countLines(bytes: Uint8Array): number {
  let n = 1;
  for (let i = 0; i < bytes.length - 1; i++) if (bytes[i] === 0x0a) n++;
  return n;
}

/** Files people attach by mistake, by their first bytes: none is an export posrecon reads. */
const NOT_TEXT: { magic: number[]; what: string }[] = [
  { magic: [0x89, 0x50, 0x4e, 0x47], what: 'a PNG image' },
  { magic: [0xff, 0xd8, 0xff], what: 'a JPEG image' },
  { magic: [0x47, 0x49, 0x46, 0x38], what: 'a GIF image' },
  { magic: [0x25, 0x50, 0x44, 0x46], what: 'a PDF document' },
  { magic: [0x1f, 0x8b], what: 'a gzip archive' },
  { magic: [0x52, 0x61, 0x72, 0x21], what: 'a RAR archive' },
  { magic: [0x37, 0x7a, 0xbc, 0xaf], what: 'a 7-Zip archive' },
];

/** A picture, PDF or archive given as an export: said so, instead of "cut off" or "not UTF-8". */
function notAnExport(bytes: Uint8Array, file: string): void {
  const kind = NOT_TEXT.find(({ magic }) => bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b));
  if (kind) {
    throw new InputError(
      `${file}: this is ${kind.what}, not a CSV, text or Excel export`,
      kind.what.includes('archive') ? 'unpack it and give the export inside' : 'download the transaction export (CSV or Excel) from the portal',
    );
  }
}

export function decodeInput(bytes: Uint8Array, file: string, forced?: Encoding): DecodedText {
  notAnExport(bytes, file);
  const bom = bomOf(bytes);
  if (forced) {
    const body = bom && bom.encoding === forced ? bytes.subarray(bom.length) : bytes;
    const text = strictDecode(body, forced);
    if (text === null) {
      cutOff(body, file, [forced]);
      const line = lineOfFirstBadByte(body, forced);
      throw new InputError(
        `${file}:${line}: bytes are not valid ${forced} (forced by --encoding)`,
        `drop --encoding to let posrecon detect it, or try one of: ${SUPPORTED_ENCODINGS}`,
      );
    }
    // The most common mojibake: a UTF-8 export read as GBK. Its characters are valid but wrong
    // (消费 → 娑堣垂), so no character test catches it; the bytes do.
    if (forced === 'gb18030' && /[^\t\n\r\x20-\x7e]/.test(text)) {
      const asUtf8 = strictDecode(body, 'utf-8');
      if (asUtf8 !== null) {
        throw new InputError(
          `${file}: the file is UTF-8; reading it as ${forced} (forced by --encoding) would garble its text`,
          'drop --encoding (posrecon detects UTF-8), or pass --encoding utf-8',
        );
      }
    }
    return { text, encoding: forced, encodingReason: 'forced by --encoding' };
  }
  if (bom) {
    const text = strictDecode(bytes.subarray(bom.length), bom.encoding);
    if (text === null) {
      cutOff(bytes.subarray(bom.length), file, [bom.encoding]);
      const line = lineOfFirstBadByte(bytes.subarray(bom.length), bom.encoding);
      throw new InputError(`${file}:${line}: file starts with a ${bom.encoding} byte-order mark but its bytes are not valid ${bom.encoding}`);
    }
    return { text, encoding: bom.encoding, encodingReason: `${bom.encoding} byte-order mark` };
  }
  const utf16 = sniffUtf16(bytes);
  if (utf16) {
    const text = strictDecode(bytes, utf16);
    if (text !== null) return { text, encoding: utf16, encodingReason: `${utf16} without BOM (NUL byte pattern)` };
  }
  const utf8 = strictDecode(bytes, 'utf-8');
  if (utf8 !== null) return { text: utf8, encoding: 'utf-8', encodingReason: 'valid UTF-8' };
  // GB18030 is a superset of GBK and GB2312 and decodes almost any byte sequence, so
  // it is only tried once UTF-8 has failed, and only accepted if it decodes strictly.
  const gb = strictDecode(bytes, 'gb18030');
  if (gb !== null) return { text: gb, encoding: 'gb18030', encodingReason: 'not valid UTF-8; valid GB18030/GBK' };
  cutOff(bytes, file, ['utf-8', 'gb18030']);
  // The encoding that decodes further is the likely one (a GBK export with one bad byte fails
  // UTF-8 at its title line): its first bad byte is the line to look at.
  const utf8Line = lineOfFirstBadByte(bytes, 'utf-8');
  // Two exports joined into one file (a GBK day appended to a UTF-8 one): each part decodes,
  // the whole in neither. No --encoding can fix that; say what it is.
  const split = lineStart(bytes, utf8Line);
  if (split > 0 && strictDecode(bytes.subarray(0, split), 'utf-8') !== null && strictDecode(bytes.subarray(split), 'gb18030') !== null) {
    throw new InputError(
      `${file}:${utf8Line}: the file mixes two encodings: lines 1–${utf8Line - 1} are UTF-8, from line ${utf8Line} on GBK/GB18030 (two exports joined?)`,
      'save the file in one encoding, or pass the two parts as separate files',
    );
  }
  const line = Math.max(utf8Line, lineOfFirstBadByte(bytes, 'gb18030'));
  throw new InputError(
    `${file}:${line}: cannot decode the file as UTF-8, GB18030/GBK or UTF-16`,
    `pass --encoding with one of: ${SUPPORTED_ENCODINGS}`,
  );
}

// Characters a correctly decoded Chinese export is made of: ASCII, the 6763 everyday hanzi of
// GB2312 and its symbol rows (、。《》①Ⅰ …), the 5401 everyday traditional hanzi of Big5 (a Hong
// Kong or Macau export prints 時間 and 帳戶), CJK punctuation and the full-width forms. Built once,
// lazily, from the platform's own decoders: GB2312 rows A1–A3 hold the symbols and full-width
// forms, rows B0–F7 × A1–FE exactly its hanzi; Big5 A440–C67E its level-1 hanzi. Kana, Greek,
// Cyrillic and box drawing (GB2312 rows A4–A9) are left out on purpose: mis-decoded UTF-8 is full
// of them, and of the rarer hanzi both standards leave out.
let commonChars: Set<string> | null = null;

function decodePairs(set: Set<string>, encoding: string, leads: number[], trails: [number, number][]): void {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(encoding);
  } catch {
    return; // a Node built without full ICU: the GB18030 rows still make a good filter
  }
  const pair = new Uint8Array(2);
  for (const lead of leads) {
    for (const [from, to] of trails) {
      for (let trail = from; trail <= to; trail++) {
        pair[0] = lead;
        pair[1] = trail;
        const ch = decoder.decode(pair);
        if (ch.length === 1 && ch !== '\uFFFD' && ch.charCodeAt(0) >= 0x80) set.add(ch);
      }
    }
  }
}

function commonCharacters(): Set<string> {
  if (commonChars) return commonChars;
  const set = new Set<string>();
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
  decodePairs(set, 'gb18030', [0xa1, 0xa2, 0xa3, ...range(0xb0, 0xf7)], [[0xa1, 0xfe]]);
  decodePairs(set, 'big5', range(0xa4, 0xc6), [[0x40, 0x7e], [0xa1, 0xfe]]);
  commonChars = set;
  return set;
}

/** Non-ASCII characters that real exports print: ¥ · × – — ‘ ’ “ ” … ‰ ℃ № and the like. */
const COMMON_SYMBOLS = new Set([0xa0, 0xa5, 0xb7, 0xd7, 0xf7, 0x2013, 0x2014, 0x2018, 0x2019, 0x201c, 0x201d, 0x2026, 0x2030, 0x2103, 0x2116, 0xfeff]);

function isExpectedChar(ch: string, c: number): boolean {
  if (c >= 0xc0 && c <= 0x24f) return true; // accented Latin letters in names (Café): no wrong pairing yields them
  if (c >= 0x3000 && c <= 0x301f) return true; // ideographic space, 、。《》【】 and other CJK punctuation
  if (c >= 0xff01 && c <= 0xffef) return true; // full-width forms, ￥
  if (c > 0xffff) return true; // emoji in memos; wrong decodings almost never form surrogate pairs
  return COMMON_SYMBOLS.has(c) || commonCharacters().has(ch);
}

/**
 * True when text was evidently decoded with the wrong encoding. Every wrong pairing among the
 * supported encodings (UTF-8 read as GBK or UTF-16, GBK read as UTF-8 or UTF-16, UTF-16 read as
 * GBK) turns Chinese into replacement characters, NULs, Hangul, kana, symbols, private-use or
 * rare hanzi; a real export is almost all ASCII and everyday (GB2312 or Big5) hanzi. So: more
 * than 30% of the non-ASCII characters are unexpected, and at least four of them (a rare name or
 * two in a memo does not trip it). test/read/decode.test.ts checks both directions.
 */
export function looksGarbled(text: string): boolean {
  let unusual = 0;
  let nonAscii = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    if (c === 0x09 || c === 0x0a || c === 0x0d || (c >= 0x20 && c < 0x7f)) continue;
    nonAscii++;
    if (c === 0xfffd || c < 0x20 || !isExpectedChar(ch, c)) unusual++;
  }
  return unusual >= 4 && unusual > nonAscii * 0.3;
}
