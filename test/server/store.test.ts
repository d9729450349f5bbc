import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { DiskShareStore } from '../../lib/server/store.js'
import { StoreUnavailableError, hashSecret, newShareId, newShareSecret, type StoredShare } from '../../lib/server/share-store.js'
import type { ShareDocument } from '../../lib/share/document.js'
import { rejectsWith, tempDir } from '../helpers.js'
import { loadDoc, withTitle } from './docs.js'

async function storeIn(t: TestContext, options: ConstructorParameters<typeof DiskShareStore>[1] = {}): Promise<DiskShareStore> {
  const store = new DiskShareStore(join(tempDir(t, 'sj-store-'), 'store'), options)
  await store.init()
  return store
}

/** A share as version 1 of the store wrote it: everything in `<id>.json`. */
async function plantLegacy(dir: string, document: ShareDocument): Promise<{ id: string, secret: string }> {
  const id = newShareId()
  const secret = newShareSecret()
  const old: StoredShare = { secretHash: hashSecret(secret), created: '2024-01-01T00:00:00.000Z', updated: '2024-01-02T00:00:00.000Z', document }
  await writeFile(join(dir, `${id}.json`), JSON.stringify(old), { mode: 0o600 })
  return { id, secret }
}

test('create writes a small record and the prepared document and page; get reads them back', async (t) => {
  const store = await storeIn(t)
  const doc = await loadDoc()
  const { id, secret } = await store.create(doc)
  const record = await store.record(id)
  assert.ok(record !== undefined)
  assert.equal(record.secretHash, hashSecret(secret))
  assert.deepEqual((await readdir(store.dir)).sort(), [`${id}.${record.version}.${record.page}.html`, `${id}.${record.version}.document`, `${id}.json`].sort())
  assert.equal(record.jsonBytes, Buffer.byteLength(JSON.stringify(doc)))
  const got = await store.get(id)
  assert.deepEqual(got?.document, doc)
  assert.equal(await store.check(id, secret), 'ok')
  assert.equal(await store.check(id, 'wrong'), 'forbidden')
  assert.equal(await store.check(newShareId(), secret), 'not-found')
  await rejectsWith(store.record('../etc/passwd'), 'ERR_INVALID_ID')
})

test('replace leaves only the new prepared files; the same document again keeps them', async (t) => {
  const store = await storeIn(t)
  const doc = await loadDoc()
  const { id, secret } = await store.create(doc)
  assert.equal(await store.replace(id, secret, withTitle(doc, 'next')), 'replaced')
  const record = (await store.record(id))!
  const expected = [`${id}.${record.version}.${record.page}.html`, `${id}.${record.version}.document`, `${id}.json`].sort()
  assert.deepEqual((await readdir(store.dir)).sort(), expected)
  assert.equal(await store.replace(id, secret, withTitle(doc, 'next')), 'replaced')
  assert.deepEqual((await readdir(store.dir)).sort(), expected)
  assert.equal(await store.replace(id, 'wrong', doc), 'forbidden')
  assert.equal(await store.remove(id, secret), 'removed')
  assert.deepEqual(await readdir(store.dir), [])
  assert.equal(await store.replace(id, secret, doc), 'not-found')
})

test('a share written by the previous store version is converted once, on first use, and serves as before', async (t) => {
  const store = await storeIn(t)
  const doc = await loadDoc()
  const { id, secret } = await plantLegacy(store.dir, doc)
  // Many at once: one conversion, the others wait for it.
  const records = await Promise.all(Array.from({ length: 10 }, () => store.record(id)))
  assert.equal(store.stats.documentParses, 1)
  for (const record of records) assert.deepEqual(record, records[0])
  const record = records[0]!
  assert.equal(record.created, '2024-01-01T00:00:00.000Z')
  assert.equal(record.updated, '2024-01-02T00:00:00.000Z')
  assert.equal(await store.check(id, secret), 'ok')
  assert.equal(await store.check(id, 'wrong'), 'forbidden')
  assert.deepEqual((await store.get(id))?.document, doc)
  assert.equal((await readdir(store.dir)).length, 3)
  assert.ok((await readFile(join(store.dir, `${id}.json`), 'utf8')).length < 1024)
})

