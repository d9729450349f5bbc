/**
 * The PostgreSQL store against a real PostgreSQL (a throwaway cluster, pg-cluster.ts), a fresh
 * database per test: what it writes (rows, never the secret), what each call reads (its own
 * counters), transactions, the schema's migrations, stale caches, and a database that goes away.
 */
import { after, before, test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { PgShareStore, type PgStoreOptions } from '../../lib/server/store-pg.js'
import { SCHEMA_TABLE, SCHEMA_VERSION, SHARES_TABLE } from '../../lib/server/store-pg-schema.js'
import { StoreUnavailableError, hashSecret, newShareId } from '../../lib/server/share-store.js'
import type { ShareDocument } from '../../lib/share/document.js'
import { rejectsWith } from '../helpers.js'
import { startPgCluster, type PgCluster } from './pg-cluster.js'
import { loadDoc, withTitle } from './docs.js'

let cluster: PgCluster
before(async () => { cluster = await startPgCluster() })
after(() => cluster?.destroy())

/** The database a connection string names. */
const nameOf = (url: string): string => url.slice(url.indexOf('@/') + 2, url.indexOf('?'))

async function connect(t: TestContext, url: string, options: PgStoreOptions = {}): Promise<PgShareStore> {
  const store = await PgShareStore.connect(url, options)
  t.after(() => store.close())
  return store
}

async function fresh(t: TestContext, options: PgStoreOptions = {}): Promise<{ store: PgShareStore, url: string }> {
  const url = await cluster.createDatabase()
  return { store: await connect(t, url, options), url }
}

async function readAll(stream: NodeJS.ReadableStream | undefined): Promise<string> {
  assert.ok(stream !== undefined)
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer))
  return Buffer.concat(chunks).toString('utf8')
}

test('create stores one row: the secret hash (never the secret), the prepared JSON and page; get reads it back', async (t) => {
  const { store, url } = await fresh(t)
  const doc = await loadDoc()
  const { id, secret } = await store.create(doc)
  const rows = await cluster.query<Record<string, unknown>>(`SELECT * FROM ${SHARES_TABLE}`, [], nameOf(url))
  assert.equal(rows.length, 1)
  const row = rows[0]!
  assert.equal(row.id, id)
  assert.equal(row.secret_hash, hashSecret(secret))
  assert.equal((row.json as Buffer).toString(), JSON.stringify(doc))
  assert.equal(row.json_bytes, (row.json as Buffer).length)
  for (const value of Object.values(row)) assert.ok(!String(value).includes(secret), 'the secret itself is never stored')
  const head = await store.record(id)
  assert.deepEqual(head, { version: row.version, page: row.page, jsonBytes: row.json_bytes, htmlBytes: row.html_bytes })
  assert.deepEqual((await store.get(id))?.document, doc)
  assert.equal(await readAll(await store.open(id, head!, 'json')), JSON.stringify(doc))
  assert.match(await readAll(await store.open(id, head!, 'html')), /<h1>Fix the flaky retry test<\/h1>/)
  assert.equal(await store.record(newShareId()), undefined)
  assert.equal(await store.get(newShareId()), undefined)
})

test('check reads the secret hash alone: a wrong secret never fetches a document byte', async (t) => {
  const { store } = await fresh(t)
  const { id, secret } = await store.create(await loadDoc())
  const before = { ...store.stats }
  assert.equal(await store.check(id, 'wrong'), 'forbidden')
  assert.equal(await store.check(id, undefined), 'forbidden')
  assert.equal(await store.check(id, secret), 'ok')
  assert.equal(await store.check(newShareId(), secret), 'not-found')
  assert.deepEqual(store.stats, { ...before, recordReads: before.recordReads + 4 })
  assert.equal(await store.replace(id, 'wrong', await loadDoc()), 'forbidden')
  assert.equal(await store.remove(id, 'wrong'), 'forbidden')
  assert.equal(store.stats.documentReads, before.documentReads)
})

