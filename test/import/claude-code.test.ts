import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test, type TestContext } from 'node:test'
import { Journal } from '../../lib/journal.js'
import { claudeCode } from '../../lib/import/claude-code.js'
import type { Message, Part } from '../../lib/core/types.js'
import { fixture, logLines, tempDir, treeOf } from '../helpers.js'

const FIXTURES = fixture('import', 'claude-code')
const PROJECT = path.join(FIXTURES, 'projects', '-home-ana-src-shop')
const MAIN = '3f9c2a51-7d4e-4b8a-9c1e-5a6b7c8d9e01'
const OLD = '0b7e4d2c-1a3f-4e5d-8c9b-7a6f5e4d3c21'
const DAMAGED = '9d8c7b6a-5e4f-4a3b-8c2d-1e0f9a8b7c6d'

function setup(t: TestContext) {
  const dir = tempDir(t)
  return { dir, root: path.join(dir, 'root'), journal: new Journal({ root: path.join(dir, 'root'), fsync: 'never' }) }
}

/** A copy of the fixture tree the test may change. */
function copyFixtures(dir: string): string {
  const copy = path.join(dir, 'claude')
  fs.cpSync(FIXTURES, copy, { recursive: true })
  return path.join(copy, 'projects', '-home-ana-src-shop')
}

async function importAll(journal: Journal, source = FIXTURES) {
  const result = await journal.importFrom('claude-code', [source])
  const byOrigin = new Map(result.imported.map(r => [r.originId, r.id]))
  return { result, byOrigin }
}

const texts = (m: Message) => m.parts.filter(p => p.type === 'text').map(p => p.text)
const tool = (m: Message, callID: string) => m.parts.find(p => p.type === 'tool' && p.callID === callID) as Part & { state: Record<string, unknown> }

test('the fixture tree: five sessions, subagents as children, damage reported with file and line', async t => {
  const { journal } = setup(t)
  const { result, byOrigin } = await importAll(journal)
  assert.deepEqual([...byOrigin.keys()].sort(), [OLD, `${OLD}/agent-1f2e3d4c`, MAIN, `${MAIN}/agent-a1b2c3d4e5f6a7b8`, DAMAGED].sort())
  assert.deepEqual([result.updated, result.skipped, result.failed], [[], [], []])
  const main = await journal.read(byOrigin.get(MAIN)!)
  const sub = await journal.read(byOrigin.get(`${MAIN}/agent-a1b2c3d4e5f6a7b8`)!)
  const legacy = await journal.read(byOrigin.get(`${OLD}/agent-1f2e3d4c`)!)
  assert.equal(sub.info.parentId, main.info.id)
  assert.equal(sub.info.title, 'Write regression test', 'from the .meta.json description')
  assert.equal(legacy.info.parentId, byOrigin.get(OLD))
  assert.deepEqual(legacy.messages.map(m => m.role), ['user', 'assistant'])
  for (const h of [main, sub, legacy]) {
    assert.equal(h.info.projectPath, '/home/ana/src/shop')
    assert.deepEqual(h.info.meta.host, { name: 'claude-code', version: h === legacy ? '1.0.51' : '2.1.9' })
  }
  const damaged = path.join(PROJECT, `${DAMAGED}.jsonl`)
  assert.deepEqual(result.problems.map(p => [p.path, p.line]).sort(), [[damaged, 3], [damaged, 4], [damaged, 7]])
  assert.deepEqual((await journal.read(byOrigin.get(DAMAGED)!)).messages.map(m => m.id), ['d01', 'msg_02A', 'd03', 'msg_02B'])
})

