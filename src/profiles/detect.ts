// Pick the profile and header row of a file from its first lines, and explain the choice.
// A file no profile fits is an error naming the closest profile and the columns that did not
// map: guessing a layout would silently mis-read money.
import { InputError, type CanonicalField, type Role } from '../model.js';
import type { RawRow } from '../read/tokenize.js';
import { normaliseLabel, type Profile } from './profile.js';

/** How many leading rows may hold titles and notes before the header. */
const HEADER_SEARCH_ROWS = 40;

export interface ColumnMapping {
  /** Canonical field → 0-based column index. */
  columns: Partial<Record<CanonicalField, number>>;
  /** Header text per mapped field, for `inspect`. */
  headers: Partial<Record<CanonicalField, string>>;
  /** Header cells that mapped to no field. */
  unmapped: string[];
  /** The header named the time column twice: `date` is the first, `time` the second. */
  repeatedTime?: true;
  /** Further columns of a field the profile joins (`join`), after the one in `columns`. */
  joined?: Partial<Record<CanonicalField, number[]>>;
}

export interface Detection {
  profile: Profile;
  /** Index into the row array of the header row; -1 for headerless layouts. */
  headerIndex: number;
  headerCells: string[];
  mapping: ColumnMapping;
  reason: string;
  /** How well the header fits (columns mapped + 2 × signature columns); headered layouts only. */
  score?: number;
  /** Set by the reader: a layout of another side fits the same header better. */
  /**
   * The header fits another side's layout better. `plainly`: it is that side's beyond doubt (as a
   * terminal file no status column and a settlement date the other layout maps; as a settlement
   * file neither fee, net nor settlement date) — a daily run refuses to store it as given.
   */
  readsBetterAs?: { role: Role; profile: string; plainly?: true };
}

interface Fit {
  mapping: ColumnMapping;
  missing: string[];
  score: number;
}

/** Pseudo requirement of profiles without `required`: see fitProfile. */
const ANY_TWO_COLUMNS = '(two of its columns)';

/** `required` entries may be `a|b`: either field satisfies it. */
function missingRequired(profile: Profile, mapped: Partial<Record<CanonicalField, number>>): string[] {
  const missing: string[] = [];
  for (const group of profile.required) {
    const options = group.split('|') as CanonicalField[];
    if (!options.some((f) => mapped[f] !== undefined)) missing.push(group);
  }
  return missing;
}

/** A header cell as messages name it: a cell wrapped with Alt+Enter (交易\n时间) on one line. */
function headerName(cell: string): string {
  return cell.replace(/\s*[\r\n]+\s*/g, '').trim();
}

export function mapHeader(profile: Profile, headerCells: string[]): ColumnMapping {
  const labels = headerCells.map(normaliseLabel);
  const taken = new Set<number>();
  const columns: Partial<Record<CanonicalField, number>> = {};
  const headers: Partial<Record<CanonicalField, string>> = {};
  for (const [field, aliases] of Object.entries(profile.columns) as [CanonicalField, string[]][]) {
    // Alias order is priority order: the first alias present in the header wins the field.
    for (const alias of aliases) {
      const want = normaliseLabel(alias);
      const idx = labels.findIndex((l, i) => l === want && !taken.has(i));
      if (idx >= 0) {
        columns[field] = idx;
        headers[field] = headerName(headerCells[idx]);
        taken.add(idx);
        break;
      }
    }
  }
  // The same header twice, first holding the date and then the time (交易时间,交易时间 as some
  // portals split a timestamp): the first is the date, the second the time of day.
  const timeAt = columns.time;
  let repeatedTime = false;
  if (timeAt !== undefined && columns.date === undefined) {
    const again = labels.findIndex((l, i) => i > timeAt && l === labels[timeAt] && !taken.has(i));
    if (again >= 0) {
      columns.date = timeAt;
      columns.time = again;
      headers.date = `${headerName(headerCells[timeAt])} (column ${timeAt + 1})`;
      headers.time = `${headerName(headerCells[again])} (column ${again + 1})`;
      taken.add(again);
      repeatedTime = true;
    }
  }
  // A joined field also takes every other column named by one of its aliases, in alias order.
  let joined: ColumnMapping['joined'];
  for (const field of profile.join ?? []) {
    if (columns[field] === undefined) continue;
    const more: number[] = [];
    for (const alias of profile.columns[field] ?? []) {
      const want = normaliseLabel(alias);
      labels.forEach((l, i) => {
        if (l === want && !taken.has(i)) {
          more.push(i);
          taken.add(i);
        }
      });
    }
    if (more.length > 0) {
      (joined ??= {})[field] = more;
      headers[field] = [columns[field]!, ...more].map((i) => headerCells[i].trim()).join(' + ');
    }
  }
  const unmapped = headerCells
    .map((h, i) => ({ h: h.trim(), i }))
    .filter(({ h, i }) => h !== '' && !taken.has(i))
    .map(({ h }) => h);
  return { columns, headers, unmapped, ...(joined ? { joined } : {}), ...(repeatedTime ? { repeatedTime: true as const } : {}) };
}

