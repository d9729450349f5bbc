/**
 * Keeps a shared session's published copy in step with its log while a writer has it open.
 *
 * Appends only mark the share dirty: nothing on the append path waits for the network, so a
 * slow or failing server can never block or break an append. Sends are debounced (bursts of
 * streamed parts coalesce into one request), and failures retry with exponential backoff.
 * The document is folded from the log itself, incrementally: the first send reads the log,
 * later ones read only what was appended since (the log, not the listener, is the truth).
 */
import { Folder } from '../core/fold.js'
import { scanLog, type ScanPosition, type ScanState } from '../core/reader.js'
import type { Session } from '../core/session.js'
import type { Redactor } from '../export/redact.js'
import { shareDocument, type ShareDocument } from './document.js'
import type { ShareProvider, ShareRecord } from './provider.js'

export interface ShareSyncOptions {
  /** Wait this long after the last append before sending (ms). */
  debounceMs?: number
  /** Longest wait between retries after failures (ms). */
  maxBackoffMs?: number
  maxLineBytes?: number
  /** Longest close() waits for the last send (ms). */
  closeTimeoutMs?: number
  redact?: Redactor | undefined
}

export class ShareSync {
  private folder: Folder | null = null
  private position: ScanPosition = { offset: 0, lines: 0, lastSeq: -1 }
  private dirty = false
  private timer: NodeJS.Timeout | null = null
  private inflight: Promise<void> | null = null
  private backoff = 0
  private stopped = false
  /** The last failure, cleared by the next success: for hosts that want to show it. */
  lastError: Error | null = null
  /** Sends that reached the server. */
  sent = 0

  constructor(
    private readonly session: Session,
    private readonly provider: ShareProvider,
    private readonly record: ShareRecord,
    private readonly options: ShareSyncOptions = {},
  ) {
    const off = session.onAppend(() => this.touch())
    session.onClose(async () => {
      off()
      // close() sends what is pending, but a dead server may hold it up only so long.
      let timer: NodeJS.Timeout | undefined
      await Promise.race([this.flush(), new Promise(resolve => { timer = setTimeout(resolve, this.options.closeTimeoutMs ?? 5000) })])
      clearTimeout(timer)
      // No retries after close: the next writer (a resume) takes the share over.
      this.stop()
    })
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
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    if (this.dirty && !this.stopped) await this.send()
  }

  /** Stops syncing (after unshare). */
  stop(): void {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => {
      this.timer = null
      void this.send()
    }, ms)
    this.timer.unref()
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
        await this.provider.sync(this.record, await this.document())
        this.sent++
        this.lastError = null
        this.backoff = 0
      } catch (error) {
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
    this.folder ??= new Folder({ id: this.session.id, projectId: this.session.projectId, projectPath: this.session.projectPath })
    const state: ScanState = { damage: [], position: this.position }
    const options = { from: this.position, expectId: this.session.id, ...(this.options.maxLineBytes ? { maxLineBytes: this.options.maxLineBytes } : {}) }
    for await (const batch of scanLog(this.session.path, state, options)) {
      for (const event of batch) this.folder.push(event)
    }
    this.position = state.position
    const { info, messages } = this.folder.result()
    return shareDocument(info, messages, this.options.redact)
  }
}
