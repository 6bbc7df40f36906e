// Worker-thread entry: scans one input file while the main thread scans the other (two cores,
// two files). The job arrives in workerData; the result goes back on a MessagePort that the
// main thread reads synchronously once `done` is raised (see parallelScan.ts).
import { workerData, type MessagePort } from 'node:worker_threads';
import type { ScanPlan } from '../columnar/scan.js';

interface Job {
  path: string;
  plan: Omit<ScanPlan, 'decode'>;
  done: Int32Array;
  port: MessagePort;
}

const job = workerData as Job;
try {
  // Imported inside the try, so even a failed import reports and raises `done`.
  const { scanDelimited, ScanAbort } = await import('../columnar/scan.js');
  const { openFileSource } = await import('./fileSource.js');
  const { InputError } = await import('../model.js');
  const decoder = new TextDecoder(job.plan.encoding, { fatal: true });
  const decode = (b: Uint8Array) => {
    try {
      return decoder.decode(b);
    } catch {
      return null;
    }
  };
  let source: ReturnType<typeof openFileSource> | undefined;
  try {
    source = openFileSource(job.path);
    const scanned = scanDelimited(source, { ...job.plan, decode });
    const buffers = Object.values(scanned).filter((v): v is ArrayBufferView => ArrayBuffer.isView(v)).map((v) => v.buffer as ArrayBuffer);
    job.port.postMessage({ scanned }, buffers);
  } catch (e) {
    // A read error is the user's (exit 2, one line); anything else is a bug (exit 3).
    const message = e instanceof ScanAbort ? { abort: e.message } : e instanceof InputError ? { inputError: e.message } : { error: String(e) };
    job.port.postMessage(message);
  } finally {
    source?.close();
  }
} catch (e) {
  job.port.postMessage({ error: `scan worker: ${String(e)}` });
} finally {
  Atomics.store(job.done, 0, 1);
  Atomics.notify(job.done, 0);
}
