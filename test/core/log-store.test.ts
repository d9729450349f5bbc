import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { logLines, rejectsWith, tempDir, treeOf } from '../helpers.js'
import { LogStore, type LogStoreSettings } from '../../lib/core/log-store.js'
import type { SessionOrigin } from '../../lib/core/ports.js'
import type { OpenSession } from '../../lib/core/session.js'
import { newId } from '../../lib/core/ids.js'
import { nodeIO } from '../../lib/core/writer-io.js'

function storeAt(root: string, settings: Partial<LogStoreSettings> = {}): LogStore {
  return new LogStore({ root, fsync: 'never', batchMs: 50, maxLineBytes: 1024 * 1024, lockStaleMs: 10_000, lockWaitMs: 0, io: nodeIO, ...settings })
}

function setup(t: TestContext, settings: Partial<LogStoreSettings> = {}) {
  const dir = tempDir(t)
  const root = path.join(dir, 'root')
  return { dir, root, project: path.join(dir, 'work'), store: storeAt(root, settings) }
}

/** Collects the process warnings emitted while `fn` runs (they are emitted on the next tick). */
async function warningsDuring(fn: () => Promise<void>): Promise<Error[]> {
  const seen: Error[] = []
  const listener = (warning: Error) => seen.push(warning)
  process.on('warning', listener)
  try {
    await fn()
    await new Promise(resolve => setImmediate(resolve))
  } finally {
    process.off('warning', listener)
  }
  return seen
}

test('onSessionOpened: listeners hear create and resume, in order, before the host gets the session', async t => {
  const { store, project } = setup(t)
  const heard: Array<{ listener: string, session: OpenSession, origin: SessionOrigin, returned: boolean }> = []
  let returned = false
  store.onSessionOpened(async (session, origin) => {
    heard.push({ listener: 'a', session, origin, returned })
    await session.append('x.plugin.opened', { created: origin.created }) // a plug-in may write before the host
  })
  store.onSessionOpened(async (session, origin) => { heard.push({ listener: 'b', session, origin, returned }) })

  const parentId = newId()
  const created = await store.create({ project, parentId })
  returned = true
  assert.deepEqual(heard.map(h => [h.listener, h.origin, h.returned]), [
    ['a', { created: true, parentId }, false],
    ['b', { created: true, parentId }, false],
  ])
  assert.equal(heard[0]!.session, created, 'the very session the host gets')
  await created.title('host')
  await created.close()

  heard.length = 0
  returned = false
  const resumed = await store.resume(created.id)
  returned = true
  assert.deepEqual(heard.map(h => [h.listener, h.origin, h.returned]), [
    ['a', { created: false, parentId: null }, false],
    ['b', { created: false, parentId: null }, false],
  ])
  assert.equal(heard[0]!.session, resumed)
  await resumed.close()
  assert.deepEqual(logLines(created.path).map(e => e.type), ['session', 'x.plugin.opened', 'title', 'x.plugin.opened'])
})

test('onSessionOpened: a listener that fails stops neither create nor resume nor the next listener; it is a process warning', async t => {
  const { store, project } = setup(t)
  const after: boolean[] = []
  store.onSessionOpened(async () => { throw new Error('plug-in bug') })
  store.onSessionOpened(async opened => { after.push(!opened.closed) })
  let session: OpenSession | undefined
  const onCreate = await warningsDuring(async () => { session = await store.create({ project }) })
  assert.ok(session && !session.closed)
  await session.title('still writable')
  await session.close()
  let resumed: OpenSession | undefined
  const onResume = await warningsDuring(async () => { resumed = await store.resume(session!.id) })
  assert.ok(resumed && !resumed.closed)
  await resumed.close()
  assert.deepEqual(after, [true, true])
  for (const warnings of [onCreate, onResume]) {
    const ours = warnings.filter(w => (w as NodeJS.ErrnoException).code === 'SESSION_JOURNAL_PLUGIN_FAILED')
    assert.equal(ours.length, 1, warnings.map(String).join('; '))
    assert.match(ours[0]!.message, /plug-in bug/)
    assert.ok(ours[0]!.message.includes(session.id))
  }
  assert.deepEqual(logLines(session.path).map(e => e.type), ['session', 'title'])
})

test('withWriter: reuses a session this store holds open (no ERR_SESSION_LOCKED) and leaves it open', async t => {
  const { store, project } = setup(t)
  const held = await store.create({ project })
  const result = await store.withWriter(held.id, async w => {
    assert.equal(w, held)
    await w.append('x.plugin.note')
    return 42
  })
  assert.equal(result, 42)
  assert.equal(held.closed, false)
  await held.title('host goes on')
  await held.close()
  assert.deepEqual(logLines(held.path).map(e => e.type), ['session', 'x.plugin.note', 'title'])
})

