/**
 * The write side of a catch-up: on a worker thread (a large catch-up, forced here on small
 * logs) it leaves the same index as on the search's own connection; and a write read from a
 * state of the log's row that is no longer the row's is refused, changing nothing.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { LogStore } from '../../lib/core/log-store.js'
import { nodeIO } from '../../lib/core/writer-io.js'
import { Search } from '../../lib/search/search.js'
import { applyBatch, type LogWrite } from '../../lib/search/writes.js'
import { assertIndexedAsFolded, openIndex, setup } from './helpers.js'

const storeOf = (root: string) => new LogStore({ root, fsync: 'never', batchMs: 0, maxLineBytes: 1 << 20, lockStaleMs: 10_000, lockWaitMs: 0, io: nodeIO })

test('written on a worker thread, the index is the fold, first build and catch-up alike', async t => {
  const { j, dir, root } = setup(t)
  const search = new Search(storeOf(root), { workerBytes: 0 })
  const ids: string[] = []
  for (let i = 0; i < 5; i++) {
    const s = await j.create({ project: path.join(dir, `p${i % 2}`), title: `title ${i}` })
    await s.message({ id: 'u', role: 'user', parts: [{ type: 'text', text: `question ${i}` }] })
    await s.message({ id: 'a', role: 'assistant', parts: [] })
    for (let u = 1; u <= 20; u++) await s.part('a', { id: 'x', type: 'text', text: `answer ${i} `.repeat(u) })
    await s.close()
    ids.push(s.id)
  }
  assert.equal((await search.search('answer')).length, 5)
  for (const id of ids) await assertIndexedAsFolded(root, j, id)

  const s = await j.resume(ids[2]!)
  await s.part('a', { id: 'y', type: 'tool', tool: 'grep', state: { status: 'completed', output: 'found it' } })
  await s.message({ id: 'b', role: 'user', parts: [{ type: 'text', text: 'later' }] })
  await s.revert('a')
  await s.title('renamed')
  await s.close()
  await j.delete(ids[4]!)
  assert.deepEqual((await search.search('later')).map(h => h.sessionId), [])
  assert.deepEqual((await search.search('renamed')).map(h => h.sessionId), [ids[2]])
  for (const id of ids.slice(0, 4)) await assertIndexedAsFolded(root, j, id)
  assert.equal((await search.search('answer')).length, 3)
})

test('a write read from another state of the log than the index has now is refused, and changes nothing', async t => {
  const { j, dir, root } = setup(t)
  const s = await j.create({ project: path.join(dir, 'p'), title: 't' })
  await s.message({ role: 'user', parts: [{ type: 'text', text: 'original' }] })
  await s.close()
  await j.search('original')
  const db = openIndex(root, { readonly: false })
  t.after(() => db.close())
  const row = db.prepare('SELECT * FROM logs WHERE session = ?').get(s.id) as Record<string, number | string | null>
  const state = () => JSON.stringify([db.prepare('SELECT * FROM logs').all(), db.prepare('SELECT * FROM docs').all(), db.prepare('SELECT rowid, * FROM fts').all()])
  const before = state()
  const write = (from: LogWrite['from'], fresh: boolean): LogWrite => ({
    kind: 'log', from, fresh, revertedFrom: null, title: { text: 'forged', ts: new Date().toISOString() },
    row: { project: s.projectId, session: s.id, project_path: '', ino: row.ino as number, born: row.born as number, size: 9e9, offset: 9e9, lines: 1, last_seq: 0, header: 1, title: 'forged', next_pos: 9 },
    messages: [{ doc: null, id: 'forged', position: 8, role: 'user', created: new Date().toISOString(), reverted: false, spans: '[]', text: 'forged words' }],
  })
  const { ino, born, offset } = row as { ino: number, born: number, offset: number }
  assert.deepEqual(applyBatch(db, [
    write({ ino, born, offset: offset - 1 }, false), // another catch-up moved the row on
    write({ ino: ino + 1, born, offset }, true), // read as another file
    write(null, true), // read as a log new to the index, which it no longer is
  ], null), [0, 1, 2])
  assert.equal(state(), before)
  assert.deepEqual(await j.search('forged'), [])
  assert.equal((await j.search('original')).length, 1)
})
