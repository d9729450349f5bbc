import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ERROR_JSON_CHARS, TOOL_NAME_CHARS, toolCallName, toolPart } from '../../lib/core/tool-part.js'

const none = { input: undefined, output: undefined, status: undefined, error: undefined, title: undefined, start: undefined, end: undefined }

test('toolPart: OpenCode\'s shape, fields under state', () => {
  assert.deepEqual(toolPart({
    id: 'p', type: 'tool', tool: 'bash', callID: 'c',
    state: { status: 'completed', input: { command: 'ls' }, output: 'a\nb', title: 'List', time: { start: 1000, end: 1340 } },
  }), { name: 'bash', result: false, input: { command: 'ls' }, output: 'a\nb', status: 'completed', error: undefined, title: 'List', start: 1000, end: 1340 })
  assert.deepEqual(toolPart({ id: 'p', type: 'tool', tool: 'read', state: { status: 'error', error: 'ENOENT' } })?.error, 'ENOENT')
})

test('toolPart: one precedence rule, state first, then the top-level spellings', () => {
  // A stale top-level copy beside the state (a host that wrote its own fields at the pending stage) loses to the state.
  assert.deepEqual(toolPart({
    id: 'p', type: 'tool', tool: 'bash', input: { command: 'old' }, output: 'old', status: 'pending', error: 'old', title: 'Old', time: { start: 1, end: 2 },
    state: { status: 'completed', input: { command: 'new' }, output: 'new', error: 'new', title: 'New', time: { start: 10 } },
  }), { name: 'bash', result: false, input: { command: 'new' }, output: 'new', status: 'completed', error: 'new', title: 'New', start: 10, end: undefined })
  // What the state lacks comes from the top; a state that is no object (the AI SDK 5 writes a string) holds no fields: it is the status.
  assert.deepEqual(toolPart({ id: 'p', type: 'tool', tool: 'bash', input: { command: 'top' }, title: 'Top', state: { status: 'running' } }),
    { ...none, name: 'bash', result: false, input: { command: 'top' }, status: 'running', title: 'Top' })
  assert.deepEqual(toolPart({ id: 'p', type: 'tool-call', toolName: 'grep', input: { pattern: 'x' }, state: 'input-available' }),
    { ...none, name: 'grep', result: false, input: { pattern: 'x' }, status: 'input-available' })
  // Among the top-level spellings: input, args, arguments; output, result.
  assert.deepEqual(toolPart({ id: 'p', type: 'tool_call', name: 'f', args: 'a', arguments: 'b', result: 'r' })?.input, 'a')
  assert.deepEqual(toolPart({ id: 'p', type: 'tool_call', name: 'f', arguments: '{"x":1}' })?.input, '{"x":1}')
})

test('toolPart: the AI SDK\'s and Anthropic\'s spellings, fields at the top; errors as text', () => {
  assert.deepEqual(toolPart({ id: 'p', type: 'tool-call', toolName: 'grep', args: { pattern: 'x' }, result: ['a'], status: 'done', error: { message: 'bad' } }), {
    ...none, name: 'grep', result: false, input: { pattern: 'x' }, output: ['a'], status: 'done', error: 'bad',
  })
  assert.deepEqual(toolPart({ id: 'p', type: 'tool_use', name: 'edit', input: 'x', error: { code: 1 } })?.error, '{"code":1}')
  assert.deepEqual(toolPart({ id: 'p', type: 'tool_result', output: 'o', error: false }), { ...none, name: 'tool_result', result: true, output: 'o' })
  for (const type of ['tool-use', 'tool_call', 'tool-result']) assert.ok(toolPart({ id: 'p', type }), type)
  // Anthropic's tool_result: `content` is its output, `is_error` its status. On a call, `content` is no output.
  assert.deepEqual(toolPart({ id: 'p', type: 'tool_result', tool_use_id: 'u', content: 'No such file', is_error: true }),
    { ...none, name: 'tool_result', result: true, output: 'No such file', status: 'error' })
  assert.deepEqual(toolPart({ id: 'p', type: 'tool_result', content: [{ type: 'text', text: 'ok' }], is_error: false })?.output, [{ type: 'text', text: 'ok' }])
  assert.equal(toolPart({ id: 'p', type: 'tool_result', content: 'x', is_error: false })?.status, undefined)
  assert.equal(toolPart({ id: 'p', type: 'tool_use', name: 'write', content: 'x' })?.output, undefined)
  // An error without a status makes the status "error"; a written status stays as written.
  assert.equal(toolPart({ id: 'p', type: 'tool', tool: 'read', error: 'ENOENT' })?.status, 'error')
  assert.equal(toolPart({ id: 'p', type: 'tool', tool: 'read', status: 'completed', error: 'late' })?.status, 'completed')
})

test('toolPart: an error as text, whatever shape it has', () => {
  const error = (e: unknown) => toolPart({ id: 'p', type: 'tool', tool: 't', state: { error: e } })?.error
  assert.equal(error('boom'), 'boom')
  assert.equal(error({ message: 'denied' }), 'denied')
  assert.equal(error({ name: 'APIError', data: { message: 'rate limited', status: 429 } }), 'rate limited', 'OpenCode\'s error shape')
  assert.equal(error({ code: 7 }), '{"code":7}')
  assert.equal(error({ message: 5, data: 'x' }), '{"message":5,"data":"x"}')
  assert.equal(error(['a', 1]), '["a",1]')
  assert.equal(error(0), '0')
  for (const nothing of [undefined, null, false, '']) assert.equal(error(nothing), undefined, JSON.stringify(nothing))
  // Huge or deep error objects: bounded JSON, never a RangeError.
  assert.equal(error({ detail: 'x'.repeat(1_000_000) })!.length, ERROR_JSON_CHARS + 1)
  let deep: unknown = 'bottom'
  for (let i = 0; i < 200_000; i++) deep = { e: deep }
  assert.ok(error(deep)!.endsWith('…'))
})

