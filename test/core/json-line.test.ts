import { test } from 'node:test'
import assert from 'node:assert/strict'
import { cutChars, jsonLine } from '../../lib/core/json-line.js'

test('jsonLine: compact JSON, as JSON.stringify writes it, when it fits', () => {
  for (const value of [null, true, 0, -1.5, 'a"b\n', [], {}, [1, [2, { a: null }]], { a: 'x', b: [true, false], 'c d': { e: {} } }]) {
    assert.equal(jsonLine(value, 1000), JSON.stringify(value), JSON.stringify(value))
  }
  // What JSON.stringify leaves out or writes as null, so does it.
  assert.equal(jsonLine({ a: undefined, b: () => 1, c: [undefined, () => 1] }, 1000), '{"c":[null,null]}')
  assert.equal(jsonLine(Number.NaN, 1000), 'null')
  assert.equal(jsonLine(JSON.parse('{"__proto__":{"x":1}}'), 1000), '{"__proto__":{"x":1}}')
})

test('jsonLine: cut at max characters with "…", whatever the size or depth', () => {
  assert.equal(jsonLine({ a: 'x'.repeat(100) }, 20), `{"a":"${'x'.repeat(14)}…`)
  assert.equal(jsonLine('y'.repeat(10_000_000), 10), `"${'y'.repeat(9)}…`)
  assert.equal(jsonLine(Array.from({ length: 1_000_000 }, () => 1), 5), '[1,1,…')
  let deep: unknown = 0
  for (let i = 0; i < 500_000; i++) deep = { d: deep }
  const cut = jsonLine(deep, 100_000_000)
  assert.ok(cut.startsWith('{"d":{"d":') && cut.endsWith('…'), 'cut where the stack ran out')
  assert.equal(jsonLine(deep, 12), '{"d":{"d":{"…')
  // Escapes count as the characters they are written with.
  assert.equal(jsonLine(['\u001b\u001b'], 8), '["\\u001b…')
  // Errors that are no budget or stack problem are not swallowed.
  assert.throws(() => jsonLine({ n: 1n }, 100), TypeError)
})

test('cutChars: never ends in half a surrogate pair', () => {
  assert.equal(cutChars('ab😀c', 3), 'ab')
  assert.equal(cutChars('ab😀c', 4), 'ab😀')
  assert.equal(cutChars('abc', 3), 'abc')
  assert.equal(cutChars('', 0), '')
})