function fitProfile(profile: Profile, cells: string[]): Fit {
  const mapping = mapHeader(profile, cells);
  const missing = missingRequired(profile, mapping.columns);
  const mappedCount = Object.keys(mapping.columns).length;
  // A profile that lists no `required` fields must still recognise its header: at least two of
  // its columns (or its only one), or a title line would pass for the header of any file.
  const declared = Object.keys(profile.columns).length;
  if (profile.required.length === 0 && mappedCount < Math.min(2, declared)) missing.push(ANY_TWO_COLUMNS);
  const signatureHits = profile.signature.filter((f) => mapping.columns[f as CanonicalField] !== undefined).length;
  return { mapping, missing, score: mappedCount + 2 * signatureHits };
}

export interface DetectOptions {
  role?: Role;
  file: string;
  /** Set when the user forced a profile with --profile. */
  forced?: Profile;
  /** For the error message when headers look garbled. */
  encoding?: string;
  garbled?: (text: string) => boolean;
}

export function detectProfile(rows: RawRow[], profiles: Profile[], opts: DetectOptions): Detection {
  const candidates = opts.forced ? [opts.forced] : profiles.filter((p) => !opts.role || p.role === opts.role);
  // Layouts found by header names; positional (headerless) and fixed-width ones have none to match.
  const headered = candidates.filter((p) => !p.positions && Object.keys(p.columns).length > 0);
  const searchRows = Math.min(rows.length, HEADER_SEARCH_ROWS);
  let closest: { profile: Profile; fit: Fit; row: number } | null = null;

  // Text decoded with the wrong encoding must never reach a mapping, not even when an ASCII
  // header happens to fit: its Chinese cells would be read as garbage. Check the whole region
  // the header is searched in, so a garbled title or data row counts as much as the header.
  if (opts.garbled) {
    const region = rows.slice(0, searchRows);
    if (opts.garbled(region.map((r) => r.cells.join(',')).join('\n'))) {
      const shown = region.find((r) => opts.garbled!(r.cells.join(','))) ?? region.find((r) => r.cells.some((c) => c.trim() !== '')) ?? rows[0];
      throw new InputError(
        `${opts.file}:${shown.line}: text looks garbled when decoded as ${opts.encoding ?? 'the detected encoding'}: "${printable(shown.cells.join(','), 40)}"`,
        'pass --encoding with the encoding the file was saved in (utf-8, gbk, utf-16le or utf-16be), or drop --encoding to detect it',
      );
    }
  }

  for (let r = 0; r < searchRows; r++) {
    let cells = rows[r].cells;
    if (cells.every((c) => c.trim() === '')) continue;
    // A two-row header with merged cells (商户号 and 终端号 spanning both rows, group titles over
    // the rest): an empty cell takes the name above it.
    const above = r > 0 ? rows[r - 1].cells : [];
    let merged = false;
    if (cells.some((c, i) => c.trim() === '' && (above[i] ?? '').trim() !== '')) {
      const filled = cells.map((c, i) => (c.trim() === '' && (above[i] ?? '').trim() !== '' ? above[i] : c));
      const better = headered.some((p) => {
        const a = fitProfile(p, filled);
        const b = fitProfile(p, cells);
        return a.missing.length === 0 && (b.missing.length > 0 || a.score > b.score);
      });
      if (better) {
        cells = filled;
        merged = true;
      }
    }
    let best: { profile: Profile; fit: Fit } | null = null;
    for (const profile of headered) {
      const fit = fitProfile(profile, cells);
      if (fit.missing.length === 0 && (!best || fit.score > best.fit.score)) best = { profile, fit };
      if (
        !closest ||
        fit.missing.length < closest.fit.missing.length ||
        (fit.missing.length === closest.fit.missing.length && fit.score > closest.fit.score)
      ) {
        closest = { profile, fit, row: r };
      }
    }
    if (best) {
      const mappedNames = Object.entries(best.fit.mapping.headers).map(([f, h]) => `${h}→${f}`);
      const runnersUp = headered
        .filter((p) => p !== best!.profile)
        .map((p) => ({ p, fit: fitProfile(p, cells) }))
        .filter((x) => x.fit.missing.length === 0)
        .map((x) => `${x.p.name} (score ${x.fit.score})`);
      const reason =
        (opts.forced ? `forced by --profile; ` : '') +
        `header on line ${rows[r].line}${merged ? ` (with the names above it on line ${rows[r - 1].line})` : ''} maps ${mappedNames.length} columns (score ${best.fit.score})` +
        (runnersUp.length ? `; also fits: ${runnersUp.join(', ')}` : '');
      return { profile: best.profile, headerIndex: r, headerCells: cells, mapping: best.fit.mapping, reason, score: best.fit.score };
    }
  }

  // Headerless layouts (利楚/扫呗): declared column positions and a pattern the first cell matches.
  for (const profile of candidates.filter((p) => p.positions)) {
    const firstData = rows.find((row) => row.cells.some((c) => c.trim() !== ''));
    if (!firstData) break;
    const width = Math.max(...Object.values(profile.positions ?? {}).map((n) => n ?? 0));
    const first = firstData.cells[0]?.trim() ?? '';
    if (firstData.cells.length >= width && (!profile.rowPattern || profile.rowPattern.test(first))) {
      const columns: Partial<Record<CanonicalField, number>> = {};
      const headers: Partial<Record<CanonicalField, string>> = {};
      for (const [f, pos] of Object.entries(profile.positions ?? {}) as [CanonicalField, number][]) {
        columns[f] = pos - 1;
        headers[f] = `column ${pos}`;
      }
      return {
        profile,
        headerIndex: -1,
        headerCells: [],
        mapping: { columns, headers, unmapped: [] },
        reason: `no header row; ${firstData.cells.length} columns per row and the first cell matches ${profile.name}'s row pattern`,
      };
    }
  }

  const roleText = opts.role ? ` ${opts.role}` : '';
  if (!closest) {
    throw new InputError(`${opts.file}: no${roleText} profile fits: the file has no non-empty lines`, 'check that the right file was passed');
  }
  const profileColumns = closest.profile.columns;
  const missingNames = closest.fit.missing
    .map((group) =>
      group === ANY_TWO_COLUMNS
        ? `two of its columns (${Object.values(profileColumns).map((aliases) => aliases?.[0]).slice(0, 6).join(', ')})`
        : group.split('|').map((f) => `${f} (${profileColumns[f as CanonicalField]?.[0] ?? f})`).join(' or '))
    .join('; ');
  const unmappedAll = closest.fit.mapping.unmapped;
  const unmapped = unmappedAll.slice(0, 8).map((h) => printable(h, 30)).join(', ') + (unmappedAll.length > 8 ? `, … (${unmappedAll.length - 8} more)` : '');
  const unmappedText = unmapped ? `; columns that did not map: ${unmapped}` : '';
  if (opts.forced) {
    throw new InputError(
      `${opts.file}:${rows[closest.row].line}: profile ${opts.forced.name} (forced by --profile) does not fit: no header row has ${missingNames}${unmappedText}`,
      'check the profile\'s column names against the file, or drop --profile to let posrecon detect the layout',
    );
  }
  // A file of another side (-t and -s swapped, a bank statement given as --settlement): say so
  // rather than send the user off to write a profile for a layout posrecon reads.
  const otherSide = opts.role ? fitsAnotherRole(rows, profiles, opts) : undefined;
  throw new InputError(
    `${opts.file}:${rows[closest.row].line}: no${roleText} profile fits; closest is ${closest.profile.name}, which lacks ${missingNames}${unmappedText}`,
    otherSide
      ? `it reads as a ${otherSide.role} file (${otherSide.name} fits): pass it with --${otherSide.role} (were the sides swapped?)`
      : `add a profile file (README "Adding a layout") and pass it with --profile FILE (inspect) or --terminal-profile / --settlement-profile / --bank-profile FILE (reconcile, run)`,
  );
}

function fitsAnotherRole(rows: RawRow[], profiles: Profile[], opts: DetectOptions): Profile | undefined {
  try {
    const found = detectProfile(rows, profiles.filter((p) => p.role !== opts.role), { ...opts, role: undefined, forced: undefined });
    return found.profile;
  } catch {
    return undefined;
  }
}

/** At most `max` characters of `text` for a one-line message, control characters shown as `·`. */
function printable(text: string, max: number): string {
  const chars = [...text].map((ch) => {
    const c = ch.charCodeAt(0);
    return c < 0x20 || c === 0x7f ? '·' : ch;
  });
  return chars.length > max ? chars.slice(0, max).join('') + '…' : chars.join('');
}
