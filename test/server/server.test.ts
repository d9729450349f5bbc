import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { request as httpRequest } from 'node:http'
import { readdir, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises'
import { connect } from 'node:net'
import { join } from 'node:path'
import { execFileSync } from 'node:child_process'
import { startShareServer, type ShareServer, type ShareServerOptions } from '../../lib/server/server.js'
import { DiskShareStore } from '../../lib/server/store.js'
import type { ShareDocument } from '../../lib/share/document.js'
import { rejectsWith, tempDir } from '../helpers.js'

const fixtureUrl = (name: string): URL => new URL(`../../../fixtures/share/${name}`, import.meta.url)
const loadDoc = async (name: string): Promise<ShareDocument> => JSON.parse(await readFile(fixtureUrl(name), 'utf8')) as ShareDocument

interface Setup { server: ShareServer, store: string, doc: ShareDocument }

async function setup(t: TestContext, options: ShareServerOptions = {}): Promise<Setup> {
  const root = tempDir(t, 'sj-share-server-')
  const store = join(root, 'store')
  const server = await startShareServer({ dir: store, ...options })
  t.after(() => server.close())
  return { server, store, doc: await loadDoc('conversation.json') }
}

const json = { 'content-type': 'application/json' }

async function publish(server: ShareServer, doc: unknown): Promise<{ id: string, url: string, secret: string }> {
  const response = await fetch(`${server.url}/api/share`, { method: 'POST', headers: json, body: JSON.stringify(doc) })
  assert.equal(response.status, 201)
  return await response.json() as { id: string, url: string, secret: string }
}

async function expectError(response: Response, status: number, code: string): Promise<string> {
  assert.equal(response.status, status)
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/)
  const body = await response.json() as { error: { code: string, message: string } }
  assert.equal(body.error.code, code)
  assert.equal(typeof body.error.message, 'string')
  return body.error.message
}

const withVersion = (doc: ShareDocument, title: string): ShareDocument => ({ ...doc, info: { ...doc.info, title } })

test('POST /api/share stores the document and answers 201 with id, url and secret', async (t) => {
  const { server, store, doc } = await setup(t)
  const created = await publish(server, doc)
  assert.match(created.id, /^[A-Za-z0-9_-]{22}$/)
  assert.ok(!created.id.includes(doc.info.id))
  assert.equal(created.url, `${server.url}/s/${created.id}`)
  assert.match(created.secret, /^[A-Za-z0-9_-]{43}$/)

  // The record, the document as it will be served, the page as it will be served.
  const files = await readdir(store)
  const id = created.id
  assert.equal(files.length, 3)
  assert.ok(files.includes(`${id}.json`))
  const documentFile = files.find(f => /^[\w-]{22}\.[0-9a-f]{32}\.document$/.test(f))
  const pageFile = files.find(f => /^[\w-]{22}\.[0-9a-f]{32}\.[0-9a-f]{12}\.html$/.test(f))
  assert.ok(documentFile !== undefined && pageFile !== undefined, files.join(', '))
  for (const name of files) assert.equal((await stat(join(store, name))).mode & 0o777, 0o600, name)
  assert.equal((await stat(store)).mode & 0o777, 0o700)
  const record = await readFile(join(store, `${id}.json`), 'utf8')
  assert.ok(record.length < 1024, 'the record stays small')
  assert.ok(record.includes(createHash('sha256').update(created.secret).digest('hex')))
  assert.equal(await readFile(join(store, documentFile), 'utf8'), JSON.stringify(doc))
  for (const name of files) {
    assert.ok(!(await readFile(join(store, name), 'utf8')).includes(created.secret), `the secret itself is never stored (${name})`)
  }
})

test('two shares of the same document get different ids and secrets', async (t) => {
  const { server, doc } = await setup(t)
  const a = await publish(server, doc)
  const b = await publish(server, doc)
  assert.notEqual(a.id, b.id)
  assert.notEqual(a.secret, b.secret)
})

