/**
 * The write worker of a large catch-up (writer.ts): opens the index file the search has open
 * (the same file: a different inode means it was replaced meanwhile) and applies each batch
 * it is sent in a transaction, answering with the refused writes or the error.
 */
import fs from 'node:fs'
import { parentPort, workerData } from 'node:worker_threads'
import { loadSqlite, tune } from './db.js'
import { applyBatch, type Write } from './writes.js'

const port = parentPort!
const { file, ino, timeout } = workerData as { file: string, ino: number, timeout: number }

const fail = (error: unknown) => {
  const { code, message } = error as { code?: unknown, message?: unknown }
  port.postMessage({ error: { ...(typeof code === 'string' ? { code } : {}), message: String(message ?? error) } })
}

try {
  const Database = await loadSqlite()
  const db = new Database(file, { timeout, fileMustExist: true })
  if (fs.statSync(file).ino !== ino) throw Object.assign(new Error(`${file} was replaced`), { code: 'SQLITE_READONLY_DBMOVED' })
  tune(db)
  port.on('message', ({ writes, marks }: { writes: Write[], marks: Array<[string, string]> | null }) => {
    try {
      port.postMessage({ refused: applyBatch(db, writes, marks) })
    } catch (error) {
      fail(error)
    }
  })
  port.postMessage({ ready: true })
} catch (error) {
  fail(error)
}
