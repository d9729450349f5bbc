/**
 * The few fs calls a writer makes, behind an interface so tests (the host's too, through
 * `session-journal/testing`) can make the disk fail on cue: a short write, ENOSPC, a failed
 * fdatasync.
 */
import fsSync from 'node:fs'

export interface WriterIO {
  /** Writes `data` at the end of the file; returns the bytes written (fewer only on a short write). */
  writeSync(fd: number, data: string | Uint8Array): number
  fdatasync(fd: number, callback: (error: NodeJS.ErrnoException | null) => void): void
  ftruncateSync(fd: number, length: number): void
}

/** The key under which `session-journal/testing` hands a Journal its WriterIO. */
export const WRITER_IO: unique symbol = Symbol.for('session-journal.writer-io')

export const nodeIO: WriterIO = {
  writeSync: (fd, data) => (typeof data === 'string' ? fsSync.writeSync(fd, data) : fsSync.writeSync(fd, data)),
  fdatasync: (fd, callback) => fsSync.fdatasync(fd, callback),
  ftruncateSync: (fd, length) => fsSync.ftruncateSync(fd, length),
}

/** Writes all `bytes` of `data`: a string goes to write(2) without an intermediate Buffer; only a short write needs one. */
export function writeAll(io: WriterIO, fd: number, data: string, bytes: number): void {
  let done = io.writeSync(fd, data)
  if (done < bytes) {
    const rest = Buffer.from(data)
    while (done < bytes) done += io.writeSync(fd, rest.subarray(done))
  }
}
