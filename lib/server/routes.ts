/**
 * The share server's routes, as one request handler over a ShareStore:
 * publish, read, sync, delete, and the HTML page. It does not listen; the
 * caller hands it requests (server.ts does, from node:http).
 * Protocol and security model: docs/share.md.
 */

import type { IncomingMessage, ServerResponse } from 'node:http'
import { shareDocumentProblem, type ShareDocument } from '../share/document.js'
import { HttpError, allow, bearer, commonHeaders, readJson, sendError, sendJson } from './http.js'
import { ShareStore, isShareId } from './store.js'
import { VIEWER_CSP, renderSharePage } from './viewer.js'

export interface RouteSettings {
  /** Base of the share links handed out, without a trailing slash (e.g. `https://share.example.com`). */
  publicBase: string
  /** Largest accepted request body, in bytes. */
  maxBodyBytes: number
}

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>

/** The handler answers every request, errors included, so the promise it returns never rejects. */
export function shareRoutes(store: ShareStore, settings: RouteSettings): RequestHandler {
  const { publicBase, maxBodyBytes } = settings

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
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
      const id = shareIdOr404(segments[2])
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
      const id = shareIdOr404(segments[2])
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
      const share = await store.get(shareIdOr404(segments[1]))
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

  return async (req, res) => {
    try {
      await route(req, res)
    } catch (error) {
      sendError(res, error)
    }
  }
}

const notFound = (): HttpError => new HttpError(404, 'ERR_NOT_FOUND', 'no such share')

function forbidden(): HttpError {
  return new HttpError(403, 'ERR_FORBIDDEN', 'missing or wrong secret (Authorization: Bearer <secret>)')
}

/** Only well-formed ids go on: anything else cannot name a stored share, so it is a 404. */
function shareIdOr404(id: string | undefined): string {
  if (id === undefined || !isShareId(id)) throw notFound()
  return id
}

/** The JSON body as a share document; the viewer trusts its types, so the shape is checked here. */
async function readDocument(req: IncomingMessage, limit: number): Promise<ShareDocument> {
  const value = await readJson(req, limit)
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
