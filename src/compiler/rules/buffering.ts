/**
 * ARA240-ARA247: async-sink settings the engine accepts (Flink AsyncSinkWriter's checks, plus the
 * destination's hard request limits, plus DynamoDB key attributes). Checked on the resolved values
 * (blueprint defaults for the sink type filled in) and reported at the field the user wrote.
 */
import type { SpecPath } from '../document.js';
import { formatBytes, parseSize } from '../units.js';
import { type Rule, type SinkSpec, type SpecNode, type SpecView, dict, num } from './spec-view.js';
import { HINT_NAMES, type HintName, type HintProblem, type HintWording, SIZE_HINTS, describeHintProblem, hintProblems } from '../../contract/buffering.js';
import { DESTINATION_LIMITS, DESTINATION_SERVICES, type DestinationType } from '../../contract/limits.js';

export type SinkType = DestinationType;

/** Hard limits of one batch request (reference-facts §4). */
export { DESTINATION_LIMITS };

export { HINT_NAMES, type HintName };

/** The finding code of each buffering rule. */
const CODES: Record<HintProblem['rule'], string> = { 'positive-integer': 'ARA240', 'buffer-holds-batch': 'ARA241', 'batch-fits-record': 'ARA242', 'hard-limit': 'ARA243' };

export const isSinkType = (t: unknown): t is SinkType => typeof t === 'string' && t in DESTINATION_LIMITS;

/** A hint's numeric value (sizes in bytes), undefined when unusable (the schema reports it). */
export function hintValue(name: HintName, v: unknown): number | undefined {
  if (SIZE_HINTS.includes(name)) {
    const r = parseSize(v);
    return r.ok ? r.value : undefined;
  }
  return num(v);
}

const show = (name: HintName, v: number): string => (SIZE_HINTS.includes(name) ? formatBytes(v) : String(v));

function checkSink(view: SpecView, n: string, sink: SpecNode<SinkSpec>): void {
  const type = sink.raw('type');
  if (!isSinkType(type)) return;
  const userHints = sink.node('bufferingHints');
  const defaults = dict(dict(view.defaults(`sink.${type}`)).bufferingHints);
  const limits = DESTINATION_LIMITS[type];
  const hints: Partial<Record<HintName, number>> = {};
  const hintPath = (h: HintName): SpecPath => userHints.pathOf(h);
  const userSet = (h: HintName): boolean => userHints.raw(h) !== undefined && view.isUserSet(hintPath(h));

  for (const h of HINT_NAMES) {
    const v = hintValue(h, userHints.raw(h) ?? defaults[h]);
    if (v !== undefined) hints[h] = v;
  }
  // The rules and their words are the engine's (src/contract/buffering.ts); here they point at the spec.
  const wording: HintWording = { destination: DESTINATION_SERVICES[type], show, literal: (h, v) => (SIZE_HINTS.includes(h) ? formatBytes(v).replace(' ', '') : String(v)) };
  for (const p of hintProblems(hints, limits)) {
    const { message, fix } = describeHintProblem(p, wording);
    // A rule between two hints is reported at the one the user wrote (the other may be a default).
    const h: HintName =
      p.rule === 'buffer-holds-batch'
        ? userSet('maxBufferedRequests') || !userSet('maxBatchSize') ? 'maxBufferedRequests' : 'maxBatchSize'
        : p.rule === 'batch-fits-record'
          ? userSet('maxBatchBytes') || !userSet('maxRecordBytes') ? 'maxBatchBytes' : 'maxRecordBytes'
          : p.hint;
    const fallback = hintValue(h, defaults[h]);
    view.report({
      code: CODES[p.rule],
      message: `sink '${n}': ${message}`,
      path: hintPath(h),
      hint: p.rule === 'positive-integer' && fallback !== undefined ? `${fix}, or remove it to use the ${type} default (${show(h, fallback)})` : fix,
    });
  }

  const rl = sink.node('rateLimiting');
  const rlDefaults = dict(dict(view.defaults(`sink.${type}`)).rateLimiting);
  if ((rl.raw('strategy') ?? rlDefaults.strategy) === 'aimd') {
    const inherits = rl.raw('strategy') === undefined || rl.raw('strategy') === rlDefaults.strategy;
    const factor = rl.raw('decreaseFactor') ?? (inherits ? rlDefaults.decreaseFactor : undefined);
    const rate = rl.raw('increaseRate') ?? (inherits ? rlDefaults.increaseRate : undefined);
    if (typeof factor === 'number' && !(factor > 0 && factor < 1)) {
      view.report({
        code: 'ARA244',
        message: `sink '${n}': AIMD decreaseFactor ${factor} must be strictly between 0 and 1 (the in-flight budget is multiplied by it after a failure)`,
        path: rl.pathOf('decreaseFactor'),
        hint: `use e.g. 0.5 (halve on failure) or 0.99 (Flink's Kinesis default)`,
      });
    }
    if (typeof rate === 'number' && !(Number.isInteger(rate) && rate > 0)) {
      view.report({
        code: 'ARA245',
        message: `sink '${n}': AIMD increaseRate ${rate} must be a positive integer (messages added to the in-flight budget after a successful request)`,
        path: rl.pathOf('increaseRate'),
        hint: 'use e.g. 10 (the Flink default)',
      });
    }
  }

  const userRetry = sink.node('retry');
  const retry = { ...dict(view.defaults('sink.retry')), ...dict(userRetry.value) };
  const initial = num(retry.initialBackoffMs);
  const max = num(retry.maxBackoffMs);
  if (userRetry.isObject && initial !== undefined && max !== undefined && max < initial) {
    const field = userRetry.raw('maxBackoffMs') !== undefined ? 'maxBackoffMs' : 'initialBackoffMs';
    view.report({
      code: 'ARA246',
      message: `sink '${n}': retry maxBackoffMs (${max}) is smaller than initialBackoffMs (${initial})`,
      path: userRetry.pathOf(field),
      hint: 'the backoff doubles from initialBackoffMs up to maxBackoffMs: make maxBackoffMs at least initialBackoffMs',
    });
  }
}

/**
 * ARA247: a DynamoDB sort key is never the partition key's attribute, and the runtime config refuses
 * such a key schema, so say so at the spec line. (Only dynamodb sinks: on another type the schema
 * already reports `keyAttributes` itself.)
 */
function checkKeyAttributes(view: SpecView, n: string, sink: SpecNode<SinkSpec>): void {
  if (sink.str('type') !== 'dynamodb') return;
  const seen = new Map<string, number>();
  sink.items('keyAttributes').forEach((k, i) => {
    const name = k.str('name');
    if (name === undefined) return;
    const first = seen.get(name);
    if (first === undefined) {
      seen.set(name, i);
      return;
    }
    view.report({
      code: 'ARA247',
      message: `sink '${n}': keyAttributes names '${name}' twice (items ${first + 1} and ${i + 1}); the sort key must be a different attribute from the partition key`,
      path: k.pathOf('name'),
      hint: `name the table's sort key attribute here, or remove item ${i + 1} if the table has only the partition key '${name}'`,
    });
  });
}

export const bufferingRule: Rule = {
  name: 'buffering',
  codes: ['ARA240', 'ARA241', 'ARA242', 'ARA243', 'ARA244', 'ARA245', 'ARA246', 'ARA247'],
  check(view) {
    for (const [n, sink] of view.spec.entries('sinks')) {
      checkSink(view, n, sink);
      checkKeyAttributes(view, n, sink);
    }
  },
};
