/**
 * The appender: the write/sync/failure machine behind one open session. It turns bodies into
 * whole lines on an O_APPEND file descriptor and knows nothing of what the events mean.
 *
 * The first append of a tick is written at once, the rest of the tick joined into one write
 * (a burst costs two syscalls, not one per part). A line is acknowledged once the OS has it
 * ('never', 'batch') or once it is synced ('always'). With 'always', every append is queued, and
 * those that arrive while a sync is in flight wait for the next one: a group commit.
 * A failed write is cut back off the file, so a half line is never followed by good lines.
 */
import { EventTooLargeError, SessionClosedError, SessionLockedError, WriteFailedError, type JournalError } from './errors.js'
import { AppendListeners, type AppendListener } from './append-listeners.js'
import { toLine } from './event.js'
import type { OpenLog } from './log-file.js'
import type { JournalEvent } from './types.js'
import { writeAll, type WriterIO } from './writer-io.js'

export type Durability = 'always' | 'batch' | 'never'

export interface AppenderSettings {
  fsync: Durability
  /** 'batch': the longest an acknowledged line waits for its fdatasync. */
  batchMs: number
  maxLineBytes: number
  io: WriterIO
}

/** An event without `seq` and `ts`, which the appender assigns. */
export type EventBody = { type: string, [key: string]: unknown }


interface Pending {
  event: JournalEvent
  line: string
  value: unknown
  resolve: (value: unknown) => void
  reject: (error: Error) => void
}

// Node's queueMicrotask() makes an AsyncResource and a bound function per call; a reaction to a settled promise is the same queue, cheaply.
const SETTLED = Promise.resolve()

// toISOString costs more than the rest of an append's bookkeeping: reuse it within a millisecond.
let lastMs = 0
let lastIso = ''
function now(): string {
  const ms = Date.now()
  if (ms !== lastMs) lastIso = new Date(lastMs = ms).toISOString()
  return lastIso
}

export class Appender {
  private size: number
  private seq: number
  private pending: Pending[] = []
  private scheduled = false
  private syncing: Promise<void> | null = null
  private syncTimer: NodeJS.Timeout | null = null
  private failure: JournalError | null = null
  private closing: Promise<void> | null = null
  private readonly listeners: AppendListeners
  private readonly closeHooks: Array<() => Promise<void>> = []
  private readonly flushTask = (): void => this.flush()

  constructor(private readonly log: OpenLog, private readonly settings: AppenderSettings) {
    this.size = log.size
    this.seq = log.nextSeq
    this.listeners = new AppendListeners(log.id)
    log.watchLock(cause => this.lockLost(cause))
  }

  get nextSeq(): number { return this.seq }
  get closed(): boolean { return this.closing !== null }

  /**
   * Writes one event (the first of its tick) or queues it; resolves to `value` once it is
   * acknowledged. Not an async function: its extra promise and await cost as much as a write.
   */
  enqueue<R>(body: EventBody, value: R, ts?: string): Promise<R> {
    if (this.closing) return Promise.reject(new SessionClosedError(`session ${this.log.id} is closed`, { id: this.log.id, path: this.log.path }))
    if (this.failure) return Promise.reject(this.failedError())
    const event = { seq: this.seq, ts: ts ?? now(), ...body } as JournalEvent
    const line = toLine(event)
    // A line's UTF-8 size is at most 3 bytes a UTF-16 unit; measure exactly only near the limit.
    if (line.length * 3 > this.settings.maxLineBytes && Buffer.byteLength(line) > this.settings.maxLineBytes) {
      return Promise.reject(new EventTooLargeError(
        `event of ${Buffer.byteLength(line)} bytes exceeds maxLineBytes ${this.settings.maxLineBytes}; nothing was written`,
        { id: this.log.id, path: this.log.path }))
    }
    this.seq++
    if (!this.scheduled && !this.syncing) {
      this.scheduled = true
      void SETTLED.then(this.flushTask)
      // Unless syncs are grouped, the first append of a tick goes out now, acknowledged as it returns.
      if (this.settings.fsync !== 'always') {
        const failed = this.put(line, event.seq)
        if (failed) return Promise.reject(failed)
        if (this.listeners.size > 0) this.listeners.deliver([event])
        return Promise.resolve(value)
      }
    }
    return new Promise<R>((resolve, reject) => { this.pending.push({ event, line, value, resolve: resolve as (value: unknown) => void, reject }) })
  }

  onAppend(listener: AppendListener): () => void {
    return this.listeners.add(listener)
  }

  onClose(hook: () => Promise<void>): void {
    this.closeHooks.push(hook)
  }

  /**
   * The lock was lost: this process stalled past lockStaleMs and another writer took the
   * session over. Every append after this is refused, so two writers never share the log.
   */
  lockLost(cause: Error): void {
    this.failure ??= new SessionLockedError(`session ${this.log.id} lost its lock to another writer (stalled past the stale time); appends are refused`,
      { id: this.log.id, path: this.log.path, cause })
  }

  close(): Promise<void> {
    this.closing ??= this.doClose()
    return this.closing
  }

