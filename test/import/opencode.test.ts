/**
 * The OpenCode peer on hand-written fixtures (fixtures/import/opencode/storage: the 1.1.x tree,
 * written field by field after peers.md) and on hostile or broken files. The real binary's
 * own files (1.18 database, export documents) are in opencode-real.test.ts.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test, type TestContext } from 'node:test'
import Database from 'better-sqlite3'
import { Journal } from '../../lib/journal.js'
import { opencodePeer } from '../../lib/import/opencode.js'
import { MAX_INLINE_BYTES, type PeerEvent, type PeerSession } from '../../lib/import/peer.js'
import { fixture, rejectsWith, tempDir } from '../helpers.js'

const STORAGE = fixture('import', 'opencode', 'storage')
const ROOT = 'ses_6f2a1c7e4ffeKp3Lm8Nq2Rs5Tv'
const CHILD = 'ses_6f2a0e91bffeWx4Yz7Ab1Cd9Ef'

async function readAll(paths: string[]): Promise<PeerSession[]> {
  const sessions: PeerSession[] = []
  for (const unit of await opencodePeer.discover(paths)) sessions.push(...await opencodePeer.read(unit))
  return sessions
}

const ofType = (s: PeerSession, type: string) => s.events.filter(e => e.body.type === type).map(e => e.body)
const messages = (s: PeerSession) => ofType(s, 'message') as unknown as Array<{ id: string, role: string, parts: Array<Record<string, unknown>>, meta?: Record<string, unknown> }>

/** A copy of the storage fixture to damage. */
function storageCopy(t: TestContext): string {
  const dir = tempDir(t, 'sj-opencode-')
  fs.cpSync(STORAGE, path.join(dir, 'storage'), { recursive: true })
  return path.join(dir, 'storage')
}

/** A minimal export document with `parts` on one assistant message. */
function exportDoc(parts: unknown[], info: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    info: { id: 'ses_1a2b3c4d5ffeAbCdEfGhIjKlMn', slug: 'x', projectID: 'global', directory: '/home/dev/p', title: 'T', version: '1.18.33', time: { created: 1767225600000, updated: 1767225660000 }, ...info },
    messages: [
      { info: { id: 'msg_1', sessionID: 'ses_1a2b3c4d5ffeAbCdEfGhIjKlMn', role: 'user', time: { created: 1767225601000 } }, parts: [{ id: 'prt_1', type: 'text', text: 'hi' }] },
      { info: { id: 'msg_2', role: 'assistant', modelID: 'm', providerID: 'p', time: { created: 1767225602000 } }, parts },
    ],
  }
}

function writeDoc(t: TestContext, doc: unknown, name = 'session.json'): string {
  const file = path.join(tempDir(t, 'sj-opencode-'), name)
  fs.writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify(doc, null, 2))
  return file
}

test('storage tree: one unit per session, the parent before its child, each read into one session', async () => {
  const units = await opencodePeer.discover([STORAGE])
  assert.deepEqual(units.map(u => path.basename(u.path, '.json')), [ROOT, CHILD])
  assert.ok(units.every(u => u.key === undefined && u.fingerprint.startsWith('storage:')))
  const [root, child] = await readAll([STORAGE])
  assert.equal(root!.origin.id, ROOT)
  assert.equal(root!.origin.tool, 'opencode')
  assert.equal(root!.origin.version, '1.1.36')
  assert.equal(root!.title, 'Fix the forecast endpoint for cities with spaces')
  assert.equal(root!.projectPath, '/home/dev/weather-app')
  assert.equal(root!.created, '2025-12-01T12:00:00.000Z')
  assert.equal(root!.parentOriginId, null)
  assert.deepEqual(root!.problems, [])
  assert.equal(child!.parentOriginId, ROOT)
  // The child's info has no directory: its project's worktree stands in.
  assert.equal(child!.projectPath, '/home/dev/weather-app')
  assert.equal(child!.title, 'Inspect the handler (@general subagent)')
})