test('replace and remove check the secret in their transaction; a removed share is gone for every store at once', async (t) => {
  const { store: a, url } = await fresh(t)
  const b = await connect(t, url)
  const doc = await loadDoc()
  const { id, secret } = await a.create(doc)
  // B holds the bytes in memory; A replaces them: B reads the new head, and its cache is asked for that version only.
  const first = (await b.record(id))!
  assert.equal(await readAll(await b.open(id, first, 'json')), JSON.stringify(doc))
  assert.equal(await a.replace(id, secret, withTitle(doc, 'next')), 'replaced')
  const second = (await b.record(id))!
  assert.notEqual(second.version, first.version)
  assert.deepEqual(JSON.parse(await readAll(await b.open(id, second, 'json'))), withTitle(doc, 'next'))
  // A store that holds nothing asks the database for the version it was given: a replaced one is gone (the route reads the head again).
  const c = await connect(t, url)
  assert.equal(await c.open(id, first, 'json'), undefined)
  assert.equal(await c.open(id, first, 'html'), undefined)
  // Removed on A: B has no head to serve its cached bytes with.
  assert.equal(await a.remove(id, secret), 'removed')
  assert.equal(await b.record(id), undefined)
  assert.equal(await b.check(id, secret), 'not-found')
  assert.equal(await b.replace(id, secret, doc), 'not-found')
  assert.equal(await b.remove(id, secret), 'not-found')
})

test('a sync racing a delete on two stores cannot bring the share back', async (t) => {
  const { store: a, url } = await fresh(t)
  const b = await connect(t, url)
  const doc = await loadDoc()
  for (let round = 0; round < 10; round++) {
    const { id, secret } = await a.create(doc)
    const [replaced, removed] = await Promise.all([b.replace(id, secret, withTitle(doc, `r${round}`)), a.remove(id, secret)])
    assert.equal(removed, 'removed')
    assert.ok(replaced === 'replaced' || replaced === 'not-found', replaced)
    assert.equal(await a.record(id), undefined)
    assert.equal(await b.record(id), undefined)
  }
})

test('ids are checked before any statement; hostile text in documents is stored as data', async (t) => {
  const { store } = await fresh(t)
  for (const bad of ["x' OR '1'='1", '__proto__', '../../etc/passwd', `${newShareId()}'; DROP TABLE ${SHARES_TABLE}; --`, '']) {
    await rejectsWith(store.record(bad), 'ERR_INVALID_ID')
    await rejectsWith(store.remove(bad, 'x'), 'ERR_INVALID_ID')
    await rejectsWith(store.replace(bad, 'x', await loadDoc()), 'ERR_INVALID_ID')
  }
  const doc = await loadDoc()
  const hostile = JSON.parse(JSON.stringify({
    ...doc, info: { ...doc.info, title: `'); DROP TABLE ${SHARES_TABLE}; -- \\ $1 \u0000`, __proto__: { polluted: true } },
  })) as ShareDocument
  const { id } = await store.create(hostile)
  assert.deepEqual((await store.get(id))?.document, hostile)
  assert.equal(({} as Record<string, unknown>).polluted, undefined)
  assert.ok(await store.has(id))
})

