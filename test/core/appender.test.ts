/**
 * Review of the appender's in-call write (the first append of a tick written inside enqueue,
 * the rest of the tick queued): seq numbering, what is on disk, and what listeners hear, under
 * interleavings the session tests do not make: appends from inside listeners, from inside a
 * `.then` of another append, across failed writes (ENOSPC half-way, a short write then EIO, a
 * failing cut-back), and close() in the same tick.
 */
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { tempDir } from '../helpers.js'
import { Journal, type JournalOptions } from '../../lib/journal.js'
import { withWriterIO, type WriterIO } from '../../lib/testing.js'
import type { OpenSession } from '../../lib/core/session.js'
import { JournalError } from '../../lib/core/errors.js'
import type { JournalEvent } from '../../lib/core/types.js'

type WriteStep = 'ok' | { short: number } | { fail: number, code: string }

/** The real fs, each write(2) doing what the next armed step says. */
class PlannedIO implements WriterIO {
  plan: WriteStep[] = []
  truncateFails = false
  syncFails = false

  writeSync(fd: number, data: string | Uint8Array): number {
    const buffer = typeof data === 'string' ? Buffer.from(data) : data
    const step = this.plan.shift() ?? 'ok'
    if (step === 'ok') return fs.writeSync(fd, buffer)
    if ('short' in step) return fs.writeSync(fd, buffer, 0, Math.max(1, Math.min(buffer.length, Math.floor(buffer.length * step.short))))
    const n = Math.floor(buffer.length * step.fail)
    if (n > 0) fs.writeSync(fd, buffer, 0, n)
    throw Object.assign(new Error(`${step.code}: injected`), { code: step.code, syscall: 'write' })
  }

  fdatasync(fd: number, callback: (error: NodeJS.ErrnoException | null) => void): void {
    if (this.syncFails) setImmediate(() => callback(Object.assign(new Error('EIO: injected'), { code: 'EIO' })))
    else fs.fdatasync(fd, callback)
  }

  ftruncateSync(fd: number, length: number): void {
    if (this.truncateFails) throw Object.assign(new Error('EIO: injected'), { code: 'EIO' })
    fs.ftruncateSync(fd, length)
  }
}

function journal(t: TestContext, options: JournalOptions, io?: WriterIO): { j: Journal, project: string } {
  const dir = tempDir(t)
  const root = path.join(dir, 'root')
  return { j: new Journal(io ? withWriterIO({ root, ...options }, io) : { root, ...options }), project: path.join(dir, 'project') }
}

/** The log's whole lines; a half line at the end only where the cut-back failed (`halfLineAllowed`), as designed. */
function diskLines(file: string, halfLineAllowed = false): Array<{ seq: number, type: string, data?: unknown }> {
  let text = fs.readFileSync(file, 'utf8')
  if (halfLineAllowed) text = text.slice(0, text.lastIndexOf('\n') + 1)
  assert.ok(text === '' || text.endsWith('\n'), 'the log ends with a whole line')
  return text.split('\n').filter(Boolean).map(line => JSON.parse(line) as { seq: number, type: string, data?: unknown })
}

const tick = () => new Promise(resolve => setImmediate(resolve))

for (const fsync of ['never', 'batch'] as const) {
  test(`fsync '${fsync}': a listener that appends while hearing a queued batch does not make the other listeners hear the events out of order`, async t => {
    const { j, project } = journal(t, { fsync, batchMs: 1 })
    const s = await j.create({ project }) as OpenSession
    const first: number[] = []
    const second: number[] = []
    // A host's listener that logs a reply to what it hears (a bridge, an auditor): it appends.
    s.onAppend(events => {
      first.push(...events.map(e => e.seq))
      for (const e of events) if (e.type === 'title' && (e as JournalEvent & { title: string }).title === 'b') void s.append('x.reply', 'to b')
    })
    s.onAppend(events => second.push(...events.map(e => e.seq)))
    // 'a' is written inside the call; 'b' is queued and heard in the flush, where the first listener appends.
    await Promise.all([s.title('a'), s.title('b')])
    await tick()
    await s.close()
    assert.deepEqual(diskLines(s.path).map(e => e.seq), [0, 1, 2, 3])
    assert.deepEqual(first, [1, 2, 3])
    assert.deepEqual(second, [1, 2, 3], 'every listener hears the events in seq order (the second heard the reply before the event it replies to)')
  })
}

