/**
 * `ara-gen sink run <config.json>`: flags, TTY progress, signals and exit codes around the library
 * sink job (src/runtime/sink-job.ts), which does the work: read NDJSON events (a file or stdin),
 * send them through the sink the config describes, dead-letter, checkpoint, drain.
 *
 * Exit codes: 0 every record delivered; 1 some records went to the dead-letter file (all are
 * accounted for); 2 usage or configuration error (before anything is read); 3 fatal destination
 * error; 130 / 143 interrupted by SIGINT / SIGTERM after a drain bounded by --drain-timeout.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { type CommandSpec, type ParsedArgs, UsageError } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { colourEnabled, err, paint } from '../io.js';
import { loadSinkConfig, SinkConfigFileError, type SinkConfig } from '../../runtime/sink-config-file.js';
import { DeadLetterWriter } from '../../runtime/dead-letter.js';
import { CheckpointError, CheckpointStore, checkResumable, configFingerprint, fingerprintInput } from '../../runtime/checkpoint.js';
import { SinkConfigError } from '../../runtime/engine/errors.js';
import { FileDestinationError } from '../../runtime/destinations/file.js';
import { checkSinkJobPaths, defaultDeadLetterPath, SinkJobUsageError, startSinkJob, type SinkJob, type SinkJobResult } from '../../runtime/sink-job.js';
import { formatSummary, ProgressLine, type RunReport } from '../sink-run-report.js';

const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;
type StopSignal = keyof typeof SIGNAL_EXIT;

export const command: CommandSpec = {
  name: 'sink run',
  summary: 'Run a sink-runtime config over NDJSON input',
  usage: 'ara-gen sink run <config.json> [--input FILE|-] [--checkpoint DIR] [--dead-letter FILE] [--stats-json FILE] [--endpoint URL] [--drain-timeout 25s]',
  description: [
    'Reads one JSON event per line (stdin by default), sends the events through the sink the config describes',
    '(written by `ara-gen synth` to <outdir>/sinks/<sink>.json) and prints a summary on stderr.',
    'Endpoints and credentials come from the environment (AWS_ENDPOINT_URL_KINESIS, AWS_PROFILE, REDIS_URL, ...) or --endpoint.',
    'Records that cannot be delivered (invalid JSON or UTF-8, missing partition key, oversize) go to the dead-letter file,',
    'by default ./<sink>.dead-letter.ndjson, created only when there is one.',
    'On SIGINT/SIGTERM it stops reading, drains for at most --drain-timeout, saves the checkpoint and exits 130/143.',
    'Exit codes: 0 all delivered; 1 some dead-lettered; 2 usage/config error; 3 fatal destination error;',
    '130/143 interrupted (SIGINT/SIGTERM).',
  ].join('\n'),
  options: [
    { name: 'input', short: 'i', type: 'string', valueName: 'FILE', description: "NDJSON input file, or '-' for stdin (default)." },
    { name: 'checkpoint', type: 'string', valueName: 'DIR', description: 'Persist progress in DIR and resume from it (needs --input FILE).' },
    { name: 'dead-letter', type: 'string', valueName: 'FILE', description: 'Dead-letter file (default ./<sink>.dead-letter.ndjson).' },
    { name: 'stats-json', type: 'string', valueName: 'FILE', description: 'Write the run statistics as JSON to FILE.' },
    { name: 'endpoint', type: 'string', valueName: 'URL', description: 'Destination endpoint URL (overrides AWS_ENDPOINT_URL_*); redis:// or rediss:// for a redis-stream sink (overrides REDIS_URL).' },
    { name: 'drain-timeout', type: 'string', valueName: 'DURATION', description: 'Longest drain after SIGINT/SIGTERM, e.g. 25s (default) or 500ms.' },
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
 * Peak RSS must not depend on the input size, and the garbage collector must not cost more than the
 * work. What the engine keeps alive is bounded (after a full GC: ~12 MiB of heap and the buffered
 * records), but left alone V8 grows its young generation step by step (up to 16 MiB semi-spaces)
 * and lets the old generation grow by a factor of up to 4 between full GCs, so the peak crept up
 * with the run's length (bench/memory.bench.js: 151 MiB at 100k records, 180 MiB at 400k, 205 MiB
 * at 800k). Holding the young generation at its initial 1 MiB kept the peak flat but made every
 * record in the pipeline (buffered, in flight) pay for ~700 scavenges per 100,000 redis-stream
 * records: a fifth of the run's CPU. So: the young generation goes to V8's maximum at its first
 * growth and stays there (~50 scavenges per 100,000 records), and the old generation may only
 * double between full GCs (a few more full GCs of a small live set: ~30 ms per 100,000 records).
 * Peak RSS is then flat and lower than before (memory bench ~130 MiB at 100k and 400k records).
 * Only this command sets these: it owns its process, a library user's process is left alone.
 */
