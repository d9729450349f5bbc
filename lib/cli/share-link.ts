/**
 * `import https://host/s/<id>`: a share link read back as a document. The viewer page's
 * link (`/s/<id>`) and the API's (`/api/share/<id>`) both name the share; the document is
 * always fetched from the API, under whatever path prefix a proxy put in front of both.
 */
import { ShareFailedError, UsageError } from '../index.js'

/** A share server accepts documents up to 16 MiB by default; this leaves room for a bigger one. */
export const MAX_SHARE_BYTES = 64 * 1024 * 1024
export const SHARE_TIMEOUT_MS = 30_000

export interface FetchLimits {
  timeoutMs: number
  maxBytes: number
  /** Ctrl-C. */
  signal?: AbortSignal
}

/** Whether an argument is a URL rather than a file name (`C:\x` and `./a:b` are files). */
export function isUrl(arg: string): boolean {
  return /^[a-z][a-z0-9+.-]+:\/\//i.test(arg)
}

/** The API URL of the share a link names; a usage error for any other URL. */
export function shareApiUrl(link: string): URL {
  let url: URL
  try {
    url = new URL(link)
  } catch {
    throw new UsageError(`import: ${JSON.stringify(link)} is not a valid URL`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`import: only http(s) share links can be imported, got ${url.protocol}//`)
  }
  const match = /^(.*?)\/(?:s|api\/share)\/([A-Za-z0-9_-]+)\/?$/.exec(url.pathname)
  if (!match) {
    throw new UsageError(`import: ${JSON.stringify(link)} is not a share link (http(s)://host/s/<id> or http(s)://host/api/share/<id>)`)
  }
  return new URL(`${url.origin}${match[1]}/api/share/${match[2]}`)
}

/** The document's text; ERR_SHARE_FAILED when the server cannot be reached, says no, is too slow or sends too much. */
export async function fetchShare(url: URL, limits: FetchLimits): Promise<string> {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(new Error(`no answer within ${limits.timeoutMs} ms`)), limits.timeoutMs)
  const stop = () => controller.abort(new Error('interrupted'))
  limits.signal?.addEventListener('abort', stop, { once: true })
  const fail = (why: string, status?: number) => new ShareFailedError(`could not import ${url.href}: ${why}`, status === undefined ? {} : { status })
  try {
    let response: Response
    try {
      response = await fetch(url, { signal: controller.signal, headers: { Accept: 'application/json' } })
    } catch (error) {
      throw fail(reason(controller.signal, error))
    }
    if (response.status === 404) throw fail('no such share (HTTP 404)', 404)
    if (!response.ok) throw fail(`the server answered HTTP ${response.status}`, response.status)
    const declared = Number(response.headers.get('content-length'))
    if (Number.isFinite(declared) && declared > limits.maxBytes) {
      await response.body?.cancel()
      throw fail(`the document is larger than ${limits.maxBytes} bytes`)
    }
    const chunks: Uint8Array[] = []
    let size = 0
    try {
      for await (const chunk of response.body ?? []) {
        size += chunk.byteLength
        // Counted as it comes: a server that lies about (or omits) the length is cut off here.
        if (size > limits.maxBytes) {
          controller.abort()
          throw fail(`the document is larger than ${limits.maxBytes} bytes`)
        }
        chunks.push(chunk)
      }
    } catch (error) {
      if (error instanceof ShareFailedError) throw error
      throw fail(reason(controller.signal, error))
    }
    return Buffer.concat(chunks).toString('utf8')
  } finally {
    clearTimeout(timer)
    limits.signal?.removeEventListener('abort', stop)
  }
}

function reason(signal: AbortSignal, error: unknown): string {
  if (signal.aborted) return signal.reason instanceof Error ? signal.reason.message : 'aborted'
  const cause = (error as { cause?: { code?: string, message?: string } } | null)?.cause
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error))
}
