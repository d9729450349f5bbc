/**
 * The routes over a real store and a real node:http server on loopback, with
 * the store's read counters in view: they pin what each request may cost
 * (a wrong secret reads one small record, a GET never parses a document).
 */
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { Limiter } from '../../lib/server/limit.js'
import { MAX_DOCUMENT_DEPTH, SMALL_ANSWER_BYTES, shareRoutes } from '../../lib/server/routes.js'
import { DiskShareStore } from '../../lib/server/store.js'
import { VIEWER_CSP } from '../../lib/server/viewer.js'
import type { ShareDocument } from '../../lib/share/document.js'
import { tempDir } from '../helpers.js'
import { loadDoc } from './docs.js'

interface Setup { url: string, store: DiskShareStore, work: Limiter, streams: Limiter, doc: ShareDocument }

async function setup(t: TestContext, limits: { work?: Limiter, streams?: Limiter, dir?: string } = {}): Promise<Setup> {
  const store = new DiskShareStore(limits.dir ?? join(tempDir(t, 'sj-routes-'), 'store'))
  await store.init()
  const work = limits.work ?? new Limiter('work', 2, 8, 10_000)
  const streams = limits.streams ?? new Limiter('streams', 8, 8, 10_000)
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const handle = shareRoutes(store, { publicBase: url, maxBodyBytes: 16 * 1024 * 1024, bodyTimeoutMs: 10_000, work, streams })
  server.on('request', (req, res) => { void handle(req, res) })
  t.after(() => new Promise<void>(resolve => {
    server.close(() => resolve())
    server.closeAllConnections()
  }))
  return { url, store, work, streams, doc: await loadDoc() }
}

const json = { 'content-type': 'application/json' }

async function publish(url: string, doc: unknown): Promise<{ id: string, secret: string }> {
  const response = await fetch(`${url}/api/share`, { method: 'POST', headers: json, body: JSON.stringify(doc) })
  assert.equal(response.status, 201, await response.clone().text())
  return await response.json() as { id: string, secret: string }
}

async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code
}

/** A document whose text makes it about `bytes` long. */
function bigDoc(doc: ShareDocument, bytes: number): ShareDocument {
  const text = 'lorem ipsum dolor sit amet '.repeat(Math.ceil(bytes / 27))
  return { ...doc, messages: [{ id: 'm1', role: 'user', created: doc.info.created, parts: [{ id: 'p1', type: 'text', text }] }] }
}

test('a wrong secret costs at most one small record read: no document byte is read, however many ask', async (t) => {
  const first = await setup(t)
  const { id } = await publish(first.url, bigDoc(first.doc, 1024 * 1024))
  const wrongSyncs = (url: string): Promise<Response[]> => Promise.all(Array.from({ length: 50 }, (_, i) => fetch(`${url}/api/share/${id}/sync`, {
    method: 'POST', headers: { ...json, authorization: `Bearer wrong${i}` }, body: i % 2 === 0 ? '' : JSON.stringify(first.doc),
  })))
  // A server that just wrote the share knows its record: nothing is read at all.
  const before = { ...first.store.stats }
  for (const answer of await wrongSyncs(first.url)) assert.equal(await errorCode(answer), 'ERR_FORBIDDEN')
  assert.deepEqual(first.store.stats, before)
  // A server started on the store since (nothing in memory) reads the small record, never the document.
  const cold = await setup(t, { dir: first.store.dir })
  for (const answer of await wrongSyncs(cold.url)) assert.equal(await errorCode(answer), 'ERR_FORBIDDEN')
  assert.equal(cold.store.stats.documentReads, 0)
  assert.equal(cold.store.stats.documentParses, 0)
  assert.ok(cold.store.stats.recordReads >= 1 && cold.store.stats.recordReads <= 50, String(cold.store.stats.recordReads))
  for (const answer of await wrongSyncs(cold.url)) assert.equal(await errorCode(answer), 'ERR_FORBIDDEN')
  assert.ok(cold.store.stats.recordReads <= 50, 'then it is remembered')
})

