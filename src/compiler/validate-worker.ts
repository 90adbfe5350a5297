/**
 * Validation of a share of a large batch in a worker thread (see validateFiles). The same module is
 * the worker's entry point and, in the calling thread, the function that starts one.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { FileResult } from './load.js';

export function validateInWorker(files: readonly string[]): Promise<FileResult[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: { files } });
    let done = false;
    worker.once('message', (results: FileResult[]) => {
      done = true;
      resolve(results);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!done) reject(new Error(`ara-gen: validation worker exited with code ${code} before reporting`));
    });
  });
}

// No top-level await: the CLI bundles this module as CommonJS (scripts/build.js).
if (!isMainThread && parentPort && (workerData as { files?: unknown } | null)?.files) {
  const port = parentPort;
  void import('./load.js')
    .then(({ validateSerial }) => validateSerial((workerData as { files: string[] }).files))
    .then((results) => port.postMessage(results));
}
