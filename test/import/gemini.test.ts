import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { geminiPeer } from '../../lib/import/gemini.js'
import type { PeerSession } from '../../lib/import/peer.js'
import { Journal } from '../../lib/journal.js'
import { fixture, logLines, rejectsWith, tempDir, treeOf } from '../helpers.js'
import { assertWritable, foldSession, homeWith, readOne, textOf, writeLines } from './peer-checks.js'

const MAIN_ID = '0c4f9a7e-5b6d-4e2f-8a1c-3d9e7f0b2a64'
const CHATS = fixture('import', 'gemini', 'tmp', 'tidepool', 'chats')
const MAIN = path.join(CHATS, 'session-2026-03-15T10-04-0c4f9a7e.jsonl')
const SUBAGENT = path.join(CHATS, MAIN_ID, '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d.jsonl')
const HARBOR = fixture('import', 'gemini', 'tmp', 'harbor-lights', 'chats', 'session-2026-03-16T08-00-e2d3c4b5.jsonl')
const LEGACY = fixture('import', 'gemini', 'tmp', '3f7a1c9e2b4d6f8a0c1e3b5d7f9a2c4e6b8d0f1a3c5e7b9d2f4a6c8e0b1d3f5a', 'chats', 'session-2025-07-20T14-31-7d3e2b1a.json')
const damaged = (name: string) => fixture('import', 'gemini', 'damaged', name)

const id = (n: string) => `5f1e2d3c-00${n}-4a5b-8c7d-0000000000${n}`
const of = (s: PeerSession, type: string) => s.events.filter(e => e.body.type === type).map(e => e.body as Record<string, any>)
const header = { sessionId: 'hostile', projectHash: 'k', startTime: '2026-03-15T10:00:00.000Z', lastUpdated: '2026-03-15T10:00:00.000Z' }

test('defaultSources: ~/.gemini/tmp, or under GEMINI_CLI_HOME when set', () => {
  assert.deepEqual(geminiPeer.defaultSources('/home/a', {}), ['/home/a/.gemini/tmp'])
  assert.deepEqual(geminiPeer.defaultSources('/home/a', { GEMINI_CLI_HOME: '/srv/g' }), ['/srv/g/.gemini/tmp'])
})

test('discover: session files under chats/ (subagents and the older .json too), nothing else', async t => {
  const dir = tempDir(t)
  fs.cpSync(fixture('import', 'gemini'), dir, { recursive: true })
  fs.writeFileSync(path.join(dir, 'tmp', 'tidepool', 'logs.json'), '[]')
  fs.writeFileSync(path.join(dir, 'tmp', 'tidepool', 'chats', 'session-x.jsonl.tmp-42'), '')
  // A resumed older session: Gemini CLI copied it into a .jsonl beside it, which alone is read.
  const older = path.join(dir, 'tmp', 'tidepool', 'chats', 'session-2026-01-02T10-00-11111111.json')
  fs.writeFileSync(older, JSON.stringify({ ...header, messages: [] }))
  fs.writeFileSync(`${older}l`, `${JSON.stringify(header)}\n`)
  const units = await geminiPeer.discover([path.join(dir, 'tmp')])
  assert.deepEqual(units.map(u => path.relative(dir, u.path)).sort(), [
    path.relative(fixture('import', 'gemini'), LEGACY), path.relative(fixture('import', 'gemini'), HARBOR),
    path.relative(fixture('import', 'gemini'), SUBAGENT), path.relative(fixture('import', 'gemini'), MAIN),
    path.relative(dir, `${older}l`),
  ].sort())
})

test('a session: origin, project path from projects.json, title from $set.summary, created from startTime', async () => {
  const s = await readOne(geminiPeer, MAIN)
  assert.deepEqual(s.origin, { tool: 'gemini', id: MAIN_ID, path: MAIN, version: null })
  assert.equal(s.projectPath, '/home/mara/src/tidepool')
  assert.equal(s.created, '2026-03-15T10:04:01.200Z')
  assert.equal(s.parentOriginId, null)
  assert.equal(s.title, 'Tide chart: local time on the axis, UTC in the tooltip')
  assert.deepEqual(s.problems, [])
  assert.deepEqual(s.events[0]!.body.type, 'x.gemini.session')
})

