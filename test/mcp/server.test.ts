import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { call, errorCodeOf, jsonOf, serve, textOf } from './helpers.js'

const SECRET = 'sk-proj-abcdefghijklmnopqrstuvwxyz123456'

test('mcp: lists its tools (each with a JSON Schema for its input) and the summary prompt', async t => {
  const { client } = await serve(t)
  const { tools } = await client.listTools()
  assert.deepEqual(tools.map(tool => tool.name).sort(), ['export_session', 'list_sessions', 'read_session', 'search_sessions', 'session_usage'])
  for (const tool of tools) {
    assert.equal(tool.inputSchema.type, 'object', tool.name)
    assert.equal(tool.annotations?.readOnlyHint, true, tool.name)
  }
  const read = tools.find(tool => tool.name === 'read_session')!
  assert.deepEqual(read.inputSchema.required, ['id'])
  const { prompts } = await client.listPrompts()
  assert.deepEqual(prompts.map(p => [p.name, p.arguments?.map(a => a.name)]), [['summarize-recent-work', ['since', 'project']]])
})

test('mcp: list_sessions returns digest rows a page at a time, with a cursor for more', async t => {
  const { client, journal, dir } = await serve(t)
  const project = path.join(dir, 'app')
  const ids: string[] = []
  for (let i = 0; i < 5; i++) {
    const s = await journal.create({ project, ...(i === 0 ? {} : { title: `session ${i}` }) })
    await s.message({ role: 'user', parts: [{ type: 'text', text: `prompt   number\n${i}` }] })
    await s.close()
    ids.unshift(s.id) // newest first
  }
  const first = jsonOf<{ sessions: Array<Record<string, unknown>>, total: number, nextCursor: string | null }>(await call(client, 'list_sessions', { limit: 2 }))
  assert.equal(first.total, 5)
  assert.deepEqual(first.sessions.map(r => r.id), ids.slice(0, 2))
  assert.equal(first.sessions[0]!.firstPrompt, 'prompt number 4')
  assert.equal(first.sessions[0]!.projectPath, project)
  assert.deepEqual(Object.keys(first.sessions[0]!.usage as object), ['events', 'input', 'output', 'cost'])
  // The digest: prompts, counts by role, tools; the untitled one's first prompt stands in for its title.
  assert.deepEqual([first.sessions[0]!.title, first.sessions[0]!.titleFromPrompt, first.sessions[0]!.lastPrompt], ['session 4', false, 'prompt number 4'])
  assert.deepEqual(first.sessions[0]!.roles, { user: 1, assistant: 0, system: 0 })
  assert.deepEqual(first.sessions[0]!.tools, {})
  const seen = [...first.sessions.map(r => r.id)]
  let cursor = first.nextCursor
  while (cursor !== null) {
    const page = jsonOf<{ sessions: Array<{ id: string }>, nextCursor: string | null }>(await call(client, 'list_sessions', { limit: 2, cursor }))
    seen.push(...page.sessions.map(r => r.id))
    cursor = page.nextCursor
  }
  assert.deepEqual(seen, ids)
  const untitled = jsonOf<{ sessions: Array<Record<string, unknown>> }>(await call(client, 'list_sessions', { limit: 200 })).sessions.at(-1)!
  assert.deepEqual([untitled.title, untitled.titleFromPrompt], ['prompt number 0', true])
  const none = jsonOf<{ sessions: unknown[], nextCursor: null }>(await call(client, 'list_sessions', { project: path.join(dir, 'elsewhere') }))
  assert.deepEqual(none, { sessions: [], total: 0, nextCursor: null })
  assert.equal(jsonOf<{ total: number }>(await call(client, 'list_sessions', { since: '1h', project })).total, 5)
})

