// `posrecon reconcile`: read the inputs, reconcile, print the report, decide the exit code.
import { statSync } from 'node:fs';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { basename, dirname, extname, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { InputError, UsageError } from '../model.js';
import { defaultContract, loadContract, type Contract } from '../contract/contract.js';
import { loadBuiltinCalendar } from '../calendar/calendar.js';
import { reconcileColumnar } from '../columnar/reconcileColumnar.js';
import { reconcile, type ReconcileResult } from '../reconcile.js';
import { businessDateOfRecord } from '../classify/findings.js';
import { reconcileJsonByteChunks, type ReportChunk } from '../report/json.js';
import { renderTable } from '../report/table.js';
import { renderCsvChunks } from '../report/csv.js';
import { renderMarkdown } from '../report/markdown.js';
import { renderHtml } from '../report/html.js';
import { createProgress, progressWanted } from '../report/progress.js';
import { sheetsNotReadNote, summarize } from '../report/common.js';
import { EXCEPTION_KINDS, type FindingKind } from '../classify/kinds.js';
import { EXIT } from './exitCodes.js';
import { exitKinds, outputPath, validDate } from './args.js';
import { readContractText, readInput, readSummaryIfAny, readText, resolveEncoding, resolveProfile, writeReport } from './io.js';
import { builtinProfiles } from '../profiles/builtin.js';
import { openFileSource } from './fileSource.js';
import { workerScanner } from './parallelScan.js';
import type { CliIO } from './main.js';
import { printable } from '../report/printable.js';

export interface ReconcileCliOptions {
  terminal?: string[];
  settlement?: string[];
  contract?: string;
  holidays?: string[];
  asOf?: string;
  format?: string;
  output?: string;
  encoding?: string;
  terminalProfile?: string;
  settlementProfile?: string;
  bank?: string[];
  bankProfile?: string;
  failOn?: string;
  ignore?: string;
  includeMatched?: boolean;
  verbose?: boolean;
  quiet?: boolean;
  color?: boolean;
}

export const FORMATS = ['table', 'json', 'csv', 'markdown', 'html'] as const;
export type Format = (typeof FORMATS)[number];

/** `--output FILE` without `--format`: the format follows the file's extension. */
const FORMAT_OF_EXTENSION: Record<string, Format> = {
  '': 'table',
  '.txt': 'table',
  '.text': 'table',
  '.json': 'json',
  '.csv': 'csv',
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.html': 'html',
  '.htm': 'html',
};

export function registerReconcile(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('reconcile')
    .description('pair terminal transactions with settlement lines and report dropped orders, unsettled payments and fee deductions off contract')
    .option('-t, --terminal <files...>', 'terminal / merchant-portal transaction exports (any number, any order)')
    .option('-s, --settlement <files...>', 'acquirer settlement files (any number, any order)')
    .option('--bank <files...>', 'bank statements (银行流水) of the settlement account: check that the payouts arrived (any number, any order)')
    .option('-c, --contract <file>', 'contract YAML/JSON: settlement cycle, cut-off, fee rules (see `posrecon init contract`)')
    .option('--holidays <files...>', 'extra holiday files (holiday-cn JSON format) for years posrecon does not ship')
    .option('--as-of <date>', 'judge overdue settlements as of this date (default: latest settlement date in the files)')
    .addOption(
      new Option('-f, --format <format>', 'output format (default table, also when piped; otherwise inferred from the --output extension: .json .csv .md .html .txt)').choices([
        ...FORMATS,
      ]),
    )
    .option('-o, --output <file>', 'write the report to this file instead of stdout (- is stdout; csv: UTF-8 with BOM for Excel; html: one self-contained page)', outputPath)
    .option('--encoding <name>', 'force the encoding of every input (utf-8, gbk, utf-16le …)')
    .option('--terminal-profile <name|file>', 'force the profile of the terminal files')
    .option('--settlement-profile <name|file>', 'force the profile of the settlement files')
    .option('--bank-profile <name|file>', 'force the profile of the bank statements')
    .option('--fail-on <kinds>', `comma-separated finding kinds that make the exit code 1 (default: all exceptions)`)
    .option('--ignore <kinds>', 'comma-separated finding kinds that never affect the exit code')
    .option('--include-matched', 'list matched pairs in the JSON/CSV findings (and the HTML informational tables) too')
    .option('-v, --verbose', 'also list informational findings (pending, voided, failed rows); more detail on errors; on stderr, whether the fast path for large files ran and its timings')
    .option('-q, --quiet', 'print nothing when there is nothing to act on')
    .option('--no-color', 'no colours in the table output')
    .addHelpText(
      'after',
      `
Examples:
  posrecon reconcile -t 交易明细-1001.csv -s 结算单-1002.csv -c contract.yaml
  posrecon reconcile -t terminal/*.csv -s settlement/*.csv --format json -o report.json
  posrecon reconcile -t terminal/*.csv -s settlement/*.csv -c contract.yaml -o report.html   # open in a browser
  posrecon reconcile -t terminal/*.csv -s settlement/*.csv -c contract.yaml -o exceptions.csv # open in Excel
  posrecon reconcile -s settlement/*.csv -c contract.yaml        # fee audit only
  posrecon reconcile -t terminal/*.csv -s settlement/*.csv --bank 银行流水.csv -c contract.yaml   # + payouts ↔ bank credits

Exit codes: 0 nothing to act on (pending is not an exception) · 1 exceptions or rejected rows · 2 usage or input error · 3 internal error (a bug)`,
    )
    .action((opts: ReconcileCliOptions) => {
      setExit(runReconcile(opts, io));
    });
}


/** Explicit --format wins; else the --output extension decides; else table (also when stdout is a pipe). */
export function chooseFormat(opts: Pick<ReconcileCliOptions, 'format' | 'output'>): Format {
  if (opts.format) return opts.format as Format;
  if (!opts.output) return 'table';
  const ext = extname(opts.output).toLowerCase();
  const format = FORMAT_OF_EXTENSION[ext];
  if (!format) {
    throw new UsageError(`--output ${opts.output}: cannot tell the format from "${ext}"; name the file .txt, .json, .csv, .md or .html, or pass --format ${FORMATS.join('|')}`);
  }
  return format;
}

/** Extra lines `--verbose` prints under an input error: what posrecon was doing when it failed. */
function withContext<T>(context: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof InputError || e instanceof UsageError) {
      const err = e as Error & { context?: string[] };
      err.context = [...(err.context ?? []), context];
    }
    throw e;
  }
}

