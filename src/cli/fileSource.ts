// Random access to an input file in blocks, so the columnar fast path never holds a whole
// million-row export in memory. CLI layer: the only place that opens files.
import { closeSync, existsSync, fstatSync, openSync, readSync, readdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { ByteSource } from '../columnar/scan.js';
import { cannotRead } from './io.js';
import { InputError } from '../model.js';

export interface FileSource extends ByteSource {
  close(): void;
}

export function openFileSource(path: string): FileSource {
  let fd: number;
  let size: number;
  try {
    fd = openSync(path, 'r');
    const stat = fstatSync(fd);
    if (stat.isDirectory()) {
      closeSync(fd);
      throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    }
    size = stat.size;
  } catch (e) {
    throw cannotRead(path, e);
  }
  let buffer = new Uint8Array(0);
  return {
    size,
    read(position, length) {
      // One buffer, reused: callers copy what they keep (see ByteSource).
      if (buffer.length < length) buffer = new Uint8Array(Math.max(length, 8 * 1024 * 1024));
      let got = 0;
      while (got < length) {
        let n: number;
        try {
          n = readSync(fd, buffer, got, length - got, position + got);
        } catch (e) {
          throw cannotRead(path, e);
        }
        if (n === 0) break;
        got += n;
      }
      return buffer.subarray(0, got);
    },
    close: () => closeSync(fd),
  };
}

/** `*`, `?` or `[…]` in the file name: a pattern the shell would have expanded had anything matched. */
const PATTERN = /[*?[]/;

/**
 * A path the shell left as typed because nothing matched it (`inbox/结算单-*.csv` on a morning
 * with no settlement file), expanded here: its matches in name order, or none. Only the last
 * path segment may hold the pattern; an existing file is never treated as one.
 */
export function expandUnmatchedPattern(path: string): string[] | null {
  if (existsSync(path) || !PATTERN.test(basename(path))) return null;
  const dir = dirname(path);
  if (PATTERN.test(dir)) return null;
  const source = basename(path)
    .replace(/[.+^${}()|\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.')
    .replace(/\[!/g, '[^');
  let re: RegExp;
  try {
    re = new RegExp(`^${source}$`, 'u');
  } catch {
    return null;
  }
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    // A mistyped folder is no "no file today": the pattern can never match.
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`${path}: cannot look for matching files: ${code === 'ENOENT' ? `no folder ${dir}` : code === 'ENOTDIR' ? `${dir} is not a folder` : String((e as Error).message)}`);
  }
  // As the shell lists them: the folder as typed (./inbox stays ./inbox), dot files only for a
  // pattern that starts with a dot.
  const prefix = path.slice(0, path.length - basename(path).length);
  const dotted = basename(path).startsWith('.');
  return names.filter((n) => re.test(n) && (dotted || !n.startsWith('.'))).sort().map((n) => prefix + n);
}
