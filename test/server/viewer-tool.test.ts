import { test } from 'node:test'
import assert from 'node:assert/strict'
import { toolPart } from '../../lib/core/tool-part.js'
import type { JsonValue, Part } from '../../lib/core/types.js'
import { DEFAULT_PART_LIMITS, type PartLimits } from '../../lib/server/viewer-html.js'
import { elapsed, renderTool as renderToolPart } from '../../lib/server/viewer-tool.js'

const limits = { ...DEFAULT_PART_LIMITS, jsonHref: '../api/share/abc' }
const tool = (fields: Record<string, JsonValue>): Part => ({ id: 't', type: 'tool', ...fields }) as Part
/** A part rendered as the page does: read by core's toolPart(), then drawn. */
const renderTool = (part: Part, partLimits: PartLimits): string => renderToolPart(toolPart(part) ?? assert.fail(JSON.stringify(part)), partLimits)
/** The one line of a rendered call. */
const summary = (html: string): string => /<summary>([\s\S]*?)<\/summary>/.exec(html)?.[1] ?? assert.fail(html)

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
  // An error without a status still marks the call failed.
  const flat = renderTool(tool({ name: 'read', input: { path: 'a' }, error: { code: 'ENOENT' } }), limits)
  assert.match(flat, /<span class="status error">error<\/span>/)
  // An error object without a message: its JSON, on one line (core's toolPart() reads every surface's error text).
  assert.match(flat, /<div class="tool-error"><pre>\{&quot;code&quot;:&quot;ENOENT&quot;\}<\/pre><\/div>/)
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
  for (const [ms, text] of cases) assert.equal(elapsed(1_700_000_000_000, 1_700_000_000_000 + ms), text, String(ms))
  for (const [start, end] of [[undefined, undefined], [1, undefined], [undefined, 1], [5, 1], [-Number.MAX_VALUE, Number.MAX_VALUE]]) {
    assert.equal(elapsed(start, end), undefined, `${start} ${end}`)
  }
  // What toolPart() does not give as a time (no object, not a number, not finite) is no duration on the line.
  for (const time of [5, { start: 1 }, { start: '1', end: '2' }, { start: 0, end: 1e309 }] as JsonValue[]) {
    assert.doesNotMatch(renderTool(tool({ tool: 'bash', state: { status: 'completed', time } }), limits), /duration/, JSON.stringify(time))
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
  assert.equal(({} as Record<string, unknown>).command, undefined)
})

test('the line says what ran as the markdown export and the CLI do: no string to quote and no title is the input as JSON', () => {
  assert.equal(summary(renderTool(tool({ tool: 'todowrite', state: { status: 'completed', input: { todos: [{ done: true }] } } }), limits)),
    '<span class="tool-name">todowrite</span> <code class="tool-what">{&quot;todos&quot;:[{&quot;done&quot;:true}]}</code> · <span class="status completed">completed</span>')
  // The state's fields win over a stale top-level copy, as everywhere (core's toolPart()).
  assert.equal(summary(renderTool(tool({ tool: 'bash', input: { command: 'stale' }, time: { start: 0, end: 1 }, state: { input: { command: 'fresh' }, time: { start: 0, end: 2000 } } }), limits)),
    '<span class="tool-name">bash</span> <code class="tool-what">fresh</code> · <span class="duration">2.0 s</span>')
  // An input nested deeper than the stack allows: the line is cut at 160 characters, the input box at toolChars.
  let deep: JsonValue = 0
  for (let i = 0; i < 200_000; i++) deep = [deep]
  const html = renderTool(tool({ tool: 'x', state: { input: { deep } } }), limits)
  assert.match(summary(html), /^<span class="tool-name">x<\/span> <code class="tool-what">\{&quot;deep&quot;:\[{152}…<\/code>$/)
  assert.match(html, /<div class="label">input<\/div><pre>\{\n {2}&quot;deep&quot;: \[\n/)
})

test('bidi controls in a tool name, what it ran, its status, error and output do not reach the page raw (the CLI escapes them: they reorder what a reader sees)', () => {
  const spoof = 'rm -rf ~/\u202Egnp.tac\u202C \u2066x\u2069'
  const html = renderTool(tool({ tool: `bash${spoof}`, state: { status: `done${spoof}`, input: { command: spoof }, title: spoof, error: spoof, output: spoof } }), limits)
  assert.doesNotMatch(html, /[\u202a-\u202e\u2066-\u2069]/, 'no raw bidi control on the page')
})