test('the main session: one message per API response, tools paired with results, branches and compaction kept', async t => {
  const { journal } = setup(t)
  const { byOrigin } = await importAll(journal)
  const h = await journal.read(byOrigin.get(MAIN)!)
  assert.equal(h.info.title, 'Coupon applied after tax in cart total')
  assert.equal(h.info.created, '2025-10-14T09:00:01.001Z', 'the first record with a time (the snapshot before it has none of its own)')
  assert.deepEqual(h.messages.map(m => `${m.role}:${m.id}:${m.parts.length}`), [
    'user:u01:1', 'user:u02:2', 'assistant:msg_01A:3', 'assistant:msg_01B:3', 'assistant:msg_01C:1',
    'user:u15:1', 'assistant:msg_01E:1', 'assistant:msg_01F:1', 'user:u20:1', 'user:u21:1', 'assistant:msg_01G:2', 'assistant:msg_01H:1',
  ])
  const [caveat, prompt, a, b] = h.messages
  assert.deepEqual(caveat!.meta, { synthetic: true })
  assert.equal(prompt!.meta, undefined)
  assert.equal(prompt!.created, '2025-10-14T09:00:05.005Z')
  const image = prompt!.parts[1]!
  assert.equal(image.type, 'file')
  assert.equal(image.mime, 'image/png')
  assert.match(String(image.url), /^data:image\/png;base64,iVBORw0KGgo/)
  assert.deepEqual(a!.parts.map(p => [p.id, p.type]), [['u03:0', 'reasoning'], ['u04:0', 'text'], ['u05:0', 'tool']])
  assert.match(String(a!.parts[0]!.text), /wrong order relative to tax/)
  assert.deepEqual(a!.meta, { model: 'claude-sonnet-4-5-20250929', stopReason: 'tool_use' })
  const grep = tool(a!, 'toolu_01')
  assert.equal(grep.tool, 'Grep')
  assert.deepEqual(grep.state.input, { pattern: 'applyCoupon', path: 'src', output_mode: 'content' })
  assert.equal(grep.state.status, 'completed')
  assert.match(String(grep.state.output), /^src\/cart.ts:42:/)
  assert.deepEqual(grep.state.time, { start: Date.parse('2025-10-14T09:00:11.011Z'), end: Date.parse('2025-10-14T09:00:12.012Z') })
  assert.deepEqual(grep.state.metadata, { mode: 'content', numFiles: 2, numLines: 2 })
  // Parallel calls in one response: the result on the side branch of the tree is found too.
  assert.equal(tool(b!, 'toolu_02').state.status, 'completed')
  const failed = tool(b!, 'toolu_03').state
  assert.deepEqual([failed.status, failed.error, failed.output], ['error', '<tool_use_error>File does not exist.</tool_use_error>', undefined])
  // The subagent call's result (text blocks) becomes its output.
  assert.equal(tool(h.messages[7]!, 'toolu_05').state.output, 'Added test/cart.test.ts with 3 cases; all pass.')
  assert.deepEqual(h.messages[8]!.meta, { synthetic: true, compaction: true })
  assert.deepEqual(texts(h.messages[10]!), ['Running the tests.'])
  // The edited prompt and its reply: one abandoned branch, whole, forking from u12.
  const kept = h.info.meta.events
  const branches = kept.filter(e => e.type === 'x.claude-code.branch')
  assert.equal(branches.length, 1)
  const branch = branches[0]!.data as { from: string, lines: Array<{ uuid: string, message: { content: unknown } }> }
  assert.equal(branch.from, 'u12')
  assert.deepEqual(branch.lines.map(l => l.uuid), ['u13', 'u14'])
  assert.equal(branch.lines[0]!.message.content, 'Fix it, and add a test.')
  // Every other record is kept as x.claude-code.<type>, in file order.
  assert.deepEqual(kept.filter(e => e.type.startsWith('x.claude-code.') && e.type !== 'x.claude-code.branch').map(e => {
    const d = e.data as { subtype?: string }
    return e.type.slice('x.claude-code.'.length) + (d.subtype ? `:${d.subtype}` : '')
  }), ['file-history-snapshot', 'permission-mode', 'progress', 'system:turn_duration', 'system:compact_boundary', 'queue-operation', 'attachment', 'tag', 'last-prompt', 'summary'])
})

