import type { Role } from '../model.js';
import { EXIT } from './exitCodes.js';
import { readInput, readSummaryIfAny, resolveEncoding, resolveProfile } from './io.js';
import { inspectControlSummary, inspectSummary, renderInspectText } from '../report/inspect.js';
import type { CliIO } from './main.js';

export function runInspect(
  files: string[],
  opts: { role?: Role; profile?: string; encoding?: string; format: 'text' | 'json' },
  io: CliIO,
): number {
  const encoding = resolveEncoding(opts.encoding);
  const profile = resolveProfile(opts.profile);
  // Read every file before printing, so an unreadable one fails the run with exit 2 and no partial output.
  const summaries = files.map((f) => {
    // A UnionPay RD summary holds control totals, not rows: show them rather than "no profile fits".
    const control = profile || opts.role ? null : readSummaryIfAny(f);
    return control ? inspectControlSummary(f, control) : inspectSummary(readInput(f, { role: opts.role, encoding, profile }));
  });
  if (opts.format === 'json') io.stdout(JSON.stringify({ schema: 'posrecon.inspect/1', files: summaries }, null, 2) + '\n');
  else io.stdout(renderInspectText(summaries));
  return summaries.some((s) => s.rejected.length > 0) ? EXIT.FINDINGS : EXIT.OK;
}
