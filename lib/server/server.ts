/**
 * Starts the share server: a ShareStore (on disk by default, or on PostgreSQL)
 * and the routes (routes.ts) behind node:http, and stops it. It listens on loopback by default; put it
 * behind a TLS proxy (and set `publicUrl`) to share beyond this machine.
 * Protocol and security model: docs/share.md.
 */

import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import envPaths from 'env-paths'
import { UsageError } from '../core/errors.js'
import { Limiter } from './limit.js'
import { shareRoutes } from './routes.js'
import type { ShareStore, ShareStoreOptions } from './share-store.js'
import { DiskShareStore } from './store.js'
import type { PgStoreOptions } from './store-pg.js'
import type { PageOptions } from './viewer.js'

export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024

export interface ShareServerOptions {
  /** 0 (the default) picks a free port. */
  port?: number
  /** Default 127.0.0.1: nothing outside this machine can reach it unless asked for. */
  host?: string
  /** Where the disk store keeps documents; default `<data dir>/share-server`. */
  dir?: string
  /**
   * A `postgres://` connection string: documents are kept in that database, and every server
   * given the same one acts as one service (docs/share.md). Or a ShareStore of your own, which
   * the server uses but does not close. Default: the disk store in `dir`.
   */
  store?: string | ShareStore
  /** The PostgreSQL store's pool size, byte cache and timeouts. */
  postgres?: Omit<PgStoreOptions, keyof ShareStoreOptions>
  /** Largest accepted request body; larger ones get 413 without being read. Default 16 MiB. */
  maxBodyBytes?: number
  /** Base of the share links handed out (e.g. `https://share.example.com`), when a proxy sits in front. */
  publicUrl?: string
  /** The request line and headers must arrive within this many ms of connecting (node's headersTimeout). Default 20 s. */
  headersTimeoutMs?: number
  /** The whole request, body included, must arrive within this many ms (node's requestTimeout). Default 120 s. */
  requestTimeoutMs?: number
  /** A body must have arrived this many ms after the server began reading it, else 408. Default 60 s. */
  bodyTimeoutMs?: number
  /** A connection with no traffic either way for this many ms is closed. Default 60 s. */
  idleTimeoutMs?: number
  /** Open connections; more are refused by closing them. Default 1024. */
  maxConnections?: number
  /** Documents read, checked, stored or rendered at once (each may hold ~10x its size in memory). Default 2. */
  maxConcurrentWork?: number
  /** Requests waiting for that; beyond, 503 with Retry-After. A waiting upload is not read yet. Default 32. */
  maxQueuedWork?: number
  /** Answers streamed from disk at once (up to 64 KiB they do not count). Default 32: more do not serve faster, and each one streaming keeps its buffers in flight. */
  maxConcurrentStreams?: number
  /** Requests waiting for that (each holds a socket, no buffer); beyond, 503 with Retry-After. Default 1024. */
  maxQueuedStreams?: number
  /** Longest wait in either queue before 503. Default 30 s. */
  maxQueueWaitMs?: number
  /** How pages are cut: `maxPageBytes` (default 4 MiB), `toolLines` (50), `toolChars` (10 000), `textChars` (100 000). */
  page?: Partial<Omit<PageOptions, 'jsonHref'>>
}

export interface ShareServer {
  /** Where this server listens, e.g. `http://127.0.0.1:41234`. */
  url: string
  /** Where it keeps shares (its `stats` say what requests read). */
  store: ShareStore
  close(): Promise<void>
}

export function defaultShareServerDir(): string {
  return join(envPaths('session-journal', { suffix: '' }).data, 'share-server')
}

export async function startShareServer(options: ShareServerOptions = {}): Promise<ShareServer> {
  const maxQueueWaitMs = options.maxQueueWaitMs ?? 30_000
  const work = new Limiter('documents being processed', options.maxConcurrentWork ?? 2, options.maxQueuedWork ?? 32, maxQueueWaitMs)
  const streams = new Limiter('answers being streamed', options.maxConcurrentStreams ?? 32, options.maxQueuedStreams ?? 1024, maxQueueWaitMs)
  const store = await openStore(options, { page: options.page ?? {}, heavy: task => work.run(task) })
  const owned = store !== options.store
  try {
    return await listen(options, store, work, streams, owned)
  } catch (error) {
    if (owned) await store.close()
    throw error
  }
}

/** The store `options` name, opened and ready: the schema of a database brought up to date, a disk folder cleaned. */
async function openStore(options: ShareServerOptions, storeOptions: ShareStoreOptions): Promise<ShareStore> {
  const { store } = options
  if (typeof store === 'object') return store
  if (store !== undefined && options.dir !== undefined) throw new UsageError('give the share server a dir or a store, not both')
  if (store !== undefined) {
    if (!/^postgres(ql)?:\/\//i.test(store)) throw new UsageError('store must be a postgres:// or postgresql:// connection string')
    // Loaded only here: a server on the disk store never loads the database driver.
    const { PgShareStore } = await import('./store-pg.js')
    return PgShareStore.connect(store, { ...options.postgres, ...storeOptions })
  }
  const disk = new DiskShareStore(options.dir ?? defaultShareServerDir(), storeOptions)
  await disk.init()
  return disk
}

async function listen(options: ShareServerOptions, store: ShareStore, work: Limiter, streams: Limiter, owned: boolean): Promise<ShareServer> {
  const host = options.host ?? '127.0.0.1'
  const requestTimeout = options.requestTimeoutMs ?? 120_000
  // node refuses a headersTimeout above requestTimeout.
  const headersTimeout = Math.min(options.headersTimeoutMs ?? 20_000, requestTimeout)
  const server = createServer({
    headersTimeout,
    requestTimeout,
    // node checks both timeouts on this tick; its 30 s default would make short timeouts late.
    connectionsCheckingInterval: checkingInterval(headersTimeout || requestTimeout),
  })
  server.maxConnections = options.maxConnections ?? 1024
  server.timeout = options.idleTimeoutMs ?? 60_000
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
  const handle = shareRoutes(store, { publicBase, maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, bodyTimeoutMs: options.bodyTimeoutMs ?? 60_000, work, streams })
  server.on('request', (req, res) => {
    void handle(req, res)
  })

  let closing: Promise<void> | undefined
  return {
    url,
    store,
    // Idempotent: a second close() (a test's cleanup, a signal handler) waits for the first.
    close: () => closing ??= new Promise<void>((resolve, reject) => {
      server.close(error => (error ? reject(error) : resolve()))
      // Keep-alive connections would hold close() open until they time out.
      server.closeAllConnections()
    }).then(() => owned ? store.close() : undefined),
  }
}

/** A quarter of the shortest timeout, within 10 ms and node's 30 s default. */
function checkingInterval(timeout: number): number {
  return timeout > 0 ? Math.max(10, Math.min(30_000, Math.floor(timeout / 4))) : 30_000
}
