/**
 * ARA220-ARA222: AWS schedule expressions. Glue triggers and crawlers accept only the 6-field
 * `cron(...)` form, so `rate(...)` is converted (rateToCron) where an exact cron exists.
 */
import type { Rule } from './spec-view.js';

interface Field {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** Extra special characters besides `, - * /`. */
  readonly special: string;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const FIELDS: readonly Field[] = [
  { name: 'minutes', min: 0, max: 59, special: '' },
  { name: 'hours', min: 0, max: 23, special: '' },
  { name: 'day-of-month', min: 1, max: 31, special: '?LW' },
  { name: 'month', min: 1, max: 12, names: MONTHS, special: '' },
  { name: 'day-of-week', min: 1, max: 7, names: DAYS, special: '?L#' },
  { name: 'year', min: 1970, max: 2199, special: '' },
];

function value(f: Field, token: string): number | undefined {
  if (/^\d+$/.test(token)) return Number(token);
  const i = f.names?.indexOf(token.toUpperCase()) ?? -1;
  return i >= 0 ? i + f.min : undefined;
}

function checkValue(f: Field, token: string): string | undefined {
  const v = value(f, token);
  if (v === undefined) return `'${token}' is not a valid ${f.name} value${f.names ? ` (${f.min}-${f.max} or ${f.names[0]}-${f.names[f.names.length - 1]})` : ` (${f.min}-${f.max})`}`;
  if (v < f.min || v > f.max) return `${f.name} value ${token} is out of range ${f.min}-${f.max}`;
  return undefined;
}

/** Why one cron field is invalid, or undefined. */
function checkField(f: Field, text: string): string | undefined {
  if (text === '?') return f.special.includes('?') ? undefined : `'?' is only allowed in day-of-month and day-of-week, not in ${f.name}`;
  if (text === 'L' && f.special.includes('L')) return undefined;
  if (f.name === 'day-of-month' && (text === 'LW' || /^\d+W$/.test(text))) return text === 'LW' ? undefined : checkValue(f, text.slice(0, -1));
  if (f.name === 'day-of-week') {
    const last = /^(\w+)L$/.exec(text);
    if (last) return checkValue(f, last[1]!);
    const nth = /^(\w+)#(\d+)$/.exec(text);
    if (nth) return checkValue(f, nth[1]!) ?? (Number(nth[2]) >= 1 && Number(nth[2]) <= 5 ? undefined : `'#${nth[2]}' must be between #1 and #5 (nth weekday of the month)`);
  }
  for (const item of text.split(',')) {
    if (item === '') return `empty list item in ${f.name} '${text}'`;
    const [range, step, extra] = item.split('/');
    if (extra !== undefined) return `'${item}' has more than one '/' in ${f.name}`;
    if (step !== undefined && !(/^\d+$/.test(step) && Number(step) >= 1)) return `step '/${step}' in ${f.name} must be a positive integer`;
    if (range === '*') continue;
    const bounds = range!.split('-');
    if (bounds.length > 2) return `'${range}' is not a valid ${f.name} range`;
    for (const b of bounds) {
      const problem = checkValue(f, b);
      if (problem) return problem;
    }
    if (bounds.length === 2 && value(f, bounds[0]!)! > value(f, bounds[1]!)!) return `${f.name} range '${range}' runs backwards`;
  }
  return undefined;
}

/** Why `expr` (the text inside `cron(...)`) is not a valid AWS cron expression, or undefined. */
export function cronProblem(expr: string): string | undefined {
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 6) {
    return `has ${fields.length} field${fields.length === 1 ? '' : 's'}; AWS cron has 6: minutes hours day-of-month month day-of-week year`;
  }
  for (const [i, f] of FIELDS.entries()) {
    const problem = checkField(f, fields[i]!);
    if (problem) return problem;
  }
  const dom = fields[2] === '?';
  const dow = fields[4] === '?';
  if (dom === dow) return dom ? 'has "?" in both day-of-month and day-of-week; exactly one of them must be "?"' : 'exactly one of day-of-month and day-of-week must be "?" (AWS cannot combine them)';
  return undefined;
}

/**
 * The likely intended AWS cron for an invalid one, or undefined: a 5-field (Unix) cron gets the year
 * field, and `*` in day-of-month or day-of-week becomes the `?` AWS needs.
 */
export function suggestCron(expr: string): string | undefined {
  const fields = expr.trim().split(/\s+/);
  if (fields.length === 5) fields.push('*');
  if (fields.length !== 6) return undefined;
  const [dom, dow] = [fields[2], fields[4]];
  if (dom !== '?' && dow !== '?') {
    if (dow === '*') fields[4] = '?';
    else if (dom === '*') fields[2] = '?';
  } else if (dom === '?' && dow === '?') fields[4] = '*';
  const fixed = fields.join(' ');
  return fixed !== expr.trim() && cronProblem(fixed) === undefined ? `cron(${fixed})` : undefined;
}

