// Shared helpers for the ingestion tests: fixture bytes, and reading them the way the CLI does.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readInputFile, type ParsedFile, type ReadOptions } from '../../src/read/readInput.js';
import { builtinProfiles } from '../../src/profiles/builtin.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const INGEST = 'fixtures/ingest/';
export const SAMPLES = 'fixtures/samples/';

export function bytesOf(path: string): Uint8Array {
  return new Uint8Array(readFileSync(ROOT + path));
}

/** Fixtures no encoding decodes whole (their own tests say why): left out of the decodable set. */
const UNDECODABLE = new Set(['utf8-then-gbk-joined.csv']);

/** Every decodable delimited-text fixture of the ingestion suite (the generator script excluded). */
export function ingestFixtures(): string[] {
  return readdirSync(ROOT + INGEST)
    .filter((f) => /\.(csv|tsv|txt)$/.test(f) && !UNDECODABLE.has(f))
    .sort()
    .map((f) => INGEST + f);
}

/** The delimited-text published samples (the fixed-width .txt and .xls ones are read elsewhere). */
export function sampleFixtures(): string[] {
  return readdirSync(ROOT + SAMPLES)
    .filter((f) => f.endsWith('.csv'))
    .sort()
    .map((f) => SAMPLES + f);
}

/** readInputFile on a fixture's bytes with the built-in profiles, as `posrecon inspect` does. */
export function read(path: string, opts: Partial<ReadOptions> = {}): ParsedFile {
  return readBytes(bytesOf(path), path, opts);
}

export function readBytes(bytes: Uint8Array, name: string, opts: Partial<ReadOptions> = {}): ParsedFile {
  return readInputFile(bytes, name, { profiles: builtinProfiles(), ...opts });
}

/** A GBK/GB18030 encoder for generated test data: Node only ships the decoder, so invert it. */
let gbkTable: Map<string, number[]> | null = null;
export function encodeGbk(text: string): Uint8Array {
  if (!gbkTable) {
    gbkTable = new Map();
    const decoder = new TextDecoder('gb18030');
    for (let lead = 0x81; lead <= 0xfe; lead++) {
      for (let trail = 0x40; trail <= 0xfe; trail++) {
        if (trail === 0x7f) continue;
        const ch = decoder.decode(Uint8Array.of(lead, trail));
        if (ch.length === 1 && ch !== '\uFFFD' && !gbkTable.has(ch)) gbkTable.set(ch, [lead, trail]);
      }
    }
  }
  const out: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    if (c < 0x80) out.push(c);
    else {
      const code = gbkTable.get(ch);
      if (!code) throw new Error(`no GBK code for ${ch}`);
      out.push(...code);
    }
  }
  return Uint8Array.from(out);
}