test('GET /api/share/:id returns the document as JSON with safe headers', async (t) => {
  const { server, doc } = await setup(t)
  const { id } = await publish(server, doc)
  const response = await fetch(`${server.url}/api/share/${id}`)
  assert.equal(response.status, 200)
  assert.match(response.headers.get('content-type') ?? '', /^application\/json; charset=utf-8$/)
  assert.equal(response.headers.get('x-content-type-options'), 'nosniff')
  assert.equal(response.headers.get('referrer-policy'), 'no-referrer')
  assert.equal(response.headers.get('cache-control'), 'no-store')
  assert.deepEqual(await response.json(), doc)
})

test('GET /s/:id renders the conversation with a strict CSP', async (t) => {
  const { server, doc } = await setup(t)
  const { id } = await publish(server, doc)
  const response = await fetch(`${server.url}/s/${id}`)
  assert.equal(response.status, 200)
  assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8')
  const csp = response.headers.get('content-security-policy') ?? ''
  assert.match(csp, /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'/)
  assert.doesNotMatch(csp, /script-src|unsafe-inline/)
  assert.equal(response.headers.get('x-content-type-options'), 'nosniff')
  assert.equal(response.headers.get('referrer-policy'), 'no-referrer')
  const html = await response.text()
  assert.match(html, /<title>Fix the flaky retry test<\/title>/)
  assert.match(html, /<h1>Fix the flaky retry test<\/h1>/)
  assert.match(html, /<article class="message user">/)
  assert.match(html, /<article class="message assistant">/)
  assert.match(html, /<p>Can you look at <code>retry\.ts<\/code>\?<\/p>/)
  assert.match(html, /<pre><code class="language-ts">export function backoff\(n: number, random = Math\.random\): number \{\n {2}return 2 \*\* n/)
  assert.match(html, /<div class="tool"><details><summary><span class="tool-name">read<\/span> <code class="tool-what">src\/retry\.ts<\/code> · <span class="status completed">completed<\/span><\/summary>/)
  assert.match(html, /<span class="status error">error<\/span>/)
  assert.match(html, /<details class="reasoning"><summary>Reasoning<\/summary>/)
  assert.match(html, /<div class="file"><span class="label">file<\/span>retry\.ts/)
  assert.ok(!html.includes('/home/dev/projects/widget'), 'the local project path is not shown')
  assert.doesNotMatch(html, /<script/i)
})

test('HEAD /s/:id answers like GET without a body', async (t) => {
  const { server, doc } = await setup(t)
  const { id } = await publish(server, doc)
  const response = await fetch(`${server.url}/s/${id}`, { method: 'HEAD' })
  assert.equal(response.status, 200)
  assert.equal(await response.text(), '')
})

test('the page escapes every string from the document', async (t) => {
  const { server } = await setup(t)
  const { id } = await publish(server, await loadDoc('xss.json'))
  const html = await (await fetch(`${server.url}/s/${id}`)).text()
  assert.ok(html.includes('Hello &lt;script&gt;window.__pwned=1&lt;/script&gt; world'))
  assert.ok(html.includes(`&quot;&gt;&lt;img src=x onerror=&quot;document.title='pwned'&quot;&gt;`))
  assert.ok(html.includes('<title>&lt;/title&gt;&lt;script&gt;window.__pwned=1&lt;/script&gt;</title>'))
  assert.ok(!html.includes('<script>alert'))
  for (const tag of [/<script/i, /<img/i, /<svg/i, /<iframe/i, /<style>body/i, /<b>done/]) {
    assert.doesNotMatch(html, tag)
  }
  // Only the page's own stylesheet, nothing from the content.
  assert.equal(html.match(/<style>/g)?.length, 1)
})

test('sync with the right secret replaces the document (200)', async (t) => {
  const { server, doc } = await setup(t)
  const { id, secret } = await publish(server, doc)
  const next = withVersion(doc, 'Renamed')
  const response = await fetch(`${server.url}/api/share/${id}/sync`, {
    method: 'POST', headers: { ...json, authorization: `Bearer ${secret}` }, body: JSON.stringify(next),
  })
  assert.equal(response.status, 200)
  assert.deepEqual(await response.json(), { id, url: `${server.url}/s/${id}` })
  assert.deepEqual(await (await fetch(`${server.url}/api/share/${id}`)).json(), next)
  assert.match(await (await fetch(`${server.url}/s/${id}`)).text(), /<h1>Renamed<\/h1>/)
})

test('sync with a wrong or missing secret is 403 and changes nothing', async (t) => {
  const { server, doc } = await setup(t)
  const { id, secret } = await publish(server, doc)
  const other = await publish(server, doc)
  const body = JSON.stringify(withVersion(doc, 'Hijacked'))
  for (const authorization of [undefined, 'Bearer ', `Bearer ${secret}x`, `Bearer ${other.secret}`, `Basic ${secret}`, secret]) {
    const headers: Record<string, string> = { ...json }
    if (authorization !== undefined) headers.authorization = authorization
    const response = await fetch(`${server.url}/api/share/${id}/sync`, { method: 'POST', headers, body })
    await expectError(response, 403, 'ERR_FORBIDDEN')
  }
  assert.deepEqual(await (await fetch(`${server.url}/api/share/${id}`)).json(), doc)
})

test('sync of an unknown or malformed id is 404', async (t) => {
  const { server, doc } = await setup(t)
  const { secret } = await publish(server, doc)
  for (const id of ['AAAAAAAAAAAAAAAAAAAAAA', '..%2F..%2Fetc', 'short']) {
    const response = await fetch(`${server.url}/api/share/${id}/sync`, {
      method: 'POST', headers: { ...json, authorization: `Bearer ${secret}` }, body: JSON.stringify(doc),
    })
    await expectError(response, 404, 'ERR_NOT_FOUND')
  }
})

test('DELETE needs the secret (403), then removes the files (204) and the share is gone (404)', async (t) => {
  const { server, store, doc } = await setup(t)
  const { id, secret } = await publish(server, doc)
  const kept = await publish(server, doc)

  await expectError(await fetch(`${server.url}/api/share/${id}`, { method: 'DELETE' }), 403, 'ERR_FORBIDDEN')
  await expectError(await fetch(`${server.url}/api/share/${id}`, {
    method: 'DELETE', headers: { authorization: `Bearer ${kept.secret}` },
  }), 403, 'ERR_FORBIDDEN')
  const filesOf = async (share: string): Promise<string[]> => (await readdir(store)).filter(f => f.startsWith(`${share}.`))
  assert.equal((await filesOf(id)).length, 3)
  const keptFiles = await filesOf(kept.id)

  const removed = await fetch(`${server.url}/api/share/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${secret}` } })
  assert.equal(removed.status, 204)
  assert.equal(await removed.text(), '')
  assert.deepEqual((await readdir(store)).sort(), keptFiles.sort())

  await expectError(await fetch(`${server.url}/api/share/${id}`), 404, 'ERR_NOT_FOUND')
  await expectError(await fetch(`${server.url}/s/${id}`, { headers: { accept: 'application/json' } }), 404, 'ERR_NOT_FOUND')
  assert.equal((await fetch(`${server.url}/s/${id}`)).status, 404)
  await expectError(await fetch(`${server.url}/api/share/${id}`, {
    method: 'DELETE', headers: { authorization: `Bearer ${secret}` },
  }), 404, 'ERR_NOT_FOUND')
  await expectError(await fetch(`${server.url}/api/share/${id}/sync`, {
    method: 'POST', headers: { ...json, authorization: `Bearer ${secret}` }, body: JSON.stringify(doc),
  }), 404, 'ERR_NOT_FOUND')
  assert.equal((await fetch(`${server.url}/s/${kept.id}`)).status, 200)
})

