import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { countFileHandleReads, logLines, tempDir, rejectsWith } from '../helpers.js'
import { Journal, type JournalOptions } from '../../lib/journal.js'
import { toLine } from '../../lib/core/event.js'

function setup(t: TestContext, options: JournalOptions = {}) {
  const dir = tempDir(t)
  const root = path.join(dir, 'root')
  return { root, project: path.join(dir, 'project'), j: new Journal({ root, ...options }) }
}


/** A closed session with a header and `n` titles (seq 1..n). */
async function sessionWith(j: Journal, project: string, n: number) {
  const s = await j.create({ project })
  for (let i = 1; i <= n; i++) await s.title(`t${i}`)
  await s.close()
  return s
}

test('resume: a torn tail is set aside, raw, the log cut to its last newline, and a repair event written', async t => {
  const { j, project } = setup(t)
  const s = await sessionWith(j, project, 2)
  const whole = fs.readFileSync(s.path)
  const torn = Buffer.from('{"seq":3,"ts":"2024-01-01T00:00:00.000Z","type":"title","title":"日本🚀', 'utf8')
  fs.appendFileSync(s.path, torn)
  const r = await j.resume(s.id)
  assert.equal(r.nextSeq, 4, 'seq 3 was never acknowledged: the repair takes it')
  await r.title('after')
  await r.close()

  const side = `${s.path}.torn-${whole.length}`
  assert.deepEqual(fs.readFileSync(side), torn)
  assert.equal(fs.statSync(side).mode & 0o777, 0o600)
  const bytes = fs.readFileSync(s.path)
  assert.deepEqual(bytes.subarray(0, whole.length), whole, 'the whole lines are untouched')
  const added = bytes.subarray(whole.length).toString('utf8').split('\n')
  const ts = added.slice(0, 2).map(l => (JSON.parse(l) as { ts: string }).ts)
  assert.deepEqual(added, [
    `{"seq":3,"ts":"${ts[0]}","type":"repair","offset":${whole.length},"length":${torn.length},"file":"${path.basename(side)}"}`,
    `{"seq":4,"ts":"${ts[1]}","type":"title","title":"after"}`,
    '',
  ])
  const history = await j.read(s.id)
  assert.deepEqual(history.damage, [])
  assert.equal(history.info.title, 'after')
})

test('resume: a second torn tail at the same offset gets a side file of its own', async t => {
  const { j, project } = setup(t)
  const s = await sessionWith(j, project, 1)
  const size = fs.statSync(s.path).size
  fs.writeFileSync(`${s.path}.torn-${size}`, 'earlier')
  fs.appendFileSync(s.path, 'new torn')
  const r = await j.resume(s.id)
  await r.close()
  assert.equal(fs.readFileSync(`${s.path}.torn-${size}`, 'utf8'), 'earlier')
  assert.equal(fs.readFileSync(`${s.path}.torn-${size}.1`, 'utf8'), 'new torn')
  assert.equal(logLines(s.path)[2]!.file, `${path.basename(s.path)}.torn-${size}.1`)
})

test('resume: a NUL-padded tail (crash after the size grew) is set aside the same way', async t => {
  const { j, project } = setup(t)
  const s = await sessionWith(j, project, 1)
  const size = fs.statSync(s.path).size
  fs.appendFileSync(s.path, Buffer.alloc(8192))
  const r = await j.resume(s.id)
  await r.message({ role: 'user' })
  await r.close()
  assert.deepEqual(fs.readFileSync(`${s.path}.torn-${size}`), Buffer.alloc(8192))
  const events = logLines(s.path)
  assert.deepEqual(events.map(e => [e.seq, e.type]), [[0, 'session'], [1, 'title'], [2, 'repair'], [3, 'message']])
  assert.deepEqual([events[2]!.offset, events[2]!.length], [size, 8192])
  assert.deepEqual((await j.read(s.id)).damage, [])
})

test('resume: when the last complete lines are damaged, seq goes on after the last good line', async t => {
  const { j, project } = setup(t)
  const s = await sessionWith(j, project, 3)
  fs.appendFileSync(s.path, 'not json\n{"valid":"json, not an event"}\n\n')
  const r = await j.resume(s.id)
  assert.equal(r.nextSeq, 4)
  await r.title('t4')
  await r.close()
  const history = await j.read(s.id)
  assert.deepEqual(history.damage.map(d => [d.kind, d.line]), [['bad-json', 5], ['bad-event', 6], ['bad-json', 7]])
  assert.equal(history.info.title, 't4')
  const seqs = fs.readFileSync(s.path, 'utf8').split('\n').flatMap(line => {
    try { return [(JSON.parse(line) as { seq?: unknown }).seq ?? 'no seq'] } catch { return [] }
  })
  assert.deepEqual(seqs, [0, 1, 2, 3, 'no seq', 4])
})

