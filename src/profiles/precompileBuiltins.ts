// Build step (npm run build): parse the built-in profiles' YAML once and write the data beside
// builtin.js, keyed by each file's hash, so a run does not parse YAML it parsed at build time.
// Each profile is checked first (parseProfile throws on a broken one: the build fails).
import { writeFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { isDeepStrictEqual } from 'node:util';
import { parseProfile } from './profile.js';
import { builtinProfileTexts, PRECOMPILED_FILE, sha256, type PrecompiledProfile } from './builtin.js';

const out: PrecompiledProfile[] = [];
for (const { file, text } of builtinProfileTexts()) {
  parseProfile(text, `profiles/${file}`, 'built-in');
  const data = parseDocument(text).toJS() as unknown;
  // Only data JSON keeps as it is (no dates, no special numbers): anything else stays YAML.
  if (!isDeepStrictEqual(JSON.parse(JSON.stringify(data)), data)) continue;
  out.push({ file, sha256: sha256(text), data });
}
writeFileSync(PRECOMPILED_FILE, JSON.stringify(out));