test('the history: replace-by-id, $rewindTo, a checkpoint that drops notices and rewrites a message; real times kept', async () => {
  const s = await readOne(geminiPeer, MAIN)
  const { messages } = foldSession(s)
  assert.deepEqual(messages.map(m => [m.id, m.role, m.created]), [
    [id('01'), 'user', '2026-03-15T10:04:10.500Z'],
    [id('02'), 'assistant', '2026-03-15T10:04:12.000Z'],
    [id('04'), 'assistant', '2026-03-15T10:04:15.700Z'],
    [id('08'), 'user', '2026-03-15T10:06:00.000Z'],
    [id('09'), 'assistant', '2026-03-15T10:06:09.000Z'],
    [id('0c'), 'user', '2026-03-15T11:30:20.000Z'],
    [id('0d'), 'assistant', '2026-03-15T11:30:22.000Z'],
  ])
  // The rewind to the second prompt, then the checkpoint that no longer holds the info notice.
  assert.deepEqual(of(s, 'revert'), [{ type: 'revert', messageId: id('06') }, { type: 'revert', messageId: id('05') }])
  assert.equal(textOf(messages[4]!), 'Done: the axis shows local time; the tooltip keeps UTC.', 'the checkpoint\'s version')
  // g1 was written three times (streaming); the third only added its tokens: two message events, one message.
  assert.equal(s.events.filter(e => e.body.type === 'message' && e.body.id === id('02')).length, 2)
  // The checkpoint re-stamped unchanged messages: they are not written again.
  assert.equal(s.events.filter(e => e.body.type === 'message' && e.body.id === id('01')).length, 1)
})

test('parts: thoughts -> reasoning, tool calls with their results, statuses, inline images, displayContent', async () => {
  const s = await readOne(geminiPeer, MAIN)
  const { messages } = foldSession(s)
  const g1 = messages[1]!
  assert.deepEqual(g1.parts.map(p => p.type), ['reasoning', 'tool'])
  assert.equal(g1.parts[0]!.text, '**Finding the chart code**\nThe chart formats times somewhere in src/chart.')
  assert.deepEqual(g1.parts[1], {
    id: `${id('02')}.k0`, type: 'tool', tool: 'read_file', callID: 'read_file-1773569052000-a1b2c3', title: 'ReadFile',
    state: {
      status: 'completed', input: { absolute_path: '/home/mara/src/tidepool/src/chart/axis.ts' },
      output: 'export const axisLabel = (d: Date) => d.toISOString().slice(11, 16)\n', metadata: { resultDisplay: '' },
      time: { start: Date.parse('2026-03-15T10:04:12.000Z') },
    },
  })
  const g4 = messages[4]!
  assert.deepEqual(g4.parts.map(p => [p.type, p.tool, (p.state as { status?: string } | undefined)?.status]), [
    ['text', undefined, undefined], ['tool', 'write_file', 'completed'], ['tool', 'run_shell_command', 'error'],
  ])
  assert.equal((g4.parts[2]!.state as { error: string }).error, 'Command exited with code 1: 1 failing test (axis label snapshot)')
  const u3 = messages[3]!
  assert.deepEqual(u3.parts[1], { id: `${id('08')}.c1`, type: 'file', mime: 'image/png', url: u3.parts[1]!.url })
  assert.match(u3.parts[1]!.url as string, /^data:image\/png;base64,iVBOR/)
  assert.deepEqual(u3.meta, { displayContent: [{ text: 'Show local time, but keep UTC in the tooltip. @screenshot.png' }] })
  // The cancelled edit, before it was rewound: an error part saying so.
  const cancelled = of(s, 'message').find(m => m.id === id('07'))!
  assert.deepEqual([cancelled.parts[0].state.status, cancelled.parts[0].state.error], ['error', 'cancelled'])
})

test('a user record that only repeats a tool call\'s result is not imported twice', async () => {
  const s = await readOne(geminiPeer, MAIN)
  assert.ok(!s.events.some(e => e.body.type === 'message' && e.body.id === id('03')))
  const outputs = JSON.stringify(s.events).split('export const axisLabel = (d: Date) => d.toISOString()').length - 1
  assert.equal(outputs, 1, 'the read result is in the tool call\'s completed version, never in a user message')
})

test('info, warning and error records are system messages marked synthetic, with their level', async () => {
  const s = await readOne(geminiPeer, MAIN)
  const notices = of(s, 'message').filter(m => m.role === 'system')
  assert.deepEqual(notices.map(m => [m.id, m.meta]), [
    [id('05'), { synthetic: true, level: 'info' }], [id('0a'), { synthetic: true, level: 'warning' }], [id('0b'), { synthetic: true, level: 'error' }],
  ])
})

