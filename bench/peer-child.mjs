// The peer for `npm run bench`: the same reconciliation as `posrecon reconcile` on the bench
// inputs, written as one DuckDB query. Run as its own process (like child.mjs) so its peak RSS is
// measured apart from posrecon's; reports on stderr as `BENCH {json}` with the count per kind.
// Usage: node bench/peer-child.mjs <dir>   (reads terminal.csv + settlement.csv, UTF-8 only)
import { DuckDBInstance } from '@duckdb/node-api';

const dir = process.argv[2];
const q = (path) => `'${path.replaceAll("'", "''")}'`;
// all_varchar: RRNs, traces and terminal ids are identifiers (leading zeros matter), and amounts
// are cast to DECIMAL below so no value ever passes through a float.
const csv = (file) => `read_csv(${q(`${dir}/${file}`)}, header = true, all_varchar = true)`;

const t0 = process.hrtime.bigint();
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
await con.run(`CREATE TABLE t AS SELECT row_number() OVER () AS tid, * FROM ${csv('terminal.csv')}`);
await con.run(`CREATE TABLE s AS SELECT row_number() OVER () AS sid, * FROM ${csv('settlement.csv')}`);
// Two passes, as posrecon matches: by RRN first; then, for what is left on both sides, by terminal
// id + trace, which is how a timed-out terminal row (no RRN) finds its settled line.
await con.run(`
  CREATE TABLE pairs AS
  WITH by_rrn AS (
    SELECT t.tid, s.sid FROM t JOIN s ON t."参考号" = s."参考号" WHERE coalesce(t."参考号", '') <> ''
  ), by_trace AS (
    SELECT t.tid, s.sid FROM t JOIN s ON t."终端号" = s."终端号" AND t."凭证号" = s."凭证号"
    WHERE t.tid NOT IN (SELECT tid FROM by_rrn) AND s.sid NOT IN (SELECT sid FROM by_rrn)
  )
  SELECT *, 'rrn' AS pass FROM by_rrn UNION ALL SELECT *, 'trace' AS pass FROM by_trace`);
// The contract in bench/generate.mjs (BENCH_CONTRACT): ROUND on DECIMAL rounds half away from
// zero, which for these positive amounts is the generator's round-half-up in fen.
await con.run(`
  CREATE TABLE findings AS
  WITH joined AS (
    SELECT t.tid, s.sid, p.pass, coalesce(t."终端号", s."终端号") AS terminal_id,
      coalesce(t."参考号", s."参考号") AS rrn, coalesce(t."凭证号", s."凭证号") AS trace,
      t."交易状态" AS status, coalesce(s."卡类型", t."卡类型") AS card_type,
      CAST(t."交易金额" AS DECIMAL(18,2)) AS t_amount, CAST(s."交易金额" AS DECIMAL(18,2)) AS s_amount,
      CAST(s."手续费" AS DECIMAL(18,2)) AS s_fee
    FROM t LEFT JOIN pairs p ON p.tid = t.tid FULL JOIN s ON s.sid = p.sid
  ), priced AS (
    SELECT *, CASE card_type
        WHEN '借记卡' THEN LEAST(ROUND(s_amount * 0.0050, 2), 20.00)
        WHEN '贷记卡' THEN ROUND(s_amount * 0.0060, 2)
        WHEN '微信' THEN ROUND(s_amount * 0.0038, 2)
      END AS expected_fee
    FROM joined
  )
  SELECT *, CASE
      WHEN sid IS NULL AND status = '成功' THEN 'unsettled_overdue'
      WHEN sid IS NULL THEN 'no_settlement_expected'
      WHEN tid IS NULL OR status <> '成功' THEN 'dropped_order'
      WHEN t_amount <> s_amount THEN 'amount_mismatch'
      WHEN expected_fee IS NULL THEN 'fee_unverified'
      WHEN s_fee <> expected_fee THEN 'fee_mismatch'
      ELSE 'matched'
    END AS kind
  FROM priced`);
// posrecon writes every exception to its JSON report, so the peer writes its exceptions too.
await con.run(`COPY (SELECT * FROM findings WHERE kind <> 'matched' ORDER BY tid, sid) TO ${q(`${dir}/peer-findings.csv`)} (HEADER)`);
const counts = Object.fromEntries(
  (await con.runAndReadAll('SELECT kind, count(*)::INTEGER FROM findings GROUP BY kind')).getRows(),
);
con.closeSync();
db.closeSync();
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
process.stderr.write(`BENCH ${JSON.stringify({ code: 0, ms, maxRssKb: process.resourceUsage().maxRSS, counts })}\n`);