function sizeHeap(): void {
  setFlagsFromString('--semi-space-growth-factor=64');
  setFlagsFromString('--heap-growing-percent=100');
}

/** `25s`, `500ms`, `1.5s` or a plain number of seconds → milliseconds. */
function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(text.trim());
  if (!m) throw new UsageError(`--drain-timeout must be a duration such as 25s or 500ms; got '${text}'`, 'e.g. --drain-timeout 25s');
  const value = Number(m[1]);
  return Math.round(m[2] === 'ms' ? value : value * 1000);
}

async function run(args: ParsedArgs): Promise<number> {
  sizeHeap();
  const colour = colourEnabled();
  const configPath = args.positionals[0]!;
  const inputOpt = (args.options.input as string | undefined) ?? '-';
  const checkpointDir = args.options.checkpoint as string | undefined;
  const statsPath = args.options['stats-json'] as string | undefined;
  const endpoint = args.options.endpoint as string | undefined;
  const drainTimeoutMs = args.options['drain-timeout'] !== undefined ? parseDuration(args.options['drain-timeout'] as string) : 25_000;
  const fromStdin = inputOpt === '-';
  const error = (message: string, hint?: string): void => err(`${paint('error', 'red', colour)}: ${message}${hint ? `\n  hint: ${hint}` : ''}`);

  if (endpoint !== undefined && !/^(https?|rediss?):\/\/[^\s/]+/.test(endpoint)) {
    throw new UsageError(`--endpoint must be an http://, https:// or (for a redis-stream sink) redis:// URL; got '${hideUserInfo(endpoint)}'`, 'e.g. --endpoint http://127.0.0.1:4567');
  }
  if (checkpointDir !== undefined && fromStdin) {
    throw new UsageError('--checkpoint needs --input FILE: stdin cannot be read again after a restart', 'save the input to a file and pass it with --input');
  }

  let config: SinkConfig;
  try {
    config = await loadSinkConfig(configPath);
  } catch (e) {
    if (!(e instanceof SinkConfigFileError)) throw e;
    for (const f of e.findings) error(`${configPath}: ${f.pointer ? `${f.pointer}: ` : ''}${f.message}`, f.hint);
    return ExitCode.Usage;
  }

  if (endpoint !== undefined && /^rediss?:/.test(endpoint) !== (config.destination.type === 'redis-stream')) {
    const want = config.destination.type === 'redis-stream' ? 'a redis:// or rediss:// URL' : 'an http:// or https:// URL';
    throw new UsageError(`--endpoint must be ${want} for a ${config.destination.type} sink; got '${hideUserInfo(endpoint)}'`);
  }

  if (!fromStdin) {
    let isFile: boolean;
    try {
      isFile = (await import('node:fs')).statSync(inputOpt).isFile();
    } catch (e) {
      throw new UsageError(`cannot read input '${inputOpt}': ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (e as Error).message}`, "pass an NDJSON file with --input, or '-' for stdin");
    }
    if (!isFile) throw new UsageError(`input '${inputOpt}' is not a file`);
  }

  // ---- guards: before anything is read or sent ----------------------------------------------------
  const deadLetterPath = resolve((args.options['dead-letter'] as string | undefined) ?? defaultDeadLetterPath(config.sink));
  try {
    checkSinkJobPaths({
      input: fromStdin ? undefined : inputOpt,
      deadLetter: deadLetterPath,
      checkpointDir,
      stats: statsPath,
      destinationFile: config.destination.type === 'file' && config.destination.path !== '/dev/null' ? config.destination.path : undefined,
    });
  } catch (e) {
    if (e instanceof SinkJobUsageError) throw new UsageError(e.message, e.hint);
    throw e;
  }

  // ---- checkpoint: nothing to do, or resume ---------------------------------------------------------
  const store = checkpointDir !== undefined ? new CheckpointStore(checkpointDir) : undefined;
  let keepBytes: number | undefined;
  if (store) {
    try {
      const state = store.load();
      if (state) {
        checkResumable(state, store.dir, config.sink, configFingerprint(config), fingerprintInput(inputOpt), deadLetterPath);
        keepBytes = state.deadLetterFile === deadLetterPath ? state.totals.deadLetterBytes : 0;
        if (state.complete) {
          const t = state.totals;
          err(`sink ${config.sink}: nothing to do, the checkpoint in ${store.dir} records that ${inputOpt} was processed completely (${t.read} records: ${t.delivered} delivered, ${t.deadLettered} dead-lettered).`);
          return t.deadLettered > 0 ? ExitCode.Findings : ExitCode.Ok;
        }
      }
    } catch (e) {
      if (!(e instanceof CheckpointError)) throw e;
      error(e.message, e.hint);
      return ExitCode.Usage;
    }
  }

  const deadLetters = new DeadLetterWriter(deadLetterPath, keepBytes !== undefined ? { keepBytes } : {});
  let job: SinkJob;
  try {
    job = startSinkJob({
      config,
      input: fromStdin ? { stream: process.stdin } : { path: inputOpt },
      endpoint,
      deadLetters,
      checkpoint: store,
      drainTimeoutMs,
    });
  } catch (e) {
    deadLetters.close();
    if (e instanceof SinkConfigError) {
      error(`${configPath}: ${e.message}`);
      return ExitCode.Usage;
    }
    if (e instanceof CheckpointError || e instanceof SinkJobUsageError) {
      error(e.message, e.hint);
      return ExitCode.Usage;
    }
    if (e instanceof FileDestinationError) {
      error(`sink ${config.sink}: ${e.message}`);
      return ExitCode.Failed;
    }
    throw e;
  }

  const progress = process.stderr.isTTY
    ? new ProgressLine(config.sink, () => {
        const p = job.progress();
        return { read: p.read, delivered: p.delivered, deadLettered: p.deadLettered, inFlight: p.unacknowledged, elapsedMs: p.elapsedMs, draining: p.draining };
      })
    : undefined;
  progress?.start();

  let stopSignal: StopSignal | undefined;
  const onSignal = (signal: StopSignal): void => {
    progress?.clear();
    if (stopSignal) {
      err(`sink ${config.sink}: ${signal} again: stopping without draining${store ? `; the checkpoint in ${store.dir} keeps what is not delivered` : ''}`);
      job.abort();
      return;
    }
    stopSignal = signal;
    // A read from stdin may be waiting for data that never comes: end it.
    if (fromStdin) process.stdin.destroy();
    err(`sink ${config.sink}: ${signal}: stopping; draining for at most ${drainTimeoutMs / 1000} s${store ? ' and saving the checkpoint' : ''} (again to stop at once)`);
    job.stop();
  };
  const sigint = (): void => onSignal('SIGINT');
  const sigterm = (): void => onSignal('SIGTERM');
  process.on('SIGINT', sigint);
  process.on('SIGTERM', sigterm);

  let result: SinkJobResult;
  try {
    result = await job.done;
  } catch (e) {
    if (e instanceof CheckpointError) {
      error(e.message, e.hint);
      return ExitCode.Failed;
    }
    // stdin destroyed by the signal handler ends the read with ERR_STREAM_PREMATURE_CLOSE.
    throw e;
  } finally {
    progress?.stop();
    process.off('SIGINT', sigint);
    process.off('SIGTERM', sigterm);
  }

  const exitCode =
    result.outcome === 'fatal' ? ExitCode.Failed : result.outcome === 'interrupted' ? SIGNAL_EXIT[stopSignal ?? 'SIGTERM'] : result.outcome === 'dead-letters' ? ExitCode.Findings : ExitCode.Ok;
  const report: RunReport = {
    sink: result.sink,
    destination: result.destination,
    input: fromStdin ? '-' : resolve(inputOpt),
    outcome: result.outcome,
    exitCode,
    records: result.records,
    deadLetters: { ...result.deadLetters, file: result.deadLetters.location },
    bytesRead: result.bytesRead,
    engine: result.engine,
    durationMs: result.durationMs,
    recordsPerSecond: result.recordsPerSecond,
    resumed: result.resumed,
    checkpoint: result.checkpoint ? { ...result.checkpoint, complete: result.complete } : null,
    drained: result.drained,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  };
  delete (report.deadLetters as { location?: unknown }).location;
  err(formatSummary(report, colour));
  const pending = result.records.unacknowledged;
  if (result.fatal) {
    const rest = store
      ? ` Re-run the same command to resume: the checkpoint keeps the ${pending} undelivered record${pending === 1 ? '' : 's'}.`
      : pending > 0
        ? ` ${pending} record${pending === 1 ? ' was' : 's were'} read but not delivered; run with --input FILE --checkpoint DIR to resume instead of starting over.`
        : '';
    error(`${result.fatal.message}${rest}`);
  } else if (!result.drained) {
    err(`sink ${config.sink}: the drain did not finish within ${drainTimeoutMs / 1000} s; ${pending} record${pending === 1 ? '' : 's'} not acknowledged${store ? ` are kept in the checkpoint in ${store.dir}` : ' may not have been delivered'}.`);
  }
  if (statsPath) {
    try {
      writeFileSync(statsPath, JSON.stringify(report, null, 2) + '\n');
    } catch (e) {
      error(`cannot write --stats-json ${statsPath}: ${(e as Error).message}; the run itself ${exitCode === 0 ? 'succeeded' : `ended with exit code ${exitCode}`}`);
    }
  }
  return exitCode;
}

/** A URL as it may be shown: without the password a `redis://user:password@host` URL carries. */
function hideUserInfo(url: string): string {
  return url.replace(/\/\/[^@/\s]*@/, '//***@');
}