test('usage: one event per message with tokens, keyed by its id, counted once however often the message is rewritten', async () => {
  const s = await readOne(geminiPeer, MAIN)
  const usage = of(s, 'usage') as Array<Record<string, unknown>>
  assert.deepEqual(usage.map(u => u.key), [id('02'), id('04'), id('07'), id('09'), id('0d')])
  assert.deepEqual(usage[3], {
    type: 'usage', key: id('09'), messageId: id('09'), model: 'gemini-2.5-flash', provider: 'google',
    input: 9510 - 8192 + 12, output: 212 + 388, reasoning: 388, cacheRead: 8192,
  })
  // Each event's four counts add up to Gemini's total for the message.
  const totals = [8412 + 96 + 210, 8620 + 58, 8790 + 140, 9510 + 212 + 388 + 12, 9804 + 6]
  assert.deepEqual(usage.map(u => (u.input as number) + (u.cacheRead as number) + (u.output as number)), totals)
})

test('a subagent names its parent session; a project known only by .project_root; the older single-file form', async () => {
  const sub = await readOne(geminiPeer, SUBAGENT)
  assert.equal(sub.parentOriginId, MAIN_ID)
  assert.equal(sub.projectPath, '/home/mara/src/tidepool')
  const harbor = await readOne(geminiPeer, HARBOR)
  assert.equal(harbor.projectPath, '/home/mara/src/harbor-lights')
  const legacy = await readOne(geminiPeer, LEGACY)
  assert.equal(legacy.projectPath, '', 'a SHA-256 project key cannot be decoded')
  assert.equal(legacy.title, 'What npm run tides does')
  const { messages } = foldSession(legacy)
  assert.deepEqual(messages.map(m => [m.role, textOf(m)]), [
    ['user', 'What does `npm run tides` do?'], ['assistant', 'Reading package.json.'], ['assistant', 'It runs bin/tides.js, which prints today\'s tide table.'],
  ])
  assert.equal(messages[1]!.created, '2025-07-20T14:31:20.000Z')
  assert.equal(of(legacy, 'usage').length, 2)
})

test('a session read when it was shorter gives the first events of the whole: a grown file only adds', async t => {
  const dir = tempDir(t)
  const lines = fs.readFileSync(MAIN, 'utf8').split('\n').filter(Boolean)
  const whole = await readOne(geminiPeer, writeLines(path.join(dir, 'all.jsonl'), lines))
  for (let n = 1; n < lines.length; n++) {
    const part = await readOne(geminiPeer, writeLines(path.join(dir, `${n}.jsonl`), lines.slice(0, n)))
    assert.deepEqual(part.events, whole.events.slice(0, part.events.length), `first ${n} lines`)
  }
})

test('a $rewindTo appended to a grown session is a revert of that message', async t => {
  const dir = tempDir(t)
  const lines = fs.readFileSync(MAIN, 'utf8').split('\n').filter(Boolean)
  const file = writeLines(path.join(dir, 's.jsonl'), [...lines, { $rewindTo: id('0c') }])
  const s = await readOne(geminiPeer, file)
  assert.deepEqual(s.events.at(-1)!.body, { type: 'revert', messageId: id('0c') })
  assert.equal(foldSession(s).messages.length, 5)
  // An id that is not standing clears the list, as Gemini CLI does.
  const cleared = await readOne(geminiPeer, writeLines(path.join(dir, 't.jsonl'), [...lines, { $rewindTo: 'no-such-id' }]))
  assert.deepEqual(cleared.events.at(-1)!.body, { type: 'revert', messageId: id('01') })
  assert.equal(foldSession(cleared).messages.length, 0)
})

test('damage: a truncated last line, a non-JSON line and an unknown record are reported with path and line', async () => {
  const truncated = await readOne(geminiPeer, damaged('session-truncated.jsonl'))
  assert.deepEqual(truncated.problems, [{ path: damaged('session-truncated.jsonl'), line: 8, message: 'last line is cut short (no newline, not JSON) (skipped)' }])
  assert.equal(foldSession(truncated).messages.length, 2)
  const nonJson = await readOne(geminiPeer, damaged('session-nonjson.jsonl'))
  assert.deepEqual(nonJson.problems.map(p => [p.path, p.line, p.message.replace(/^not JSON: .*/, 'not JSON')]), [
    [damaged('session-nonjson.jsonl'), 3, 'not JSON'], [damaged('session-nonjson.jsonl'), 4, 'unknown record'],
  ])
  assert.deepEqual(of(nonJson, 'x.gemini.unknown'), [{ type: 'x.gemini.unknown', data: { $unknown: { x: 1 } } }])
})

