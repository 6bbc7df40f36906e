// The human report: a one-screen summary (counts and money at stake), then the exceptions
// grouped by kind, newest first, each with the rows to look at.
import { Chalk } from 'chalk';
import type { ReconcileResult } from '../reconcile.js';
import { KIND_TITLES } from '../classify/kinds.js';
import { findingAmount, findingRefs, findingTime, groupFindings, money, summarize, SHORT_LABELS, type SummaryOptions } from './common.js';
import { bankSummaryLines } from './bank.js';
import { printable } from './printable.js';

export { money } from './common.js';

export interface TableOptions extends SummaryOptions {
  color: boolean;
  /** Show informational findings (pending, voided …) too. */
  verbose: boolean;
}

/** Zero-width code points: combining marks, zero-width spaces and joiners, variation selectors. */
function isZeroWidth(c: number): boolean {
  return (c >= 0x0300 && c <= 0x036f) || (c >= 0x200b && c <= 0x200f) || (c >= 0xfe00 && c <= 0xfe0f) || c === 0xfeff;
}

/** East Asian Wide and Fullwidth ranges (Hangul, CJK, kana, full-width forms, CJK extensions, emoji). */
function isWide(c: number): boolean {
  return (
    (c >= 0x1100 && c <= 0x115f) ||
    (c >= 0x2e80 && c <= 0xa4cf && c !== 0x303f) ||
    (c >= 0xac00 && c <= 0xd7a3) ||
    (c >= 0xf900 && c <= 0xfaff) ||
    (c >= 0xfe30 && c <= 0xfe4f) ||
    (c >= 0xff00 && c <= 0xff60) ||
    (c >= 0xffe0 && c <= 0xffe6) ||
    (c >= 0x1f300 && c <= 0x1f64f) ||
    (c >= 0x1f900 && c <= 0x1f9ff) ||
    (c >= 0x20000 && c <= 0x3fffd)
  );
}

/** Display width: CJK and full-width characters take two terminal columns, combining marks none. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    w += isZeroWidth(c) ? 0 : isWide(c) ? 2 : 1;
  }
  return w;
}

export function padEnd(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - displayWidth(s)));
}

export function padStart(s: string, width: number): string {
  return ' '.repeat(Math.max(0, width - displayWidth(s))) + s;
}

/** Width of the time column (`YYYY-MM-DD HH:mm:ss`). */
const TIME_WIDTH = 19;
/** Minimum width of the money column; wider when an amount needs it, so amounts stay right-aligned. */
const MONEY_WIDTH = 12;

export function renderTable(result: ReconcileResult, opts: TableOptions): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const s = summarize(result, opts);
  const out: string[] = [];
  // Text that can come from the input files (memos, cells, file names) goes through printable()
  // before chalk colours it: a control character in a cell never reaches the terminal raw.
  out.push(c.bold(printable(s.title)) + c.dim(` (${printable(s.asOfSource)})`));
  out.push(`Inputs: ${printable(s.inputs)}` + (s.rejectedInputs ? c.red(` · ${s.rejectedInputs} rejected`) : ''));
  out.push('');

  if (s.overcharge) out.push(c.red.bold(s.overcharge));
  out.push(s.allClear ? c.green.bold(s.headline) : c.bold(s.headline));
  const labelWidth = Math.max(...Object.values(SHORT_LABELS).map(displayWidth));
  for (const k of s.kinds) {
    out.push(`  ${c.red(padStart(String(k.count), 5))}  ${padEnd(k.label, labelWidth)}  ${k.stake}`.trimEnd());
  }
  out.push(c.dim(`  ${s.info.join(' · ')}`));
  out.push(c.dim(`  ${s.rows}`));
  for (const line of bankSummaryLines(result)) out.push(c.dim(`  ${printable(line)}`));
  if (s.calendarNote) out.push(c.yellow(`  ${printable(s.calendarNote)}`));
  if (s.feedNote) out.push(c.yellow(`  ${printable(s.feedNote)}`));
  for (const note of s.inputNotes) out.push(c.yellow(`  ${printable(note)}`));

  for (const drift of s.drifts) {
    out.push('');
    out.push(c.yellow.bold(printable(drift)));
  }

  const groups = groupFindings(result, { informational: opts.verbose, matched: false });
  const amountText = (a: ReturnType<typeof findingAmount>) => (a ? money(a) : '');
  // A loop, not Math.max(...): a spread of a million widths overflows the call stack.
  let moneyWidth = MONEY_WIDTH;
  for (const g of groups) for (const f of g.findings) moneyWidth = Math.max(moneyWidth, displayWidth(amountText(findingAmount(f))));
  for (const { kind, findings } of groups) {
    out.push('');
    out.push(c.bold.underline(`${KIND_TITLES[kind]} — ${findings.length}`));
    for (const f of findings) {
      // A memo with a line break inside (a quoted cell) stays on the finding's line (⏎).
      out.push(`  ${padEnd(printable(findingTime(f) || '—'), TIME_WIDTH)}  ${padStart(amountText(findingAmount(f)), moneyWidth)}  ${printable(f.message)}`);
      const refs = findingRefs(f);
      if (refs.length) out.push(c.dim(`  ${' '.repeat(TIME_WIDTH)}  ${' '.repeat(moneyWidth)}  see ${printable(refs.join(', '))}`));
    }
  }
  if (result.rejected.length) {
    out.push('');
    out.push(c.bold.underline(`Rejected rows — ${result.rejected.length}`));
    // The reason quotes the cell (`unknown transaction type "…"`): a line break in it stays on the row's line.
    for (const rj of result.rejected) out.push(printable(`  ${rj.file}:${rj.line}: ${rj.column ? `column ${rj.column}: ` : ''}${rj.reason}`));
  }
  return out.join('\n') + '\n';
}
