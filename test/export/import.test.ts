import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { Journal } from '../../lib/journal.js'
import { projectIdOf } from '../../lib/core/paths.js'
import { logLines } from '../helpers.js'
import { shareDocument } from '../../lib/share/document.js'
import type { OpenSession } from '../../lib/core/session.js'
import type { SessionInfo } from '../../lib/core/types.js'
import { journalIn, richSession } from '../sessions.js'

/** History of `id` without the fields an import to another place is allowed to change. */
async function history(journal: Journal, id: string) {
  const { info, messages, damage } = await journal.read(id)
  return { info, messages, damage }
}

/** What a copy of the (shared) rich session reads as: its share was the original's. */
async function copyOf(journal: Journal, id: string, info: Partial<SessionInfo> = {}) {
  const original = await history(journal, id)
  assert.notEqual(original.info.share, null, 'the rich session is shared')
  return { ...original, info: { ...original.info, share: null, ...info } }
}

test('export -> import -> read deep-equals, without events (re-expressed history)', async t => {
  const { journal, project } = journalIn(t)
  const id = await richSession(journal, project)
  const doc = await journal.export(id)
  const other = new Journal({ root: path.join(path.dirname(journal.root), 'root2'), fsync: 'never' })
  assert.equal(await other.import(doc), id)
  assert.deepEqual(await history(other, id), await copyOf(journal, id))
  const lines = logLines((await other.locate(id)).path)
  assert.equal(lines.at(-1)!.type, 'import')
  assert.equal(lines.at(-1)!.from, id)
  assert.deepEqual(lines.map(l => l.seq), lines.map((_, i) => i))
})

test('export -> import -> read deep-equals, with events (the same events again)', async t => {
  const { journal, project } = journalIn(t)
  const id = await richSession(journal, project)
  const doc = await journal.export(id, { events: true })
  const other = new Journal({ root: path.join(path.dirname(journal.root), 'root2'), fsync: 'never' })
  assert.equal(await other.import(JSON.parse(JSON.stringify(doc))), id)
  assert.deepEqual(await history(other, id), await copyOf(journal, id))
  const lines = logLines((await journal.locate(id)).path)
  // The same lines, then (the original being shared at its end) one closing `import`.
  assert.deepEqual(logLines((await other.locate(id)).path), [...lines, { seq: lines.length, ts: doc.info.updated, type: 'import', from: id }])
})

test('importing over an existing id is ERR_SESSION_EXISTS; newId gives a fresh or a chosen id', async t => {
  const { journal, project } = journalIn(t)
  const id = await richSession(journal, project)
  for (const events of [false, true]) {
    const doc = await journal.export(id, { events })
    await assert.rejects(journal.import(doc), { code: 'ERR_SESSION_EXISTS' })
    // Also when asked to go to another project: ids are unique across the root.
    await assert.rejects(journal.import(doc, { project: path.join(project, 'elsewhere') }), { code: 'ERR_SESSION_EXISTS' })
    const fresh = await journal.import(doc, { newId: true })
    assert.notEqual(fresh, id)
    assert.deepEqual(await history(journal, fresh), await copyOf(journal, id, { id: fresh }))
  }
  const chosen = '01ARZ3NDEKTSV4RRFFQ69G5FAV'
  assert.equal(await journal.import(await journal.export(id), { newId: chosen }), chosen)
  await assert.rejects(journal.import(await journal.export(id), { newId: chosen }), { code: 'ERR_SESSION_EXISTS' })
  await assert.rejects(journal.import(await journal.export(id), { newId: 'nope' }), { code: 'ERR_INVALID_ID' })
})

test('import into another project changes only the project fields', async t => {
  const { journal, project } = journalIn(t)
  const id = await richSession(journal, project)
  const target = path.join(project, 'moved')
  for (const events of [false, true]) {
    const copy = await journal.import(await journal.export(id, { events }), { project: target, newId: true })
    assert.deepEqual(await history(journal, copy), await copyOf(journal, id, { id: copy, projectPath: target, projectId: projectIdOf(target) }))
    assert.equal((await journal.locate(copy)).projectId, projectIdOf(target))
  }
})

test('an invalid document is ERR_INVALID_EXPORT naming the first bad path, and writes nothing', async t => {
  const { journal, project } = journalIn(t)
  const id = await richSession(journal, project)
  const doc = JSON.parse(JSON.stringify(await journal.export(id, { events: true })))
  doc.messages[2].parts = [{ id: 'x', type: 7 }]
  await assert.rejects(journal.import(doc, { newId: true }), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'ERR_INVALID_EXPORT')
    assert.match(error.message, /messages\[2\]\.parts\[0\]\.type must be a string/)
    return true
  })
  await assert.rejects(journal.import(null), { code: 'ERR_INVALID_EXPORT' })
  const mismatched = JSON.parse(JSON.stringify(await journal.export(id, { events: true })))
  mismatched.info.id = '01ARZ3NDEKTSV4RRFFQ69G5FAV'
  await assert.rejects(journal.import(mismatched), /events\[0\]\.id/)
  assert.equal((await journal.list()).length, 1)
})

