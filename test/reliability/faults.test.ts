/**
 * Disk full and I/O errors, injected through the `io` option: a write that stops half way
 * with ENOSPC, a write refused with EIO, a truncate that fails too, fdatasync failing in
 * 'always' and 'batch' mode, a failing final sync on close. The append rejects with
 * ERR_WRITE_FAILED, the log keeps everything before it and never a half line; after a failed
 * write the writer recovers with the same seq, after a failed sync it refuses until resumed.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import test from 'node:test'
import { Journal, type Durability, type JournalError } from '../../lib/index.js'
import { withWriterIO, type WriterIO } from '../../lib/testing.js'
import { logLines, tempDir } from '../helpers.js'
import { bigDocument, traces } from './util.js'
import { projectIdOf } from '../../lib/core/paths.js'

function errno(code: string, syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected by the test`), { code, syscall })
}

/** The real fs calls, with failures armed one at a time. */
class FaultIO implements WriterIO {
  /** The next write puts `fraction` of its bytes on disk, then throws `code`. */
  writeFault: { code: string, fraction: number } | null = null
  /** The next write puts only this many bytes on disk and returns (a short write, no error). */
  shortWrite: number | null = null
  syncFault: string | null = null
  truncateFault: string | null = null
  writes = 0
  syncs = 0
  private syncWaiters: Array<() => void> = []

  writeSync(fd: number, data: string | Uint8Array): number {
    const buffer = typeof data === 'string' ? Buffer.from(data) : data
    const offset = 0
    const length = buffer.length
    this.writes++
    const fault = this.writeFault
    if (fault) {
      this.writeFault = null
      const n = Math.floor(length * fault.fraction)
      if (n > 0) fs.writeSync(fd, buffer, offset, n)
      throw errno(fault.code, 'write')
    }
    if (this.shortWrite !== null) {
      const n = this.shortWrite
      this.shortWrite = null
      return fs.writeSync(fd, buffer, offset, Math.min(n, length))
    }
    return fs.writeSync(fd, buffer, offset, length)
  }

  fdatasync(fd: number, callback: (error: NodeJS.ErrnoException | null) => void): void {
    this.syncs++
    const done = (error: NodeJS.ErrnoException | null) => {
      callback(error)
      for (const wake of this.syncWaiters.splice(0)) wake()
    }
    if (this.syncFault) setImmediate(() => done(errno(this.syncFault!, 'fdatasync')))
    else fs.fdatasync(fd, done)
  }

  ftruncateSync(fd: number, length: number): void {
    if (this.truncateFault) throw errno(this.truncateFault, 'ftruncate')
    fs.ftruncateSync(fd, length)
  }

  /** Resolves after the next fdatasync has called back. */
  nextSync(): Promise<void> {
    return new Promise(resolve => this.syncWaiters.push(resolve))
  }
}

const isWriteFailed = (cause?: string) => (e: JournalError & { cause?: { code?: string } }) =>
  e.code === 'ERR_WRITE_FAILED' && (cause === undefined || e.cause?.code === cause)

async function setup(t: import('node:test').TestContext, fsync: Durability, extra: { batchMs?: number } = {}) {
  const root = tempDir(t)
  const io = new FaultIO()
  const journal = new Journal(withWriterIO({ root, fsync, ...extra }, io))
  const session = await journal.create({ project: path.join(root, 'work'), title: 'faults' })
  t.after(() => session.close().catch(() => {}))
  for (let i = 0; i < 3; i++) await session.message({ id: `ok${i}`, role: 'user', parts: [{ id: `p${i}`, type: 'text', text: `before ${i} ✓` }] })
  return { root, io, journal, session, log: session.path, before: fs.readFileSync(session.path) }
}

const say = (id: string) => ({ id, role: 'assistant' as const, parts: [{ id: `${id}-p`, type: 'text', text: `${id} ${'x'.repeat(300)}` }] })

