// Daily runs from cron (issue #9): `run`, `status`, `resolve`, `history`, `export` over the store.
// Option parsing mirrors `reconcile` (the few declarations are repeated here on purpose, so the two
// commands can evolve independently); the work happens in src/store.
import { existsSync, realpathSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { userInfo } from 'node:os';
import { Option, type Command } from 'commander';
import { UsageError, type Role } from '../model.js';
import { defaultContract, loadContract, type Contract } from '../contract/contract.js';
import { loadBuiltinCalendar } from '../calendar/calendar.js';
import { EXCEPTION_KINDS, type FindingKind } from '../classify/kinds.js';
import { readInputFile } from '../read/readInput.js';
import { builtinProfiles } from '../profiles/builtin.js';
import type { Profile } from '../profiles/profile.js';
import type { Encoding } from '../read/decode.js';
import { EXIT } from './exitCodes.js';
import { expandUnmatchedPattern } from './fileSource.js';
import { checkInputLists, otherFiles, type ReconcileCliOptions } from './reconcileCommand.js';
import { exitKinds, outputPath, validDate } from './args.js';
import { checkOutputPath, readBytes, readContractText, readText, resolveEncoding, resolveProfile, writeReport } from './io.js';
import type { CliIO } from './main.js';
import { openSqliteStore } from '../store/sqlite.js';
import type { Store } from '../store/store.js';
import { dailyRun, findingHistory, resolveFindings, storeStatus, type RunInputFile } from '../store/daily.js';
import { sha256Hex } from '../store/serialise.js';
import { sheetsNotReadNote, summarize } from '../report/common.js';
import { printable } from '../report/printable.js';
import {
  EXPORT_COLUMNS,
  EXPORT_TABLES,
  dailyRunJson,
  exportCsv,
  exportJson,
  exportTables,
  historyJson,
  localInstant,
  renderDailyRun,
  renderHistory,
  renderStatus,
  statusJson,
  type ExportTable,
} from '../store/render.js';

export const DEFAULT_STORE = 'posrecon.sqlite';
/** Test-only: `run` sleeps this many ms inside its transaction after ingesting (to test SIGKILL). */
export const PAUSE_ENV = 'POSRECON_TEST_PAUSE_AFTER_INGEST';

/** `run` takes every reconcile input option, plus where the store lives and who runs it. */
export interface RunCliOptions extends ReconcileCliOptions {
  store: string;
  by?: string;
}

type Setter = (code: number) => void;

const storeOption = (io: CliIO) =>
  new Option('--store <file>', 'the store file (created by the first run; env POSRECON_STORE)').default(io.env.POSRECON_STORE || DEFAULT_STORE);

const whoAmI = (io: CliIO, by: string | undefined): string => by || io.env.USER || io.env.LOGNAME || io.env.USERNAME || accountName() || 'unknown';

/** The account's name when cron or `env -i` set no $USER. */
function accountName(): string | undefined {
  try {
    return userInfo().username || undefined;
  } catch {
    return undefined;
  }
}

async function withStore<T>(path: string, create: boolean, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = openSqliteStore(path, { create });
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}



/**
 * Explicit --format wins; else the --output extension names one of `known`; `.txt` (or no
 * extension) takes the default. Any other extension is a usage error rather than a file whose
 * name promises a format it does not hold (report.html holding the text table).
 */
function chooseFormat(format: string | undefined, output: string | undefined, known: string[]): string {
  if (format) return format;
  if (!output) return '';
  const ext = extname(output).toLowerCase();
  if (known.includes(ext)) return ext.slice(1);
  if (ext === '' || ext === '.txt') return '';
  throw new UsageError(`--output ${output}: this command writes ${[...known.map((k) => k.slice(1)), 'text (.txt)'].join(' or ')}, not "${ext}"; for the HTML, markdown or CSV report run posrecon reconcile over the same files`);
}

function emit(io: CliIO, text: string, output: string | undefined): void {
  if (output) writeReport(output, [text]);
  else io.stdout(text);
}

export function registerStoreCommands(program: Command, io: CliIO, setExit: Setter): void {
  program
    .command('run')
    .description('daily run: ingest the day\'s files into the store, reconcile everything known, report new, resolved and open findings')
    .addOption(storeOption(io))
    .option('-t, --terminal <files...>', 'terminal / merchant-portal exports that arrived (any number; known files are skipped)')
    .option('-s, --settlement <files...>', 'acquirer settlement files that arrived (any number; known files are skipped)')
    .option('--bank <files...>', 'bank statements (银行流水) of the settlement account that arrived')
    .option('-c, --contract <file>', 'contract YAML/JSON: settlement cycle, cut-off, fee rules')
    .option('--holidays <files...>', 'extra holiday files (holiday-cn JSON format)')
    .option('--as-of <date>', 'judge overdue settlements as of this date (default: latest settlement date in the store)')
    .addOption(new Option('-f, --format <format>', 'output format (default table; inferred from --output .json)').choices(['table', 'json']))
    .option('-o, --output <file>', 'write the report to this file instead of stdout (- is stdout)', outputPath)
    .option('--encoding <name>', 'force the encoding of every new input')
    .option('--terminal-profile <name|file>', 'force the profile of the terminal files')
    .option('--settlement-profile <name|file>', 'force the profile of the settlement files')
    .option('--bank-profile <name|file>', 'force the profile of the bank statements')
    .option('--fail-on <kinds>', 'comma-separated finding kinds that make the exit code 1 (default: all exceptions)')
    .option('--ignore <kinds>', 'comma-separated finding kinds that never affect the exit code')
    .option('--include-matched', 'list matched pairs in the JSON findings too')
    .option('-v, --verbose', 'also list informational findings in the full-state table')
    .option('-q, --quiet', 'print nothing when there is nothing to act on')
    .option('--no-color', 'no colours in the table output')
    .option('--by <name>', 'who runs it, recorded with the run (default $USER)')
    .addHelpText(
      'after',
      `
Ingesting a file twice, or files that overlap, adds nothing for the overlap and says so; re-running
the same day with the same files records nothing. Each run is one transaction: a crash leaves the
previous state; a second concurrent run fails at once (exit 2).

Examples (crontab; name the script by its path: \`npx posrecon\` where posrecon is not installed
would fetch a package of that name):
  15 7 * * *  cd /srv/shop && /opt/posrecon/bin/posrecon.js run -c contract.yaml -t inbox/交易明细-*.csv -s inbox/结算单-*.csv -q

Exit codes: 0 nothing to act on · 1 unacknowledged exceptions, or rejected rows in new files · 2 usage or input error, store busy`,
    )
    .action(async (opts: RunCliOptions) => {
      setExit(await runDaily(opts, io));
    });

  program
    .command('status')
    .description('list the open items in the store, oldest first (as of the last run)')
    .addOption(storeOption(io))
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--no-color', 'no colours')
    .action(async (opts: { store: string; format: string; color?: boolean }) => {
      const status = await withStore(opts.store, false, (store) => storeStatus(store));
      io.stdout(opts.format === 'json' ? JSON.stringify(statusJson(status), null, 2) + '\n' : renderStatus(status, { color: colorOn(io, opts.color), width: io.stdoutIsTTY ? 110 : undefined }));
      setExit(EXIT.OK);
    });

  program
    .command('resolve')
    .description('record a person\'s decision on findings: they stay visible as acknowledged and no longer fail the run')
    .argument('<ids...>', 'finding ids (or unique prefixes of at least 4 characters) from `run` or `status`')
    .addOption(storeOption(io))
    .requiredOption('--note <text>', 'what was decided or done, e.g. "refunded customer by transfer"')
    .option('--by <name>', 'who decided (default $USER)')
    .addHelpText('after', '\nExample:\n  posrecon resolve 3f2a9c1b7d4e --note "refunded customer by transfer"\n')
    .action(async (ids: string[], opts: { store: string; note: string; by?: string }) => {
      if (!opts.note.trim()) throw new UsageError('resolve: --note must say what was decided');
      const done = await withStore(opts.store, false, (store) =>
        resolveFindings(store, { ids, note: opts.note.trim(), by: whoAmI(io, opts.by), now: () => new Date().toISOString() }),
      );
      for (const { decision, finding } of done) {
        const state = finding.openKind ? (finding.present ? 'open' : 'already resolved by later files') : 'informational';
        io.stdout(`${finding.id}  ${finding.kind} (${state}): acknowledged by ${decision.by} at ${localInstant(decision.at)} (Asia/Shanghai): "${decision.note}"\n`);
      }
      setExit(EXIT.OK);
    });

  program
    .command('history')
    .description('show one finding\'s life: when it appeared, how it changed or was resolved, decisions on it')
    .argument('<id>', 'a finding id (or a unique prefix of at least 4 characters)')
    .addOption(storeOption(io))
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--no-color', 'no colours')
    .action(async (id: string, opts: { store: string; format: string; color?: boolean }) => {
      const history = await withStore(opts.store, false, (store) => findingHistory(store, id));
      io.stdout(opts.format === 'json' ? JSON.stringify(historyJson(history), null, 2) + '\n' : renderHistory(history, { color: colorOn(io, opts.color) }));
      setExit(EXIT.OK);
    });

  program
    .command('export')
    .description('dump the store for backup or audit: everything as JSON, or one table as CSV')
    .addOption(storeOption(io))
    .addOption(new Option('-f, --format <format>', 'json (every table) or csv (one --table); inferred from --output').choices(['json', 'csv']))
    .addOption(new Option('--table <name>', 'the table to write as CSV').choices([...EXPORT_TABLES]).default('findings'))
    .option('-o, --output <file>', 'write to this file instead of stdout (- is stdout)', outputPath)
    .addHelpText('after', '\nExamples:\n  posrecon export -o backup-2025-11-30.json\n  posrecon export --format csv --table records -o records.csv\n')
    .action(async (opts: { store: string; format?: string; table: ExportTable; output?: string }, command: Command) => {
      checkInputLists([], io, { output: opts.output, others: otherFiles({ store: opts.store }) });
      // Naming a table asks for that table: CSV, unless JSON (every table) was asked for outright.
      const tableGiven = command.getOptionValueSource('table') === 'cli';
      const format = chooseFormat(opts.format, opts.output, ['.json', '.csv']) || (tableGiven ? 'csv' : 'json');
      if (format === 'json' && tableGiven) throw new UsageError('--table picks one table for CSV; JSON holds every table: drop --table, or ask for --format csv');
      const text = await withStore(opts.store, false, (store) =>
        store.read(async (tx) => {
          const tables = await exportTables(tx);
          if (format === 'json') return exportJson(store.location, tables, new Date().toISOString());
          // In CSV every value is text anyway: the list of Decimal fields is for JSON restores only.
          return exportCsv(tables[opts.table].map(({ $decimal: _decimal, ...row }) => row), EXPORT_COLUMNS[opts.table]);
        }),
      );
      emit(io, text, opts.output);
      setExit(EXIT.OK);
    });
}

function colorOn(io: CliIO, color: boolean | undefined): boolean {
  return color !== false && io.stdoutIsTTY && !io.env.NO_COLOR;
}

function loadContractFile(path: string | undefined): { contract: Contract; text: string } {
  if (!path) return { contract: defaultContract(), text: '' };
  const text = readContractText(path);
  return { contract: loadContract(text, path), text };
}

export async function runDaily(opts: RunCliOptions, io: CliIO): Promise<number> {
  // Before the run records itself: a report that cannot be written must not leave a run whose
  // new findings nobody saw (the next run would call them known).
  checkOutputPath(opts.output);
  // A cron line's `-s inbox/结算单-*.csv` reaches us unexpanded on a morning with no such file:
  // that side simply has no file today (said on stderr unless --quiet), not an unreadable path.
  const expand = (flag: string, files: string[]) =>
    files.flatMap((f) => {
      const matches = expandUnmatchedPattern(f);
      if (matches === null) return [f];
      if (matches.length === 0 && !opts.quiet) io.stderr(`posrecon: no file matches ${flag} ${printable(f)} (none of these today)
`);
      return matches;
    });
  // Everything the user can get wrong is checked before the store is opened (or created).
  // The same input-list rules as reconcile: one side per file, a repeated path read once.
  const [terminalFiles, settlementFiles, bankFiles] = checkInputLists(
    [
      { flag: '--terminal', files: expand('--terminal', opts.terminal ?? []) },
      { flag: '--settlement', files: expand('--settlement', opts.settlement ?? []) },
      { flag: '--bank', files: expand('--bank', opts.bank ?? []) },
    ],
    io,
    { quiet: opts.quiet, output: opts.output, others: otherFiles(opts) },
  );
  opts = { ...opts, terminal: terminalFiles, settlement: settlementFiles, bank: bankFiles };
  const { failOn, ignore } = exitKinds(opts);
  const asOf = opts.asOf !== undefined ? validDate(opts.asOf) : undefined;
  const encoding = resolveEncoding(opts.encoding);
  const { contract, text: contractText } = loadContractFile(opts.contract);
  const holidayFiles = [...contract.holidays.map((h) => resolve(dirname(opts.contract ?? '.'), h)), ...(opts.holidays ?? [])];
  checkInputLists([], io, { output: opts.output, others: holidayFiles.map((file) => ({ flag: 'a holiday file', file })) });
  const holidays = holidayFiles.map((f) => ({ name: f, text: readText(f) }));
  const calendar = loadBuiltinCalendar(holidays);
  const terminalProfile = resolveProfile(opts.terminalProfile, '--terminal-profile');
  const settlementProfile = resolveProfile(opts.settlementProfile, '--settlement-profile');
  const bankProfile = resolveProfile(opts.bankProfile, '--bank-profile');
  const pause = Number(io.env[PAUSE_ENV] ?? 0);
  const format = chooseFormat(opts.format, opts.output, ['.json']) || 'table';

  if (!opts.terminal?.length && !opts.settlement?.length && !opts.bank?.length && !existsSync(opts.store)) {
    throw new UsageError(`run: no store at ${opts.store} yet and no files given; pass the day's exports with --terminal FILE… --settlement FILE…`);
  }
  const files: RunInputFile[] = [
    ...(opts.terminal ?? []).map((path) => inputFile(path, opts.store, 'terminal', encoding, terminalProfile)),
    ...(opts.settlement ?? []).map((path) => inputFile(path, opts.store, 'settlement', encoding, settlementProfile)),
    ...(opts.bank ?? []).map((path) => inputFile(path, opts.store, 'bank', encoding, bankProfile)),
  ];
  const args = [
    ...(opts.terminal ?? []).flatMap((f) => ['--terminal', f]),
    ...(opts.settlement ?? []).flatMap((f) => ['--settlement', f]),
    ...(opts.bank ?? []).flatMap((f) => ['--bank', f]),
    ...(opts.contract ? ['--contract', opts.contract] : []),
    ...(opts.asOf ? ['--as-of', opts.asOf] : []),
  ];
  const configSha256 = sha256Hex(JSON.stringify({ contract: contractText, holidays: holidays.map((h) => h.text), asOf: asOf ?? null }));

  const run = await withStore(opts.store, true, (store) =>
    dailyRun(store, {
      files,
      contract,
      calendar,
      asOf,
      by: whoAmI(io, opts.by),
      args,
      contractPath: opts.contract ?? null,
      configSha256,
      now: () => new Date().toISOString(),
      pauseAfterIngestMs: Number.isFinite(pause) && pause > 0 ? pause : undefined,
      onPause: (ms) => io.stderr(`posrecon: ${PAUSE_ENV}: pausing ${ms} ms inside the run transaction\n`),
    }),
  );

  const gating = new Set<FindingKind>(failOn ?? EXCEPTION_KINDS);
  for (const k of ignore ?? []) gating.delete(k);
  // Exceptions (and pending items, when asked) fail the run while they are open and nobody has
  // acknowledged them; an informational kind --fail-on names (settled_late …) is an event: it fails
  // the runs of the as-of date it appears on, not every later one while it stays in the state.
  const failing =
    [...run.open, ...run.newInformational].some((o) => gating.has(o.kind as FindingKind) && !o.acknowledged) ||
    (gating.has('matched') && run.newMatched > 0) ||
    run.newRejected.length > 0;

  const color = opts.color !== false && !opts.output && io.stdoutIsTTY && !io.env.NO_COLOR;
  const text =
    format === 'json'
      ? JSON.stringify(dailyRunJson(run, Boolean(opts.includeMatched)), null, 2) + '\n'
      : renderDailyRun(run, { color, verbose: Boolean(opts.verbose), width: io.stdoutIsTTY && !opts.output ? 110 : undefined, failing: failOn || ignore ? [...gating] : undefined });
  // --quiet keeps stdout empty on a clean day; a file named with --output is always written, so
  // yesterday's report never stands in for today's.
  if (opts.output || !(opts.quiet && !failing)) emit(io, text, opts.output);
  // A quiet cron run still says when the settlement files have stopped (cron mails stderr).
  if (opts.quiet && !failing && run.result.feedGap) io.stderr(`posrecon: ${summarize(run.result).feedNote!.replace(/^Note: /, '')}\n`);
  // Nor about due dates judged on a year without a holiday calendar (the notice for next year).
  if (opts.quiet && !failing && run.result.missingCalendarYears.length) io.stderr(`posrecon: ${summarize(run.result).calendarNote!.replace(/^Note: /, '')}\n`);
  // Nor about a workbook sheet it did not read (its lines would turn overdue without a word).
  if (opts.quiet && !failing) {
    for (const i of run.ingest) {
      const note = sheetsNotReadNote({ file: i.path, sheetsNotRead: i.sheetsNotRead });
      if (note) io.stderr(`posrecon: ${printable(note.replace(/^Note: /, ''))}\n`);
    }
  }
  return failing ? EXIT.FINDINGS : EXIT.OK;
}

/** The real place of a path (links followed), or the path resolved when it cannot be read. */
function placeOf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

function inputFile(path: string, store: string, role: Role, encoding: Encoding | undefined, profile: Profile | undefined): RunInputFile {
  const bytes = readBytes(path);
  const place = placeOf(path);
  const storeDir = dirname(resolve(store));
  return {
    path,
    place,
    // Files stored since posrecon kept their place are compared by it. An older one's path was
    // given relative to its run's folder, unknown now: cron's (usually the store's) or this one's.
    samePlace: (stored) => (stored.place ? stored.place === place : placeOf(resolve(storeDir, stored.path)) === place || placeOf(stored.path) === place),
    role,
    bytes,
    parse: (name) => readInputFile(bytes, name, { profiles: builtinProfiles(), role, encoding, profile }),
  };
}
