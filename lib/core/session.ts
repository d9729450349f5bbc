/**
 * The writer: one open session, appending whole lines to an O_APPEND file.
 *
 * Appends made in the same tick are joined into one write (a host streaming a reply pays
 * one syscall per burst, not per part). A line is acknowledged once the OS has it
 * ('never', 'batch') or once it is synced ('always'). With 'always', appends that arrive
 * while a sync is in flight wait for the next one: a group commit, one fdatasync per group.
 * A failed write is cut back off the file, so a half line is never followed by good lines.
 */
import fsSync from 'node:fs'
import { EventTooLargeError, InvalidEventError, SessionClosedError, SessionLockedError, WriteFailedError, type JournalError } from './errors.js'
import {
  assertRef, toCustomBody, toLine, toMessageBody, toPart, type MessageInput, type PartInput,
} from './event.js'
import type { Release } from './lock.js'
import type { JournalEvent } from './types.js'

export type Durability = 'always' | 'batch' | 'never'

/** The few fs calls the writer makes, injectable so tests can make the disk fail. */
export interface WriterIO {
  /** Writes `data` at the end of the file; returns the bytes written (fewer only on a short write). */
  writeSync(fd: number, data: string | Uint8Array): number
  fdatasync(fd: number, callback: (error: NodeJS.ErrnoException | null) => void): void
  ftruncateSync(fd: number, length: number): void
}

export const nodeIO: WriterIO = {
  writeSync: (fd, data) => (typeof data === 'string' ? fsSync.writeSync(fd, data) : fsSync.writeSync(fd, data)),
  fdatasync: (fd, callback) => fsSync.fdatasync(fd, callback),
  ftruncateSync: (fd, length) => fsSync.ftruncateSync(fd, length),
}

export interface WriterSettings {
  fsync: Durability
  /** 'batch': the longest an acknowledged line waits for its fdatasync. */
  batchMs: number
  maxLineBytes: number
  io: WriterIO
}

export interface OpenLog {
  id: string
  projectId: string
  projectPath: string
  path: string
  fd: number
  /** Bytes of whole lines in the file. */
  size: number
  nextSeq: number
  /** Closes the file (the fd stays owned by whoever opened it). */
  closeFile: () => Promise<void>
  release: Release
}

interface Pending {
  event: JournalEvent
  line: string
  value: unknown
  resolve: (value: unknown) => void
  reject: (error: Error) => void
}

type Listener = (events: JournalEvent[]) => void
type Body = { type: string, [key: string]: unknown }

// toISOString costs more than the rest of an append's bookkeeping: reuse it within a millisecond.
let lastMs = 0
let lastIso = ''
function now(): string {
  const ms = Date.now()
  if (ms !== lastMs) {
    lastMs = ms
    lastIso = new Date(ms).toISOString()
  }
  return lastIso
}

export class Session {
  readonly id: string
  readonly projectId: string
  readonly projectPath: string
  /** The log file. */
  readonly path: string
  private readonly fd: number
  private readonly settings: WriterSettings
  private readonly release: Release
  private readonly closeFile: () => Promise<void>
  private size: number
  private seq: number
  private pending: Pending[] = []
  private scheduled = false
  private syncing: Promise<void> | null = null
  private syncTimer: NodeJS.Timeout | null = null
  private failure: JournalError | null = null
  private closing: Promise<void> | null = null
  private readonly listeners = new Set<Listener>()
  private readonly closeHooks: Array<() => Promise<void>> = []

  constructor(log: OpenLog, settings: WriterSettings) {
    this.id = log.id
    this.projectId = log.projectId
    this.projectPath = log.projectPath
    this.path = log.path
    this.fd = log.fd
    this.size = log.size
    this.seq = log.nextSeq
    this.release = log.release
    this.closeFile = log.closeFile
    this.settings = settings
  }

  /** The seq the next event will get. */
  get nextSeq(): number { return this.seq }
  get closed(): boolean { return this.closing !== null }

