import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { logLines, rejectsWith, tempDir } from './helpers.js'
import { Journal, type JournalOptions } from '../lib/journal.js'
import { nodeIO, withWriterIO, type WriterIO } from '../lib/testing.js'
import { WRITER_IO } from '../lib/core/writer-io.js'

/** The real fs calls, counted; the next write may be armed to put half its bytes down and then fail ENOSPC. */
class DiskFullOnce implements WriterIO {
  armed = false
  writes = 0
  syncs = 0
  truncates = 0

  writeSync(fd: number, data: string | Uint8Array): number {
    this.writes++
    if (this.armed) {
      this.armed = false
      const bytes = typeof data === 'string' ? Buffer.from(data) : data
      fs.writeSync(fd, bytes, 0, Math.floor(bytes.length / 2))
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' })
    }
    return nodeIO.writeSync(fd, data)
  }

  fdatasync(fd: number, callback: (error: NodeJS.ErrnoException | null) => void): void {
    this.syncs++
    nodeIO.fdatasync(fd, callback)
  }

  ftruncateSync(fd: number, length: number): void {
    this.truncates++
    nodeIO.ftruncateSync(fd, length)
  }
}

test('withWriterIO: a Journal\'s appends go through the given io; ENOSPC rejects ERR_WRITE_FAILED, bytes unchanged, the next append succeeds', async t => {
  const dir = tempDir(t)
  const io = new DiskFullOnce()
  const journal = new Journal(withWriterIO({ root: path.join(dir, 'root'), fsync: 'always' }, io))
  const s = await journal.create({ project: path.join(dir, 'work') })
  await s.title('before')
  assert.ok(io.writes >= 1 && io.syncs >= 1, 'the write and its fdatasync went through the io')
  const before = fs.readFileSync(s.path)

  io.armed = true
  const error = await rejectsWith(s.title('lost'), 'ERR_WRITE_FAILED')
  assert.equal((error.cause as NodeJS.ErrnoException).code, 'ENOSPC')
  assert.equal(io.truncates, 1, 'the half line was cut off through the io')
  assert.deepEqual(fs.readFileSync(s.path), before, 'not a byte of the failed line is left')

  await s.title('after')
  await s.close()
  assert.deepEqual(logLines(s.path).map(e => [e.seq, e.title ?? e.type]), [[0, 'session'], [1, 'before'], [2, 'after']])
  assert.deepEqual(fs.readFileSync(s.path).subarray(0, before.length), before)
  assert.deepEqual((await journal.read(s.id)).damage, [])
})

test('withWriterIO: returns a new options object and leaves the one given as it was', () => {
  const io = new DiskFullOnce()
  const options: JournalOptions = Object.freeze({ root: '/tmp/never-made', fsync: 'never', maxLineBytes: 4096 })
  const copy = { ...options }
  const result = withWriterIO(options, io)
  assert.notEqual(result, options)
  assert.deepEqual(options, copy)
  assert.deepEqual(Object.getOwnPropertySymbols(options), [])
  assert.equal(result[WRITER_IO], io)
  assert.deepEqual({ ...result, [WRITER_IO]: undefined }, { ...options, [WRITER_IO]: undefined }, 'every other option is kept')
  // Replacing the io of options that already carry one replaces it in the copy only.
  const again = withWriterIO(result, nodeIO)
  assert.equal(again[WRITER_IO], nodeIO)
  assert.equal(result[WRITER_IO], io)
})

test('withWriterIO: a Journal made without it never calls the io', async t => {
  const dir = tempDir(t)
  const io = new DiskFullOnce()
  const options = { root: path.join(dir, 'root'), fsync: 'always' as const }
  withWriterIO(options, io) // made, then not used
  const s = await new Journal(options).create({ project: path.join(dir, 'work') })
  await s.title('plain')
  await s.close()
  assert.deepEqual([io.writes, io.syncs, io.truncates], [0, 0, 0])
})
