import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { SUMMARY_JSON_CHARS, toolSummary, whatRan } from '../../lib/core/tool-what.js'
import { toolPart } from '../../lib/core/tool-part.js'

test('whatRan: what the call ran, by kind of tool', () => {
  const cases: Array<[string, unknown, string]> = [
    ['bash', { command: 'npm test', description: 'Run the tests' }, 'npm test'],
    ['Bash', { description: 'Run', command: 'ls -la' }, 'ls -la'],
    ['shell', { command: ['bash', '-lc', 'cargo build'], workdir: '/x' }, 'bash -lc cargo build'],
    ['local_shell', { cmd: 'make' }, 'make'],
    ['read', { filePath: '/src/a.ts', offset: 10 }, '/src/a.ts'],
    ['Read', { file_path: '/src/b.ts' }, '/src/b.ts'],
    ['write', { content: 'x = 1', filePath: '/src/c.py' }, '/src/c.py'],
    ['edit', { oldString: 'a', newString: 'b', filePath: '/src/d.ts' }, '/src/d.ts'],
    ['mcp__fs__read_file', { path: 'docs/e.md' }, 'docs/e.md'],
    ['grep', { include: '*.ts', pattern: 'TODO\\(', path: 'src' }, 'TODO\\('],
    ['glob', { path: '/repo', pattern: '**/*.test.ts' }, '**/*.test.ts'],
    ['list', { ignore: ['node_modules'], path: '/repo' }, '/repo'],
    ['webfetch', { format: 'markdown', url: 'https://example.com/doc' }, 'https://example.com/doc'],
    ['web_search', { query: 'markdown-it maxNesting' }, 'markdown-it maxNesting'],
    ['task', { prompt: 'long prompt', description: 'Find the bug' }, 'Find the bug'],
    ['apply_patch', { input: '*** Begin Patch\n*** Update File: a.ts\n@@\n-x\n+y\n*** Add File: b.ts\n+z\n*** End Patch' }, 'a.ts, b.ts'],
    ['frobnicate', { count: 3, target: 'widget', other: 'later' }, 'widget'],
    ['bash', 'echo as a string', 'echo as a string'],
    ['bash', '{"command":"echo parsed"}', 'echo parsed'],
  ]
  for (const [name, input, what] of cases) assert.equal(whatRan(name, input), what, `${name} ${JSON.stringify(input)}`)
  // A field that says nothing is skipped for the next one; a patch that names no file is "patch".
  assert.equal(whatRan('bash', { command: '  ', cmd: 'make' }), 'make')
  assert.equal(whatRan('apply_patch', { input: '*** Begin Patch\n*** End Patch' }), 'patch')
  for (const input of [undefined, null, 3, [], {}, { n: 1, flag: true }, '', '  \n', { command: '' }, { command: [] }, '{"n":1}']) {
    assert.equal(whatRan('bash', input), undefined, JSON.stringify(input))
  }
})

test('toolSummary: what ran, else the host\'s title, else the input as JSON; nothing for no input', () => {
  const summary = (part: Record<string, unknown>) => toolSummary(toolPart({ id: 'p', type: 'tool', ...part })!)
  assert.equal(summary({ tool: 'bash', state: { input: { command: 'ls' }, title: 'List' } }), 'ls')
  assert.equal(summary({ tool: 'todowrite', state: { input: { todos: [] }, title: '3 todos' } }), '3 todos')
  assert.equal(summary({ tool: 'todowrite', state: { input: { todos: [{ n: 1 }] } } }), '{"todos":[{"n":1}]}')
  assert.equal(summary({ tool: 'x', input: [1, 'two'] }), '[1,"two"]')
  assert.equal(summary({ tool: 'x', input: 42 }), '42')
  assert.equal(summary({ tool: 'x', arguments: '{"n":1}' }), '{"n":1}', 'a JSON string as written')
  for (const input of [undefined, null, '', ' ', {}, []]) assert.equal(summary({ tool: 'x', input }), undefined, JSON.stringify(input))
})

