// Worker-thread entry: scans one file while the main thread scans the other (two cores, two
// files). Everything it needs arrives in workerData; the result goes back on a MessagePort the
// main thread reads synchronously once `done` is raised (see scanInParallel).
import { workerData, type MessagePort } from 'node:worker_threads';
import type { ScanPlan } from './scan.js';

interface Job {
  bytes: Uint8Array;
  plan: Omit<ScanPlan, 'decode'>;
  encoding: string;
  done: Int32Array;
  port: MessagePort;
}

const job = workerData as Job;
try {
  // Imported here, inside the try, so even a failed import still reports and raises `done`.
  const { scanDelimited, ScanAbort } = await import('./scan.js');
  const decoder = new TextDecoder(job.encoding, { fatal: true });
  const decode = (b: Uint8Array) => {
    try {
      return decoder.decode(b);
    } catch {
      return null;
    }
  };
  try {
    const scanned = scanDelimited(job.bytes, { ...job.plan, decode });
    const buffers = Object.values(scanned).filter((v): v is ArrayBufferView => ArrayBuffer.isView(v)).map((v) => v.buffer as ArrayBuffer);
    job.port.postMessage({ scanned }, buffers);
  } catch (e) {
    job.port.postMessage(e instanceof ScanAbort ? { abort: e.message } : { error: String(e) });
  }
} catch (e) {
  job.port.postMessage({ error: `scan worker: ${String(e)}` });
} finally {
  Atomics.store(job.done, 0, 1);
  Atomics.notify(job.done, 0);
}
