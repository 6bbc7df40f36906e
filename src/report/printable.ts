// Text from input files (memos, cells, header and title lines, file names) made safe to print for
// a person on a terminal. A cell can hold control characters: an acquirer's memo
// `\x1b[30A\x1b[J正常` moves the cursor up and clears the screen, wiping the findings above it,
// and `\x1b]0;…\x07` retitles the window. Every such character is shown as a visible stand-in
// instead, so the report says what the file holds and the screen keeps what the report printed.
//
// Apply it to the input-derived text before colouring (chalk's own escape codes are added after),
// never to a finished line with colours in it. JSON, CSV and HTML escape in their own ways.

/**
 * Any C0 control (U+0000–U+001F), DEL (U+007F) or C1 control (U+0080–U+009F, e.g. the 8-bit CSI
 * U+009B); the Unicode line and paragraph separators (U+2028, U+2029), which some terminals and
 * editors break lines at; and the bidirectional controls (U+061C, U+200E, U+200F, U+202A–U+202E,
 * U+2066–U+2069), which reorder what follows them on screen: a memo `\u202e` can make
 * `¥12.00 退款` display with its digits reversed or move text across columns of a table.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
// A line break (CRLF, CR, LF or a Unicode separator) as one unit, or any other control character.
// eslint-disable-next-line no-control-regex
const CONTROL_OR_BREAK = /\r\n|[\u0000-\u001f\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** The stand-in for one control character (or a CRLF pair). */
function standIn(ch: string): string {
  // The item stays on its line.
  if (ch === '\r\n' || ch === '\r' || ch === '\n' || ch === '\u2028' || ch === '\u2029') return ' ⏎ ';
  const code = ch.charCodeAt(0);
  if (code < 0x20) return String.fromCharCode(0x2400 + code); // Unicode control pictures: ␀ … ␛ … ␟
  if (code === 0x7f) return '␡';
  return `\\u{${code.toString(16)}}`; // C1 and bidi controls have no control pictures: `\u{9b}`, `\u{202e}`
}

/**
 * `text` with every control character shown visibly: a line break (CR, LF or CRLF) as ` ⏎ ` so the
 * item stays on one line, other C0 controls as their Unicode control picture (ESC → ␛, BEL → ␇,
 * TAB → ␉), DEL as ␡, C1 and bidirectional controls as `\u{9b}` / `\u{202e}`, U+2028/U+2029 as
 * ` ⏎ `. Text without any is returned as it is.
 */
export function printable(text: string): string {
  return CONTROL.test(text) ? text.replace(CONTROL_OR_BREAK, standIn) : text;
}
