// Worker-thread entry: scans one side's input files while the main thread scans the other side's
// (two cores). It starts before the job is known (see parallelScan.ts): the job arrives as the
// first message on its port, and the result goes back on the same port, which the main thread
// reads synchronously once `done` is raised.
import { workerData, type MessagePort } from 'node:worker_threads';
import type { ScanPlan } from '../columnar/scan.js';
import type { RrnColumns, TerminalPack } from '../columnar/keyIndex.js';

interface Job {
  files: { path: string; plan: Omit<ScanPlan, 'decode'> }[];
}

/** The other side's RRN columns and pairing fields, sent once that side is scanned. */
interface OtherSide {
  other: RrnColumns;
  pack: TerminalPack;
}

const { done, port } = workerData as { done: Int32Array; port: MessagePort };
let finished = false;

/** Sends the result (or what went wrong) and always raises `done`, so the main thread never waits in vain. */
function finish(message: unknown, transfer: ArrayBuffer[] = []): void {
  if (finished) return;
  finished = true;
  try {
    port.postMessage(message, transfer);
  } catch (e) {
    port.postMessage({ error: `scan worker: ${String(e)}` });
  } finally {
    Atomics.store(done, 0, 1);
    Atomics.notify(done, 0);
    port.close();
  }
}

// Whatever goes wrong in this thread ends as a message: the main thread blocks until `done`.
process.on('uncaughtException', (e) => finish({ error: `scan worker: ${String(e)}` }));
process.on('unhandledRejection', (e) => finish({ error: `scan worker: ${String(e)}` }));

// Imported before the job arrives: loading the modules is most of a worker's start-up. A failed
// import is reported as soon as it happens (the job may not have arrived yet).
const modules = Promise.all([import('../columnar/scan.js'), import('./fileSource.js'), import('../model.js'), import('../columnar/keyIndex.js')]);
modules.catch((e: unknown) => finish({ error: `scan worker: ${String(e)}` }));

// Messages in arrival order: the job, then the other side's columns (possibly while this thread
// is still scanning, so they wait here rather than in a listener added later).
const inbox: unknown[] = [];
let waiting: ((message: unknown) => void) | null = null;
port.on('message', (message: unknown) => {
  if (waiting) {
    const deliver = waiting;
    waiting = null;
    deliver(message);
  } else inbox.push(message);
});
const nextMessage = () => new Promise<unknown>((resolve) => (inbox.length > 0 ? resolve(inbox.shift()) : (waiting = resolve)));

void nextMessage().then((job) => {
  const jobs = (job as Job).files;
  void modules.then(async ([{ scanDelimited, ScanAbort }, { openFileSource }, { InputError }, { PairIndex, expectedRrnKeys, indexRrnColumns, indexSettlementWithMates }]) => {
    const scanned = [];
    let current = '';
    try {
      for (const job of jobs) {
        current = job.path;
        const decoder = new TextDecoder(job.plan.encoding, { fatal: true });
        const decode = (b: Uint8Array) => {
          try {
            return decoder.decode(b);
          } catch {
            return null;
          }
        };
        const source = openFileSource(job.path);
        try {
          scanned.push(scanDelimited(source, { ...job.plan, decode }));
        } finally {
          source.close();
        }
      }
      // Both sides' RRNs, indexed here while the main thread reads its side's rows, and each
      // settlement row's RRN mate.
      const { other, pack } = (await nextMessage()) as OtherSide;
      const index = new PairIndex(expectedRrnKeys(other.count, scanned.reduce((n, f) => n + f.count, 0)));
      indexRrnColumns(index, 0, [other]);
      const mates = indexSettlementWithMates(index, scanned, pack);
      const parts = index.toParts();
      const buffers = scanned.flatMap((s) => Object.values(s).filter((v): v is ArrayBufferView => ArrayBuffer.isView(v)).map((v) => v.buffer as ArrayBuffer));
      const moved = [parts.keys, parts.terminalRows, parts.settlementRows, mates.terminal, mates.terminalWords, mates.terminalBiz].map((a) => a.buffer as ArrayBuffer);
      finish({ scanned, index: parts, mates }, [...buffers, ...moved]);
    } catch (e) {
      // A read error is the user's (exit 2, one line and its hint); anything else is a bug (exit 3).
      finish(
        e instanceof ScanAbort ? { abort: `${current}: ${e.message}` }
        : e instanceof InputError ? { inputError: e.message, hint: e.hint }
        : { error: String(e) },
      );
    }
  });
});
