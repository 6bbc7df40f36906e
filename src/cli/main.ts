// The entry point: parse arguments, run one command, map the outcome to an exit code.
// This is the only module that sets the exit code; one top-level catch turns user errors into
// one-line messages and anything else into an internal-error report.
import { Command, CommanderError, Option } from 'commander';
import { InputError, UsageError, type Role } from '../model.js';
import { EXIT } from './exitCodes.js';
import { runInspect } from './inspectCommand.js';
import { registerReconcile } from './reconcileCommand.js';
import { registerInit } from './initCommand.js';

export interface CliIO {
  stdout: (text: string) => void;
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
    .version('0.1.0')
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Examples:
  posrecon inspect fixtures/demo/terminal-2025-09-30.csv
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
    .addHelpText('after', '\nExample:\n  posrecon inspect --format json settlement-2025-10-09.csv\n')
    .action((files: string[], opts: { role?: Role; profile?: string; encoding?: string; format: 'text' | 'json' }) => {
      setExit(runInspect(files, opts, io));
    });

  registerReconcile(program, io, setExit);
  registerInit(program, io, setExit);
  return program;
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
      io.stderr(`posrecon: ${e.message}\n`);
      if (e instanceof InputError && e.hint) io.stderr(`  hint: ${e.hint}\n`);
      return EXIT.USAGE;
    }
    const err = e as Error;
    io.stderr(`posrecon: internal error: ${err.message}\n${err.stack ?? ''}\nPlease report this with the command you ran.\n`);
    return EXIT.INTERNAL;
  }
}

export async function main(argv: string[]): Promise<void> {
  // `posrecon … | head` closes the pipe early: stop quietly instead of crashing.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  const code = await runCli(argv);
  process.exitCode = code;
}
