// The fast path's second core: a worker thread that scans one side's files, then indexes both
// sides' RRNs (the other side's columns arrive as a message). The pipeline is synchronous, so
// `join` blocks: the worker raises a shared flag when it is done and its result is taken off
// the port with receiveMessageOnPort.
import { MessageChannel, Worker, receiveMessageOnPort } from 'node:worker_threads';
import type { ParallelScanner, ScanJoin } from '../columnar/reconcileColumnar.js';
import type { PairIndexParts, RrnColumns, RrnMates, TerminalPack } from '../columnar/keyIndex.js';
import { ScanAbort, type ScannedFile } from '../columnar/scan.js';
import { InputError } from '../model.js';

/**
 * Starts the worker at once: its thread and modules boot (~0.1 s) while this thread reads the
 * heads of both files, and the scan job follows as a message. `close()` ends a worker that got
 * no job (the fast path fell back before scanning).
 */
export function workerScanner(paths: { terminal: string[]; settlement: string[] }): ParallelScanner & { close(): void } {
  const done = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(new URL('./scanWorker.js', import.meta.url), {
    workerData: { done, port: port1 },
    transferList: [port1],
  });
  worker.unref();
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    port2.close();
    void worker.terminate(); // its isolate holds tens of MiB until it exits
  };
  return {
    close,
    start(side, plans) {
      port2.postMessage({ files: plans.map((plan, i) => ({ path: paths[side][i], plan })) });
      return {
        indexWith(other: RrnColumns, pack: TerminalPack) {
          // Copies of just the rows (a column's buffer has spare capacity), moved, not cloned.
          const kind = other.kind.slice(0, other.count);
          const rrn = other.rrn.slice(0, other.count);
          port2.postMessage({ other: { count: other.count, kind, rrn }, pack }, [kind.buffer, rrn.buffer, pack.packed.buffer as ArrayBuffer]);
        },
        join(): ScanJoin {
          // The worker always raises the flag (its body is one try/finally); the bound only
          // guards against a hard crash of the thread.
          for (let waited = 0; Atomics.wait(done, 0, 0, 1000) === 'timed-out'; waited++) {
            if (waited > 3600) throw new Error('the scan worker did not finish within an hour');
          }
          const message = receiveMessageOnPort(port2)?.message as
            | { scanned?: ScannedFile[]; index?: PairIndexParts; mates?: RrnMates; abort?: string; inputError?: string; hint?: string; error?: string }
            | undefined;
          close();
          if (message?.abort) throw new ScanAbort(message.abort);
          if (message?.inputError) throw new InputError(message.inputError, message.hint);
          if (!message?.scanned) throw new Error(message?.error ?? 'the scan worker sent no result');
          return { scanned: message.scanned, index: message.index, mates: message.mates };
        },
      };
    },
  };
}
