/**
 * `session-journal/testing`: the fault seam. A host's own tests can hand a Journal the few
 * fs calls its writers make (write, fdatasync, ftruncate) and make the disk fail on cue.
 */
import { WRITER_IO, type WriterIO } from './core/writer-io.js'
import type { JournalOptions } from './journal.js'

export { nodeIO } from './core/writer-io.js'
export type { WriterIO } from './core/writer-io.js'

/** `options` with the writers' fs calls replaced by `io`: `new Journal(withWriterIO({ root }, io))`. */
export function withWriterIO<T extends JournalOptions>(options: T, io: WriterIO): T {
  return { ...options, [WRITER_IO]: io }
}