test("fsync 'never': a listener that appends and closes while hearing the first append of a tick: the other listeners still hear in order", async t => {
  const { j, project } = journal(t, { fsync: 'never' })
  const s = await j.create({ project }) as OpenSession
  const second: number[] = []
  let closing: Promise<void> | undefined
  s.onAppend(events => {
    if (events.some(e => e.seq === 1)) {
      void s.title('last words')
      closing = s.close()
    }
  })
  s.onAppend(events => second.push(...events.map(e => e.seq)))
  await s.title('a')
  await closing
  assert.deepEqual(diskLines(s.path).map(e => e.seq), [0, 1, 2])
  assert.deepEqual(second, [1, 2])
})

test("fsync 'never': appends made from inside an append's .then and from listeners keep seq gap-free and in file order", async t => {
  const { j, project } = journal(t, { fsync: 'never' })
  const s = await j.create({ project }) as OpenSession
  let echoes = 0
  s.onAppend(events => { for (const e of events) if (e.type === 'x.ping' && echoes++ < 5) void s.append('x.echo', e.seq) })
  const chain: Array<Promise<void>> = []
  for (let i = 0; i < 5; i++) chain.push(s.append('x.ping', i).then(() => { chain.push(s.append('x.after', i)) }))
  await Promise.all(chain)
  await Promise.all(chain)
  await s.close()
  const lines = diskLines(s.path)
  assert.deepEqual(lines.map(e => e.seq), lines.map((_, i) => i))
  assert.equal(lines.filter(e => e.type === 'x.ping').length, 5)
  assert.equal(lines.filter(e => e.type === 'x.after').length, 5)
  assert.equal(lines.filter(e => e.type === 'x.echo').length, 5)
})

/**
 * The property: whatever the ticks, the faults and the listeners' appends, the log holds exactly
 * the acknowledged appends, seq 0..n-1 in file order with no gap or duplicate, never a rejected
 * one; every listener hears each acknowledged append exactly once (order is the test above).
 */
const step: fc.Arbitrary<WriteStep> = fc.oneof(
  { arbitrary: fc.constant('ok' as const), weight: 6 },
  { arbitrary: fc.record({ short: fc.double({ min: 0.05, max: 0.95, noNaN: true }) }), weight: 1 },
  { arbitrary: fc.record({ fail: fc.double({ min: 0, max: 0.95, noNaN: true }), code: fc.constantFrom('ENOSPC', 'EIO') }), weight: 1 },
)
const scenario = fc.record({
  fsync: fc.constantFrom('never' as const, 'batch' as const, 'always' as const),
  syncFailsAt: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
  ticks: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 6 }),
  plan: fc.array(step, { maxLength: 12 }),
  truncateFailsAt: fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined }),
  echo: fc.boolean(),
  closeInLastTick: fc.boolean(),
})

