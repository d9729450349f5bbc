import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { codexPeer } from '../../lib/import/codex.js'
import type { PeerSession } from '../../lib/import/peer.js'
import { Journal } from '../../lib/journal.js'
import { fixture, logLines, rejectsWith, tempDir, treeOf } from '../helpers.js'
import { assertWritable, foldSession, homeWith, readOne, textOf, writeLines } from './peer-checks.js'

const MAIN_ID = '0195e2a4-7c1b-7d42-9a3e-5f2b8c1d0e47'
const MAIN = fixture('import', 'codex', 'sessions', '2026', '03', '14', `rollout-2026-03-14T09-12-03-${MAIN_ID}.jsonl`)
const FORK = fixture('import', 'codex', 'sessions', '2026', '03', '14', 'rollout-2026-03-14T11-02-00-0195e3b0-11aa-7e03-8b55-2c9d4e6f7a18.jsonl')
const LEGACY = fixture('import', 'codex', 'archived_sessions', 'rollout-2025-09-02T16-40-11-5c0d9e8f-3a2b-4c1d-8e7f-6a5b4c3d2e1f.jsonl')
const damaged = (name: string) => fixture('import', 'codex', 'damaged', name)

const types = (s: PeerSession) => s.events.map(e => e.body.type)
const meta = (ts: string) => ({ timestamp: ts, type: 'session_meta', payload: { id: 'hostile', timestamp: ts, cwd: '/w', cli_version: '0.58.0' } })
const item = (ts: string, payload: object) => ({ timestamp: ts, type: 'response_item', payload })
const T = '2026-03-14T09:00:00.000Z'

test('defaultSources: sessions and archived_sessions under ~/.codex, and under CODEX_HOME first when set', () => {
  assert.deepEqual(codexPeer.defaultSources('/home/a', {}), ['/home/a/.codex/sessions', '/home/a/.codex/archived_sessions'])
  assert.deepEqual(codexPeer.defaultSources('/home/a', { CODEX_HOME: '/srv/codex' }),
    ['/srv/codex/sessions', '/srv/codex/archived_sessions', '/home/a/.codex/sessions', '/home/a/.codex/archived_sessions'])
})

test('discover: rollout files in folders (other files skipped), a fingerprint that moves with the thread-name index', async t => {
  const home = tempDir(t)
  fs.cpSync(fixture('import', 'codex'), home, { recursive: true })
  fs.writeFileSync(path.join(home, 'sessions', 'notes.txt'), 'not a rollout')
  const units = await codexPeer.discover([path.join(home, 'sessions'), path.join(home, 'archived_sessions'), path.join(home, 'missing')])
  assert.deepEqual(units.map(u => path.basename(u.path)).sort(), [path.basename(LEGACY), path.basename(MAIN), path.basename(FORK)].sort())
  const before = units.find(u => u.path.endsWith(path.basename(MAIN)))!.fingerprint
  fs.appendFileSync(path.join(home, 'session_index.jsonl'), JSON.stringify({ id: MAIN_ID, thread_name: 'Renamed', updated_at: T }) + '\n')
  const after = (await codexPeer.discover([path.join(home, 'sessions')])).find(u => u.path.endsWith(path.basename(MAIN)))!.fingerprint
  assert.notEqual(after, before)
  // A file named directly is taken whatever its name.
  assert.equal((await codexPeer.discover([damaged('claude-code.jsonl')])).length, 1)
})

