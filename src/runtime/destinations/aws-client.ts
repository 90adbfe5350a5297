/**
 * Shared configuration for every AWS SDK v3 client the destinations create.
 *
 * - Region: explicit option, then AWS_REGION, then AWS_DEFAULT_REGION; when none is set but an
 *   endpoint override is (a local emulator), `us-east-1` so that request signing works; otherwise
 *   left to the SDK (shared config file).
 * - Endpoint: an explicit `endpoint` option wins; without one the SDK's standard resolution applies
 *   (`AWS_ENDPOINT_URL_<SERVICE>`, then `AWS_ENDPOINT_URL`, then the shared config file).
 * - HTTP: always an HTTP/1.1 NodeHttpHandler with keep-alive agents. Kinesis' client otherwise
 *   defaults to HTTP/2, which cannot talk to a plain `http://` loopback endpoint, and the default
 *   agents would cap concurrency below the engine's maxInFlightRequests.
 * - Retries: off (`maxAttempts: 1`). The engine owns retries, backoff and rate limiting; SDK
 *   retries would hide throttling from its AIMD strategy and multiply the request timeout.
 * - Timeouts: the engine's AbortSignal, passed to `client.send(command, { abortSignal })`.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { createRequire } from 'node:module';
import type { KinesisClientConfig } from '@aws-sdk/client-kinesis';
import type { NodeHttpHandler } from '@smithy/node-http-handler';
import { loadOnce, moduleExports } from './lazy-module.js';

/** Static credentials or a provider; absent = the SDK's default chain (env, profile, SSO, IMDS...). */
export type AwsCredentials = NonNullable<KinesisClientConfig['credentials']>;

export interface AwsClientOptions {
  readonly region?: string;
  /** Endpoint URL override, e.g. `http://127.0.0.1:4567`; wins over AWS_ENDPOINT_URL_* variables. */
  readonly endpoint?: string;
  /** Sockets per agent; at least the engine's maxInFlightRequests (default 50). */
  readonly maxSockets?: number;
  readonly credentials?: AwsCredentials;
}

/** The subset of SDK client configuration every ara-gen client sets. */
export interface AwsClientConfig {
  region?: string;
  endpoint?: string;
  maxAttempts: number;
  requestHandler: NodeHttpHandler;
  credentials?: AwsCredentials;
  /**
   * CloudWatch only: send PutMetricData uncompressed, so that the request is the size the
   * destination counted and local emulators (moto) can read it.
   */
  disableRequestCompression?: boolean;
}

/** Service ids as the SDK spells them in AWS_ENDPOINT_URL_<SERVICE> (spaces become underscores). */
export type AwsServiceId = 'Kinesis' | 'Firehose' | 'DynamoDB' | 'CloudWatch Logs' | 'CloudWatch';

const DEFAULT_MAX_SOCKETS = 50;
const FALLBACK_LOCAL_REGION = 'us-east-1';

/** The endpoint URL a client for `service` will use, or undefined for the AWS default. */
export function resolveEndpoint(service: AwsServiceId, explicit?: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return explicit || env[`AWS_ENDPOINT_URL_${service.toUpperCase().replace(/ /g, '_')}`] || env.AWS_ENDPOINT_URL || undefined;
}

export function resolveRegion(service: AwsServiceId, options: AwsClientOptions, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const region = options.region || env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (region) return region;
  return resolveEndpoint(service, options.endpoint, env) ? FALLBACK_LOCAL_REGION : undefined;
}

/** Builds the client configuration; spread it into `new KinesisClient(...)` and friends. */
let httpHandlerClass: typeof NodeHttpHandler | undefined;
/**
 * @smithy/node-http-handler, loaded on the first AWS client config: every destination module
 * imports this file, and loading that package (and the @smithy/core parts it pulls in) costs a
 * `sink run` ~50 ms of CPU at start-up even for a redis-stream or file sink. `require` is the
 * CommonJS one in bundles (the CLI bundle's banner defines it; esbuild bundles the literal call
 * into a Lambda's CommonJS bundle), createRequire's in the per-file ESM build.
 */
function httpHandler(): typeof NodeHttpHandler {
  const load = (id: string): { NodeHttpHandler: typeof NodeHttpHandler } =>
    typeof require === 'function' ? require('@smithy/node-http-handler') : createRequire(import.meta.url)(id);
  return (httpHandlerClass ??= load('@smithy/node-http-handler').NodeHttpHandler);
}

/**
 * A destination's SDK client: the caller's own (`options.client`, never destroyed here), or one
 * built from awsClientConfig() when the destination first sends, as its package loads (loadOnce).
 * The configuration is built at once, so a destination still rejects bad settings when created.
 */
export interface SdkClient<M, C> {
  /** The client package's exports, loaded on first use; client() is usable once this resolved. */
  readonly sdk: () => Promise<M>;
  readonly client: () => C;
  /** Destroys the client (its sockets) when the destination built it. */
  readonly close: () => void;
}

/** `load` is the destination's literal `import()` of its client package (the build maps it to `require`). */
export function sdkClient<M extends object, C extends { destroy(): void }>(
  service: AwsServiceId,
  options: AwsClientOptions & { readonly client?: C },
  load: () => Promise<M>,
  create: (sdk: M, config: AwsClientConfig) => C,
): SdkClient<M, C> {
  const given = options.client;
  const config = given ? undefined : awsClientConfig(service, options);
  let client = given;
  return {
    sdk: loadOnce(async () => {
      const m = await moduleExports(load());
      client ??= create(m, config!);
      return m;
    }),
    client: () => client!,
    close: () => {
      if (!given) client?.destroy();
    },
  };
}

export function awsClientConfig(service: AwsServiceId, options: AwsClientOptions = {}): AwsClientConfig {
  const maxSockets = Math.max(1, options.maxSockets ?? DEFAULT_MAX_SOCKETS);
  const agentOptions = { keepAlive: true, maxSockets };
  const HttpHandler = httpHandler();
  const config: AwsClientConfig = {
    maxAttempts: 1,
    requestHandler: new HttpHandler({
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
    }),
  };
  const region = resolveRegion(service, options);
  if (region) config.region = region;
  // Only the explicit option is passed: the SDK resolves the environment variables itself.
  if (options.endpoint) config.endpoint = options.endpoint;
  if (options.credentials) config.credentials = options.credentials;
  if (service === 'CloudWatch') config.disableRequestCompression = true;
  return config;
}
