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
