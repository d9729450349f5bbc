import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { logLines, tempDir, rejectsWith } from './helpers.js'
import { Journal, type JournalOptions } from '../lib/journal.js'
import { emptySessionUsage } from '../lib/core/usage.js'
import { isSessionId, newId } from '../lib/core/ids.js'
import { projectIdOf } from '../lib/core/paths.js'
import type { JournalEvent } from '../lib/core/types.js'

function setup(t: TestContext, options: JournalOptions = {}) {
  const dir = tempDir(t)
  const root = path.join(dir, 'root')
  return { root, project: path.join(dir, 'project'), j: new Journal({ root, ...options }) }
}


const mode = (p: string) => fs.statSync(p).mode & 0o777

test('create writes the header line with the documented fields, in order', async t => {
  const { j, project, root } = setup(t)
  const parent = newId()
  const s = await j.create({ project, title: 'Hello', parentId: parent, host: { name: 'myhost', version: '2.1' } })
  await s.close()
  const projectId = projectIdOf(project)
  assert.equal(isSessionId(s.id), true)
  assert.equal(s.projectId, projectId)
  assert.equal(s.projectPath, project)
  assert.equal(s.path, path.join(root, 'projects', projectId, 'sessions', `${s.id}.ndjson`))
  const text = fs.readFileSync(s.path, 'utf8')
  const ts = (JSON.parse(text) as { ts: string }).ts
  assert.equal(text, `{"seq":0,"ts":"${ts}","type":"session","version":1,"id":"${s.id}","projectId":"${projectId}",`
    + `"projectPath":${JSON.stringify(project)},"title":"Hello","parentId":"${parent}","host":{"name":"myhost","version":"2.1"}}\n`)
  const minimal = await j.create({ project })
  await minimal.close()
  const header = logLines(minimal.path)[0]!
  assert.deepEqual(Object.keys(header), ['seq', 'ts', 'type', 'version', 'id', 'projectId', 'projectPath', 'title', 'parentId', 'host'])
  assert.deepEqual([header.title, header.parentId, header.host], [null, null, null])
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(root, 'projects', projectId, 'project.json'), 'utf8')).path, project)
})

test('create resolves a relative project path', async t => {
  const { j, project } = setup(t)
  const s = await j.create({ project: path.relative(process.cwd(), project) + '/sub/..' })
  await s.close()
  assert.equal(s.projectPath, project)
  assert.equal(s.projectId, projectIdOf(project))
})

test('create refuses missing options (ERR_USAGE) and a bad parentId (ERR_INVALID_ID)', async t => {
  const { j, project } = setup(t)
  await rejectsWith(j.create(undefined as never), 'ERR_USAGE')
  await rejectsWith(j.create({ project: '' }), 'ERR_USAGE')
  await rejectsWith(j.create({ project, parentId: '../../etc/passwd' }), 'ERR_INVALID_ID')
})

test('files are 0600 and folders 0700', async t => {
  const { j, project, root } = setup(t)
  const s = await j.create({ project })
  await s.title('x')
  await s.close()
  await j.list() // writes index.json
  const pdir = path.join(root, 'projects', s.projectId)
  for (const dir of [root, path.join(root, 'projects'), pdir, path.join(pdir, 'sessions')]) assert.equal(mode(dir), 0o700, dir)
  for (const file of [s.path, path.join(pdir, 'project.json'), path.join(pdir, 'index.json')]) assert.equal(mode(file), 0o600, file)
})

test('Unicode round-trips byte-exact: the bytes on disk are JSON.stringify of the event', async t => {
  const { j, project } = setup(t)
  const s = await j.create({ project, title: 'naïve 日本 🚀' })
  const text = 'emoji 👩‍👩‍👧🚀, ünïcödé, 日本語, lone \ud800 and \udfff, "quotes", \\, \n newline, \t tab, \u0000 NUL, \u2028 and \u2029, \u007f'
  await s.message({ id: 'm', role: 'user', parts: [{ id: 'p', type: 'text', text }] })
  await s.close()
  const bytes = fs.readFileSync(s.path)
  const lines = bytes.toString('utf8').split('\n')
  const ts = (JSON.parse(lines[1]!) as { ts: string }).ts
  const expected = JSON.stringify({ seq: 1, ts, type: 'message', id: 'm', role: 'user', parts: [{ id: 'p', type: 'text', text }] })
    .replace('\u2028', '\\u2028').replace('\u2029', '\\u2029')
  const headerEnd = bytes.indexOf(10) + 1
  assert.deepEqual(bytes.subarray(headerEnd), Buffer.from(`${expected}\n`, 'utf8'))
  const history = await j.read(s.id)
  assert.equal(history.messages[0]!.parts[0]!.text, text)
  assert.equal(history.info.title, 'naïve 日本 🚀')
})

