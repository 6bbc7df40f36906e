// The entry point: parse arguments, run one command, map the outcome to an exit code.
// This is the only module that sets the exit code; one top-level catch turns user errors into
// one-line messages and anything else into an internal-error report.
import { printable } from '../report/printable.js';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { InputError, UsageError, type Role } from '../model.js';
import { EXIT } from './exitCodes.js';
import { fileSystemReason } from './io.js';
import { runInspect } from './inspectCommand.js';
import { registerReconcile } from './reconcileCommand.js';
import { registerInit } from './initCommand.js';
import { registerStoreCommands } from './storeCommands.js';

const VERSION = '0.1.0';

export interface CliIO {
  /** Report text, or report text already encoded as UTF-8 (a JSON report's findings). */
  stdout: (text: string | Uint8Array) => void;
  stderr: (text: string) => void;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  env: NodeJS.ProcessEnv;
}

function processIO(): CliIO {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    env: process.env,
  };
}

export function buildProgram(io: CliIO, setExit: (code: number) => void): Command {
  const program = new Command();
  program
    .name('posrecon')
    .description('Reconcile POS terminal exports against acquirer settlement files and bank statements.')
    .version(VERSION)
    // Usage errors read like every other error: `posrecon: unknown option '--bogus'`.
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s), outputError: (s, write) => write(s.replace(/^error: /, 'posrecon: ')) })
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Examples:
  posrecon inspect fixtures/demo/terminal-2025-09-29.csv
  posrecon reconcile --terminal fixtures/demo/terminal-*.csv --settlement fixtures/demo/settlement-*.csv \\
      --contract fixtures/demo/contract.yaml

