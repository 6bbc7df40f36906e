// The build writes the built-in profiles' parsed data beside dist/profiles/builtin.js (a run then
// parses no YAML): it must give exactly the profiles the YAML gives, and the YAML must win when
// the two disagree.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtinProfileTexts, sha256, type PrecompiledProfile } from '../../src/profiles/builtin.js';
import { parseProfile } from '../../src/profiles/profile.js';

const FILE = new URL('../../dist/profiles/builtin-profiles.json', import.meta.url);

describe('precompiled built-in profiles (npm run build)', () => {
  it.runIf(existsSync(FILE))('cover every profile, each equal to its YAML parsed', () => {
    const list = JSON.parse(readFileSync(FILE, 'utf8')) as PrecompiledProfile[];
    const texts = builtinProfileTexts();
    expect(list.map((p) => p.file)).toEqual(texts.map((t) => t.file));
    for (const { file, text } of texts) {
      const pre = list.find((p) => p.file === file)!;
      expect(pre.sha256).toBe(sha256(text));
      expect(parseProfile(text, `profiles/${file}`, 'built-in', { data: pre.data })).toEqual(parseProfile(text, `profiles/${file}`, 'built-in'));
    }
  });

  it('the dist loader gives the same profiles as the YAML (src) loader', async () => {
    const dist = new URL('../../dist/profiles/builtin.js', import.meta.url);
    if (!existsSync(dist)) return;
    const built = (await import(dist.href)) as typeof import('../../src/profiles/builtin.js');
    const fromYaml = await import('../../src/profiles/builtin.js');
    expect(built.builtinProfiles()).toEqual(fromYaml.builtinProfiles());
  });

  it('an error in precompiled data still names the YAML line (the document is parsed to place it)', () => {
    const text = 'name: x\nrole: terminal\ncolumns:\n  amout: [金额]\n';
    const data = { name: 'x', role: 'terminal', columns: { amout: ['金额'] } };
    expect(() => parseProfile(text, 'p.yaml', 'test', { data })).toThrow(/^p\.yaml:4: columns\.amout: expected a canonical field/);
  });
});
