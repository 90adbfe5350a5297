// The progress line `sink run` draws on a TTY: figures, rate, width handling, clearing.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ProgressLine, type ProgressFigures } from '../../src/cli/sink-run-report.js';

const test = suite('sink progress');

function fakeTty(columns: number | undefined) {
  const writes: string[] = [];
  const stream = { columns, write: (s: string) => (writes.push(s), true) } as unknown as NodeJS.WriteStream;
  return { stream, writes };
}

test('draws every figure on one self-overwriting line with the delivery rate since the last draw (not the read rate)', () => {
  const { stream, writes } = fakeTty(200);
  let f: ProgressFigures = { read: 1000, delivered: 800, deadLettered: 2, inFlight: 198, elapsedMs: 500 };
  const line = new ProgressLine('web-sale-events', () => f, stream);
  line.draw();
  f = { read: 3500, delivered: 3300, deadLettered: 3, inFlight: 197, elapsedMs: 1000 };
  line.draw();
  assert.equal(writes, [
    '\r\u001b[Ksink web-sale-events: 1,000 read · 800 delivered · 198 in flight · 2 dead letters · 1,600 delivered/s',
    '\r\u001b[Ksink web-sale-events: 3,500 read · 3,300 delivered · 197 in flight · 3 dead letters · 5,000 delivered/s',
  ]);
  // Draining: nothing is read any more, the rate is what the destination still takes.
  f = { read: 3500, delivered: 3490, deadLettered: 3, inFlight: 7, elapsedMs: 1500, draining: true };
  line.draw();
  assert.is(writes[2], '\r\u001b[Ksink web-sale-events: 3,500 read · 3,490 delivered · 7 in flight · 3 dead letters · 380 delivered/s · draining');
  line.stop();
  assert.is(writes[3], '\r\u001b[K', 'stop() clears the line before the summary');
});

test('a terminal that reports no width (columns 0) gets the whole line; a narrow one a cut line', () => {
  const figures = (): ProgressFigures => ({ read: 1, delivered: 1, deadLettered: 0, inFlight: 0, elapsedMs: 1000 });
  const zero = fakeTty(0);
  new ProgressLine('s', figures, zero.stream).draw();
  assert.is(zero.writes[0], '\r\u001b[Ksink s: 1 read · 1 delivered · 0 in flight · 0 dead letters · 1 delivered/s');
  const narrow = fakeTty(31);
  new ProgressLine('s', figures, narrow.stream).draw();
  assert.is(narrow.writes[0], '\r\u001b[Ksink s: 1 read · 1 delivered ·');
});

test.run();