test('storage tree: messages and parts keep their ids, order, times and shapes', async () => {
  const [root] = await readAll([STORAGE])
  const list = messages(root!)
  assert.deepEqual(list.map(m => m.role), ['user', 'assistant', 'assistant', 'user', 'assistant', 'user', 'assistant'])
  assert.deepEqual(list.map(m => m.parts.length), [3, 6, 4, 3, 2, 1, 2])
  assert.equal(list[0]!.id, 'msg_9a1b2c3d1001Ab3Cd5Ef7Gh9Ij')
  const times = root!.events.filter(e => e.body.type === 'message').map(e => e.ts)
  assert.deepEqual(times.slice(0, 3), ['2025-12-01T12:00:01.000Z', '2025-12-01T12:00:02.000Z', '2025-12-01T12:00:10.000Z'])
  // Parts are OpenCode's, minus the ids the message already holds.
  for (const m of list) for (const p of m.parts) assert.ok(!('sessionID' in p) && !('messageID' in p))
  assert.deepEqual(list.flatMap(m => m.parts.map(p => p.type)), [
    'text', 'file', 'text',
    'step-start', 'reasoning', 'tool', 'tool', 'step-finish', 'patch',
    'step-start', 'tool', 'text', 'step-finish',
    'text', 'agent', 'subtask',
    'retry', 'text',
    'compaction',
    'text', 'step-finish',
  ])
  const [read, bash] = list[1]!.parts.filter(p => p.type === 'tool') as Array<{ tool: string, callID: string, state: Record<string, unknown> }>
  assert.equal(read!.tool, 'read')
  assert.equal(read!.callID, 'toolu_01ReadForecast')
  assert.equal(read!.state.status, 'completed')
  assert.deepEqual(read!.state.input, { filePath: '/home/dev/weather-app/src/forecast.ts' })
  assert.match(read!.state.output as string, /encodeURIComponent|fetch/)
  assert.equal(bash!.state.status, 'error')
  // Escape sequences in tool output are kept byte for byte.
  assert.match(bash!.state.error as string, /\u001b\[31mFAIL\u001b\[0m/)
  const task = list[2]!.parts.find(p => p.tool === 'task') as { state: { metadata: { sessionId: string } } }
  assert.equal(task.state.metadata.sessionId, CHILD)
  // Injected context stays marked as OpenCode marks it: `synthetic` on the text part.
  assert.equal(list[0]!.parts[2]!.synthetic, true)
  // A small image stays inline.
  assert.match(list[0]!.parts[1]!.url as string, /^data:image\/png;base64,/)
  // The message's own fields (model, tokens, agent, times) ride along in meta.
  const meta = list[1]!.meta!
  assert.equal(meta.modelID, 'claude-sonnet-4-5')
  assert.equal(meta.parentID, list[0]!.id)
  assert.ok(!('id' in meta) && !('role' in meta) && !('sessionID' in meta))
  assert.equal(meta.synthetic, undefined)
  // The compaction summary (OpenCode's `summary: true`) is marked as the conventions say.
  assert.deepEqual([list[6]!.meta!.synthetic, list[6]!.meta!.compaction, list[6]!.meta!.summary], [true, true, true])
})

test('storage tree: one usage per step-finish, the message tokens only for a message without steps', async () => {
  const [root, child] = await readAll([STORAGE])
  const usage = ofType(root!, 'usage') as Array<Record<string, number | string>>
  assert.deepEqual(usage.map(u => u.key), [
    'prt_9a1b2c3d2006Ab3Cd5Ef7Gh9Ij', 'prt_9a1b2c3d3005Ab3Cd5Ef7Gh9Ij', 'msg_9a1b2c3d5001Ab3Cd5Ef7Gh9Ij', 'prt_9a1b2c3d7003Rv7Tx9Zb2Dc4Fe',
  ])
  const sum = (field: string) => usage.reduce((n, u) => n + (u[field] as number), 0)
  assert.equal(sum('input'), 2400 + 3100 + 1800 + 20000)
  // Output includes reasoning (OpenCode counts them apart).
  assert.equal(sum('output'), 180 + 64 + 95 + 60 + 400)
  assert.equal(sum('reasoning'), 64)
  assert.equal(sum('cacheRead'), 11000 + 13400)
  assert.equal(sum('cacheWrite'), 1200)
  assert.equal(Math.round(sum('cost') * 1e6), Math.round((0.0213 + 0.0151 + 0.0063 + 0.066) * 1e6))
  assert.ok(usage.every(u => u.model === 'claude-sonnet-4-5' && u.provider === 'anthropic' && u.currency === 'USD'))
  assert.deepEqual(ofType(child!, 'usage').map(u => u.input), [900])
})

test('storage tree: share url (never the secret), todo, revert with what a journal revert cannot say', async () => {
  const [root] = await readAll([STORAGE])
  assert.deepEqual(ofType(root!, 'x.opencode.share'), [{ type: 'x.opencode.share', data: { url: 'https://opncd.ai/share/kX9pQ2' } }])
  assert.ok(!JSON.stringify(root!.events).includes('5ec2e7'), 'the share secret is not imported')
  assert.equal(ofType(root!, 'share').length, 0, 'the journal did not share it')
  assert.equal((ofType(root!, 'x.opencode.todo')[0]!.data as unknown[]).length, 2)
  assert.deepEqual(ofType(root!, 'revert'), [{ type: 'revert', messageId: 'msg_9a1b2c3d7001Rv7Tx9Zb2Dc4Fe' }])
  const kept = ofType(root!, 'x.opencode.revert')[0]!.data as Record<string, unknown>
  assert.equal(kept.partID, 'prt_9a1b2c3d7002Rv7Tx9Zb2Dc4Fe')
  assert.equal(kept.snapshot, '5e1f0c2a')
  const session = ofType(root!, 'x.opencode.session')[0]!.data as Record<string, unknown>
  assert.equal(session.slug, 'brave-falcon')
  assert.deepEqual(session.summary, { additions: 4, deletions: 1, files: 1 })
  assert.equal(root!.events[0]!.body.type, 'x.opencode.session')
})

test('storage tree: a damaged part or message file is a problem with its path, the rest is imported', async t => {
  const storage = storageCopy(t)
  const partFile = path.join(storage, 'part', 'msg_9a1b2c3d2001Ab3Cd5Ef7Gh9Ij', 'prt_9a1b2c3d2003Ab3Cd5Ef7Gh9Ij.json')
  fs.writeFileSync(partFile, '{"id": "prt_9a1b2c3d2003Ab3Cd5Ef7Gh9Ij", "type": "reas')
  const messageFile = path.join(storage, 'message', ROOT, 'msg_9a1b2c3d4001Ab3Cd5Ef7Gh9Ij.json')
  fs.writeFileSync(messageFile, 'not json')
  const [root] = await readAll([storage])
  assert.deepEqual(root!.problems.map(p => p.path).sort(), [messageFile, partFile].sort())
  assert.deepEqual(messages(root!).map(m => m.parts.length), [3, 5, 4, 2, 1, 2])
})

test('storage tree: the fingerprint changes when a part is rewritten in place', async t => {
  const storage = storageCopy(t)
  const [before] = await opencodePeer.discover([storage])
  const partFile = path.join(storage, 'part', 'msg_9a1b2c3d3001Ab3Cd5Ef7Gh9Ij', 'prt_9a1b2c3d3004Ab3Cd5Ef7Gh9Ij.json')
  const part = JSON.parse(fs.readFileSync(partFile, 'utf8')) as { text: string }
  fs.writeFileSync(partFile, JSON.stringify({ ...part, text: `${part.text} And a test.` }))
  const [after] = await opencodePeer.discover([storage])
  assert.notEqual(after!.fingerprint, before!.fingerprint)
  const [again] = await opencodePeer.discover([storage])
  assert.equal(again!.fingerprint, after!.fingerprint)
})

test('storage tree: a message id that could climb a path is never joined to one', async t => {
  const storage = storageCopy(t)
  const odd = path.join(storage, 'message', ROOT, 'msg..escape.json')
  fs.writeFileSync(odd, JSON.stringify({ id: '../../../etc', sessionID: ROOT, role: 'user', time: { created: 1764590400500 } }))
  const [root] = await readAll([storage])
  assert.deepEqual(root!.problems.map(p => p.path), [odd])
  assert.equal(messages(root!)[0]!.id, '../../../etc', 'kept as an id, never as a path')
})

test('defaultSources: the data folder, XDG_DATA_HOME aware', () => {
  assert.deepEqual(opencodePeer.defaultSources('/home/u', {}), ['/home/u/.local/share/opencode'])
  assert.deepEqual(opencodePeer.defaultSources('/home/u', { XDG_DATA_HOME: '/data' }), ['/data/opencode'])
  assert.deepEqual(opencodePeer.defaultSources('/home/u', { XDG_DATA_HOME: 'relative' }), ['/home/u/.local/share/opencode'])
})

test('discover: missing paths are skipped; a data folder yields its sessions, never auth.json; loose exports are found', async t => {
  const dir = tempDir(t, 'sj-opencode-')
  const data = path.join(dir, 'share', 'opencode')
  fs.mkdirSync(data, { recursive: true })
  fs.cpSync(STORAGE, path.join(data, 'storage'), { recursive: true })
  fs.writeFileSync(path.join(data, 'auth.json'), JSON.stringify({ info: 'not an export', key: 'x' }))
  const exports = path.join(dir, 'exports')
  fs.mkdirSync(exports)
  fs.writeFileSync(path.join(exports, 'one.json'), JSON.stringify(exportDoc([])))
  fs.writeFileSync(path.join(exports, 'package.json'), JSON.stringify({ name: 'not-an-export' }))
  const units = await opencodePeer.discover([dir, path.join(dir, 'missing')])
  assert.deepEqual(units.map(u => path.basename(u.path)), ['one.json', `${ROOT}.json`, `${CHILD}.json`])
})

test('export document: read into one session; the unit is the file', async t => {
  const file = writeDoc(t, exportDoc([{ id: 'prt_2', sessionID: 's', messageID: 'm', type: 'text', text: 'hello' }], { parentID: 'ses_parent', share: { url: 'https://opncd.ai/share/x' } }))
  const [unit] = await opencodePeer.discover([file])
  assert.equal(unit!.path, file)
  assert.match(unit!.fingerprint, /^\d+:\d+$/)
  const [session] = await opencodePeer.read(unit!)
  assert.equal(session!.parentOriginId, 'ses_parent')
  assert.deepEqual(messages(session!).map(m => m.parts), [[{ id: 'prt_1', type: 'text', text: 'hi' }], [{ id: 'prt_2', type: 'text', text: 'hello' }]])
  assert.equal(ofType(session!, 'x.opencode.share').length, 1)
  assert.equal(ofType(session!, 'usage').length, 0, 'no tokens, no usage')
})

test('bad files: not JSON, truncated, not an export, a hostile session id, an SQLite file that is not OpenCode\'s: ERR_INVALID_IMPORT', async t => {
  const full = JSON.stringify(exportDoc([]), null, 2)
  const truncated = writeDoc(t, full.slice(0, full.length - 40))
  const error = await rejectsWith(opencodePeer.read({ path: truncated, fingerprint: '' }), 'ERR_INVALID_IMPORT')
  assert.equal(error.path, truncated)
  for (const doc of ['', '[1, 2]', '{"info": {"id": "nope"}, "messages": []}', '{"info": {"id": "ses_../../etc"}, "messages": []}', '{"info": {"id": "ses_ok"}}']) {
    const file = writeDoc(t, doc)
    const e = await rejectsWith(opencodePeer.read({ path: file, fingerprint: '' }), 'ERR_INVALID_IMPORT')
    assert.equal(e.path, file)
  }
  const dir = tempDir(t, 'sj-opencode-')
  const other = path.join(dir, 'opencode.db')
  const db = new Database(other)
  db.exec('CREATE TABLE notes (id TEXT, body TEXT)')
  db.close()
  const [unit] = await opencodePeer.discover([dir])
  assert.equal(unit!.key, undefined, 'not OpenCode\'s: one unit for the file, which read() refuses')
  const e = await rejectsWith(opencodePeer.read(unit!), 'ERR_INVALID_IMPORT')
  assert.match(e.message, /no session table/)
  const garbage = path.join(dir, 'garbage.db')
  fs.writeFileSync(garbage, Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4096, 7)]))
  await rejectsWith(opencodePeer.read({ path: garbage, fingerprint: '' }), 'ERR_INVALID_IMPORT')
})