test('whatRan and toolSummary: hostile inputs cost a bounded amount and never throw', () => {
  // Huge: a megabyte command is returned as is (each surface cuts it); a huge JSON argument string is not parsed.
  const huge = 'x'.repeat(1024 * 1024)
  assert.equal(whatRan('bash', { command: huge }), huge)
  const bigArgs = JSON.stringify({ command: 'ls', pad: huge })
  assert.equal(whatRan('bash', bigArgs), bigArgs, 'too long to parse: the string itself')
  // A patch whose file list starts past the searched head is "patch"; a huge name is cut before it is matched.
  assert.equal(whatRan('apply_patch', { input: `*** Begin Patch\n${'+'.repeat(70_000)}\n*** Add File: late.ts\n` }), 'patch')
  assert.equal(whatRan(`${'a'.repeat(1_000_000)}__bash`, { command: 'ls', other: 'x' }), 'ls', 'the first string: the name\'s tail was cut off')
  // Deep nesting: an input nested far deeper than the stack allows is cut, not a RangeError.
  let deep: unknown = 'bottom'
  for (let i = 0; i < 200_000; i++) deep = [deep]
  const line = toolSummary({ name: 'x', input: { deep }, title: undefined })!
  assert.equal(line.length, SUMMARY_JSON_CHARS + 1)
  assert.ok(line.startsWith('{"deep":[[[[') && line.endsWith('…'))
  // A wide input: bounded too.
  const wide = toolSummary({ name: 'x', input: Array.from({ length: 100_000 }, (_, i) => i), title: undefined })!
  assert.equal(wide.length, SUMMARY_JSON_CHARS + 1)
  // __proto__ (an own key, as JSON.parse makes it) is data: never read as the command.
  const polluted = JSON.parse('{"__proto__":{"command":"evil"}}') as unknown
  assert.equal(whatRan('bash', polluted), undefined)
  assert.equal(whatRan('bash', '{"__proto__":{"command":"evil"}}'), undefined)
  assert.equal(toolSummary({ name: 'bash', input: polluted, title: undefined }), '{"__proto__":{"command":"evil"}}')
  assert.equal(({} as Record<string, unknown>).command, undefined)
  // Escape sequences stay in the text (surfaces show or drop them as their medium needs).
  assert.equal(whatRan('bash', { command: '\u001b[31mrm\u001b[0m\u0007' }), '\u001b[31mrm\u001b[0m\u0007')
  // A name full of separators, or empty, is a kind like any other.
  assert.equal(whatRan('', { path: 'p' }), 'p')
  assert.equal(whatRan('__/.:', { url: 'u' }), 'u')
})

test('whatRan: a patch anywhere in the input wins over an earlier string', () => {
  assert.equal(whatRan('custom', { note: 'first', body: '*** Begin Patch\n*** Delete File: old.ts\n*** End Patch' }), 'old.ts')
  assert.equal(whatRan('custom', { n: 1, note: ' ', other: 'second' }), 'second')
})

test('toolPart and toolSummary fuzzed: any JSON in any field, any type of tool part: no throw, the summary a string or undefined', () => {
  const json = fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' }))
  const key = fc.constantFrom('tool', 'name', 'toolName', 'state', 'input', 'args', 'arguments', 'output', 'result', 'content', 'status', 'error', 'is_error', 'title', 'time', '__proto__', 'constructor', 'toString')
  const inner = fc.dictionary(fc.constantFrom('status', 'input', 'output', 'error', 'title', 'time', 'message', 'data', '__proto__', 'constructor', 'command', 'start', 'end'), json, { maxKeys: 6 })
  const part = fc.record({
    type: fc.constantFrom('tool', 'tool-call', 'tool_call', 'tool-use', 'tool_use', 'tool-result', 'tool_result'),
    fields: fc.dictionary(key, fc.oneof(json, inner), { maxKeys: 8 }),
  }).map(({ type, fields }) => JSON.parse(JSON.stringify({ id: 'p', type, ...fields })) as Record<string, unknown>)
  fc.assert(fc.property(part, p => {
    const t = toolPart(p)
    assert.ok(t)
    assert.equal(typeof t.name, 'string')
    for (const field of [t.status, t.error, t.title]) assert.ok(field === undefined || typeof field === 'string')
    const line = toolSummary(t)
    assert.ok(line === undefined || typeof line === 'string')
  }), { numRuns: 3000 })
})