test('property: the log holds exactly the acknowledged appends, seq gap-free in file order; listeners hear each once', async t => {
  await fc.assert(fc.asyncProperty(scenario, async sc => {
    const io = new PlannedIO()
    const { j, project } = journal(t, { fsync: sc.fsync, batchMs: 1 }, io)
    const s = await j.create({ project }) as OpenSession
    io.plan = [...sc.plan]
    const heard: unknown[] = []
    const accepted: unknown[] = []
    const rejected: unknown[] = []
    const settled: Array<Promise<void>> = []
    let n = 0
    let echoes = 0
    const add = (data: string) => {
      settled.push(s.append('x.n', data).then(() => { accepted.push(data) }, (error: unknown) => {
        assert.ok(error instanceof JournalError, String(error))
        rejected.push(data)
      }))
    }
    s.onAppend(events => {
      for (const e of events) {
        heard.push((e as JournalEvent & { data: unknown }).data)
        if (sc.echo && echoes < 3 && typeof (e as { data?: unknown }).data === 'string' && !String((e as { data?: unknown }).data).startsWith('echo')) add(`echo${echoes++}`)
      }
    })
    let closing: Promise<void> | undefined
    for (let k = 0; k < sc.ticks.length; k++) {
      if (sc.truncateFailsAt === k) io.truncateFails = true
      if (sc.syncFailsAt === k) io.syncFails = true
      for (let i = 0; i < sc.ticks[k]!; i++) add(`a${n++}`)
      if (k === sc.ticks.length - 1 && sc.closeInLastTick) closing = s.close().catch(() => undefined)
      await tick()
      // 'batch' syncs on its timer; give it a chance to run (and to fail) between ticks.
      if (sc.fsync === 'batch') await new Promise(resolve => setTimeout(resolve, 2))
    }
    await Promise.all(settled)
    await Promise.all(settled)
    await (closing ?? s.close().catch(() => undefined))
    const lines = diskLines(s.path, io.truncateFails)
    assert.deepEqual(lines.map(e => e.seq), lines.map((_, i) => i), 'seq 0..n-1 in file order')
    const onDisk = lines.slice(1).map(e => e.data)
    for (const a of accepted) assert.ok(onDisk.includes(a), `acknowledged ${String(a)} is on disk`)
    assert.equal(new Set(onDisk).size, onDisk.length, 'no append is on disk twice')
    // A failed cut-back leaves whole lines of the rejected batch behind (the test below), and after a failed
    // sync the rejected lines may or may not be in the log (as documented): only then may a rejected append be there.
    if (!io.truncateFails && !io.syncFails) for (const r of rejected) assert.ok(!onDisk.includes(r), `rejected ${String(r)} is not on disk`)
    else for (const d of onDisk) assert.ok(accepted.includes(d) || rejected.includes(d), `${String(d)} was appended`)
    assert.deepEqual([...heard].sort(), [...accepted].sort() as unknown[], 'listeners hear each acknowledged append once')
  }), { numRuns: 60 })
})

test("fsync 'always': an append queued behind a sync is not written once the lock was lost meanwhile", async t => {
  const io = new PlannedIO()
  // Each sync waits until the test lets it finish.
  const gate: { release?: () => void } = {}
  const syncing = async () => { while (!gate.release) await tick() }
  const { j, project } = journal(t, { fsync: 'always' }, io)
  const s = await j.create({ project }) as OpenSession
  io.fdatasync = (fd, callback) => { gate.release = () => { gate.release = undefined; fs.fdatasync(fd, callback) } }
  const first = s.title('a')
  await syncing()
  const second = s.title('b') // queued: a sync is in flight
  // The process stalled past lockStaleMs and another writer took the session over.
  ;(s as unknown as { appender: { lockLost(cause: Error): void } }).appender.lockLost(new Error('stale'))
  gate.release!()
  await first
  // Let every later sync through until the queued append settles, then until close() is done.
  const until = async (p: Promise<unknown>) => {
    let done = false
    void p.finally(() => { done = true })
    while (!done) { gate.release?.(); await tick() }
  }
  let outcome = ''
  await until(second.then(() => { outcome = 'acknowledged' }, (error: JournalError) => { outcome = error.code }))
  await until(s.close().catch(() => undefined))
  assert.deepEqual(diskLines(s.path).map(e => e.type), ['session', 'title'], `the append queued before the lock was lost was ${outcome} and written into a log another writer owns`)
})
