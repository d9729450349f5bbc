/** The MCP transcript of hostile tool parts from a log written elsewhere (JSON.parse reads any depth). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { cutMessage, renderMessage } from '../../lib/mcp/transcript.js'
import type { Message, Part } from '../../lib/index.js'

const nested = (levels: number): unknown => JSON.parse('['.repeat(levels) + ']'.repeat(levels))

test('transcript: a tool part nested 100 000 deep is cut and rendered, never a RangeError', () => {
  const part = { id: 't', type: 'tool', tool: 'bash', state: { status: 'completed', input: { command: 'ls' }, output: nested(100_000) } } as unknown as Part
  const message: Message = { id: 'm', role: 'assistant', created: '2024-01-01T00:00:00.000Z', parts: [part] }
  const text = renderMessage(cutMessage(message, 1000), 0)
  assert.match(text, /^## \[1\] assistant/)
  assert.ok(text.length < 100_000, `bounded (${text.length} characters)`)
})
