// Cell-level clean-up shared by every reader. These run once per cell on files with millions of
// cells, so they avoid allocating when the input is already clean (the common case) and keep
// all regexes at module level.

/** First code point that can need half-width mapping (U+3000 ideographic space). */
const FIRST_WIDE = 0x3000;
const IDEOGRAPHIC_SPACE = 0x3000;
/** Full-width ASCII block U+FF01..U+FF5E maps to U+0021..U+007E by this offset. */
const FULL_WIDTH_FIRST = 0xff01;
const FULL_WIDTH_LAST = 0xff5e;
const FULL_WIDTH_OFFSET = 0xfee0;

/**
 * Maps full-width ASCII (U+FF01–U+FF5E: digits, letters, punctuation such as `１２３．４５`,
 * `（`, `）`, `，`) to ASCII and the ideographic space U+3000 to a plain space. CJK characters and
 * everything else are left alone (`￥` U+FFE5 is outside the block and stays; amount parsing
 * accepts it directly).
 *
 * Returns the input string itself when nothing needs mapping, so clean cells (ASCII or Chinese)
 * cost one scan and no allocation.
 */
export function toHalfWidth(s: string): string {
  let i = 0;
  const n = s.length;
  // Chinese text (U+4E00…) is ≥ U+3000 too but never changes: look for a character that does
  // before building a new string.
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= FIRST_WIDE && (c === IDEOGRAPHIC_SPACE || (c >= FULL_WIDTH_FIRST && c <= FULL_WIDTH_LAST))) break;
  }
  if (i === n) return s;

  let out = s.slice(0, i);
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= FULL_WIDTH_FIRST && c <= FULL_WIDTH_LAST) {
      out += String.fromCharCode(c - FULL_WIDTH_OFFSET);
    } else if (c === IDEOGRAPHIC_SPACE) {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

// `'0123`: Excel's text marker only when everything after it is digits; `'abc` is real text.
const APOSTROPHE_DIGITS = /^'\d+$/;
// Any run of hyphen-like characters only: BOC pads empty columns with `-------------------`.
// Full-width hyphen-minus and dashes are included because some exports use them the same way.
const HYPHEN_RUN = /^[-\uff0d\u2010-\u2015]+$/;

/**
 * Words that mean "no value" when they are the whole cell. Compared after trimming; `N/A` and
 * `null` in any letter case. Full-width `＊`, `／` are the same placeholders typed on a CJK IME.
 */
const PLACEHOLDERS: ReadonlySet<string> = new Set([
  '*', '/', '\uff0a', '\uff0f', 'n/a', 'null', '无',
]);

/**
 * Normalises one raw cell to the text a human would read:
 *
 * - trims surrounding whitespace, including TAB, NBSP and the ideographic space U+3000
 *   (`String.prototype.trim` covers all three, plus a stray BOM U+FEFF);
 * - strips WeChat Pay's backtick prefix (`` `4200000925… `` → `4200000925…`);
 * - unwraps Excel text escapes `="0123"` → `0123` (doubled quotes inside become one);
 * - drops Excel's leading-apostrophe text marker, but only before an all-digit value
 *   (`'0123` → `0123`; `'abc` is left alone because it may be real text);
 * - maps whole-cell placeholders that mean "empty" to `''`: any run of hyphens (`-`, `--`,
 *   BOC's `-------------------`), `*`, `/`, `N/A`, `null`, `无`.
 *
 * A hyphen that is part of a value (`-12.00`, `支付宝-李四`) is not a placeholder. Full-width
 * characters are NOT converted here (names and memos keep their original form); parsers that
 * need it call {@link toHalfWidth}.
 */
export function cleanCell(raw: string): string {
  let s = raw.trim();
  if (s.length === 0) return s;

  // Wrappers can nest (a WeChat backtick before an Excel escape); strip until none is left so
  // that cleaning is idempotent.
  let c = s.charCodeAt(0);
  for (;;) {
    if (c === 0x60 /* ` */) {
      s = s.slice(1).trim();
    } else if (c === 0x3d /* = */ && s.length >= 3 && s.charCodeAt(1) === 0x22 && s.charCodeAt(s.length - 1) === 0x22) {
      s = s.slice(2, -1);
      if (s.includes('""')) s = s.replaceAll('""', '"');
      s = s.trim();
    } else {
      break;
    }
    if (s.length === 0) return s;
    c = s.charCodeAt(0);
  }
  if (c === 0x27 /* ' */ && APOSTROPHE_DIGITS.test(s)) {
    return s.slice(1);
  }
  return isPlaceholder(s) ? '' : s;
}

/** True when a trimmed cell is only a "no value" marker (see {@link cleanCell}). */
export function isPlaceholder(trimmed: string): boolean {
  // Placeholders are short or made only of hyphens; check cheap conditions before the regex.
  const c = trimmed.charCodeAt(0);
  if (c === 0x2d || c === 0xff0d || (c >= 0x2010 && c <= 0x2015)) return HYPHEN_RUN.test(trimmed);
  if (trimmed.length > 4) return false;
  return PLACEHOLDERS.has(trimmed.length > 1 ? trimmed.toLowerCase() : trimmed);
}
