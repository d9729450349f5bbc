/**
 * Where a catch-up's writes are applied: on the search's own connection, or, for a large
 * catch-up (a first build), on a worker thread with a connection of its own, so SQLite's
 * indexing runs while the main thread reads and folds the next logs. Measured on 10,000
 * sessions (~1 GB): the writes were more than half of a build's time on one thread.
 */
import { Worker } from 'node:worker_threads'
import { BUSY_TIMEOUT_MS, type Db, type IndexFile } from './db.js'
import { applyBatch, type Write } from './writes.js'

export interface Writer {
  /** One transaction: the writes, then the marks when given. Resolves to the indexes of the writes refused. */
  apply(writes: Write[], marks: Array<[string, string]> | null): Promise<number[]>
  close(): Promise<void>
}

export function inlineWriter(db: Db): Writer {
  return {
    apply: (writes, marks) => {
      try {
        return Promise.resolve(applyBatch(db, writes, marks))
      } catch (error) {
        return Promise.reject(error)
      }
    },
    close: () => Promise.resolve(),
  }
}

type Reply = { ready: true } | { refused: number[] } | { error: { code?: string, message: string } }

/** A worker with its own connection to the index file; ERR-coded errors come back with their code (damage, a moved file). */
export async function workerWriter(index: IndexFile): Promise<Writer> {
  const worker = new Worker(new URL('./write-worker.js', import.meta.url), {
    workerData: { file: index.file, ino: index.ino, timeout: BUSY_TIMEOUT_MS },
  })
  const next = () => new Promise<Reply>((resolve, reject) => {
    const settle = (fn: () => void) => {
      worker.off('message', onMessage).off('error', onError).off('exit', onExit)
      fn()
    }
    const onMessage = (reply: Reply) => settle(() => ('error' in reply
      ? reject(Object.assign(new Error(reply.error.message), reply.error.code === undefined ? {} : { code: reply.error.code }))
      : resolve(reply)))
    const onError = (error: Error) => settle(() => reject(error))
    const onExit = (code: number) => settle(() => reject(new Error(`the search index's write worker stopped (exit code ${code})`)))
    worker.on('message', onMessage).on('error', onError).on('exit', onExit)
  })
  try {
    await next()
  } catch (error) {
    await worker.terminate()
    throw error
  }
  return {
    async apply(writes, marks) {
      worker.postMessage({ writes, marks })
      return (await next() as { refused: number[] }).refused
    },
    async close() {
      await worker.terminate()
    },
  }
}