test('a sync racing a delete cannot bring the share back', async (t) => {
  const { server, store, doc } = await setup(t)
  const { id, secret } = await publish(server, doc)
  const auth = { authorization: `Bearer ${secret}` }
  const [synced, removed] = await Promise.all([
    fetch(`${server.url}/api/share/${id}/sync`, { method: 'POST', headers: { ...json, ...auth }, body: JSON.stringify(withVersion(doc, 'late')) }),
    fetch(`${server.url}/api/share/${id}`, { method: 'DELETE', headers: auth }),
  ])
  assert.equal(removed.status, 204)
  assert.ok(synced.status === 200 || synced.status === 404, `sync answered ${synced.status}`)
  await synced.body?.cancel()
  assert.deepEqual(await readdir(store), [])
  assert.equal((await fetch(`${server.url}/api/share/${id}`)).status, 404)
})

test('bad JSON is 400 ERR_BAD_JSON', async (t) => {
  const { server } = await setup(t)
  const response = await fetch(`${server.url}/api/share`, { method: 'POST', headers: json, body: '{"format": "session-journal",' })
  await expectError(response, 400, 'ERR_BAD_JSON')
})

test('a body that is not a share document is 400 ERR_INVALID_DOCUMENT naming the problem', async (t) => {
  const { server, store, doc } = await setup(t)
  const cases: Array<[unknown, RegExp]> = [
    [[], /JSON object/],
    [{ ...doc, format: 'other' }, /format/],
    [{ ...doc, version: 2 }, /version/],
    [{ ...doc, info: null }, /info must be an object/],
    [{ ...doc, info: { ...doc.info, title: 7 } }, /info\.title/],
    [{ ...doc, messages: {} }, /messages must be an array/],
    [{ ...doc, messages: [{ id: 'm', role: 'robot', created: 'x', parts: [] }] }, /messages\[0\]: role/],
    [{ ...doc, messages: [{ id: 'm', role: 'user', created: 'x', parts: [{ id: 'p' }] }] }, /messages\[0\]: parts\[0\]\.type/],
  ]
  for (const [body, problem] of cases) {
    const response = await fetch(`${server.url}/api/share`, { method: 'POST', headers: json, body: JSON.stringify(body) })
    assert.match(await expectError(response, 400, 'ERR_INVALID_DOCUMENT'), problem)
  }
  assert.deepEqual(await readdir(store), [])
})

