/**
 * The OpenCode peer on files the real binary wrote (opencode-ai, pinned): a conversation
 * recorded against the scripted model (a bash call with reasoning, then a subagent task),
 * read from its 1.18 `opencode.db` and from `opencode export` documents. Never skipped:
 * without the binary the suite fails and says to run `npm ci`.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, test } from 'node:test'
import Database from 'better-sqlite3'
import { Journal } from '../../lib/journal.js'
import { opencodePeer } from '../../lib/import/opencode.js'
import type { PeerSession } from '../../lib/import/peer.js'
import { openCodeHome, recordConversation, type OpenCodeHome } from './opencode-run.js'

let home: OpenCodeHome
let rootId: string
let childId: string
let exportFile: string
let childExportFile: string

before(async () => {
  home = await openCodeHome(fs.mkdtempSync(path.join(os.tmpdir(), 'sj-opencode-real-')))
  rootId = await recordConversation(home)
  const db = new Database(path.join(home.data, 'opencode.db'), { readonly: true })
  childId = (db.prepare('SELECT id FROM session WHERE parent_id = ?').get(rootId) as { id: string }).id
  db.close()
  exportFile = path.join(home.dir, 'root.json')
  fs.writeFileSync(exportFile, await home.ok(['export', rootId]))
  childExportFile = path.join(home.dir, 'child.json')
  fs.writeFileSync(childExportFile, await home.ok(['export', childId]))
})

after(async () => {
  await home?.close()
  if (home) fs.rmSync(home.dir, { recursive: true, force: true })
})

async function readAll(paths: string[]): Promise<PeerSession[]> {
  const sessions: PeerSession[] = []
  for (const unit of await opencodePeer.discover(paths)) sessions.push(...await opencodePeer.read(unit))
  return sessions
}
const bodies = (s: PeerSession, type: string) => s.events.filter(e => e.body.type === type).map(e => e.body as Record<string, any>)

test('opencode.db: one unit per session, the parent first; the recorded conversation, its tools, its child', async () => {
  const units = await opencodePeer.discover([home.data])
  assert.deepEqual(units.map(u => u.key), [rootId, childId])
  assert.ok(units.every(u => u.path === path.join(home.data, 'opencode.db')))
  const [root, child] = await readAll([home.data])
  assert.deepEqual(root!.problems, [])
  assert.equal(root!.origin.version, '1.18.33')
  assert.equal(root!.title, 'Greeting the scripted model')
  assert.equal(fs.realpathSync(root!.projectPath), fs.realpathSync(home.project))
  const messages = bodies(root!, 'message')
  assert.deepEqual(messages.map(m => m.role), ['user', 'assistant', 'assistant', 'user', 'assistant', 'assistant'])
  assert.match(messages[0]!.parts[0].text, /\[\[bash\]\]/)
  const tools = messages.flatMap(m => m.parts).filter((p: any) => p.type === 'tool')
  assert.deepEqual(tools.map((p: any) => [p.tool, p.state.status]), [['bash', 'completed'], ['task', 'completed']])
  assert.deepEqual(tools[0].state.input, { command: 'echo scripted-output', description: 'Print a scripted line' })
  assert.equal(tools[0].state.output, 'scripted-output\n')
  assert.equal(tools[1].state.metadata.sessionId, childId)
  assert.deepEqual(messages[1]!.parts.map((p: any) => p.type), ['step-start', 'reasoning', 'tool', 'step-finish'])
  assert.equal(child!.parentOriginId, rootId)
  assert.equal(child!.title, 'Look around (@general subagent)')
  assert.deepEqual(bodies(child!, 'message').map(m => m.role), ['user', 'assistant'])
})

test('opencode.db: usage per step-finish sums to what the scripted model reported, and to the session\'s own cost', async () => {
  const [root, child] = await readAll([home.data])
  const usage = bodies(root!, 'usage')
  assert.equal(usage.length, 4)
  const sum = (field: string) => usage.reduce((n, u) => n + (u[field] ?? 0), 0)
  // Prompt tokens minus cached ones, as OpenCode counts input; output with reasoning inside.
  assert.deepEqual([sum('input'), sum('output'), sum('reasoning'), sum('cacheRead')], [1000 + 500 + 1300 + 500, 30 + 9 + 25 + 9, 12, 200 + 1000 + 1000])
  const session = bodies(root!, 'x.opencode.session')[0]!.data
  assert.equal(Math.round(sum('cost') * 1e9), Math.round(session.cost * 1e9))
  assert.ok(usage.every(u => u.model === 'scripted-1' && u.provider === 'mock'))
  assert.deepEqual(bodies(child!, 'usage').map(u => [u.input, u.output]), [[900, 12]])
})

test('an export document reads the same as the database it came from', async () => {
  const [fromDb] = await readAll([home.data])
  const [fromExport] = await readAll([exportFile])
  const [childFromExport] = await readAll([childExportFile])
  assert.equal(fromExport!.origin.path, exportFile)
  assert.deepEqual(fromExport!.events, fromDb!.events)
  assert.deepEqual({ ...fromExport!, origin: null, events: null }, { ...fromDb!, origin: null, events: null })
  assert.equal(childFromExport!.parentOriginId, rootId)
})

test('the database is opened read-only: its bytes do not change', async () => {
  const files = fs.readdirSync(home.data).filter(name => name.startsWith('opencode.db'))
  const digest = () => files.map(name => createHash('sha256').update(fs.readFileSync(path.join(home.data, name))).digest('hex'))
  const before = digest()
  await readAll([home.data])
  assert.deepEqual(digest(), before)
})

test('a damaged row is a problem naming the database; the rest of the session is imported', async () => {
  const copy = path.join(home.dir, 'damaged')
  fs.mkdirSync(copy)
  const src = new Database(path.join(home.data, 'opencode.db'), { readonly: true })
  await src.backup(path.join(copy, 'opencode.db'))
  src.close()
  const db = new Database(path.join(copy, 'opencode.db'))
  const part = db.prepare(`SELECT id FROM part WHERE session_id = ? AND data LIKE '%"reasoning"%'`).get(rootId) as { id: string }
  db.prepare('UPDATE part SET data = ? WHERE id = ?').run('{"type": "reasoning", "te', part.id)
  db.prepare('UPDATE session SET revert = ? WHERE id = ?').run('{not json', rootId)
  db.close()
  const [root] = await readAll([copy])
  assert.deepEqual(root!.problems.map(p => p.path), [path.join(copy, 'opencode.db'), path.join(copy, 'opencode.db')])
  assert.match(root!.problems.map(p => p.message).join('\n'), new RegExp(`part ${part.id}`))
  assert.equal(bodies(root!, 'message').flatMap(m => m.parts).filter((p: any) => p.type === 'reasoning').length, 0)
  assert.equal(bodies(root!, 'message').length, 6)
})

test('importFrom(\'opencode\'): the default data folder, the child linked to its parent, usage counted; again: nothing written; grown: only the new messages', async t => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sj-opencode-journal-'))
  t.after(() => fs.rmSync(root, { recursive: true, force: true }))
  const journal = new Journal({ root, fsync: 'never' })
  const first = await journal.importFrom('opencode', undefined, { home: '/nonexistent', env: { XDG_DATA_HOME: path.dirname(home.data) } })
  assert.deepEqual(first.failed, [])
  assert.deepEqual(first.imported.map(s => s.originId), [rootId, childId])
  const [rootCopy, childCopy] = first.imported
  const copy = await journal.read(rootCopy!.id)
  assert.equal(copy.info.title, 'Greeting the scripted model')
  assert.equal(copy.messages.length, 6)
  assert.equal(copy.info.usage.events, 4)
  assert.deepEqual([copy.info.usage.input, copy.info.usage.output, copy.info.usage.cacheRead], [3300, 73, 2200])
  assert.equal((await journal.read(childCopy!.id)).info.parentId, rootCopy!.id)
  const sizes = async () => Promise.all(first.imported.map(async s => fs.statSync((await journal.locate(s.id)).path).size))
  const before = await sizes()
  const again = await journal.importFrom('opencode', [home.data])
  assert.deepEqual([again.imported.length, again.updated.length, again.skipped.length], [0, 0, 2])
  assert.deepEqual(await sizes(), before, 'nothing written')

  // The conversation grows in OpenCode: only that session's fingerprint moves, only its new messages are appended.
  const unitsBefore = await opencodePeer.discover([home.data])
  await home.ok(['run', '--session', rootId, 'One more question'])
  const unitsAfter = await opencodePeer.discover([home.data])
  assert.notEqual(unitsAfter[0]!.fingerprint, unitsBefore[0]!.fingerprint)
  assert.equal(unitsAfter[1]!.fingerprint, unitsBefore[1]!.fingerprint)
  const grown = await journal.importFrom('opencode', [home.data])
  assert.deepEqual(grown.updated.map(s => s.id), [rootCopy!.id])
  assert.deepEqual(grown.skipped.map(s => s.id), [childCopy!.id])
  const now = await journal.read(rootCopy!.id)
  assert.equal(now.messages.length, 8)
  assert.deepEqual(now.messages.slice(0, 6), copy.messages)
  assert.equal(now.info.usage.events, 5)
  await journal.close()
})

test('an imported OpenCode session exports back to OpenCode with its own ids and messages', async t => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sj-opencode-journal-'))
  t.after(() => fs.rmSync(root, { recursive: true, force: true }))
  const journal = new Journal({ root, fsync: 'never' })
  const { imported } = await journal.importFrom('opencode', [exportFile])
  const doc = await journal.exportOpenCode(imported[0]!.id)
  const original = JSON.parse(fs.readFileSync(exportFile, 'utf8')) as { info: Record<string, unknown>, messages: unknown[] }
  assert.equal(doc.info.id, rootId)
  assert.deepEqual([doc.info.slug, doc.info.projectID, doc.info.version], [original.info.slug, original.info.projectID, original.info.version])
  assert.deepEqual(doc.messages, original.messages)
  await journal.close()
})
