import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { HttpError, allow, bearer, nestingExceeds, readBody, readJson, sendError, sendJson } from '../../lib/server/http.js'

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void

/** A real node:http server on loopback running `handler`; what it throws goes through sendError. */
async function serve(t: TestContext, handler: Handler): Promise<URL> {
  const server = createServer((req, res) => {
    Promise.resolve().then(() => handler(req, res)).catch((error: unknown) => sendError(res, error))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.after(() => new Promise<void>(resolve => {
    server.close(() => resolve())
    server.closeAllConnections()
  }))
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)
}

interface Answer { status: number, headers: IncomingHttpHeaders, body: string }

function readAnswer(res: IncomingMessage): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let body = ''
    res.setEncoding('utf8')
    res.on('data', (chunk: string) => { body += chunk })
    res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    res.on('error', reject)
  })
}

type Headers = Record<string, string | number | readonly string[]>

/** One request; `chunks` are written one by one (chunked unless a Content-Length is given). */
function send(url: URL, options: { method?: string, headers?: Headers, chunks?: string[] } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let answered = false
    const req = request(url, { method: options.method ?? 'POST' }, res => {
      answered = true
      readAnswer(res).then(resolve, reject)
    })
    // setHeader, unlike the typed options, takes a list: one header line per value.
    for (const [name, value] of Object.entries(options.headers ?? {})) req.setHeader(name, value)
    // The server may answer and close while we still write (a 413): the answer is what counts.
    req.on('error', error => { if (!answered) reject(error) })
    for (const chunk of options.chunks ?? []) req.write(chunk)
    req.end()
  })
}

const errorCode = (answer: Answer): string => (JSON.parse(answer.body) as { error: { code: string } }).error.code

const isHttpError = (status: number, code: string) => (error: unknown): boolean =>
  error instanceof HttpError && error.status === status && error.code === code

test('readBody returns the whole body when it is exactly the limit, chunked or not', async (t) => {
  const url = await serve(t, async (req, res) => {
    sendJson(res, 200, { body: (await readBody(req, 10)).toString('utf8') })
  })
  const plain = await send(url, { headers: { 'content-length': 10 }, chunks: ['0123456789'] })
  assert.deepEqual(JSON.parse(plain.body), { body: '0123456789' })
  const chunked = await send(url, { chunks: ['01234', '56789'] })
  assert.deepEqual(JSON.parse(chunked.body), { body: '0123456789' })
  const empty = await send(url)
  assert.deepEqual(JSON.parse(empty.body), { body: '' })
})

test('readBody rejects a declared Content-Length over the limit with 413 before the body is sent', { timeout: 10_000 }, async (t) => {
  const errors: unknown[] = []
  const url = await serve(t, async (req, res) => {
    await readBody(req, 10).catch((error: unknown) => {
      errors.push(error)
      throw error
    })
    sendJson(res, 200, {})
  })
  // Headers only: the answer must come without waiting for the 11 bytes announced.
  const answer = await new Promise<Answer>((resolve, reject) => {
    let answered = false
    const req = request(url, { method: 'POST', headers: { 'content-length': 11 } }, res => {
      answered = true
      readAnswer(res).then(resolve, reject)
    })
    // The server closes the connection after its 413, which cuts our unfinished request: expected.
    req.on('error', error => { if (!answered) reject(error) })
    req.flushHeaders()
  })
  assert.equal(answer.status, 413)
  assert.equal(answer.headers.connection, 'close')
  assert.equal(errorCode(answer), 'ERR_TOO_LARGE')
  assert.equal(errors.length, 1)
  assert.ok(isHttpError(413, 'ERR_TOO_LARGE')(errors[0]))
  assert.equal((errors[0] as HttpError).message, 'the body is larger than 10 bytes')
})

test('readBody stops at the limit of a chunked body: 413 while the client is still sending', { timeout: 10_000 }, async (t) => {
  const errors: unknown[] = []
  const url = await serve(t, async (req, res) => {
    await readBody(req, 1024).catch((error: unknown) => {
      errors.push(error)
      throw error
    })
    sendJson(res, 200, {})
  })
  const answer = await new Promise<Answer>((resolve, reject) => {
    let answered = false
    const req = request(url, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, res => {
      answered = true
      readAnswer(res).then(resolve, reject)
    })
    req.on('error', error => { if (!answered) reject(error) })
    // One byte over the limit and the request left open: only a reader that stops at the limit answers.
    req.write('x'.repeat(1025))
  })
  assert.equal(answer.status, 413)
  assert.equal(answer.headers.connection, 'close')
  assert.equal(errorCode(answer), 'ERR_TOO_LARGE')
  assert.equal(errors.length, 1)
  assert.ok(isHttpError(413, 'ERR_TOO_LARGE')(errors[0]))
})