  private flush(): void {
    this.scheduled = false
    const batch = this.pending
    if (batch.length === 0) return
    this.pending = []
    // Queued before the lock was lost or a sync failed (behind a sync, with 'always'): never written.
    if (this.failure) {
      for (const p of batch) p.reject(this.failedError())
      return
    }
    const failed = this.put(batch.length === 1 ? batch[0]!.line : batch.map(p => p.line).join(''), batch[0]!.event.seq)
    if (failed) {
      for (const p of batch) p.reject(failed)
      return
    }
    if (this.settings.fsync === 'always') {
      this.syncing = this.sync().then(
        () => this.acknowledge(batch),
        error => this.fail(batch, error),
      ).finally(() => {
        this.syncing = null
        if (this.pending.length > 0) this.flush()
      })
      return
    }
    this.acknowledge(batch)
  }

  /** Hands `data` (whole lines, the first `firstSeq`) to the OS; a failed write is cut back off and returned. */
  private put(data: string, firstSeq: number): JournalError | undefined {
    const bytes = Buffer.byteLength(data)
    try {
      writeAll(this.settings.io, this.log.fd, data, bytes)
    } catch (error) {
      return this.writeFailed(firstSeq, error)
    }
    this.size += bytes
    if (this.settings.fsync === 'batch' && !this.syncTimer) {
      this.syncTimer = setTimeout(() => {
        this.syncTimer = null
        this.sync().catch(error => { this.failure ??= this.wrapIO(error, 'sync') })
      }, this.settings.batchMs)
      this.syncTimer.unref()
    }
    return undefined
  }

  private acknowledge(batch: Pending[]): void {
    for (const p of batch) p.resolve(p.value)
    if (this.listeners.size > 0) this.listeners.deliver(batch.map(p => p.event))
  }

  /**
   * The write failed part-way (ENOSPC, EIO): cut the file back to its last whole line and
   * give the batch's seqs back, so the log stays exactly as it was. If even that fails, the
   * file's end is unknown and the appender refuses everything after.
   */
  private writeFailed(firstSeq: number, error: unknown): JournalError {
    let cause = this.wrapIO(error, 'write')
    try {
      this.settings.io.ftruncateSync(this.log.fd, this.size)
      this.seq = firstSeq
    } catch {
      // `offset`: where the acknowledged lines end; whole lines of this write past it may stay (a retry of the same ids folds into one).
      cause = new WriteFailedError(`write of session ${this.log.id} failed and could not be cut back to byte ${this.size}: `
        + 'appends are refused; resume() sets a torn last line aside, but whole lines of the failed write may remain', { id: this.log.id, path: this.log.path, offset: this.size, cause: error })
      this.failure = cause
    }
    return cause
  }

  /** A failed sync leaves the synced state unknown: reject the batch and stop. */
  private fail(batch: Pending[], error: unknown): void {
    this.failure = this.wrapIO(error, 'sync')
    for (const p of batch) p.reject(this.failure)
    for (const p of this.pending.splice(0)) p.reject(this.failedError())
  }

  private failedError(): JournalError {
    if (this.failure instanceof SessionLockedError) return this.failure
    return new WriteFailedError(`session ${this.log.id} refuses appends after an I/O failure: ${this.failure!.message}; resume it to continue`,
      { id: this.log.id, path: this.log.path, cause: this.failure })
  }

  private sync(): Promise<void> {
    return new Promise((resolve, reject) => this.settings.io.fdatasync(this.log.fd, e => (e ? reject(e) : resolve())))
  }

  private async doClose(): Promise<void> {
    try {
      if (this.pending.length > 0 && !this.syncing) this.flush()
      while (this.syncing) await this.syncing
      if (this.syncTimer) clearTimeout(this.syncTimer)
      this.syncTimer = null
      let syncError: unknown
      // After a failed sync, syncing again proves nothing; after a lost lock, our lines still deserve it.
      if (!(this.failure instanceof WriteFailedError)) await this.sync().catch(error => { syncError = error })
      for (const hook of this.closeHooks) await hook()
      if (syncError) throw this.wrapIO(syncError, 'sync')
      // A failure the host may not have seen (a background sync in 'batch' mode): say it now.
      if (this.failure) throw this.failure
    } finally {
      await this.log.close()
    }
  }

  /**
   * A failed write was cut back off the file ('write'); after a failed sync the lines were
   * already handed to the OS and may or may not be on disk ('sync'): the message says which.
   */
  private wrapIO(error: unknown, during: 'write' | 'sync'): WriteFailedError {
    if (error instanceof WriteFailedError) return error
    const code = (error as NodeJS.ErrnoException)?.code ?? 'unknown'
    const outcome = during === 'write'
      ? 'the partial line was cut off again; the log ends at the last acknowledged event'
      : 'the unacknowledged events may or may not be in the log'
    return new WriteFailedError(`${during} of session ${this.log.id} failed (${code}): ${outcome}`, { id: this.log.id, path: this.log.path, cause: error })
  }
}
