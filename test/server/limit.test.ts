import { test } from 'node:test'
import assert from 'node:assert/strict'
import { HttpError } from '../../lib/server/http.js'
import { KeyedQueue, Limiter, RETRY_AFTER_SECONDS } from '../../lib/server/limit.js'

const isBusy = (error: unknown): boolean =>
  error instanceof HttpError && error.status === 503 && error.code === 'ERR_BUSY' && error.headers['Retry-After'] === String(RETRY_AFTER_SECONDS)

test('at most `max` run; the next wait in order; the queue past `maxQueued` is refused with 503', async () => {
  const limiter = new Limiter('work', 2, 2, 10_000)
  const order: string[] = []
  const releases = await Promise.all([limiter.acquire(), limiter.acquire()])
  assert.equal(limiter.active, 2)
  const third = limiter.acquire().then(release => { order.push('third'); return release })
  const fourth = limiter.acquire().then(release => { order.push('fourth'); return release })
  assert.equal(limiter.queued, 2)
  await assert.rejects(limiter.acquire(), isBusy)
  releases[0]!()
  releases[0]!() // a second call is a no-op, not a second slot
  const r3 = await third
  assert.deepEqual(order, ['third'])
  assert.equal(limiter.active, 2)
  releases[1]!()
  const r4 = await fourth
  assert.deepEqual(order, ['third', 'fourth'])
  r3()
  r4()
  assert.equal(limiter.active, 0)
  assert.equal(limiter.queued, 0)
})

test('a waiter gives up after maxWaitMs, and an aborted one leaves the queue at once', async () => {
  const limiter = new Limiter('work', 1, 5, 20)
  const release = await limiter.acquire()
  await assert.rejects(limiter.acquire(), isBusy)
  assert.equal(limiter.queued, 0)
  const controller = new AbortController()
  const waiting = limiter.acquire(controller.signal)
  assert.equal(limiter.queued, 1)
  controller.abort()
  await assert.rejects(waiting, isBusy)
  assert.equal(limiter.queued, 0)
  release()
  assert.equal(limiter.active, 0)
})

test('run() releases its slot when the task throws', async () => {
  const limiter = new Limiter('work', 1, 0, 1000)
  await assert.rejects(limiter.run(async () => { throw new Error('boom') }), /boom/)
  assert.equal(limiter.active, 0)
  assert.equal(await limiter.run(async () => 7), 7)
})

test('KeyedQueue runs one operation per key at a time, in order, and forgets idle keys', async () => {
  const queue = new KeyedQueue()
  const log: string[] = []
  let open!: () => void
  const gate = new Promise<void>(resolve => { open = resolve })
  const first = queue.run('a', async () => { log.push('a1 start'); await gate; log.push('a1 end') })
  const second = queue.run('a', async () => { log.push('a2') })
  const failing = queue.run('a', async () => { throw new Error('a3 fails') })
  const third = queue.run('a', async () => { log.push('a4 after a failure') })
  await queue.run('b', async () => { log.push('b while a waits') })
  open()
  await Promise.all([first, second, third, assert.rejects(failing, /a3 fails/)])
  assert.deepEqual(log, ['a1 start', 'b while a waits', 'a1 end', 'a2', 'a4 after a failure'])
})
