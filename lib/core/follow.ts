/**
 * Following a log as a writer appends to it: whole events only. Each read starts where
 * the last stopped (a line boundary) with the streaming reader, which never delivers a line
 * without its newline: a half-written last line stays unread until its newline arrives.
 * Changes are noticed through fs.watch, with polling as the fallback (watch is unreliable on
 * network file systems and may be missing altogether).
 *
 * Like `tail -F`, a log that is truncated (shorter than what was read) or replaced (another
 * file under its name: renamed over, or deleted and made again) is read again from its start,
 * and the result says so (`reset`): offsets into the old content mean nothing in the new one,
 * and going on from them would print nothing, or half lines, for ever.
 */
import fs from 'node:fs'
import { isNotFound } from './errors.js'
import { scanLog, type ScanOptions, type ScanPosition, type ScanState } from './reader.js'
import type { Damage, JournalEvent } from './types.js'

export interface FollowOptions extends Pick<ScanOptions, 'expectId' | 'maxLineBytes'> {
  /** Where to start: after the lines already seen (default: the start of the file). */
  from?: ScanPosition
  /** Polling period when fs.watch says nothing (ms). */
  pollMs?: number
}

/** The log was not the file read so far: it is read again from its start. */
export interface FollowReset {
  /** `truncated`: shorter than what was read; `replaced`: another file (inode) under its name. */
  reason: 'truncated' | 'replaced'
  /** Bytes of the old content that had been read. */
  offset: number
  /** Size of the file now. */
  size: number
}

export interface FollowResult {
  events: JournalEvent[]
  damage: Damage[]
  /** Present when this read started over (see FollowReset). */
  reset?: FollowReset
}

/** What a host gets from `journal.follow(id)`. */
export type Follower = Pick<LogFollower, 'at' | 'read' | 'follow'>

const START: ScanPosition = { offset: 0, lines: 0, lastSeq: -1 }

export class LogFollower {
  private position: ScanPosition
  /** The file read so far (device and inode), known from the first read on. */
  private identity: { dev: number, ino: number } | undefined

  constructor(readonly file: string, private readonly options: FollowOptions = {}) {
    this.position = options.from ?? { ...START }
  }

  /** Where the next read starts. */
  get at(): ScanPosition { return { ...this.position } }

  /**
   * The events appended since the last read, and damage met on the way. A torn last line is
   * not damage here: it is a write in progress, and it is read again by the next read. With
   * `onBatch`, events go to it batch by batch as they are read (memory stays one batch) and
   * the returned `events` is empty. A truncated or replaced log is read from its start, with
   * `reset` saying which.
   */
  async read(onBatch?: (events: JournalEvent[]) => void): Promise<FollowResult> {
    const reset = await this.startOver()
    const state: ScanState = { damage: [], position: this.position }
    const events: JournalEvent[] = []
    const { expectId, maxLineBytes } = this.options
    for await (const batch of scanLog(this.file, state, {
      from: this.position,
      ...(expectId === undefined ? {} : { expectId }),
      ...(maxLineBytes === undefined ? {} : { maxLineBytes }),
    })) {
      if (onBatch) onBatch(batch)
      else events.push(...batch)
    }
    this.position = state.position
    const damage = state.damage.filter(d => d.kind !== 'torn-tail')
    return reset ? { events, damage, reset } : { events, damage }
  }

  /** Back to the start when the file is not the one read so far. */
  private async startOver(): Promise<FollowReset | undefined> {
    let stat: fs.Stats
    try {
      stat = await fs.promises.stat(this.file)
    } catch (error) {
      if (isNotFound(error)) return undefined // the scan reports the missing log
      throw error
    }
    const known = this.identity
    this.identity = { dev: stat.dev, ino: stat.ino }
    const reason = known !== undefined && (known.dev !== stat.dev || known.ino !== stat.ino) ? 'replaced'
      : stat.size < this.position.offset ? 'truncated'
      : undefined
    if (reason === undefined) return undefined
    const reset: FollowReset = { reason, offset: this.position.offset, size: stat.size }
    this.position = { ...START }
    return reset
  }

  /** Reads on every change until `signal` aborts; each non-empty result is yielded. */
  async *follow(signal?: AbortSignal): AsyncGenerator<FollowResult> {
    if (signal?.aborted) return
    let wake: (() => void) | undefined
    let changed = true
    const poke = () => { changed = true; wake?.() }
    let watcher: fs.FSWatcher | undefined
    // A watch follows an inode: a replaced log needs a new one.
    const watch = () => {
      watcher?.close()
      try {
        const current = fs.watch(this.file, { persistent: true }, poke)
        current.on('error', () => { current.close(); if (watcher === current) watcher = undefined }) // polling carries on
        watcher = current
      } catch {
        watcher = undefined
      }
    }
    watch()
    const timer = setInterval(poke, this.options.pollMs ?? 500)
    signal?.addEventListener('abort', poke, { once: true })
    try {
      while (!signal?.aborted) {
        if (!changed) await new Promise<void>(resolve => { wake = resolve })
        wake = undefined
        if (signal?.aborted) break
        changed = false
        const result = await this.read()
        if (result.reset?.reason === 'replaced') watch()
        if (result.events.length > 0 || result.damage.length > 0 || result.reset) yield result
      }
    } finally {
      clearInterval(timer)
      watcher?.close()
      signal?.removeEventListener('abort', poke)
    }
  }
}
