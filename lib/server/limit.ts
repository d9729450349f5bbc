/**
 * Bounds on concurrency. Limiter: at most `max` tasks run, at most `maxQueued`
 * wait (first come, first served, for at most `maxWaitMs`), and anything
 * beyond is refused at once with 503 and `Retry-After`. Refusing early is the
 * point: a server that accepts everything runs out of memory instead.
 * KeyedQueue: one operation at a time per share.
 */

import { HttpError } from './http.js'

/** Seconds a client is told to wait after a 503. */
export const RETRY_AFTER_SECONDS = 5

export function busy(what: string): HttpError {
  return new HttpError(503, 'ERR_BUSY', `the server is busy (${what}); try again shortly`, { 'Retry-After': String(RETRY_AFTER_SECONDS) })
}

interface Waiter {
  grant(): void
  fail(error: HttpError): void
}

export class Limiter {
  #active = 0
  readonly #queue: Waiter[] = []

  /** `name` says which limit was hit, in the 503's message. */
  constructor(readonly name: string, readonly max: number, readonly maxQueued: number, readonly maxWaitMs: number) {}

  get active(): number {
    return this.#active
  }

  get queued(): number {
    return this.#queue.length
  }

  /**
   * Waits for a slot and returns its release function (call it exactly once).
   * Rejects with a 503 when the queue is full, after `maxWaitMs`, or when
   * `signal` aborts (the client went away: its place goes to the next one).
   */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.#active < this.max) {
      this.#active++
      return Promise.resolve(this.#releaser())
    }
    if (this.#queue.length >= this.maxQueued) return Promise.reject(busy(`${this.name}: queue full`))
    return new Promise((resolve, reject) => {
      const leave = (): void => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
        const at = this.#queue.indexOf(waiter)
        if (at !== -1) this.#queue.splice(at, 1)
      }
      const waiter: Waiter = {
        grant: () => {
          leave()
          resolve(this.#releaser())
        },
        fail: (error) => {
          leave()
          reject(error)
        },
      }
      const onAbort = (): void => waiter.fail(busy(`${this.name}: request aborted`))
      const timer = setTimeout(() => waiter.fail(busy(`${this.name}: waited ${this.maxWaitMs} ms`)), this.maxWaitMs)
      signal?.addEventListener('abort', onAbort, { once: true })
      this.#queue.push(waiter)
    })
  }

  /** Runs `task` in a slot. */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const release = await this.acquire(signal)
    try {
      return await task()
    } finally {
      release()
    }
  }

  #releaser(): () => void {
    let released = false
    return () => {
      if (released) return
      released = true
      // The slot passes straight to the next in line, so a newcomer cannot jump the queue.
      const next = this.#queue[0]
      if (next !== undefined) next.grant()
      else this.#active--
    }
  }
}

/** Runs the operations on one key one after another, in the order they came; other keys are not held up. */
export class KeyedQueue {
  /** Per key, the tail of its queue; only the last operation removes it, so the map does not grow. */
  readonly #tails = new Map<string, Promise<unknown>>()

  async run<T>(key: string, operation: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve()
    const run = previous.then(operation, operation)
    const tail = run.catch(() => undefined)
    this.#tails.set(key, tail)
    try {
      return await run
    } finally {
      if (this.#tails.get(key) === tail) this.#tails.delete(key)
    }
  }
}
