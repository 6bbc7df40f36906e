// Progress on stderr for big inputs: one line, rewritten in place, cleared before the report is
// printed. Only when stderr is a terminal (never in pipes, files or CI logs), never with --quiet,
// and only for inputs over about PROGRESS_MIN_ROWS rows, where a run takes long enough to wonder.
// The pipeline is synchronous, so the line changes between steps (each file read, matching,
// rendering) rather than ticking; writes to a TTY are synchronous, so each step shows at once.

import { printable } from './printable.js';

export const PROGRESS_MIN_ROWS = 50_000;
/** Bytes per row to estimate the row count from file sizes before reading (exports run ~80–150). */
export const BYTES_PER_ROW = 100;

export interface ProgressGate {
  stderrIsTTY: boolean;
  quiet: boolean;
  env: NodeJS.ProcessEnv;
  /** Total size of the input files in bytes. */
  inputBytes: number;
}

export function progressWanted(g: ProgressGate): boolean {
  if (!g.stderrIsTTY || g.quiet) return false;
  if (g.env.CI && g.env.CI !== 'false') return false;
  if (g.env.TERM === 'dumb') return false;
  return g.inputBytes / BYTES_PER_ROW >= PROGRESS_MIN_ROWS;
}

export interface Progress {
  /** Replace the progress line with `text`. */
  step(text: string): void;
  /** Erase the progress line (call before printing anything else to the terminal). */
  done(): void;
}

const CLEAR_LINE = '\r\x1b[2K';

export function createProgress(enabled: boolean, write: (text: string) => void, now: () => number = Date.now): Progress {
  if (!enabled) return { step() {}, done() {} };
  const start = now();
  let shown = false;
  return {
    step(text) {
      const seconds = Math.floor((now() - start) / 1000);
      // The text names input files: a file name can hold control characters too.
      write(`${CLEAR_LINE}posrecon: ${printable(text)} (${seconds}s)`);
      shown = true;
    },
    done() {
      if (shown) write(CLEAR_LINE);
      shown = false;
    },
  };
}
