// Sizes and durations as written in specs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DURATION_PATTERN, SIZE_PATTERN, formatBytes, parseDuration, parseSize } from '../../src/compiler/units.js';

const value = (r: ReturnType<typeof parseSize>): number | string => (r.ok ? r.value : r.error);

test('sizes: bytes, binary and decimal units', () => {
  assert.is(value(parseSize(1048576)), 1048576);
  assert.is(value(parseSize('512KiB')), 524288);
  assert.is(value(parseSize('5MiB')), 5242880);
  assert.is(value(parseSize('10GiB')), 10737418240);
  assert.is(value(parseSize('1TiB')), 1024 ** 4);
  assert.is(value(parseSize('400KB')), 400000);
  assert.is(value(parseSize('16MB')), 16000000);
  assert.is(value(parseSize('1.5KiB')), 1536);
  assert.is(value(parseSize('7 B')), 7);
});

test('sizes: bad input explains the fix', () => {
  assert.match(value(parseSize('5mib')) as string, /unknown size unit 'mib' in '5mib' \(units are case-sensitive: did you mean 'MiB'\?\)/);
  assert.match(value(parseSize('5XB')) as string, /unknown size unit 'XB'.*use B, KiB, MiB, GiB, TiB/);
  assert.match(value(parseSize('big')) as string, /'big' is not a size: .*'512KiB'/);
  assert.match(value(parseSize(-1)) as string, /whole, non-negative number of bytes/);
  assert.match(value(parseSize(1.5)) as string, /whole, non-negative/);
  assert.match(value(parseSize('1.3B')) as string, /not a whole number of bytes/);
  assert.match(value(parseSize(true)) as string, /not boolean/);
});

test('durations: units, bare numbers in the field unit', () => {
  assert.is(value(parseDuration('30s', 's')), 30);
  assert.is(value(parseDuration('5m', 's')), 300);
  assert.is(value(parseDuration('1h', 's')), 3600);
  assert.is(value(parseDuration('1d', 's')), 86400);
  assert.is(value(parseDuration('250ms', 'ms')), 250);
  assert.is(value(parseDuration('2s', 'ms')), 2000);
  assert.is(value(parseDuration(90, 's')), 90);
  assert.is(value(parseDuration(2, 'ms', 's')), 2000);
  assert.is(value(parseDuration('2h', 'm')), 120);
});

test('durations: bad input explains the fix', () => {
  assert.match(value(parseDuration('5 minutes', 's')) as string, /unknown duration unit 'minutes'.*use ms, s, m, h or d/);
  assert.match(value(parseDuration('5M', 's')) as string, /did you mean 'm'\?/);
  assert.match(value(parseDuration('soon', 's')) as string, /'soon' is not a duration: write a number with a unit, e.g. '30s'/);
  assert.match(value(parseDuration('500ms', 's')) as string, /'500ms' is not a whole number of seconds/);
  assert.match(value(parseDuration(-5, 's')) as string, /non-negative number of s/);
});

test('the schema patterns accept exactly what the parsers accept', () => {
  const size = new RegExp(SIZE_PATTERN);
  const duration = new RegExp(DURATION_PATTERN);
  for (const s of ['512KiB', '5MiB', '10GiB', '400KB', '1.5KiB', '7 B']) {
    assert.ok(size.test(s) && parseSize(s).ok, s);
  }
  for (const s of ['5mib', '5XB', 'big', '']) assert.ok(!size.test(s) && !parseSize(s).ok, s);
  for (const s of ['30s', '5m', '1h', '250ms', '1d']) assert.ok(duration.test(s) && parseDuration(s, 'ms').ok, s);
  for (const s of ['5 minutes', '5M', 'soon']) assert.ok(!duration.test(s) && !parseDuration(s, 'ms').ok, s);
});

test('formatBytes picks the exact unit', () => {
  assert.equal([formatBytes(5242880), formatBytes(1024000), formatBytes(400000), formatBytes(1536), formatBytes(123)], ['5 MiB', '1000 KiB', '400 KB', '1536 bytes', '123 bytes']);
});

test.run();