for (const fsync of ['always', 'batch', 'never'] as const) {
  for (const fault of [{ code: 'ENOSPC', fraction: 0.5 }, { code: 'EIO', fraction: 0 }]) {
    test(`fsync '${fsync}': a write failing with ${fault.code} after ${fault.fraction * 100}% of its bytes leaves the log as it was; the next append takes the same seq`, async t => {
      const { io, journal, session, log, before } = await setup(t, fsync)
      const seq = session.nextSeq
      const writes = io.writes
      io.writeFault = fault
      const appends: Array<Promise<unknown>> = [session.message(say('lost1'))]
      // 'always' joins a tick's appends into one write; otherwise the first went out alone, at once, and the rest of the tick is the next write.
      if (fsync !== 'always') {
        assert.equal(io.writes - writes, 1, 'the first append of the tick was written as it was made')
        io.writeFault = fault
      }
      appends.push(session.message(say('lost2')), session.title('lost'))
      // The appends joined into a failing write all fail together.
      const results = await Promise.allSettled(appends)
      assert.equal(io.writes - writes, fsync === 'always' ? 1 : 2)
      for (const r of results) {
        assert.equal(r.status, 'rejected')
        assert.ok(isWriteFailed(fault.code)((r as PromiseRejectedResult).reason))
      }
      assert.deepEqual(fs.readFileSync(log), before, 'the half-written bytes were cut off again')
      assert.deepEqual((await journal.read(session.id)).damage, [])

      assert.equal(session.nextSeq, seq, 'the failed events gave their seqs back')
      await session.message(say('after'))
      await session.close()
      const lines = logLines(log)
      assert.deepEqual(lines.map(l => l.seq), lines.map((_, i) => i))
      assert.deepEqual(lines.slice(1).map(l => l.id ?? l.type), ['ok0', 'ok1', 'ok2', 'after'])
      const history = await journal.read(session.id, { strict: true })
      assert.deepEqual(history.messages.map(m => m.id), ['ok0', 'ok1', 'ok2', 'after'])
      assert.equal(history.info.title, 'faults')
    })
  }
}

// 'never' writes an append made alone at once, inside the call (the other path to the same cut-back).
for (const fsync of ['always', 'never'] as const) {
  test(`fsync '${fsync}': a write failing half way whose cut-back fails too: the writer refuses further appends, resume sets the half line aside`, async t => {
    const { root, io, session, log, before } = await setup(t, fsync)
    io.writeFault = { code: 'ENOSPC', fraction: 0.5 }
    io.truncateFault = 'EIO'
    const failed = await session.message(say('half')).then(() => assert.fail('accepted'), (error: JournalError & { cause?: { code?: string } }) => error)
    assert.ok(isWriteFailed('ENOSPC')(failed))
    // Where the acknowledged lines end: what a host needs to tell them from what the failed write left.
    assert.equal(failed.offset, before.length)
    // The file's end is unknown to the writer now: it must not append after a half line.
    await assert.rejects(session.message(say('refused')), isWriteFailed())
    await assert.rejects(session.title('refused'), isWriteFailed())
    const writes = io.writes
    // close() says it again: the host may not have looked at every append.
    await assert.rejects(session.close(), isWriteFailed())
    assert.equal(io.writes, writes, 'nothing more was written')

    const half = fs.readFileSync(log).subarray(before.length)
    assert.ok(half.length > 0 && !half.includes(10), 'half a line is on disk')
    const journal = new Journal({ root, fsync: 'always' })
    const history = await journal.read(session.id)
    assert.deepEqual(history.damage.map(d => [d.kind, d.offset, d.length]), [['torn-tail', before.length, half.length]])
    assert.deepEqual(history.messages.map(m => m.id), ['ok0', 'ok1', 'ok2'])

    const resumed = await journal.resume(session.id)
    await resumed.message(say('after'))
    await resumed.close()
    assert.deepEqual(fs.readFileSync(`${log}.torn-${before.length}`), half)
    const lines = logLines(log)
    assert.deepEqual(lines.map(l => l.seq), lines.map((_, i) => i))
    assert.deepEqual(lines.slice(4).map(l => l.type), ['repair', 'message'])
    assert.deepEqual((await journal.read(session.id, { strict: true })).messages.map(m => m.id), ['ok0', 'ok1', 'ok2', 'after'])
  })
}

test('a short write (fewer bytes, no error) is continued until the line is whole', async t => {
  const { io, journal, session } = await setup(t, 'never')
  io.shortWrite = 7
  await session.message(say('short'))
  assert.ok(io.writes >= 2)
  assert.deepEqual((await journal.read(session.id, { strict: true })).messages.map(m => m.id), ['ok0', 'ok1', 'ok2', 'short'])
})

