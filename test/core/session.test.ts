import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { logLines, tempDir, rejectsWith } from '../helpers.js'
import { Journal, type JournalOptions } from '../../lib/journal.js'
import { nodeIO, withWriterIO, type WriterIO } from '../../lib/testing.js'
import type { OpenSession } from '../../lib/core/session.js'
import { JournalError } from '../../lib/core/errors.js'
import { isSessionId } from '../../lib/core/ids.js'
import type { JournalEvent } from '../../lib/core/types.js'

function journal(t: TestContext, options: JournalOptions & { io?: WriterIO } = {}): { j: Journal, project: string } {
  const dir = tempDir(t)
  const { io, ...rest } = options
  const root = path.join(dir, 'root')
  return { j: new Journal(io ? withWriterIO({ root, ...rest }, io) : { root, ...rest }), project: path.join(dir, 'project') }
}

/** The raw lines of a log, without their newlines. */
function rawLines(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8')
  assert.ok(text.endsWith('\n'), 'the log ends with a newline')
  return text.slice(0, -1).split('\n')
}

const tsOf = (line: string) => (JSON.parse(line) as { ts: string }).ts


/** nodeIO with every call counted. */
function countingIO(syncDelayMs = 0): WriterIO & { writes: number, syncs: number } {
  const io = {
    writes: 0,
    syncs: 0,
    writeSync(fd: number, data: string | Uint8Array) { io.writes++; return nodeIO.writeSync(fd, data) },
    fdatasync(fd: number, callback: (error: NodeJS.ErrnoException | null) => void) {
      io.syncs++
      setTimeout(() => nodeIO.fdatasync(fd, callback), syncDelayMs)
    },
    ftruncateSync(fd: number, length: number) { nodeIO.ftruncateSync(fd, length) },
  }
  return io
}

