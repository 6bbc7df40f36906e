// Built-in profiles are YAML files in profiles/ at the package root, in the same schema users
// write. They are read once per process, outside any per-row loop.
import { readdirSync, readFileSync } from 'node:fs';
import { parseProfile, type Profile } from './profile.js';

// Two levels up from both src/profiles and dist/profiles.
const PROFILE_DIR = new URL('../../profiles/', import.meta.url);

let cache: Profile[] | null = null;

export function builtinProfiles(): Profile[] {
  if (cache) return cache;
  const files = readdirSync(PROFILE_DIR).filter((f) => f.endsWith('.yaml')).sort();
  const profiles = files.map((f) => parseProfile(readFileSync(new URL(f, PROFILE_DIR), 'utf8'), `profiles/${f}`, 'built-in'));
  // Specific layouts first so they win ties against the generic catch-alls.
  profiles.sort((a, b) => Number(a.name.startsWith('generic-')) - Number(b.name.startsWith('generic-')) || a.name.localeCompare(b.name));
  cache = profiles;
  return profiles;
}