  /** Appends a whole message; part ids are filled in when missing. Resolves to the message id. */
  message(input: MessageInput): Promise<string> {
    return this.submit(() => toMessageBody(input), body => body.id)
  }

  /** Adds a part to a message, or replaces the part with the same id. Resolves to the part id. */
  part(messageId: string, part: PartInput): Promise<string> {
    return this.submit(() => ({ type: 'part', messageId: assertRef(messageId, 'messageId'), part: toPart(part, 'part') }), body => body.part.id)
  }

  title(title: string): Promise<void> {
    return this.submit(() => {
      if (typeof title !== 'string') throw new InvalidEventError('title must be a string')
      return { type: 'title', title }
    }, () => undefined)
  }

  /** Hides a message and everything after it from the history; the lines stay in the log. */
  revert(messageId: string): Promise<void> {
    return this.submit(() => ({ type: 'revert', messageId: assertRef(messageId, 'messageId') }), () => undefined)
  }

  /** A host-defined event: `type` must start with `x.` (e.g. `x.myhost.note`). */
  append(type: string, data?: unknown): Promise<void> {
    return this.submit(() => toCustomBody(type, data), () => undefined)
  }

  /** For the library's own event types (share, unshare, import): body must already be valid. */
  appendInternal(body: Body, ts?: string): Promise<void> {
    return this.enqueue(body, undefined, ts)
  }

