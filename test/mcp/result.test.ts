import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Journal } from '../../lib/index.js'
import { jsonResult, textResult } from '../../lib/mcp/result.js'

const ctx = { journal: undefined as unknown as Journal, redact: true }

test('jsonResult: strings redacted at any depth (the index\'s redactValue); __proto__ and constructor stay own keys, byte-equal otherwise', () => {
  const input = JSON.parse('{"__proto__":{"key":"sk-abcdefghijklmnopqrstuvwx"},"constructor":{"prototype":1},"list":["ok",{"t":"Bearer abcdefghijklmnop"}]}') as Record<string, unknown>
  const result = jsonResult(ctx, input)
  const out = result.structuredContent as Record<string, unknown>
  assert.equal((result.content[0] as { text: string }).text, JSON.stringify(out))
  assert.equal(Object.getPrototypeOf(out), Object.prototype, 'the content did not choose the prototype')
  assert.deepEqual(Object.keys(out), ['__proto__', 'constructor', 'list'])
  assert.equal(JSON.stringify(out), '{"__proto__":{"key":"[REDACTED]"},"constructor":{"prototype":1},"list":["ok",{"t":"Bearer [REDACTED]"}]}')
})

test('textResult: the text and the facts redacted; nothing when the server runs with --no-redact', () => {
  const secret = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789'
  const shown = textResult(ctx, `token ${secret}`, { title: secret })
  assert.deepEqual([(shown.content[0] as { text: string }).text, shown.structuredContent], ['token [REDACTED]', { title: '[REDACTED]' }])
  const raw = textResult({ ...ctx, redact: false }, secret, { title: secret })
  assert.deepEqual([(raw.content[0] as { text: string }).text, raw.structuredContent], [secret, { title: secret }])
})