test('a rollout: origin, project, header time, messages from response_item only, injected context synthetic', async () => {
  const s = await readOne(codexPeer, MAIN)
  assert.deepEqual(s.origin, { tool: 'codex', id: MAIN_ID, path: MAIN, version: '0.58.0' })
  assert.equal(s.projectPath, '/home/mara/src/tidepool')
  assert.equal(s.created, '2026-03-14T09:12:03.498Z')
  assert.equal(s.parentOriginId, null)
  assert.deepEqual(s.problems, [])
  const { messages } = foldSession(s)
  assert.deepEqual(messages.map(m => [m.id, m.role, m.meta?.synthetic === true]), [
    ['L2', 'system', true], ['L3', 'user', true], ['L4', 'user', true], ['L8', 'user', false], ['L10', 'assistant', false],
    ['L27', 'user', false], ['L28', 'assistant', false], ['L41', 'user', false], ['L42', 'assistant', false], ['L44', 'system', true],
  ])
  assert.match(textOf(messages[0]!), /^<permissions instructions>/)
  assert.match(textOf(messages[3]!), /drops the last row/)
  // The event_msg copies of messages are not imported a second time.
  assert.ok(!types(s).includes('x.codex.user_message') && !types(s).includes('x.codex.agent_message') && !types(s).includes('x.codex.agent_reasoning'))
  // An image a user attached is a file part (small enough to keep as a data URL).
  assert.deepEqual(messages[5]!.parts[1], { id: 'L27.1', type: 'file', mime: 'image/png', url: messages[5]!.parts[1]!.url })
  assert.match(messages[5]!.parts[1]!.url as string, /^data:image\/png;base64,/)
})

