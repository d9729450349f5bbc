import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { cutChars, jsonLine, jsonPretty } from '../../lib/core/json-line.js'

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

test('jsonLine fuzzed: at most max characters and "…"; JSON.stringify exactly when it fits, else a prefix of it', () => {
  fc.assert(fc.property(fc.oneof(fc.jsonValue({ maxDepth: 6 }), fc.jsonValue({ maxDepth: 6, stringUnit: 'binary' })), fc.integer({ min: 0, max: 200 }), (value, max) => {
    const full = JSON.stringify(value)
    const line = jsonLine(value, max)
    if (full.length <= max) {
      assert.equal(line, full)
      assert.deepEqual(JSON.parse(line), JSON.parse(full))
      return
    }
    assert.ok(line.endsWith('…'), line)
    const head = line.slice(0, -1)
    assert.ok(head.length <= max, `${head.length} > ${max}`)
    assert.ok(full.startsWith(head), `${JSON.stringify(head)} is no prefix of ${full}`)
  }), { numRuns: 2000 })
})

test('jsonPretty is JSON.stringify(v, null, 2) until its budget, and stops there', () => {
  const values: unknown[] = [null, 1, 'a"b\n', [], {}, [1, [2, { a: [] }]], { a: { b: null, c: 'x' }, d: [true, false] }, { u: undefined, k: 1 }]
  for (const value of values) assert.deepEqual(jsonPretty(value, 10_000), { text: JSON.stringify(value, null, 2), whole: true })
  // Deep and wide at once: pretty-printed in full this is gigabytes of indentation.
  let bomb: unknown = Array.from({ length: 20_000 }, () => 1)
  for (let i = 0; i < 250; i++) bomb = [bomb]
  const { text, whole } = jsonPretty(bomb, 10_000)
  assert.equal(whole, false)
  assert.equal(text.length, 10_000)
  assert.equal(text, JSON.stringify(bomb, null, 2).slice(0, 10_000))
})

test('jsonPretty: a value nested deeper than the stack allows is cut at the budget, never a RangeError', () => {
  const deep = JSON.parse(`${'['.repeat(200_000)}${']'.repeat(200_000)}`) as unknown
  assert.throws(() => JSON.stringify(deep, null, 2), RangeError)
  const { text, whole } = jsonPretty(deep, 10_000)
  assert.equal(whole, false)
  assert.equal(text.length, 10_000)
  assert.ok(text.startsWith('[\n  [\n    ['))
})
