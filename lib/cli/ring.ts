/**
 * The last `capacity` items of a stream: O(1) per push (one slot written, nothing moved, where
 * `Array.shift()` moves every kept item) and at most `capacity` slots, allocated as items
 * arrive, so `tail -n 1000000000` of a short log costs the log, not the number.
 */
export class Ring<T> {
  private start = 0

  /** `slots` is the backing store (a test may hand in one it watches). */
  constructor(readonly capacity: number, private readonly slots: T[] = []) {}

  push(item: T): void {
    if (this.capacity === 0) return
    if (this.slots.length < this.capacity) {
      this.slots.push(item)
      return
    }
    this.slots[this.start] = item
    this.start = this.start + 1 === this.capacity ? 0 : this.start + 1
  }

  get size(): number {
    return this.slots.length
  }

  /** Oldest first. */
  toArray(): T[] {
    return [...this.slots.slice(this.start), ...this.slots.slice(0, this.start)]
  }
}