test('toolPart: times are finite numbers, else undefined; titles are non-empty strings', () => {
  const part = (state: Record<string, unknown>) => toolPart({ id: 'p', type: 'tool', tool: 't', state })!
  for (const time of [5, 'x', null, [1, 2], { start: '1', end: '2' }, { start: 1e309, end: -1e309 }, { start: null }]) {
    const { start, end } = part({ time })
    assert.deepEqual([start, end], [undefined, undefined], JSON.stringify(time))
  }
  assert.deepEqual([part({ time: { start: 0 } }).start, part({ time: { end: -5 } }).end], [0, -5])
  for (const title of ['', 7, { t: 'x' }, null]) assert.equal(part({ title }).title, undefined, JSON.stringify(title))
})

test('toolPart: other parts, and hostile fields, are no tool calls or are taken safely', () => {
  for (const part of [{ id: 'p', type: 'text', text: 'x' }, { id: 'p', type: 'TOOL' }, { id: 'p', type: '__proto__' }, { id: 'p', type: 7 }, { id: 'p' }]) {
    assert.equal(toolPart(part), undefined, JSON.stringify(part))
    assert.equal(toolCallName(part), null)
  }
  // A non-string name falls back to the type; a state that is no object is ignored.
  assert.deepEqual(toolPart({ id: 'p', type: 'tool', tool: { evil: 1 }, state: 'x', status: 3 }), { ...none, name: 'tool', result: false, status: 'x' })
  // __proto__ keys (own properties, as JSON.parse makes them) are data, never a prototype.
  const polluted = toolPart(JSON.parse('{"id":"p","type":"tool","tool":"__proto__","__proto__":{"tool":"evil","state":{"status":"evil"}},' +
    '"state":{"__proto__":{"status":"x","input":"evil","title":"evil","time":{"start":1,"end":2}}}}'))!
  assert.deepEqual(polluted, { ...none, name: '__proto__', result: false })
  // Escape sequences and huge strings come back as written (each surface shows or cuts them).
  const huge = 'x'.repeat(5_000_000)
  assert.deepEqual(toolPart({ id: 'p', type: 'tool', tool: '\u001b[31mbash', state: { title: huge, error: '\u001b]0;t\u0007' } }),
    { ...none, name: '\u001b[31mbash', result: false, title: huge, error: '\u001b]0;t\u0007', status: 'error' })
})

test('toolCallName: calls only (a result is no call), names cut for the listing, the same name toolPart reads', () => {
  assert.equal(toolCallName({ id: 'p', type: 'tool', tool: 'bash' }), 'bash')
  assert.equal(toolCallName({ id: 'p', type: 'tool_result', name: 'bash' }), null)
  assert.equal(toolCallName({ id: 'p', type: 'tool', tool: 'n'.repeat(1_000_000) }), 'n'.repeat(TOOL_NAME_CHARS))
  for (const part of [{ id: 'p', type: 'tool', name: 'a', toolName: 'b' }, { id: 'p', type: 'tool_use', toolName: 'b' }, { id: 'p', type: 'tool-call', tool: 5, name: 'c' }, { id: 'p', type: 'tool_call' }]) {
    assert.equal(toolCallName(part), toolPart(part)!.name, JSON.stringify(part))
  }
})

test("toolPart: the AI SDK 5/6 UI message tool parts ('dynamic-tool' with toolName, 'tool-<name>' with a toolCallId; state a string; errorText) are tool calls, counted by name", () => {
  const dynamic = { id: 'p', type: 'dynamic-tool', toolName: 'grep', toolCallId: 'c1', state: 'output-error', input: { pattern: 'x' }, errorText: 'bad regex' }
  const d = toolPart(dynamic)!
  assert.deepEqual({ name: d.name, input: d.input, error: d.error, status: d.status, result: d.result }, { name: 'grep', input: { pattern: 'x' }, error: 'bad regex', status: 'output-error', result: false })
  const typed = { id: 'p', type: 'tool-bash', toolCallId: 'c2', state: 'output-available', input: { command: 'ls' }, output: 'a\n' }
  const t = toolPart(typed)!
  assert.deepEqual({ name: t.name, input: t.input, output: t.output, status: t.status }, { name: 'bash', input: { command: 'ls' }, output: 'a\n', status: 'output-available' })
  assert.equal(toolCallName(dynamic), 'grep')
  assert.equal(toolCallName(typed), 'bash')
  // A host's own `tool-…` part without a call id is no call; `tool-` alone names no tool; a result type stays a result.
  assert.equal(toolPart({ id: 'p', type: 'tool-progress', percent: 50 }), undefined)
  assert.equal(toolCallName({ id: 'p', type: 'tool-', toolCallId: 'c' }), null)
  assert.equal(toolCallName({ id: 'p', type: 'tool-result', toolCallId: 'c' }), null)
  assert.equal(toolCallName({ id: 'p', type: 'tool-__proto__', toolCallId: 'c' }), '__proto__')
})
