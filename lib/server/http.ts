/**
 * HTTP plumbing for the share server, kept apart from the routes so each can
 * be read (and tested) on its own: errors that end a request, bounded body
 * reading, the JSON answers and the headers every answer carries.
 * Nothing here knows about shares.
 */

import type { IncomingMessage, ServerResponse } from 'node:http'

/** An answer that ends a request early; `code` is the stable `error.code` in the JSON body. */
export class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly headers: Record<string, string> = {}) {
    super(message)
  }
}

/** Throws a 405 (with the `Allow` header HTTP asks for) unless `method` is one of `allowed`. */
export function allow(method: string, allowed: string[]): void {
  if (!allowed.includes(method)) {
    throw new HttpError(405, 'ERR_METHOD_NOT_ALLOWED', `use ${allowed.join(' or ')}`, { Allow: allowed.join(', ') })
  }
}

/** The token of `Authorization: Bearer <token>`, or '' when the header is missing or has another shape. */
export function bearer(req: IncomingMessage): string {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(req.headers.authorization ?? '')
  return match?.[1] ?? ''
}

/** The parsed JSON body: 415 unless declared as JSON, 413 past `limit`, 400 when it does not parse. */
export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  // A JSON content type keeps browsers from posting here cross-site without a preflight we never answer.
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase()
  if (type !== 'application/json') {
    throw new HttpError(415, 'ERR_UNSUPPORTED_MEDIA_TYPE', 'send the document as application/json')
  }
  const text = (await readBody(req, limit)).toString('utf8')
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw new HttpError(400, 'ERR_BAD_JSON', `body is not JSON: ${(error as Error).message}`)
  }
}

/** Reads at most `limit` bytes; a longer body is a 413 and is not read further. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
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

/** Headers on every answer, JSON or HTML. */
export function commonHeaders(): Record<string, string> {
  return {
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    // An unshared document must not live on in caches.
    'Cache-Control': 'no-store',
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    ...commonHeaders(),
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  })
  res.end(text)
}

/**
 * Answers with `error` as `{"error":{"code","message"}}`; anything that is not
 * an HttpError is a bare 500, so no internal detail reaches the client.
 */
export function sendError(res: ServerResponse, error: unknown): void {
  const answer = error instanceof HttpError ? error : new HttpError(500, 'ERR_INTERNAL', 'internal error')
  if (res.headersSent) {
    // Too late for a status: cutting the connection is the only way to say the answer is broken.
    res.destroy()
    return
  }
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value)
  // A 413 carries `Connection: close`, so the unread rest of its body is never parsed as a next request.
  sendJson(res, answer.status, { error: { code: answer.code, message: answer.message } })
}
