// `posrecon init contract`: print the annotated contract template a merchant edits.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../model.js';
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
        if (existsSync(opts.output)) throw new UsageError(`init: ${opts.output} already exists; not overwriting it`);
        writeFileSync(opts.output, text);
      } else {
        io.stdout(text);
      }
      setExit(EXIT.OK);
    });
}