Exit codes: 0 nothing to act on · 1 exceptions or rejected rows · 2 usage or input error · 3 internal error`,
    );

  program
    .command('inspect')
    .description('show how posrecon reads each file: encoding, profile, column mapping, counts, totals, rejected rows')
    .argument('<files...>', 'terminal exports, settlement files or bank statements')
    .addOption(new Option('--role <role>', 'read the files as this role').choices(['terminal', 'settlement', 'bank']))
    .option('--profile <name|file>', 'force a built-in profile by name, or a profile YAML/JSON file')
    .option('--encoding <name>', 'force the encoding (utf-8, gbk, gb18030, utf-16le, utf-16be)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('-v, --verbose', 'more detail on errors')
    .addHelpText('after', '\nExamples:\n  posrecon inspect 交易明细-1001.csv 结算单-1002.csv\n  posrecon inspect --format json settlement-2025-10-09.csv\n')
    .action((files: string[], opts: { role?: Role; profile?: string; encoding?: string; format: 'text' | 'json'; verbose?: boolean }) => {
      setExit(runInspect(files, opts, io));
    });

  registerReconcile(program, io, setExit);
  registerInit(program, io, setExit);
  registerStoreCommands(program, io, setExit);
  for (const command of program.commands) strictOptionValues(command);
  return program;
}

/** Options that take a list of finding kinds: given twice, the lists add up. */
const KIND_LIST_OPTIONS = new Set(['fail-on', 'ignore']);

/**
 * What a script's typo or empty variable must not do silently (review T): an option whose value
 * is missing took the next option as its value (`-o --quiet` wrote a file named --quiet), and a
 * second `--fail-on` dropped the first one's kinds. A missing or empty value is a usage error
 * now; `--fail-on` and `--ignore` given twice add up, and so do file lists (`-t a -t b`). A
 * single-value option given twice keeps the last, as most tools do (a script's base arguments
 * plus an override).
 */
function strictOptionValues(command: Command): void {
  for (const option of command.options) {
    if (!option.required && !option.optional) continue; // a flag: no value
    const inner = option.parseArg;
    const name = option.name();
    option.argParser((value: string, previous: unknown) => {
      // An option, not a value (free text such as a --note may start with a dash: `-88.00 退回`).
      if (/^-[A-Za-z]$|^--[A-Za-z][\w-]*(=.*)?$/.test(value)) throw new InvalidArgumentError(`expected a value, got the option ${value} (a value is missing)`);
      if (KIND_LIST_OPTIONS.has(name)) {
        // (An empty list of kinds alone gets its own message from parseKinds.)
        if (typeof previous !== 'string') return value;
        if (value.trim() === '' || previous.trim() === '') throw new InvalidArgumentError('no finding kind given');
        return `${previous},${value}`;
      }
      if (value === '') throw new InvalidArgumentError('the value is empty');
      if (option.variadic) return inner ? inner(value, previous) : Array.isArray(previous) && previous !== option.defaultValue ? [...(previous as string[]), value] : [value];
      return inner ? inner(value, previous) : value;
    });
  }
}

/** Did the command that ran ask for --verbose? (Each subcommand has its own -v/--verbose.) */
function wantsVerbose(program: Command): boolean {
  return [program, ...program.commands].some((c) => Boolean(c.opts().verbose));
}

/** `--verbose` detail under a one-line error: what posrecon was doing, and the underlying cause. */
function errorDetail(e: Error): string[] {
  const lines = [...((e as Error & { context?: string[] }).context ?? [])];
  for (let cause = e.cause, depth = 0; cause !== undefined && depth < 5; cause = (cause as Error).cause, depth++) {
    lines.push(`caused by: ${cause instanceof Error ? cause.message : String(cause)}`);
    if (!(cause instanceof Error)) break;
  }
  lines.push(`posrecon ${VERSION}, Node ${process.version}`);
  return lines;
}

/** Run the CLI; returns the exit code (tests call this directly; bin/ passes process.argv). */
export async function runCli(argv: string[], io: CliIO = processIO()): Promise<number> {
  let code: number = EXIT.OK;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; everything else commander rejects is a usage error.
      return e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? EXIT.OK : EXIT.USAGE;
    }
    if (e instanceof InputError || e instanceof UsageError) {
      // One line each, whatever a file name or cell quoted in it holds (ESC, a line break).
      io.stderr(`posrecon: ${printable(e.message)}\n`);
      if (e instanceof InputError && e.hint) io.stderr(`  hint: ${printable(e.hint)}\n`);
      if (wantsVerbose(program)) for (const line of errorDetail(e)) io.stderr(`  ${printable(line)}\n`);
      return EXIT.USAGE;
    }
    const err = e as Error;
    io.stderr(`posrecon: internal error: ${err.message}\n${err.stack ?? ''}\nPlease report this with the command you ran.\n`);
    return EXIT.INTERNAL;
  }
}

export async function main(argv: string[]): Promise<void> {
  // `posrecon … | head` closes the pipe early: stop writing quietly instead of crashing with an
  // EPIPE stack, and still exit with the code the run decided (as `set -o pipefail` reports it).
  let stdoutClosed = false;
  // Any other write failure (a full disk under `> today.txt`, /dev/full) is the user's
  // environment, not a finding and not a bug: one line and exit 2 once the command is done.
  let stdoutFailed: NodeJS.ErrnoException | undefined;
  let finished = false;
  const failStdout = (e: NodeJS.ErrnoException) => {
    stdoutClosed = true;
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED' || stdoutFailed) return;
    stdoutFailed = e;
    // (Reported when the command is done; an error emitted after that is reported at once.)
    if (finished) reportStdoutFailure();
  };
  const reportStdoutFailure = () => {
    if (!stdoutFailed) return;
    if (!stdoutFailed.code) throw stdoutFailed;
    // A daily run records itself before it prints: say so, or the missed report looks like a day without news.
    const recorded = argv.slice(2).find((a) => !a.startsWith('-')) === 'run' ? ' (the daily run was recorded all the same: `posrecon status` shows it)' : '';
    if (!stderrClosed) process.stderr.write(`posrecon: cannot write the report to stdout: ${printable(fileSystemReason(stdoutFailed))}${recorded}\n`);
    process.exitCode = EXIT.USAGE;
  };
  process.stdout.on('error', failStdout);
  // The same for stderr (`posrecon … 2>&1 | head -1`): an error's hint line must not turn exit 2 into 1.
  let stderrClosed = false;
  process.stderr.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') {
      stderrClosed = true;
      return;
    }
    throw e;
  });
  const io = processIO();
  const writeStdout = (t: string | Uint8Array) => {
    if (stdoutClosed) return;
    try {
      process.stdout.write(t);
    } catch (e) {
      failStdout(e as NodeJS.ErrnoException);
    }
  };
  const code = await runCli(argv, {
    ...io,
    stdout: writeStdout,
    stderr: (t) => void (stderrClosed || process.stderr.write(t)),
  });
  process.exitCode = code;
  finished = true;
  reportStdoutFailure();
}
