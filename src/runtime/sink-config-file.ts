/**
 * The sink-runtime config document (schema/sink-config.schema.json): what `synth` writes to
 * `<outdir>/sinks/<sink>.json` and `sink run` reads. Validated with the validator precompiled by
 * scripts/build.js so that loading a config never compiles a schema.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SinkConfig } from '../contract/sink-config.js';
import { schemaDir } from '../paths.js';
import { loadCompiledValidator } from '../util/compiled-validator.js';
import { didYouMean } from '../util/suggest.js';
import { toPointer, valueAtPointer } from '../util/json-pointer.js';

export { SINK_CONFIG_VERSION, type SinkConfig, type SinkConfigDestination } from '../contract/sink-config.js';

export interface ConfigFinding {
  /** JSON pointer into the config document, empty for the document itself. */
  readonly pointer: string;
  readonly message: string;
  readonly hint?: string;
}

/** A config that cannot be used; `message` lists every finding as `file: pointer: message`. */
export class SinkConfigFileError extends Error {
  constructor(
    readonly file: string,
    readonly findings: readonly ConfigFinding[],
  ) {
    super(findings.map((f) => `${file}: ${f.pointer || '(document)'}: ${f.message}${f.hint ? ` (${f.hint})` : ''}`).join('\n'));
    this.name = 'SinkConfigFileError';
  }
}

interface AjvError {
  instancePath: string;
  /** Set on errors about a key name (`propertyNames`). */
  propertyName?: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}
type Validator = ((data: unknown) => boolean) & { errors?: AjvError[] | null };

async function validator(): Promise<Validator> {
  return loadCompiledValidator('sink-config') as Validator;
}

/** Reads, parses and validates a sink config file. Throws SinkConfigFileError for any problem. */
export async function loadSinkConfig(file: string): Promise<SinkConfig> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    throw new SinkConfigFileError(file, [{ pointer: '', message: `cannot read the sink config: ${why}`, hint: "configs are written by 'ara-gen synth' to <outdir>/sinks/<sink>.json" }]);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new SinkConfigFileError(file, [{ pointer: '', message: `not valid JSON: ${jsonErrorWithPosition(text, e as Error)}` }]);
  }
  return parseSinkConfig(data, file);
}

/** Validates an already parsed config document (schema, then the cross-field rules). */
export async function parseSinkConfig(data: unknown, file = '<config>'): Promise<SinkConfig> {
  const validate = await validator();
  if (!validate(data)) throw new SinkConfigFileError(file, describeErrors(validate.errors ?? [], data));
  const config = data as SinkConfig;
  const findings: ConfigFinding[] = [];
  const kinesisOnly = (key: 'partitionKey' | 'explicitHashKey' | 'aggregation', present: boolean): void => {
    if (present && config.destination.type !== 'kinesis') {
      findings.push({ pointer: toPointer([key]), message: `'${key}' applies to kinesis destinations only, not ${config.destination.type}`, hint: `remove '${key}'` });
    }
  };
  kinesisOnly('partitionKey', config.partitionKey !== undefined);
  kinesisOnly('explicitHashKey', config.explicitHashKey !== undefined);
  kinesisOnly('aggregation', config.aggregation === 'kpl');
  if (config.aggregationMaxBytes !== undefined && config.aggregation !== 'kpl') {
    findings.push({ pointer: '/aggregationMaxBytes', message: "'aggregationMaxBytes' applies with aggregation kpl only", hint: "remove 'aggregationMaxBytes' or set aggregation to kpl" });
  }
  if (config.keyAttributes !== undefined && config.destination.type !== 'dynamodb') {
    findings.push({ pointer: '/keyAttributes', message: `'keyAttributes' applies to dynamodb destinations only, not ${config.destination.type}`, hint: "remove 'keyAttributes'" });
  }
  const keyNames = config.keyAttributes?.map((k) => k.name) ?? [];
  if (new Set(keyNames).size !== keyNames.length) {
    findings.push({ pointer: '/keyAttributes/1/name', message: `the sort key must differ from the partition key "${keyNames[0]}"`, hint: 'name two different attributes, or only the partition key' });
  }
  if (findings.length) throw new SinkConfigFileError(file, findings);
  return config;
}

// ---- ajv errors → one finding per problem, in words --------------------------------------------