test('read folds the log; a new Journal on the same root finds the session', async t => {
  const { j, project, root } = setup(t)
  const s = await j.create({ project, title: 'T', host: { name: 'h' } })
  await s.message({ id: 'm1', role: 'user', parts: [{ id: 'a', type: 'text', text: 'q' }] })
  await s.message({ id: 'm2', role: 'assistant' })
  await s.part('m2', { id: 'b', type: 'text', text: 'answer' })
  await s.append('x.h.cost', 3)
  await s.close()
  const history = await new Journal({ root }).read(s.id)
  const events = logLines(s.path)
  assert.deepEqual(history, {
    info: {
      id: s.id, projectId: s.projectId, projectPath: project, title: 'T', parentId: null,
      created: events[0]!.ts, updated: events[4]!.ts, share: null, usage: emptySessionUsage(),
      meta: { host: { name: 'h' }, events: [{ ts: events[4]!.ts, type: 'x.h.cost', data: 3 }] },
    },
    messages: [
      { id: 'm1', role: 'user', created: events[1]!.ts, parts: [{ id: 'a', type: 'text', text: 'q' }] },
      { id: 'm2', role: 'assistant', created: events[2]!.ts, parts: [{ id: 'b', type: 'text', text: 'answer' }] },
    ],
    damage: [],
  })
})

test('read reports damage, and throws ERR_CORRUPT_LOG with strict', async t => {
  const { j, project } = setup(t)
  const s = await j.create({ project })
  await s.title('a')
  await s.close()
  const goodBytes = fs.statSync(s.path).size
  fs.appendFileSync(s.path, 'garbage\n')
  const history = await j.read(s.id)
  assert.deepEqual(history.damage.map(d => [d.kind, d.line, d.offset]), [['bad-json', 3, goodBytes]])
  assert.equal(history.info.title, 'a')
  const error = await rejectsWith(j.read(s.id, { strict: true }), 'ERR_CORRUPT_LOG')
  assert.equal(error.line, 3)
  assert.equal(error.offset, goodBytes)
})

test('unknown ids are ERR_SESSION_NOT_FOUND, invalid ids ERR_INVALID_ID, everywhere', async t => {
  const { j, project } = setup(t)
  const unknown = newId()
  await rejectsWith(j.read(unknown), 'ERR_SESSION_NOT_FOUND') // before the root even exists
  const s = await j.create({ project })
  await s.close()
  await rejectsWith(j.read(unknown), 'ERR_SESSION_NOT_FOUND')
  await rejectsWith(j.resume(unknown), 'ERR_SESSION_NOT_FOUND')
  await rejectsWith(j.delete(unknown), 'ERR_SESSION_NOT_FOUND')
  await rejectsWith(j.locate(unknown), 'ERR_SESSION_NOT_FOUND')
  await rejectsWith(j.events(unknown).next(), 'ERR_SESSION_NOT_FOUND')
  for (const bad of ['../../etc/passwd', s.id.toLowerCase(), `${s.id}\0`, '']) {
    await rejectsWith(j.read(bad), 'ERR_INVALID_ID')
    await rejectsWith(j.resume(bad), 'ERR_INVALID_ID')
    await rejectsWith(j.delete(bad), 'ERR_INVALID_ID')
    await rejectsWith(j.events(bad).next(), 'ERR_INVALID_ID')
  }
})

test('events() streams the raw events, header first', async t => {
  const { j, project } = setup(t)
  const s = await j.create({ project })
  await s.message({ id: 'm', role: 'user' })
  await s.revert('m')
  await s.close()
  const events: JournalEvent[] = []
  for await (const e of j.events(s.id)) events.push(e)
  assert.deepEqual(events, logLines(s.path))
  assert.deepEqual(events.map(e => e.type), ['session', 'message', 'revert'])
})

test('a held session cannot be resumed or deleted in the same process: ERR_SESSION_LOCKED', async t => {
  const { j, project, root } = setup(t)
  const s = await j.create({ project })
  await rejectsWith(j.resume(s.id), 'ERR_SESSION_LOCKED')
  await rejectsWith(new Journal({ root }).resume(s.id), 'ERR_SESSION_LOCKED')
  await rejectsWith(j.delete(s.id), 'ERR_SESSION_LOCKED')
  assert.equal(fs.existsSync(s.path), true)
  await s.title('still mine')
  await s.close()
  const r = await j.resume(s.id)
  await rejectsWith(j.resume(s.id), 'ERR_SESSION_LOCKED')
  await r.close()
})

