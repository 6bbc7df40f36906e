// npm run bench: generate deterministic inputs, run `posrecon reconcile` on them, check the
// findings against the generator's truth, and print wall time and peak RSS (median of runs).
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { generate } from './generate.mjs';

const sizes = (process.env.BENCH_SIZES ?? '100000,1000000').split(',').map(Number);
// Several runs per size for a median; large sizes take minutes per run, so one run by default.
const runsFor = (n) => Number(process.env.BENCH_RUNS ?? (n <= 200000 ? 3 : 1));
// Node's default heap limit applies unless BENCH_HEAP_MB raises it (the figure printed is the real peak).
const heapArgs = process.env.BENCH_HEAP_MB ? [`--max-old-space-size=${process.env.BENCH_HEAP_MB}`] : [];
const out = new URL('./out/', import.meta.url).pathname;

// Runs a bench script as its own process, so the peak RSS it reports (a `BENCH {json}` line on
// stderr) is that script's alone.
function spawnBench(script, args) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [...heapArgs, new URL(script, import.meta.url).pathname, ...args],
    { encoding: 'utf8', maxBuffer: 1 << 26 });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  const line = r.stderr.split('\n').find((l) => l.startsWith('BENCH '));
  if (!line) {
    const oom = /heap out of memory/.test(r.stderr);
    return { wall, rssMb: NaN, code: -1, failure: oom ? 'out of memory (raise BENCH_HEAP_MB)' : r.stderr.split('\n').slice(0, 3).join(' ') };
  }
  const info = JSON.parse(line.slice(6));
  return { wall, rssMb: info.maxRssKb / 1024, code: info.code, counts: info.counts };
}

function runOnce(dir, variant) {
  const t = variant === 'gbk' ? 'terminal.gbk.csv' : 'terminal.csv';
  const s = variant === 'gbk' ? 'settlement.gbk.csv' : 'settlement.csv';
  return spawnBench('./child.mjs', ['reconcile', '-t', `${dir}/${t}`, '-s', `${dir}/${s}`, '-c', `${dir}/contract.yaml`,
    '--as-of', '2025-10-20', '--format', 'json', '-o', `${dir}/report.${variant}.json`]);
}

function check(counts, truth) {
  const bad = Object.entries(truth).filter(([k, v]) => (counts[k] ?? 0) !== v);
  for (const [k, v] of Object.entries(counts)) if (!(k in truth) && v !== 0) bad.push([k, 0]);
  return bad.map(([k, v]) => `${k}: expected ${v}, got ${counts[k] ?? 0}`);
}

/**
 * The report's summary without reading its findings: at 10M rows the report is larger than
 * one JavaScript string may be. The summary comes first; the findings array starts after it.
 */
function reportSummary(path) {
  const fd = openSync(path, 'r');
  const head = Buffer.alloc(4 << 20);
  const n = readSync(fd, head, 0, head.length, 0);
  closeSync(fd);
  const text = head.subarray(0, n).toString('utf8');
  const at = text.indexOf('\n  "findings": [');
  return JSON.parse(text.slice(0, at).replace(/,\s*$/, '') + '\n}').summary;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`posrecon bench — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}${heapArgs.length ? `, ${heapArgs[0]}` : ''}`);
const runsNote = process.env.BENCH_RUNS ? `median of ${process.env.BENCH_RUNS} runs (BENCH_RUNS)` : 'median of 3 runs up to 200k rows, 1 above; BENCH_RUNS overrides';
console.log(`rows/side  variant  wall s  peak RSS MiB  findings check   (${runsNote})`);
let failed = false;
const GENERATOR_VERSION = 2;
const posreconUtf8 = new Map(); // n → { wall, rssMb } medians, for the peer ratio
for (const n of sizes) {
  const dir = `${out}${n}`;
  let meta;
  if (existsSync(`${dir}/meta.json`)) meta = JSON.parse(readFileSync(`${dir}/meta.json`, 'utf8'));
  // Inputs from an older generator are made again (version 2: each line paid on its due date).
  if (meta?.generator !== GENERATOR_VERSION) {
    meta = { ...generate(dir, n), generator: GENERATOR_VERSION }; // writes the GBK twins too
    writeFileSync(`${dir}/meta.json`, JSON.stringify(meta));
  }
  for (const variant of ['utf8', 'gbk']) {
    const results = Array.from({ length: runsFor(n) }, () => runOnce(dir, variant));
    const failure = results.find((r) => r.failure)?.failure;
    if (failure) {
      failed = true;
      console.log(`${String(n).padStart(9)}  ${variant.padEnd(7)}  failed: ${failure}`);
      continue;
    }
    const problems = check(reportSummary(`${dir}/report.${variant}.json`).counts, meta.truth);
    if (problems.length) failed = true;
    const wall = median(results.map((r) => r.wall));
    const rssMb = median(results.map((r) => r.rssMb));
    if (variant === 'utf8') posreconUtf8.set(n, { wall, rssMb });
    console.log(`${String(n).padStart(9)}  ${variant.padEnd(7)}  ${wall.toFixed(2).padStart(6)}  ${rssMb.toFixed(0).padStart(12)}  ${problems.length ? 'MISMATCH ' + problems.join('; ') : 'ok'}`);
  }
}

// Peer: the same reconciliation as one DuckDB query (bench/peer-child.mjs), timed the same way.
// Only where @duckdb/node-api (a devDependency) is installed and loads on this platform.
let duck = null;
try {
  duck = await import('@duckdb/node-api');
} catch (e) {
  console.log(`peer: skipped (@duckdb/node-api not available: ${e.code ?? e.message})`);
}
if (duck) {
  // DuckDB's CSV reader takes UTF-8 only, so the peer runs on the UTF-8 variant.
  console.log(`peer: DuckDB ${duck.version()}, UTF-8 inputs only (DuckDB cannot read GBK); same runs per size as posrecon`);
  for (const n of sizes) {
    const dir = `${out}${n}`;
    const truth = JSON.parse(readFileSync(`${dir}/meta.json`, 'utf8')).truth;
    const results = Array.from({ length: runsFor(n) }, () => spawnBench('./peer-child.mjs', [dir]));
    const failure = results.find((r) => r.failure)?.failure;
    if (failure) {
      failed = true;
      console.log(`${String(n).padStart(9)}  duckdb   failed: ${failure}`);
      continue;
    }
    // Every run must classify correctly, else the timing compares against a different answer.
    const problems = [...new Set(results.flatMap((r) => check(r.counts, truth)))];
    if (problems.length) failed = true;
    const wall = median(results.map((r) => r.wall));
    const rssMb = median(results.map((r) => r.rssMb));
    const p = posreconUtf8.get(n);
    const ratio = p ? `posrecon/duckdb ${(p.wall / wall).toFixed(1)}× wall, ${(p.rssMb / rssMb).toFixed(1)}× RSS` : 'posrecon/duckdb n/a (posrecon failed)';
    console.log(`${String(n).padStart(9)}  duckdb   ${wall.toFixed(2).padStart(6)}  ${rssMb.toFixed(0).padStart(12)}  ${problems.length ? 'MISMATCH ' + problems.join('; ') : 'ok'}  ${ratio}`);
  }
}
process.exitCode = failed ? 1 : 0;
