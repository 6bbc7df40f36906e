// `posrecon reconcile`: read the inputs, reconcile, print the report, decide the exit code.
import { writeFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { UsageError, type LocalDate } from '../model.js';
import { defaultContract, loadContract, type Contract } from '../contract/contract.js';
import { loadBuiltinCalendar } from '../calendar/calendar.js';
import { reconcile } from '../reconcile.js';
import { reconcileJson } from '../report/json.js';
import { renderTable } from '../report/table.js';
import { ALL_KINDS, EXCEPTION_KINDS, type FindingKind } from '../classify/kinds.js';
import { EXIT } from './exitCodes.js';
import { readInput, readText, resolveEncoding, resolveProfile } from './io.js';
import type { CliIO } from './main.js';

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
  failOn?: string;
  ignore?: string;
  includeMatched?: boolean;
  verbose?: boolean;
  quiet?: boolean;
  color?: boolean;
}

const FORMATS = ['table', 'json'] as const;
type Format = (typeof FORMATS)[number];

export function registerReconcile(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('reconcile')
    .description('pair terminal transactions with settlement lines and report dropped orders, unsettled payments and fee deductions off contract')
    .option('-t, --terminal <files...>', 'terminal / merchant-portal transaction exports (any number, any order)')
    .option('-s, --settlement <files...>', 'acquirer settlement files (any number, any order)')
    .option('-c, --contract <file>', 'contract YAML/JSON: settlement cycle, cut-off, fee rules (see `posrecon init contract`)')
    .option('--holidays <files...>', 'extra holiday files (holiday-cn JSON format) for years posrecon does not ship')
    .option('--as-of <date>', 'judge overdue settlements as of this date (default: latest settlement date in the files)')
    .addOption(new Option('-f, --format <format>', 'output format (default table; inferred from --output extension)').choices([...FORMATS]))
    .option('-o, --output <file>', 'write the report to this file instead of stdout')
    .option('--encoding <name>', 'force the encoding of every input (utf-8, gbk, utf-16le …)')
    .option('--terminal-profile <name|file>', 'force the profile of the terminal files')
    .option('--settlement-profile <name|file>', 'force the profile of the settlement files')
    .option('--fail-on <kinds>', `comma-separated finding kinds that make the exit code 1 (default: all exceptions)`)
    .option('--ignore <kinds>', 'comma-separated finding kinds that never affect the exit code')
    .option('--include-matched', 'list matched pairs in the JSON findings too')
    .option('-v, --verbose', 'also list informational findings (pending, voided, failed rows)')
    .option('-q, --quiet', 'print nothing when there is nothing to act on')
    .option('--no-color', 'no colours in the table output')
    .addHelpText(
      'after',
      `
Examples:
  posrecon reconcile -t 交易明细-1001.csv -s 结算单-1002.csv -c contract.yaml
  posrecon reconcile -t terminal/*.csv -s settlement/*.csv --format json -o report.json
  posrecon reconcile -s settlement/*.csv -c contract.yaml        # fee audit only

Exit codes: 0 nothing to act on (pending is not an exception) · 1 exceptions or rejected rows · 2 usage or input error`,
    )
    .action((opts: ReconcileCliOptions) => {
      setExit(runReconcile(opts, io));
    });
}

function parseKinds(text: string | undefined, flag: string): Set<FindingKind> | undefined {
  if (text === undefined) return undefined;
  const kinds = text.split(',').map((k) => k.trim()).filter(Boolean);
  for (const k of kinds) {
    if (!ALL_KINDS.includes(k as FindingKind)) throw new UsageError(`${flag}: unknown finding kind "${k}"; expected some of: ${ALL_KINDS.join(', ')}`);
  }
  return new Set(kinds as FindingKind[]);
}

function chooseFormat(opts: ReconcileCliOptions): Format {
  if (opts.format) return opts.format as Format;
  const ext = opts.output ? extname(opts.output).toLowerCase() : '';
  if (ext === '.json') return 'json';
  return 'table';
}

function loadContractFile(path: string | undefined): Contract {
  if (!path) return defaultContract();
  return loadContract(readText(path), path);
}

function validDate(text: string): LocalDate {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(Date.parse(`${text}T00:00:00Z`))) {
    throw new UsageError(`--as-of: expected a date like 2025-10-10, got "${text}"`);
  }
  return text;
}

export function runReconcile(opts: ReconcileCliOptions, io: CliIO): number {
  const terminalFiles = opts.terminal ?? [];
  const settlementFiles = opts.settlement ?? [];
  if (settlementFiles.length === 0) {
    throw new UsageError('reconcile needs at least one --settlement file (and --terminal files to find dropped and unsettled payments)');
  }
  const failOn = parseKinds(opts.failOn, '--fail-on');
  const ignore = parseKinds(opts.ignore, '--ignore');
  const asOf = opts.asOf !== undefined ? validDate(opts.asOf) : undefined;
  const encoding = resolveEncoding(opts.encoding);
  const contract = loadContractFile(opts.contract);
  const holidayFiles = [
    ...contract.holidays.map((h) => resolve(dirname(opts.contract ?? '.'), h)),
    ...(opts.holidays ?? []),
  ];
  const calendar = loadBuiltinCalendar(holidayFiles.map((f) => ({ name: f, text: readText(f) })));
  const terminalProfile = resolveProfile(opts.terminalProfile);
  const settlementProfile = resolveProfile(opts.settlementProfile);

  const terminal = terminalFiles.map((f) => readInput(f, { role: 'terminal', encoding, profile: terminalProfile }));
  const settlement = settlementFiles.map((f) => readInput(f, { role: 'settlement', encoding, profile: settlementProfile }));
  const result = reconcile({ terminal, settlement, contract, calendar, asOf });

  const gating = new Set<FindingKind>(failOn ?? EXCEPTION_KINDS);
  for (const k of ignore ?? []) gating.delete(k);
  const failing = [...gating].some((k) => result.counts[k] > 0) || result.rejected.length > 0;

  const format = chooseFormat(opts);
  const color = opts.color !== false && !opts.output && io.stdoutIsTTY && !io.env.NO_COLOR;
  const text =
    format === 'json'
      ? JSON.stringify(reconcileJson(result, { includeMatched: Boolean(opts.includeMatched) }), null, 2) + '\n'
      : renderTable(result, { color, verbose: Boolean(opts.verbose) });

  if (!(opts.quiet && !failing)) {
    if (opts.output) writeFileSync(opts.output, text);
    else io.stdout(text);
  }
  return failing ? EXIT.FINDINGS : EXIT.OK;
}