test('lockWaitMs: resume waits for the holder to close, then goes on', async t => {
  const { j, project, root } = setup(t)
  const s = await j.create({ project })
  const waiting = new Journal({ root, lockWaitMs: 60_000 })
  let resumed = false
  const pending = waiting.resume(s.id).then(r => { resumed = true; return r })
  await new Promise(resolve => setTimeout(resolve, 100))
  assert.equal(resumed, false, 'still waiting while the session is held')
  await s.title('last words of the first writer')
  await s.close()
  const r = await pending
  assert.equal(r.nextSeq, 2)
  await r.title('second writer')
  await r.close()
  assert.deepEqual(logLines(s.path).map(e => e.seq), [0, 1, 2])
})

test('delete removes the log and its torn side files, and only those', async t => {
  const { j, project } = setup(t)
  const keep = await j.create({ project })
  await keep.close()
  const s = await j.create({ project })
  await s.title('x')
  await s.close()
  fs.appendFileSync(s.path, '{"seq":2,"ts')
  const r = await j.resume(s.id) // sets the torn tail aside
  await r.close()
  const dir = path.dirname(s.path)
  assert.ok(fs.readdirSync(dir).some(name => name.startsWith(`${s.id}.ndjson.torn-`)))
  await j.delete(s.id)
  assert.deepEqual(fs.readdirSync(dir), [`${keep.id}.ndjson`])
  await rejectsWith(j.read(s.id), 'ERR_SESSION_NOT_FOUND')
  await rejectsWith(new Journal({ root: j.root }).read(s.id), 'ERR_SESSION_NOT_FOUND')
  assert.deepEqual((await j.list()).map(row => row.id), [keep.id])
  assert.equal((await j.read(keep.id)).info.id, keep.id)
})

test('locate names the project and the file', async t => {
  const { j, project, root } = setup(t)
  const s = await j.create({ project })
  await s.close()
  const expected = { id: s.id, projectId: projectIdOf(project), path: s.path }
  assert.deepEqual(await j.locate(s.id), expected)
  assert.deepEqual(await new Journal({ root }).locate(s.id), expected)
})

test('a writer whose lock was taken over refuses appends, and its close() leaves the new holder\'s lock alone', async t => {
  const { root, project } = setup(t)
  const j = new Journal({ root, lockStaleMs: 2000 })
  const s = await j.create({ project })
  await s.title('before')
  // What a waiter does after judging this writer dead: remove its lock folder, make its own.
  const lockDir = `${s.path}.lock`
  fs.rmdirSync(lockDir)
  fs.mkdirSync(lockDir, { mode: 0o700 })
  const theirs = fs.statSync(lockDir).ino
  // proper-lockfile notices on its next refresh (every second at this stale time).
  let refused: unknown
  for (let i = 0; i < 600 && refused === undefined; i++) {
    await new Promise(resolve => setTimeout(resolve, 50))
    await s.title('probe').catch((error: unknown) => { refused = error })
  }
  assert.equal((refused as { code?: string }).code, 'ERR_SESSION_LOCKED')
  await assert.rejects(s.close(), { code: 'ERR_SESSION_LOCKED' })
  assert.equal(fs.statSync(lockDir).ino, theirs, 'the new holder\'s lock is still there')
  fs.rmdirSync(lockDir)
})

test('import() takes text: a document\'s JSON or a raw NDJSON log, and names the source in errors', async t => {
  const { j, project, root } = setup(t)
  const s = await j.create({ project, title: 'text import' })
  await s.message({ role: 'user', parts: [{ type: 'text', text: 'hi' }] })
  await s.close()
  const other = new Journal({ root: path.join(root, '..', 'other') })
  const fromJson = await other.import(JSON.stringify(await j.export(s.id)), { newId: true })
  const fromLog = await other.import(fs.readFileSync(s.path, 'utf8'))
  assert.equal(fromLog, s.id)
  assert.deepEqual(logLines((await other.locate(fromLog)).path), logLines(s.path), 'a raw log imports as the same lines')
  assert.deepEqual((await other.read(fromJson)).messages, (await j.read(s.id)).messages)
  const bad = await rejectsWith(other.import('{ not json', { source: 'exports/x.json' }), 'ERR_INVALID_EXPORT')
  assert.match(bad.message, /^exports\/x\.json is not JSON/)
})