test('an event the writer refuses takes the half-written import away again', async t => {
  const { journal, project } = journalIn(t)
  const small = new Journal({ root: journal.root, fsync: 'never', maxLineBytes: 4096 })
  const s = await journal.create({ project })
  await s.message({ role: 'user', parts: [{ type: 'text', text: 'short' }] })
  await s.message({ role: 'user', parts: [{ type: 'text', text: 'long'.repeat(2000) }] })
  await s.close()
  const doc = await journal.export(s.id)
  await assert.rejects(small.import(doc, { newId: true }), { code: 'ERR_EVENT_TOO_LARGE' })
  assert.deepEqual((await journal.list()).map(r => r.id), [s.id])
})

test('12 imports of one document into 12 projects at once: exactly one succeeds, the others get ERR_SESSION_EXISTS', async t => {
  const { journal, project } = journalIn(t)
  const id = await richSession(journal, project)
  const doc = await journal.export(id)
  const other = new Journal({ root: path.join(path.dirname(journal.root), 'root2'), fsync: 'never' })
  for (let round = 0; round < 3; round++) {
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => other.import(doc, { project: path.join(project, `p${i}`) })))
    assert.deepEqual(results.filter(r => r.status === 'fulfilled').map(r => r.value), [id])
    assert.deepEqual(results.filter(r => r.status === 'rejected').map(r => (r.reason as { code?: string }).code), Array(11).fill('ERR_SESSION_EXISTS'))
    assert.equal((await other.list()).length, 1)
    await other.delete(id)
  }
})

test('a root written before claims (logs without one): the id is still found and still unique; the claim comes back', async t => {
  const { journal, project, root } = journalIn(t)
  const id = await richSession(journal, project)
  fs.rmSync(path.join(root, 'ids'), { recursive: true })
  assert.equal((await journal.locate(id)).projectId, projectIdOf(project))
  await assert.rejects(journal.import(await journal.export(id), { project: path.join(project, 'elsewhere') }), { code: 'ERR_SESSION_EXISTS' })
  assert.equal(fs.readFileSync(path.join(root, 'ids', id), 'utf8'), `${projectIdOf(project)}\n`, 'the walk\'s answer became the claim')
})

test('a copy of a shared session is not shared: it keeps the share events as history; the original stays shared', async t => {
  const { journal, project } = journalIn(t)
  const id = await richSession(journal, project)
  const original = await journal.read(id)
  for (const events of [false, true]) {
    const copy = await journal.import(await journal.export(id, { events }), { newId: true })
    assert.equal((await journal.read(copy)).info.share, null)
    assert.deepEqual((await journal.list()).filter(r => r.id === copy).map(r => r.shared), [false])
    const lines = logLines((await journal.locate(copy)).path)
    assert.ok(lines.some(l => l.type === 'share' && l.url === original.info.share!.url), 'the share is kept as history')
    assert.equal(lines.at(-1)!.type, 'import')
    assert.equal(await journal.unshare(copy), false, 'nothing to take down: the copy was never published')
  }
  assert.deepEqual((await journal.read(id)).info.share, original.info.share)
  assert.equal((await journal.list()).find(r => r.id === id)!.shared, true)
})

test('a raw log that is not shared at its end imports as exactly its lines', async t => {
  const { journal, project } = journalIn(t)
  const s = await journal.create({ project })
  await s.message({ role: 'user', parts: [{ type: 'text', text: 'hi' }] })
  await (s as OpenSession).record({ type: 'share', url: 'https://s/1', shareId: '1' })
  await (s as OpenSession).record({ type: 'unshare' })
  await s.close()
  const other = new Journal({ root: path.join(path.dirname(journal.root), 'root2'), fsync: 'never' })
  await other.import(await journal.export(s.id, { events: true }))
  assert.deepEqual(logLines((await other.locate(s.id)).path), logLines(s.path))
})

test('a share document (what GET /api/share/:id returns: the folder\'s name only) imports with an absolute project path', async t => {
  const { journal, project } = journalIn(t)
  const id = await richSession(journal, project)
  const { info, messages } = await journal.read(id)
  const doc = JSON.parse(JSON.stringify(shareDocument(info, messages)))
  assert.equal(doc.info.projectPath, path.basename(project))
  const other = new Journal({ root: path.join(path.dirname(journal.root), 'root2'), fsync: 'never' })
  const copy = await other.import(doc)
  const resolved = path.resolve(path.basename(project)) // against the current folder
  const imported = (await other.read(copy)).info
  assert.deepEqual([imported.projectPath, imported.projectId, imported.share], [resolved, projectIdOf(resolved), null])
  assert.equal((await other.locate(copy)).projectId, projectIdOf(resolved))
  const placed = await other.import(doc, { newId: true, project: path.join(project, 'here') })
  assert.equal((await other.read(placed)).info.projectPath, path.join(project, 'here'))
  assert.deepEqual((await other.read(placed)).messages, messages)
})
