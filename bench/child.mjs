// Runs the real CLI in this process and reports the whole process's peak RSS on stderr.
import { runCli } from '../dist/cli/main.js';

const t0 = process.hrtime.bigint();
const code = await runCli(['node', 'posrecon', ...process.argv.slice(2)], {
  stdout: () => {},
  stderr: (t) => process.stderr.write(t),
  stdoutIsTTY: false,
  stderrIsTTY: false,
  env: process.env,
});
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
process.stderr.write(`BENCH ${JSON.stringify({ code, ms, maxRssKb: process.resourceUsage().maxRSS })}\n`);
