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

export interface BodyOptions {
  /** The whole body must arrive within this many ms of the first read, else 408 (a slow sender holds memory and a slot). */
  timeoutMs?: number
  /** Deepest nesting of arrays and objects accepted, else 400 ERR_INVALID_DOCUMENT; checked on the bytes, before parsing. */
  maxDepth?: number
}

/** The parsed JSON body: 415 unless declared as JSON, 413 past `limit`, 408 when too slow, 400 when it does not parse or nests too deep. */
export async function readJson(req: IncomingMessage, limit: number, options: BodyOptions = {}): Promise<unknown> {
  // A JSON content type keeps browsers from posting here cross-site without a preflight we never answer.
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase()
  if (type !== 'application/json') {
    throw new HttpError(415, 'ERR_UNSUPPORTED_MEDIA_TYPE', 'send the document as application/json')
  }
  const body = await readBody(req, limit, options.timeoutMs)
  const maxDepth = options.maxDepth
  if (maxDepth !== undefined && nestingExceeds(body, maxDepth)) {
    // JSON.parse copes with any depth, but everything after it (stringify, rendering) recurses.
    throw new HttpError(400, 'ERR_INVALID_DOCUMENT', `the document is nested deeper than ${maxDepth} levels`)
  }
  try {
    return JSON.parse(body.toString('utf8')) as unknown
  } catch (error) {
    throw new HttpError(400, 'ERR_BAD_JSON', `body is not JSON: ${(error as Error).message}`)
  }
}

/**
 * Whether arrays and objects in the JSON text `bytes` nest deeper than `max`
 * (the outermost value is level 1). One pass over the bytes, no recursion, so
 * any depth costs the same; brackets inside strings do not count. Multi-byte
 * UTF-8 sequences never contain ASCII bytes, so reading bytes is exact.
 */
export function nestingExceeds(bytes: Uint8Array, max: number): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]
    if (inString) {
      if (byte === 0x5c) i++ // backslash: the next byte is escaped, even a quote
      else if (byte === 0x22) inString = false
    } else if (byte === 0x22) {
      inString = true
    } else if (byte === 0x5b || byte === 0x7b) {
      if (++depth > max) return true
    } else if (byte === 0x5d || byte === 0x7d) {
      depth--
    }
  }
  return false
}

/** Reads at most `limit` bytes; a longer body is a 413 and is not read further; past `timeoutMs` it is a 408. */
export function readBody(req: IncomingMessage, limit: number, timeoutMs?: number): Promise<Buffer> {
  const tooLarge = (): HttpError =>
    new HttpError(413, 'ERR_TOO_LARGE', `the body is larger than ${limit} bytes`, { Connection: 'close' })
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge())
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    // Stop here: the rest is neither read nor buffered; the connection closes after the answer.
    const stop = (error: HttpError): void => {
      cleanup()
      req.pause()
      chunks.length = 0
      reject(error)
    }
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
      stop(new HttpError(408, 'ERR_TIMEOUT', `the body did not arrive within ${timeoutMs} ms`, { Connection: 'close' }))
    }, timeoutMs)
    const onData = (chunk: Buffer): void => {
      size += chunk.length
      if (size > limit) return stop(tooLarge())
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
      clearTimeout(timer)
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
  // A body left unread (a 413, a 403 before the upload, a 503) is not drained: closing is cheaper, and the
  // rest of it is then never parsed as a next request.
  if (!res.req.complete) res.setHeader('Connection', 'close')
  sendJson(res, answer.status, { error: { code: answer.code, message: answer.message } })
}