test('a turn is one assistant message: reasoning, tool calls paired with their outputs by call_id, text', async () => {
  const { messages } = foldSession(await readOne(codexPeer, MAIN))
  const first = messages.find(m => m.id === 'L10')!
  assert.deepEqual(first.parts.map(p => p.type), ['reasoning', 'tool', 'tool', 'text'])
  assert.equal(first.parts[0]!.text, '**Locating the parser**\n\nI\'ll look for the tide table reader first.')
  const shell = first.parts[1]!
  assert.equal(shell.tool, 'shell')
  assert.equal(shell.callID, 'call_Qm4v8XkT2bLp9s')
  assert.deepEqual(shell.state, {
    status: 'completed',
    input: { command: ['bash', '-lc', 'rg -n "splitRows" src'], workdir: '/home/mara/src/tidepool', timeout_ms: 120000 },
    output: '{"output": "src/tides/parse.ts:14:export function splitRows(text: string) {\\n", "metadata": {"exit_code": 0, "duration_seconds": 0.1}}',
    time: { start: Date.parse('2026-03-14T09:12:13.010Z'), end: Date.parse('2026-03-14T09:12:13.412Z') },
  })
  const patch = first.parts[2]!
  assert.equal(patch.tool, 'apply_patch')
  assert.match((patch.state as { input: string }).input, /^\*\*\* Begin Patch/, 'a custom tool input that is not JSON stays a string')
  assert.equal((patch.state as { status: string }).status, 'completed')

  const second = messages.find(m => m.id === 'L28')!
  assert.deepEqual(second.parts.map(p => [p.tool ?? p.type, (p.state as { status?: string } | undefined)?.status]), [
    ['local_shell', 'completed'], ['web_search', 'completed'], ['view_image', 'error'], ['text', undefined],
  ])
  assert.match((second.parts[0]!.state as { output: string }).output, /# pass 42/)
  assert.deepEqual((second.parts[1]!.state as { input: unknown }).input, { type: 'search', query: 'NOAA tide predictions text file format' })
  const failed = second.parts[2]!.state as { input: unknown, error: string }
  assert.equal(failed.input, 'not json: ./docs/format.png')
  assert.match(failed.error, /failed to parse function arguments/)
})

test('thread_rolled_back reverts the first message of the rolled-back turn; later turns stand', async () => {
  const s = await readOne(codexPeer, MAIN)
  const reverts = s.events.filter(e => e.body.type === 'revert')
  assert.deepEqual(reverts.map(e => e.body), [{ type: 'revert', messageId: 'L36' }])
  const { messages } = foldSession(s)
  assert.ok(!messages.some(m => m.id === 'L36' || m.id === 'L37'))
  assert.match(textOf(messages.find(m => m.id === 'L41')!), /changelog line/)
  assert.ok(types(s).includes('x.codex.thread_rolled_back'), 'the record itself is kept too')
})

test('compaction: the summary is a system message marked compaction; the replaced history and the opaque item kept aside', async () => {
  const s = await readOne(codexPeer, MAIN)
  const { messages } = foldSession(s)
  const summary = messages.at(-1)!
  assert.deepEqual(summary.meta, { synthetic: true, compaction: true })
  assert.match(textOf(summary), /^Summary: fixed splitRows/)
  const compacted = s.events.find(e => e.body.type === 'x.codex.compacted')!
  assert.equal((compacted.body.data as { replacement_history: unknown[] }).replacement_history.length, 1)
  for (const type of ['x.codex.compaction', 'x.codex.context_compacted', 'x.codex.ghost_snapshot', 'x.codex.turn_context', 'x.codex.session_meta', 'x.codex.task_started', 'x.codex.task_complete', 'x.codex.turn_aborted']) {
    assert.ok(types(s).includes(type), type)
  }
})

test('usage: one event per distinct cumulative total (repeats skipped), summing exactly to the final total', async () => {
  const s = await readOne(codexPeer, MAIN)
  const usage = s.events.filter(e => e.body.type === 'usage').map(e => e.body as Record<string, unknown>)
  assert.equal(usage.length, 4, '8 token_count events with totals, each written twice, and one without info')
  assert.deepEqual(usage.map(u => u.key), [5380, 11440, 18350, 25310].map(n => `${MAIN_ID}:${n}`))
  assert.ok(usage.every(u => u.model === 'gpt-5-codex' && u.provider === 'openai'))
  assert.deepEqual(usage.map(u => u.messageId), ['L10', 'L10', 'L10', 'L28'])
  // Final total: input 24400 of which 16896 cached, output 910 of which 256 reasoning.
  const { usage: totals } = foldSession(s)
  assert.deepEqual([totals.input, totals.cacheRead, totals.output, totals.reasoning, totals.events], [24400 - 16896, 16896, 910, 256, 4])
})

test('titles: thread_name_updated, then the index (its last entry for the id wins)', async () => {
  const s = await readOne(codexPeer, MAIN)
  assert.deepEqual(s.events.filter(e => e.body.type === 'title').map(e => [e.ts, e.body.title]), [
    ['2026-03-14T09:12:18.950Z', 'Tide parser drops last row'], ['2026-03-14T10:00:00.000Z', 'Tide parser: keep the last row'],
  ])
  assert.equal(s.title, 'Tide parser: keep the last row')
  assert.equal(foldSession(s).title, 'Tide parser: keep the last row')
})

test('a damaged index line costs nothing but itself; a rollout outside a Codex home has no index title', async t => {
  const home = tempDir(t)
  const file = path.join(home, 'sessions', path.basename(MAIN))
  fs.mkdirSync(path.dirname(file))
  fs.copyFileSync(MAIN, file)
  fs.writeFileSync(path.join(home, 'session_index.jsonl'), `{broken\n${JSON.stringify({ id: MAIN_ID, thread_name: 'From the index', updated_at: 'whenever' })}\n`)
  const s = await readOne(codexPeer, file)
  assert.equal(s.title, 'From the index')
  assert.deepEqual(s.problems, [])
  assert.deepEqual(s.events.at(-1), { ts: '2026-03-14T09:12:50.002Z', body: { type: 'title', title: 'From the index' } }, 'an index time that is not one: the last record\'s')
  const elsewhere = path.join(home, 'loose', path.basename(MAIN))
  fs.mkdirSync(path.dirname(elsewhere))
  fs.copyFileSync(MAIN, elsewhere)
  assert.equal((await readOne(codexPeer, elsewhere)).title, 'Tide parser drops last row')
})

test('a fork names its source as parent', async () => {
  const s = await readOne(codexPeer, FORK)
  assert.equal(s.parentOriginId, MAIN_ID)
  assert.equal(foldSession(s).messages.length, 4)
  assert.equal(s.title, null)
})

test('the legacy layout: bare header and items, state records kept, times from the header', async () => {
  const s = await readOne(codexPeer, LEGACY)
  assert.equal(s.origin.id, '5c0d9e8f-3a2b-4c1d-8e7f-6a5b4c3d2e1f')
  assert.equal(s.origin.version, null)
  assert.equal(s.projectPath, '')
  assert.equal(s.title, 'Feet to metres')
  assert.equal(types(s).filter(t => t === 'x.codex.state').length, 3)
  const { messages } = foldSession(s)
  assert.deepEqual(messages.map(m => [m.role, m.meta?.synthetic === true, m.created]), [
    ['user', true, '2025-09-02T16:40:11.204Z'], ['user', false, '2025-09-02T16:40:11.204Z'], ['assistant', false, '2025-09-02T16:40:11.204Z'],
  ])
  assert.deepEqual(messages[2]!.parts.map(p => p.type), ['reasoning', 'tool', 'text'])
  assert.equal((messages[2]!.parts[1]!.state as { status: string }).status, 'completed')
})

test('a rollout read when it was shorter gives the first events of the whole: a grown file only adds', async t => {
  const dir = tempDir(t)
  const lines = fs.readFileSync(MAIN, 'utf8').split('\n').filter(Boolean)
  const whole = await readOne(codexPeer, writeLines(path.join(dir, 'all', 'rollout-x.jsonl'), lines))
  for (const n of [1, 5, 12, 17, 27, 30, 38, 42, lines.length - 1]) {
    const part = await readOne(codexPeer, writeLines(path.join(dir, String(n), 'rollout-x.jsonl'), lines.slice(0, n)))
    assert.deepEqual(part.events, whole.events.slice(0, part.events.length), `first ${n} lines`)
  }
})

test('damage: a truncated last line and a non-JSON line are reported with path and line; the rest imports', async () => {
  const truncated = await readOne(codexPeer, damaged('rollout-truncated.jsonl'))
  assert.deepEqual(truncated.problems, [{ path: damaged('rollout-truncated.jsonl'), line: 11, message: 'last line is cut short (no newline, not JSON) (skipped)' }])
  assert.equal(foldSession(truncated).messages.length, 5)
  const nonJson = await readOne(codexPeer, damaged('rollout-nonjson.jsonl'))
  assert.deepEqual(nonJson.problems.map(p => [p.path, p.line, p.message.replace(/^not JSON: .*/, 'not JSON')]), [
    [damaged('rollout-nonjson.jsonl'), 9, 'not JSON'], [damaged('rollout-nonjson.jsonl'), 10, 'unknown record type "telemetry_blob"'],
  ])
  assert.deepEqual(nonJson.events.find(e => e.body.type === 'x.codex.telemetry_blob')!.body.data, { spans: 3 })
  assert.equal(foldSession(nonJson).messages.length, 5)
})

test('another tool\'s file, an empty file or a first line that is not JSON: ERR_INVALID_IMPORT with path and line', async t => {
  const dir = tempDir(t)
  const bad = [
    damaged('claude-code.jsonl'), damaged('gemini-session.jsonl'),
    writeLines(path.join(dir, 'empty.jsonl'), []), writeLines(path.join(dir, 'garbage.jsonl'), ['{not json', JSON.stringify(meta(T))]),
    writeLines(path.join(dir, 'no-id.jsonl'), [{ ...meta(T), payload: { ...meta(T).payload, id: '' } }]),
  ]
  for (const file of bad) {
    const error = await rejectsWith(codexPeer.read({ path: file, fingerprint: '' }), 'ERR_INVALID_IMPORT')
    assert.equal(error.path, file)
    assert.equal(error.line, 1)
  }
})

test('hostile input: __proto__ keys, escape sequences, odd ids, wrong types, deep nesting, a huge line', async t => {
  const dir = tempDir(t)
  const deep = '['.repeat(5000) + ']'.repeat(5000)
  const huge = 'tide '.repeat(400_000)
  const file = writeLines(path.join(dir, 'rollout-hostile.jsonl'), [
    meta(T),
    `{"timestamp":"${T}","type":"response_item","payload":{"type":"message","role":"user","__proto__":{"polluted":true},"content":[{"type":"input_text","text":"red \\u001b[31malert\\u001b[0m \\u2028 done","__proto__":{"polluted":true}}]}}`,
    item(T, { type: 'function_call', name: { not: 'a string' }, arguments: '{"__proto__":{"polluted":true},"path":"../../etc/passwd"}', call_id: '../../etc/passwd' }),
    item(T, { type: 'function_call_output', call_id: '../../etc/passwd', output: 42 }),
    item(T, { type: 'function_call', name: 'x', arguments: 7, call_id: 'c'.repeat(10_000) }),
    item(T, { type: 'message', role: 42, content: 'not a list' }),
    { timestamp: T, type: 'event_msg', payload: { type: 'thread_rolled_back', num_turns: 'two' } },
    { timestamp: T, type: 'event_msg', payload: { type: 'token_count', info: { total_token_usage: { input_tokens: -5 } } } },
    { timestamp: T, type: 'event_msg', payload: { type: 'thread_name_updated', thread_name: 5 } },
    `{"timestamp":"${T}","type":"response_item","payload":{"type":"message","role":"user","content":${deep}}}`,
    item(T, { type: 'message', role: 'user', content: [{ type: 'input_text', text: huge }] }),
    { timestamp: 'not a time', type: 'response_item', payload: 'not an object' },
    '"a bare string"',
  ])
  const s = await readOne(codexPeer, file)
  assert.equal(({} as Record<string, unknown>).polluted, undefined)
  const { messages } = foldSession(s)
  assert.equal(textOf(messages[0]!), 'red \u001b[31malert\u001b[0m \u2028 done')
  const call = messages[1]!.parts[0]!
  assert.equal(call.tool, 'unknown')
  assert.equal(call.callID, '../../etc/passwd')
  assert.deepEqual(Object.keys((call.state as { input: object }).input), ['__proto__', 'path'])
  assert.deepEqual((call.state as { output: unknown }).output, '42')
  assert.equal((messages[1]!.parts[1]!.state as { input: unknown }).input, 7)
  assert.equal(messages[2]!.role, 'system', 'an unknown role is a system message')
  assert.equal(textOf(messages[2]!), 'not a list')
  assert.equal(textOf(messages.at(-1)!).length, huge.length)
  assert.deepEqual(s.problems.map(p => [p.line, p.message]), [
    [7, 'thread_rolled_back: num_turns is not a non-negative integer'],
    [8, 'token_count: input_tokens is not a non-negative integer'],
    [10, 'record nests deeper than 200 levels (skipped)'],
    [12, 'record without payload'],
    [13, 'record is not an object'],
  ])
  assert.equal(s.title, null)
  assertWritable(s)
})

test('journal.importFrom(\'codex\'): the default sources, written as journal sessions; a fork under its source', async t => {
  const { journal, run } = homeWith(t, 'codex', '.codex')
  const result = await run()
  assert.deepEqual([result.updated, result.skipped, result.failed, result.problems], [[], [], [], []])
  assert.deepEqual(result.imported.map(s => s.originId).sort(), [MAIN_ID, '0195e3b0-11aa-7e03-8b55-2c9d4e6f7a18', '5c0d9e8f-3a2b-4c1d-8e7f-6a5b4c3d2e1f'].sort())
  const byOrigin = new Map(result.imported.map(s => [s.originId, s.id]))
  const main = await journal.read(byOrigin.get(MAIN_ID)!)
  assert.equal(main.info.title, 'Tide parser: keep the last row')
  assert.equal(main.info.projectPath, '/home/mara/src/tidepool')
  assert.deepEqual(main.info.meta.host, { name: 'codex', version: '0.58.0' })
  assert.equal(main.messages.length, 10)
  assert.deepEqual([main.info.usage.input, main.info.usage.cacheRead, main.info.usage.output, main.info.usage.events], [24400 - 16896, 16896, 910, 4])
  assert.deepEqual(main.messages.map(m => m.id), foldSession(await readOne(codexPeer, MAIN)).messages.map(m => m.id))
  const fork = await journal.read(byOrigin.get('0195e3b0-11aa-7e03-8b55-2c9d4e6f7a18')!)
  assert.equal(fork.info.parentId, byOrigin.get(MAIN_ID))
})

test('journal.importFrom(\'codex\'): again writes nothing; a grown rollout appends only what is new, a rollback a revert', async t => {
  const { root, journal, inHome, run } = homeWith(t, 'codex', '.codex')
  const main = inHome(MAIN)
  const first = await run()
  const id = first.imported.find(s => s.originId === MAIN_ID)!.id
  const before = treeOf(root)
  const again = await run()
  assert.deepEqual([again.imported, again.updated, again.failed], [[], [], []])
  assert.equal(again.skipped.length, 3)
  assert.deepEqual(treeOf(root), before, 'zero bytes written')

  const log = (await journal.locate(id)).path
  const known = logLines(log).length
  const at = (s: string) => `2026-03-14T09:13:${s}Z`
  fs.appendFileSync(main, [
    item(at('00.000'), { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'And the README?' }] }),
    item(at('05.000'), { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'README updated.' }] }),
    { timestamp: at('05.100'), type: 'event_msg', payload: { type: 'token_count', info: { total_token_usage: { input_tokens: 30000, cached_input_tokens: 20000, output_tokens: 1000, reasoning_output_tokens: 300, total_tokens: 31000 } } } },
  ].map(l => JSON.stringify(l) + '\n').join(''))
  const grown = await run()
  assert.deepEqual(grown.updated.map(s => [s.id, s.events]), [[id, 3]])
  assert.equal(grown.skipped.length, 2)
  const added = logLines(log).slice(known)
  assert.deepEqual(added.map(l => [l.type, l.id ?? l.key ?? null]), [
    ['message', 'L46'], ['message', 'L47'], ['usage', `${MAIN_ID}:31000`], ['x.import.origin', null],
  ])
  const read = await journal.read(id)
  assert.deepEqual(read.messages.slice(-2).map(m => textOf(m)), ['And the README?', 'README updated.'])
  assert.deepEqual([read.info.usage.input, read.info.usage.cacheRead, read.info.usage.output], [10000, 20000, 1000])

  fs.appendFileSync(main, JSON.stringify({ timestamp: at('09.000'), type: 'event_msg', payload: { type: 'thread_rolled_back', num_turns: 1 } }) + '\n')
  const rolled = await run()
  assert.deepEqual(rolled.updated.map(s => s.id), [id])
  const last = logLines(log).slice(known + added.length)
  assert.deepEqual(last.map(l => [l.type, l.messageId ?? null]), [['revert', 'L46'], ['x.codex.thread_rolled_back', null], ['x.import.origin', null]])
  assert.equal((await journal.read(id)).messages.length, 10)
})