test('servers starting at once migrate the schema once, in turns; a newer schema is refused', async (t) => {
  const url = await cluster.createDatabase()
  const stores = await Promise.all(Array.from({ length: 6 }, () => PgShareStore.connect(url, { poolSize: 2 })))
  t.after(() => Promise.all(stores.map(s => s.close())))
  const name = nameOf(url)
  assert.deepEqual(await cluster.query(`SELECT version FROM ${SCHEMA_TABLE} ORDER BY version`, [], name), Array.from({ length: SCHEMA_VERSION }, (_, i) => ({ version: i + 1 })))
  const { id } = await stores[0]!.create(await loadDoc())
  assert.ok(await stores[5]!.record(id))
  await cluster.query(`INSERT INTO ${SCHEMA_TABLE} (version) VALUES ($1)`, [SCHEMA_VERSION + 1], name)
  await assert.rejects(PgShareStore.connect(url), (error: Error) => error instanceof StoreUnavailableError && /newer than this server's/.test(error.message))
})

test('the pool is bounded: many requests at once use at most poolSize connections', async (t) => {
  const { store, url } = await fresh(t, { poolSize: 3 })
  const { id } = await store.create(await loadDoc())
  const name = nameOf(url)
  const peak = { value: 0 }
  const watch = setInterval(() => {
    void cluster.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = $2', [name, 'session-journal share server'])
      .then(rows => { peak.value = Math.max(peak.value, rows[0]!.n) }, () => undefined)
  }, 5)
  await Promise.all(Array.from({ length: 200 }, () => store.check(id, 'wrong')))
  clearInterval(watch)
  const now = await cluster.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = $2', [name, 'session-journal share server'])
  assert.ok(now[0]!.n <= 3 && peak.value <= 3, `${now[0]!.n} now, ${peak.value} at most`)
  assert.ok(now[0]!.n >= 1)
})

test('a page rendered with other settings is rendered again once, from the stored document', async (t) => {
  const { store: first, url } = await fresh(t)
  const { id } = await first.create(await loadDoc())
  const original = (await first.record(id))!
  const second = await connect(t, url, { page: { maxPageBytes: 1024 * 1024 } })
  const before = { ...second.stats }
  const heads = await Promise.all(Array.from({ length: 5 }, () => second.pageRecord(id)))
  assert.equal(second.stats.documentParses, before.documentParses + 1, 'rendered once for five requests')
  assert.ok(heads.every(head => head?.page === heads[0]?.page))
  assert.notEqual(heads[0]!.page, original.page)
  assert.equal(heads[0]!.version, original.version)
  assert.equal((await second.pageRecord(id))?.page, heads[0]!.page, 'and stored: the next request renders nothing')
  assert.equal(second.stats.documentParses, before.documentParses + 1)
  assert.match(await readAll(await second.open(id, heads[0]!, 'html')), /<h1>Fix the flaky retry test<\/h1>/)
})

test('a database that goes away: StoreUnavailableError, then the same store works again once it is back', async (t) => {
  const { store } = await fresh(t, { connectTimeoutMs: 2_000 })
  const doc = await loadDoc()
  const { id, secret } = await store.create(doc)
  await store.health()
  await cluster.stop()
  try {
    for (const attempt of [() => store.health(), () => store.record(id), () => store.check(id, secret), () => store.remove(id, secret), () => store.create(doc)]) {
      await assert.rejects(attempt(), (error: Error) => error instanceof StoreUnavailableError && error.code === 'ERR_STORE_UNAVAILABLE')
    }
  } finally {
    await cluster.start()
  }
  await store.health()
  assert.equal(await store.check(id, secret), 'ok')
  assert.equal(await store.remove(id, secret), 'removed')
})

test('a server that cannot reach the database at start is refused with StoreUnavailableError', async () => {
  await assert.rejects(PgShareStore.connect(`postgres://postgres@/nothing?host=${cluster.dir}/missing`, { connectTimeoutMs: 1_000 }),
    (error: Error) => error instanceof StoreUnavailableError)
})

test('put stores a share under its own id once: a second put of the id is "exists" and changes nothing', async (t) => {
  const { store } = await fresh(t)
  const doc = await loadDoc()
  const id = newShareId()
  const share = { id, secretHash: hashSecret('s'), created: '2024-01-01T00:00:00.000Z', updated: '2024-01-02T00:00:00.000Z', document: doc }
  assert.equal(await store.put(share), 'copied')
  assert.equal(await store.put({ ...share, secretHash: hashSecret('other'), document: withTitle(doc, 'other') }), 'exists')
  const got = await store.get(id)
  assert.deepEqual(got, { secretHash: hashSecret('s'), created: share.created, updated: share.updated, document: doc })
  assert.equal(await store.check(id, 's'), 'ok')
  await rejectsWith(store.put({ ...share, id: 'not an id' }), 'ERR_INVALID_ID')
})
