/**
 * A session open for writing: the typed append API a host calls. Each method validates and
 * shapes its event (event.ts) before anything is written, then hands the body to the
 * appender, which owns the file, the lock and the write/sync/failure machine.
 */
import { InvalidEventError } from './errors.js'
import { assertRef, toCustomBody, toMessageBody, toPart, type MessageInput, type PartInput } from './event.js'
import type { AppendListener } from './append-listeners.js'
import type { Appender, EventBody } from './appender.js'
import { toUsageBody, type UsageInput } from './usage.js'

/** What a host holds between `create()`/`resume()` and `close()`. */
export interface Session {
  readonly id: string
  readonly projectId: string
  readonly projectPath: string
  /** The log file (for `tail -f`, `jq`, a file manager). */
  readonly path: string
  /** The seq the next event will get. */
  readonly nextSeq: number
  readonly closed: boolean
  /** Appends a whole message; part ids are filled in when missing. Resolves to the message id. */
  message(input: MessageInput): Promise<string>
  /** Adds a part to a message, or replaces the part with the same id. Resolves to the part id. */
  part(messageId: string, part: PartInput): Promise<string>
  title(title: string): Promise<void>
  /** Hides a message and everything after it from the history; the lines stay in the log. */
  revert(messageId: string): Promise<void>
  /** A host-defined event: `type` must start with `x.` (e.g. `x.myhost.note`). */
  append(type: string, data?: unknown): Promise<void>
  /** Records what one API response used (docs/usage.md); a `key` already recorded counts once. */
  usage(input: UsageInput): Promise<void>
  /** Writes what is pending, syncs, closes the file and releases the lock. Idempotent. */
  close(): Promise<void>
}

/**
 * The session as the library's own modules see it: the host's API plus the hooks plug-ins
 * use (record the library's own events, hear appends, run at close).
 */
/** recordAll()'s group size: large enough for one write per group, small enough to bound what is queued. */
const RECORD_GROUP = 512

export class OpenSession implements Session {
  constructor(
    readonly id: string,
    readonly projectId: string,
    readonly projectPath: string,
    readonly path: string,
    private readonly appender: Appender,
  ) {}

  get nextSeq(): number { return this.appender.nextSeq }
  get closed(): boolean { return this.appender.closed }

  message(input: MessageInput): Promise<string> {
    return this.submit(() => toMessageBody(input), body => body.id)
  }

  part(messageId: string, part: PartInput): Promise<string> {
    return this.submit(() => ({ type: 'part', messageId: assertRef(messageId, 'messageId'), part: toPart(part, 'part') }), body => body.part.id)
  }

  title(title: string): Promise<void> {
    return this.submit(() => {
      if (typeof title !== 'string') throw new InvalidEventError('title must be a string')
      return { type: 'title', title }
    }, () => undefined)
  }

  revert(messageId: string): Promise<void> {
    return this.submit(() => ({ type: 'revert', messageId: assertRef(messageId, 'messageId') }), () => undefined)
  }

  append(type: string, data?: unknown): Promise<void> {
    return this.submit(() => toCustomBody(type, data), () => undefined)
  }

  usage(input: UsageInput): Promise<void> {
    return this.submit(() => toUsageBody(input, message => { throw new InvalidEventError(message) }), () => undefined)
  }

  close(): Promise<void> {
    return this.appender.close()
  }

  /** The library's own event types (share, unshare, import, repair): `body` must already be valid. */
  record(body: EventBody, ts?: string): Promise<void> {
    return this.appender.enqueue(body, undefined, ts)
  }

  /**
   * Many `record()`s, in groups: one burst becomes one write, without queueing a whole log at
   * once (import and importFrom write whole sessions through it).
   */
  async recordAll(events: Iterable<{ ts: string, body: EventBody }>): Promise<void> {
    let group: Array<Promise<void>> = []
    for (const { ts, body } of events) {
      group.push(this.record(body, ts))
      if (group.length === RECORD_GROUP) {
        await Promise.all(group)
        group = []
      }
    }
    await Promise.all(group)
  }

  /** Called with every batch of events once it is acknowledged (share sync listens here). */
  onAppend(listener: AppendListener): () => void {
    return this.appender.onAppend(listener)
  }

  /** Run by close() after the last sync, before the lock is released. */
  onClose(hook: () => Promise<void>): void {
    this.appender.onClose(hook)
  }

  /** Validation errors become rejections, never throws. */
  private submit<B extends EventBody, R>(build: () => B, result: (body: B) => R): Promise<R> {
    let body: B
    try {
      body = build()
    } catch (error) {
      return Promise.reject(error)
    }
    return this.appender.enqueue(body, result(body))
  }
}
