/**
 * How a listing reads many logs at once. Measured on 10k small logs already in the page
 * cache (docs/performance.md): the async scan costs four or five thread-pool round trips per
 * log (open, stat, read, read, close), and one at a time they were ~15x a synchronous
 * read + parse of the same logs; sixteen in flight still ~3x. So:
 *
 * - a small log (the usual case) is read synchronously, whole: one open, fstat, read, close,
 *   no promise per step, and the event loop gets a turn after every few hundred of them;
 * - a large one streams through scanLog(), at most `limit` at a time, so their reads
 *   overlap (on a cold disk most of all) while memory stays a few chunks per scan.
 */
import { closeSync, type Stats } from 'node:fs'
import { openLogSync, scanLog, scanLogSync, type OpenedLog, type ScanOptions, type ScanState } from './reader.js'
import type { JournalEvent } from './types.js'

export interface ScanPoolOptions {
  /** Large logs scanned at the same time. */
  limit?: number
  /** Up to this many bytes still to read, a log is read synchronously. */
  smallBytes?: number
  /** Synchronous bytes read between two turns of the event loop. */
  yieldBytes?: number
}

export class ScanPool {
  private readonly limit: number
  private readonly smallBytes: number
  private readonly yieldBytes: number
  private running = 0
  private readonly waiting: Array<() => void> = []
  private sinceYield = 0

  constructor(options: ScanPoolOptions = {}) {
    this.limit = options.limit ?? 8
    this.smallBytes = options.smallBytes ?? 256 * 1024
    this.yieldBytes = options.yieldBytes ?? 4 * 1024 * 1024
  }

  /**
   * Scans `file` from `state.position` (`remaining`: its size less that offset, from a stat
   * just made; null: not stat'ed, then the open tells, and `onStat` hears what it found),
   * handing every batch of events to `onBatch`. Errors are scanLog()'s.
   */
  async scan(file: string, state: ScanState, options: ScanOptions, remaining: number | null, onBatch: (events: JournalEvent[]) => void, onStat?: (stat: Stats) => void): Promise<void> {
    let opened: OpenedLog | undefined
    if (remaining === null) {
      // A log never listed: the open's fstat stands in for a stat of its own.
      opened = openLogSync(file)
      onStat?.(opened.stat)
      remaining = opened.stat.size - state.position.offset
      if (remaining > this.smallBytes) {
        closeSync(opened.fd)
        opened = undefined
      }
    }
    if (remaining <= this.smallBytes) {
      // A log that grew since the stat is read as far as it was then: the next scan reads the rest.
      onBatch(scanLogSync(file, state, options, opened))
      this.sinceYield += remaining + 4096 // an open costs something even for an empty log
      if (this.sinceYield >= this.yieldBytes) {
        this.sinceYield = 0
        await new Promise(resolve => setImmediate(resolve))
      }
      return
    }
    await this.slot()
    try {
      for await (const batch of scanLog(file, state, options)) onBatch(batch)
    } finally {
      this.release()
    }
  }

  private async slot(): Promise<void> {
    if (this.running < this.limit) {
      this.running++
      return
    }
    await new Promise<void>(resolve => this.waiting.push(resolve))
  }

  /** The slot passes straight to the next waiter, if any, so `running` never overshoots. */
  private release(): void {
    const next = this.waiting.shift()
    if (next) next()
    else this.running--
  }
}