test("fsync 'always': fdatasync failing with EIO rejects that append and every one after; resume continues the log", async t => {
  const { root, io, session, log, before } = await setup(t, 'always')
  io.syncFault = 'EIO'
  const first = session.message(say('unsynced'))
  // Queued while the failing sync is in flight: never written.
  await new Promise(resolve => setImmediate(resolve))
  const queued = session.message(say('queued'))
  await assert.rejects(first, isWriteFailed('EIO'))
  await assert.rejects(queued, isWriteFailed())
  await assert.rejects(session.message(say('later')), isWriteFailed())
  await assert.rejects(session.append('x.test.later', { n: 1 }), isWriteFailed())
  await assert.rejects(session.close(), isWriteFailed('EIO'))

  const after = fs.readFileSync(log)
  assert.deepEqual(after.subarray(0, before.length), before, 'everything before is intact')
  assert.equal(after.at(-1), 10, 'no half line')
  assert.ok(!after.includes('"queued"'), 'an append refused before its write was never written')
  // The unsynced line was handed to the OS: it may be there. Either way the log is whole.
  const journal = new Journal({ root, fsync: 'always' })
  const resumed = await journal.resume(session.id)
  const seq = resumed.nextSeq
  await resumed.message(say('resumed'))
  await resumed.close()
  const lines = logLines(log)
  assert.deepEqual(lines.map(l => l.seq), lines.map((_, i) => i))
  assert.equal(lines.at(-1)!.seq, seq)
  const history = await journal.read(session.id, { strict: true })
  assert.deepEqual(history.messages.map(m => m.id).filter(id => id !== 'unsynced'), ['ok0', 'ok1', 'ok2', 'resumed'])
})

test("fsync 'batch': a failing background fdatasync makes the writer refuse the appends after it", async t => {
  const { root, io, session, log } = await setup(t, 'batch', { batchMs: 1 })
  io.syncFault = 'EIO'
  const synced = io.nextSync()
  // Acknowledged once the OS has it, as 'batch' promises; its sync fails later.
  await session.message(say('acked'))
  // The batch timer is unref'd (it must not keep a host alive): hold the loop open meanwhile.
  const keepAlive = setInterval(() => {}, 1000)
  await synced
  clearInterval(keepAlive)
  await assert.rejects(session.message(say('refused')), isWriteFailed())
  // A host that never appended again still learns of the failed background sync from close().
  await assert.rejects(session.close(), isWriteFailed('EIO'))
  assert.ok(!fs.readFileSync(log).includes('"refused"'))

  const journal = new Journal({ root })
  const resumed = await journal.resume(session.id)
  await resumed.message(say('resumed'))
  await resumed.close()
  const history = await journal.read(session.id, { strict: true })
  assert.deepEqual(history.messages.map(m => m.id), ['ok0', 'ok1', 'ok2', 'acked', 'resumed'])
})

test("fsync 'never': close() whose final sync fails rejects with ERR_WRITE_FAILED and still lets go of the lock", async t => {
  const { root, io, session } = await setup(t, 'never')
  await session.message(say('last'))
  io.syncFault = 'EIO'
  await assert.rejects(session.close(), isWriteFailed('EIO'))
  await assert.rejects(session.message(say('closed')), { code: 'ERR_SESSION_CLOSED' })
  const journal = new Journal({ root })
  const resumed = await journal.resume(session.id)
  await resumed.close()
  assert.deepEqual((await journal.read(session.id, { strict: true })).messages.map(m => m.id), ['ok0', 'ok1', 'ok2', 'last'])
})

test('import: a write failing part-way (ENOSPC) never shows a half session, leaves no staging file, claim or lock; the retry succeeds', async t => {
  const dir = tempDir(t)
  const doc = await bigDocument(path.join(dir, 'source'), 5000)
  const root = path.join(dir, 'root')
  const project = path.join(dir, 'work')
  const log = path.join(root, 'projects', projectIdOf(project), 'sessions', `${doc.info.id}.ndjson`)
  let writes = 0
  let visible: boolean | undefined
  const io: WriterIO = {
    writeSync: (fd, data) => {
      if (++writes === 4) {
        visible = fs.existsSync(log) // what a reader (list, read, verify) could find at this moment
        throw errno('ENOSPC', 'write')
      }
      return typeof data === 'string' ? fs.writeSync(fd, data) : fs.writeSync(fd, data)
    },
    fdatasync: (fd, callback) => fs.fdatasync(fd, callback),
    ftruncateSync: (fd, length) => fs.ftruncateSync(fd, length),
  }
  const failing = new Journal(withWriterIO({ root, fsync: 'never' }, io))
  const error = await failing.import(doc, { project }).then(() => assert.fail('import went through'), (e: JournalError) => e)
  assert.equal(error.code, 'ERR_WRITE_FAILED')
  assert.equal(writes, 4, 'the failure came part-way: three writes of messages had gone through')
  assert.equal(visible, false, 'the half-written log never had the session\'s name')
  assert.deepEqual(traces(root, doc.info.id), [])
  const journal = new Journal({ root, fsync: 'never' })
  assert.deepEqual(await journal.list(), [])
  assert.equal(await journal.import(doc, { project }), doc.info.id)
  assert.equal((await journal.read(doc.info.id)).messages.length, 5000)
})