test('a sync body that is not a share document is 400 and keeps the stored one', async (t) => {
  const { server, doc } = await setup(t)
  const { id, secret } = await publish(server, doc)
  const response = await fetch(`${server.url}/api/share/${id}/sync`, {
    method: 'POST', headers: { ...json, authorization: `Bearer ${secret}` }, body: JSON.stringify({ ...doc, messages: 'none' }),
  })
  await expectError(response, 400, 'ERR_INVALID_DOCUMENT')
  assert.deepEqual(await (await fetch(`${server.url}/api/share/${id}`)).json(), doc)
})

test('a body that is not declared as JSON is 415', async (t) => {
  const { server, doc } = await setup(t)
  const response = await fetch(`${server.url}/api/share`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(doc) })
  await expectError(response, 415, 'ERR_UNSUPPORTED_MEDIA_TYPE')
})

test('a body of exactly maxBodyBytes is accepted, one byte more is 413 and nothing is stored', async (t) => {
  const doc = await loadDoc('conversation.json')
  const body = JSON.stringify(doc)
  const size = Buffer.byteLength(body)
  const exact = await setup(t, { maxBodyBytes: size })
  assert.equal((await fetch(`${exact.server.url}/api/share`, { method: 'POST', headers: json, body })).status, 201)

  const small = await setup(t, { maxBodyBytes: size - 1 })
  const response = await fetch(`${small.server.url}/api/share`, { method: 'POST', headers: json, body })
  assert.equal(response.headers.get('connection'), 'close')
  await expectError(response, 413, 'ERR_TOO_LARGE')
  assert.deepEqual(await readdir(small.store), [])
})

test('a chunked body is cut off at the limit with 413', async (t) => {
  const { server, store } = await setup(t, { maxBodyBytes: 1024 })
  const url = new URL(`${server.url}/api/share`)
  const { status, body } = await new Promise<{ status: number, body: string }>((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { ...json, 'transfer-encoding': 'chunked' } }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { text += chunk })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
    })
    // The server may close the connection while we still write: that is the point.
    req.on('error', (error) => { if (!req.writableEnded) reject(error) })
    req.write(`{"format":"session-journal","pad":"${'x'.repeat(700)}`)
    req.write(`${'x'.repeat(700)}"}`)
    req.end()
  })
  assert.equal(status, 413)
  assert.equal((JSON.parse(body) as { error: { code: string } }).error.code, 'ERR_TOO_LARGE')
  assert.deepEqual(await readdir(store), [])
})

test('sync bodies are limited too (413)', async (t) => {
  const { server, doc } = await setup(t, { maxBodyBytes: 4096 })
  const { id, secret } = await publish(server, doc)
  const big = withVersion(doc, 'x'.repeat(5000))
  const response = await fetch(`${server.url}/api/share/${id}/sync`, {
    method: 'POST', headers: { ...json, authorization: `Bearer ${secret}` }, body: JSON.stringify(big),
  })
  await expectError(response, 413, 'ERR_TOO_LARGE')
  assert.deepEqual(await (await fetch(`${server.url}/api/share/${id}`)).json(), doc)
})

