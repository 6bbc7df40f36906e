// Documented in the README ("Exit codes"); scripts and cron jobs depend on these numbers.
export const EXIT = {
  /** Everything read; no exceptions (pending items are not exceptions). */
  OK: 0,
  /** Exceptions found, or rows rejected. */
  FINDINGS: 1,
  /** Usage error or unreadable input: bad flag, missing file, no profile fits, bad contract. */
  USAGE: 2,
  /** A bug in posrecon. */
  INTERNAL: 3,
} as const;
