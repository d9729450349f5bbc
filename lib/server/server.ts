/**
 * A small share server on node:http: stores share documents on disk and serves
 * them as JSON and as a read-only HTML page. It listens on loopback by default;
 * put it behind a TLS proxy (and set `publicUrl`) to share beyond this machine.
 * Protocol and security model: docs/share.md.
 */

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import envPaths from 'env-paths'
import { shareDocumentProblem, type ShareDocument } from '../share/document.js'
import { ShareStore, isShareId } from './store.js'
import { VIEWER_CSP, renderSharePage } from './viewer.js'

export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024

export interface ShareServerOptions {
  /** 0 (the default) picks a free port. */
  port?: number
  /** Default 127.0.0.1: nothing outside this machine can reach it unless asked for. */
  host?: string
  /** Where documents are stored; default `<data dir>/share-server`. */
  dir?: string
  /** Largest accepted request body; larger ones get 413 without being read. Default 16 MiB. */
  maxBodyBytes?: number
  /** Base of the share links handed out (e.g. `https://share.example.com`), when a proxy sits in front. */
  publicUrl?: string
}

export interface ShareServer {
  /** Where this server listens, e.g. `http://127.0.0.1:41234`. */
  url: string
  close(): Promise<void>
}

export function defaultShareServerDir(): string {
  return join(envPaths('session-journal', { suffix: '' }).data, 'share-server')
}

/** An answer that ends a request early; `code` is the stable `error.code` in the JSON body. */
class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly headers: Record<string, string> = {}) {
    super(message)
  }
}

const notFound = (): HttpError => new HttpError(404, 'ERR_NOT_FOUND', 'no such share')

