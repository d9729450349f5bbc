import { test } from 'node:test'
import assert from 'node:assert/strict'
import { hashSecret } from '../../lib/server/share-store.js'
import { RecordCache, type ShareRecordFile } from '../../lib/server/store-files.js'

const record = (version: string): ShareRecordFile => ({
  store: 2, secretHash: hashSecret('s'), created: 'c', updated: 'u', version, jsonBytes: 1, page: 'a'.repeat(12), htmlBytes: 1,
})

/** A load the test finishes when it wants: a disk read still under way. */
function pending(): { load: () => Promise<ShareRecordFile | undefined>, finish: (value: ShareRecordFile | undefined) => void } {
  let finish!: (value: ShareRecordFile | undefined) => void
  const result = new Promise<ShareRecordFile | undefined>(resolve => { finish = resolve })
  return { load: () => result, finish }
}

test('RecordCache: a read that overlapped a change is not kept, so a removed share cannot come back', async () => {
  const cache = new RecordCache(10)
  const slow = pending()
  const reading = cache.read('id', slow.load)
  cache.changed('id', undefined) // removed while the read was under way
  slow.finish(record('1'.repeat(32))) // the read saw the file before it went
  assert.equal((await reading as ShareRecordFile).version, '1'.repeat(32))
  assert.equal(await cache.read('id', async () => undefined), undefined, 'the next read goes to disk')

  const fresh = pending()
  const second = cache.read('id', fresh.load)
  fresh.finish(record('2'.repeat(32)))
  await second
  assert.equal((await cache.read('id', async () => undefined) as ShareRecordFile).version, '2'.repeat(32), 'a quiet read is kept')
  cache.changed('id', record('3'.repeat(32)))
  assert.equal((await cache.read('id', async () => undefined) as ShareRecordFile).version, '3'.repeat(32), 'a write is kept')
  cache.forget('id')
  assert.equal(await cache.read('id', async () => undefined), undefined)
})

test('RecordCache keeps at most `max` records, dropping the least recently used', async () => {
  const cache = new RecordCache(2)
  const loads: string[] = []
  const load = (id: string) => async () => { loads.push(id); return record(id.repeat(32)) }
  await cache.read('a', load('a'))
  await cache.read('b', load('b'))
  await cache.read('a', load('a')) // a is now the most recent
  await cache.read('c', load('c')) // b goes
  await cache.read('a', load('a'))
  await cache.read('b', load('b'))
  assert.deepEqual(loads, ['a', 'b', 'c', 'b'])
})
