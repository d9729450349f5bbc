import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { Journal } from '../../lib/journal.js'
import { projectIdOf } from '../../lib/core/paths.js'
import { logLines } from '../helpers.js'
import { journalIn, richSession } from '../sessions.js'

/** History of `id` without the fields an import to another place is allowed to change. */
async function history(journal: Journal, id: string) {
  const { info, messages, damage } = await journal.read(id)
  return { info, messages, damage }
}

test('export -> import -> read deep-equals, without events (re-expressed history)', async t => {
  const { journal, project } = journalIn(t)
  const id = await richSession(journal, project)
  const doc = await journal.export(id)
  const other = new Journal({ root: path.join(path.dirname(journal.root), 'root2'), fsync: 'never' })
  assert.equal(await other.import(doc), id)
  assert.deepEqual(await history(other, id), await history(journal, id))
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
  assert.deepEqual(await history(other, id), await history(journal, id))
  assert.deepEqual(logLines((await other.locate(id)).path), logLines((await journal.locate(id)).path))
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
    const original = await history(journal, id)
    const copy = await history(journal, fresh)
    assert.deepEqual(copy, { ...original, info: { ...original.info, id: fresh } })
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
    const original = await history(journal, id)
    const moved = await history(journal, copy)
    assert.deepEqual(moved, { ...original, info: { ...original.info, id: copy, projectPath: target, projectId: projectIdOf(target) } })
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