test('unknown routes and ids are 404', async (t) => {
  const { server } = await setup(t)
  for (const path of ['/', '/api', '/api/shares', '/s', '/api/share/AAAAAAAAAAAAAAAAAAAAAA', '/api/share/AAAAAAAAAAAAAAAAAAAAAA/other']) {
    await expectError(await fetch(`${server.url}${path}`), 404, 'ERR_NOT_FOUND')
  }
  // Share links: a page for browsers (test/server/routes.test.ts), JSON when asked for.
  for (const path of ['/s/AAAAAAAAAAAAAAAAAAAAAA', '/s/not-an-id', '/s/AAAAAAAAAAAAAAAAAAAAAA/x']) {
    const page = await fetch(`${server.url}${path}`)
    assert.equal(page.status, 404, path)
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8')
    await page.body?.cancel()
    await expectError(await fetch(`${server.url}${path}`, { headers: { accept: 'application/json' } }), 404, 'ERR_NOT_FOUND')
  }
})

test('wrong methods are 405 with an Allow header', async (t) => {
  const { server } = await setup(t)
  const id = 'AAAAAAAAAAAAAAAAAAAAAA'
  const cases: Array<[string, string, string]> = [
    ['GET', '/api/share', 'POST'],
    ['PUT', `/api/share/${id}`, 'GET, HEAD, DELETE'],
    ['POST', `/api/share/${id}`, 'GET, HEAD, DELETE'],
    ['GET', `/api/share/${id}/sync`, 'POST'],
    ['POST', `/s/${id}`, 'GET, HEAD'],
    ['DELETE', `/s/${id}`, 'GET, HEAD'],
  ]
  for (const [method, path, allowed] of cases) {
    const response = await fetch(`${server.url}${path}`, { method })
    assert.equal(response.headers.get('allow'), allowed, `${method} ${path}`)
    await expectError(response, 405, 'ERR_METHOD_NOT_ALLOWED')
  }
})

test('publicUrl sets the base of the links handed out', async (t) => {
  const { server, doc } = await setup(t, { publicUrl: 'https://share.example.test/' })
  const { id, url } = await publish(server, doc)
  assert.equal(url, `https://share.example.test/s/${id}`)
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/)
})

/** A request whose body stops half way; resolves with the answer and whether the server then closed the connection. */
function halfBody(server: ShareServer, body: string): Promise<{ status: number, code: string, closed: boolean }> {
  const url = new URL(`${server.url}/api/share`)
  return new Promise((resolve, reject) => {
    let answered = false
    const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { ...json, 'content-length': Buffer.byteLength(body) } }, (res) => {
      answered = true
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { text += chunk })
      res.on('end', () => {
        const code = (JSON.parse(text) as { error: { code: string } }).error.code
        // The server ends the connection: the socket closes although our request never finished.
        if (req.socket?.destroyed) resolve({ status: res.statusCode ?? 0, code, closed: true })
        else req.socket?.once('close', () => resolve({ status: res.statusCode ?? 0, code, closed: true }))
      })
    })
    req.on('error', (error) => { if (!answered) reject(error) })
    req.write(body.slice(0, 20))
  })
}

test('a body sent too slowly is cut off: 408 ERR_TIMEOUT, the connection closed, nothing stored', { timeout: 10_000 }, async (t) => {
  const { server, store, doc } = await setup(t, { bodyTimeoutMs: 200 })
  assert.deepEqual(await halfBody(server, JSON.stringify(doc)), { status: 408, code: 'ERR_TIMEOUT', closed: true })
  assert.deepEqual(await readdir(store), [])
  // The next client is served as usual.
  await publish(server, doc)
})

test('headers that never end are cut off after headersTimeoutMs', { timeout: 10_000 }, async (t) => {
  const { server } = await setup(t, { headersTimeoutMs: 200 })
  const url = new URL(server.url)
  const socket = connect(Number(url.port), url.hostname)
  let received = ''
  socket.setEncoding('utf8')
  socket.on('data', (chunk: string) => { received += chunk })
  socket.on('error', () => undefined)
  socket.write('POST /api/share HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n')
  await new Promise(resolve => socket.once('close', resolve))
  assert.match(received, /^HTTP\/1\.1 408 /)
})