  /** Called with every batch of events once it is acknowledged (share sync listens here). */
  onAppend(listener: Listener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /**
   * The lock was lost: this process stalled past lockStaleMs and another writer took the
   * session over. Every append after this is refused, so two writers never share the log.
   */
  lockLost(cause: Error): void {
    this.failure ??= new SessionLockedError(`session ${this.id} lost its lock to another writer (stalled past the stale time); appends are refused`,
      { id: this.id, path: this.path, cause })
  }

  /** Run by close() after the last sync, before the lock is released. */
  onClose(hook: () => Promise<void>): void {
    this.closeHooks.push(hook)
  }

  /** Writes what is pending, syncs, closes the file and releases the lock. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.doClose()
    return this.closing
  }

  /**
   * Validation errors become rejections, never throws: not an async function, because on the
   * hot path the extra promise and await of one cost as much as the write itself.
   */
  private submit<B extends Body, R>(build: () => B, result: (body: B) => R): Promise<R> {
    let body: B
    try {
      body = build()
    } catch (error) {
      return Promise.reject(error)
    }
    return this.enqueue(body, result(body))
  }

  private enqueue<R>(body: Body, value: R, ts?: string): Promise<R> {
    if (this.closing) return Promise.reject(new SessionClosedError(`session ${this.id} is closed`, { id: this.id, path: this.path }))
    if (this.failure) return Promise.reject(this.failedError())
    const event = { seq: this.seq, ts: ts ?? now(), ...body } as JournalEvent
    const line = toLine(event)
    // A line's UTF-8 size is at most 3 bytes a UTF-16 unit; measure exactly only near the limit.
    if (line.length * 3 > this.settings.maxLineBytes && Buffer.byteLength(line) > this.settings.maxLineBytes) {
      return Promise.reject(new EventTooLargeError(
        `event of ${Buffer.byteLength(line)} bytes exceeds maxLineBytes ${this.settings.maxLineBytes}; nothing was written`,
        { id: this.id, path: this.path }))
    }
    this.seq++
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ event, line, value, resolve: resolve as (value: unknown) => void, reject })
      if (!this.scheduled && !this.syncing) {
        this.scheduled = true
        queueMicrotask(() => this.flush())
      }
    })
  }

  private flush(): void {
    this.scheduled = false
    const batch = this.pending
    if (batch.length === 0) return
    this.pending = []
    // A string goes to write(2) without an intermediate Buffer; only a short write needs one.
    const data = batch.length === 1 ? batch[0]!.line : batch.map(p => p.line).join('')
    const bytes = Buffer.byteLength(data)
    try {
      let done = this.settings.io.writeSync(this.fd, data)
      if (done < bytes) {
        const rest = Buffer.from(data)
        while (done < bytes) done += this.settings.io.writeSync(this.fd, rest.subarray(done))
      }
    } catch (error) {
      return this.writeFailed(batch, error)
    }
    this.size += bytes
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
    if (this.settings.fsync === 'batch' && !this.syncTimer) {
      this.syncTimer = setTimeout(() => {
        this.syncTimer = null
        this.sync().catch(error => { this.failure ??= wrapIO(error, this, 'sync') })
      }, this.settings.batchMs)
      this.syncTimer.unref()
    }
    this.acknowledge(batch)
  }

  private acknowledge(batch: Pending[]): void {
    for (const p of batch) p.resolve(p.value)
    if (this.listeners.size > 0) {
      const events = batch.map(p => p.event)
      for (const listener of this.listeners) {
        // The events are written and acknowledged: a listener's bug must not undo that or crash the host.
        try {
          listener(events)
        } catch (error) {
          process.emitWarning(`onAppend listener of session ${this.id} threw: ${(error as Error)?.message ?? String(error)}`, { code: 'SESSION_JOURNAL_LISTENER_FAILED' })
        }
      }
    }
  }

  /**
   * The write failed part-way (ENOSPC, EIO): cut the file back to its last whole line and
   * give the batch's seqs back, so the log stays exactly as it was. If even that fails, the
   * file's end is unknown and the writer refuses everything after.
   */
  private writeFailed(batch: Pending[], error: unknown): void {
    let cause = wrapIO(error, this, 'write')
    try {
      this.settings.io.ftruncateSync(this.fd, this.size)
      this.seq = batch[0]!.event.seq
    } catch {
      cause = new WriteFailedError(`write of session ${this.id} failed and the partial line could not be cut off: `
        + 'appends are refused; resume() sets it aside', { id: this.id, path: this.path, cause: error })
      this.failure = cause
    }
    for (const p of batch) p.reject(cause)
  }

  /** A failed sync leaves the synced state unknown: reject the batch and stop. */
  private fail(batch: Pending[], error: unknown): void {
    this.failure = wrapIO(error, this, 'sync')
    for (const p of batch) p.reject(this.failure)
    for (const p of this.pending.splice(0)) p.reject(this.failedError())
  }

  private failedError(): JournalError {
    if (this.failure instanceof SessionLockedError) return this.failure
    return new WriteFailedError(`session ${this.id} refuses appends after an I/O failure: ${this.failure!.message}; resume it to continue`,
      { id: this.id, path: this.path, cause: this.failure })
  }

  private sync(): Promise<void> {
    return new Promise((resolve, reject) => this.settings.io.fdatasync(this.fd, e => (e ? reject(e) : resolve())))
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
      if (syncError) throw wrapIO(syncError, this, 'sync')
      // A failure the host may not have seen (a background sync in 'batch' mode): say it now.
      if (this.failure) throw this.failure
    } finally {
      await this.closeFile()
      await this.release()
    }
  }
}

/**
 * A failed write was cut back off the file ('write'); after a failed sync the lines were
 * already handed to the OS and may or may not be on disk ('sync'): the message says which.
 */
function wrapIO(error: unknown, s: Session, during: 'write' | 'sync'): WriteFailedError {
  if (error instanceof WriteFailedError) return error
  const code = (error as NodeJS.ErrnoException)?.code ?? 'unknown'
  const outcome = during === 'write'
    ? 'the partial line was cut off again; the log ends at the last acknowledged event'
    : 'the unacknowledged events may or may not be in the log'
  return new WriteFailedError(`${during} of session ${s.id} failed (${code}): ${outcome}`, { id: s.id, path: s.path, cause: error })
}