test('resume: an empty log gets a header again (and nothing else)', async t => {
  const { j, project } = setup(t)
  const s = await sessionWith(j, project, 2)
  fs.truncateSync(s.path, 0)
  const r = await j.resume(s.id)
  assert.equal(r.nextSeq, 1)
  await r.title('fresh')
  await r.close()
  const events = logLines(s.path)
  assert.deepEqual(events.map(e => [e.seq, e.type]), [[0, 'session'], [1, 'title']])
  const { ts: _ts, ...header } = events[0]!
  assert.deepEqual(header, { seq: 0, type: 'session', version: 1, id: s.id, projectId: s.projectId, projectPath: project, title: null, parentId: null, host: null })
  assert.deepEqual(Object.keys(events[0]!), ['seq', 'ts', 'type', 'version', 'id', 'projectId', 'projectPath', 'title', 'parentId', 'host'])
  assert.deepEqual((await j.read(s.id)).damage, [])
})

test('resume: a log that is only a torn first line gets a header, then the repair', async t => {
  const { j, project } = setup(t)
  const s = await sessionWith(j, project, 0)
  fs.writeFileSync(s.path, '{"seq":0,"ts":"2024')
  const r = await j.resume(s.id)
  await r.close()
  assert.deepEqual(logLines(s.path).map(e => [e.seq, e.type]), [[0, 'session'], [1, 'repair']])
  assert.equal(fs.readFileSync(`${s.path}.torn-0`, 'utf8'), '{"seq":0,"ts":"2024')
})

test("resume: a header of another session is ERR_CORRUPT_LOG, nothing is changed, and the lock is let go", async t => {
  const { j, project } = setup(t)
  const a = await sessionWith(j, project, 1)
  const b = await sessionWith(j, project, 1)
  fs.copyFileSync(a.path, b.path)
  fs.appendFileSync(b.path, 'torn')
  const before = fs.readFileSync(b.path)
  const error = await rejectsWith(j.resume(b.id), 'ERR_CORRUPT_LOG')
  assert.equal(error.line, 1)
  assert.equal(error.offset, 0)
  assert.deepEqual(fs.readFileSync(b.path), before)
  assert.equal(fs.readdirSync(path.dirname(b.path)).some(n => n.includes('.torn-')), false)
  await rejectsWith(j.resume(b.id), 'ERR_CORRUPT_LOG') // not ERR_SESSION_LOCKED
})

test('resume: a directory named like the log is ERR_CORRUPT_LOG', async t => {
  const { j, project } = setup(t)
  const s = await sessionWith(j, project, 0)
  fs.rmSync(s.path)
  fs.mkdirSync(s.path)
  await rejectsWith(j.resume(s.id), 'ERR_CORRUPT_LOG')
})

/**
 * "Reads only head and tail", proven by counting: every byte a FileHandle reads during
 * resume() is counted (resume and the reader read through fs/promises FileHandles only; the
 * prototype is shared, so wrapping `read` on it sees them all). The log is 16 MiB, most of it
 * garbage lines in the middle: a full scan would read all of it (and would have to step over
 * the garbage), while head and tail cost a few 64 KiB blocks. A sparse file was not used:
 * reading holes is cheap, so it would prove nothing about what resume reads.
 */
test('resume: reads only the head and the tail of a large log, never its middle', async t => {
  const { j, project } = setup(t)
  const s = await sessionWith(j, project, 1)
  const garbage = `${'#'.repeat(1023)}\n`.repeat(16 * 1024) // 16 MiB of damaged lines
  fs.appendFileSync(s.path, garbage)
  fs.appendFileSync(s.path, toLine({ seq: 2, ts: new Date().toISOString(), type: 'title', title: 'tail' }))
  const size = fs.statSync(s.path).size

  const read = await countFileHandleReads(t, s.path)
  const r = await j.resume(s.id)
  const bytes = read()
  assert.equal(r.nextSeq, 3)
  await r.close()
  assert.ok(bytes > 0, 'the counter saw the reads')
  assert.ok(bytes <= 512 * 1024, `resume read ${bytes} bytes of a ${size}-byte log`)
})

test('resume: a last line damaged into valid JSON with a smaller seq does not make new events reuse seqs', async t => {
  const { j, project } = setup(t)
  const s = await sessionWith(j, project, 5)
  const text = fs.readFileSync(s.path, 'utf8')
  // Corruption that still parses: the last line's seq 5 became 2.
  fs.writeFileSync(s.path, text.replace(/"seq":5,/, '"seq":2,'))
  const r = await j.resume(s.id)
  assert.equal(r.nextSeq, 5)
  await r.title('after')
  await r.close()
  const history = await j.read(s.id)
  assert.equal(history.info.title, 'after')
  assert.deepEqual(history.damage.map(d => d.kind), ['seq-repeat'])
})
