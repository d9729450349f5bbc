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

test('the fingerprint of a session changes when the conversation grows, and only that session\'s', async () => {
  const before = await opencodePeer.discover([home.data])
  await home.ok(['run', '--session', rootId, 'One more question'])
  const after = await opencodePeer.discover([home.data])
  assert.notEqual(after[0]!.fingerprint, before[0]!.fingerprint)
  assert.equal(after[1]!.fingerprint, before[1]!.fingerprint)
  const [root] = await opencodePeer.read(after[0]!)
  assert.equal(bodies(root!, 'message').length, 8)
})
