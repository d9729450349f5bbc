/**
 * Many requests for one share at once, one database read for them, and never an answer older
 * than the request. A read under way may have started before a request arrived, so its answer
 * could predate a delete the client has already seen acknowledged (by another server, even):
 * a request never joins it. It joins the next read instead, which starts once the one under way
 * is done and serves everyone who arrived meanwhile. So a hot share costs one read per round
 * trip per server, however many viewers, and "unshared on B, 404 on A at once" still holds.
 */

const ignore = (): void => undefined

interface Slot<T> {
  /** The read under way. */
  running: Promise<T>
  /** The read that starts when it is done, shared by the requests that came after it started. */
  next: Promise<T> | undefined
}

export class FreshReads<T> {
  readonly #slots = new Map<string, Slot<T>>()

  /** The result of `load()` started no earlier than this call, shared with other calls for `key`. */
  read(key: string, load: () => Promise<T>): Promise<T> {
    const slot = this.#slots.get(key)
    if (slot === undefined) return this.#start(key, load)
    slot.next ??= slot.running.then(ignore, ignore).then(() => this.#start(key, load))
    return slot.next
  }

  /** Keys with a read under way (for tests). */
  get size(): number {
    return this.#slots.size
  }

  #start(key: string, load: () => Promise<T>): Promise<T> {
    const running = load()
    const slot = this.#slots.get(key)
    if (slot === undefined) this.#slots.set(key, { running, next: undefined })
    else Object.assign(slot, { running, next: undefined })
    const done = (): void => {
      const now = this.#slots.get(key)
      // Nobody waits for a next read: the key is idle, forget it (the map does not grow).
      if (now?.running === running && now.next === undefined) this.#slots.delete(key)
    }
    running.then(done, done)
    return running
  }
}