test('verify() reports damage with line and offset; repair sets a torn tail aside', async t => {
  const { j, project } = setup(t)
  const s = await j.create({ project })
  await s.close()
  assert.deepEqual(await j.verify(s.id), { id: s.id, path: s.path, ok: true, damage: [], repaired: null })
  const size = fs.statSync(s.path).size
  fs.appendFileSync(s.path, '{"seq":1')
  const before = await j.verify(s.id)
  assert.equal(before.ok, false)
  assert.deepEqual(before.damage.map(d => [d.kind, d.line, d.offset]), [['torn-tail', 2, size]])
  const after = await j.verify(s.id, { repair: true })
  assert.deepEqual([after.ok, after.repaired?.offset, after.damage], [true, size, []])
  assert.equal(fs.readFileSync(`${s.path}.torn-${size}`, 'utf8'), '{"seq":1')
})

test('follow() reads what was appended since, whole events only, and streams batches to a callback', async t => {
  const { j, project } = setup(t)
  const s = await j.create({ project })
  const follower = await j.follow(s.id)
  const seen: number[] = []
  const first = await follower.read(batch => seen.push(...batch.map(e => e.seq)))
  assert.deepEqual([seen, first.events, first.damage], [[0], [], []])
  await s.title('one')
  fs.appendFileSync(s.path, '{"seq":2,"ts"') // a write in progress is not damage, and not delivered
  const second = await follower.read()
  assert.deepEqual(second.events.map(e => e.type), ['title'])
  assert.deepEqual(second.damage, [])
  assert.deepEqual(follower.at, { offset: fs.statSync(s.path).size - '{"seq":2,"ts"'.length, lines: 2, lastSeq: 1 })
  await s.close()
})

test('exportTo() streams the same bytes as export() pretty-printed', async t => {
  const { j, project } = setup(t)
  const s = await j.create({ project, title: 'streamed' })
  await s.message({ role: 'user', parts: [{ type: 'text', text: 'x'.repeat(70_000) }] })
  await s.close()
  const chunks: string[] = []
  const { Writable } = await import('node:stream')
  const out = new Writable({ write(chunk, _enc, done) { chunks.push(String(chunk)); done() } })
  const result = await j.exportTo(s.id, out, { events: true })
  const text = chunks.join('')
  assert.equal(text, `${JSON.stringify(await j.export(s.id, { events: true }), null, 2)}\n`)
  assert.deepEqual(result, { messages: 1, events: 2, bytes: Buffer.byteLength(text) })
})

test('shareStatus() is undefined for a session never shared here', async t => {
  const { j, project } = setup(t)
  const s = await j.create({ project })
  assert.equal(j.shareStatus(s.id), undefined)
  await s.close()
})

test('the root comes from env.SESSION_JOURNAL_HOME when no root is given', t => {
  const dir = tempDir(t)
  assert.equal(new Journal({ env: { SESSION_JOURNAL_HOME: dir } }).root, dir)
  assert.equal(new Journal({ root: path.join(dir, 'x'), env: { SESSION_JOURNAL_HOME: dir } }).root, path.join(dir, 'x'))
})

test('close() closes the sessions it opened (flushed, locks released) and the search index; the Journal stays usable', async t => {
  const { j, project, root } = setup(t, { fsync: 'never' })
  const a = await j.create({ project, title: 'alpha session' })
  const b = await j.create({ project })
  const done = await j.create({ project })
  await done.close()
  const pending = a.message({ role: 'user', parts: [{ type: 'text', text: 'kept after close' }] })
  assert.equal((await j.search('alpha')).length, 1)
  const index = path.join(root, 'search', 'index.sqlite')
  // Which files this process holds open: the index is among them until close().
  const held = () => fs.readdirSync('/proc/self/fd').map(fd => { try { return fs.readlinkSync(`/proc/self/fd/${fd}`) } catch { return '' } })
  assert.equal(held().includes(index), true)

  await j.close()
  await pending
  assert.equal(held().includes(index), false)
  assert.equal(held().some(file => file.endsWith(`${a.id}.ndjson`) || file.endsWith(`${b.id}.ndjson`)), false)
  await rejectsWith(a.message({ role: 'user', parts: [] }), 'ERR_SESSION_CLOSED')
  assert.equal(logLines(a.path).at(-1)!.type, 'message') // the append acknowledged before close() is on disk

  // Another Journal can take the sessions over at once; this one searches again.
  const other = new Journal({ root })
  await (await other.resume(b.id)).close()
  assert.equal((await j.search('alpha')).length, 1)
  await j.close()
  await other.close()
})
