// The report as GitHub-flavoured Markdown, for pasting into a ticket or a chat: the summary,
// then one table per exception kind. Cell text is escaped so card masks (622848******4444),
// pipes and angle brackets in messages render literally.
import type { ReconcileResult } from '../reconcile.js';
import { KIND_TITLES } from '../classify/kinds.js';
import { findingAmount, findingKey, findingRefs, findingTime, groupFindings, money, summarize, type SummaryOptions } from './common.js';
import { bankSummaryLines } from './bank.js';
import { printable } from './printable.js';

export interface MarkdownOptions extends SummaryOptions {
  /** Informational findings (pending, voided, failed rows) too. */
  verbose: boolean;
}

/**
 * Escapes Markdown inline syntax and table pipes; newlines become spaces (one table row per
 * finding), other control characters a visible stand-in (ESC → ␛, see {@link printable}).
 */
export function escapeMarkdown(s: string): string {
  return printable(s.replace(/[\r\n]+/g, ' '))
    .replace(/[\\`*_[\]|#~]/g, (c) => `\\${c}`)
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** A file:line reference as inline code; backticks inside would end the span, so they are replaced. */
function code(s: string): string {
  return '`' + printable(s).replace(/`/g, "'").replace(/\|/g, '\\|') + '`';
}

export function renderMarkdown(result: ReconcileResult, opts: MarkdownOptions = { verbose: false }): string {
  const s = summarize(result, opts);
  const out: string[] = [];
  out.push(`## ${escapeMarkdown(s.title)}`);
  out.push('');
  out.push(`As of **${s.asOf}** (${escapeMarkdown(s.asOfSource)}). Inputs: ${escapeMarkdown(s.inputs)}${s.rejectedInputs ? ` · **${s.rejectedInputs} rejected**` : ''}.`);
  out.push('');
  if (s.overcharge) out.push(`**${escapeMarkdown(s.overcharge)}**`, '');
  out.push(s.allClear ? `✅ ${escapeMarkdown(s.headline)}` : `**${escapeMarkdown(s.headline)}**`);
  out.push('');
  if (s.kinds.length) {
    out.push('| Exception | Count | At stake |', '|---|---:|---|');
    for (const k of s.kinds) out.push(`| ${escapeMarkdown(k.label)} | ${k.count} | ${escapeMarkdown(k.stake)} |`);
    out.push('');
  }
  out.push(escapeMarkdown(s.info.join(' · ')) + '  ');
  out.push(escapeMarkdown(s.rows));
  for (const line of bankSummaryLines(result)) {
    out[out.length - 1] += '  '; // Markdown line break
    out.push(escapeMarkdown(line.trim()));
  }
  if (s.calendarNote) out.push('', `> ${escapeMarkdown(s.calendarNote)}`);
  if (s.feedNote) out.push('', `> ${escapeMarkdown(s.feedNote)}`);
  for (const note of s.inputNotes) out.push('', `> ${escapeMarkdown(note)}`);
  for (const d of s.drifts) out.push('', `> **${escapeMarkdown(d)}**`);

  for (const { kind, findings } of groupFindings(result, { informational: opts.verbose, matched: false })) {
    out.push('', `### ${escapeMarkdown(KIND_TITLES[kind])} — ${findings.length}`, '');
    out.push('| Time | Amount | Reference | What happened | Source rows |', '|---|---:|---|---|---|');
    for (const f of findings) {
      const amount = findingAmount(f);
      out.push(
        `| ${findingTime(f) || '—'} | ${amount ? escapeMarkdown(money(amount)) : ''} | ${escapeMarkdown(findingKey(f))} | ${escapeMarkdown(f.message)} | ${findingRefs(f).map(code).join('<br>')} |`,
      );
    }
  }
  if (result.rejected.length) {
    out.push('', `### Rejected rows — ${result.rejected.length}`, '', '| Source row | Column | Reason |', '|---|---|---|');
    for (const rj of result.rejected) out.push(`| ${code(`${rj.file}:${rj.line}`)} | ${escapeMarkdown(rj.column ?? '')} | ${escapeMarkdown(rj.reason)} |`);
  }
  return out.join('\n') + '\n';
}
