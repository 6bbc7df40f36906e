// Text from input files (memos, cells, header and title lines, file names) made safe to print for
// a person on a terminal. A cell can hold control characters: an acquirer's memo
// `\x1b[30A\x1b[J正常` moves the cursor up and clears the screen, wiping the findings above it,
// and `\x1b]0;…\x07` retitles the window. Every such character is shown as a visible stand-in
// instead, so the report says what the file holds and the screen keeps what the report printed.
//
// Apply it to the input-derived text before colouring (chalk's own escape codes are added after),
// never to a finished line with colours in it. JSON, CSV and HTML escape in their own ways.

/** Any C0 control (U+0000–U+001F), DEL (U+007F) or C1 control (U+0080–U+009F, e.g. the 8-bit CSI U+009B). */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// A line break (CRLF, CR or LF) as one unit, or any other control character.
// eslint-disable-next-line no-control-regex
const CONTROL_OR_BREAK = /\r\n|[\u0000-\u001f\u007f-\u009f]/g;

/** The stand-in for one control character (or a CRLF pair). */
function standIn(ch: string): string {
  if (ch === '\r\n' || ch === '\r' || ch === '\n') return ' ⏎ '; // the item stays on its line
  const code = ch.charCodeAt(0);
  if (code < 0x20) return String.fromCharCode(0x2400 + code); // Unicode control pictures: ␀ … ␛ … ␟
  if (code === 0x7f) return '␡';
  return `\\u{${code.toString(16)}}`; // C1 has no control pictures: `\u{9b}`
}

/**
 * `text` with every control character shown visibly: a line break (CR, LF or CRLF) as ` ⏎ ` so the
 * item stays on one line, other C0 controls as their Unicode control picture (ESC → ␛, BEL → ␇,
 * TAB → ␉), DEL as ␡, C1 controls as `\u{9b}`. Text without any is returned as it is.
 */
export function printable(text: string): string {
  return CONTROL.test(text) ? text.replace(CONTROL_OR_BREAK, standIn) : text;
}