test('a whole request slower than requestTimeoutMs is cut off, even while its body is being read', { timeout: 10_000 }, async (t) => {
  const { server, store, doc } = await setup(t, { requestTimeoutMs: 300, bodyTimeoutMs: 60_000 })
  const url = new URL(`${server.url}/api/share`)
  const outcome = await new Promise<string>((resolve) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { ...json, 'content-length': 1000 } }, (res) => {
      res.resume()
      resolve(String(res.statusCode))
    })
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'))
    req.write(JSON.stringify(doc).slice(0, 20))
  })
  assert.ok(['408', 'ECONNRESET'].includes(outcome), outcome)
  assert.deepEqual(await readdir(store), [])
})

test('start removes the temp files a killed server left in the store', async (t) => {
  const root = tempDir(t, 'sj-share-server-')
  const store = join(root, 'store')
  await mkdir(store, { recursive: true })
  const orphan = '.AAAAAAAAAAAAAAAAAAAAAA.json.0123456789ab.tmp'
  await writeFile(join(store, orphan), '{"secretHash":"half a wri')
  const server = await startShareServer({ dir: store })
  t.after(() => server.close())
  assert.deepEqual(await readdir(store), [])
})

test('a store written by the previous version serves after the upgrade', async (t) => {
  const root = tempDir(t, 'sj-share-server-')
  const store = join(root, 'store')
  await mkdir(store, { recursive: true })
  const doc = await loadDoc('conversation.json')
  const id = 'AAAAAAAAAAAAAAAAAAAAAA'
  const secret = 'the-old-secret'
  const hash = createHash('sha256').update(secret).digest('hex')
  await writeFile(join(store, `${id}.json`), JSON.stringify({ secretHash: hash, created: doc.info.created, updated: doc.info.updated, document: doc }), { mode: 0o600 })
  const server = await startShareServer({ dir: store })
  t.after(() => server.close())
  assert.deepEqual(await (await fetch(`${server.url}/api/share/${id}`)).json(), doc)
  assert.match(await (await fetch(`${server.url}/s/${id}`)).text(), /<h1>Fix the flaky retry test<\/h1>/)
  await expectError(await fetch(`${server.url}/api/share/${id}/sync`, { method: 'POST', headers: { ...json, authorization: 'Bearer wrong' }, body: '{}' }), 403, 'ERR_FORBIDDEN')
  const next = withVersion(doc, 'After the upgrade')
  const synced = await fetch(`${server.url}/api/share/${id}/sync`, { method: 'POST', headers: { ...json, authorization: `Bearer ${secret}` }, body: JSON.stringify(next) })
  assert.equal(synced.status, 200)
  assert.deepEqual(await (await fetch(`${server.url}/api/share/${id}`)).json(), next)
  assert.equal((await fetch(`${server.url}/api/share/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${secret}` } })).status, 204)
  assert.deepEqual(await readdir(store), [])
})

test('a huge conversation renders as a bounded page that links to the JSON for the rest', async (t) => {
  const { server, doc } = await setup(t, { page: { maxPageBytes: 32 * 1024 } })
  const big: ShareDocument = {
    ...doc,
    messages: Array.from({ length: 2000 }, (_, m) => ({
      id: `m${m}`, role: 'assistant' as const, created: doc.info.created,
      parts: Array.from({ length: 10 }, (_, p) => ({ id: `p${p}`, type: 'text', text: `tiny ${m}.${p}` })),
    })),
  }
  const { url } = await publish(server, big)
  const response = await fetch(url)
  const html = await response.text()
  assert.equal(response.status, 200)
  assert.ok(Buffer.byteLength(html) <= 32 * 1024, `${Buffer.byteLength(html)} bytes`)
  assert.match(html, /parts of [\d,]+ messages are not shown/)
  const href = /<p class="omitted">[^<]*<a href="([^"]+)">/.exec(html)?.[1]
  assert.ok(href !== undefined)
  assert.deepEqual(await (await fetch(new URL(href, url))).json(), big)
})