test('nothing is silently dropped: every line of the main file is in a message, a part, or a kept event', async t => {
  const { journal } = setup(t)
  const { byOrigin } = await importAll(journal)
  const h = await journal.read(byOrigin.get(MAIN)!)
  const seen = new Set<string>(JSON.stringify(h).match(/"(u|p|s|c|at)\d\d\b/g)?.map(s => s.slice(1)) ?? [])
  for (const m of h.messages) for (const p of m.parts) seen.add(p.id.split(':')[0]!)
  const lines = fs.readFileSync(path.join(PROJECT, `${MAIN}.jsonl`), 'utf8').split('\n').filter(Boolean).map(l => JSON.parse(l) as Record<string, unknown>)
  const results = new Set(['u06', 'u10', 'u11', 'u17', 'u19', 'u24']) // folded into their calls' parts (checked above)
  for (const l of lines) {
    if (typeof l.uuid === 'string' && !results.has(l.uuid)) assert.ok(seen.has(l.uuid), `line ${l.uuid} is kept`)
  }
  const keptTypes = h.info.meta.events.map(e => e.type)
  for (const type of ['file-history-snapshot', 'permission-mode', 'queue-operation', 'tag', 'last-prompt', 'summary']) assert.ok(keptTypes.includes(`x.claude-code.${type}`), type)
})

test('usage: one event per (message.id, requestId) at each field\'s final value, abandoned branches included', async t => {
  const { journal } = setup(t)
  const { byOrigin } = await importAll(journal)
  const h = await journal.read(byOrigin.get(MAIN)!)
  // By hand from the fixture: msg_01A..H (01D is the abandoned branch's reply), each pair's largest counts.
  const truth = { input: 3 + 9 + 12 + 10 + 10 + 8 + 4 + 6, output: 96 + 141 + 88 + 25 + 130 + 77 + 61 + 9,
    cacheRead: 12000 + 13800 + 14300 + 14900 + 14900 + 15100 + 3100 + 3200, cacheWrite: 1800 + 420 + 610 + 80 + 95 + 160 + 2900 + 300 }
  const { input, output, cacheRead, cacheWrite, events } = h.info.usage
  assert.deepEqual({ input, output, cacheRead, cacheWrite }, truth)
  assert.equal(events, 8)
  // Counting every line instead would have said: 14 lines with usage, output 4+4+96+3+3+141+...
  const usage = h.info.meta.events.filter(e => e.type === 'usage')
  assert.deepEqual(usage.map(e => e.key), ['msg_01A:req_01A', 'msg_01B:req_01B', 'msg_01C:req_01C', 'msg_01D:req_01D', 'msg_01E:req_01E', 'msg_01F:req_01F', 'msg_01G:req_01G', 'msg_01H:req_01H'])
  assert.deepEqual(usage[0], { ts: '2025-10-14T09:00:11.011Z', type: 'usage', key: 'msg_01A:req_01A', messageId: 'msg_01A', model: 'claude-sonnet-4-5-20250929',
    provider: 'anthropic', input: 3, output: 96, cacheRead: 12000, cacheWrite: 1800 })
  const sub = await journal.read(byOrigin.get(`${MAIN}/agent-a1b2c3d4e5f6a7b8`)!)
  assert.deepEqual([sub.info.usage.input, sub.info.usage.output], [5 + 7, 410 + 21])
})

test('re-importing the unchanged tree writes zero bytes', async t => {
  const { root, journal } = setup(t)
  await importAll(journal)
  const before = treeOf(root)
  const again = await journal.importFrom('claude-code', [FIXTURES])
  assert.deepEqual([again.imported.length, again.updated.length, again.skipped.length, again.failed.length], [0, 0, 5, 0])
  assert.deepEqual(treeOf(root), before)
  // Read again (no cache): compared, still nothing written to any log.
  fs.rmSync(path.join(root, 'imports'), { recursive: true })
  const logs = Object.entries(treeOf(root)).filter(([p]) => p.endsWith('.ndjson'))
  assert.equal((await journal.importFrom('claude-code', [FIXTURES])).skipped.length, 5)
  assert.deepEqual(Object.entries(treeOf(root)).filter(([p]) => p.endsWith('.ndjson')), logs)
})

const line = (o: Record<string, unknown>) => `${JSON.stringify(o)}\n`
const turn = (uuid: string, parent: string, ts: string, type: 'user' | 'assistant', content: unknown, extra: Record<string, unknown> = {}) => line({
  parentUuid: parent, isSidechain: false, cwd: '/home/ana/src/shop', sessionId: MAIN, version: '2.1.10', type, uuid, timestamp: ts,
  message: type === 'user' ? { role: 'user', content } : { role: 'assistant', model: 'claude-sonnet-4-5-20250929', content, usage: { input_tokens: 5, output_tokens: 1 }, ...extra },
  ...(type === 'assistant' ? { requestId: `req_${String(extra.id)}` } : {}),
})

test('a transcript that grew: only the new messages are appended; a streamed response is replaced whole', async t => {
  const { dir, journal } = setup(t)
  const project = copyFixtures(dir)
  const file = path.join(project, `${MAIN}.jsonl`)
  const { byOrigin } = await importAll(journal, path.dirname(project))
  const id = byOrigin.get(MAIN)!
  const log = (await journal.locate(id)).path
  const before = fs.readFileSync(log)
  const messagesBefore = (await journal.read(id)).messages
  fs.appendFileSync(file, turn('u26', 'u25', '2025-10-14T09:10:00.000Z', 'user', 'Update the changelog too.')
    + turn('u27', 'u26', '2025-10-14T09:10:04.000Z', 'assistant', [{ type: 'text', text: 'Adding a line under Unreleased.' }], { id: 'msg_01I' }))
  const result = await journal.importFrom('claude-code', [path.dirname(project)])
  assert.deepEqual(result.updated.map(u => [u.originId, u.events]), [[MAIN, 2]])
  assert.equal(result.skipped.length, 4, 'the other files are unchanged: not even read')
  const after = fs.readFileSync(log)
  assert.deepEqual(after.subarray(0, before.length), before, 'appended, never rewritten')
  // msg_01I is still streaming (no stop reason, nothing after it): its usage waits for its final counts.
  assert.deepEqual(logLines(log).slice(-3).map(l => [l.type, l.id ?? null]), [['message', 'u26'], ['message', 'msg_01I'], ['x.import.origin', null]])
  const h = await journal.read(id)
  assert.deepEqual(h.messages.slice(0, messagesBefore.length), messagesBefore)
  assert.deepEqual(h.messages.slice(messagesBefore.length).map(m => m.id), ['u26', 'msg_01I'])
  assert.equal(h.info.meta.host?.version, '2.1.9', 'the header is not rewritten')
  // The response goes on: a second block with the final counts replaces the message where it stands, and its usage comes.
  fs.appendFileSync(file, line({ ...JSON.parse(turn('u28', 'u27', '2025-10-14T09:10:05.000Z', 'assistant', [{ type: 'text', text: 'Done.' }], { id: 'msg_01I' })),
    message: { id: 'msg_01I', role: 'assistant', model: 'claude-sonnet-4-5-20250929', content: [{ type: 'text', text: 'Done.' }], stop_reason: 'end_turn', usage: { input_tokens: 5, output_tokens: 57 } } }))
  const streamed = await journal.importFrom('claude-code', [path.dirname(project)])
  assert.deepEqual(streamed.updated.map(u => u.events), [2])
  const now = await journal.read(id)
  assert.deepEqual([now.messages.at(-1)!.id, texts(now.messages.at(-1)!)], ['msg_01I', ['Adding a line under Unreleased.', 'Done.']])
  assert.equal(now.info.usage.output, 627 + 57)
})

test('an edited prompt after import: the old reply is reverted, the new branch appended, the old one kept', async t => {
  const { dir, journal } = setup(t)
  const project = copyFixtures(dir)
  const { byOrigin } = await importAll(journal, path.dirname(project))
  const id = byOrigin.get(MAIN)!
  // The user edits "Now run the whole suite." (u21): a second child of u20.
  fs.appendFileSync(path.join(project, `${MAIN}.jsonl`), turn('u30', 'u20', '2025-10-14T09:12:00.000Z', 'user', 'Run only the cart tests.')
    + turn('u31', 'u30', '2025-10-14T09:12:03.000Z', 'assistant', [{ type: 'text', text: 'Running test/cart.test.ts.' }], { id: 'msg_01J' }))
  const result = await journal.importFrom('claude-code', [path.join(project, `${MAIN}.jsonl`)])
  assert.equal(result.updated.length, 1)
  // (msg_01J has no stop reason yet and ends the file: its usage waits, see the streaming test.)
  const appended = logLines((await journal.locate(id)).path).slice(-5)
  assert.deepEqual(appended.map(l => l.type), ['revert', 'message', 'message', 'x.claude-code.branch', 'x.import.origin'])
  assert.equal(appended[0]!.messageId, 'u21')
  const h = await journal.read(id)
  assert.deepEqual(h.messages.slice(-3).map(m => m.id), ['u20', 'u30', 'msg_01J'])
  const branch = h.info.meta.events.filter(e => e.type === 'x.claude-code.branch').at(-1)!.data as { from: string, lines: Array<{ uuid: string }> }
  assert.deepEqual([branch.from, branch.lines.map(l => l.uuid)], ['u20', ['u21', 'u22', 'u23', 'u24', 'u25']])
})

test('titles: the last custom-title, else the last ai-title, else the summary of the history\'s leaf, else any summary', async t => {
  const { dir } = setup(t)
  const cases: Array<[string[], string | null]> = [
    [['summary:old leaf:zz', 'summary:on history:x2', 'ai-title:AI one', 'custom-title:Mine', 'ai-title:AI two'], 'Mine'],
    [['summary:on history:x2', 'ai-title:AI one', 'ai-title:AI two'], 'AI two'],
    [['summary:on history:x2', 'summary:elsewhere:zz'], 'on history'],
    [['summary:elsewhere:zz'], 'elsewhere'],
    [[], null],
  ]
  for (const [i, [records, title]] of cases.entries()) {
    const file = path.join(dir, `t${i}.jsonl`)
    const recs = records.map(r => {
      const [type, text, leaf] = r.split(':')
      return type === 'summary' ? { type, summary: text, leafUuid: leaf } : type === 'ai-title' ? { type, aiTitle: text, sessionId: 's' } : { type, customTitle: text, sessionId: 's' }
    })
    fs.writeFileSync(file, turn('x1', null as never, '2025-01-01T00:00:00.000Z', 'user', 'hi') + turn('x2', 'x1', '2025-01-01T00:00:01.000Z', 'assistant', [{ type: 'text', text: 'yo' }], { id: 'm' }) + recs.map(line).join(''))
    const [session] = await claudeCode.read({ path: file, fingerprint: '' })
    assert.equal(session!.title, title, records.join(' '))
  }
})

test('files that are not Claude Code transcripts fail alone with ERR_INVALID_IMPORT and nothing written', async t => {
  const { dir, root, journal } = setup(t)
  const src = path.join(dir, 'src')
  fs.mkdirSync(src)
  fs.writeFileSync(path.join(src, 'codex.jsonl'), line({ timestamp: '2025-01-01T00:00:00Z', type: 'session_meta', payload: { id: 'x' } }))
  fs.writeFileSync(path.join(src, 'gemini.jsonl'), line({ sessionId: 's', projectHash: 'h', startTime: '2025-01-01T00:00:00Z' })
    + line({ id: 'g1', timestamp: '2025-01-01T00:00:01Z', type: 'user', content: [{ text: 'hi' }] }))
  fs.writeFileSync(path.join(src, 'empty.jsonl'), '')
  fs.writeFileSync(path.join(src, 'array.jsonl'), '[1,2,3]\n"text"\n')
  fs.writeFileSync(path.join(src, 'binary.jsonl'), Buffer.from([0, 1, 2, 255, 254, 10, 0, 0]))
  fs.copyFileSync(path.join(PROJECT, `${OLD}.jsonl`), path.join(src, `${OLD}.jsonl`))
  const result = await journal.importFrom('claude-code', [src])
  assert.deepEqual(result.failed.map(f => [path.basename(f.path), f.code, f.line]).sort(), [
    ['array.jsonl', 'ERR_INVALID_IMPORT', 1], ['binary.jsonl', 'ERR_INVALID_IMPORT', 1], ['codex.jsonl', 'ERR_INVALID_IMPORT', 1], ['empty.jsonl', 'ERR_INVALID_IMPORT', 1], ['gemini.jsonl', 'ERR_INVALID_IMPORT', 1],
  ])
  assert.equal(result.imported.length, 1)
  assert.equal(Object.keys(treeOf(root)).filter(p => p.endsWith('.ndjson')).length, 1)
})

test('hostile lines: prototype keys, traversal ids, wrong types, escapes, deep nesting, huge images', async t => {
  const { dir, journal } = setup(t)
  const file = path.join(dir, 'hostile.jsonl')
  let deep: unknown = 1
  for (let i = 0; i < 1500; i++) deep = [deep]
  const big = 'A'.repeat(400 * 1024)
  fs.writeFileSync(file, [
    '{"__proto__":{"polluted":true},"type":"user","uuid":"../../etc/passwd","parentUuid":null,"timestamp":"2025-01-01T00:00:00Z","cwd":"../relative","message":{"role":"user","content":"\\u001b]0;owned\\u0007 hi \\u202e"}}',
    line({ type: 'assistant', uuid: 'h2', parentUuid: '../../etc/passwd', timestamp: 12, cwd: 42, version: { v: 1 },
      message: { id: 'm1', model: 'claude', content: [{ type: 'tool_use', id: 't1', name: 'Bash', input: deep }, { type: 'text', text: 7 }, 'loose', { type: 'mystery' }],
        usage: { input_tokens: '100', output_tokens: -5, cache_read_input_tokens: 1.5, cache_creation_input_tokens: 3 } } }).trim(),
    line({ type: 'user', uuid: 'h3', parentUuid: 'h2', timestamp: '2025-01-01T00:00:02Z', message: { role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: big } }] } }).trim(),
    line({ type: 'assistant', uuid: 'h4', parentUuid: 'h3', timestamp: '2025-01-01T00:00:03Z', message: { id: 'm2', model: 'claude', content: [{ type: 'text', text: 'ok' }], stop_reason: 'end_turn', usage: {} }, requestId: 'r' }).trim(),
  ].join('\n') + '\n')
  const result = await journal.importFrom('claude-code', [file])
  assert.equal(({} as Record<string, unknown>).polluted, undefined)
  assert.equal(result.imported.length, 1)
  const h = await journal.read(result.imported[0]!.id)
  assert.equal(h.info.projectPath, dir, 'a relative cwd is not trusted: the source\'s folder stands in')
  assert.equal(h.info.meta.host?.version, undefined)
  assert.deepEqual(h.messages.map(m => m.id), ['../../etc/passwd', 'h3', 'm2'])
  assert.equal(h.messages[0]!.parts[0]!.text, '\u001b]0;owned\u0007 hi \u202e')
  assert.deepEqual(h.messages[1]!.parts[0], { id: 'h3:0', type: 'file', mime: 'image/png', size: 300 * 1024 })
  // The message with a tool input nested past the journal's limit is left out, and said so.
  assert.equal(result.problems.length, 1)
  assert.match(result.problems[0]!.message, /deeper than 1000/)
  assert.equal(h.info.usage.events, 2)
  assert.deepEqual([h.info.usage.input, h.info.usage.output, h.info.usage.cacheRead, h.info.usage.cacheWrite], [0, 0, 0, 3])
})

