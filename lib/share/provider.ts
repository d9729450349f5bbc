/**
 * How a share reaches a server. The journal talks to a ShareProvider only, so
 * a host can plug in its own transport; httpShareProvider() speaks the
 * protocol of lib/share/server.ts (docs/share.md).
 */

import { ShareFailedError } from '../core/errors.js'
import type { ShareDocument } from './document.js'

export type { ShareDocument } from './document.js'

export interface ShareRecord {
  shareId: string
  /** The viewer page anyone with the link can read. */
  url: string
  /** Proves ownership for sync and remove; keep it private (see lib/share/secrets.ts). */
  secret: string
  /** The server the share lives on; sync and remove go there even if the configured server changed since. */
  server: string
}

export interface ShareProvider {
  publish(doc: ShareDocument): Promise<ShareRecord>
  sync(record: ShareRecord, doc: ShareDocument): Promise<void>
  /** Removing an already-removed share (404) is success. */
  remove(record: ShareRecord): Promise<void>
}

export interface HttpShareProviderOptions {
  /** Defaults to the global fetch; tests and hosts with proxies pass their own. */
  fetch?: typeof fetch
  /** Per request; default 30 seconds. */
  timeoutMs?: number
}

export const DEFAULT_SHARE_TIMEOUT_MS = 30_000

export function httpShareProvider(serverUrl: string, options: HttpShareProviderOptions = {}): ShareProvider {
  const server = normalizeServer(serverUrl)
  const fetchImpl = options.fetch ?? globalThis.fetch
  const timeoutMs = options.timeoutMs ?? DEFAULT_SHARE_TIMEOUT_MS

  async function request(what: string, url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetchImpl(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(timeoutMs) })
    } catch (error) {
      const reason = error instanceof Error && error.name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : error instanceof Error ? error.message : String(error)
      throw new ShareFailedError(`${what} failed: ${url}: ${reason}`, { cause: error })
    }
  }

  const shareUrl = (record: ShareRecord, suffix = ''): string =>
    `${normalizeServer(record.server)}/api/share/${encodeURIComponent(record.shareId)}${suffix}`

  return {
    async publish(doc) {
      const url = `${server}/api/share`
      const response = await request('share', url, jsonInit('POST', doc))
      if (response.status !== 201) throw await statusError('share', url, response)
      const body = await readJson('share', url, response)
      const { id, url: pageUrl, secret } = body as Record<string, unknown>
      // The page URL ends up in host UIs and links: only http(s) is acceptable.
      if (typeof id !== 'string' || id === '' || typeof secret !== 'string' || secret === '' || !isHttpUrl(pageUrl)) {
        throw new ShareFailedError(`share failed: ${url}: the answer lacks a valid id, url or secret`, { status: response.status })
      }
      return { shareId: id, url: pageUrl, secret, server }
    },

    async sync(record, doc) {
      const url = shareUrl(record, '/sync')
      const response = await request('share sync', url, jsonInit('POST', doc, record.secret))
      if (response.status !== 200) throw await statusError('share sync', url, response)
      await response.body?.cancel()
    },

    async remove(record) {
      const url = shareUrl(record)
      const response = await request('unshare', url, { method: 'DELETE', headers: { authorization: `Bearer ${record.secret}` } })
      if (response.status === 204 || response.status === 200 || response.status === 404) {
        await response.body?.cancel()
        return
      }
      throw await statusError('unshare', url, response)
    },
  }
}

function normalizeServer(serverUrl: string): string {
  let url: URL
  try {
    url = new URL(serverUrl)
  } catch {
    throw new ShareFailedError(`not a share server URL: ${JSON.stringify(serverUrl)}`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ShareFailedError(`share server must be http:// or https://, got ${JSON.stringify(serverUrl)}`)
  }
  return url.href.replace(/\/+$/, '')
}

function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false
  try {
    const { protocol } = new URL(value)
    return protocol === 'http:' || protocol === 'https:'
  } catch {
    return false
  }
}

function jsonInit(method: string, body: unknown, secret?: string): RequestInit {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (secret !== undefined) headers.authorization = `Bearer ${secret}`
  return { method, headers, body: JSON.stringify(body) }
}

async function readJson(what: string, url: string, response: Response): Promise<unknown> {
  try {
    return await response.json()
  } catch (error) {
    throw new ShareFailedError(`${what} failed: ${url}: the answer is not JSON`, { status: response.status, cause: error })
  }
}

/** The server's own `error.message` when it sent one, so the user sees why. */
async function statusError(what: string, url: string, response: Response): Promise<ShareFailedError> {
  let detail = response.statusText
  try {
    const body = await response.json() as { error?: { code?: unknown, message?: unknown } }
    if (typeof body.error?.message === 'string') detail = body.error.message
  } catch {
    // Not JSON (a proxy's error page, say): the status line is all there is.
  }
  return new ShareFailedError(`${what} failed: ${url}: HTTP ${response.status}${detail ? ` ${detail}` : ''}`, { status: response.status })
}