test('journal.importFrom(\'codex\', files): another tool\'s file fails alone; damaged rollouts import with their problems', async t => {
  const journal = new Journal({ root: path.join(tempDir(t), 'root'), fsync: 'never' })
  const files = ['claude-code.jsonl', 'gemini-session.jsonl', 'rollout-nonjson.jsonl', 'rollout-truncated.jsonl'].map(damaged)
  const result = await journal.importFrom('codex', files)
  assert.deepEqual(result.failed.map(f => [path.basename(f.path), f.code, f.line]).sort(), [
    ['claude-code.jsonl', 'ERR_INVALID_IMPORT', 1], ['gemini-session.jsonl', 'ERR_INVALID_IMPORT', 1],
  ])
  // Both damaged rollouts are copies of one session: the first read is imported, the copy is reported and left out.
  assert.equal(result.imported.length, 1)
  assert.deepEqual(result.problems.map(p => [path.basename(p.path), p.line]), [
    ['rollout-nonjson.jsonl', 9], ['rollout-nonjson.jsonl', 10], ['rollout-truncated.jsonl', 11], ['rollout-truncated.jsonl', undefined],
  ])
  assert.match(result.problems.at(-1)!.message, /was read from .*rollout-nonjson\.jsonl already; this copy is left out/)
})
