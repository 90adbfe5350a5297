/** What `sink run` reports: the `--stats-json` document, the end-of-run summary and the TTY progress line. */
import type { SinkStats } from '../runtime/engine/metrics.js';
import type { DeadLetterReason } from '../runtime/sink.js';
import { paint } from './io.js';

export interface RunReport {
  sink: string;
  destination: string;
  /** Absolute input path, or `-` for stdin. */
  input: string;
  outcome: 'ok' | 'dead-letters' | 'fatal' | 'interrupted';
  exitCode: number;
  /**
   * User records over the whole input (all runs of a checkpoint): read = delivered + deadLettered
   * once the run completed; `unacknowledged` is what the checkpoint still holds after a fatal stop
   * or an interruption.
   */
  records: { read: number; delivered: number; deadLettered: number; unacknowledged: number };
  deadLetters: Record<DeadLetterReason, number> & { file: string | null };
  /** Input bytes consumed by this run. */
  bytesRead: number;
  /** This run's engine figures (entries; KPL aggregates with kpl). */
  engine: SinkStats;
  durationMs: number;
  /** Input records of this run per second. */
  recordsPerSecond: number;
  resumed: { fromOffset: number; fromLine: number; skippedRanges: number } | null;
  checkpoint: { dir: string; saves: number; totalMs: number; maxMs: number; lastBytes: number; complete: boolean } | null;
  /** After SIGINT/SIGTERM: whether the drain finished within --drain-timeout. */
  drained: boolean;
  /** Peak resident set size of the process. */
  maxRssBytes: number;
}

/**
 * An integer with thousands separators, as toLocaleString('en-US') writes it. Not Intl: its first
 * use loads ICU's number data, 20-50 ms of a short `sink run` spent on its summary.
 */
const n = (x: number): string => (Number.isSafeInteger(x) ? String(x).replace(/\B(?=(\d{3})+$)/g, ',') : x.toLocaleString('en-US'));

export function formatBytes(b: number): string {
  if (b < 1024) return `${b} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = b;
  let u = -1;
  do {
    v /= 1024;
    u++;
  } while (v >= 1024 && u < units.length - 1);
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

export function formatSummary(r: RunReport, colour: boolean): string {
  const e = r.engine;
  const d = r.deadLetters;
  const status =
    r.outcome === 'ok'
      ? paint('every record delivered', 'green', colour)
      : r.outcome === 'dead-letters'
        ? paint(`${n(r.records.deadLettered)} record${r.records.deadLettered === 1 ? '' : 's'} dead-lettered`, 'yellow', colour)
        : r.outcome === 'fatal'
          ? paint('stopped on a fatal destination error', 'red', colour)
          : paint('interrupted', 'yellow', colour);
  const reasons = (Object.keys(d) as (keyof typeof d)[])
    .filter((k) => k !== 'file' && (d[k] as number) > 0)
    .map((k) => `${k} ${n(d[k] as number)}`)
    .join(', ');
  const lines = [
    `sink ${r.sink} -> ${r.destination}: ${status}`,
    `  records    read ${n(r.records.read)} · delivered ${n(r.records.delivered)} · dead-lettered ${n(r.records.deadLettered)}${r.records.unacknowledged ? ` · unacknowledged ${n(r.records.unacknowledged)}` : ''}`,
  ];
  if (r.records.deadLettered > 0) lines.push(`  dead       ${reasons || 'from earlier runs'} -> ${d.file ?? '(not written)'}`);
  lines.push(
    `  entries    in ${n(e.recordsIn)} · out ${n(e.recordsOut)} · bytes in ${formatBytes(e.bytesIn)} · out ${formatBytes(e.bytesOut)} (input read ${formatBytes(r.bytesRead)})`,
    `  requests   ${n(e.requests)} · retried entries ${n(e.retries)} · throttled ${n(e.throttled)} · failed requests ${n(e.failedRequests)} · max in flight ${n(e.maxInFlight)}`,
    `  batches    min ${n(e.batchSize.min)} · mean ${e.batchSize.mean} · p50 ${n(e.batchSize.p50)} · p95 ${n(e.batchSize.p95)} · max ${n(e.batchSize.max)}`,
    `  latency    p50 ${e.latencyMs.p50} ms · p95 ${e.latencyMs.p95} ms · p99 ${e.latencyMs.p99} ms · max ${e.latencyMs.max} ms`,
    `  time       ${formatMs(r.durationMs)} · ${n(r.recordsPerSecond)} records/s · peak RSS ${formatBytes(r.maxRssBytes)}`,
  );
  if (r.resumed) lines.push(`  resumed    at line ${n(r.resumed.fromLine + 1)} (byte ${n(r.resumed.fromOffset)})${r.resumed.skippedRanges ? `, skipping ${n(r.resumed.skippedRanges)} acknowledged range${r.resumed.skippedRanges === 1 ? '' : 's'} past it` : ''}`);
  if (r.checkpoint) {
    const c = r.checkpoint;
    lines.push(`  checkpoint ${c.dir}: ${n(c.saves)} saves, ${c.totalMs} ms total, last ${formatBytes(c.lastBytes)}${c.complete ? ', complete' : ''}`);
  }
  return lines.join('\n');
}

export interface ProgressFigures {
  read: number;
  delivered: number;
  deadLettered: number;
  inFlight: number;
  elapsedMs: number;
  draining?: boolean;
}

/** One self-overwriting stderr line, redrawn at most 4 times a second (TTY only). */
export class ProgressLine {
  private timer: NodeJS.Timeout | undefined;
  private lastDelivered = 0;
  private lastAt = 0;
  private drawn = false;

  constructor(
    private readonly sink: string,
    private readonly figures: () => ProgressFigures,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.draw(), 250);
    this.timer.unref();
  }

  draw(): void {
    const f = this.figures();
    const dt = f.elapsedMs - this.lastAt;
    // The delivery rate (the read rate would show 0 while draining, and run ahead of the destination).
    const rate = dt > 0 ? Math.round(((f.delivered - this.lastDelivered) / dt) * 1000) : 0;
    this.lastDelivered = f.delivered;
    this.lastAt = f.elapsedMs;
    const text = `sink ${this.sink}: ${n(f.read)} read · ${n(f.delivered)} delivered · ${n(f.inFlight)} in flight · ${n(f.deadLettered)} dead letters · ${n(rate)} delivered/s${f.draining ? ' · draining' : ''}`;
    // columns is 0 or undefined when the terminal does not report its width (script, some CI ptys).
    const columns = this.stream.columns || 120;
    this.stream.write(`\r\u001b[K${text.slice(0, Math.max(20, columns - 1))}`);
    this.drawn = true;
  }

  clear(): void {
    if (this.drawn) this.stream.write('\r\u001b[K');
    this.drawn = false;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
  }
}