test('the limits are the options: no stream slot and no queue make a large answer 503, a small one is still served', async (t) => {
  const { server, doc } = await setup(t, { maxConcurrentStreams: 0, maxQueuedStreams: 0, maxConcurrentWork: 1, maxQueuedWork: 0 })
  const small = await publish(server, doc)
  const text = 'words and more words '.repeat(5000)
  const large = await publish(server, { ...doc, messages: [{ id: 'm', role: 'user', created: doc.info.created, parts: [{ id: 'p', type: 'text', text }] }] })
  assert.equal((await fetch(`${server.url}/api/share/${small.id}`)).status, 200)
  const refused = await fetch(`${server.url}/api/share/${large.id}`)
  assert.equal(refused.headers.get('retry-after'), '5')
  await expectError(refused, 503, 'ERR_BUSY')
  const page = await fetch(`${server.url}/s/${large.id}`)
  assert.equal(page.status, 503)
  assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8', 'a browser gets a page saying so')
  assert.match(await page.text(), /busy/)
})

test('a connection that stays silent is closed after idleTimeoutMs', { timeout: 10_000 }, async (t) => {
  const { server } = await setup(t, { idleTimeoutMs: 200, headersTimeoutMs: 60_000 })
  const url = new URL(server.url)
  const socket = connect(Number(url.port), url.hostname)
  socket.on('error', () => undefined)
  socket.resume()
  await new Promise(resolve => socket.once('close', resolve))
})

test('store: a postgres:// URL or a ShareStore; anything else, or with dir too, is ERR_USAGE; a store passed in is not closed', async (t) => {
  const root = tempDir(t, 'sj-share-server-')
  await rejectsWith(startShareServer({ dir: join(root, 'a'), store: 'postgres://u@h/d' }), 'ERR_USAGE')
  for (const store of ['mysql://u@h/d', join(root, 'b'), '']) await rejectsWith(startShareServer({ store }), 'ERR_USAGE')
  const store = new DiskShareStore(join(root, 'own'))
  await store.init()
  let closed = 0
  const counted = Object.assign(Object.create(store) as DiskShareStore, { close: async () => { closed++ } })
  const server = await startShareServer({ store: counted })
  assert.equal(server.store, counted)
  const health = await fetch(`${server.url}/healthz`)
  assert.deepEqual(await health.json(), { ok: true, store: 'disk' })
  await server.close()
  assert.equal(closed, 0)
})

test('a server on the disk store never loads the database driver; one on PostgreSQL does', async (t) => {
  const root = tempDir(t, 'sj-share-server-')
  const entry = new URL('../../lib/server/index.js', import.meta.url).href
  const script = (options: string): string => `
    import { createRequire } from 'node:module'
    const { startShareServer } = await import(${JSON.stringify(entry)})
    let server
    try { server = await startShareServer(${options}) } catch (error) { if (error.code !== 'ERR_STORE_UNAVAILABLE') throw error }
    await server?.close()
    const loaded = Object.keys(createRequire(import.meta.url).cache).filter(name => /[\\\\/]node_modules[\\\\/]pg[\\\\/]/.test(name))
    process.stdout.write(String(loaded.length))`
  const loadedBy = (options: string): string =>
    execFileSync(process.execPath, ['--input-type=module', '-e', script(options)], { encoding: 'utf8' })
  assert.equal(loadedBy(`{ dir: ${JSON.stringify(join(root, 'store'))} }`), '0')
  // The same probe sees the driver when a server asks for PostgreSQL (here one that is not there).
  assert.notEqual(loadedBy(`{ store: 'postgres://u@/d?host=${join(root, 'no-socket')}', postgres: { connectTimeoutMs: 500 } }`), '0')
})

test('/healthz answers 503 ERR_STORE_UNAVAILABLE when the store folder is gone, and the server stays up', async (t) => {
  const { server, store } = await setup(t)
  assert.equal((await fetch(`${server.url}/healthz`)).status, 200)
  await rm(store, { recursive: true })
  const down = await fetch(`${server.url}/healthz`)
  assert.equal(down.status, 503)
  assert.equal(down.headers.get('retry-after'), '5')
  await expectError(down, 503, 'ERR_STORE_UNAVAILABLE')
  await mkdir(store, { mode: 0o700 })
  assert.equal((await fetch(`${server.url}/healthz`)).status, 200)
})