function loadContractFile(path: string | undefined): Contract {
  if (!path) return defaultContract();
  return withContext(`while loading the contract ${path}`, () => loadContract(readContractText(path), path));
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0; // unreadable: reading it reports the error properly
  }
}

export interface RenderOptions {
  format: Format;
  color: boolean;
  verbose: boolean;
  includeMatched: boolean;
  contract?: Contract;
  /** The kinds that set the exit code when --fail-on / --ignore chose them: the headline says so. */
  failing?: readonly FindingKind[];
}

export function renderReport(result: ReconcileResult, o: RenderOptions): string {
  const decoder = new TextDecoder();
  return [...renderReportChunks(result, o)].map((c) => (typeof c === 'string' ? c : decoder.decode(c))).join('');
}

/** The report in chunks: JSON and CSV stream finding by finding; the others are one piece. */
export function* renderReportChunks(result: ReconcileResult, o: RenderOptions): Generator<ReportChunk> {
  switch (o.format) {
    case 'json':
      yield* reconcileJsonByteChunks(result, { includeMatched: o.includeMatched });
      return;
    case 'csv':
      yield* renderCsvChunks(result, { includeMatched: o.includeMatched });
      return;
    default:
      yield renderWholeReport(result, o);
  }
}

function renderWholeReport(result: ReconcileResult, o: RenderOptions): string {
  switch (o.format) {
    case 'json':
    case 'csv':
      throw new Error(`${o.format} streams (renderReportChunks)`);
    case 'markdown':
      return renderMarkdown(result, { verbose: o.verbose, failing: o.failing });
    case 'html': {
      const contract = o.contract;
      return renderHtml(result, { includeMatched: o.includeMatched, failing: o.failing, dateOf: contract ? (r) => businessDateOfRecord(r, contract) : undefined });
    }
    case 'table':
      return renderTable(result, { color: o.color, verbose: o.verbose, failing: o.failing });
  }
}