test('a 403 before the upload closes the connection instead of draining the body', async (t) => {
  const { url, doc } = await setup(t)
  const { id } = await publish(url, doc)
  const answer = await new Promise<{ status: number, connection: string | undefined }>((resolve, reject) => {
    const req = request(`${url}/api/share/${id}/sync`, { method: 'POST', headers: { ...json, authorization: 'Bearer wrong', 'content-length': 10_000_000 } }, res => {
      res.resume()
      resolve({ status: res.statusCode ?? 0, connection: res.headers.connection })
    })
    req.on('error', reject)
    req.write('{"format":') // the rest never comes: only an answer that does not wait for it arrives
  })
  assert.deepEqual(answer, { status: 403, connection: 'close' })
})

test('GETs of the document and the page stream prepared bytes: nothing is parsed or rendered per request', async (t) => {
  const { url, store, doc } = await setup(t)
  const { id } = await publish(url, doc)
  const before = { ...store.stats }
  for (let i = 0; i < 5; i++) {
    assert.deepEqual(await (await fetch(`${url}/api/share/${id}`)).json(), doc)
    assert.match(await (await fetch(`${url}/s/${id}`)).text(), /<h1>Fix the flaky retry test<\/h1>/)
  }
  assert.equal(store.stats.documentParses, before.documentParses)
  assert.equal(store.stats.documentReads, before.documentReads + 10)
})

test('ETag and If-None-Match: 304 without opening a file; a sync changes the tag', async (t) => {
  const { url, store, doc } = await setup(t)
  const { id, secret } = await publish(url, doc)
  for (const path of [`/api/share/${id}`, `/s/${id}`]) {
    const first = await fetch(`${url}${path}`)
    const etag = first.headers.get('etag') ?? ''
    assert.match(etag, /^"[0-9a-f]{32}(\.[0-9a-f]{12})?"$/)
    await first.body?.cancel()
    const reads = store.stats.documentReads
    for (const tag of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const again = await fetch(`${url}${path}`, { headers: { 'if-none-match': tag } })
      assert.equal(again.status, 304, tag)
      assert.equal(again.headers.get('etag'), etag)
      assert.equal(await again.text(), '')
    }
    const head = await fetch(`${url}${path}`, { method: 'HEAD' })
    assert.equal(head.status, 200)
    assert.equal(Number(head.headers.get('content-length')) > 0, true)
    assert.equal(store.stats.documentReads, reads, '304 and HEAD answer from the record')
    assert.equal((await fetch(`${url}${path}`, { headers: { 'if-none-match': '"stale"' } })).status, 200)
  }
  const oldTag = (await fetch(`${url}/api/share/${id}`, { method: 'HEAD' })).headers.get('etag') ?? ''
  const next = { ...doc, info: { ...doc.info, title: 'Renamed' } }
  const synced = await fetch(`${url}/api/share/${id}/sync`, { method: 'POST', headers: { ...json, authorization: `Bearer ${secret}` }, body: JSON.stringify(next) })
  assert.equal(synced.status, 200)
  const fresh = await fetch(`${url}/api/share/${id}`, { headers: { 'if-none-match': oldTag } })
  assert.equal(fresh.status, 200)
  assert.notEqual(fresh.headers.get('etag'), oldTag)
  assert.deepEqual(await fresh.json(), next)
})

