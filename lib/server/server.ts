/**
 * Starts the share server: a ShareStore on disk and the routes (routes.ts)
 * behind node:http, and stops it. It listens on loopback by default; put it
 * behind a TLS proxy (and set `publicUrl`) to share beyond this machine.
 * Protocol and security model: docs/share.md.
 */

import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import envPaths from 'env-paths'
import { shareRoutes } from './routes.js'
import { ShareStore } from './store.js'

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

export async function startShareServer(options: ShareServerOptions = {}): Promise<ShareServer> {
  const host = options.host ?? '127.0.0.1'
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  const store = new ShareStore(options.dir ?? defaultShareServerDir())
  await store.init()

  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`
  const publicBase = (options.publicUrl ?? url).replace(/\/+$/, '')

  // The routes need the links' base, known only once the port is. Attaching them here, with no
  // await since the listen callback, is before the first connection can be accepted.
  const handle = shareRoutes(store, { publicBase, maxBodyBytes })
  server.on('request', (req, res) => {
    void handle(req, res)
  })

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