test('bearer takes the token of a well-formed Bearer header and nothing else', async (t) => {
  const url = await serve(t, (req, res) => sendJson(res, 200, { token: bearer(req) }))
  const cases: Array<[string | string[] | undefined, string]> = [
    ['Bearer abc', 'abc'],
    ['bearer abc', 'abc'],
    ['BEARER abc', 'abc'],
    ['Bearer \t abc', 'abc'],
    ['Bearer abc \t', 'abc'],
    ['Bearer a-b_c.d~e+f/g=', 'a-b_c.d~e+f/g='],
    [undefined, ''],
    ['', ''],
    ['Bearer', ''],
    ['Bearer ', ''],
    ['Bearerabc', ''],
    ['Bearer a b', ''],
    ['Bearer abc, Bearer def', ''],
    ['Basic abc', ''],
    ['abc', ''],
    ['Token Bearer abc', ''],
    // node:http keeps only the first of repeated Authorization headers.
    [['Bearer first', 'Bearer second'], 'first'],
  ]
  for (const [authorization, token] of cases) {
    const headers: Headers = authorization === undefined ? {} : { authorization }
    const answer = await send(url, { method: 'GET', headers })
    assert.deepEqual(JSON.parse(answer.body), { token }, JSON.stringify(authorization))
  }
})

test('allow() lets the listed methods through and answers others with 405 and an Allow header', async (t) => {
  const url = await serve(t, (req, res) => {
    allow(req.method ?? 'GET', ['GET', 'HEAD'])
    sendJson(res, 200, { ok: true })
  })
  assert.equal((await send(url, { method: 'GET' })).status, 200)
  assert.equal((await send(url, { method: 'HEAD' })).status, 200)
  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
    const answer = await send(url, { method })
    assert.equal(answer.status, 405, method)
    assert.equal(answer.headers.allow, 'GET, HEAD')
    assert.equal(answer.body, '{"error":{"code":"ERR_METHOD_NOT_ALLOWED","message":"use GET or HEAD"}}')
  }
})

test('sendError answers an HttpError as JSON with its headers, and anything else as a bare 500', async (t) => {
  const url = await serve(t, (req) => {
    if (req.url === '/teapot') throw new HttpError(418, 'ERR_TEAPOT', 'short and stout', { 'Retry-After': '5' })
    throw new Error('secret internal detail')
  })
  const teapot = await send(new URL('/teapot', url), { method: 'GET' })
  assert.equal(teapot.status, 418)
  assert.equal(teapot.headers['retry-after'], '5')
  assert.equal(teapot.headers['content-type'], 'application/json; charset=utf-8')
  assert.equal(teapot.headers['content-security-policy'], "default-src 'none'; frame-ancestors 'none'")
  assert.equal(teapot.headers['x-content-type-options'], 'nosniff')
  assert.equal(teapot.headers['referrer-policy'], 'no-referrer')
  assert.equal(teapot.headers['cache-control'], 'no-store')
  assert.equal(teapot.headers['content-length'], String(Buffer.byteLength(teapot.body)))
  assert.equal(teapot.body, '{"error":{"code":"ERR_TEAPOT","message":"short and stout"}}')

  const internal = await send(new URL('/other', url), { method: 'GET' })
  assert.equal(internal.status, 500)
  assert.equal(internal.body, '{"error":{"code":"ERR_INTERNAL","message":"internal error"}}')
})

test('sendError after the headers went out destroys the socket instead of answering twice', async (t) => {
  let serverSide: ServerResponse | undefined
  const url = await serve(t, async (_req, res) => {
    serverSide = res
    res.writeHead(200, { 'content-type': 'text/plain' })
    // Wait until the head and a first chunk are on the wire: then an error can no longer be a status.
    await new Promise(resolve => res.write('partial', resolve))
    sendError(res, new HttpError(400, 'ERR_LATE', 'too late'))
  })
  const outcome = await new Promise<{ status: number, body: string, error: string }>((resolve, reject) => {
    const req = request(url, { method: 'GET' }, res => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { body += chunk })
      res.on('end', () => reject(new Error(`the response ended normally: ${body}`)))
      res.on('error', error => resolve({ status: res.statusCode ?? 0, body, error: (error as NodeJS.ErrnoException).code ?? error.message }))
    })
    req.on('error', reject)
    req.end()
  })
  assert.equal(outcome.status, 200)
  assert.equal(outcome.body, 'partial')
  assert.equal(outcome.error, 'ECONNRESET')
  assert.equal(serverSide?.destroyed, true)
})

