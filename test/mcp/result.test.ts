import assert from 'node:assert/strict'
import { test } from 'node:test'
import { redactDeep } from '../../lib/mcp/result.js'

test('redactDeep: strings redacted at any depth; __proto__ and constructor stay own keys, byte-equal otherwise', () => {
  const input = JSON.parse('{"__proto__":{"key":"sk-abcdefghijklmnopqrstuvwx"},"constructor":{"prototype":1},"list":["ok",{"t":"Bearer abcdefghijklmnop"}]}') as Record<string, unknown>
  const out = redactDeep(input)
  assert.equal(Object.getPrototypeOf(out), Object.prototype, 'the content did not choose the prototype')
  assert.deepEqual(Object.keys(out), ['__proto__', 'constructor', 'list'])
  assert.equal(JSON.stringify(out), '{"__proto__":{"key":"[REDACTED]"},"constructor":{"prototype":1},"list":["ok",{"t":"Bearer [REDACTED]"}]}')
})