/**
 * V8's full garbage collection, which Node hides unless started with --expose-gc: the flag can
 * still be set at run time and the function taken from a fresh context. Undefined if that fails.
 */
function fullGc(): (() => void) | undefined {
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? () => (gc as () => void)() : undefined;
  } catch {
    return undefined;
  }
}

/** Inputs at least this large (bytes, all files) take the columnar fast path when it applies. */
const COLUMNAR_MIN_BYTES = 4 * 1024 * 1024;
/** Inputs at least this large scan on two threads (below it, starting the worker costs more than it saves). */
const PARALLEL_MIN_BYTES = 64 * 1024 * 1024;
/** POSRECON_SCAN_THREADS=1|2 overrides the size rule (tests and benchmarks). */
function scanThreads(env: NodeJS.ProcessEnv, bytes: number): 1 | 2 {
  const forced = env.POSRECON_SCAN_THREADS;
  if (forced === '1' || forced === '2') return Number(forced) as 1 | 2;
  if (forced !== undefined) throw new UsageError(`POSRECON_SCAN_THREADS=${forced}: expected 1 or 2`);
  return bytes >= PARALLEL_MIN_BYTES ? 2 : 1;
}

/** Inputs at least this large get a full garbage collection between the fast path's stages. */
const GC_MIN_BYTES = 64 * 1024 * 1024;

/**
 * The columnar fast path (src/columnar) serves terminal and settlement files (one or several each) without bank
 * statements, RD summaries, matched-pair listings or the HTML report (which charts from every
 * record). POSRECON_ENGINE=reference turns it off, =columnar insists on it (an error when it
 * does not apply), default: large inputs only.
 */
function columnarWanted(o: {
  terminalFiles: string[];
  detailFiles: string[];
  bankFiles: string[];
  summaries: number;
  includeMatched: boolean;
  format: Format;
  env: NodeJS.ProcessEnv;
}): boolean {
  const engine = o.env.POSRECON_ENGINE ?? 'auto';
  if (!['auto', 'reference', 'columnar'].includes(engine)) {
    throw new UsageError(`POSRECON_ENGINE=${engine}: expected auto, reference or columnar`);
  }
  if (engine === 'reference') return false;
  const shapeFits = o.terminalFiles.length > 0 && o.detailFiles.length > 0 && o.bankFiles.length === 0 && o.summaries === 0 && !o.includeMatched && o.format !== 'html';
  if (engine === 'columnar') {
    if (!shapeFits) throw new UsageError('POSRECON_ENGINE=columnar needs --terminal and --settlement files (not an RD summary), no --bank, no --include-matched, not --format html');
    return true;
  }
  return shapeFits && [...o.terminalFiles, ...o.detailFiles].reduce((n, f) => n + fileSize(f), 0) >= COLUMNAR_MIN_BYTES;
}

/**
 * The same path twice in one role would read its rows as two events (duplicate settlements);
 * drop the repeat and say so. The same file in two roles is a mistake (a glob too wide).
 */
