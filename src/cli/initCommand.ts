// `posrecon init contract`: print the annotated contract template a merchant edits.
import { readFileSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { InputError, UsageError } from '../model.js';
import { checkOutputPath, fileSystemReason } from './io.js';
import { EXIT } from './exitCodes.js';
import { outputPath } from './args.js';
import type { CliIO } from './main.js';

const TEMPLATE = new URL('../../templates/contract.yaml', import.meta.url);

export function registerInit(program: Command, io: CliIO, setExit: (c: number) => void): void {
  program
    .command('init')
    .description('write an annotated example file to start from')
    .argument('<what>', 'what to write: contract')
    .option('-o, --output <file>', 'write to this file (refuses to overwrite) instead of stdout (- is stdout)', outputPath)
    .addHelpText('after', '\nExample:\n  posrecon init contract -o contract.yaml\n')
    .action((what: string, opts: { output?: string }) => {
      if (what !== 'contract') throw new UsageError(`init: unknown template "${what}"; expected: contract`);
      const text = readFileSync(TEMPLATE, 'utf8');
      if (opts.output) {
        if (existsSync(opts.output) && statSync(opts.output).isDirectory()) throw new UsageError(`init: ${opts.output} is a directory; name the file to write, e.g. ${join(opts.output, 'contract.yaml')}`);
        if (existsSync(opts.output)) throw new UsageError(`init: ${opts.output} already exists; not overwriting it`);
        checkOutputPath(opts.output);
        try {
          // 'wx': never overwrite, even a file that appeared since the check.
          writeFileSync(opts.output, text, { flag: 'wx' });
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`init: ${opts.output} already exists; not overwriting it`);
          throw new InputError(`--output ${opts.output}: cannot write: ${fileSystemReason(e)}`, 'check that the directory exists and is writable, or print to stdout without --output');
        }
      } else {
        io.stdout(text);
      }
      setExit(EXIT.OK);
    });
}
