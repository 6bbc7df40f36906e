// Argument parsers shared by the commands that take reconcile's inputs (reconcile, run).
import { UsageError, type LocalDate } from '../model.js';
import { ALL_KINDS, type FindingKind } from '../classify/kinds.js';

export function parseKinds(text: string | undefined, flag: string): Set<FindingKind> | undefined {
  if (text === undefined) return undefined;
  const kinds = text.split(',').map((k) => k.trim()).filter(Boolean);
  // `--fail-on "$KINDS"` with the variable unset would silently switch alerting off.
  if (kinds.length === 0) throw new UsageError(`${flag}: no finding kind given; expected some of: ${ALL_KINDS.join(', ')}`);
  for (const k of kinds) {
    if (!ALL_KINDS.includes(k as FindingKind)) throw new UsageError(`${flag}: unknown finding kind "${k}"; expected some of: ${ALL_KINDS.join(', ')}`);
  }
  return new Set(kinds as FindingKind[]);
}

/** `--as-of`: a real calendar date (2025-02-30 is refused, not rolled over to March). */
export function validDate(text: string): LocalDate {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  if (!m || !d || d.getUTCMonth() !== Number(m[2]) - 1 || d.getUTCDate() !== Number(m[3])) {
    throw new UsageError(`--as-of: expected a date like 2025-10-10, got "${text}"`);
  }
  return text;
}

/** --fail-on and --ignore together: a kind in both is a contradiction, not a choice to guess. */
export function exitKinds(opts: { failOn?: string; ignore?: string }): { failOn?: Set<FindingKind>; ignore?: Set<FindingKind> } {
  const failOn = parseKinds(opts.failOn, '--fail-on');
  const ignore = parseKinds(opts.ignore, '--ignore');
  const both = failOn && ignore ? [...failOn].filter((k) => ignore.has(k)) : [];
  if (both.length > 0) throw new UsageError(`--fail-on and --ignore both name ${both.join(', ')}: give each kind to one of them`);
  return { failOn, ignore };
}

/**
 * `-o, --output FILE`: `-` is stdout, as in most Unix tools (`posrecon … -o - | jq`), never a
 * file named `-` left in the working directory.
 */
export function outputPath(value: string): string | undefined {
  // (commander stores an undefined result as '': every use treats an empty path as stdout.)
  return value === '-' ? undefined : value;
}