function describeErrors(errors: readonly AjvError[], data: unknown): ConfigFinding[] {
  const findings: ConfigFinding[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    // `if` and wrapping `allOf` failures only repeat what the nested error already says.
    if (e.keyword === 'if' || e.keyword === 'allOf') continue;
    const f = describe(e, data);
    if (!f) continue;
    const key = `${f.pointer}\u0000${f.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    findings.push(f);
  }
  return findings.length ? findings : [{ pointer: '', message: 'does not match the sink config schema' }];
}

function describe(e: AjvError, data: unknown): ConfigFinding | undefined {
  const at = e.instancePath;
  const p = e.params;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const hint = didYouMean(key, schemaPropertiesAt(at)) || `allowed keys: ${schemaPropertiesAt(at).join(', ')}`;
      return { pointer: `${at}/${key}`, message: `unknown key '${key}'`, hint };
    }
    case 'propertyNames': {
      const key = String(p.propertyName);
      const owner = valueAt(data, at) as Record<string, unknown>;
      const what = at === '/destination' ? `a ${String(owner.type)} destination` : `strategy ${String(owner.strategy)}`;
      return { pointer: `${at}/${key}`, message: `'${key}' does not apply to ${what}`, hint: `remove '${key}'` };
    }
    case 'required':
      return { pointer: at, message: `missing required key '${String(p.missingProperty)}'${requiredContext(at, data)}` };
    case 'const':
      if (at === '/version') {
        return { pointer: at, message: `unsupported config version ${JSON.stringify(valueAt(data, at))}: this ara-gen reads version 1`, hint: "re-run 'ara-gen synth' with this ara-gen, or upgrade ara-gen" };
      }
      return { pointer: at, message: `must be ${JSON.stringify(p.allowedValue)}` };
    case 'enum': {
      // The key-name half of a `propertyNames` failure: reported once, by that error.
      if (e.propertyName !== undefined) return undefined;
      const allowed = (p.allowedValues as unknown[]).map(String);
      const value = valueAt(data, at);
      const hint = typeof value === 'string' ? didYouMean(value, allowed) : '';
      return { pointer: at, message: `must be one of ${allowed.join(', ')}; got ${JSON.stringify(value)}`, hint: hint || undefined };
    }
    case 'type':
      return { pointer: at, message: `must be ${p.type === 'integer' ? 'an integer' : `a ${String(p.type)}`}; got ${JSON.stringify(valueAt(data, at))}` };
    case 'minimum':
    case 'exclusiveMinimum':
    case 'maximum':
    case 'exclusiveMaximum':
      return { pointer: at, message: `${e.message ?? 'out of range'}; got ${JSON.stringify(valueAt(data, at))}` };
    case 'pattern':
      return { pointer: at, message: `${JSON.stringify(valueAt(data, at))} is not a valid ${lastSegment(at)}` };
    default:
      return { pointer: at, message: e.message ?? `fails the '${e.keyword}' rule` };
  }
}

/** For "missing streamName" under a kinesis destination, say why it is required. */
function requiredContext(at: string, data: unknown): string {
  if (at === '/destination') {
    const t = (valueAt(data, at) as { type?: unknown } | undefined)?.type;
    if (typeof t === 'string') return ` (needed by a ${t} destination)`;
  }
  if (at === '/rateLimiting') return ' (needed by strategy aimd)';
  return '';
}

function lastSegment(pointer: string): string {
  return pointer.split('/').pop() || 'value';
}

const valueAt = valueAtPointer;

let rawSchema: Record<string, unknown> | undefined;

/** Property names the schema allows at a pointer (for "did you mean"); read only on errors. */
function schemaPropertiesAt(pointer: string): string[] {
  try {
    rawSchema ??= JSON.parse(readFileSync(join(schemaDir, 'sink-config.schema.json'), 'utf8')) as Record<string, unknown>;
  } catch {
    return [];
  }
  let node: Record<string, unknown> | undefined = rawSchema;
  for (const seg of pointer.split('/').slice(1)) {
    node = (node?.properties as Record<string, Record<string, unknown>> | undefined)?.[seg];
  }
  return Object.keys((node?.properties as object | undefined) ?? {});
}

/** JSON.parse does not always say where the error is: find it, and say line:col. */
function jsonErrorWithPosition(text: string, e: Error): string {
  const reason = e.message.replace(/ in JSON at position \d+.*$/, '').replace(/, "[\s\S]*" is not valid JSON$/, '').replace(/, \.\.\.[\s\S]*$/, '');
  const pos = jsonErrorOffset(text);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const col = pos - before.lastIndexOf('\n');
  return `${reason} at line ${line}, column ${col}`;
}

/** Offset of the first JSON syntax error (a small recursive-descent scanner; runs only on errors). */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string): void => {
    for (const ch of word) if (text[i++] !== ch) (i--, fail());
  };
  const string = (): void => {
    if (text[i] !== '"') fail();
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail();
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) fail();
      }
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const number = (): void => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === '-' || m[0] === '') fail();
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail();
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail();
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    return number();
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
  } catch (at) {
    if (typeof at === 'number') return Math.min(at, text.length);
    throw at;
  }
  return text.length;
}
