// The sink job's exact-checkpoint bookkeeping (src/runtime/input-tracker.ts) against a plain model:
// lines begun in file order and finished in any order, duplicates and unknown ids, a window that
// grows past the ring's first size and moves on while lines stay open.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AckedRanges, InputTracker, type InputPosition } from '../../src/runtime/input-tracker.js';
import { seededRandom } from '../../src/runtime/engine/backoff.js';

const test = suite('input tracker');

interface Line {
  offset: number;
  end: number;
  line: number;
  done: boolean;
}

/** What a checkpoint must say: the oldest open line, and the runs of done lines after it. */
function expected(lines: readonly Line[], startOffset: number, startLine: number): InputPosition {
  const first = lines.findIndex((l) => !l.done);
  if (first < 0) return { inputOffset: lines.at(-1)?.end ?? startOffset, lineNumber: lines.at(-1)?.line ?? startLine, acked: [] };
  const acked: [number, number][] = [];
  for (let i = first + 1; i < lines.length; i++) {
    if (!lines[i]!.done) continue;
    const last = acked.at(-1);
    if (last && lines[i - 1]!.done) last[1] = lines[i]!.end;
    else acked.push([lines[i]!.offset, lines[i]!.end]);
  }
  return { inputOffset: lines[first]!.offset, lineNumber: lines[first]!.line - 1, acked };
}

test('positions match the model through growth, out-of-order finishes, duplicates and unknown ids', () => {
  for (const seed of [1, 2, 3, 4]) {
    const random = seededRandom(seed);
    const tracker = new InputTracker(100, 7);
    const lines: Line[] = [];
    let offset = 100;
    let lineNumber = 7;
    let open = 0;
    for (let step = 0; step < 12_000; step++) {
      // Keep up to ~3,000 lines open (the ring starts at 1,024), finishing mostly the older ones.
      if (open === 0 || (random() < 0.5 && open < 3_000)) {
        const len = 1 + Math.floor(random() * 80);
        lineNumber += random() < 0.1 ? 2 : 1; // blank lines keep their numbers
        assert.is(tracker.begin(offset, offset + len, lineNumber), lines.length, 'ids are 0, 1, 2... in begin order');
        lines.push({ offset, end: offset + len, line: lineNumber, done: false });
        offset += len;
        open++;
      } else {
        const id = Math.min(lines.length - 1, Math.floor(random() ** 2 * lines.length + random() * 5) - 2);
        const known = id >= 0 && id < lines.length;
        assert.is(tracker.finish(id), known && !lines[id]!.done, `finish(${id})`);
        if (known && !lines[id]!.done) open--;
        if (known) lines[id]!.done = true;
      }
      if (step % 250 === 0) assert.equal(tracker.position(), expected(lines, 100, 7), `seed ${seed}, step ${step}`);
      assert.is(tracker.pending, open);
    }
    for (let id = 0; id < lines.length; id++) tracker.finish(id);
    for (const l of lines) l.done = true;
    assert.equal(tracker.position(), expected(lines, 100, 7));
    assert.is(tracker.pending, 0);
  }
});

test('a fresh tracker is at its start; acked ranges are skipped in order', () => {
  assert.equal(new InputTracker(42, 3).position(), { inputOffset: 42, lineNumber: 3, acked: [] });
  const skip = new AckedRanges([
    [10, 20],
    [30, 40],
  ]);
  assert.equal([0, 10, 15, 20, 30, 39, 40].map((o) => skip.covers(o)), [false, true, true, false, true, true, false]);
});

test.run();