test('truncated export: the error names the line where the JSON stops', async t => {
  const full = JSON.stringify(exportDoc([]), null, 2)
  const cut = full.slice(0, full.indexOf('"messages"') + 20)
  const file = writeDoc(t, cut)
  const error = await rejectsWith(opencodePeer.read({ path: file, fingerprint: '' }), 'ERR_INVALID_IMPORT')
  assert.equal(error.line, cut.split('\n').length)
  const wrong = writeDoc(t, '{\n  "info": {},\n  "messages": [1\n  "x"]\n}')
  assert.equal((await rejectsWith(opencodePeer.read({ path: wrong, fingerprint: '' }), 'ERR_INVALID_IMPORT')).line, 4)
})

test('damage inside an export: odd messages and parts are kept as x.opencode.* with a problem; bad usage is a problem', async t => {
  const doc = exportDoc([
    { id: 'prt_a', type: 'text', text: 'fine' },
    { type: 'text', text: 'no id' },
    'a string',
    { id: 'prt_b', type: 'step-finish', tokens: { input: -5, output: 'many', cache: {} }, cost: 1 },
  ])
  ;(doc.messages as unknown[]).push({ info: { id: 'msg_3', role: 'tool', time: { created: 1767225603000 } }, parts: [] })
  ;(doc.messages as unknown[]).push(42)
  const [session] = await opencodePeer.read({ path: writeDoc(t, doc), fingerprint: '' })
  assert.deepEqual(messages(session!).map(m => m.parts.map(p => p.id)), [['prt_1'], ['prt_a', 'prt_b']])
  assert.equal(ofType(session!, 'x.opencode.part').length, 2)
  assert.equal(ofType(session!, 'x.opencode.message').length, 2)
  assert.equal(ofType(session!, 'usage').length, 0)
  assert.equal(session!.problems.length, 5)
  assert.match(session!.problems.find(p => p.message.includes('usage'))!.message, /usage\.input must be a non-negative integer/)
})

