// Identifier hygiene: card numbers are masked on read (a full PAN must never be stored or
// printed), and IDs that Excel has already destroyed are flagged so they are never matched.
import { toHalfWidth } from './cells.js';

export type IdentifierResult = { ok: true; value: string } | { ok: false; reason: string };

/** ISO/IEC 7812 PANs are 13–19 digits; UnionPay debit cards are 16–19. */
const PAN_MIN = 13;
const PAN_MAX = 19;
const MASK = '******';

const GROUP_SEPARATOR = /[ -]/;
const SCIENTIFIC_ID = /^[+-]?\d+(?:\.\d+)?[eE][+-]?\d+$/;
const NUMBER_WITH_ZERO_FRACTION = /^(\d+)\.0+$/;
const LEADING_ZEROS = /^0+/;
/** Excel keeps 15 significant digits; a longer integer that went through a number is corrupt. */
const EXCEL_DIGITS = 15;

/**
 * A UnionPay merchant number (商户号: 15 digits, starting with 8, e.g. 898310058120001), not a
 * card: no card scheme issues 15-digit PANs starting with 8 (15-digit PANs are American Express,
 * 34/37). Left readable, so a bank memo naming the merchant (结算款 898310058120002) still tells
 * which merchant's payout it is.
 */
function isMerchantNumber(run: string): boolean {
  return run.length === 15 && run.charCodeAt(0) === 0x38;
}

function maskPan(digits: string): string {
  return digits.slice(0, 6) + MASK + digits.slice(-4);
}

/**
 * Digits in the longest run of digit groups (digits joined by single spaces or hyphens, as
 * DIGIT_RUNS_OR_MASKED takes them). Below PAN_MIN no window of the run can be a PAN: nothing to mask.
 */
function longestDigitRun(s: string): number {
  let longest = 0;
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      if (++run > longest) longest = run;
    } else if (!(run > 0 && (c === 0x20 || c === 0x2d) && i + 1 < s.length && isDigit(s.charCodeAt(i + 1)))) {
      run = 0; // a separator continues the run only between digits
    }
  }
  return longest;
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/**
 * Card numbers start with 3–6 (ISO/IEC 7812 industry: Amex/JCB 3, Visa 4, Mastercard 5, UnionPay
 * 6), 9 (Chinese banks' domestic cards: 9558 ICBC, 9559 ABC), or 2221–2720 (Mastercard's
 * 2-series); a date (2025…) does not.
 */
const startsLikeCard = (group: string): boolean => {
  const c = group.charCodeAt(0);
  if ((c >= 0x33 && c <= 0x36) || c === 0x39) return true;
  const head = Number(group.slice(0, 4));
  return group.length >= 4 && head >= 2221 && head <= 2720;
};

/**
 * Masks every full card number in a card-number cell to first 6 + `******` + last 4:
 * `6222021234567890123` → `622202******0123`. A PAN printed in groups (`6222 0212 3456 7890`,
 * `6222-0212-3456-7890`) is masked too and comes back compact. Runs of 13–19 digits count as a
 * PAN; longer bare runs (28-digit order numbers) are not card numbers and are left alone.
 * Already-masked values (`622848******1234`, `6222****0258`) contain no such run and are
 * returned unchanged, as is any cell with fewer than 13 digits (no allocation).
 */
export function maskCard(text: string): string {
  const s = toHalfWidth(text);
  // Most cells (dates, times, amounts, short ids) have no run of 13 digits: no regex, no cache.
  if (longestDigitRun(s) < PAN_MIN) return s;
  // Long digit runs repeat on every row (a 15-digit merchant id in each record's content): the
  // regex runs once per distinct value.
  let masked = maskedRuns.get(s);
  if (masked === undefined) {
    masked = maskDigitRuns(s);
    if (maskedRuns.size >= MASKED_RUNS_MAX) maskedRuns.clear();
    maskedRuns.set(s, masked);
  }
  return masked;
}

/** Every run of digit groups masked where it holds a PAN (maskCard without its shortcuts; half-width text). */
export function maskDigitRuns(s: string): string {
  // Masking a card can leave the digit groups before it a card-shaped run of their own
  // (`3-4620101-2 1810 685217******7098`): mask again until nothing changes, so that masking
  // masked text (a stored memo shown again) changes nothing.
  let out = maskRunsOnce(s);
  for (let before = s; out !== before; ) {
    before = out;
    out = maskRunsOnce(out);
  }
  return out;
}

function maskRunsOnce(s: string): string {
  return s.replace(DIGIT_RUNS_OR_MASKED, (run: string) => (run.includes('*') ? run : maskDigitGroups(run)));
}