export interface Rate {
  readonly amount: number;
  readonly unit: 'minute' | 'hour' | 'day';
}

/** Parses the text inside `rate(...)`; returns the rate or why it is invalid. */
export function parseRate(expr: string): Rate | string {
  const m = /^\s*(\d+)\s+([a-z]+)\s*$/.exec(expr);
  if (!m) return `'rate(${expr})' must be 'rate(<positive integer> <minute|minutes|hour|hours|day|days>)'`;
  const amount = Number(m[1]);
  const word = m[2]!;
  const unit = word.replace(/s$/, '');
  if (amount < 1) return 'the rate must be a positive integer';
  if (unit !== 'minute' && unit !== 'hour' && unit !== 'day') return `unknown rate unit '${word}'; use minute(s), hour(s) or day(s)`;
  const plural = word.endsWith('s');
  if (amount === 1 && plural) return `write 'rate(1 ${unit})': the unit is singular for 1`;
  if (amount > 1 && !plural) return `write 'rate(${amount} ${unit}s)': the unit is plural above 1`;
  return { amount, unit };
}

/** The cron equivalent of a rate, or undefined when no cron fires at exactly that interval. */
export function rateToCron(rate: Rate): string | undefined {
  const minutes = rate.unit === 'minute' ? rate.amount : rate.unit === 'hour' ? rate.amount * 60 : rate.amount * 1440;
  if (minutes < 60) return 60 % minutes === 0 ? (minutes === 1 ? 'cron(* * * * ? *)' : `cron(0/${minutes} * * * ? *)`) : undefined;
  if (minutes % 60 !== 0) return undefined;
  const hours = minutes / 60;
  if (hours < 24) return 24 % hours === 0 ? (hours === 1 ? 'cron(0 * * * ? *)' : `cron(0 0/${hours} * * ? *)`) : undefined;
  return hours === 24 ? 'cron(0 0 * * ? *)' : undefined;
}

/** A schedule in Glue's form (cron), or why it is not usable. */
export function toGlueSchedule(schedule: string): { cron: string } | { code: string; problem: string; hint: string } {
  const s = schedule.trim();
  const cron = /^cron\((.*)\)$/s.exec(s);
  if (cron) {
    const p = cronProblem(cron[1]!);
    if (!p) return { cron: s };
    const fix = suggestCron(cron[1]!);
    return {
      code: 'ARA220',
      problem: `cron expression '${s}' ${p.startsWith('has') ? p : `is invalid: ${p}`}`,
      hint: fix ? `did you mean '${fix}'? (AWS form: cron(minutes hours day-of-month month day-of-week year))` : "AWS form: cron(minutes hours day-of-month month day-of-week year), e.g. 'cron(0/5 * * * ? *)'",
    };
  }
  const rate = /^rate\((.*)\)$/s.exec(s);
  if (rate) {
    const r = parseRate(rate[1]!);
    if (typeof r === 'string') return { code: 'ARA221', problem: `rate expression '${s}' is invalid: ${r}`, hint: "e.g. 'rate(5 minutes)', 'rate(1 hour)'" };
    const c = rateToCron(r);
    if (!c) {
      return {
        code: 'ARA222',
        problem: `'${s}' has no exact cron equivalent, and Glue accepts only cron schedules`,
        hint: 'use a rate that divides an hour or a day (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 minutes; 1, 2, 3, 4, 6, 8, 12 hours; 1 day) or write the cron expression',
      };
    }
    return { cron: c };
  }
  return { code: 'ARA220', problem: `'${s}' is not a schedule expression`, hint: "write 'cron(...)' with 6 fields or 'rate(N unit)', e.g. 'cron(0/5 * * * ? *)'" };
}

export const scheduleRule: Rule = {
  name: 'schedules',
  codes: ['ARA220', 'ARA221', 'ARA222'],
  check(view) {
    const scheduled = [
      ...view.spec.entries('triggers').map(([n, t]) => ({ owner: `trigger '${n}'`, schedule: t.str('schedule'), path: t.pathOf('schedule') })),
      ...view.spec.entries('crawlers').map(([n, c]) => ({ owner: `crawler '${n}'`, schedule: c.str('schedule'), path: c.pathOf('schedule') })),
    ];
    for (const { owner, schedule: s, path } of scheduled) {
      // Anything else fails the schema's pattern; one finding per root cause.
      if (s === undefined || !/^\s*(cron|rate)\(/.test(s)) continue;
      const r = toGlueSchedule(s);
      if ('cron' in r) continue;
      view.report({ code: r.code, message: `${owner}: ${r.problem}`, path, hint: r.hint });
    }
  },
};