test('mcp: read_session pages through a long session, as text and as messages, cutting tool outputs', async t => {
  const { client, journal, dir } = await serve(t)
  const s = await journal.create({ project: path.join(dir, 'app'), title: 'long one' })
  for (let i = 0; i < 45; i++) await s.message({ role: i % 2 ? 'assistant' : 'user', parts: [{ type: 'text', text: `message ${i}` }] })
  await s.message({ role: 'assistant', parts: [{ type: 'tool', tool: 'bash', input: { command: 'cat big' }, output: 'x'.repeat(5000), status: 'done' }] })
  await s.close()

  const texts: string[] = []
  let cursor: string | null | undefined
  do {
    const result = await call(client, 'read_session', { id: s.id, ...(cursor ? { cursor } : {}) })
    assert.notEqual(result.isError, true, textOf(result))
    texts.push(textOf(result))
    cursor = (result.structuredContent as { nextCursor: string | null }).nextCursor
  } while (cursor !== null)
  assert.equal(texts.length, 3) // 46 messages, 20 a page
  assert.match(texts[0]!, /^# long one\n/)
  assert.match(texts[0]!, /## \[1\] user · .*\nmessage 0\n/)
  assert.match(texts[0]!, /more with cursor /)
  assert.match(texts[2]!, /## \[46\] assistant/)
  assert.match(texts[2]!, /\[tool bash\] \{"command":"cat big"\} -> done\n {4}x{2000}\n {4}…\[3000 more characters cut; raise maxOutput to see them\]/)
  assert.match(texts[2]!, /\(end of session\)$/)

  const last = jsonOf<{ from: number, to: number, totalMessages: number, nextCursor: null, messages: Array<{ parts: Array<{ output: string }> }> }>(
    await call(client, 'read_session', { id: s.id, format: 'messages', limit: 1, cursor: Buffer.from('45').toString('base64url'), maxOutput: 10_000 }))
  assert.deepEqual([last.from, last.to, last.totalMessages, last.nextCursor], [46, 46, 46, null])
  assert.equal(last.messages[0]!.parts[0]!.output, 'x'.repeat(5000))
})

test('mcp: export_session returns the export document; session_usage the usage report', async t => {
  const { client, journal, dir } = await serve(t)
  const s = await journal.create({ project: path.join(dir, 'app'), title: 'exported' })
  await s.message({ role: 'user', parts: [{ type: 'text', text: 'hello' }] })
  await s.usage({ key: 'r1', model: 'm-1', input: 100, output: 20 })
  await s.close()
  const doc = JSON.parse(textOf(await call(client, 'export_session', { id: s.id }))) as { format: string, info: { title: string }, messages: unknown[] }
  assert.equal(doc.info.title, 'exported')
  assert.equal(doc.messages.length, 1)
  const report = jsonOf<{ by: string, rows: Array<{ group: string, input: number }>, total: { input: number, output: number } }>(
    await call(client, 'session_usage', { by: 'project', since: '1d' }))
  assert.equal(report.by, 'project')
  assert.deepEqual(report.rows.map(r => [r.group, r.input]), [[path.join(dir, 'app'), 100]])
  assert.deepEqual([report.total.input, report.total.output], [100, 20])
})

test('mcp: list_sessions counts tool calls by name; export_session format markdown is the transcript, outputs cut', async t => {
  const { client, journal, dir } = await serve(t)
  const s = await journal.create({ project: path.join(dir, 'app'), title: 'tools' })
  await s.message({ role: 'user', parts: [{ type: 'text', text: 'look around' }] })
  const a = await s.message({ role: 'assistant', parts: [] })
  await s.part(a, { id: 'k1', type: 'tool', tool: 'bash', callID: 'c1', state: { status: 'running', input: { command: 'seq 100' } } })
  await s.part(a, { id: 'k1', type: 'tool', tool: 'bash', callID: 'c1', state: { status: 'completed', input: { command: 'seq 100' }, output: Array.from({ length: 100 }, (_, i) => String(i + 1)).join('\n') } })
  await s.part(a, { id: 'k2', type: 'tool', tool: 'read', callID: 'c2', state: { status: 'completed', input: { filePath: 'a.ts' }, output: 'x' } })
  await s.part(a, { id: 'k3', type: 'tool', tool: 'bash', callID: 'c3', state: { status: 'completed', input: { command: 'ls' }, output: '' } })
  await s.close()
  const [row] = jsonOf<{ sessions: Array<Record<string, unknown>> }>(await call(client, 'list_sessions')).sessions
  assert.deepEqual(row!.tools, { bash: 2, read: 1 })
  assert.deepEqual(row!.roles, { user: 1, assistant: 1, system: 0 })
  const md = textOf(await call(client, 'export_session', { id: s.id, format: 'markdown', maxOutputLines: 5 }))
  assert.equal(md, await journal.exportMarkdown(s.id, { maxOutputLines: 5, redact: true }))
  assert.match(md, /^# tools\n/)
  assert.match(md, /\*\*Tool:\*\* `bash` · `seq 100` · completed\n\n<details><summary>Output \(100 lines\)<\/summary>\n\n```text\n1\n2\n3\n4\n5\n```\n\n… 95 more lines\n/)
  assert.match(textOf(await call(client, 'export_session', { id: s.id, format: 'markdown' })), /\n20\n```\n\n… 80 more lines\n/)
  const bad = await call(client, 'export_session', { id: s.id, format: 'html' })
  assert.equal(bad.isError, true)
})

test('mcp: secrets are redacted in every result, unless the server runs with --no-redact', async t => {
  const { client, journal, dir } = await serve(t)
  const s = await journal.create({ project: path.join(dir, 'app'), title: `key ${SECRET}` })
  await s.message({ role: 'user', parts: [{ type: 'text', text: `use ${SECRET} please` }] })
  await s.close()
  for (const [name, args] of [['list_sessions', {}], ['read_session', { id: s.id }], ['read_session', { id: s.id, format: 'messages' }], ['export_session', { id: s.id }], ['export_session', { id: s.id, format: 'markdown' }]] as const) {
    const result = await call(client, name, args)
    assert.ok(!JSON.stringify(result).includes(SECRET), `${name} leaked the secret`)
    assert.ok(JSON.stringify(result).includes('[REDACTED]'), name)
  }
  const raw = await serve(t, ['--no-redact'])
  const other = await raw.journal.import(await journal.export(s.id))
  assert.ok(textOf(await call(raw.client, 'read_session', { id: other })).includes(SECRET))
})

test('mcp: bad input is an error result with the journal\'s code, and the server goes on', async t => {
  const { client, journal, dir } = await serve(t)
  assert.equal(errorCodeOf(await call(client, 'read_session', { id: 'not-an-id' })), 'ERR_INVALID_ID')
  assert.equal(errorCodeOf(await call(client, 'read_session', { id: '01J9Z4W4N5Q6ZC8V0X9S3K1M2P' })), 'ERR_SESSION_NOT_FOUND')
  assert.equal(errorCodeOf(await call(client, 'export_session', { id: '01J9Z4W4N5Q6ZC8V0X9S3K1M2P' })), 'ERR_SESSION_NOT_FOUND')
  assert.equal(errorCodeOf(await call(client, 'list_sessions', { since: 'last tuesday' })), 'ERR_USAGE')
  assert.equal(errorCodeOf(await call(client, 'list_sessions', { cursor: 'garbage' })), 'ERR_USAGE')
  assert.equal(errorCodeOf(await call(client, 'session_usage', { until: '2026-02-30' })), 'ERR_USAGE')
  assert.equal(errorCodeOf(await call(client, 'session_usage', { timeZone: 'Mars/Olympus' })), 'ERR_USAGE')
  const s = await journal.create({ project: path.join(dir, 'app') })
  await s.close()
  assert.equal(errorCodeOf(await call(client, 'read_session', { id: s.id, cursor: Buffer.from('-1').toString('base64url') })), 'ERR_USAGE')
  // Arguments the schema refuses: the SDK's own error result, not a crash.
  const wrongType = await call(client, 'list_sessions', { limit: 'ten' })
  assert.equal(wrongType.isError, true)
  assert.match(textOf(wrongType), /limit/)
  // Still serving.
  assert.equal(jsonOf<{ total: number }>(await call(client, 'list_sessions')).total, 1)
})

test('mcp: a damaged log is read as well as it can be, with the damage reported', async t => {
  const { client, journal, dir } = await serve(t)
  const s = await journal.create({ project: path.join(dir, 'app'), title: 'damaged' })
  await s.message({ role: 'user', parts: [{ type: 'text', text: 'before the damage' }] })
  await s.close()
  const { path: file } = await journal.locate(s.id)
  fs.appendFileSync(file, '{"this is": not json\n')
  const rows = jsonOf<{ sessions: Array<{ damaged: boolean }> }>(await call(client, 'list_sessions'))
  assert.equal(rows.sessions[0]!.damaged, true)
  const result = await call(client, 'read_session', { id: s.id })
  assert.notEqual(result.isError, true)
  assert.match(textOf(result), /warning: 1 damaged line\(s\) of the log were skipped/)
  assert.match(textOf(result), /before the damage/)
  assert.deepEqual((result.structuredContent as { damage: Array<{ kind: string, line: number }> }).damage.map(d => [d.kind, d.line]), [['bad-json', 3]])
})

test('mcp: search_sessions finds messages by their words, best first, secrets redacted; a bad query is ERR_INVALID_QUERY', async t => {
  const { client, journal, dir } = await serve(t)
  const s = await journal.create({ project: path.join(dir, 'app'), title: 'Flaky date test' })
  await s.message({ role: 'user', parts: [{ type: 'text', text: 'the date test fails on Mondays; my key is sk-abcdefghijklmnopqrstuvwx' }] })
  await s.message({ role: 'assistant', parts: [{ type: 'text', text: 'unrelated answer' }] })
  await s.close()
  const found = jsonOf<{ hits: Array<{ sessionId: string, role: string, snippet: string }> }>(await call(client, 'search_sessions', { query: 'mondays key' }))
  assert.deepEqual(found.hits.map(h => [h.sessionId, h.role]), [[s.id, 'user']])
  assert.ok(!found.hits[0]!.snippet.includes('sk-abcdefghijklmnopqrstuvwx') && found.hits[0]!.snippet.includes('[REDACTED]'), found.hits[0]!.snippet)
  assert.deepEqual(jsonOf<{ hits: unknown[] }>(await call(client, 'search_sessions', { query: 'mondays', role: 'assistant' })).hits, [])
  assert.equal(errorCodeOf(await call(client, 'search_sessions', { query: '"unbalanced' })), 'ERR_INVALID_QUERY')
})