/**
 * Digit groups joined by single spaces or hyphens (`6222 0212 3456 7890`) or a bare run — or a
 * PAN masked already (`622848******1234`), kept whole. None of a run's groups
 * starts a masked PAN: the digits of a masked PAN never join the groups beside them, so masking
 * twice changes nothing (`0000000 000000******0000` stays as it is).
 */
const GROUP = String.raw`(?!\d{6}\*{6}\d{4}(?!\d))\d+(?!\d)`;
const DIGIT_RUNS_OR_MASKED = new RegExp(String.raw`\d{6}\*{6}\d{4}(?!\d)|${GROUP}(?:[ -]${GROUP})*`, 'g');

const maskedRuns = new Map<string, string>();
const MASKED_RUNS_MAX = 4096;

/**
 * Masks within one run of digit groups. A bare run is a PAN if it has 13–19 digits. For grouped
 * runs, consecutive groups are taken greedily while they total at most 19 digits; a window
 * totalling 13–19 digits is a PAN. This keeps a grouped PAN masked even when it is followed by
 * other numbers in the same cell.
 */
function maskDigitGroups(run: string): string {
  if (!GROUP_SEPARATOR.test(run)) {
    if (isMerchantNumber(run)) return run;
    return run.length >= PAN_MIN && run.length <= PAN_MAX ? maskPan(run) : run;
  }
  const parts = run.split(GROUP_SEPARATOR);
  const separators: string[] = [];
  for (let i = 0, pos = 0; i < parts.length - 1; i++) {
    pos += parts[i].length;
    separators.push(run[pos]);
    pos += 1;
  }
  // The ends (exclusive) of the PAN windows starting at group i, shortest first: a group that
  // is itself PAN-long stands alone; otherwise short groups join up to 19 digits.
  const windowEnds = (i: number): number[] => {
    // A card printed as its first 6 digits (its BIN) and the rest: 622202 1234567890123.
    if (parts[i].length === 6 && startsLikeCard(parts[i]) && i + 1 < parts.length && parts[i + 1].length >= PAN_MIN - 6 && parts[i + 1].length <= PAN_MAX - 6) return [i + 2];
    if (parts[i].length >= PAN_MIN) return parts[i].length <= PAN_MAX ? [i + 1] : [];
    const ends: number[] = [];
    let total = parts[i].length;
    for (let j = i + 1; j < parts.length && parts[j].length < PAN_MIN && total + parts[j].length <= PAN_MAX; j++) {
      total += parts[j].length;
      if (total >= PAN_MIN) ends.push(j + 1);
    }
    return ends;
  };
  // Groups i…end−1 as cards are printed: one bare run, the BIN (6 digits) and the rest, or
  // groups of one length (4, or 8) with a last of at most that length.
  const cardShaped = (i: number, end: number): boolean => {
    if (end - i === 1) return true;
    const size = parts[i].length;
    if (end - i === 2 && size === 6) return startsLikeCard(parts[i]); // a BIN, then the rest
    if (size !== 4 && size !== 8) return false;
    if (size === 8 && end - i === 2 && parts[i + 1].length !== 8) return false; // 8 + 8, not a date and a time
    for (let g = i + 1; g < end - 1; g++) if (parts[g].length !== size) return false;
    // One separator throughout: `1014 3000-0000-0000-0` is a number and a card, not one card.
    for (let g = i + 1; g < end - 1; g++) if (separators[g] !== separators[i]) return false;
    return parts[end - 1].length <= size;
  };
  // The window from group i: the longest printed like a card, else the longest; -1 for none.
  const windowFrom = (i: number): { end: number; shaped: boolean } => {
    const ends = windowEnds(i);
    for (let x = ends.length - 1; x >= 0; x--) if (cardShaped(i, ends[x])) return { end: ends[x], shaped: true };
    return { end: ends.length > 0 ? ends[ends.length - 1] : -1, shaped: false };
  };
  let out = '';
  let i = 0;
  while (i < parts.length) {
    let j = i + 1;
    if (isMerchantNumber(parts[i])) {
      out += parts[i]; // a merchant number printed beside other numbers (结算款 898310058120002 20251014)
      if (j < parts.length) out += separators[j - 1];
      i = j;
      continue;
    }
    // Which window to mask, when card-like windows overlap:
    // - one printed like a card (4-digit groups, one bare run, BIN + rest) that starts like a
    //   card is masked, but where another such window starts inside it and reaches further
    //   (`5411 6222 0212 3456 7890`: a code, then a card), both are masked as one, so neither
    //   shows more than its first 6 and last 4 digits;
    // - any other gives way to such a window further in (`20251014 6222 0212 3456 7890`,
    //   `1014 6222 0212 3456 7890`): the date stays, the card is masked whole;
    // - with none to give way to, a window neither printed nor starting like a card is no card
    //   (`20251014 103000`, `13812345678 20251014`); one printed like a card is masked anyway.
    let { end, shaped } = windowFrom(i);
    if (end > 0 && !(shaped && startsLikeCard(parts[i]))) {
      for (let k = i + 1; k < end; k++) {
        if (!startsLikeCard(parts[k])) continue;
        const further = windowFrom(k);
        if (further.end > 0 && further.shaped && (further.end > end || !shaped)) {
          for (let g = i; g < k; g++) out += parts[g] + separators[g];
          i = k;
          end = further.end;
          shaped = true;
          break;
        }
      }
      if (!shaped && !startsLikeCard(parts[i])) end = -1;
    }
    if (end > 0 && shaped && startsLikeCard(parts[i])) {
      // Another card-like window starting inside this one and reaching further: one token over both.
      for (let k = i + 1; k < end; k++) {
        if (!startsLikeCard(parts[k])) continue;
        const further = windowFrom(k);
        if (further.end > end && further.shaped) end = further.end;
      }
    }
    if (end > 0) {
      j = end;
      out += maskPan(parts.slice(i, j).join(''));
    } else {
      j = i + 1; // no PAN starts at group i: keep it and try from the next group
      out += parts[i];
    }
    if (j < parts.length) out += separators[j - 1];
    i = j;
  }
  return out;
}