test('default location: ~/.claude/projects (and ~/.config/claude/projects), or CLAUDE_CONFIG_DIR', async t => {
  const { dir, journal } = setup(t)
  const home = path.join(dir, 'home')
  fs.mkdirSync(path.join(home, '.claude', 'projects'), { recursive: true })
  fs.copyFileSync(path.join(PROJECT, `${OLD}.jsonl`), path.join(home, '.claude', 'projects', 'a.jsonl'))
  fs.mkdirSync(path.join(home, '.config', 'claude', 'projects'), { recursive: true })
  fs.copyFileSync(path.join(PROJECT, `${DAMAGED}.jsonl`), path.join(home, '.config', 'claude', 'projects', 'b.jsonl'))
  const other = path.join(dir, 'elsewhere')
  fs.mkdirSync(path.join(other, 'projects'), { recursive: true })
  fs.copyFileSync(path.join(PROJECT, `${MAIN}.jsonl`), path.join(other, 'projects', 'c.jsonl'))
  assert.deepEqual((await journal.importFrom('claude-code', undefined, { home, env: {} })).imported.map(r => r.originId), ['a', 'b'])
  assert.deepEqual((await journal.importFrom('claude-code', undefined, { home, env: { CLAUDE_CONFIG_DIR: other } })).imported.map(r => r.originId), ['c'])
  assert.deepEqual(claudeCode.defaultSources('/h', { CLAUDE_CONFIG_DIR: '/a, /b' }), ['/a/projects', '/b/projects'])
})

