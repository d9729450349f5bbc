import { test } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import MarkdownIt from 'markdown-it'
import { toMarkdown } from '../../lib/export/markdown.js'
import { Journal } from '../../lib/journal.js'
import type { JsonValue, Message, Part, SessionInfo } from '../../lib/core/types.js'
import { emptySessionUsage } from '../../lib/core/usage.js'
import { rejectsWith, tempDir } from '../helpers.js'

const info = (extra: Partial<SessionInfo> = {}): SessionInfo => ({
  id: '01JD7X2M5Q8R3T4V6W7Y8Z9A0B', projectId: 'p-000000000000', projectPath: '/work/app', title: null, parentId: null,
  created: '2024-01-01T10:00:00.000Z', updated: '2024-01-01T10:05:00.000Z', share: null, usage: emptySessionUsage(),
  meta: { host: { name: 'opencode', version: '1.2.3' }, events: [] }, ...extra,
})

const messages: Message[] = [
  { id: 'u1', role: 'user', created: '2024-01-01T10:00:01.000Z', parts: [{ id: 't', type: 'text', text: 'Why does the **date** test fail?' }] },
  { id: 'a1', role: 'assistant', created: '2024-01-01T10:00:02.000Z', parts: [
    { id: 'r', type: 'reasoning', text: 'Look at the test first.' },
    { id: 'k', type: 'tool', tool: 'bash', callID: 'c1', state: { status: 'completed', input: { command: 'npm test' }, output: 'fail: date\n1 failing' } },
    { id: 'e', type: 'tool', tool: 'read', callID: 'c2', state: { status: 'error', input: { filePath: 'src/date.ts' }, error: 'ENOENT' } },
    { id: 't', type: 'text', text: 'It assumes weeks start on Sunday.' },
  ] },
  { id: 's1', role: 'system', created: '2024-01-01T10:00:03.000Z', parts: [] },
]

test('toMarkdown: the transcript of a fixture session, byte for byte', () => {
  assert.equal(toMarkdown({ info: info(), messages }), [
    '# “Why does the \\*\\*date\\*\\* test fail?”',
    '',
    '- **Session:** `01JD7X2M5Q8R3T4V6W7Y8Z9A0B`',
    '- **Project:** `/work/app`',
    '- **Created:** 2024-01-01T10:00:00.000Z · **Updated:** 2024-01-01T10:05:00.000Z',
    '- **Messages:** 3 (1 user, 1 assistant, 1 system)',
    '- **Host:** opencode 1.2.3',
    '',
    '## User · 2024-01-01T10:00:01.000Z',
    '',
    'Why does the **date** test fail?',
    '',
    '## Assistant · 2024-01-01T10:00:02.000Z',
    '',
    '<details><summary>Reasoning</summary>',
    '',
    'Look at the test first.',
    '',
    '</details>',
    '',
    '**Tool:** `bash` · `npm test` · completed',
    '',
    '<details><summary>Output (2 lines)</summary>',
    '',
    '```text',
    'fail: date',
    '1 failing',
    '```',
    '',
    '</details>',
    '',
    '**Tool:** `read` · `src/date.ts` · error',
    '',
    '<details><summary>Error (1 line)</summary>',
    '',
    '```text',
    'ENOENT',
    '```',
    '',
    '</details>',
    '',
    'It assumes weeks start on Sunday.',
    '',
    '## System · 2024-01-01T10:00:03.000Z',
    '',
    '*(empty)*',
    '',
  ].join('\n'))
})