/** Length from which an all-digit ID with only zeros after its 15th digit is taken as zeroed by Excel. */
export const EXCEL_ZEROED_MIN = 20;

/**
 * All digits, only zeros after the 15th (Excel keeps 15 significant digits), and not all zeros
 * (00000000000000000000 is a "none" placeholder, not a number Excel rounded).
 */
export function isExcelZeroed(s: string): boolean {
  if (s.length < EXCEL_ZEROED_MIN) return false;
  let significant = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39 || (i >= EXCEL_DIGITS && c !== 0x30)) return false;
    if (c !== 0x30) significant = true;
  }
  return significant;
}

/**
 * Checks an identifier cell (RRN, order number, merchant id …) for damage done by Excel.
 *
 * - Scientific notation (`4.00123E+27`, `6.22E+15`) means Excel converted the ID to a number and
 *   kept only 15 digits: the ID is destroyed and must never be matched, so `ok: false` with a
 *   reason such as `destroyed by Excel (scientific notation 4.00123E+27); re-export the file as
 *   text`.
 * - A trailing `.0` on an all-digit value (`123456789012.0`, from a tool that read the column as
 *   a float) is stripped when the digits fit in 15 significant digits; longer ones have lost
 *   digits and are rejected the same way. Leading zeros lost in such a conversion cannot be
 *   detected here.
 * - A long all-digit ID whose digits after the 15th are all zeros (`4200002601202510000000000000`)
 *   is what Excel's Number format leaves of a 28-digit 订单号: rejected the same way. Only from
 *   20 digits on (five or more zeros): a real ID ends so once in 100 000.
 *
 * Full-width characters are mapped to ASCII. An empty cell passes through as `''`.
 */
export function checkIdentifier(text: string): IdentifierResult {
  const s = toHalfWidth(text.trim());
  if (s.length === 0) return { ok: true, value: s };
  if (s.length >= EXCEL_ZEROED_MIN && s.endsWith('00000') && isExcelZeroed(s)) {
    return { ok: false, reason: `destroyed by Excel (digits after the 15th turned to zeros: ${s}); re-export the file as text` };
  }
  const c = s.charCodeAt(s.length - 1);
  // Fast path: both damaged forms end in a digit and contain a `.`; most IDs have no `.`.
  if (c < 0x30 || c > 0x39 || (!s.includes('.') && !s.includes('e') && !s.includes('E'))) {
    return { ok: true, value: s };
  }
  if (SCIENTIFIC_ID.test(s)) {
    return { ok: false, reason: `destroyed by Excel (scientific notation ${s}); re-export the file as text` };
  }
  const zeroFraction = NUMBER_WITH_ZERO_FRACTION.exec(s);
  if (zeroFraction) {
    const digits = zeroFraction[1];
    if (digits.replace(LEADING_ZEROS, '').length > EXCEL_DIGITS) {
      return {
        ok: false,
        reason: `destroyed by a number conversion (${s} has more than ${EXCEL_DIGITS} digits); re-export the file as text`,
      };
    }
    return { ok: true, value: digits };
  }
  return { ok: true, value: s };
}
