// Built-in profiles are YAML files in profiles/ at the package root, in the same schema users
// write. They are read once per process, outside any per-row loop.
//
// Parsing ten YAML files cost ~50 ms of every run (more than reading a day's files), so the build
// also writes their parsed data beside this module (precompileBuiltins.ts). The YAML stays the
// source of truth: a file whose text no longer matches its precompiled hash is parsed as YAML.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { parseProfile, type Profile } from './profile.js';

// Two levels up from both src/profiles and dist/profiles.
const PROFILE_DIR = new URL('../../profiles/', import.meta.url);
/** Written by the build (dist/profiles); absent under src/, where every profile is parsed as YAML. */
export const PRECOMPILED_FILE = new URL('./builtin-profiles.json', import.meta.url);

export interface PrecompiledProfile {
  file: string;
  sha256: string;
  data: unknown;
}

let cache: Profile[] | null = null;

export function builtinProfiles(): Profile[] {
  if (cache) return cache;
  const precompiled = readPrecompiled();
  const profiles = builtinProfileTexts().map(({ file, text }) => {
    const pre = precompiled.get(file);
    const data = pre && pre.sha256 === sha256(text) ? pre.data : undefined;
    return parseProfile(text, `profiles/${file}`, 'built-in', { data });
  });
  // Specific layouts first so they win ties against the generic catch-alls.
  profiles.sort((a, b) => Number(a.name.startsWith('generic-')) - Number(b.name.startsWith('generic-')) || a.name.localeCompare(b.name));
  cache = profiles;
  return profiles;
}

export function builtinProfileTexts(): { file: string; text: string }[] {
  const files = readdirSync(PROFILE_DIR).filter((f) => f.endsWith('.yaml')).sort();
  return files.map((file) => ({ file, text: readFileSync(new URL(file, PROFILE_DIR), 'utf8') }));
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function readPrecompiled(): Map<string, PrecompiledProfile> {
  try {
    const list = JSON.parse(readFileSync(PRECOMPILED_FILE, 'utf8')) as PrecompiledProfile[];
    return new Map(list.map((p) => [p.file, p]));
  } catch {
    return new Map(); // not built (tests run from src/) or unreadable: parse the YAML
  }
}
