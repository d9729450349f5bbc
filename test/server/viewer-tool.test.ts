import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { JsonValue, Part } from '../../lib/core/types.js'
import { DEFAULT_PART_LIMITS } from '../../lib/server/viewer-html.js'
import { elapsed, failure, renderTool, whatRan } from '../../lib/server/viewer-tool.js'

const limits = { ...DEFAULT_PART_LIMITS, jsonHref: '../api/share/abc' }
const tool = (fields: Record<string, JsonValue>): Part => ({ id: 't', type: 'tool', ...fields }) as Part
/** The one line of a rendered call. */
const summary = (html: string): string => /<summary>([\s\S]*?)<\/summary>/.exec(html)?.[1] ?? assert.fail(html)

test('the summary line says what ran, by kind of tool', () => {
  const cases: Array<[string, JsonValue, string]> = [
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
  for (const input of [undefined, null, 3, [], {}, { n: 1, flag: true }, '', { command: '' }] as Array<JsonValue | undefined>) {
    assert.equal(whatRan('bash', input), undefined, JSON.stringify(input))
  }
})

test('an OpenCode tool part: name, what it ran, status and duration on one line; input and output behind it', () => {
  const html = renderTool(tool({
    tool: 'bash', callID: 'call_1',
    state: { status: 'completed', input: { command: 'npm test' }, output: 'ok\n', title: 'Run', time: { start: 1000, end: 5830 } },
  }), limits)
  assert.equal(html, '<div class="tool"><details><summary><span class="tool-name">bash</span> <code class="tool-what">npm test</code>' +
    ' · <span class="status completed">completed</span> · <span class="duration">4.8 s</span></summary>' +
    '<div class="label">input</div><pre>{\n  &quot;command&quot;: &quot;npm test&quot;\n}</pre><div class="label">output</div><pre>ok\n</pre></details></div>')
})

test('the other hosts\' spellings are read too', () => {
  assert.equal(summary(renderTool({ id: 'a', type: 'tool_use', name: 'Read', input: { file_path: '/x.ts' } } as Part, limits)),
    '<span class="tool-name">Read</span> <code class="tool-what">/x.ts</code>')
  assert.equal(summary(renderTool({ id: 'b', type: 'tool-call', toolName: 'grep', args: { pattern: 'a|b' }, status: 'running' } as Part, limits)),
    '<span class="tool-name">grep</span> <code class="tool-what">a|b</code> · <span class="status running">running</span>')
  assert.equal(summary(renderTool({ id: 'c', type: 'tool_call', name: 'shell', arguments: '{"command":["ls","-a"]}' } as Part, limits)),
    '<span class="tool-name">shell</span> <code class="tool-what">ls -a</code>')
  // An Anthropic tool_result: its content is the output, is_error its status.
  const result = renderTool({ id: 'd', type: 'tool_result', is_error: true, content: 'No such file' } as Part, limits)
  assert.equal(summary(result), '<span class="tool-name">tool_result</span> · <span class="status error">error</span>')
  assert.match(result, /^<div class="tool failed">.*<div class="label">output<\/div><pre>No such file<\/pre>/s)
  // With nothing else, the title says what ran; with nothing at all, the line is the name.
  assert.equal(summary(renderTool(tool({ tool: 'todowrite', state: { status: 'completed', input: { todos: [] }, title: '3 todos' } }), limits)),
    '<span class="tool-name">todowrite</span> <code class="tool-what">3 todos</code> · <span class="status completed">completed</span>')
  assert.equal(renderTool(tool({}), limits),
    '<div class="tool"><details><summary><span class="tool-name">tool</span></summary><p class="muted">No input or output.</p></details></div>')
})

test('a failed call shows its error text in plain sight, whatever shape the error has', () => {
  const html = renderTool(tool({ tool: 'bash', state: { status: 'error', input: { command: 'tsc' }, error: 'error TS2322: <bad>' } }), limits)
  assert.match(html, /^<div class="tool failed"><details><summary>.*<span class="status error">error<\/span><\/summary>.*<\/details><div class="tool-error"><pre>error TS2322: &lt;bad&gt;<\/pre><\/div><\/div>$/s)
  assert.equal(failure('boom'), 'boom')
  assert.equal(failure({ message: 'denied' }), 'denied')
  assert.equal(failure({ name: 'APIError', data: { message: 'rate limited', status: 429 } }), 'rate limited')
  assert.deepEqual(failure({ code: 7 }), { code: 7 })
  for (const none of [undefined, null, false, '']) assert.equal(failure(none), undefined)
  // An error without a status still marks the call failed.
  const flat = renderTool(tool({ name: 'read', input: { path: 'a' }, error: { code: 'ENOENT' } }), limits)
  assert.match(flat, /<span class="status error">error<\/span>/)
  assert.match(flat, /<div class="tool-error"><pre>\{\n {2}&quot;code&quot;: &quot;ENOENT&quot;\n\}<\/pre><\/div>/)
})

test('a long output is cut after toolLines lines, with the count of what was cut', () => {
  const output = Array.from({ length: 120 }, (_, i) => `line ${i + 1}`).join('\n')
  for (const [toolLines, shown, more] of [[50, 50, 70], [40, 40, 80], [1, 1, 119]] as const) {
    const html = renderTool(tool({ tool: 'bash', state: { status: 'completed', input: { command: 'seq 120' }, output } }), { ...limits, toolLines })
    const pre = /<div class="label">output<\/div><pre>([\s\S]*?)<\/pre>/.exec(html)?.[1] ?? assert.fail(html)
    assert.equal(pre.split('\n').length, shown)
    assert.ok(pre.endsWith(`line ${shown}`))
    assert.match(html, new RegExp(`<div class="more">… ${more} more lines not shown\\. <a href="\\.\\./api/share/abc">Everything is in the JSON\\.</a></div>`))
  }
})

test('durations read as people say them; anything but two ordered numbers is no duration', () => {
  const cases: Array<[number, string]> = [[0, '0 ms'], [340, '340 ms'], [999, '999 ms'], [999.6, '1.0 s'], [1234, '1.2 s'],
    [9949, '9.9 s'], [9951, '10 s'], [59_400, '59 s'], [59_600, '1 min 0 s'], [125_000, '2 min 5 s'], [3_600_000, '1 h 0 min'], [90_061_000, '25 h 1 min']]
  for (const [ms, text] of cases) assert.equal(elapsed({ start: 1_700_000_000_000, end: 1_700_000_000_000 + ms }), text, String(ms))
  for (const time of [undefined, null, 5, { start: 1 }, { start: 5, end: 1 }, { start: '1', end: '2' }, { start: 0, end: 1e309 }] as Array<JsonValue | undefined>) {
    assert.equal(elapsed(time), undefined, JSON.stringify(time))
  }
})

test('hostile fields: markup, terminal escapes, huge and multi-line commands, __proto__', () => {
  const html = renderTool(tool({
    tool: '<script>x</script>',
    state: { status: '<b>done</b>', input: { command: '\u001b[31mrm\u001b[0m <img src=x onerror=alert(1)>\u0007' }, error: '\u001b]0;title\u0007<svg onload=alert(1)>' },
  }), limits)
  assert.equal(summary(html), '<span class="tool-name">&lt;script&gt;x&lt;/script&gt;</span> <code class="tool-what">rm &lt;img src=x onerror=alert(1)&gt;␇</code>' +
    ' · <span class="status">&lt;b&gt;done&lt;/b&gt;</span>')
  assert.match(html, /<div class="tool-error"><pre>&lt;svg onload=alert\(1\)&gt;<\/pre><\/div>/)
  assert.doesNotMatch(html, /<(script|img|svg)|\u001b/)
  // One line, cut: a megabyte-long command and a script of many lines.
  const long = summary(renderTool(tool({ tool: 'bash', state: { input: { command: 'x'.repeat(1024 * 1024) } } }), limits))
  assert.equal(long, `<span class="tool-name">bash</span> <code class="tool-what">${'x'.repeat(160)}…</code>`)
  assert.equal(summary(renderTool(tool({ tool: 'bash', state: { input: { command: 'set -e\n  make   all\nmake test' } } }), limits)),
    '<span class="tool-name">bash</span> <code class="tool-what">set -e…</code>')
  assert.equal(summary(renderTool(tool({ tool: 'bash', state: { input: { command: '  make \t all \r\nmake test' } } }), limits)),
    '<span class="tool-name">bash</span> <code class="tool-what">make all…</code>')
  // __proto__ keys (own properties, as JSON.parse makes them) are data, never a prototype.
  const polluted = JSON.parse('{"id":"p","type":"tool","__proto__":{"tool":"evil","state":{"status":"completed"}},' +
    '"state":{"__proto__":{"status":"evil"},"input":{"__proto__":{"command":"evil"},"command":"echo safe"}}}') as Part
  assert.equal(summary(renderTool(polluted, limits)), '<span class="tool-name">tool</span> <code class="tool-what">echo safe</code>')
  assert.equal(whatRan('bash', JSON.parse('{"__proto__":{"command":"evil"}}') as JsonValue), undefined)
  assert.equal(({} as Record<string, unknown>).command, undefined)
})