test('hostile export: __proto__ keys stay data, huge text stays, huge data URLs are replaced by their size, deep nesting is refused alone', async t => {
  // Written as text: JSON.stringify itself gives up on nesting this deep.
  const deep = 'DEEP'
  const quads = Math.ceil(MAX_INLINE_BYTES / 3) + 1
  const big = `data:application/octet-stream;base64,${'AAAA'.repeat(quads)}`
  const bigBytes = quads * 3
  const huge = 'x'.repeat(4 * 1024 * 1024)
  const parts = [
    JSON.parse('{"id": "prt_p", "type": "text", "text": "proto", "__proto__": {"polluted": true}}') as unknown,
    { id: 'prt_h', type: 'text', text: huge },
    { id: 'prt_f', type: 'file', mime: 'application/octet-stream', filename: 'blob.bin', url: big },
    { id: 'prt_d', type: 'tool', tool: 'bash', callID: 'c', state: { status: 'completed', input: deep, output: '' } },
    { id: 'prt_t', type: 'tool', tool: 'read', callID: 'r', state: { status: 'completed', input: {}, output: '', attachments: [{ id: 'a', type: 'file', mime: 'image/png', url: big }] } },
    { id: 'prt_e', type: 'text', text: 'bell \u0007 escape \u001b]0;title\u0007 nul \u0000' },
  ]
  const text = JSON.stringify(exportDoc(parts, { title: 42, directory: { not: 'a string' } }))
  const file = writeDoc(t, text.replace('"DEEP"', `${'{"d":'.repeat(5000)}1${'}'.repeat(5000)}`))
  const [session] = await opencodePeer.read({ path: file, fingerprint: '' })
  assert.equal(({} as Record<string, unknown>).polluted, undefined)
  const list = messages(session!)[1]!.parts
  assert.deepEqual(list.map(p => p.id), ['prt_p', 'prt_h', 'prt_f', 'prt_t', 'prt_e'])
  assert.ok(Object.hasOwn(list[0]!, '__proto__'))
  assert.equal((list[1]!.text as string).length, huge.length)
  assert.equal(list[2]!.url, undefined)
  assert.equal(list[2]!.size, bigBytes)
  assert.equal(((list[3]!.state as { attachments: Array<Record<string, unknown>> }).attachments[0]!).size, bigBytes)
  assert.equal(list[4]!.text, 'bell \u0007 escape \u001b]0;title\u0007 nul \u0000')
  assert.equal(session!.problems.length, 1)
  assert.match(session!.problems[0]!.message, /^message msg_2: part prt_d not imported: it.* nests deeper than 1000/)
  assert.equal(session!.title, null)
  assert.equal(session!.projectPath, '')
})

