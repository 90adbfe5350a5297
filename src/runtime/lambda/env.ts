/**
 * The environment variables the streaming module's constructs give their Lambdas, read with one
 * clear sentence per problem (`<who>: environment variable X ...`). Shared by the sink-target
 * replayer and the stream-fed sink handlers.
 */
import { SINK_CONFIG_VERSION, type SinkConfig } from '../../contract/sink-config.js';

export type Env = Readonly<Record<string, string | undefined>>;

export function required(env: Env, name: string, who: string): string {
  const v = env[name];
  if (v === undefined || v === '') throw new Error(`${who}: environment variable ${name} is not set`);
  return v;
}

export function integer(env: Env, name: string, min: number, who: string, fallback?: number): number {
  const raw = env[name];
  if ((raw === undefined || raw === '') && fallback !== undefined) return fallback;
  const v = Number(required(env, name, who));
  if (!Number.isSafeInteger(v) || v < min) throw new Error(`${who}: environment variable ${name} must be an integer >= ${min}, got '${raw}'`);
  return v;
}

/** What both handlers read: the embedded sink config and where dead letters go. */
export interface SinkLambdaEnv {
  readonly sinkConfig: unknown;
  readonly deadLetterBucket: string;
  /** Ends with `/`. */
  readonly deadLetterPrefix: string;
  readonly kmsKeyArn?: string;
  /** Reading stops this long before the Lambda times out. */
  readonly stopMarginMs: number;
}

export function sinkLambdaEnv(env: Env, who: string): SinkLambdaEnv {
  let sinkConfig: unknown;
  try {
    sinkConfig = JSON.parse(required(env, 'SINK_CONFIG', who));
  } catch (e) {
    if ((e as Error).message.startsWith(`${who}:`)) throw e;
    throw new Error(`${who}: SINK_CONFIG is not JSON (${(e as Error).message})`);
  }
  const prefix = required(env, 'DEAD_LETTER_PREFIX', who);
  return {
    sinkConfig,
    deadLetterBucket: required(env, 'DEAD_LETTER_BUCKET', who),
    deadLetterPrefix: prefix.endsWith('/') ? prefix : `${prefix}/`,
    ...(env['KMS_KEY_ARN'] ? { kmsKeyArn: env['KMS_KEY_ARN'] } : {}),
    stopMarginMs: integer(env, 'STOP_MARGIN_MS', 0, who, 10_000),
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The sink config a construct embedded as SINK_CONFIG. It is `sinks/<sink>.json`, compiled from the
 * validated model at synth time and checked against the sink-config schema there; the bundle
 * carries no schema validator (the compiled validators live in the package tree, which a Lambda
 * does not have), so only its shape is checked here, for a clear sentence instead of a crash later.
 */
export function embeddedSinkConfig(data: unknown, who: string): SinkConfig {
  const d = isObject(data) ? data : {};
  const missing = [
    d.version !== SINK_CONFIG_VERSION && `version ${SINK_CONFIG_VERSION}`,
    typeof d.sink !== 'string' && 'sink',
    !(isObject(d.destination) && typeof d.destination.type === 'string') && 'destination.type',
    !isObject(d.bufferingHints) && 'bufferingHints',
    !isObject(d.rateLimiting) && 'rateLimiting',
    !isObject(d.retry) && 'retry',
  ].filter(Boolean);
  if (missing.length) throw new Error(`${who}: SINK_CONFIG is not an ara-gen sink config (no ${missing.join(', ')}); synthesize the platform again`);
  return d as unknown as SinkConfig;
}
