/**
 * The share server's routes, as one request handler over a ShareStore (any:
 * share-store.ts): publish, read, sync, delete, the HTML page, and /healthz.
 * It does not listen; the caller hands it requests (server.ts does, from node:http).
 *
 * What each request may cost: a secret is checked against the share's small
 * record before anything else is read; GETs stream bytes prepared at publish
 * time (never parsing the document); parsing and rendering run in the `work`
 * limiter, long streams in the `streams` one, and past their queues the answer
 * is 503 with Retry-After. Protocol and security model: docs/share.md.
 */

import type { IncomingMessage, ServerResponse } from 'node:http'
import { pipeline } from 'node:stream/promises'
import { shareDocumentProblem, type ShareDocument } from '../share/document.js'
import { HttpError, allow, bearer, commonHeaders, readJson, sendError, sendJson } from './http.js'
import { RETRY_AFTER_SECONDS, type Limiter } from './limit.js'
import { isShareId, StoreUnavailableError, type ShareStore } from './share-store.js'
import { VIEWER_CSP, renderErrorPage } from './viewer.js'

export interface RouteSettings {
  /** Base of the share links handed out, without a trailing slash (e.g. `https://share.example.com`). */
  publicBase: string
  /** Largest accepted request body, in bytes. */
  maxBodyBytes: number
  /** A body must have arrived this many ms after reading began, else 408. */
  bodyTimeoutMs: number
  /** Reading, checking, storing and rendering documents. */
  work: Limiter
  /** Answers streamed from files larger than SMALL_ANSWER_BYTES. */
  streams: Limiter
}

/** Deepest nesting of arrays and objects a document may have (the document object itself is level 1). */
export const MAX_DOCUMENT_DEPTH = 256

/** Answers up to this size skip the streams queue: they take a moment, and a small share must not wait behind big ones. */
export const SMALL_ANSWER_BYTES = 64 * 1024

const JSON_CSP = "default-src 'none'; frame-ancestors 'none'"

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>

/** The handler answers every request, errors included, so the promise it returns never rejects. */
export function shareRoutes(store: ShareStore, settings: RouteSettings): RequestHandler {
  const { publicBase, work } = settings

  async function route(req: IncomingMessage, res: ServerResponse, gone: AbortSignal): Promise<void> {
    const method = req.method ?? 'GET'
    const segments = pathOf(req).split('/').slice(1)

    if (segments.length === 1 && segments[0] === 'healthz') {
      allow(method, ['GET', 'HEAD'])
      // For load balancers: whether this server can reach its store now (503 when not, like every request then).
      await store.health()
      return sendJson(res, 200, { ok: true, store: store.kind })
    }

    if (segments.length === 2 && segments[0] === 'api' && segments[1] === 'share') {
      allow(method, ['POST'])
      // The slot is taken before the body is read: a queued upload holds no memory.
      const { id, secret } = await work.run(async () => store.create(await readDocument(req, settings)), gone)
      return sendJson(res, 201, { id, url: `${publicBase}/s/${id}`, secret })
    }
    if (segments.length === 3 && segments[0] === 'api' && segments[1] === 'share') {
      allow(method, ['GET', 'HEAD', 'DELETE'])
      const id = shareIdOr404(segments[2])
      if (method !== 'DELETE') return serveShare(store, settings, req, res, id, 'json', gone)
      outcome(await store.remove(id, bearer(req)))
      res.writeHead(204, commonHeaders())
      res.end()
      return
    }
    if (segments.length === 4 && segments[0] === 'api' && segments[1] === 'share' && segments[3] === 'sync') {
      allow(method, ['POST'])
      const id = shareIdOr404(segments[2])
      const secret = bearer(req)
      // Checked against the small record before the body is read: a wrong secret costs one small file read.
      outcome(await store.check(id, secret))
      await work.run(async () => outcome(await store.replace(id, secret, await readDocument(req, settings))), gone)
      return sendJson(res, 200, { id, url: `${publicBase}/s/${id}` })
    }
    if (segments.length === 2 && segments[0] === 's') {
      allow(method, ['GET', 'HEAD'])
      return serveShare(store, settings, req, res, shareIdOr404(segments[1]), 'html', gone)
    }
    throw new HttpError(404, 'ERR_NOT_FOUND', 'no such route')
  }

  return async (req, res) => {
    const closed = new AbortController()
    res.once('close', () => closed.abort())
    try {
      await route(req, res, closed.signal)
    } catch (caught) {
      const error = caught instanceof StoreUnavailableError ? unavailable() : caught
      if (wantsPage(req)) sendErrorPage(res, req.method === 'HEAD', error)
      else sendError(res, error)
    }
  }
}

