import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { request as httpRequest } from 'node:http'
import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { startShareServer, type ShareServer, type ShareServerOptions } from '../../lib/server/server.js'
import type { ShareDocument } from '../../lib/share/document.js'
import { tempDir } from '../helpers.js'

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

  assert.deepEqual(await readdir(store), [`${created.id}.json`])
  const file = join(store, `${created.id}.json`)
  assert.equal((await stat(file)).mode & 0o777, 0o600)
  assert.equal((await stat(store)).mode & 0o777, 0o700)
  const onDisk = await readFile(file, 'utf8')
  assert.ok(!onDisk.includes(created.secret), 'the secret itself is never stored')
  assert.ok(onDisk.includes(createHash('sha256').update(created.secret).digest('hex')))
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
  assert.match(html, /<pre><code>export function backoff\(n: number, random = Math\.random\): number \{\n {2}return 2 \*\* n/)
  assert.match(html, /<details class="tool"><summary>Tool <code>read<\/code> · <span class="status">completed<\/span><\/summary>/)
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
  assert.ok(html.includes('&quot;&gt;&lt;img src=x onerror=&quot;document.title=&#39;pwned&#39;&quot;&gt;'))
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
  assert.deepEqual((await readdir(store)).sort(), [`${id}.json`, `${kept.id}.json`].sort())

  const removed = await fetch(`${server.url}/api/share/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${secret}` } })
  assert.equal(removed.status, 204)
  assert.equal(await removed.text(), '')
  assert.deepEqual(await readdir(store), [`${kept.id}.json`])

  await expectError(await fetch(`${server.url}/api/share/${id}`), 404, 'ERR_NOT_FOUND')
  await expectError(await fetch(`${server.url}/s/${id}`), 404, 'ERR_NOT_FOUND')
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
  for (const path of ['/', '/api', '/api/shares', '/s', '/s/AAAAAAAAAAAAAAAAAAAAAA', '/s/not-an-id', '/api/share/AAAAAAAAAAAAAAAAAAAAAA', '/s/AAAAAAAAAAAAAAAAAAAAAA/x', '/api/share/AAAAAAAAAAAAAAAAAAAAAA/other']) {
    await expectError(await fetch(`${server.url}${path}`), 404, 'ERR_NOT_FOUND')
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