test('another tool\'s file, a broken single-file session, an empty file: ERR_INVALID_IMPORT with path and line', async t => {
  const empty = writeLines(path.join(tempDir(t), 'empty.jsonl'), [])
  const noId = writeLines(path.join(tempDir(t), 'no-id.jsonl'), [{ ...header, sessionId: '' }])
  for (const file of [damaged('codex-rollout.jsonl'), damaged('claude-code.jsonl'), damaged('not-json.json'), empty, noId]) {
    const error = await rejectsWith(geminiPeer.read({ path: file, fingerprint: '' }), 'ERR_INVALID_IMPORT')
    assert.equal(error.path, file)
    assert.equal(error.line, 1)
  }
})

test('a projects.json that is not JSON is reported, and the marker file still names the project', async t => {
  const dir = tempDir(t)
  const file = writeLines(path.join(dir, 'tmp', 'p', 'chats', 'session-1.jsonl'), [header])
  fs.writeFileSync(path.join(dir, 'projects.json'), '{ "projects": ')
  fs.writeFileSync(path.join(dir, 'tmp', 'p', '.project_root'), '/srv/p\n')
  const s = await readOne(geminiPeer, file)
  assert.equal(s.projectPath, '/srv/p')
  assert.deepEqual(s.problems, [{ path: path.join(dir, 'projects.json'), message: 'not JSON: project path not recovered from it' }])
})

test('hostile input: __proto__ keys, escape sequences, odd ids, wrong types, deep nesting, a huge inline image', async t => {
  const dir = tempDir(t)
  const big = 'A'.repeat(3_000_000)
  const longId = 'i'.repeat(5000)
  const file = writeLines(path.join(dir, 'session-h.jsonl'), [
    { ...header, summary: 42 },
    `{"id":"__proto__","timestamp":"2026-03-15T10:00:01.000Z","type":"user","content":[{"text":"bell \\u0007 and \\u001b[2J","__proto__":{"polluted":true}}]}`,
    { id: '../../etc/passwd', timestamp: 'yesterday', type: 'gemini', content: { inlineData: { mimeType: 'image/png', data: big } }, toolCalls: 'not a list', thoughts: [7, { subject: 5 }], tokens: { input: 'ten' } },
    { id: longId, timestamp: '2026-03-15T10:00:03.000Z', type: 'gemini', content: [{ functionCall: { id: 'c1', name: 'ls', args: { __proto__: null } } }], toolCalls: [{ id: 42, name: ['x'], args: 'not an object', status: 'success', result: 'ok' }] },
    { id: 'n', timestamp: '2026-03-15T10:00:04.000Z', type: 'narrator', content: 'who?' },
    `{"id":"deep","type":"user","content":${'['.repeat(3000)}${']'.repeat(3000)}}`,
    { $rewindTo: 42 },
    { $set: 'not an object' },
    { $set: { messages: [5, { id: 'x' }] } },
  ])
  const s = await readOne(geminiPeer, file)
  assert.equal(({} as Record<string, unknown>).polluted, undefined)
  const { messages } = foldSession(s)
  assert.deepEqual(messages.map(m => m.id.length <= 256), messages.map(() => true))
  const first = messages.find(m => m.id === '__proto__')
  assert.equal(first, undefined, 'the checkpoint with no valid message cleared the list')
  const user = of(s, 'message')[0] as { id: string, parts: Array<{ text: string }> }
  assert.equal(user.id, '__proto__')
  assert.equal(user.parts[0]!.text, 'bell \u0007 and \u001b[2J')
  const image = (of(s, 'message')[1] as { parts: Array<Record<string, unknown>> }).parts.find(p => p.type === 'file')!
  assert.deepEqual(image, { id: '../../etc/passwd.c0', type: 'file', mime: 'image/png', size: 2250000 })
  const long = of(s, 'message')[2] as { id: string, parts: Array<Record<string, unknown>> }
  assert.match(long.id, /^h-[0-9a-f]{32}$/)
  assert.deepEqual(long.parts.map(p => [p.tool, p.callID]), [['ls', 'c1'], ['unknown', `${long.id}.k0`]])
  assert.deepEqual(s.problems.map(p => [p.line, p.message]), [
    [3, 'message ../../etc/passwd: tokens.input is not a non-negative integer'],
    [5, 'unknown message type "narrator"'],
    [6, 'record nests deeper than 200 levels (skipped)'],
    [7, 'unknown record'],
    [8, 'unknown record'],
    [9, '$set.messages holds an entry that is not a message record'],
    [9, '$set.messages holds an entry that is not a message record'],
  ])
  assert.equal(s.title, null)
  assertWritable(s)
})