test('events are plain JSON a journal writer accepts', async () => {
  const all: PeerEvent[] = (await readAll([STORAGE])).flatMap(s => s.events)
  for (const e of all) assert.doesNotThrow(() => JSON.stringify(e))
  assert.ok(all.every(e => /^\d{4}-\d\d-\d\dT/.test(e.ts)))
})

test('importFrom(\'opencode\') on the storage tree: the revert cuts, the child has its parent, usage sums, problems reported', async t => {
  const journal = new Journal({ root: path.join(tempDir(t, 'sj-opencode-'), 'root'), fsync: 'never' })
  t.after(() => journal.close())
  const storage = storageCopy(t)
  fs.writeFileSync(path.join(storage, 'part', 'msg_9a1b2c3d2001Ab3Cd5Ef7Gh9Ij', 'prt_9a1b2c3d2003Ab3Cd5Ef7Gh9Ij.json'), '{"id": "prt_9a1')
  const result = await journal.importFrom('opencode', [storage])
  assert.deepEqual(result.imported.map(s => s.originId), [ROOT, CHILD])
  assert.equal(result.problems.length, 1)
  const root = await journal.read(result.imported[0]!.id)
  // msg_…7001 was reverted in OpenCode: the fold cuts it.
  assert.deepEqual(root.messages.map(m => m.id.slice(0, 14)), ['msg_9a1b2c3d10', 'msg_9a1b2c3d20', 'msg_9a1b2c3d30', 'msg_9a1b2c3d40', 'msg_9a1b2c3d50', 'msg_9a1b2c3d60'])
  assert.equal(root.info.title, 'Fix the forecast endpoint for cities with spaces')
  assert.equal(root.info.projectPath, '/home/dev/weather-app')
  assert.equal(root.info.share, null, 'OpenCode\'s share is not the journal\'s')
  assert.deepEqual([root.info.usage.events, root.info.usage.input], [4, 2400 + 3100 + 1800 + 20000])
  assert.deepEqual(root.info.meta.events.filter(e => e.type.startsWith('x.opencode.')).map(e => e.type), ['x.opencode.session', 'x.opencode.todo', 'x.opencode.share', 'x.opencode.revert'])
  const child = await journal.read(result.imported[1]!.id)
  assert.equal(child.info.parentId, root.info.id)
  const bad = await journal.importFrom('opencode', [writeDoc(t, '{"not": "opencode"}')])
  assert.deepEqual(bad.failed.map(f => f.code), ['ERR_INVALID_IMPORT'])
  assert.equal(bad.imported.length, 0)
})

