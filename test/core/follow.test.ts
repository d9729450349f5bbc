import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { LogFollower } from '../../lib/core/follow.js'
import { tempDir } from '../helpers.js'

const line = (seq: number, data: unknown) => `${JSON.stringify({ seq, ts: '2024-01-01T00:00:00.000Z', type: seq === 0 ? 'session' : 'x.t', ...(seq === 0 ? { id: '01ARZ3NDEKTSV4RRFFQ69G5FAV', projectId: 'p-0123456789ab', projectPath: '/p', title: null, parentId: null } : { data }) })}\n`

test('check() returns whole new events only; a torn line is read once its newline arrives', async t => {
  const file = path.join(tempDir(t), 'log.ndjson')
  fs.writeFileSync(file, line(0, null))
  const follower = new LogFollower(file)
  assert.deepEqual((await follower.read()).events.map(e => e.seq), [0])
  assert.deepEqual((await follower.read()).events, [])
  const next = Buffer.from(line(1, '🙂 half'))
  fs.appendFileSync(file, next.subarray(0, 20))
  const torn = await follower.read()
  assert.deepEqual(torn, { events: [], damage: [] }, 'nothing of a half line, and it is not damage')
  assert.equal(follower.at.offset, Buffer.byteLength(line(0, null)))
  fs.appendFileSync(file, Buffer.concat([next.subarray(20), Buffer.from(line(2, 'two'))]))
  const after = await follower.read()
  assert.deepEqual(after.events.map(e => [e.seq, (e as { data?: unknown }).data]), [[1, '🙂 half'], [2, 'two']])
  fs.appendFileSync(file, 'garbage\n')
  assert.deepEqual((await follower.read()).damage.map(d => [d.kind, d.line]), [['bad-json', 4]])
})

test('follow() yields on change and ends when the signal aborts', async t => {
  const file = path.join(tempDir(t), 'log.ndjson')
  fs.writeFileSync(file, line(0, null))
  const controller = new AbortController()
  const seen: number[] = []
  for await (const { events } of new LogFollower(file, { pollMs: 20 }).follow(controller.signal)) {
    seen.push(...events.map(e => e.seq))
    if (seen.length === 1) fs.appendFileSync(file, line(1, 'x'))
    if (seen.length === 2) controller.abort()
  }
  assert.deepEqual(seen, [0, 1])
})

test('read() after truncation starts over and says so', async t => {
  const file = path.join(tempDir(t), 'log.ndjson')
  fs.writeFileSync(file, line(0, null) + line(1, 'one') + line(2, 'two'))
  const follower = new LogFollower(file)
  assert.deepEqual((await follower.read()).events.map(e => e.seq), [0, 1, 2])
  const read = follower.at.offset
  fs.truncateSync(file, 0)
  fs.appendFileSync(file, line(0, null))
  const after = await follower.read()
  assert.deepEqual(after.reset, { reason: 'truncated', offset: read, size: Buffer.byteLength(line(0, null)) })
  assert.deepEqual(after.events.map(e => e.seq), [0])
  fs.appendFileSync(file, line(1, 'again'))
  const next = await follower.read()
  assert.equal(next.reset, undefined, 'once')
  assert.deepEqual(next.events.map(e => (e as { data?: unknown }).data), ['again'])
})

test('read() of a log replaced by rename starts over in the new file, even when it is longer', async t => {
  const dir = tempDir(t)
  const file = path.join(dir, 'log.ndjson')
  fs.writeFileSync(file, line(0, null) + line(1, 'old'))
  const follower = new LogFollower(file)
  assert.equal((await follower.read()).events.length, 2)
  const read = follower.at.offset
  fs.writeFileSync(path.join(dir, 'tmp'), line(0, null) + line(1, 'new 1') + line(2, 'new 2'))
  fs.renameSync(path.join(dir, 'tmp'), file)
  const after = await follower.read()
  assert.deepEqual(after.reset, { reason: 'replaced', offset: read, size: fs.statSync(file).size })
  assert.deepEqual(after.events.map(e => (e as { data?: unknown }).data), [undefined, 'new 1', 'new 2'])
  fs.appendFileSync(file, line(3, 'new 3'))
  assert.deepEqual(await follower.read().then(r => [r.reset, r.events.map(e => e.seq)]), [undefined, [3]])
})

test('follow() goes on in a replaced file: appends after the rename are yielded', async t => {
  const dir = tempDir(t)
  const file = path.join(dir, 'log.ndjson')
  fs.writeFileSync(file, line(0, null))
  const controller = new AbortController()
  const seen: Array<string | number> = []
  for await (const { events, reset } of new LogFollower(file, { pollMs: 20 }).follow(controller.signal)) {
    if (reset) seen.push(reset.reason)
    seen.push(...events.map(e => e.seq))
    if (seen.length === 1) {
      fs.writeFileSync(path.join(dir, 'tmp'), line(0, null))
      fs.renameSync(path.join(dir, 'tmp'), file)
    }
    if (seen.at(-1) === 0 && seen.length === 3) fs.appendFileSync(file, line(1, 'x'))
    if (seen.at(-1) === 1) controller.abort()
  }
  assert.deepEqual(seen, [0, 'replaced', 0, 1])
})