/** GET/HEAD of the document or the page: prepared bytes, an ETag, 304 when the client has them. */
async function serveShare(store: ShareStore, settings: RouteSettings, req: IncomingMessage, res: ServerResponse,
  id: string, kind: 'json' | 'html', gone: AbortSignal): Promise<void> {
  // A sync may replace the files between reading the record and opening them: then look again.
  for (let attempt = 0; attempt < 3; attempt++) {
    const record = kind === 'html' ? await store.pageRecord(id) : await store.record(id)
    if (record === undefined) throw notFound()
    const etag = kind === 'html' ? `"${record.version}.${record.page}"` : `"${record.version}"`
    const size = kind === 'html' ? record.htmlBytes : record.jsonBytes
    const headers = {
      ...commonHeaders(),
      'Content-Type': kind === 'html' ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8',
      'Content-Security-Policy': kind === 'html' ? VIEWER_CSP : JSON_CSP,
      ETag: etag,
    }
    if (etagMatches(req.headers['if-none-match'], etag)) {
      res.writeHead(304, headers)
      res.end()
      return
    }
    if (req.method === 'HEAD') {
      res.writeHead(200, { ...headers, 'Content-Length': size })
      res.end()
      return
    }
    const release = size > SMALL_ANSWER_BYTES ? await settings.streams.acquire(gone) : undefined
    try {
      const body = await store.open(id, record, kind)
      if (body === undefined) continue
      res.writeHead(200, { ...headers, 'Content-Length': size })
      // Backpressure from the socket paces the reads: a slow reader holds one buffer, not the file.
      await pipeline(body, res)
      return
    } finally {
      release?.()
    }
  }
  throw new Error(`share ${id} kept changing while it was opened`)
}

/** `If-None-Match` holds `etag` (or `*`); weak forms count, as RFC 9110 asks for GET. */
function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  return header.split(',').some(tag => {
    const t = tag.trim()
    return t === '*' || t.replace(/^W\//, '') === etag
  })
}

function pathOf(req: IncomingMessage): string {
  try {
    return new URL(req.url ?? '/', 'http://localhost').pathname
  } catch {
    return '/'
  }
}

/** A browser opening a share link gets a page even when it fails; API clients (and `Accept: application/json`) get JSON. */
function wantsPage(req: IncomingMessage): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false
  if (!pathOf(req).startsWith('/s/')) return false
  const accept = req.headers.accept ?? ''
  return !/application\/json/i.test(accept) || /text\/html/i.test(accept)
}

function sendErrorPage(res: ServerResponse, head: boolean, error: unknown): void {
  if (res.headersSent) return sendError(res, error)
  const status = error instanceof HttpError && [404, 503].includes(error.status) ? error.status : 500
  const [heading, text] = status === 404
    ? ['Not shared', 'This conversation is no longer shared, or the link is incomplete.']
    : status !== 503
      ? ['Something went wrong', 'The server could not show this conversation.']
      : (error as HttpError).code === 'ERR_STORE_UNAVAILABLE'
        ? ['Unavailable', 'The server cannot reach its storage right now. Try again in a few seconds.']
        : ['Busy', 'The server is busy. Try again in a few seconds.']
  const html = renderErrorPage(heading, text)
  res.writeHead(status, {
    ...commonHeaders(),
    ...(error instanceof HttpError && status === 503 ? error.headers : {}),
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(html),
    'Content-Security-Policy': VIEWER_CSP,
  })
  res.end(head ? undefined : html)
}

/** The store cannot be reached: nothing was stored or changed, and the server stays up to answer again once it can. */
function unavailable(): HttpError {
  // The driver's message (socket paths, host names) is the operator's, not the client's.
  return new HttpError(503, 'ERR_STORE_UNAVAILABLE', 'the share store cannot be reached; try again shortly', { 'Retry-After': String(RETRY_AFTER_SECONDS) })
}

const notFound = (): HttpError => new HttpError(404, 'ERR_NOT_FOUND', 'no such share')

/** Turns a store's 'not-found' / 'forbidden' into the answer. */
function outcome(result: string): void {
  if (result === 'not-found') throw notFound()
  if (result === 'forbidden') throw new HttpError(403, 'ERR_FORBIDDEN', 'missing or wrong secret (Authorization: Bearer <secret>)')
}

/** Only well-formed ids go on: anything else cannot name a stored share, so it is a 404. */
function shareIdOr404(id: string | undefined): string {
  if (id === undefined || !isShareId(id)) throw notFound()
  return id
}

/** The JSON body as a share document; the viewer trusts its types, so the shape is checked here. */
async function readDocument(req: IncomingMessage, settings: RouteSettings): Promise<ShareDocument> {
  const value = await readJson(req, settings.maxBodyBytes, { timeoutMs: settings.bodyTimeoutMs, maxDepth: MAX_DOCUMENT_DEPTH })
  const problem = shareDocumentProblem(value)
  if (problem !== undefined) throw new HttpError(400, 'ERR_INVALID_DOCUMENT', problem)
  return value as ShareDocument
}
