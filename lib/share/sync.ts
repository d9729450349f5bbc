/**
 * Keeps a shared session's published copy in step with its log while a writer has it open.
 *
 * Appends only mark the share dirty: nothing on the append path waits for the network, so a
 * slow or failing server can never block or break an append. Sends are debounced (bursts of
 * streamed parts coalesce into one request), and failures retry with exponential backoff.
 * The document is folded from the log itself, incrementally: the first send reads the log,
 * later ones read only what was appended since (the log, not the listener, is the truth).
 */
import { ShareDisabledError } from '../core/errors.js'
import type { HistoryReader } from '../core/history.js'
import type { OpenSession } from '../core/session.js'
import type { Redactor } from '../export/redact.js'
import { shareDocument, type ShareDocument } from './document.js'
import type { ShareProvider, ShareRecord } from './provider.js'

/** The timers a sync uses: real ones by default, a manual clock in tests. */
export interface Clock {
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

const realClock: Clock = {
  setTimeout: (callback, ms) => {
    const timer = setTimeout(callback, ms)
    timer.unref() // a pending sync never keeps the host's process alive
    return timer
  },
  clearTimeout: handle => clearTimeout(handle as NodeJS.Timeout),
}

/** How a shared session's sync is doing (for hosts that show it). */
export interface ShareStatus {
  /** The public link. */
  url: string
  /** Sends that reached the server since the session was opened here. */
  sent: number
  /** The last failure, cleared by the next success. */
  lastError: Error | null
  /** The session is open here and its copy is kept in step. */
  active: boolean
}

export interface ShareSyncOptions {
  /** Wait this long after the last append before sending (ms). */
  debounceMs?: number
  /** Longest wait between retries after failures (ms). */
  maxBackoffMs?: number
  /** Longest close() waits for the last send (ms). */
  closeTimeoutMs?: number
  redact?: Redactor | undefined
  clock?: Clock
  /**
   * Asked before every send. Throws ShareDisabledError when the copy must not be sent any
   * more (the config now says `disabled`): the sync stops for good. Any other error counts
   * as a failed send (retried), so a config that cannot be read never lets a send through.
   */
  allowed?: () => Promise<void>
}

export class ShareSync {
  private history: HistoryReader | null
  private readonly clock: Clock
  private dirty = false
  private timer: unknown = null
  private inflight: Promise<void> | null = null
  private backoff = 0
  private stopped = false
  private readonly offAppend: () => void
  /** The last failure, cleared by the next success: for hosts that want to show it. */
  lastError: Error | null = null
  /** Sends that reached the server. */
  sent = 0

  constructor(
    readonly session: OpenSession,
    history: HistoryReader,
    private readonly provider: ShareProvider,
    private readonly record: ShareRecord,
    private readonly options: ShareSyncOptions = {},
  ) {
    this.history = history
    this.clock = options.clock ?? realClock
    this.offAppend = session.onAppend(() => this.touch())
    session.onClose(async () => {
      this.offAppend()
      // close() sends what is pending, but a dead server may hold it up only so long.
      let timer: unknown
      await Promise.race([this.flush(), new Promise(resolve => { timer = this.clock.setTimeout(() => resolve(undefined), this.options.closeTimeoutMs ?? 5000) })])
      this.clock.clearTimeout(timer)
      // No retries after close: the next writer (a resume) takes the share over.
      this.stop()
      this.history = null // the folded copy is not needed any more
    })
  }

  status(): ShareStatus {
    return { url: this.record.url, sent: this.sent, lastError: this.lastError, active: !this.stopped }
  }

  /** Something was appended: send soon. */
  touch(): void {
    if (this.stopped) return
    this.dirty = true
    if (this.timer || this.inflight) return
    this.arm(this.backoff || (this.options.debounceMs ?? 250))
  }

  /** Sends what is pending now (one attempt; a failure is kept in lastError, not thrown). */
  async flush(): Promise<void> {
    while (this.inflight) await this.inflight
    // The in-flight send may have armed a retry: this send replaces it.
    if (this.timer) this.clock.clearTimeout(this.timer)
    this.timer = null
    if (this.dirty && !this.stopped) await this.send()
  }

  /** Stops syncing for good (after unshare; `reason` when sharing was disabled). */
  stop(reason?: Error): void {
    this.stopped = true
    if (reason) this.lastError = reason
    this.offAppend()
    if (this.timer) this.clock.clearTimeout(this.timer)
    this.timer = null
  }

  private arm(ms: number): void {
    this.timer = this.clock.setTimeout(() => {
      this.timer = null
      void this.send()
    }, ms)
  }

  /**
   * One send at a time, so an older document can never reach the server after a newer one.
   * A send asked for while one is in flight is folded into the next (the in-flight one re-arms).
   */
  private send(): Promise<void> {
    if (this.inflight) {
      this.dirty = true
      return this.inflight
    }
    if (this.stopped) return Promise.resolve()
    this.dirty = false
    this.inflight = (async () => {
      try {
        await this.options.allowed?.()
        // unshare() may have stopped the sync while the config was read.
        if (this.stopped) return
        await this.provider.sync(this.record, await this.document())
        this.sent++
        this.lastError = null
        this.backoff = 0
      } catch (error) {
        if (error instanceof ShareDisabledError) {
          this.stop(error)
          return
        }
        this.dirty = true
        this.lastError = error as Error
        this.backoff = Math.min(Math.max(this.backoff * 2, 500), this.options.maxBackoffMs ?? 30_000)
      } finally {
        this.inflight = null
      }
      if (this.dirty && !this.stopped && !this.timer) this.arm(this.backoff || (this.options.debounceMs ?? 250))
    })()
    return this.inflight
  }

  private async document(): Promise<ShareDocument> {
    if (!this.history) throw new Error(`session ${this.session.id} is closed`)
    const { info, messages } = await this.history.read()
    return shareDocument(info, messages, this.options.redact)
  }
}
