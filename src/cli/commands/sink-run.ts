/**
 * `ara-gen sink run <config.json>`: reads NDJSON events (a file or stdin), sends them through the
 * sink the config describes, shows progress on a TTY and prints a summary. With --checkpoint DIR
 * a killed run resumes where its last checkpoint left off (at-least-once; see docs/sinks.md).
 *
 * Exit codes: 0 every record delivered; 1 some records went to the dead-letter file (all are
 * accounted for); 2 usage or configuration error; 3 fatal destination error (the checkpoint keeps
 * the undelivered records); 130 / 143 interrupted by SIGINT / SIGTERM after draining.
 */
import { statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { type CommandSpec, type ParsedArgs, UsageError } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { colourEnabled, err, paint } from '../io.js';
import { loadSinkConfig, SinkConfigFileError, type SinkConfig } from '../../runtime/sink-config-file.js';
import { DeadLetterWriter } from '../../runtime/dead-letter.js';
import { readNdjson } from '../../runtime/ndjson-source.js';
import { createSink, type Sink } from '../../runtime/sink.js';
import {
  Checkpointer,
  CheckpointError,
  CheckpointStore,
  checkResumable,
  configFingerprint,
  fingerprintInput,
  type CheckpointState,
  type CheckpointTotals,
  type InputFingerprint,
} from '../../runtime/checkpoint.js';
import { FatalSinkError, SinkConfigError } from '../../runtime/engine/errors.js';
import { FileDestinationError } from '../../runtime/destinations/file.js';
import { formatSummary, ProgressLine, type RunReport } from '../sink-run-report.js';

const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;
type StopSignal = keyof typeof SIGNAL_EXIT;

export const command: CommandSpec = {
  name: 'sink run',
  summary: 'Run a sink-runtime config over NDJSON input',
  usage: 'ara-gen sink run <config.json> [--input FILE|-] [--checkpoint DIR] [--dead-letter FILE] [--stats-json FILE] [--endpoint URL]',
  description: [
    'Reads one JSON event per line (stdin by default), sends the events through the sink the config describes',
    '(written by `ara-gen synth` to <outdir>/sinks/<sink>.json) and prints a summary on stderr.',
    'Endpoints and credentials come from the environment (AWS_ENDPOINT_URL_KINESIS, AWS_PROFILE, REDIS_URL, ...) or --endpoint.',
    'Records that cannot be delivered (invalid JSON, missing partition key, oversize) go to the dead-letter file,',
    'by default ./<sink>.dead-letter.ndjson, created only when there is one.',
    'Exit codes: 0 all delivered; 1 some dead-lettered; 2 usage/config error; 3 fatal destination error;',
    '130/143 interrupted (SIGINT/SIGTERM) after draining and checkpointing.',
  ].join('\n'),
  options: [
    { name: 'input', short: 'i', type: 'string', valueName: 'FILE', description: "NDJSON input file, or '-' for stdin (default)." },
    { name: 'checkpoint', type: 'string', valueName: 'DIR', description: 'Persist progress in DIR and resume from it (needs --input FILE).' },
    { name: 'dead-letter', type: 'string', valueName: 'FILE', description: 'Dead-letter file (default ./<sink>.dead-letter.ndjson).' },
    { name: 'stats-json', type: 'string', valueName: 'FILE', description: 'Write the run statistics as JSON to FILE.' },
    { name: 'endpoint', type: 'string', valueName: 'URL', description: 'Destination endpoint URL (overrides AWS_ENDPOINT_URL_*); redis:// or rediss:// for a redis-stream sink (overrides REDIS_URL).' },
  ],
  positionals: { min: 1, max: 1 },
  examples: [
    'ara-gen sink run cdk.out/sinks/web-sale-events.json --input events.ndjson',
    'gunzip -c events.ndjson.gz | ara-gen sink run cdk.out/sinks/web-sale-events.json --stats-json stats.json',
    'ara-gen sink run sink.json --input big.ndjson --checkpoint .ckpt   # re-run the same line after a crash',
  ],
  run,
};

/**
 * Peak RSS must not depend on the input size. What the engine keeps alive is bounded (after a full
 * GC: ~12 MiB of heap and the buffered records), but V8 grows the young generation (up to 3 × 16
 * MiB semi-spaces) while a long run keeps a high allocation rate, so the peak RSS crept up with the
 * run's length (157 MiB at 100k records, 206 MiB from 400k on). A fixed young generation keeps it
 * flat and costs no throughput for this workload (short-lived per-record garbage). Only this
 * command sets it: it owns its process, a library user's process is left alone.
 */
function boundYoungGeneration(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}

async function run(args: ParsedArgs): Promise<number> {
  boundYoungGeneration();
  const colour = colourEnabled();
  const configPath = args.positionals[0]!;
  const inputOpt = (args.options.input as string | undefined) ?? '-';
  const checkpointDir = args.options.checkpoint as string | undefined;
  const statsPath = args.options['stats-json'] as string | undefined;
  const endpoint = args.options.endpoint as string | undefined;
  const fromStdin = inputOpt === '-';

  if (endpoint !== undefined && !/^(https?|rediss?):\/\/[^\s/]+/.test(endpoint)) {
    throw new UsageError(`--endpoint must be an http://, https:// or (for a redis-stream sink) redis:// URL; got '${hideUserInfo(endpoint)}'`, 'e.g. --endpoint http://127.0.0.1:4567');
  }
  // Checked before any record is sent: the statistics are written only after the run, when an
  // unwritable path would otherwise end a completed run with an internal error.
  if (statsPath !== undefined) checkStatsPath(statsPath);
  if (checkpointDir !== undefined && fromStdin) {
    throw new UsageError('--checkpoint needs --input FILE: stdin cannot be read again after a restart', 'save the input to a file and pass it with --input');
  }

  let config: SinkConfig;
  try {
    config = await loadSinkConfig(configPath);
  } catch (e) {
    if (!(e instanceof SinkConfigFileError)) throw e;
    for (const f of e.findings) {
      err(`${paint('error', 'red', colour)}: ${configPath}: ${f.pointer ? `${f.pointer}: ` : ''}${f.message}${f.hint ? `\n  hint: ${f.hint}` : ''}`);
    }
    return ExitCode.Usage;
  }

  if (endpoint !== undefined && /^rediss?:/.test(endpoint) !== (config.destination.type === 'redis-stream')) {
    const want = config.destination.type === 'redis-stream' ? 'a redis:// or rediss:// URL' : 'an http:// or https:// URL';
    throw new UsageError(`--endpoint must be ${want} for a ${config.destination.type} sink; got '${hideUserInfo(endpoint)}'`);
  }

  if (!fromStdin) {
    try {
      if (!statSync(inputOpt).isFile()) throw new UsageError(`input '${inputOpt}' is not a file`);
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError(`cannot read input '${inputOpt}': ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (e as Error).message}`, "pass an NDJSON file with --input, or '-' for stdin");
    }
  }

  // ---- checkpoint: resume or start -----------------------------------------------------------
  const configSha256 = configFingerprint(config);
  let store: CheckpointStore | undefined;
  let resumeFrom: CheckpointState | undefined;
  let fingerprint: InputFingerprint | undefined;
  let deadLetterPath = resolve((args.options['dead-letter'] as string | undefined) ?? `${config.sink}.dead-letter.ndjson`);
  if (checkpointDir !== undefined) {
    store = new CheckpointStore(checkpointDir);
    try {
      fingerprint = fingerprintInput(inputOpt);
      resumeFrom = store.load();
      if (resumeFrom) checkResumable(resumeFrom, checkpointDir, configSha256, fingerprint);
    } catch (e) {
      if (!(e instanceof CheckpointError)) throw e;
      err(`${paint('error', 'red', colour)}: ${e.message}${e.hint ? `\n  hint: ${e.hint}` : ''}`);
      return ExitCode.Usage;
    }
    if (resumeFrom) {
      if (args.options['dead-letter'] !== undefined && deadLetterPath !== resumeFrom.deadLetterFile) {
        throw new UsageError(`the checkpoint writes dead letters to ${resumeFrom.deadLetterFile}, not ${deadLetterPath}`, 'pass the same --dead-letter file as the first run, or none');
      }
      deadLetterPath = resumeFrom.deadLetterFile;
      if (resumeFrom.complete) {
        const t = resumeFrom.totals;
        err(`sink ${config.sink}: nothing to do, the checkpoint in ${store.dir} records that ${inputOpt} was processed completely (${t.read} records: ${t.delivered} delivered, ${t.deadLettered} dead-lettered).`);
        return t.deadLettered > 0 ? ExitCode.Findings : ExitCode.Ok;
      }
    }
  }

  const base: CheckpointTotals = resumeFrom?.totals ?? { read: 0, delivered: 0, deadLettered: 0, deadLetterBytes: 0 };
  const deadLetters = new DeadLetterWriter(deadLetterPath, resumeFrom ? { keepBytes: base.deadLetterBytes } : {});

  let sink: Sink;
  try {
    sink = createSink(config, { endpoint, deadLetter: deadLetters });
    if (resumeFrom) sink.restore(resumeFrom.snapshot);
  } catch (e) {
    deadLetters.close();
    if (e instanceof SinkConfigError) {
      err(`${paint('error', 'red', colour)}: ${configPath}: ${e.message}`);
      return ExitCode.Usage;
    }
    if (e instanceof FileDestinationError) {
      err(`${paint('error', 'red', colour)}: sink ${config.sink}: ${e.message}`);
      return ExitCode.Failed;
    }
    throw e;
  }

  // ---- the pump ---------------------------------------------------------------------------------
  const started = performance.now();
  let committedOffset = resumeFrom?.inputOffset ?? 0;
  let committedLine = resumeFrom?.lineNumber ?? 0;
  let readThisRun = 0;
  const startOffset = committedOffset;
  let stopSignal: StopSignal | undefined;
  let fatal: FatalSinkError | undefined;
  let reachedEnd = false;

  const totals = (): CheckpointTotals => {
    const c = sink.counts();
    return { read: base.read + readThisRun, delivered: base.delivered + c.delivered, deadLettered: base.deadLettered + c.deadLettered, deadLetterBytes: deadLetters.bytes };
  };
  const capture = (complete: boolean): CheckpointState => ({
    version: 1,
    complete,
    sink: config.sink,
    configSha256,
    input: fingerprint!,
    inputOffset: committedOffset,
    lineNumber: committedLine,
    deadLetterFile: deadLetterPath,
    totals: totals(),
    snapshot: sink.snapshot(),
  });
  const checkpointer = store
    ? new Checkpointer(store, () => capture(false), () => `${committedOffset}:${sink.counts().delivered}:${deadLetters.bytes}`, {
        everyRecords: config.bufferingHints.maxBufferedRequests,
      })
    : undefined;
  checkpointer?.start();

  const progress = process.stderr.isTTY ? new ProgressLine(config.sink, () => ({ ...totals(), inFlight: sink.unacknowledged(), elapsedMs: performance.now() - started })) : undefined;
  progress?.start();

  let signals = 0;
  const onSignal = (signal: StopSignal): void => {
    signals++;
    stopSignal ??= signal;
    if (signals === 1) {
      progress?.clear();
      // A read from stdin may be waiting for data that never comes: end it.
      if (fromStdin) process.stdin.destroy();
      err(`sink ${config.sink}: ${signal}: stopping; draining what was read${checkpointer ? ' and saving the checkpoint' : ''} (again to abort at once)`);
      return;
    }
    // Second signal: give up draining. The snapshot holds everything unacknowledged.
    checkpointer?.saveNow();
    deadLetters.close();
    const pending = sink.unacknowledged();
    err(
      `sink ${config.sink}: ${signal} again: exiting without draining; ${pending} record${pending === 1 ? '' : 's'} read but not acknowledged` +
        (checkpointer ? ` are kept in the checkpoint in ${checkpointer.store.dir}` : ' may not have been delivered'),
    );
    process.exit(SIGNAL_EXIT[signal]);
  };
  const sigint = (): void => onSignal('SIGINT');
  const sigterm = (): void => onSignal('SIGTERM');
  process.on('SIGINT', sigint);
  process.on('SIGTERM', sigterm);

  try {
    const source = readNdjson(
      fromStdin ? { stream: process.stdin } : { path: inputOpt, startOffset: committedOffset, startLine: committedLine },
    );
    outer: for await (const lines of source) {
      for (const line of lines) {
        if (stopSignal) break outer;
        if (line.error !== undefined) sink.rejectInput(line.error, line.text, line.line);
        else await sink.write(line.value, { raw: line.text, at: line.line });
        readThisRun++;
        committedOffset = line.end;
        committedLine = line.line;
        checkpointer?.recordHandled();
      }
    }
    if (!stopSignal) reachedEnd = true;
    await sink.close();
  } catch (e) {
    if (e instanceof FatalSinkError) {
      fatal = e;
      await sink.close().catch(() => undefined);
    } else if (stopSignal && fromStdin) {
      // stdin destroyed by the signal handler ends the read with ERR_STREAM_PREMATURE_CLOSE.
      await sink.close().catch((closeError: unknown) => {
        if (closeError instanceof FatalSinkError) fatal = closeError;
      });
    } else {
      cleanup();
      throw e;
    }
  }
  // Trailing blank lines count as read input too: a finished run covers the whole file.
  if (reachedEnd && !fatal && fingerprint) {
    committedOffset = fingerprint.size;
  }

  const complete = reachedEnd && !fatal;
  checkpointer?.stop();
  if (store) store.save(capture(complete));
  cleanup();

  const t = totals();
  const exitCode = fatal ? ExitCode.Failed : stopSignal ? SIGNAL_EXIT[stopSignal] : t.deadLettered > 0 ? ExitCode.Findings : ExitCode.Ok;
  const report: RunReport = {
    sink: config.sink,
    destination: sink.destination.description,
    input: fromStdin ? '-' : resolve(inputOpt),
    outcome: fatal ? 'fatal' : stopSignal ? 'interrupted' : t.deadLettered > 0 ? 'dead-letters' : 'ok',
    exitCode,
    records: { read: t.read, delivered: t.delivered, deadLettered: t.deadLettered, unacknowledged: sink.unacknowledged() },
    deadLetters: { ...sink.stats().deadLetters, file: t.deadLettered > 0 || deadLetters.bytes > 0 ? deadLetterPath : null },
    bytesRead: committedOffset - startOffset,
    engine: sink.stats().engine,
    durationMs: Math.round(performance.now() - started),
    recordsPerSecond: 0,
    resumed: resumeFrom ? { fromOffset: resumeFrom.inputOffset, fromLine: resumeFrom.lineNumber, restoredRecords: sink.counts().restored } : null,
    checkpoint: store ? { dir: store.dir, saves: store.saves, totalMs: round(store.totalMs), maxMs: round(store.maxMs), lastBytes: store.lastBytes, complete } : null,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  };
  report.recordsPerSecond = report.durationMs > 0 ? Math.round((readThisRun / report.durationMs) * 1000) : readThisRun;
  err(formatSummary(report, colour));
  if (fatal) err(`${paint('error', 'red', colour)}: ${fatal.message}${store ? ` Re-run the same command to resume: the checkpoint keeps the ${report.records.unacknowledged} undelivered records.` : ''}`);
  if (statsPath) writeFileSync(statsPath, JSON.stringify(report, null, 2) + '\n');
  return exitCode;

  function cleanup(): void {
    progress?.stop();
    checkpointer?.stop();
    deadLetters.close();
    process.off('SIGINT', sigint);
    process.off('SIGTERM', sigterm);
  }
}

const round = (x: number): number => Math.round(x * 100) / 100;

function checkStatsPath(path: string): void {
  const hint = 'pass a file path in an existing directory, e.g. --stats-json stats.json';
  const isDirectory = (p: string): boolean | undefined => {
    try {
      return statSync(p).isDirectory();
    } catch {
      return undefined;
    }
  };
  if (isDirectory(path) === true) throw new UsageError(`--stats-json '${path}' is a directory`, hint);
  if (isDirectory(dirname(resolve(path))) !== true) throw new UsageError(`--stats-json '${path}': the directory ${dirname(resolve(path))} does not exist`, hint);
}

/** A URL as it may be shown: without the password a `redis://user:password@host` URL carries. */
function hideUserInfo(url: string): string {
  return url.replace(/\/\/[^@/\s]*@/, '//***@');
}
