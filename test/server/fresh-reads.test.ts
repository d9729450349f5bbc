import { test } from 'node:test'
import assert from 'node:assert/strict'
import { FreshReads } from '../../lib/server/fresh-reads.js'

/** A load the test finishes when it wants, numbered in the order loads started. */
function loads(): { load: () => Promise<number>, started: number, finish: (n: number) => void, fail: (n: number) => void } {
  const pending: Array<{ resolve: (v: number) => void, reject: (e: Error) => void }> = []
  const state = {
    started: 0,
    load: () => new Promise<number>((resolve, reject) => {
      pending.push({ resolve, reject })
      state.started++
    }),
    finish: (n: number) => pending[n - 1]!.resolve(n),
    fail: (n: number) => pending[n - 1]!.reject(new Error(`load ${n} failed`)),
  }
  return state
}

const tick = (): Promise<void> => new Promise(resolve => setImmediate(resolve))

test('a call never joins a read already under way: it waits for the next, which serves everyone who came meanwhile', async () => {
  const reads = new FreshReads<number>()
  const l = loads()
  const first = reads.read('a', l.load)
  assert.equal(l.started, 1)
  // Five calls while load 1 runs: none gets load 1's answer, all share load 2, which starts after load 1.
  const later = Array.from({ length: 5 }, () => reads.read('a', l.load))
  await tick()
  assert.equal(l.started, 1, 'the next read waits for the one under way')
  l.finish(1)
  assert.equal(await first, 1)
  await tick()
  assert.equal(l.started, 2)
  const last = reads.read('a', l.load) // came while load 2 runs: load 3
  l.finish(2)
  assert.deepEqual(await Promise.all(later), [2, 2, 2, 2, 2])
  await tick()
  l.finish(3)
  assert.equal(await last, 3)
  await tick()
  assert.equal(reads.size, 0, 'idle keys are forgotten')
})

test('other keys do not wait; a failed read fails its callers only, and the next read starts afresh', async () => {
  const reads = new FreshReads<number>()
  const l = loads()
  const a = reads.read('a', l.load)
  const b = reads.read('b', l.load)
  assert.equal(l.started, 2)
  const again = reads.read('a', l.load)
  l.fail(1)
  await assert.rejects(a, /load 1 failed/)
  await tick()
  assert.equal(l.started, 3)
  l.finish(3)
  assert.equal(await again, 3)
  l.finish(2)
  assert.equal(await b, 2)
  await tick()
  assert.equal(reads.size, 0)
})
