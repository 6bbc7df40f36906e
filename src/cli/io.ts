// The only place that touches the file system for inputs. Errors become one-line InputErrors.
import { accessSync, closeSync, constants, existsSync, openSync, readFileSync, readSync, statSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError, UsageError, type Role } from '../model.js';
import { parseEncodingName, SUPPORTED_ENCODINGS, type Encoding } from '../read/decode.js';
import { readInputFile, type ParsedFile } from '../read/readInput.js';
import { decodeInput } from '../read/decode.js';
import { readUnionPaySummary, type UnionPaySummary } from '../read/controlTotals.js';
import { builtinProfiles } from '../profiles/builtin.js';
import { parseProfile, type Profile } from '../profiles/profile.js';

export function readBytes(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (e) {
    throw cannotRead(file, e);
  }
}

/** Why a file-system call failed, in words (Node's own message names the syscall and the errno). */
export function fileSystemReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EISDIR': return 'is a directory';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'ENOTDIR': return 'a part of the path is a file, not a directory';
    case 'ENAMETOOLONG': return 'the path is too long';
    case 'ELOOP': return 'too many symbolic links in the path';
    case 'ENOSPC': return 'no space left on the device';
    case 'EROFS': return 'the file system is read-only';
    case 'EMFILE': case 'ENFILE': return 'too many open files';
    default: return String((e as Error).message);
  }
}

/** A file-system error while reading an input, as the one-line error the user sees. */
export function cannotRead(file: string, e: unknown): InputError {
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? 'no such file' : fileSystemReason(e);
  const err = new InputError(`${file}: cannot read: ${why}`);
  err.cause = e;
  return err;
}

/**
 * A contract, profile or holiday file as text. Decoded like an input file (UTF-8, else GBK, a
 * BOM honoured), never leniently: a contract saved as GBK by Notepad must not turn 流量费 into
 * mojibake that then matches nothing.
 */
export function readText(file: string): string {
  return decodeInput(readBytes(file), file).text;
}

export function resolveEncoding(name: string | undefined): Encoding | undefined {
  if (name === undefined) return undefined;
  const enc = parseEncodingName(name);
  if (!enc) throw new UsageError(`--encoding: unknown encoding "${name}"; expected one of: ${SUPPORTED_ENCODINGS}`);
  return enc;
}

/** `--profile NAME|FILE` (or `--terminal-profile` …, named by `flag`): a built-in name, or a YAML/JSON profile file. */
export function resolveProfile(spec: string | undefined, flag = '--profile'): Profile | undefined {
  if (spec === undefined) return undefined;
  const builtin = builtinProfiles().find((p) => p.name === spec);
  if (builtin) return builtin;
  if (!existsSync(spec)) {
    throw new UsageError(
      `${flag}: "${spec}" is neither a built-in profile (${builtinProfiles().map((p) => p.name).join(', ')}) nor a file`,
    );
  }
  return parseProfile(readText(spec), spec, spec);
}

export interface InputOptions {
  role?: Role;
  encoding?: Encoding;
  profile?: Profile;
  extraProfiles?: Profile[];
}

export function readInput(file: string, opts: InputOptions): ParsedFile {
  const profiles = [...(opts.extraProfiles ?? []), ...builtinProfiles()];
  return readInputFile(readBytes(file), file, { profiles, role: opts.role, encoding: opts.encoding, profile: opts.profile });
}

const UNIONPAY_SUMMARY = /全渠道商户交易汇总表|商户交易汇总表/u;

/** A UnionPay RD summary passed among settlement files: its control totals, or null for any other file. */
export function readSummaryIfAny(file: string): UnionPaySummary | null {
  // The first 4 KiB tell; a settlement file of gigabytes is not read whole just to ask.
  const prefix = readPrefix(file, 4096);
  let head: string;
  try {
    head = decodeInput(prefix, file).text;
  } catch {
    // A 4 KiB prefix can cut a multi-byte character; the full read below reports real problems.
    head = new TextDecoder('gb18030').decode(prefix);
  }
  if (!UNIONPAY_SUMMARY.test(head)) return null;
  return readUnionPaySummary(decodeInput(readBytes(file), file).text, file);
}