export async function startShareServer(options: ShareServerOptions = {}): Promise<ShareServer> {
  const host = options.host ?? '127.0.0.1'
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  const store = new ShareStore(options.dir ?? defaultShareServerDir())
  await store.init()

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const answer = error instanceof HttpError
        ? error
        : new HttpError(500, 'ERR_INTERNAL', 'internal error')
      sendError(res, answer)
    })
  })

  let publicBase = ''
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let pathname: string
    try {
      pathname = new URL(req.url ?? '/', 'http://localhost').pathname
    } catch {
      throw new HttpError(404, 'ERR_NOT_FOUND', 'no such route')
    }
    const method = req.method ?? 'GET'
    const segments = pathname.split('/').slice(1)

    if (pathname === '/api/share') {
      allow(method, ['POST'])
      const document = await readDocument(req, maxBodyBytes)
      const { id, secret } = await store.create(document)
      return sendJson(res, 201, { id, url: `${publicBase}/s/${id}`, secret })
    }
    if (segments.length === 3 && segments[0] === 'api' && segments[1] === 'share') {
      allow(method, ['GET', 'HEAD', 'DELETE'])
      const id = checkId(segments[2])
      if (method === 'DELETE') {
        const result = await store.remove(id, bearer(req))
        if (result === 'not-found') throw notFound()
        if (result === 'forbidden') throw forbidden()
        res.writeHead(204, commonHeaders())
        res.end()
        return
      }
      const share = await store.get(id)
      if (share === undefined) throw notFound()
      return sendJson(res, 200, share.document)
    }
    if (segments.length === 4 && segments[0] === 'api' && segments[1] === 'share' && segments[3] === 'sync') {
      allow(method, ['POST'])
      const id = checkId(segments[2])
      const secret = bearer(req)
      // Check before reading the body: nobody without the secret gets to upload 16 MiB.
      const current = await store.get(id)
      if (current === undefined) throw notFound()
      if (!ShareStore.secretMatches(current, secret)) throw forbidden()
      const document = await readDocument(req, maxBodyBytes)
      const result = await store.replace(id, secret, document)
      if (result === 'not-found') throw notFound()
      if (result === 'forbidden') throw forbidden()
      return sendJson(res, 200, { id, url: `${publicBase}/s/${id}` })
    }
    if (segments.length === 2 && segments[0] === 's') {
      allow(method, ['GET', 'HEAD'])
      const share = await store.get(checkId(segments[1]))
      if (share === undefined) throw notFound()
      const html = renderSharePage(share.document)
      res.writeHead(200, {
        ...commonHeaders(),
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Length': Buffer.byteLength(html),
        'Content-Security-Policy': VIEWER_CSP,
      })
      res.end(html)
      return
    }
    throw new HttpError(404, 'ERR_NOT_FOUND', 'no such route')
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`
  publicBase = (options.publicUrl ?? url).replace(/\/+$/, '')

  let closing: Promise<void> | undefined
  return {
    url,
    // Idempotent: a second close() (a test's cleanup, a signal handler) waits for the first.
    close: () => closing ??= new Promise<void>((resolve, reject) => {
      server.close(error => (error ? reject(error) : resolve()))
      // Keep-alive connections would hold close() open until they time out.
      server.closeAllConnections()
    }),
  }
}

function allow(method: string, allowed: string[]): void {
  if (!allowed.includes(method)) {
    throw new HttpError(405, 'ERR_METHOD_NOT_ALLOWED', `use ${allowed.join(' or ')}`, { Allow: allowed.join(', ') })
  }
}

/** Only well-formed ids go on: anything else cannot name a stored share, so it is a 404. */
function checkId(id: string | undefined): string {
  if (id === undefined || !isShareId(id)) throw notFound()
  return id
}

function forbidden(): HttpError {
  return new HttpError(403, 'ERR_FORBIDDEN', 'missing or wrong secret (Authorization: Bearer <secret>)')
}

function bearer(req: IncomingMessage): string {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(req.headers.authorization ?? '')
  return match?.[1] ?? ''
}

async function readDocument(req: IncomingMessage, limit: number): Promise<ShareDocument> {
  // A JSON content type keeps browsers from posting here cross-site without a preflight we never answer.
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase()
  if (type !== 'application/json') {
    throw new HttpError(415, 'ERR_UNSUPPORTED_MEDIA_TYPE', 'send the document as application/json')
  }
  const text = (await readBody(req, limit)).toString('utf8')
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new HttpError(400, 'ERR_BAD_JSON', `body is not JSON: ${(error as Error).message}`)
  }
  const problem = shareDocumentProblem(value)
  if (problem !== undefined) throw new HttpError(400, 'ERR_INVALID_DOCUMENT', problem)
  try {
    JSON.stringify(value)
  } catch {
    // Parsed, but too deep to serialize again for storage (stack depth).
    throw new HttpError(400, 'ERR_INVALID_DOCUMENT', 'the document is nested too deeply')
  }
  return value as ShareDocument
}

/** Reads at most `limit` bytes; a longer body is a 413 and is not read further. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = (): HttpError =>
    new HttpError(413, 'ERR_TOO_LARGE', `the body is larger than ${limit} bytes`, { Connection: 'close' })
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge())
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer): void => {
      size += chunk.length
      if (size > limit) {
        // Stop here: the rest is neither read nor buffered; the connection closes after the 413.
        cleanup()
        req.pause()
        chunks.length = 0
        reject(tooLarge())
        return
      }
      chunks.push(chunk)
    }
    const onEnd = (): void => {
      cleanup()
      resolve(Buffer.concat(chunks, size))
    }
    const onError = (error: Error): void => {
      cleanup()
      reject(error)
    }
    const cleanup = (): void => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
    }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
  })
}

function commonHeaders(): Record<string, string> {
  return {
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    // An unshared document must not live on in caches.
    'Cache-Control': 'no-store',
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    ...commonHeaders(),
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  })
  res.end(text)
}

function sendError(res: ServerResponse, error: HttpError): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value)
  // A 413 carries `Connection: close`, so the unread rest of its body is never parsed as a next request.
  sendJson(res, error.status, { error: { code: error.code, message: error.message } })
}
