/**
 * Following a log as a writer appends to it: whole events only. Each read starts where
 * the last stopped (a line boundary) with the streaming reader, which never delivers a line
 * without its newline: a half-written last line stays unread until its newline arrives.
 * Changes are noticed through fs.watch, with polling as the fallback (watch is unreliable on
 * network file systems and may be missing altogether).
 */
import fs from 'node:fs'
import { scanLog, type ScanOptions, type ScanPosition, type ScanState } from './reader.js'
import type { Damage, JournalEvent } from './types.js'

export interface FollowOptions extends Pick<ScanOptions, 'expectId' | 'maxLineBytes'> {
  /** Where to start: after the lines already seen (default: the start of the file). */
  from?: ScanPosition
  /** Polling period when fs.watch says nothing (ms). */
  pollMs?: number
}

/** What a host gets from `journal.follow(id)`. */
export type Follower = Pick<LogFollower, 'at' | 'read' | 'follow'>

export class LogFollower {
  private position: ScanPosition

  constructor(readonly file: string, private readonly options: FollowOptions = {}) {
    this.position = options.from ?? { offset: 0, lines: 0, lastSeq: -1 }
  }

  /** Where the next read starts. */
  get at(): ScanPosition { return { ...this.position } }

  /**
   * The events appended since the last read, and damage met on the way. A torn last line is
   * not damage here: it is a write in progress, and it is read again by the next read. With
   * `onBatch`, events go to it batch by batch as they are read (memory stays one batch) and
   * the returned `events` is empty.
   */
  async read(onBatch?: (events: JournalEvent[]) => void): Promise<{ events: JournalEvent[], damage: Damage[] }> {
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
    return { events, damage: state.damage.filter(d => d.kind !== 'torn-tail') }
  }

  /** Reads on every change until `signal` aborts; each non-empty result is yielded. */
  async *follow(signal?: AbortSignal): AsyncGenerator<{ events: JournalEvent[], damage: Damage[] }> {
    if (signal?.aborted) return
    let wake: (() => void) | undefined
    let changed = true
    const poke = () => { changed = true; wake?.() }
    let watcher: fs.FSWatcher | undefined
    try {
      watcher = fs.watch(this.file, { persistent: true }, poke)
      watcher.on('error', () => { watcher?.close(); watcher = undefined }) // polling carries on
    } catch {
      watcher = undefined
    }
    const timer = setInterval(poke, this.options.pollMs ?? 500)
    signal?.addEventListener('abort', poke, { once: true })
    try {
      while (!signal?.aborted) {
        if (!changed) await new Promise<void>(resolve => { wake = resolve })
        wake = undefined
        if (signal?.aborted) break
        changed = false
        const result = await this.read()
        if (result.events.length > 0 || result.damage.length > 0) yield result
      }
    } finally {
      clearInterval(timer)
      watcher?.close()
      signal?.removeEventListener('abort', poke)
    }
  }
}