test('readJson wants an application/json body that parses', async (t) => {
  const url = await serve(t, async (req, res) => sendJson(res, 200, { value: await readJson(req, 100) }))
  const body = '{"a":[1,"x"]}'
  for (const type of ['application/json', 'Application/JSON; charset=utf-8', ' application/json ;x=y']) {
    const answer = await send(url, { headers: { 'content-type': type }, chunks: [body] })
    assert.equal(answer.status, 200, type)
    assert.deepEqual(JSON.parse(answer.body), { value: { a: [1, 'x'] } })
  }
  const notJson: Headers[] = [{}, { 'content-type': 'text/plain' }, { 'content-type': 'application/json-patch+json' }]
  for (const headers of notJson) {
    const answer = await send(url, { headers, chunks: [body] })
    assert.equal(answer.status, 415, JSON.stringify(headers))
    assert.equal(errorCode(answer), 'ERR_UNSUPPORTED_MEDIA_TYPE')
  }
  const bad = await send(url, { headers: { 'content-type': 'application/json' }, chunks: ['{"a":'] })
  assert.equal(bad.status, 400)
  assert.equal(errorCode(bad), 'ERR_BAD_JSON')
  assert.match((JSON.parse(bad.body) as { error: { message: string } }).error.message, /^body is not JSON: /)
  const large = await send(url, { headers: { 'content-type': 'application/json' }, chunks: [`"${'x'.repeat(100)}"`] })
  assert.equal(large.status, 413)
  assert.equal(errorCode(large), 'ERR_TOO_LARGE')
})

test('readBody answers 408 and closes when the body does not arrive within timeoutMs', { timeout: 10_000 }, async (t) => {
  const url = await serve(t, async (req, res) => sendJson(res, 200, { size: (await readBody(req, 1000, 100)).length }))
  const fast = await send(url, { chunks: ['0123', '4567'] })
  assert.deepEqual(JSON.parse(fast.body), { size: 8 })
  // Half a body, then silence: the answer must come from the timer, not from the client.
  const answer = await new Promise<Answer>((resolve, reject) => {
    let answered = false
    const req = request(url, { method: 'POST', headers: { 'content-length': 100 } }, res => {
      answered = true
      readAnswer(res).then(resolve, reject)
    })
    req.on('error', error => { if (!answered) reject(error) })
    req.write('x'.repeat(10))
  })
  assert.equal(answer.status, 408)
  assert.equal(answer.headers.connection, 'close')
  assert.equal(errorCode(answer), 'ERR_TIMEOUT')
})

test('readJson refuses nesting deeper than maxDepth before parsing, with ERR_INVALID_DOCUMENT', async (t) => {
  const url = await serve(t, async (req, res) => sendJson(res, 200, { ok: (await readJson(req, 10_000_000, { maxDepth: 3 })) !== undefined }))
  const headers = { 'content-type': 'application/json' }
  assert.equal((await send(url, { headers, chunks: ['[["[[[[[[",{"a":"]]]{{{"}]]'] })).status, 200)
  for (const body of ['[[[[]]]]', '{"a":{"b":{"c":{}}}}', `${'['.repeat(100_000)}${']'.repeat(100_000)}`, '[[[[']) {
    const answer = await send(url, { headers, chunks: [body] })
    assert.equal(answer.status, 400, body.slice(0, 20))
    assert.equal(errorCode(answer), 'ERR_INVALID_DOCUMENT')
  }
})

test('nestingExceeds counts brackets outside strings only, escapes included', () => {
  const bytes = (text: string): Buffer => Buffer.from(text)
  assert.equal(nestingExceeds(bytes('[]'), 1), false)
  assert.equal(nestingExceeds(bytes('[[]]'), 1), true)
  assert.equal(nestingExceeds(bytes('[{"a":[1]},{"b":2}]'), 3), false)
  assert.equal(nestingExceeds(bytes('[{"a":[1]},{"b":2}]'), 2), true)
  assert.equal(nestingExceeds(bytes('["\\"]'), 1), false, 'an escaped backslash ends before the quote')
  assert.equal(nestingExceeds(bytes('["\\\"[[[["]'), 1), false, 'an escaped quote does not end the string')
  assert.equal(nestingExceeds(bytes('["ü🚀[[[", "x"]'), 1), false)
  assert.equal(nestingExceeds(bytes('"[[["'), 0), false)
})

test('an error answered before the body was read carries Connection: close; a GET keeps its connection', async (t) => {
  const url = await serve(t, () => { throw new HttpError(403, 'ERR_FORBIDDEN', 'no') })
  const post = await send(url, { headers: { 'content-length': 5 }, chunks: ['ab'] })
  assert.equal(post.status, 403)
  assert.equal(post.headers.connection, 'close')
  const get = await send(url, { method: 'GET' })
  assert.equal(get.status, 403)
  assert.notEqual(get.headers.connection, 'close')
})