test('a database with fewer columns (another 1.x schema) reads without problems; absent columns are left out', async t => {
  const dir = tempDir(t, 'sj-opencode-')
  const file = path.join(dir, 'opencode.db')
  const db = new Database(file)
  db.exec(`
    CREATE TABLE session (id TEXT PRIMARY KEY, project_id TEXT, parent_id TEXT, slug TEXT, directory TEXT, title TEXT, version TEXT, time_created INTEGER, time_updated INTEGER);
    CREATE TABLE message (id TEXT PRIMARY KEY, session_id TEXT, time_created INTEGER, time_updated INTEGER, data TEXT);
    CREATE TABLE part (id TEXT PRIMARY KEY, message_id TEXT, session_id TEXT, time_created INTEGER, time_updated INTEGER, data TEXT);`)
  db.prepare('INSERT INTO session VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?)').run('ses_1', 'global', 'calm-lake', '/home/dev/p', 'Old schema', '1.2.0', 1767225600000, 1767225601000)
  db.prepare('INSERT INTO message VALUES (?, ?, ?, ?, ?)').run('msg_1', 'ses_1', 1767225600500, 1767225600500, JSON.stringify({ role: 'user', time: { created: 1767225600500 } }))
  // A part's data carrying its own id is overruled by the row's.
  db.prepare('INSERT INTO part VALUES (?, ?, ?, ?, ?, ?)').run('prt_1', 'msg_1', 'ses_1', 1767225600600, 1767225600600, JSON.stringify({ id: 'prt_forged', type: 'text', text: 'hello' }))
  db.close()
  const [session] = await readAll([file])
  assert.deepEqual(session!.problems, [])
  assert.equal(session!.title, 'Old schema')
  assert.deepEqual(messages(session!).map(m => m.parts), [[{ id: 'prt_1', type: 'text', text: 'hello' }]])
  const info = ofType(session!, 'x.opencode.session')[0]!.data as Record<string, unknown>
  assert.deepEqual(Object.keys(info).sort(), ['projectID', 'slug', 'time', 'version'])
})

test('storage tree: a stray file where a folder belongs (a .DS_Store) is passed over, the sessions still read', async t => {
  const storage = storageCopy(t)
  fs.writeFileSync(path.join(storage, 'session', '.DS_Store'), 'Bud1')
  fs.writeFileSync(path.join(storage, 'message', '.DS_Store'), 'Bud1')
  fs.writeFileSync(path.join(storage, 'part', '.DS_Store'), 'Bud1')
  const sessions = await readAll([storage])
  const clean = await readAll([STORAGE])
  assert.deepEqual(sessions.map(s => s.origin.id), clean.map(s => s.origin.id))
  assert.deepEqual(sessions.map(s => s.events.map(e => e.body)), clean.map(s => s.events.map(e => e.body)))
  assert.deepEqual(sessions.map(s => s.problems), clean.map(s => s.problems))
})