test('past the work limit and its queue a publish gets 503 with Retry-After; reads go on', async (t) => {
  const { url, work, doc } = await setup(t, { work: new Limiter('work', 1, 0, 10_000) })
  const { id } = await publish(url, doc)
  // A publish that holds the one slot: its body is half sent.
  const body = JSON.stringify(doc)
  let finish!: () => void
  const held = new Promise<number>((resolve, reject) => {
    const req = request(`${url}/api/share`, { method: 'POST', headers: { ...json, 'content-length': Buffer.byteLength(body) } }, res => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('error', reject)
    req.write(body.slice(0, 10))
    finish = () => req.end(body.slice(10))
  })
  for (let i = 0; i < 500 && work.active === 0; i++) await new Promise(resolve => setTimeout(resolve, 2))
  assert.equal(work.active, 1)

  const refused = await fetch(`${url}/api/share`, { method: 'POST', headers: json, body })
  assert.equal(refused.status, 503)
  assert.equal(refused.headers.get('retry-after'), '5')
  assert.equal(await errorCode(refused), 'ERR_BUSY')
  assert.equal((await fetch(`${url}/api/share/${id}`)).status, 200)
  assert.equal((await fetch(`${url}/s/${id}`)).status, 200)

  finish()
  assert.equal(await held, 201)
  await publish(url, doc)
})

test('small answers skip the streams queue; a large one needs a slot, else 503 with Retry-After', async (t) => {
  const { url, doc } = await setup(t, { streams: new Limiter('streams', 0, 0, 10_000) })
  const small = await publish(url, doc)
  const large = await publish(url, bigDoc(doc, 2 * SMALL_ANSWER_BYTES))
  assert.equal((await fetch(`${url}/api/share/${small.id}`)).status, 200)
  const refused = await fetch(`${url}/api/share/${large.id}`)
  assert.equal(refused.status, 503)
  assert.equal(refused.headers.get('retry-after'), '5')
  assert.equal(await errorCode(refused), 'ERR_BUSY')
})

test('a browser opening a link that is not shared gets a small page: 404, the strict CSP, no script', async (t) => {
  const { url, doc } = await setup(t)
  const { id, secret } = await publish(url, doc)
  assert.equal((await fetch(`${url}/api/share/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${secret}` } })).status, 204)
  for (const path of [`/s/${id}`, '/s/AAAAAAAAAAAAAAAAAAAAAA', '/s/not-an-id']) {
    const page = await fetch(`${url}${path}`, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } })
    assert.equal(page.status, 404)
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8')
    assert.equal(page.headers.get('content-security-policy'), VIEWER_CSP)
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff')
    const html = await page.text()
    assert.match(html, /^<!doctype html>/)
    assert.match(html, /no longer shared/)
    assert.doesNotMatch(html, /<script/i)
    const head = await fetch(`${url}${path}`, { method: 'HEAD' })
    assert.equal(head.status, 404)
    assert.equal(await head.text(), '')
  }
  // API clients keep their JSON.
  for (const [path, accept] of [[`/s/${id}`, 'application/json'], [`/api/share/${id}`, 'text/html']] as const) {
    const answer = await fetch(`${url}${path}`, { headers: { accept } })
    assert.equal(answer.status, 404)
    assert.equal(await errorCode(answer), 'ERR_NOT_FOUND')
  }
})

test(`every nesting depth past ${MAX_DOCUMENT_DEPTH} is 400 ERR_INVALID_DOCUMENT, for publish and sync alike`, async (t) => {
  const { url, doc } = await setup(t)
  const { id, secret } = await publish(url, doc)
  // The part sits at level 5 (document, messages, message, parts, part); `deep` adds `levels` arrays.
  const nested = (levels: number): string => {
    const base = JSON.stringify({ ...doc, messages: [{ id: 'm', role: 'user', created: doc.info.created, parts: [{ id: 'p', type: 'x.deep', deep: 0 }] }] })
    return base.replace('"deep":0', `"deep":${'['.repeat(levels)}${']'.repeat(levels)}`)
  }
  const atLimit = await fetch(`${url}/api/share`, { method: 'POST', headers: json, body: nested(MAX_DOCUMENT_DEPTH - 5) })
  assert.equal(atLimit.status, 201)
  await atLimit.body?.cancel()
  for (const depth of [MAX_DOCUMENT_DEPTH + 1, 1000, 4106, 4107, 4108, 4109, 5000, 10_000, 100_000]) {
    const body = nested(depth - 5)
    const published = await fetch(`${url}/api/share`, { method: 'POST', headers: json, body })
    assert.equal(published.status, 400, `publish at depth ${depth}`)
    assert.equal(await errorCode(published), 'ERR_INVALID_DOCUMENT')
    const synced = await fetch(`${url}/api/share/${id}/sync`, { method: 'POST', headers: { ...json, authorization: `Bearer ${secret}` }, body })
    assert.equal(synced.status, 400, `sync at depth ${depth}`)
    assert.equal(await errorCode(synced), 'ERR_INVALID_DOCUMENT')
  }
  assert.deepEqual(await (await fetch(`${url}/api/share/${id}`)).json(), doc)
})