export function checkInputLists(
  lists: { flag: string; files: string[] }[],
  io: CliIO,
  /** `others`: the other files the command reads or writes (contract, holidays, profiles, store), by option. */
  opts: { quiet?: boolean; output?: string; others?: { flag: string; file: string | undefined }[] } = {},
): string[][] {
  const roleOf = new Map<string, string>();
  // A link (symbolic or hard) and its target, or two spellings of one path, are one file.
  const identityOf = (f: string) => {
    try {
      const st = statSync(f);
      return `${st.dev}:${st.ino}`;
    } catch {
      return resolve(f);
    }
  };
  const output = opts.output ? identityOf(opts.output) : undefined;
  for (const { flag, file } of opts.others ?? []) {
    if (output && file && identityOf(file) === output) throw new UsageError(`--output ${opts.output} is also ${flag} ${file}: the report would overwrite it`);
  }
  return lists.map(({ flag, files }) => {
    const seen = new Set<string>();
    const kept: string[] = [];
    for (const f of files) {
      const key = identityOf(f);
      if (key === output) throw new UsageError(`--output ${opts.output} is also an input (${flag} ${f}): the report would overwrite it`);
      const other = roleOf.get(key);
      if (other && other !== flag) throw new UsageError(`${f} is given to both ${other} and ${flag}; each file belongs to one side`);
      roleOf.set(key, flag);
      if (seen.has(key)) {
        // (Overlapping globs do this every day: --quiet keeps a clean cron run silent.)
        if (!opts.quiet) io.stderr(`posrecon: note: ${printable(f)} is given twice to ${flag}; reading it once\n`);
        continue;
      }
      seen.add(key);
      kept.push(f);
    }
    return kept;
  });
}

/** The files besides the inputs a command reads (or, the store, writes): --output must name none of them. */
export function otherFiles(opts: { contract?: string; holidays?: string[]; terminalProfile?: string; settlementProfile?: string; bankProfile?: string; store?: string }): { flag: string; file: string | undefined }[] {
  return [
    { flag: '--contract', file: opts.contract },
    ...(opts.holidays ?? []).map((file) => ({ flag: '--holidays', file })),
    { flag: '--terminal-profile', file: opts.terminalProfile },
    { flag: '--settlement-profile', file: opts.settlementProfile },
    { flag: '--bank-profile', file: opts.bankProfile },
    { flag: '--store', file: opts.store },
  ];
}