test('an older copy of a transcript elsewhere in the sources never reverts the journal, in any run', async t => {
  const { dir, journal } = setup(t)
  const rec = (uuid: string, parent: string | null, role: 'user' | 'assistant', text: string, ts: string) => line({
    type: role, uuid, parentUuid: parent, sessionId: 'S', cwd: '/tmp/x', timestamp: ts,
    message: role === 'user' ? { role, content: text } : { id: `m-${uuid}`, role, content: [{ type: 'text', text }] },
  })
  const all = [rec('u1', null, 'user', 'first', '2025-01-01T00:00:00Z'), rec('a1', 'u1', 'assistant', 'reply1', '2025-01-01T00:00:01Z'),
    rec('u2', 'a1', 'user', 'second', '2025-01-01T00:00:02Z'), rec('a2', 'u2', 'assistant', 'reply2', '2025-01-01T00:00:03Z')]
  const live = path.join(dir, 'src', 'a', 'S.jsonl')
  const backup = path.join(dir, 'src', 'b', 'S.jsonl')
  fs.mkdirSync(path.dirname(live), { recursive: true })
  fs.mkdirSync(path.dirname(backup), { recursive: true })
  fs.writeFileSync(live, all.join(''))
  fs.writeFileSync(backup, all.slice(0, 2).join(''))
  const texts = async (id: string) => (await journal.read(id)).messages.map(m => m.parts.map(p => p.text).join(''))
  for (let run = 1; run <= 3; run++) {
    const result = await journal.importFrom('claude-code', [path.join(dir, 'src')])
    const id = (result.imported[0] ?? result.skipped[0])!.id
    assert.deepEqual(result.updated, [], `run ${run}: nothing updated`)
    assert.deepEqual(await texts(id), ['first', 'reply1', 'second', 'reply2'], `run ${run}`)
    assert.match(result.problems.at(-1)!.message, /this copy is left out/)
  }
})

test('an assistant line without a message object is damage around which the transcript imports', async t => {
  const { dir, journal } = setup(t)
  const file = path.join(dir, 'S.jsonl')
  fs.writeFileSync(file, [
    line({ type: 'user', uuid: 'u1', parentUuid: null, sessionId: 'S', cwd: '/tmp/x', timestamp: '2025-01-01T00:00:00Z', message: { role: 'user', content: 'hello' } }),
    line({ type: 'assistant', uuid: 'a1', parentUuid: 'u1', sessionId: 'S', cwd: '/tmp/x', timestamp: '2025-01-01T00:00:01Z' }),
    line({ type: 'assistant', uuid: 'a2', parentUuid: 'a1', sessionId: 'S', cwd: '/tmp/x', timestamp: '2025-01-01T00:00:02Z', message: null }),
  ].join(''))
  const result = await journal.importFrom('claude-code', [file])
  assert.deepEqual(result.failed, [])
  assert.equal(result.imported.length, 1)
  const { messages } = await journal.read(result.imported[0]!.id)
  assert.deepEqual(messages.map(m => m.role)[0], 'user')
})
