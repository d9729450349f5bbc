/** A clock for the share sync's timers that a test advances by hand: no sleeping to prove a timer never fires. */
import type { Clock } from '../lib/share/sync.js'

interface Timer { at: number, callback: () => void }

export class ManualClock implements Clock {
  private now = 0
  private readonly timers = new Set<Timer>()

  setTimeout(callback: () => void, ms: number): unknown {
    const timer = { at: this.now + ms, callback }
    this.timers.add(timer)
    return timer
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as Timer)
  }

  /** Delays of the timers armed now, soonest first. */
  pending(): number[] {
    return [...this.timers].map(t => t.at - this.now).sort((a, b) => a - b)
  }

  /** Moves time on by `ms`, firing what falls due in order (a timer armed meanwhile fires too, if due). */
  advance(ms: number): void {
    const until = this.now + ms
    for (;;) {
      const next = [...this.timers].filter(t => t.at <= until).sort((a, b) => a.at - b.at)[0]
      if (!next) break
      this.timers.delete(next)
      this.now = next.at
      next.callback()
    }
    this.now = until
  }
}

/** Lets pending promise callbacks (a send in flight) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise(resolve => setImmediate(resolve))
}

/** Turns the event loop until `done()` (a send reads the log: real I/O), at most ~2 s. */
export async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000
  while (!done()) {
    if (Date.now() > deadline) throw new Error('condition not reached')
    await new Promise(resolve => setImmediate(resolve))
  }
}
