/**
 * The index is a cache of the logs: brought up to date at search time from the bytes appended
 * since (counted here, not timed), a streamed part written once, deleted, imported, replaced
 * and new sessions seen at once, and a deleted, damaged or foreign index file rebuilt.
 */
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { Journal } from '../../lib/index.js'
import { openIndex, setup } from './helpers.js'
import { countFileHandleReads } from '../helpers.js'

/** Counts the statements that write FTS rows, through the prototype every statement shares. */
function countFtsWrites(t: TestContext): () => number {
  const probe = new Database(':memory:')
  const proto = Object.getPrototypeOf(probe.prepare('SELECT 1')) as { run: (...args: unknown[]) => unknown, source: string }
  probe.close()
  const original = proto.run
  let writes = 0
  proto.run = function (this: { source: string }, ...args: unknown[]) {
    if (/^\s*(INSERT INTO fts \(rowid|UPDATE fts)/.test(this.source)) writes++
    return original.apply(this, args)
  }
  t.after(() => { proto.run = original })
  return () => writes
}

test('a part streamed 500 times is one FTS write per catch-up, with its final text only', async t => {
  const { j, dir } = setup(t)
  const s = await j.create({ project: path.join(dir, 'p'), title: 't' })
  await j.search('anything') // the index exists before the stream
  const writes = countFtsWrites(t)
  const reply = await s.message({ role: 'assistant', parts: [] })
  for (let i = 1; i <= 500; i++) await s.part(reply, { id: 'answer', type: 'text', text: `streaming version${i}` })
  assert.deepEqual((await j.search('version500')).map(h => h.messageId), [reply])
  assert.equal(writes(), 1)
  assert.deepEqual(await j.search('version499'), [])

  // Already indexed: 500 more updates (and another part) are one update of its row.
  for (let i = 501; i <= 1000; i++) await s.part(reply, { id: 'answer', type: 'text', text: `streaming version${i}` })
  await s.part(reply, { id: 'tool', type: 'tool', tool: 'bash', state: { status: 'completed', output: 'toolword' } })
  await s.close()
  assert.deepEqual((await j.search('version1000 toolword')).map(h => h.messageId), [reply])
  assert.equal(writes(), 2)
  assert.deepEqual(await j.search('version700'), [])
})

test('after appending 1 MB the next search reads exactly those bytes; with nothing new it reads none', async t => {
  const { j, dir } = setup(t)
  const sessions = []
  for (let i = 0; i < 6; i++) {
    const s = await j.create({ project: path.join(dir, `p${i % 2}`), title: `s${i}` })
    await s.message({ role: 'user', parts: [{ type: 'text', text: `hello ${'filler '.repeat(300)}` }] })
    await s.close()
    sessions.push(s)
  }
  const total = sessions.reduce((n, s) => n + fs.statSync(s.path).size, 0)
  const read = await countFileHandleReads(t, sessions[0]!.path)
  assert.equal((await j.search('hello')).length, 6)
  assert.equal(read(), total, 'the first search reads every log once')
  assert.equal((await j.search('hello')).length, 6)
  assert.equal(read(), total, 'a warm search reads no log byte')

  const s = await j.resume(sessions[3]!.id)
  const before = fs.statSync(s.path).size
  const reply = await s.message({ role: 'assistant', parts: [] })
  for (let i = 0; fs.statSync(s.path).size - before < 1 << 20; i++) await s.part(reply, { id: 'a', type: 'text', text: `appended ${'x'.repeat(4000)} n${i}` })
  await s.close()
  const appended = fs.statSync(s.path).size - before
  assert.ok(appended >= 1 << 20)
  const start = read() // resume() read the log's head and tail: not the search's
  assert.deepEqual((await j.search('appended')).map(h => h.sessionId), [s.id])
  assert.equal(read() - start, appended)
})

test('a deleted session is gone from the next search; imported, new and replaced ones are found', async t => {
  const { j, dir, root } = setup(t)
  const a = await j.create({ project: path.join(dir, 'p'), title: 'a' })
  await a.message({ role: 'user', parts: [{ type: 'text', text: 'keep apple' }] })
  await a.close()
  const b = await j.create({ project: path.join(dir, 'p'), title: 'b' })
  await b.message({ role: 'user', parts: [{ type: 'text', text: 'drop apple' }] })
  await b.close()
  assert.equal((await j.search('apple')).length, 2)

  await j.delete(b.id)
  assert.deepEqual((await j.search('apple')).map(h => h.sessionId), [a.id])

  const imported = await j.import(await j.export(a.id), { project: path.join(dir, 'elsewhere'), newId: true })
  assert.deepEqual((await j.search('apple')).map(h => h.sessionId).sort(), [a.id, imported].sort())

  const fresh = await new Journal({ root }).create({ project: path.join(dir, 'new project'), title: 'late' })
  await fresh.message({ role: 'user', parts: [{ type: 'text', text: 'apple pie' }] })
  await fresh.close()
  assert.equal((await j.search('apple')).length, 3)

  // The same log name, another file (as if deleted and written again): indexed anew, the old words gone.
  const other = await j.create({ project: path.join(dir, 'q'), title: 'x' })
  await other.message({ role: 'user', parts: [{ type: 'text', text: 'pear' }] })
  await other.close()
  const text = fs.readFileSync(other.path, 'utf8').replace('"pear"', '"plum"')
  fs.rmSync(other.path)
  fs.writeFileSync(other.path, text, { mode: 0o600 })
  assert.deepEqual(await j.search('apple pie -pie'), [])
  assert.deepEqual(await j.search('pear'), [])
  assert.deepEqual((await j.search('plum')).map(h => h.sessionId), [other.id])
})

test('the index: 0600 files in a 0700 folder; deleted, it is rebuilt by the next search', async t => {
  const { j, dir, root } = setup(t)
  const s = await j.create({ project: path.join(dir, 'p'), title: 't' })
  await s.message({ role: 'user', parts: [{ type: 'text', text: 'durable' }] })
  await s.close()
  const old = process.umask(0)
  t.after(() => process.umask(old))
  assert.equal((await j.search('durable')).length, 1)
  const folder = path.join(root, 'search')
  assert.equal(fs.statSync(folder).mode & 0o777, 0o700)
  for (const name of fs.readdirSync(folder)) assert.equal(fs.statSync(path.join(folder, name)).mode & 0o777, 0o600, name)
  assert.ok(fs.readdirSync(folder).includes('index.sqlite-wal'))

  fs.rmSync(folder, { recursive: true })
  assert.equal((await j.search('durable')).length, 1) // the same journal notices
  assert.ok(fs.existsSync(path.join(folder, 'index.sqlite')))
})

/** A root with one session, searched once, the index checkpointed and closed: ready to be tampered with. */
async function indexed(t: TestContext) {
  const { j, dir, root } = setup(t)
  const s = await j.create({ project: path.join(dir, 'p'), title: 't' })
  await s.message({ role: 'user', parts: [{ type: 'text', text: 'genuine words' }] })
  await s.close()
  assert.equal((await j.search('genuine')).length, 1)
  const db = openIndex(root, { readonly: false })
  db.pragma('wal_checkpoint(TRUNCATE)')
  db.close()
  return { root, file: path.join(root, 'search', 'index.sqlite') }
}

test('a damaged or foreign index file is rebuilt, never trusted', async t => {
  const plant = (root: string, fn: (db: Database.Database) => void) => {
    const db = openIndex(root, { readonly: false })
    db.prepare("UPDATE fts SET text = 'planted words' WHERE text LIKE 'genuine%'").run()
    fn(db)
    db.pragma('wal_checkpoint(TRUNCATE)')
    db.close()
  }
  const cases: Array<[string, (root: string, file: string) => void]> = [
    ['not a database', (_, file) => fs.writeFileSync(file, 'this is not SQLite\n'.repeat(100))],
    ['pages overwritten', (_, file) => {
      const bytes = fs.readFileSync(file)
      bytes.fill(0x5a, 4096) // everything after the first page
      fs.writeFileSync(file, bytes)
    }],
    ['truncated', (_, file) => fs.truncateSync(file, 5000)],
    ['another schema version', root => plant(root, db => db.pragma('user_version = 99'))],
    ['another application', root => plant(root, db => db.pragma('application_id = 7'))],
    ['a folder in its place', (_, file) => { fs.rmSync(file); fs.mkdirSync(file) }],
    ['a link in its place', (root, file) => { fs.rmSync(file); fs.symlinkSync(path.join(root, 'elsewhere.sqlite'), file) }],
  ]
  for (const [name, tamper] of cases) {
    const { root, file } = await indexed(t)
    tamper(root, file)
    const j = new Journal({ root })
    assert.equal((await j.search('genuine')).length, 1, name)
    assert.deepEqual(await j.search('planted'), [], name)
    assert.ok(fs.lstatSync(file).isFile(), name)
    assert.equal(fs.existsSync(path.join(root, 'elsewhere.sqlite')), false, name)
  }

  // Someone else's SQLite database (no application id, its own tables): not ours, replaced.
  const { root, file } = await indexed(t)
  fs.rmSync(file)
  const foreign = new Database(file)
  foreign.exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('theirs')")
  foreign.close()
  assert.equal((await new Journal({ root }).search('genuine')).length, 1)
  assert.equal(new Database(file, { readonly: true }).prepare("SELECT count(*) FROM sqlite_master WHERE name = 'notes'").pluck().get(), 0)
})