function readPrefix(file: string, length: number): Uint8Array {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const buffer = new Uint8Array(length);
    const n = readSync(fd, buffer, 0, length, 0);
    return buffer.subarray(0, n);
  } catch (e) {
    throw cannotRead(file, e);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * A contract file's text. An empty one (0 bytes, or comments only) is refused: a contract
 * truncated by a failed copy would otherwise switch every fee check off and exit 0.
 */
export function readContractText(path: string): string {
  const text = readText(path);
  // (A document marker, an empty map or a null alone say nothing either: `---`, `{}`, `~`.)
  if (text.split(/\r?\n/).every((line) => /^\s*(?:---|\.\.\.|\{\s*\}|~|null)?\s*(#.*)?$/.test(line))) {
    throw new InputError(`${path}: the contract is empty (no settlement cycle, no fee rules)`, 'fill it in (`posrecon init contract` writes a commented one), or leave --contract out to run on the defaults');
  }
  return text;
}

/** Writes the report chunk by chunk: a large JSON or CSV report never exists as one string. */
export function writeReport(path: string, chunks: Iterable<string | Uint8Array>): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'w');
    for (const chunk of chunks) {
      // writeSync may write less than asked (a pipe or FIFO given as --output, a signal): the
      // rest goes out as bytes. The common whole write allocates no copy of the chunk.
      const bytes = typeof chunk === 'string' ? undefined : chunk;
      const written = bytes ? writeSync(fd, bytes) : writeSync(fd, chunk as string);
      const size = bytes ? bytes.length : Buffer.byteLength(chunk as string);
      if (written < size) {
        const rest = bytes ?? Buffer.from(chunk as string);
        for (let at = written; at < size; ) at += writeSync(fd, rest, at);
      }
    }
  } catch (e) {
    if (!(e as NodeJS.ErrnoException).code) throw e; // not a file-system error: a bug, not the user's
    const code = (e as NodeJS.ErrnoException).code;
    // A reader that closed the pipe (`-o /dev/stdout | head`) wanted no more: as with stdout, the
    // run still ends with the exit code its findings decided.
    if (code === 'EPIPE') return;
    const why = code === 'ENOENT' ? 'no such directory' : fileSystemReason(e);
    const err = new InputError(`--output ${path}: cannot write: ${why}`, 'check that the directory exists and is writable, or print to stdout without --output');
    err.cause = e;
    throw err;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}


/**
 * `--output PATH` checked before any work that a failed write would waste or hide (a daily run
 * records itself in the store before it prints): its directory must exist, and it must not be one.
 */
export function checkOutputPath(path: string | undefined): void {
  // Nothing to check for stdout: no --output, or `-o -` (which commander hands on as '').
  if (!path) return;
  const fail = (why: string) => new InputError(`--output ${path}: cannot write: ${why}`, 'check that the directory exists and is writable, or print to stdout without --output');
  // `reports/` names a directory: a file cannot be written there, whether it exists or not.
  if (path.endsWith('/') || (process.platform === 'win32' && path.endsWith('\\'))) throw fail(existsSync(path) ? 'is a directory' : 'no such directory (and a path ending in / names a directory, not a file)');
  let dir;
  try {
    dir = statSync(dirname(resolve(path)));
  } catch {
    throw fail('no such directory');
  }
  if (!dir.isDirectory()) throw fail(`${dirname(path)} is not a directory`);
  if (existsSync(path) && statSync(path).isDirectory()) throw fail('is a directory');
  // Writable: the file if it exists, else its directory.
  try {
    accessSync(existsSync(path) ? path : dirname(resolve(path)), constants.W_OK);
  } catch {
    throw fail('permission denied');
  }
}

