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
    const scanned = scanDelimited(source, { ...job.plan, decode });
    const buffers = Object.values(scanned).filter((v): v is ArrayBufferView => ArrayBuffer.isView(v)).map((v) => v.buffer as ArrayBuffer);
    job.port.postMessage({ scanned }, buffers);
  } catch (e) {
    job.port.postMessage(e instanceof ScanAbort ? { abort: e.message } : { error: String(e) });
  } finally {
    source.close();
  }
} catch (e) {
  job.port.postMessage({ error: `scan worker: ${String(e)}` });
} finally {
  Atomics.store(job.done, 0, 1);
  Atomics.notify(job.done, 0);
}