test('journal.importFrom(\'gemini\'): the default source, written as journal sessions; the subagent under its parent', async t => {
  const { journal, run } = homeWith(t, 'gemini', '.gemini')
  const result = await run()
  assert.deepEqual([result.updated, result.skipped, result.failed, result.problems], [[], [], [], []])
  assert.equal(result.imported.length, 4)
  const byOrigin = new Map(result.imported.map(s => [s.originId, s.id]))
  const main = await journal.read(byOrigin.get(MAIN_ID)!)
  assert.equal(main.info.title, 'Tide chart: local time on the axis, UTC in the tooltip')
  assert.equal(main.info.projectPath, '/home/mara/src/tidepool')
  assert.deepEqual(main.messages.map(m => [m.id, m.created]), foldSession(await readOne(geminiPeer, MAIN)).messages.map(m => [m.id, m.created]))
  assert.equal(main.info.usage.events, 5)
  const sub = await journal.read(byOrigin.get('9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d')!)
  assert.equal(sub.info.parentId, byOrigin.get(MAIN_ID))
  assert.equal((await journal.read(byOrigin.get('e2d3c4b5-a6f7-4089-9a1b-2c3d4e5f6071')!)).info.projectPath, '/home/mara/src/harbor-lights')
})

test('journal.importFrom(\'gemini\'): again writes nothing; new records append only themselves; $rewindTo becomes a revert', async t => {
  const { root, journal, inHome, run } = homeWith(t, 'gemini', '.gemini')
  const main = inHome(MAIN)
  const first = await run()
  const sid = first.imported.find(s => s.originId === MAIN_ID)!.id
  const before = treeOf(root)
  const again = await run()
  assert.deepEqual([again.imported, again.updated, again.failed, again.skipped.length], [[], [], [], 4])
  assert.deepEqual(treeOf(root), before, 'zero bytes written')

  const log = (await journal.locate(sid)).path
  const known = logLines(log).length
  fs.appendFileSync(main, [
    { id: 'e1', timestamp: '2026-03-15T12:00:00.000Z', type: 'user', content: [{ text: 'One more: the legend.' }] },
    { $set: { lastUpdated: '2026-03-15T12:00:00.000Z' } },
    { id: 'e2', timestamp: '2026-03-15T12:00:04.000Z', type: 'gemini', content: 'The legend now says "local time".', tokens: { input: 10000, output: 9, cached: 9728, thoughts: 0, tool: 0, total: 10009 }, model: 'gemini-2.5-flash' },
  ].map(l => JSON.stringify(l) + '\n').join(''))
  const grown = await run()
  assert.deepEqual(grown.updated.map(s => [s.id, s.events]), [[sid, 3]])
  const added = logLines(log).slice(known)
  assert.deepEqual(added.map(l => [l.type, l.id ?? l.key ?? null, l.ts]), [
    ['message', 'e1', '2026-03-15T12:00:00.000Z'], ['message', 'e2', '2026-03-15T12:00:04.000Z'], ['usage', 'e2', '2026-03-15T12:00:04.000Z'],
    ['x.import.origin', null, added.at(-1)!.ts],
  ])

  fs.appendFileSync(main, JSON.stringify({ $rewindTo: 'e1' }) + '\n')
  const rewound = await run()
  assert.deepEqual(rewound.updated.map(s => s.id), [sid])
  assert.deepEqual(logLines(log).slice(known + added.length).map(l => [l.type, l.messageId ?? null]), [['revert', 'e1'], ['x.import.origin', null]])
  const read = await journal.read(sid)
  assert.equal(read.messages.length, 7)
  assert.equal(read.messages.at(-1)!.id, id('0d'))
})

test('journal.importFrom(\'gemini\', files): other tools\' files fail alone; damaged sessions import with their problems', async t => {
  const journal = new Journal({ root: path.join(tempDir(t), 'root'), fsync: 'never' })
  const files = ['codex-rollout.jsonl', 'claude-code.jsonl', 'not-json.json', 'session-truncated.jsonl'].map(damaged)
  const result = await journal.importFrom('gemini', files)
  assert.deepEqual(result.failed.map(f => [path.basename(f.path), f.code, f.line]), [
    ['codex-rollout.jsonl', 'ERR_INVALID_IMPORT', 1], ['claude-code.jsonl', 'ERR_INVALID_IMPORT', 1], ['not-json.json', 'ERR_INVALID_IMPORT', 1],
  ].sort())
  assert.deepEqual(result.imported.map(s => s.originId), [MAIN_ID])
  assert.deepEqual(result.problems, [{ path: damaged('session-truncated.jsonl'), line: 8, message: 'last line is cut short (no newline, not JSON) (skipped)' }])
  assert.equal((await journal.read(result.imported[0]!.id)).messages.length, 2)
})