test('a large old share is recognized by its size, without reading it as a record', async (t) => {
  const store = await storeIn(t)
  const doc = await loadDoc()
  const big = { ...doc, messages: [{ id: 'm', role: 'user' as const, created: doc.info.created, parts: [{ id: 'p', type: 'text', text: 'x'.repeat(200_000) }] }] }
  const { id, secret } = await plantLegacy(store.dir, big)
  assert.equal(await store.replace(id, secret, doc), 'replaced')
  assert.deepEqual((await store.get(id))?.document, doc)
  assert.equal((await readdir(store.dir)).length, 3)
})

test('old shares with a wrong secret are refused for remove, and removed with the right one', async (t) => {
  const store = await storeIn(t)
  const { id, secret } = await plantLegacy(store.dir, await loadDoc())
  assert.equal(await store.remove(id, 'wrong'), 'forbidden')
  assert.equal(await store.remove(id, secret), 'removed')
  assert.deepEqual(await readdir(store.dir), [])
})

test('a page rendered with other settings is rendered again once, from the stored document', async (t) => {
  const first = await storeIn(t)
  const doc = await loadDoc()
  const { id } = await first.create(doc)
  const old = (await first.record(id))!
  const second = new DiskShareStore(first.dir, { page: { maxPageBytes: 1024 * 1024 } })
  await second.init()
  assert.equal((await second.record(id))?.page, old.page, 'the JSON does not need the page')
  const records = await Promise.all([second.pageRecord(id), second.pageRecord(id), second.pageRecord(id)])
  assert.equal(second.stats.documentParses, 1)
  assert.notEqual(records[0]?.page, old.page)
  assert.equal(records[0]?.version, old.version)
  assert.deepEqual((await readdir(first.dir)).sort(), [`${id}.${old.version}.${records[0]!.page}.html`, `${id}.${old.version}.document`, `${id}.json`].sort())
  await second.pageRecord(id)
  assert.equal(second.stats.documentParses, 1)
})

test('init removes temp files a killed writer left, and prepared files no record points to', async (t) => {
  const store = await storeIn(t)
  const doc = await loadDoc()
  const { id, secret } = await store.create(doc)
  const kept = (await readdir(store.dir)).sort()
  const record = (await store.record(id))!
  // A SIGKILL mid-write leaves the atomic write's temp file; a crash mid-sync leaves files of a version never recorded.
  const orphans = [
    `.${id}.json.0123456789ab.tmp`,
    `.${id}.${'f'.repeat(32)}.document.ba9876543210.tmp`,
    `${id}.${'f'.repeat(32)}.document`,
    `${id}.${'f'.repeat(32)}.${record.page}.html`,
    `${newShareId()}.${'e'.repeat(32)}.document`,
  ]
  for (const name of orphans) await writeFile(join(store.dir, name), 'partial')
  await mkdir(join(store.dir, 'unrelated'))
  await writeFile(join(store.dir, 'README'), 'an operator note')

  const restarted = new DiskShareStore(store.dir)
  assert.deepEqual((await restarted.init()).sort(), orphans.sort())
  assert.deepEqual((await readdir(store.dir)).sort(), [...kept, 'README', 'unrelated'].sort())
  assert.equal(await restarted.replace(id, secret, doc), 'replaced')
  assert.deepEqual((await restarted.init()), [])
})

test('health() passes while the folder can be used, and is StoreUnavailableError once it is gone', async (t) => {
  const store = await storeIn(t)
  await store.health()
  await rm(store.dir, { recursive: true })
  await assert.rejects(store.health(), (error: Error) => error instanceof StoreUnavailableError && error.code === 'ERR_STORE_UNAVAILABLE')
})
