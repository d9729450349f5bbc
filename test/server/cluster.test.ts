/**
 * The share server as a service over either store, through HTTP: the same routes answer the
 * same for the disk store and PostgreSQL; several servers (in this process with their own
 * pools, and one in a child process) over one database act as one; a database restart in the
 * middle of traffic is 503 for a while, never a crash, and then it serves again.
 */
import { after, before, test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { startShareServer, type ShareServer, type ShareServerOptions } from '../../lib/server/server.js'
import { SHARES_TABLE } from '../../lib/server/store-pg-schema.js'
import { VIEWER_CSP } from '../../lib/server/viewer.js'
import type { ShareDocument } from '../../lib/share/document.js'
import { repoRoot, tempDir } from '../helpers.js'
import { startPgCluster, type PgCluster } from './pg-cluster.js'
import { loadDoc, withTitle } from './docs.js'

let cluster: PgCluster
before(async () => { cluster = await startPgCluster() })
after(() => cluster?.destroy())

const STORES = ['disk', 'postgres'] as const
type Kind = typeof STORES[number]

const json = { 'content-type': 'application/json' }
const nameOf = (url: string): string => url.slice(url.indexOf('@/') + 2, url.indexOf('?'))

async function start(t: TestContext, options: ShareServerOptions): Promise<ShareServer> {
  const server = await startShareServer(options)
  t.after(() => server.close())
  return server
}

/** A server on a fresh store of `kind` (a temp folder, or a new database), and how many shares that store holds, looked at from outside. */
async function serverOn(t: TestContext, kind: Kind, options: ShareServerOptions = {}): Promise<ShareServer & { shares: () => Promise<number> }> {
  if (kind === 'disk') {
    const dir = join(tempDir(t, 'sj-cluster-'), 'store')
    const server = await start(t, { dir, ...options })
    return Object.assign(server, { shares: async () => (await readdir(dir)).filter(name => /^[\w-]{22}\.json$/.test(name)).length })
  }
  const database = await cluster.createDatabase()
  const server = await start(t, { store: database, ...options })
  return Object.assign(server, { shares: async () => (await cluster.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${SHARES_TABLE}`, [], nameOf(database)))[0]!.n })
}

async function publish(url: string, doc: unknown): Promise<{ id: string, secret: string, url: string }> {
  const response = await fetch(`${url}/api/share`, { method: 'POST', headers: json, body: JSON.stringify(doc) })
  assert.equal(response.status, 201, await response.clone().text())
  return await response.json() as { id: string, secret: string, url: string }
}

const sync = (url: string, id: string, secret: string, doc: unknown): Promise<Response> =>
  fetch(`${url}/api/share/${id}/sync`, { method: 'POST', headers: { ...json, authorization: `Bearer ${secret}` }, body: JSON.stringify(doc) })
const unshare = (url: string, id: string, secret: string): Promise<Response> =>
  fetch(`${url}/api/share/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${secret}` } })

async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code
}

/** What `/s/:id` and `/api/share/:id` answer now, with the title they show. */
async function view(url: string, id: string): Promise<{ page: number, json: number, title?: string }> {
  const page = await fetch(`${url}/s/${id}`)
  const body = await fetch(`${url}/api/share/${id}`)
  const doc = body.status === 200 ? await body.json() as ShareDocument : (await body.text(), undefined)
  await page.text()
  return { page: page.status, json: body.status, ...(doc ? { title: doc.info.title ?? '' } : {}) }
}

for (const kind of STORES) {
  test(`${kind}: publish, read, sync, unshare; then 404 everywhere, and the HTML "no longer shared" page`, async (t) => {
    const server = await serverOn(t, kind)
    const doc = await loadDoc()
    const { id, secret } = await publish(server.url, doc)
    assert.deepEqual(await view(server.url, id), { page: 200, json: 200, title: doc.info.title })
    const page = await fetch(`${server.url}/s/${id}`)
    assert.equal(page.headers.get('content-security-policy'), VIEWER_CSP)
    assert.match(await page.text(), /<h1>Fix the flaky retry test<\/h1>/)
    assert.equal((await sync(server.url, id, secret, withTitle(doc, 'synced'))).status, 200)
    assert.deepEqual(await view(server.url, id), { page: 200, json: 200, title: 'synced' })
    assert.equal((await unshare(server.url, id, secret)).status, 204)
    assert.deepEqual(await view(server.url, id), { page: 404, json: 404 })
    const gone = await fetch(`${server.url}/s/${id}`, { headers: { accept: 'text/html' } })
    assert.equal(gone.headers.get('content-type'), 'text/html; charset=utf-8')
    assert.match(await gone.text(), /no longer shared/)
    assert.equal((await sync(server.url, id, secret, doc)).status, 404)
    assert.equal((await unshare(server.url, id, secret)).status, 404)
  })

  test(`${kind}: a wrong secret is 403 before any document byte is read or parsed`, async (t) => {
    const server = await serverOn(t, kind)
    const doc = await loadDoc()
    const { id, secret } = await publish(server.url, doc)
    const before = { ...server.store.stats }
    for (const attempt of [sync(server.url, id, 'wrong', doc), unshare(server.url, id, 'wrong'), sync(server.url, id, '', doc)]) {
      const answer = await attempt
      assert.equal(answer.status, 403)
      assert.equal(await errorCode(answer), 'ERR_FORBIDDEN')
    }
    assert.equal(server.store.stats.documentReads, before.documentReads)
    assert.equal(server.store.stats.documentParses, before.documentParses)
    assert.ok(server.store.stats.recordReads - before.recordReads <= 3)
    assert.deepEqual(await view(server.url, id), { page: 200, json: 200, title: doc.info.title })
    assert.equal((await unshare(server.url, id, secret)).status, 204)
  })

  test(`${kind}: GETs serve prepared bytes (nothing parsed per request), with ETags: 304 when they match, a new tag after a sync`, async (t) => {
    const server = await serverOn(t, kind)
    const doc = await loadDoc()
    const { id, secret } = await publish(server.url, doc)
    const parses = server.store.stats.documentParses
    for (const path of [`/api/share/${id}`, `/s/${id}`]) {
      const first = await fetch(`${server.url}${path}`)
      const body = await first.arrayBuffer()
      const etag = first.headers.get('etag') ?? ''
      assert.match(etag, /^"[0-9a-f]{32}(\.[0-9a-f]{12})?"$/)
      for (const tag of [etag, `W/${etag}`, '*']) assert.equal((await fetch(`${server.url}${path}`, { headers: { 'if-none-match': tag } })).status, 304)
      const head = await fetch(`${server.url}${path}`, { method: 'HEAD' })
      assert.equal(Number(head.headers.get('content-length')), body.byteLength)
      const again = await fetch(`${server.url}${path}`)
      assert.deepEqual(Buffer.from(await again.arrayBuffer()), Buffer.from(body))
    }
    assert.equal(server.store.stats.documentParses, parses)
    const before = (await fetch(`${server.url}/api/share/${id}`, { method: 'HEAD' })).headers.get('etag') ?? ''
    assert.equal((await sync(server.url, id, secret, withTitle(doc, 'new'))).status, 200)
    const after = await fetch(`${server.url}/api/share/${id}`, { headers: { 'if-none-match': before } })
    assert.equal(after.status, 200)
    assert.notEqual(after.headers.get('etag'), before)
    assert.equal(((await after.json()) as ShareDocument).info.title, 'new')
  })

  test(`${kind}: GET /healthz names the store; it is read-only`, async (t) => {
    const server = await serverOn(t, kind)
    const health = await fetch(`${server.url}/healthz`)
    assert.equal(health.status, 200)
    assert.deepEqual(await health.json(), { ok: true, store: kind })
    assert.equal((await fetch(`${server.url}/healthz`, { method: 'HEAD' })).status, 200)
    const post = await fetch(`${server.url}/healthz`, { method: 'POST' })
    assert.equal(post.status, 405)
    assert.equal(post.headers.get('allow'), 'GET, HEAD')
  })

  test(`${kind}: hostile ids and bodies: SQL-ish ids are 404, __proto__ and quotes are data, a body past the limit is 413`, async (t) => {
    const server = await serverOn(t, kind, { maxBodyBytes: 64 * 1024 })
    for (const id of ["x'%20OR%20'1'='1", '__proto__', '%27%3B%20DROP%20TABLE%20x%3B--', 'A'.repeat(21) + "'"]) {
      assert.equal((await fetch(`${server.url}/api/share/${id}`)).status, 404, id)
      assert.equal((await sync(server.url, id, 'x', {})).status, 404, id)
    }
    const doc = await loadDoc()
    const hostile = JSON.parse(`{"__proto__":{"polluted":1},${JSON.stringify(withTitle(doc, `'); DROP TABLE ${SHARES_TABLE}; --`)).slice(1)}`) as ShareDocument
    const { id } = await publish(server.url, hostile)
    assert.deepEqual(await (await fetch(`${server.url}/api/share/${id}`)).json(), hostile)
    assert.equal(({} as Record<string, unknown>).polluted, undefined)
    const huge = withTitle(doc, 'x'.repeat(70 * 1024))
    const refused = await fetch(`${server.url}/api/share`, { method: 'POST', headers: json, body: JSON.stringify(huge) })
    assert.equal(refused.status, 413)
    assert.equal(await errorCode(refused), 'ERR_TOO_LARGE')
    const second = await publish(server.url, doc)
    assert.equal(await server.shares(), 2, 'nothing stored past the limit')
    assert.equal((await sync(server.url, second.id, second.secret, huge)).status, 413)
    assert.equal(await server.shares(), 2)
    assert.deepEqual(await view(server.url, second.id), { page: 200, json: 200, title: doc.info.title }, 'a sync past the limit changed nothing')
  })
}

test('three servers over one database are one service: publish on A, view on B, sync on C, unshare on B: 404 on A and C at once', async (t) => {
  const database = await cluster.createDatabase()
  const [a, b, c] = await Promise.all([0, 1, 2].map(() => start(t, { store: database, postgres: { poolSize: 2 } })))
  const doc = await loadDoc()
  const { id, secret, url } = await publish(a!.url, doc)
  assert.equal(url, `${a!.url}/s/${id}`)
  assert.deepEqual(await view(b!.url, id), { page: 200, json: 200, title: doc.info.title })
  assert.equal((await sync(c!.url, id, secret, withTitle(doc, 'from C'))).status, 200)
  for (const server of [a!, b!, c!]) assert.deepEqual(await view(server.url, id), { page: 200, json: 200, title: 'from C' })
  assert.equal((await sync(a!.url, id, 'wrong', doc)).status, 403)
  assert.equal((await unshare(b!.url, id, secret)).status, 204)
  for (const server of [a!, c!]) {
    assert.deepEqual(await view(server.url, id), { page: 404, json: 404 })
    assert.equal((await sync(server.url, id, secret, doc)).status, 404)
  }
  assert.deepEqual(await cluster.query(`SELECT id FROM ${SHARES_TABLE}`, [], nameOf(database)), [])
})

test('under concurrent GETs on A, every GET that starts after B acknowledged the unshare is 404 (shared reads never predate a request)', async (t) => {
  const database = await cluster.createDatabase()
  const [a, b] = await Promise.all([0, 1].map(() => start(t, { store: database, postgres: { poolSize: 2 } })))
  const { id, secret } = await publish(a!.url, await loadDoc())
  const seen: Array<{ started: number, status: number }> = []
  let acknowledged = Infinity
  let stop = false
  const viewer = async (): Promise<void> => {
    while (!stop) {
      const started = performance.now()
      const answer = await fetch(`${a!.url}/api/share/${id}`)
      await answer.arrayBuffer()
      seen.push({ started, status: answer.status })
      if (started > acknowledged + 50) stop = true
    }
  }
  const viewers = Array.from({ length: 20 }, viewer)
  while (seen.length < 40) await new Promise(resolve => setTimeout(resolve, 5))
  assert.equal((await unshare(b!.url, id, secret)).status, 204)
  acknowledged = performance.now()
  await Promise.all(viewers)
  const after = seen.filter(s => s.started > acknowledged)
  assert.ok(after.length > 0)
  assert.deepEqual(after.filter(s => s.status !== 404), [])
  assert.ok(seen.some(s => s.status === 200))
})

test('a server in another process (session-journal serve --store) over the same database', async (t) => {
  const database = await cluster.createDatabase()
  const child = spawn(process.execPath, [join(repoRoot, 'dist/lib/cli/bin.js'), 'serve', '--port', '0', '--json', '--store', database, '--pool-size', '2'], {
    env: { ...process.env, SESSION_JOURNAL_HOME: tempDir(t, 'sj-cluster-home-') }, stdio: ['ignore', 'pipe', 'inherit'],
  })
  t.after(async () => {
    if (child.exitCode === null) {
      child.kill('SIGINT')
      await once(child, 'exit')
    }
  })
  const [line] = await once(createInterface({ input: child.stdout }), 'line') as [string]
  const other = JSON.parse(line) as { url: string, store: string }
  assert.equal(other.store, 'postgres')
  const here = await start(t, { store: database })
  const doc = await loadDoc()
  const { id, secret } = await publish(here.url, doc)
  assert.deepEqual(await view(other.url, id), { page: 200, json: 200, title: doc.info.title })
  assert.equal((await sync(other.url, id, secret, withTitle(doc, 'there'))).status, 200)
  assert.deepEqual(await view(here.url, id), { page: 200, json: 200, title: 'there' })
  assert.equal((await unshare(other.url, id, secret)).status, 204)
  assert.deepEqual(await view(here.url, id), { page: 404, json: 404 })
})

test('servers starting at once over a new database all come up (the schema is migrated once)', async (t) => {
  const database = await cluster.createDatabase()
  const servers = await Promise.all(Array.from({ length: 5 }, () => start(t, { store: database, postgres: { poolSize: 1 } })))
  const { id } = await publish(servers[0]!.url, await loadDoc())
  for (const server of servers) assert.equal((await view(server.url, id)).json, 200)
})

test('a database restart in the middle of traffic: 503 ERR_STORE_UNAVAILABLE while it is down, the server stays up, then serves again', async (t) => {
  const server = await serverOn(t, 'postgres', { postgres: { connectTimeoutMs: 1_000 } })
  const doc = await loadDoc()
  const { id, secret } = await publish(server.url, doc)
  const statuses = new Map<string, number>()
  let stopped = false
  const traffic = (async () => {
    while (!stopped) {
      const answers = await Promise.all([fetch(`${server.url}/api/share/${id}`), fetch(`${server.url}/s/${id}`)].map(p => p.then(async r => {
        await r.arrayBuffer()
        return String(r.status)
      }, (error: Error) => `network: ${error.message}`)))
      for (const status of answers) statuses.set(status, (statuses.get(status) ?? 0) + 1)
    }
  })()
  await cluster.stop()
  try {
    const answer = await fetch(`${server.url}/api/share/${id}`)
    assert.equal(answer.status, 503)
    assert.equal(answer.headers.get('retry-after'), '5')
    const body = await answer.json() as { error: { code: string, message: string } }
    assert.equal(body.error.code, 'ERR_STORE_UNAVAILABLE')
    assert.doesNotMatch(body.error.message, new RegExp(cluster.dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'no socket path or host leaks to clients')
    const page = await fetch(`${server.url}/s/${id}`, { headers: { accept: 'text/html' } })
    assert.equal(page.status, 503)
    assert.match(await page.text(), /cannot reach its storage/)
    const health = await fetch(`${server.url}/healthz`)
    assert.equal(health.status, 503)
    assert.equal(await errorCode(health), 'ERR_STORE_UNAVAILABLE')
    assert.equal((await sync(server.url, id, secret, withTitle(doc, 'lost'))).status, 503)
    assert.equal((await fetch(`${server.url}/api/share`, { method: 'POST', headers: json, body: JSON.stringify(doc) })).status, 503)
  } finally {
    await cluster.start()
  }
  assert.equal((await fetch(`${server.url}/healthz`)).status, 200)
  stopped = true
  await traffic
  assert.deepEqual([...statuses.keys()].filter(s => s !== '200' && s !== '503'), [], JSON.stringify([...statuses]))
  assert.ok((statuses.get('503') ?? 0) > 0 && (statuses.get('200') ?? 0) > 0, JSON.stringify([...statuses]))
  assert.deepEqual(await view(server.url, id), { page: 200, json: 200, title: doc.info.title }, 'the sync refused while it was down changed nothing')
  assert.equal((await sync(server.url, id, secret, withTitle(doc, 'after'))).status, 200)
  assert.deepEqual(await view(server.url, id), { page: 200, json: 200, title: 'after' })
})
