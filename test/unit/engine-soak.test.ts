import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AsyncSinkWriter } from '../../src/runtime/engine/async-sink-writer.js';
import { seededRandom } from '../../src/runtime/engine/backoff.js';
import { FakeClock } from '../../src/runtime/engine/clock.js';
import { MemoryDestination, awsError, entry, type MemEntry } from '../helpers/memory-destination.js';

// Seeded chaos: whole-request throttling and 500s, requests that never answer (timeouts), and
// per-entry failures, with concurrency and AIMD. Every record must arrive; none dead-lettered.
for (const seed of [1, 2, 3]) {
  test(`no loss under seeded faults (seed ${seed})`, async () => {
    const rnd = seededRandom(seed);
    const clock = new FakeClock();
    const dest = new MemoryDestination({
      respond: (batch) => {
        const r = rnd();
        if (r < 0.05) return awsError('ThrottlingException', 400);
        if (r < 0.1) return awsError('InternalFailure', 500);
        if (r < 0.13) return 'hang';
        return {
          failures: batch.flatMap((_, index) => (rnd() < 0.15 ? [{ index, code: 'ProvisionedThroughputExceededException', message: '' }] : [])),
        };
      },
    });
    const dead: string[] = [];
    const writer = new AsyncSinkWriter<MemEntry>({
      destination: dest,
      clock,
      random: seededRandom(seed + 100),
      hints: { maxBatchSize: 8, maxInFlightRequests: 4, maxBufferedRequests: 40, maxTimeInBufferMs: 50 },
      retry: { requestTimeoutMs: 500, initialBackoffMs: 5, maxBackoffMs: 100 },
      onDeadLetter: (e) => dead.push(e.key),
    });
    const N = 3000;
    let written = 0;
    const producer = (async () => {
      for (let i = 0; i < N; i++) {
        await writer.write(entry(i));
        written++;
      }
    })();
    // Drive time until the producer is done and everything is acknowledged.
    let closed = false;
    const closing = producer.then(() => writer.close()).then(() => (closed = true));
    for (let k = 0; k < 100_000 && !closed; k++) await clock.tick(10);
    await closing;
    assert.is(written, N);
    assert.equal(dead, []);
    const seen = new Set(dest.delivered.map((e) => e.key));
    assert.is(seen.size, N, 'every record delivered at least once');
    const s = writer.stats();
    assert.is(s.recordsOut, dest.delivered.length, 'every acknowledged entry counted once');
    assert.ok(s.retries > 0 && s.throttled > 0 && s.failedRequests > 0, JSON.stringify(s));
    assert.ok(s.maxInFlight <= 4);
    assert.ok(s.batchSize.max <= 8);
    assert.is(s.inFlightRequests, 0);
    assert.is(clock.pendingTimers, 0);
  });
}

test.run();