test('message, part, title, revert and append write exactly these lines: seq, ts, type first', async t => {
  const { j, project } = journal(t)
  const s = await j.create({ project })
  assert.equal(s.nextSeq, 1)
  assert.equal(await s.message({ id: 'm1', role: 'user', parts: [{ text: 'hi', type: 'text', id: 'p1' }], meta: { k: [1] } }), 'm1')
  assert.equal(await s.part('m1', { type: 'tool', id: 'p2', state: { ok: true } }), 'p2')
  await s.title('A title')
  await s.revert('m1')
  await s.append('x.host.note', { n: 1 })
  await s.append('x.host.empty')
  assert.equal(s.nextSeq, 7)
  await s.close()
  const lines = rawLines(s.path).slice(1)
  const ts = lines.map(tsOf)
  for (const x of ts) assert.match(x, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
  assert.deepEqual(lines, [
    `{"seq":1,"ts":"${ts[0]}","type":"message","id":"m1","role":"user","parts":[{"id":"p1","type":"text","text":"hi"}],"meta":{"k":[1]}}`,
    `{"seq":2,"ts":"${ts[1]}","type":"part","messageId":"m1","part":{"id":"p2","type":"tool","state":{"ok":true}}}`,
    `{"seq":3,"ts":"${ts[2]}","type":"title","title":"A title"}`,
    `{"seq":4,"ts":"${ts[3]}","type":"revert","messageId":"m1"}`,
    `{"seq":5,"ts":"${ts[4]}","type":"x.host.note","data":{"n":1}}`,
    `{"seq":6,"ts":"${ts[5]}","type":"x.host.empty","data":null}`,
  ])
  assert.deepEqual([...ts].sort(), ts, 'timestamps never go back')
})

test('message and part fill in ids they were not given, and return them', async t => {
  const { j, project } = journal(t)
  const s = await j.create({ project })
  const mid = await s.message({ role: 'assistant', parts: [{ type: 'text', text: 'x' }] })
  const pid = await s.part(mid, { type: 'text', text: 'y' })
  await s.close()
  const [, m, p] = logLines(s.path) as [unknown, { id: string, parts: Array<{ id: string }> }, { messageId: string, part: { id: string } }]
  assert.equal(m.id, mid)
  assert.equal(isSessionId(mid), true)
  assert.equal(isSessionId(m.parts[0]!.id), true)
  assert.equal(p.messageId, mid)
  assert.equal(p.part.id, pid)
})

test('invalid input is refused with ERR_INVALID_EVENT and nothing is written, seq unchanged', async t => {
  const { j, project } = journal(t)
  const s = await j.create({ project })
  const size = fs.statSync(s.path).size
  await rejectsWith(s.message({ role: 'robot' as never }), 'ERR_INVALID_EVENT')
  await rejectsWith(s.message({ role: 'user', parts: [{ type: 'text', at: new Date() }] }), 'ERR_INVALID_EVENT')
  await rejectsWith(s.part('m', { type: '' }), 'ERR_INVALID_EVENT')
  await rejectsWith(s.part('', { type: 'text' }), 'ERR_INVALID_EVENT')
  await rejectsWith(s.title(5 as never), 'ERR_INVALID_EVENT')
  await rejectsWith(s.revert(''), 'ERR_INVALID_EVENT')
  await rejectsWith(s.append('note', 1), 'ERR_INVALID_EVENT')
  await rejectsWith(s.append('x.n', 10n), 'ERR_INVALID_EVENT')
  assert.equal(s.nextSeq, 1)
  await s.title('ok')
  await s.close()
  assert.equal(fs.statSync(s.path).size > size, true)
  assert.deepEqual(logLines(s.path).map(e => e.seq), [0, 1])
})

test('an event over maxLineBytes is ERR_EVENT_TOO_LARGE; nothing written, seq unchanged', async t => {
  const { j, project } = journal(t, { maxLineBytes: 1024 })
  const s = await j.create({ project })
  await rejectsWith(s.append('x.big', 'é'.repeat(600)), 'ERR_EVENT_TOO_LARGE') // 1200 bytes, 600 UTF-16 units
  await rejectsWith(s.message({ role: 'user', parts: [{ type: 'text', text: 'a'.repeat(2000) }] }), 'ERR_EVENT_TOO_LARGE')
  assert.equal(s.nextSeq, 1)
  await s.append('x.small', 'é'.repeat(100))
  await s.close()
  assert.deepEqual(logLines(s.path).map(e => [e.seq, e.type]), [[0, 'session'], [1, 'x.small']])
})

for (const fsync of ['never', 'always'] as const) {
  test(`fsync '${fsync}': 100 concurrent appends land in call order with seq 1..100, ${fsync === 'never' ? 'the first alone, the other 99 in one write' : 'joined into one write'}`, async t => {
    const io = countingIO()
    const { j, project } = journal(t, { io, fsync })
    const s = await j.create({ project })
    const writesBefore = io.writes
    const ids = await Promise.all(Array.from({ length: 100 }, (_, i) => s.message({ id: `m${i}`, role: 'user', parts: [{ id: 'p', type: 'text', text: String(i) }] })))
    assert.equal(io.writes - writesBefore, fsync === 'never' ? 2 : 1, 'appends made in one tick are one write, after the first unless syncs are grouped')
    await s.close()
    assert.deepEqual(ids, Array.from({ length: 100 }, (_, i) => `m${i}`))
    const events = logLines(s.path)
    assert.deepEqual(events.map(e => e.seq), Array.from({ length: 101 }, (_, i) => i))
    assert.deepEqual(events.slice(1).map(e => e.id), ids)
  })
}

/**
 * The mechanism behind appends awaited one by one: with nothing queued, an append is written
 * inside the call (one write(2) of exactly its line), so it needs no queue, no pending promise
 * and no flush of its own. Counted through a spy on the real fs.
 */
for (const fsync of ['never', 'batch', 'always'] as const) {
  test(`fsync '${fsync}': an append made alone is ${fsync === 'always' ? 'queued for its group commit' : 'one write(2) of its line, done before the call returns'}`, async t => {
    const { j, project } = journal(t, { fsync, batchMs: 5 })
    const s = await j.create({ project })
    const writeSync = t.mock.method(fs, 'writeSync')
    const ours = () => writeSync.mock.calls.filter(c => String(c.arguments[1]).includes('"messageId":"m1"')).map(c => c.arguments[1])
    const start = fs.statSync(s.path).size
    for (let i = 0; i < 3; i++) {
      const text = `ü🚀 ${i}\u2028`
      const acknowledged = s.part('m1', { id: `p${i}`, type: 'text', text })
      const onDisk = fs.readFileSync(s.path).subarray(start).toString()
      if (fsync === 'always') {
        assert.equal(ours().length, i, 'not written yet: the write and its sync come in the next microtask')
      } else {
        assert.equal(ours().length, i + 1, 'one write per append')
        assert.equal(onDisk, ours().join(''), 'every line on disk as the call returns, exactly what was written')
        assert.ok(onDisk.endsWith(`"text":"ü🚀 ${i}\\u2028"}}\n`), onDisk)
      }
      assert.equal(await acknowledged, `p${i}`)
    }
    assert.equal(ours().length, 3)
    await s.close()
    assert.deepEqual(logLines(s.path).map(e => e.seq), [0, 1, 2, 3])
  })
}

test('appends in separate ticks are separate writes', async t => {
  const io = countingIO()
  const { j, project } = journal(t, { io, fsync: 'never' })
  const s = await j.create({ project })
  const before = io.writes
  await s.title('a')
  await s.title('b')
  await s.title('c')
  assert.equal(io.writes - before, 3)
  await s.close()
})

test("fsync 'always': each append waits for a sync; appends during a sync share the next one (group commit)", async t => {
  const io = countingIO(30)
  const { j, project } = journal(t, { io, fsync: 'always' })
  const s = await j.create({ project })
  const syncsBefore = io.syncs
  let firstDone = false
  const first = s.title('first').then(() => { firstDone = true })
  await new Promise(resolve => setImmediate(resolve)) // the first write is out, its sync in flight
  assert.equal(io.syncs - syncsBefore, 1)
  assert.equal(firstDone, false, 'not acknowledged before its sync')
  const group = Array.from({ length: 20 }, (_, i) => s.append('x.n', i))
  await first
  await Promise.all(group)
  assert.equal(io.syncs - syncsBefore, 2, 'twenty appends during a sync: one more sync for all of them')
  await s.close()
  assert.deepEqual(logLines(s.path).map(e => e.seq), Array.from({ length: 22 }, (_, i) => i))
})

for (const fsync of ['always', 'batch', 'never'] as const) {
  test(`fsync '${fsync}': appends are on disk when acknowledged, close syncs, and close() is idempotent`, async t => {
    const io = countingIO()
    const { j, project } = journal(t, { fsync, io, batchMs: 5 })
    const s = await j.create({ project, title: fsync })
    await s.message({ id: 'm1', role: 'user' })
    // Acknowledged means the OS has it: another reader sees it now.
    assert.deepEqual(logLines(s.path).map(e => e.seq), [0, 1])
    await s.title('t')
    const syncsBefore = io.syncs
    const closing = s.close()
    assert.equal(s.closed, true)
    assert.equal(s.close(), closing, 'a second close() is the same close')
    await closing
    await s.close()
    assert.ok(io.syncs > syncsBefore, 'close() synced')
    const read = await j.read(s.id)
    assert.equal(read.info.title, 't')
    assert.deepEqual(read.messages.map(m => m.id), ['m1'])
    assert.deepEqual(read.damage, [])
  })
}

/**
 * 'batch' leaves a sync to a timer (batchMs); close() and an import must not wait for it. With
 * setTimeout mocked and batchMs an hour, the timer never fires unless ticked: if close() waited
 * for it, it would never resolve and this test would fail on a pending promise.
 */
test("fsync 'batch': close() and an import sync at once, not when the batch timer fires; the timer is cleared", async t => {
  // countingIO() delays each sync through setTimeout, which is mocked here: count without it.
  const io = { ...nodeIO, syncs: 0, fdatasync(fd: number, callback: (error: NodeJS.ErrnoException | null) => void) { io.syncs++; nodeIO.fdatasync(fd, callback) } }
  const { j, project } = journal(t, { fsync: 'batch', io, batchMs: 3_600_000 })
  t.mock.timers.enable({ apis: ['setTimeout'] })
  const s = await j.create({ project, title: 'batch' })
  await s.message({ id: 'm1', role: 'user', parts: [{ type: 'text', text: 'hello' }] })
  assert.equal(io.syncs, 0, 'acknowledged without a sync; the timer holds it')
  await s.close()
  assert.equal(io.syncs, 1, 'close() synced once, at once')
  t.mock.timers.tick(3_600_000)
  assert.equal(io.syncs, 1, 'the batch timer was cleared: no late sync of a closed file')
  const copy = await j.import(await j.export(s.id), { newId: true })
  assert.equal(io.syncs, 2, 'the import synced once, before its log got its name')
  assert.deepEqual((await j.read(copy)).messages.map(m => m.id), ['m1'])
})

test('an unknown fsync mode is ERR_USAGE', t => {
  assert.throws(() => new Journal({ root: tempDir(t), fsync: 'sometimes' as never }), (e: unknown) => e instanceof JournalError && e.code === 'ERR_USAGE')
})

test('append after close is ERR_SESSION_CLOSED, also when close() is still running', async t => {
  const { j, project } = journal(t, { fsync: 'always' })
  const s = await j.create({ project })
  const early = s.title('before close')
  const closing = s.close()
  await rejectsWith(s.title('while closing'), 'ERR_SESSION_CLOSED')
  await early
  await closing
  await rejectsWith(s.message({ role: 'user' }), 'ERR_SESSION_CLOSED')
  await rejectsWith(s.part('m', { type: 'text' }), 'ERR_SESSION_CLOSED')
  await rejectsWith(s.append('x.n'), 'ERR_SESSION_CLOSED')
  await rejectsWith(s.revert('m'), 'ERR_SESSION_CLOSED')
  assert.deepEqual(logLines(s.path).map(e => [e.seq, e.type]), [[0, 'session'], [1, 'title']])
  assert.equal(s.nextSeq, 2)
})

test('close writes what is pending: appends not awaited before close() are on disk', async t => {
  const { j, project } = journal(t, { fsync: 'never' })
  const s = await j.create({ project })
  const pending = [s.title('a'), s.append('x.n', 1), s.title('b')]
  await s.close()
  await Promise.all(pending)
  assert.deepEqual(logLines(s.path).map(e => e.seq), [0, 1, 2, 3])
})

test('onAppend gets every acknowledged event, in batches, once; unsubscribing stops it', async t => {
  const { j, project } = journal(t, { fsync: 'always' })
  const s = await j.create({ project })
  const seen: JournalEvent[][] = []
  const off = (s as OpenSession).onAppend(events => seen.push(events))
  await Promise.all([s.title('a'), s.title('b')])
  await s.append('x.n', 1)
  off()
  await s.title('unseen')
  await s.close()
  assert.deepEqual(seen.map(batch => batch.map(e => e.seq)), [[1, 2], [3]])
  const onDisk = logLines(s.path)
  assert.deepEqual(seen.flat(), onDisk.slice(1, 4))
})

test('seq continues across close and resume', async t => {
  const { j, project } = journal(t)
  const s = await j.create({ project })
  await s.title('a')
  await s.close()
  const r = await j.resume(s.id)
  assert.equal(r.nextSeq, 2)
  await r.title('b')
  await r.close()
  const r2 = await j.resume(s.id)
  await r2.message({ role: 'user' })
  await r2.close()
  assert.deepEqual(logLines(s.path).map(e => e.seq), [0, 1, 2, 3])
})

test("fsync 'never': listeners hear the first append of a tick as it is written, the rest of the tick as one batch", async t => {
  const { j, project } = journal(t, { fsync: 'never' })
  const s = await j.create({ project }) as OpenSession
  const seen: number[][] = []
  s.onAppend(events => seen.push(events.map(e => e.seq)))
  const appends = [s.title('a')]
  assert.deepEqual(seen, [[1]], 'heard inside the call that wrote it')
  appends.push(s.title('b'), s.title('c'))
  assert.deepEqual(seen, [[1]], 'the rest of the tick is queued')
  await Promise.all(appends)
  assert.deepEqual(seen, [[1], [2, 3]])
  await s.close()
})

test('a listener that throws neither fails the append nor stops other listeners', async t => {
  const { j, project } = journal(t)
  const s = await j.create({ project }) as OpenSession
  const seen: number[] = []
  const warnings: string[] = []
  const onWarning = (w: Error & { code?: string }) => { if (w.code === 'SESSION_JOURNAL_LISTENER_FAILED') warnings.push(w.message) }
  process.on('warning', onWarning)
  t.after(() => process.off('warning', onWarning))
  s.onAppend(() => { throw new Error('host bug') })
  s.onAppend(events => seen.push(...events.map(e => e.seq)))
  await s.title('still fine')
  await s.close()
  await new Promise(resolve => setImmediate(resolve))
  assert.deepEqual(seen, [1])
  assert.equal(warnings.length, 1)
  assert.equal((await j.read(s.id)).info.title, 'still fine')
})
