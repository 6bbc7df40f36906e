// CI runs property tests from a fixed seed so a landing never depends on luck; local runs keep
// exploring new random cases (a failure prints its seed, replay it with FC_SEED=<seed>).
import fc from 'fast-check';

const seed = process.env.FC_SEED ?? (process.env.CI ? '20251001' : undefined);
if (seed !== undefined) fc.configureGlobal({ seed: Number(seed) });
