// Every text fixture in fixtures/ through both engines: as a terminal file against a demo
// settlement file and as a settlement file against a demo terminal file, with heads small enough
// that the scan reads most of it. Wherever the fast path engages, the report must be the
// reference's byte for byte; wherever the reference refuses a file, the fast path must not
// produce a report either. The files are the ingestion quirks (amount forms, padded cells,
// page breaks, footers, encodings …) and the channel and sample layouts.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadContract } from '../../src/contract/contract.js';
import { reconcileColumnar } from '../../src/columnar/reconcileColumnar.js';
import { readInputFile } from '../../src/read/readInput.js';
import { reconcile } from '../../src/reconcile.js';
import { calendar, profiles, shown, type Input } from './support.js';

const TEXT = /\.(csv|tsv|txt)$/;
const fixtures = ['fixtures/ingest', 'fixtures/channels', 'fixtures/samples', 'fixtures/fees', 'fixtures/fees/review-j', 'fixtures/fees/review-l', 'fixtures/demo']
  .flatMap((dir) => readdirSync(dir).filter((f) => TEXT.test(f)).map((f) => join(dir, f)));
const file = (path: string): Input => ({ name: path, bytes: readFileSync(path) });
const contract = loadContract(readFileSync('fixtures/demo/contract.yaml', 'utf8'), 'fixtures/demo/contract.yaml');
const demoTerminal = file('fixtures/demo/terminal-2025-09-29.csv');
const demoSettlement = file('fixtures/demo/settlement-2025-10-09.csv');

type Outcome = { report: string } | { error: string };

function reference(t: Input, s: Input): Outcome {
  try {
    const read = (f: Input, role: 'terminal' | 'settlement') => readInputFile(f.bytes, f.name, { profiles, role });
    return { report: shown(reconcile({ terminal: [read(t, 'terminal')], settlement: [read(s, 'settlement')], contract, calendar, asOf: '2025-10-20' })) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

function fast(t: Input, s: Input, headBytes: number): Outcome | 'fallback' {
  try {
    const out = reconcileColumnar({ terminal: { file: t.name, bytes: t.bytes }, settlement: { file: s.name, bytes: s.bytes }, profiles, contract, calendar, asOf: '2025-10-20', headBytes });
    return 'fallback' in out ? 'fallback' : { report: shown(out.result) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

describe('columnar fast path on every text fixture', () => {
  it(`gives the reference report or falls back (${fixtures.length} fixtures, both roles, several head sizes)`, () => {
    let engaged = 0;
    const mismatches: string[] = [];
    for (const path of fixtures) {
      const f = file(path);
      for (const [t, s] of [[f, demoSettlement], [demoTerminal, f]] as const) {
        const ref = reference(t, s);
        for (const headBytes of [120, 300, 700]) {
          const out = fast(t, s, headBytes);
          if (out === 'fallback') continue;
          engaged++;
          const same = 'report' in ref && 'report' in out ? ref.report === out.report : false;
          if (!same) mismatches.push(`${t.name} × ${s.name} @${headBytes}: ${'error' in ref ? `reference refuses (${ref.error})` : 'reports differ'}${'error' in out ? `, fast path throws (${out.error})` : ''}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(engaged).toBeGreaterThan(60);
  });
});

describe('columnar fast path on every domain case', () => {
  // Each fixtures/domain/<case>/ with a terminal.csv, a settlement.csv and a contract.yaml, both
  // engines, heads small enough that most rows are scanned: the case's verdicts must not depend
  // on the engine (void after midnight, settled late, unpaid settlement lines …).
  const cases = readdirSync('fixtures/domain').filter((d) => ['terminal.csv', 'settlement.csv', 'contract.yaml'].every((f) => readdirSync(join('fixtures/domain', d)).includes(f)));
  it(`gives the reference report or falls back (${cases.length} cases, several head sizes)`, () => {
    let engaged = 0;
    const mismatches: string[] = [];
    for (const dir of cases) {
      const d = join('fixtures/domain', dir);
      const c = loadContract(readFileSync(join(d, 'contract.yaml'), 'utf8'), join(d, 'contract.yaml'));
      const t = file(join(d, 'terminal.csv'));
      const s = file(join(d, 'settlement.csv'));
      const read = (f: Input, role: 'terminal' | 'settlement') => readInputFile(f.bytes, f.name, { profiles, role });
      // With an --as-of, and without (the as-of and the feed-gap note then come from the files).
      for (const asOf of ['2025-10-20', undefined]) {
        let ref: Outcome;
        try {
          ref = { report: shown(reconcile({ terminal: [read(t, 'terminal')], settlement: [read(s, 'settlement')], contract: c, calendar, asOf })) + JSON.stringify(reconcile({ terminal: [read(t, 'terminal')], settlement: [read(s, 'settlement')], contract: c, calendar, asOf }).feedGap ?? null) };
        } catch (e) {
          ref = { error: (e as Error).message };
        }
        for (const headBytes of [120, 300]) {
          let out: Outcome | 'fallback';
          try {
            const r = reconcileColumnar({ terminal: { file: t.name, bytes: t.bytes }, settlement: { file: s.name, bytes: s.bytes }, profiles, contract: c, calendar, asOf, headBytes });
            out = 'fallback' in r ? 'fallback' : { report: shown(r.result) + JSON.stringify(r.result.feedGap ?? null) };
          } catch (e) {
            out = { error: (e as Error).message };
          }
          if (out === 'fallback') continue;
          engaged++;
          if (!('report' in ref && 'report' in out && ref.report === out.report)) mismatches.push(`${dir} @${headBytes} as of ${asOf ?? 'the files'}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(engaged).toBeGreaterThan(cases.length);
  });
});
