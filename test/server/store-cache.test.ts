import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BytesCache } from '../../lib/server/store-cache.js'

const bytes = (n: number, fill = 1): Buffer => Buffer.alloc(n, fill)

test('concurrent misses of one key share a single load; a hit loads nothing', async () => {
  const cache = new BytesCache(1000)
  let loads = 0
  let finish!: (value: Buffer) => void
  const load = (): Promise<Buffer> => {
    loads++
    return new Promise(resolve => { finish = resolve })
  }
  const waiting = Array.from({ length: 10 }, () => cache.get('a:json:v1', load))
  finish(bytes(10))
  const got = await Promise.all(waiting)
  assert.equal(loads, 1)
  assert.ok(got.every(b => b === got[0]))
  assert.equal(await cache.get('a:json:v1', () => assert.fail('a hit does not load')), got[0])
  assert.equal(cache.size, 10)
})

test('bounded by bytes, least recently used out first; an entry over a quarter of the budget is served, not kept', async () => {
  const cache = new BytesCache(100)
  await cache.get('a', async () => bytes(25))
  await cache.get('b', async () => bytes(25))
  await cache.get('c', async () => bytes(25))
  await cache.get('a', async () => assert.fail('held'))
  await cache.get('d', async () => bytes(25))
  await cache.get('e', async () => bytes(25)) // 125 > 100: b, the least recently used, goes
  assert.equal(cache.size, 100)
  let reloaded = false
  await cache.get('b', async () => { reloaded = true; return bytes(25) })
  assert.ok(reloaded)
  const big = await cache.get('big', async () => bytes(26))
  assert.equal(big?.length, 26)
  let again = false
  await cache.get('big', async () => { again = true; return bytes(26) })
  assert.ok(again, 'too big to keep')
})

test('nothing is kept for a load that finds nothing or fails; forget(prefix) frees a share at once', async () => {
  const cache = new BytesCache(1000)
  assert.equal(await cache.get('x:json:v', async () => undefined), undefined)
  await assert.rejects(cache.get('x:html:v', async () => { throw new Error('database away') }), /database away/)
  assert.equal(cache.size, 0)
  await cache.get('x:json:v', async () => bytes(5))
  await cache.get('x:html:v.p', async () => bytes(7))
  await cache.get('xy:json:v', async () => bytes(3))
  cache.forget('x:')
  assert.equal(cache.size, 3, 'only the other share is left')
})
