/**
 * Import child: reads an export document from `doc`, prints `ready`, waits for `go` on stdin
 * (so several children race at the same moment), then imports it into each of `projects` at
 * once and prints `imported <id>` or `refused <code>` for each. With `freezeAfterWrites`, it
 * prints `frozen` on that write(2) of the import's log and stops there (the event loop held),
 * for the parent to SIGKILL mid-import.
 */
import fs from 'node:fs'
import readline from 'node:readline'
import { Journal, type JournalError } from '../../../lib/index.js'
import { withWriterIO, type WriterIO } from '../../../lib/testing.js'

interface Config { root: string, doc: string, projects: string[], freezeAfterWrites?: number }

const arg = process.argv[2]
// node --test also runs this file as a test: without a config there is nothing to do.
if (arg !== undefined) {
  const config = JSON.parse(arg) as Config
  const doc = JSON.parse(fs.readFileSync(config.doc, 'utf8')) as unknown
  let writes = 0
  const io: WriterIO = {
    writeSync: (fd, data) => {
      if (++writes === config.freezeAfterWrites) {
        process.stdout.write('frozen\n')
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0) // until killed
      }
      return typeof data === 'string' ? fs.writeSync(fd, data) : fs.writeSync(fd, data)
    },
    fdatasync: (fd, callback) => fs.fdatasync(fd, callback),
    ftruncateSync: (fd, length) => fs.ftruncateSync(fd, length),
  }
  const journal = new Journal(withWriterIO({ root: config.root, fsync: 'never' }, io))
  const input = readline.createInterface({ input: process.stdin })
  process.stdout.write('ready\n')
  await new Promise<void>(resolve => input.on('line', line => { if (line === 'go') resolve() }))
  input.close()
  await Promise.all(config.projects.map(async project => {
    try {
      process.stdout.write(`imported ${await journal.import(doc, { project })}\n`)
    } catch (error) {
      const code = (error as JournalError).code
      if (typeof code !== 'string') throw error
      process.stdout.write(`refused ${code}\n`)
    }
  }))
}
