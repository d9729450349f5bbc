import { test } from 'node:test'
import assert from 'node:assert/strict'
import { TOOL_NAME_CHARS, toolCallName, toolPart } from '../../lib/core/tool-part.js'

test('toolPart: OpenCode\'s shape, fields under state', () => {
  assert.deepEqual(toolPart({ id: 'p', type: 'tool', tool: 'bash', callID: 'c', state: { status: 'completed', input: { command: 'ls' }, output: 'a\nb', time: { start: 1 } } }), {
    name: 'bash', result: false, input: { command: 'ls' }, output: 'a\nb', status: 'completed', error: undefined,
  })
  assert.deepEqual(toolPart({ id: 'p', type: 'tool', tool: 'read', state: { status: 'error', error: 'ENOENT' } })?.error, 'ENOENT')
})

test('toolPart: the AI SDK\'s and Anthropic\'s spellings, fields at the top; errors as text', () => {
  assert.deepEqual(toolPart({ id: 'p', type: 'tool-call', toolName: 'grep', args: { pattern: 'x' }, result: ['a'], status: 'done', error: { message: 'bad' } }), {
    name: 'grep', result: false, input: { pattern: 'x' }, output: ['a'], status: 'done', error: 'bad',
  })
  assert.deepEqual(toolPart({ id: 'p', type: 'tool_use', name: 'edit', input: 'x', error: { code: 1 } })?.error, '{"code":1}')
  assert.deepEqual(toolPart({ id: 'p', type: 'tool_result', output: 'o', error: false }), { name: 'tool_result', result: true, input: undefined, output: 'o', status: undefined, error: undefined })
  for (const type of ['tool-use', 'tool_call', 'tool-result']) assert.ok(toolPart({ id: 'p', type }), type)
})

test('toolPart: other parts, and hostile fields, are no tool calls or are taken safely', () => {
  for (const part of [{ id: 'p', type: 'text', text: 'x' }, { id: 'p', type: 'TOOL' }, { id: 'p', type: '__proto__' }, { id: 'p', type: 7 }, { id: 'p' }]) {
    assert.equal(toolPart(part), undefined, JSON.stringify(part))
    assert.equal(toolCallName(part), null)
  }
  // A non-string name falls back to the type; a state that is no object is ignored.
  assert.deepEqual(toolPart({ id: 'p', type: 'tool', tool: { evil: 1 }, state: 'x', status: 3 }), { name: 'tool', result: false, input: undefined, output: undefined, status: undefined, error: undefined })
  assert.equal(toolPart(JSON.parse('{"id":"p","type":"tool","tool":"__proto__","state":{"__proto__":{"status":"x"}}}'))!.status, undefined)
})

test('toolCallName: calls only (a result is no call), names cut for the listing', () => {
  assert.equal(toolCallName({ id: 'p', type: 'tool', tool: 'bash' }), 'bash')
  assert.equal(toolCallName({ id: 'p', type: 'tool_result', name: 'bash' }), null)
  assert.equal(toolCallName({ id: 'p', type: 'tool', tool: 'n'.repeat(1_000_000) }), 'n'.repeat(TOOL_NAME_CHARS))
})