export function runReconcile(opts: ReconcileCliOptions, io: CliIO): number {
  const [terminalFiles, settlementFiles, bankFiles] = checkInputLists(
    [
      { flag: '--terminal', files: opts.terminal ?? [] },
      { flag: '--settlement', files: opts.settlement ?? [] },
      { flag: '--bank', files: opts.bank ?? [] },
    ],
    io,
    { quiet: opts.quiet, output: opts.output, others: otherFiles(opts) },
  );
  if (settlementFiles.length === 0) {
    throw new UsageError('reconcile needs at least one --settlement file (and --terminal files to find dropped and unsettled payments)');
  }
  const { failOn, ignore } = exitKinds(opts);
  const asOf = opts.asOf !== undefined ? validDate(opts.asOf) : undefined;
  const format = chooseFormat(opts);
  const encoding = resolveEncoding(opts.encoding);
  const contract = loadContractFile(opts.contract);
  const holidayFiles = [
    ...contract.holidays.map((h) => resolve(dirname(opts.contract ?? '.'), h)),
    ...(opts.holidays ?? []),
  ];
  // (The contract's own holiday files too: the report must not overwrite one.)
  checkInputLists([], io, { output: opts.output, others: holidayFiles.map((file) => ({ flag: 'a holiday file', file })) });
  const calendar = withContext(`while loading the holiday files ${holidayFiles.join(', ') || '(built-in only)'}`, () =>
    loadBuiltinCalendar(holidayFiles.map((f) => ({ name: f, text: readText(f) }))),
  );
  const terminalProfile = resolveProfile(opts.terminalProfile, '--terminal-profile');
  const settlementProfile = resolveProfile(opts.settlementProfile, '--settlement-profile');
  const bankProfile = resolveProfile(opts.bankProfile, '--bank-profile');

  // UnionPay RD summaries given as settlement files are control totals for the ZM detail.
  const summaries = settlementFiles.flatMap((file) => {
    const summary = withContext(`while reading ${file}`, () => readSummaryIfAny(file));
    return summary ? [{ file, summary }] : [];
  });
  const detailFiles = settlementFiles.filter((f) => !summaries.some((s) => s.file === f));
  if (detailFiles.length === 0) {
    throw new UsageError(`${summaries[0].file} is a UnionPay RD summary (control totals only): pass its ZM detail file with --settlement too`);
  }

  const inputs = [
    ...terminalFiles.map((file) => ({ file, role: 'terminal' as const, profile: terminalProfile, flag: opts.terminalProfile })),
    ...detailFiles.map((file) => ({ file, role: 'settlement' as const, profile: settlementProfile, flag: opts.settlementProfile })),
    ...bankFiles.map((file) => ({ file, role: 'bank' as const, profile: bankProfile, flag: opts.bankProfile })),
  ];
  const progress = createProgress(
    progressWanted({ stderrIsTTY: io.stderrIsTTY, quiet: Boolean(opts.quiet), env: io.env, inputBytes: inputs.reduce((n, i) => n + fileSize(i.file), 0) }),
    io.stderr,
  );
  let result: ReconcileResult | undefined;
  let failing: boolean;
  try {
    const fast = columnarWanted({ terminalFiles, detailFiles, bankFiles, summaries: summaries.length, includeMatched: Boolean(opts.includeMatched), format, env: io.env });
    if (fast) {
      progress.step(`scanning ${[...terminalFiles, ...detailFiles].length} files`);
      // Decided before any file is opened: a bad POSRECON_SCAN_THREADS must not leave them open.
      const threads = scanThreads(io.env, [...terminalFiles, ...detailFiles].reduce((n, f) => n + fileSize(f), 0));
      const sources: ReturnType<typeof openFileSource>[] = [];
      const open = (file: string, role: string, flag: string | undefined) => {
        const source = withContext(`while reading ${file} as a ${role} file (encoding: ${opts.encoding ?? 'detected'}, profile: ${flag ?? 'detected'})`, () => openFileSource(file));
        sources.push(source);
        return source;
      };
      let terminalSources: ReturnType<typeof openFileSource>[];
      let settlementSources: ReturnType<typeof openFileSource>[];
      try {
        terminalSources = terminalFiles.map((file) => open(file, 'terminal', opts.terminalProfile));
        settlementSources = detailFiles.map((file) => open(file, 'settlement', opts.settlementProfile));
      } catch (e) {
        for (const source of sources) source.close();
        throw e;
      }
      const inputBytes = sources.reduce((n, source) => n + source.size, 0);
      let outcome: ReturnType<typeof reconcileColumnar>;
      let scanner: ReturnType<typeof workerScanner> | undefined;
      try {
        // A second core pays for its start-up only on larger files; it boots while the heads are read.
        if (threads === 2) scanner = workerScanner({ terminal: terminalFiles, settlement: detailFiles });
        outcome = reconcileColumnar({
          terminal: terminalFiles.map((file, i) => ({ file, bytes: terminalSources[i], profile: terminalProfile })),
          settlement: detailFiles.map((file, i) => ({ file, bytes: settlementSources[i], profile: settlementProfile })),
          profiles: builtinProfiles(),
          encoding,
          contract,
          calendar,
          asOf,
          progress: (text) => progress.step(text),
          parallelScan: scanner,
          // Only where peak memory matters: a full collection costs ~0.1 s.
          collectGarbage: inputBytes >= GC_MIN_BYTES ? fullGc() : undefined,
        });
      } finally {
        scanner?.close();
        for (const source of sources) source.close();
      }
      // Say which engine ran and why, for a user wondering about speed (never with --quiet).
      const explain = opts.verbose && !opts.quiet;
      if ('fallback' in outcome && explain) io.stderr(`posrecon: fast path not used: ${printable(outcome.fallback)}\n`);
      if ('result' in outcome) {
        result = outcome.result;
        if (explain) {
          const { cleanPairs, residualRows } = outcome.stats;
          io.stderr(`posrecon: fast path: ${cleanPairs.toLocaleString('en-US')} clean pairs counted in columns, ${residualRows.toLocaleString('en-US')} rows reconciled in full\n`);
          const phases = Object.entries(outcome.stats.phases).map(([name, ms]) => `${name} ${ms} ms`).join(', ');
          io.stderr(`posrecon: fast path phases: ${phases}\n`);
        }
      }
      else if (io.env.POSRECON_ENGINE === 'columnar') throw new UsageError(`POSRECON_ENGINE=columnar: the fast path does not apply (${outcome.fallback})`);
    }
    let rowsRead = 0;
    const parsed = result ? [] : inputs.map((input, i) => {
      progress.step(`reading ${input.role} file ${i + 1}/${inputs.length} ${basename(input.file)} · ${rowsRead.toLocaleString('en-US')} rows so far`);
      const file = withContext(
        `while reading ${input.file} as a ${input.role} file (encoding: ${opts.encoding ?? 'detected'}, profile: ${input.flag ?? 'detected'})`,
        () => readInput(input.file, { role: input.role, encoding, profile: input.profile }),
      );
      rowsRead += file.records.length;
      return file;
    });
    const terminal = parsed.filter((_p, i) => inputs[i].role === 'terminal');
    const settlement = parsed.filter((_p, i) => inputs[i].role === 'settlement');
    const bank = parsed.filter((_p, i) => inputs[i].role === 'bank');
    if (!result && terminal.length === 0 && bank.length === 0 && contract.fees.rules.length === 0) {
      // Without terminal files the only question is fees; with no rules every fee would pass unchecked.
      throw new UsageError('a fee audit (settlement files only) needs --contract with fee rules; see `posrecon init contract`');
    }
    if (!result) {
      progress.step(`matching ${rowsRead.toLocaleString('en-US')} rows`);
      result = reconcile({ terminal, settlement, bank, contract, calendar, asOf, summaries });
    }
    const done = result;

    const gating = new Set<FindingKind>(failOn ?? EXCEPTION_KINDS);
    for (const k of ignore ?? []) gating.delete(k);
    failing = [...gating].some((k) => done.counts[k] > 0) || done.rejected.length > 0;

    progress.step(`writing the ${format} report`);
    // Colour only for a person at a terminal: not into files or pipes, not with NO_COLOR or --no-color.
    const color = opts.color !== false && !opts.output && io.stdoutIsTTY && !io.env.NO_COLOR;
    if (done.feedGap && ((opts.quiet && !failing) || format === 'csv')) {
      // A quiet cron run still says when the settlement files have stopped (cron mails stderr);
      // so does a CSV report, which has no place for notes.
      io.stderr(`posrecon: ${summarize(done).feedNote!.replace(/^Note: /, '')}\n`);
    }
    if (((opts.quiet && !failing) || format === 'csv') && done.missingCalendarYears.length) {
      // Nor that its due dates stand on a year without a holiday calendar.
      io.stderr(`posrecon: ${summarize(done).calendarNote!.replace(/^Note: /, '')}\n`);
    }
    if ((opts.quiet && !failing) || format === 'csv') {
      // Nor may a quiet run keep quiet about a workbook sheet it did not read.
      for (const f of done.files) {
        const note = sheetsNotReadNote(f);
        if (note) io.stderr(`posrecon: ${printable(note.replace(/^Note: /, ''))}\n`);
      }
    }
    // --quiet keeps stdout empty on a clean day; a file named with --output is always written, so
    // yesterday's report never stands in for today's.
    if (opts.output || !(opts.quiet && !failing)) {
      const chunks = renderReportChunks(done, { format, color, verbose: Boolean(opts.verbose), includeMatched: Boolean(opts.includeMatched), contract, failing: failOn || ignore ? [...gating] : undefined });
      if (opts.output) writeReport(opts.output, chunks);
      else {
        progress.done(); // the report goes to the same terminal: clear the progress line first
        for (const chunk of chunks) io.stdout(chunk);
      }
    }
  } finally {
    progress.done();
  }
  return failing ? EXIT.FINDINGS : EXIT.OK;
}