test('withWriter: without a held session it resumes and closes again, also when fn throws', async t => {
  const { store, root, project } = setup(t)
  const s = await store.create({ project })
  await s.close()
  let writer: OpenSession | undefined
  await store.withWriter(s.id, async w => {
    writer = w
    assert.notEqual(w, s)
    assert.equal(fs.existsSync(`${s.path}.lock`), true)
    await w.append('x.plugin.one')
  })
  assert.equal(writer!.closed, true)
  assert.equal(fs.existsSync(`${s.path}.lock`), false)
  await assert.rejects(store.withWriter(s.id, async w => { writer = w; throw new Error('boom') }), /boom/)
  assert.equal(writer!.closed, true)
  assert.equal(fs.existsSync(`${s.path}.lock`), false)
  // A session held by another store (another process, as far as the lock knows) is not reused.
  const other = storeAt(root)
  const heldElsewhere = await other.resume(s.id)
  await rejectsWith(store.withWriter(s.id, async () => {}), 'ERR_SESSION_LOCKED')
  await heldElsewhere.close()
  assert.deepEqual(logLines(s.path).map(e => e.type), ['session', 'x.plugin.one'])
})

test('assertNotHeld: ERR_SESSION_LOCKED while held, resolves once closed, and changes nothing', async t => {
  const { store, project, dir } = setup(t)
  const s = await store.create({ project })
  const before = treeOf(dir)
  await rejectsWith(store.assertNotHeld(s.id), 'ERR_SESSION_LOCKED')
  assert.deepEqual(treeOf(dir), before)
  await s.close()
  const closed = treeOf(dir)
  await store.assertNotHeld(s.id)
  assert.deepEqual(treeOf(dir), closed, 'its lock is let go again')
  await rejectsWith(store.assertNotHeld(newId()), 'ERR_SESSION_NOT_FOUND')
  await rejectsWith(store.assertNotHeld('../x'), 'ERR_INVALID_ID')
})

test('delete: removes the log and its own torn side files, never another session\'s', async t => {
  const { store, project } = setup(t)
  const made: OpenSession[] = []
  for (let i = 0; i < 2; i++) {
    const s = await store.create({ project })
    await s.close()
    fs.appendFileSync(s.path, `{"seq":1,"torn ${i}`)
    await (await store.resume(s.id)).close() // sets the torn tail aside, as a writer does
    fs.appendFileSync(s.path, `{"seq":9,"torn again ${i}`)
    await (await store.resume(s.id)).close()
    made.push(s)
  }
  const [a, b] = made as [OpenSession, OpenSession]
  const sessions = path.dirname(a.path)
  const names = () => fs.readdirSync(sessions).sort()
  const tornOf = (s: OpenSession) => names().filter(n => n.startsWith(`${path.basename(s.path)}.torn-`))
  assert.equal(tornOf(a).length, 2)
  assert.equal(tornOf(b).length, 2)
  const bBytes = fs.readFileSync(b.path)

  const held = await store.resume(a.id)
  await rejectsWith(store.delete(a.id), 'ERR_SESSION_LOCKED')
  assert.equal(tornOf(a).length, 2, 'refused while held: nothing removed')
  await held.close()

  const expected = names().filter(n => !n.startsWith(path.basename(a.path)))
  await store.delete(a.id)
  assert.deepEqual(names(), expected)
  assert.deepEqual(fs.readFileSync(b.path), bBytes)
  assert.equal(fs.existsSync(path.join(path.dirname(sessions), 'project.json')), true)
  await rejectsWith(store.locate(a.id), 'ERR_SESSION_NOT_FOUND')
  await rejectsWith(store.readHistory(a.id), 'ERR_SESSION_NOT_FOUND')
})

test('readHistory and historyReader honour the store\'s maxLineBytes: a longer line is line-too-long and left out', async t => {
  const { root, project } = setup(t)
  const wide = storeAt(root, { maxLineBytes: 64 * 1024 })
  const s = await wide.create({ project })
  await s.message({ id: 'short', role: 'user', parts: [{ type: 'text', text: 'hi' }] })
  await s.message({ id: 'long', role: 'assistant', parts: [{ type: 'text', text: 'x'.repeat(8000) }] })
  await s.message({ id: 'after', role: 'user', parts: [{ type: 'text', text: 'still read' }] })
  await s.close()
  const longLine = fs.readFileSync(s.path, 'utf8').split('\n')[2]!
  const offset = fs.readFileSync(s.path, 'utf8').indexOf(longLine)

  assert.deepEqual((await wide.readHistory(s.id)).messages.map(m => m.id), ['short', 'long', 'after'])
  const narrow = storeAt(root, { maxLineBytes: 4096 })
  for (const history of [await narrow.readHistory(s.id), await narrow.historyReader(s).read()]) {
    assert.deepEqual(history.messages.map(m => m.id), ['short', 'after'])
    assert.deepEqual(history.damage.map(d => [d.kind, d.line, d.offset]), [
      ['line-too-long', 3, offset],
      ['seq-gap', 4, offset + Buffer.byteLength(longLine) + 1], // the skipped line's seq is missing after it
    ])
    assert.equal(history.damage[0]!.length, Buffer.byteLength(longLine))
  }
  await rejectsWith(narrow.readHistory(s.id, { strict: true }), 'ERR_CORRUPT_LOG')
})
