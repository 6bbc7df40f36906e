// The README demo reconciled in-process, for unit tests of the renderers (the CLI tests spawn the binary).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readInputFile } from '../../src/read/readInput.js';
import { builtinProfiles } from '../../src/profiles/builtin.js';
import { loadContract, type Contract } from '../../src/contract/contract.js';
import { loadBuiltinCalendar } from '../../src/calendar/calendar.js';
import { reconcile, type ReconcileResult } from '../../src/reconcile.js';
import type { Role } from '../../src/model.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const DEMO_FILES: { file: string; role: Role }[] = [
  { file: 'fixtures/demo/terminal-2025-09-29.csv', role: 'terminal' },
  { file: 'fixtures/demo/terminal-2025-09-30_10-09.csv', role: 'terminal' },
  { file: 'fixtures/demo/settlement-2025-09-30.csv', role: 'settlement' },
  { file: 'fixtures/demo/settlement-2025-10-09.csv', role: 'settlement' },
];

export interface Input {
  file: string;
  role: Role;
  /** File contents; read from ROOT/file when absent. */
  bytes?: Uint8Array;
}

export function reconcileFiles(inputs: Input[], contractFile = 'fixtures/demo/contract.yaml'): { result: ReconcileResult; contract: Contract } {
  const contract = loadContract(readFileSync(`${ROOT}${contractFile}`, 'utf8'), contractFile);
  const calendar = loadBuiltinCalendar([]);
  const parse = (i: Input) => readInputFile(i.bytes ?? readFileSync(`${ROOT}${i.file}`), i.file, { profiles: builtinProfiles(), role: i.role });
  const terminal = inputs.filter((i) => i.role === 'terminal').map(parse);
  const settlement = inputs.filter((i) => i.role === 'settlement').map(parse);
  return { result: reconcile({ terminal, settlement, contract, calendar }), contract };
}

export function demoResult(): { result: ReconcileResult; contract: Contract } {
  return reconcileFiles(DEMO_FILES);
}
