/** JSON pointers (RFC 6901): keys holding `/` or `~` stay one segment, both ways. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { childPointer, parsePointer, toPointer, valueAtPointer } from '../../src/util/json-pointer.js';

const test = suite('json pointer');

test('a path and its pointer round-trip, with / and ~ inside keys', () => {
  const path = ['storage', 'layers', 'raw/2024', 'a~b', '0'];
  assert.is(toPointer(path), '/storage/layers/raw~12024/a~0b/0');
  assert.equal(parsePointer(toPointer(path)), path);
  assert.equal(parsePointer(''), []);
  assert.is(toPointer([]), '');
  // `~01` is the key `~1`, not `/`: the two replacements apply in RFC order.
  assert.equal(parsePointer('/~01'), ['~1']);
  assert.is(toPointer(['~1']), '/~01');
});

test('child pointers and values at a pointer', () => {
  assert.is(childPointer('/tags', 'team/owner'), '/tags/team~1owner');
  const data = { tags: { 'team/owner': 'data' }, list: [{ a: 1 }] };
  assert.is(valueAtPointer(data, '/tags/team~1owner'), 'data');
  assert.is(valueAtPointer(data, '/list/0/a'), 1);
  assert.is(valueAtPointer(data, '/list/0/a/b'), undefined);
  assert.is(valueAtPointer(data, ''), data);
});

test.run();
