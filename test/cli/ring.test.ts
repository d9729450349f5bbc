/** The ring that keeps tail's last N events (lib/cli/ring.ts): O(N) memory, O(1) work per event. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Ring } from '../../lib/cli/ring.js'

/** A real array that counts the element writes and deletions made to it. */
function counted(): { slots: number[], writes: () => number } {
  let writes = 0
  const slots = new Proxy<number[]>([], {
    set(target, key, value) {
      if (key !== 'length') writes++
      return Reflect.set(target, key, value)
    },
    deleteProperty(target, key) {
      writes++
      return Reflect.deleteProperty(target, key)
    },
  })
  return { slots, writes: () => writes }
}

test('keeps the last N in order, whatever was pushed', () => {
  const ring = new Ring<number>(3)
  assert.deepEqual(ring.toArray(), [])
  for (let i = 1; i <= 2; i++) ring.push(i)
  assert.deepEqual(ring.toArray(), [1, 2])
  for (let i = 3; i <= 10; i++) ring.push(i)
  assert.deepEqual(ring.toArray(), [8, 9, 10])
  const none = new Ring<number>(0)
  none.push(1)
  assert.deepEqual([none.size, none.toArray()], [0, []])
})

test('one write per push and at most N slots, where Array.shift moved every kept item', () => {
  const n = 1000
  const pushes = 100_000
  const { slots, writes } = counted()
  const ring = new Ring<number>(n, slots)
  for (let i = 0; i < pushes; i++) ring.push(i)
  assert.equal(slots.length, n)
  assert.equal(writes(), pushes, 'O(1) per event: the shift-based ring made ~N writes per event past N')
  assert.deepEqual(ring.toArray(), Array.from({ length: n }, (_, i) => pushes - n + i))
})

test('slots are taken as items arrive: a huge N on a short stream costs the stream', () => {
  const { slots } = counted()
  const ring = new Ring<number>(Number.MAX_SAFE_INTEGER, slots)
  for (let i = 0; i < 5; i++) ring.push(i)
  assert.equal(slots.length, 5)
  assert.deepEqual(ring.toArray(), [0, 1, 2, 3, 4])
})
