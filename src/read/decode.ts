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

export function decodeInput(bytes: Uint8Array, file: string, forced?: Encoding): DecodedText {
  const bom = bomOf(bytes);
  if (forced) {
    const body = bom && bom.encoding === forced ? bytes.subarray(bom.length) : bytes;
    const text = strictDecode(body, forced);
    if (text === null) {
      const line = lineOfFirstBadByte(body, forced);
      throw new InputError(
        `${file}:${line}: bytes are not valid ${forced} (forced by --encoding)`,
        `drop --encoding to let posrecon detect it, or try one of: ${SUPPORTED_ENCODINGS}`,
      );
    }
    return { text, encoding: forced, encodingReason: 'forced by --encoding' };
  }
  if (bom) {
    const text = strictDecode(bytes.subarray(bom.length), bom.encoding);
    if (text === null) {
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
  const line = lineOfFirstBadByte(bytes, 'utf-8');
  throw new InputError(
    `${file}:${line}: cannot decode the file as UTF-8, GB18030/GBK or UTF-16`,
    `pass --encoding with one of: ${SUPPORTED_ENCODINGS}`,
  );
}

/**
 * Text decoded with the wrong encoding shows tell-tale characters: replacement characters,
 * or Latin-1 / box-drawing runs where Chinese headers should be (GBK bytes read as UTF-16, etc.).
 */
export function looksGarbled(text: string): boolean {
  if (text.includes('\uFFFD')) return true;
  let odd = 0;
  let letters = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    if (c > 0x20) letters++;
    if ((c >= 0x80 && c < 0x250) || (c >= 0x2500 && c < 0x2600) || (c >= 0xe000 && c < 0xf900)) odd++;
  }
  return letters > 0 && odd / letters > 0.2;
}