test('toMarkdown: backticks, HTML and escape sequences in content cannot break out', () => {
  const hostile: Message[] = [
    { id: 'u', role: 'user', created: 'T', parts: [{ id: 't', type: 'text', text: 'run this:\n```sh\nrm -rf /\n\u001b]8;;http://evil\u0007click\u001b[2J' }] },
    { id: 'a', role: 'assistant', created: 'T', parts: [
      { id: 'k', type: 'tool', tool: 'x`y<b>', state: { status: '<i>done</i>', input: { command: 'echo ``` && echo ````' }, output: 'before\n````\n</details><script>alert(1)</script>\n```' } },
      { id: 'f', type: 'file', url: '`a`', mime: '<img src=x onerror=alert(1)>' },
    ] },
  ]
  const md = toMarkdown({ info: info({ title: '<script>alert(1)</script> # [x](javascript:y)\n# second heading' }), messages: hostile })
  assert.ok(!md.includes('\u001b') && !md.includes('\u0007'), 'no raw control character')
  assert.match(md, /␛\]8;;http:\/\/evil␇click␛\[2J/)
  // The text left a fence open: it is closed before the next heading.
  assert.match(md, /␛\[2J\n```\n\n## Assistant/)
  assert.equal(md.split('\n')[0], '# &lt;script&gt;alert(1)&lt;/script&gt; \\# \\[x\\](javascript:y) \\# second heading')
  // The output's fence is longer than any backtick run inside it.
  assert.match(md, /\n`````text\nbefore\n````\n<\/details><script>alert\(1\)<\/script>\n```\n`````\n/)
  // Code spans: a fence longer than any run inside, padded where the content starts or ends with a backtick.
  assert.match(md, /\*\*Tool:\*\* ``x`y<b>`` · ````` echo ``` && echo ```` ````` · &lt;i&gt;done&lt;\/i&gt;/)
  // Rendered (markdown-it, HTML on, as a permissive viewer would): no script or img element
  // comes from what the journal wrote around the content, and every heading is one of ours.
  const html = new MarkdownIt({ html: true }).render(md)
  assert.ok(!/<script>/.test(html.replace(/<pre>[\s\S]*?<\/pre>/g, '')), 'the script tag only inside a code block')
  assert.ok(!html.includes('<img'))
  assert.deepEqual(html.match(/<h[12]>[^<]*/g)?.map(h => h.slice(0, 14)), ['<h1>&lt;script', '<h2>User · T', '<h2>Assistant '])
})

test('toMarkdown: a huge tool output is cut at maxOutputLines, with the count of what was cut', () => {
  const output = Array.from({ length: 100_000 }, (_, i) => `line ${i}`).join('\n')
  const long = 'z'.repeat(5_000_000)
  const md = toMarkdown({ info: info(), messages: [{ id: 'a', role: 'assistant', created: 'T', parts: [
    { id: 'k', type: 'tool', tool: 'bash', state: { status: 'completed', input: { command: 'seq' }, output } },
    { id: 'l', type: 'tool_result', output: long },
  ] }] }, { maxOutputLines: 3 })
  assert.match(md, /<summary>Output \(100000 lines\)<\/summary>\n\n```text\nline 0\nline 1\nline 2\n```\n\n… 99997 more lines\n\n<\/details>/)
  // One 5 MB line: kept, but cut at 2000 characters.
  assert.ok(md.includes(`${'z'.repeat(2000)}… [4998000 more characters]\n`))
  assert.ok(md.length < 10_000, `${md.length} characters`)
  // Default: 20 lines.
  assert.match(toMarkdown({ info: info(), messages: [{ id: 'a', role: 'assistant', created: 'T', parts: [{ id: 'k', type: 'tool', tool: 'bash', output }] }] }), /line 19\n```\n\n… 99980 more lines/)
})

test('toMarkdown: redact runs over every string before rendering; a structured output is shown as JSON', () => {
  const secret = 'sk-ant-abcdefghijklmnopqrstuvwxyz012345'
  const md = toMarkdown({ info: info({ title: `key ${secret}` }), messages: [{ id: 'a', role: 'assistant', created: 'T', parts: [
    { id: 't', type: 'text', text: `use ${secret}` },
    { id: 'k', type: 'tool', tool: 'env', state: { status: 'completed', input: { command: `export KEY=${secret}` }, output: { KEY: secret } } },
  ] }] }, { redact: true })
  assert.ok(!md.includes(secret))
  assert.equal((md.match(/REDACTED/g) ?? []).length, 4)
  assert.match(md, /^# key \\\[REDACTED\\\]\n/, 'the title escaped like any title')
  assert.match(md, /```text\n\{\n {2}"KEY": "\[REDACTED\]"\n\}\n```/)
})

test('journal.exportMarkdown: the session read and rendered; a bad or unknown id is the read error', async t => {
  const root = path.join(tempDir(t), 'root')
  const journal = new Journal({ root, fsync: 'never' })
  const s = await journal.create({ project: '/work/app', title: 'Dates' })
  await s.message({ role: 'user', parts: [{ type: 'text', text: 'hi' }] })
  await s.close()
  assert.equal(await journal.exportMarkdown(s.id), toMarkdown(await journal.read(s.id)))
  assert.match(await journal.exportMarkdown(s.id), /^# Dates\n/)
  await rejectsWith(journal.exportMarkdown('nope'), 'ERR_INVALID_ID')
  await rejectsWith(journal.exportMarkdown('01JD7X2M5Q8R3T4V6W7Y8Z9A0B'), 'ERR_SESSION_NOT_FOUND')
})

test('toMarkdown: a call\'s one line says what it ran: command, pattern, file, else its input as JSON', () => {
  const line = (input: unknown) => toMarkdown({ info: info({ title: 't' }), messages: [{ id: 'a', role: 'assistant', created: 'T', parts: [{ id: 'k', type: 'tool_use', name: 'x', input: input as never }] }] }).split('\n').find(l => l.startsWith('**Tool:**'))
  assert.equal(line({ pattern: 'getDay', path: 'src' }), '**Tool:** `x` · `getDay`')
  assert.equal(line({ filePath: 'a.ts', offset: 3 }), '**Tool:** `x` · `a.ts`')
  assert.equal(line({ n: 1 }), '**Tool:** `x` · `{"n":1}`')
  assert.equal(line('ls\n-la'), '**Tool:** `x` · `ls -la`')
  assert.equal(line(undefined), '**Tool:** `x`')
  assert.equal(line({ command: 'y'.repeat(1000) }), `**Tool:** \`x\` · \`${'y'.repeat(200)}…\``)
})

test('toMarkdown: the one line says what ran as the share page does (core toolSummary), from the fields toolPart reads', () => {
  const lines = (parts: Array<Record<string, unknown>>) => toMarkdown({ info: info({ title: 't' }), messages: [{ id: 'a', role: 'assistant', created: 'T', parts: parts as never }] })
    .split('\n').filter(l => l.startsWith('**Tool:**'))
  assert.deepEqual(lines([
    // By kind of tool: a shell's command (here `cmd`), not its description.
    { id: '1', type: 'tool', tool: 'local_shell', state: { status: 'completed', input: { description: 'Build it', cmd: 'make' } } },
    // Codex: argv joined; apply_patch as the files it touches; arguments as a JSON string parsed.
    { id: '2', type: 'tool', tool: 'shell', state: { status: 'completed', input: { command: ['bash', '-lc', 'cargo build'], workdir: '/x' } } },
    { id: '3', type: 'tool', tool: 'apply_patch', state: { status: 'completed', input: { input: '*** Begin Patch\n*** Update File: a.ts\n@@\n-x\n+y\n*** Add File: b.ts\n+z\n*** End Patch' } } },
    { id: '4', type: 'tool_call', name: 'mcp__fs__read_file', arguments: '{"encoding":"utf8","path":"docs/e.md"}' },
    // Nothing to quote: the host's title, else the input as JSON; no input, no second field.
    { id: '5', type: 'tool', tool: 'todowrite', state: { status: 'completed', input: { todos: [{ done: true }] }, title: '1 todo' } },
    { id: '6', type: 'tool', tool: 'todowrite', state: { status: 'completed', input: { todos: [{ done: true }] } } },
    { id: '7', type: 'tool', tool: 'x', state: { status: 'completed', input: {} } },
    // The state wins over a stale top-level copy; Anthropic's result: is_error is its status, content its output.
    { id: '8', type: 'tool', tool: 'bash', input: { command: 'stale' }, state: { status: 'completed', input: { command: 'fresh' } } },
    { id: '9', type: 'tool_result', tool_use_id: 'u', is_error: true, content: 'No such file' },
  ]), [
    '**Tool:** `local_shell` · `make` · completed',
    '**Tool:** `shell` · `bash -lc cargo build` · completed',
    '**Tool:** `apply_patch` · `a.ts, b.ts` · completed',
    '**Tool:** `mcp__fs__read_file` · `docs/e.md`',
    '**Tool:** `todowrite` · `1 todo` · completed',
    '**Tool:** `todowrite` · `{"todos":[{"done":true}]}` · completed',
    '**Tool:** `x` · completed',
    '**Tool:** `bash` · `fresh` · completed',
    '**Tool:** `tool_result` · error',
  ])
  assert.match(toMarkdown({ info: info(), messages: [{ id: 'a', role: 'assistant', created: 'T', parts: [{ id: 'r', type: 'tool_result', is_error: true, content: 'No such file' }] }] }),
    /\*\*Tool:\*\* `tool_result` · error\n\n<details><summary>Output \(1 line\)<\/summary>\n\n```text\nNo such file\n```/)
})

test('toMarkdown: an HTML comment left open, or a </details> in reasoning, cannot hide the messages after it', () => {
  const sneaky: Message[] = [
    { id: 'u', role: 'user', created: 'T', parts: [{ id: 't', type: 'text', text: 'look at this:\n<!-- hidden' }] },
    { id: 'a', role: 'assistant', created: 'T', parts: [
      { id: 'r', type: 'reasoning', text: 'thinking </DETAILS> <!-- x --> done' },
      { id: 't', type: 'text', text: 'visible answer\n```html\n<!-- in a fence, literal\n```' },
    ] },
    { id: 'u2', role: 'user', created: 'T', parts: [{ id: 't', type: 'text', text: 'a closed <!-- note --> stays as written' }] },
  ]
  const md = toMarkdown({ info: info(), messages: sneaky })
  assert.match(md, /look at this:\n<!-- hidden\n-->\n\n## Assistant/)
  assert.match(md, /thinking &lt;\/DETAILS> <!-- x --> done/)
  assert.match(md, /```html\n<!-- in a fence, literal\n```\n\n## User/, 'a fenced comment is literal: nothing appended')
  assert.match(md, /a closed <!-- note --> stays as written\n/)
  assert.ok(!/stays as written\n-->/.test(md))
  // Rendered with HTML on, as GitHub would: every message is visible, every <details> closes where ours does.
  const html = new MarkdownIt({ html: true }).render(md)
  assert.match(html, /visible answer/)
  assert.match(html, /stays as written/)
  assert.match(html, /<details><summary>Reasoning<\/summary>[\s\S]*thinking &lt;\/DETAILS&gt;[\s\S]*?<\/details>/)
  assert.equal(html.match(/<details>/g)?.length, html.match(/<\/details>/g)?.length)
})

/** A value nested `levels` deep, as JSON.parse builds it from a log line written elsewhere (JSON.parse reads any depth). */
const nested = (levels: number): JsonValue => JSON.parse('['.repeat(levels) + ']'.repeat(levels)) as JsonValue

for (const [what, part] of [
  ['a tool output (JSON.stringify(output, null, 2))', { id: 'o', type: 'tool', tool: 'bash', state: { status: 'completed', input: { command: 'x' }, output: nested(100_000) } }],
  ['a tool input and error object', { id: 'e', type: 'tool', tool: 'bash', state: { status: 'error', input: nested(100_000), error: { code: nested(100_000) } } }],
  ['a part of another type (JSON.stringify(rest))', { id: 'd', type: 'data', value: nested(100_000) }],
] as const) {
  test(`toMarkdown: ${what} nested 100 000 deep (a log from elsewhere) is exported, cut, never a RangeError`, () => {
    const md = toMarkdown({ info: info(), messages: [{ id: 'a', role: 'assistant', created: '2024-01-01T10:00:02.000Z', parts: [part as unknown as Part] }] })
    assert.ok(md.length < 100_000, `bounded (${md.length} characters)`)
  })
}

test('toMarkdown: bidi controls in a tool name, command, title, status or error are escaped like C0/C1 controls (they reorder what a reader sees)', () => {
  const spoof = 'rm -rf ~/\u202Egnp.tac\u202C \u2066x\u2069'
  const part = { id: 'k', type: 'tool', tool: `bash${spoof}`, state: { status: `done${spoof}`, input: { command: spoof }, title: spoof, error: spoof, output: spoof } } as Part
  const md = toMarkdown({ info: info(), messages: [{ id: 'a', role: 'assistant', created: '2024-01-01T10:00:02.000Z', parts: [part] }] })
  assert.doesNotMatch(md, /[\u202a-\u202e\u2066-\u2069]/, 'no raw bidi control in the export')
})
