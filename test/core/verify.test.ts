import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { logLines, rejectsWith, tempDir, treeOf } from '../helpers.js'
import { verifySession, type VerifyPorts } from '../../lib/core/verify.js'
import { LogStore } from '../../lib/core/log-store.js'
import { toLine } from '../../lib/core/event.js'
import { newId } from '../../lib/core/ids.js'
import { nodeIO } from '../../lib/core/writer-io.js'
import { isLocked } from '../../lib/core/lock.js'
import { SessionLockedError } from '../../lib/core/errors.js'

const TS = '2024-05-01T10:00:00.000Z'

/** A store, a closed session with two titles (seq 0..2), and verify's ports over the store. */
async function setup(t: TestContext) {
  const dir = tempDir(t)
  const store = new LogStore({ root: path.join(dir, 'root'), fsync: 'never', batchMs: 50, maxLineBytes: 4096, lockStaleMs: 10_000, lockWaitMs: 0, io: nodeIO })
  const s = await store.create({ project: path.join(dir, 'work') })
  await s.title('one')
  await s.title('two')
  await s.close()
  const reopened: string[] = []
  const ports: VerifyPorts = {
    locate: id => store.locate(id),
    reopen: async id => { reopened.push(id); await (await store.resume(id)).close() },
    isHeld: file => isLocked(file),
    maxLineBytes: store.maxLineBytes,
  }
  return { dir, store, id: s.id, file: s.path, ports, reopened }
}

test('verifySession: a whole log is ok, with no damage and no repair', async t => {
  const { ports, id, file, reopened } = await setup(t)
  assert.deepEqual(await verifySession(ports, id, { repair: true }), { id, path: file, ok: true, damage: [], repaired: null })
  assert.deepEqual(reopened, [], 'nothing to repair: the log is not opened for writing')
})

test('verifySession: damage is reported with line, offset and length, and nothing is changed', async t => {
  const { dir, ports, id, file } = await setup(t)
  const badAt = fs.statSync(file).size
  fs.appendFileSync(file, 'not json\n')
  const longAt = fs.statSync(file).size
  fs.appendFileSync(file, `${'x'.repeat(5000)}\n${toLine({ seq: 3, ts: TS, type: 'title', title: 'three' })}`)
  const before = treeOf(dir)
  const report = await verifySession(ports, id, { repair: true })
  assert.deepEqual(report.damage.map(d => [d.kind, d.line, d.offset, d.length]), [['bad-json', 4, badAt, 8], ['line-too-long', 5, longAt, 5000]])
  assert.deepEqual([report.ok, report.repaired, 'repairError' in report], [false, null, false])
  assert.deepEqual(treeOf(dir), before, 'damage inside the log is never rewritten')
  await rejectsWith(verifySession(ports, newId()), 'ERR_SESSION_NOT_FOUND')
})

test('verifySession: a log without one complete line gets a synthetic bad-header', async t => {
  const { ports, id, file } = await setup(t)
  const synthetic = { kind: 'bad-header', line: 1, offset: 0, length: 0, message: 'the log has no complete line: the header is missing' }
  fs.writeFileSync(file, '')
  assert.deepEqual(await verifySession(ports, id), { id, path: file, ok: false, damage: [synthetic], repaired: null })
  fs.writeFileSync(file, '{"seq":0,"ts"')
  const report = await verifySession(ports, id)
  assert.deepEqual(report.damage.map(d => [d.kind, d.line, d.offset, d.length]), [['bad-header', 1, 0, 0], ['torn-tail', 1, 0, 13]])
  // A header line that is there but wrong is reported as it is, not twice.
  fs.writeFileSync(file, toLine({ seq: 0, ts: TS, type: 'title', title: 'no header' }))
  assert.deepEqual((await verifySession(ports, id)).damage.map(d => [d.kind, d.line, d.length]), [['bad-header', 1, fs.statSync(file).size - 1]])
})

test('verifySession repair: a torn tail is set aside through reopen and reported as repaired', async t => {
  const { ports, id, file, reopened } = await setup(t)
  const whole = fs.statSync(file).size
  const torn = '{"seq":3,"ts":"2024-05-01T10:00:00.000Z","type":"ti'
  fs.appendFileSync(file, torn)
  const unrepaired = await verifySession(ports, id)
  assert.deepEqual(unrepaired.damage.map(d => [d.kind, d.line, d.offset, d.length]), [['torn-tail', 4, whole, torn.length]])
  assert.equal(unrepaired.ok, false)
  assert.deepEqual(reopened, [], 'without repair nothing is opened')

  const report = await verifySession(ports, id, { repair: true })
  assert.deepEqual(reopened, [id])
  assert.deepEqual(report.repaired, unrepaired.damage[0])
  assert.deepEqual([report.ok, report.damage, 'repairError' in report], [true, [], false])
  assert.equal(fs.readFileSync(`${file}.torn-${whole}`, 'utf8'), torn)
  assert.deepEqual(logLines(file).map(e => e.type), ['session', 'title', 'title', 'repair'])
})

test('verifySession: a held session\'s half-written last line is a write in progress: not damage, not repaired, ok', async t => {
  const { dir, store, ports, id, file, reopened } = await setup(t)
  const writer = await store.resume(id)
  await writer.title('three')
  const half = '{"seq":4,"ts":"2024-05-01T10:00:00.000Z","type":"title","ti'
  const at = fs.statSync(file).size
  fs.appendFileSync(file, half) // what a reader sees in the middle of the writer's write(2)
  const before = treeOf(dir)
  for (const repair of [false, true]) {
    const report = await verifySession(ports, id, { repair })
    assert.deepEqual([report.ok, report.damage, report.repaired, 'repairError' in report], [true, [], null, false])
    assert.deepEqual([report.writing?.kind, report.writing?.offset, report.writing?.length], ['torn-tail', at, half.length])
  }
  assert.deepEqual(reopened, [], 'no repair was attempted')
  assert.deepEqual(treeOf(dir), before)
  // Other damage of a held log is still damage.
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"title":"one"', '"title":"one"!'))
  const damaged = await verifySession(ports, id, { repair: true })
  assert.deepEqual([damaged.ok, damaged.damage.map(d => d.kind), damaged.writing?.kind], [false, ['bad-json', 'seq-gap'], 'torn-tail'])
  await writer.close().catch(() => {})
})

test('verifySession repair: a writer that takes the session between the scan and the repair makes the tail its write', async t => {
  const { ports, id, file } = await setup(t)
  fs.appendFileSync(file, '{"seq":3,"torn')
  const racing: VerifyPorts = { ...ports, reopen: async () => { throw new SessionLockedError('being written by another writer') } }
  const report = await verifySession(racing, id, { repair: true })
  assert.deepEqual([report.ok, report.damage, report.repaired, report.writing?.kind, 'repairError' in report], [true, [], null, 'torn-tail', false])
})

test('verifySession repair: a failing reopen gives repairError and leaves the damage (and the log) as it was', async t => {
  const { dir, ports, id, file } = await setup(t)
  fs.appendFileSync(file, '{"seq":3,"torn')
  const before = treeOf(dir)
  const failing: VerifyPorts = { ...ports, reopen: async () => { throw new Error('disk on fire') } }
  const report = await verifySession(failing, id, { repair: true })
  assert.deepEqual([report.ok, report.repaired, report.repairError, report.damage.map(d => d.kind)], [false, null, 'disk on fire', ['torn-tail']])
  assert.deepEqual(treeOf(dir), before)
})
