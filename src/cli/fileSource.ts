// Random access to an input file in blocks, so the columnar fast path never holds a whole
// million-row export in memory. CLI layer: the only place that opens files.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { ByteSource } from '../columnar/scan.js';
import { cannotRead } from './io.js';

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
