/**
 * Prepared bytes kept in memory by a store whose bytes live elsewhere (the
 * PostgreSQL store), so a hot share is not fetched from the database per GET.
 *
 * Entries are keyed by what names the bytes exactly (kind, id, version, page),
 * and a store asks for them only with the tag it has just read from the database
 * in the same request: a cached copy of a replaced or deleted share is never
 * asked for again, it only ages out. Bounded by total bytes, least recently used
 * out first; concurrent misses of one entry share a single fetch.
 */

export class BytesCache {
  readonly #entries = new Map<string, Buffer>()
  readonly #loading = new Map<string, Promise<Buffer | undefined>>()
  #bytes = 0

  /** `maxBytes` in all; an entry larger than a quarter of it is served but not kept. */
  constructor(readonly maxBytes: number) {}

  get size(): number {
    return this.#bytes
  }

  /** The bytes under `key`, fetched by `load` (undefined: there are none) when not held. */
  async get(key: string, load: () => Promise<Buffer | undefined>): Promise<Buffer | undefined> {
    const held = this.#entries.get(key)
    if (held !== undefined) {
      this.#entries.delete(key)
      this.#entries.set(key, held)
      return held
    }
    let loading = this.#loading.get(key)
    if (loading === undefined) {
      loading = load()
      this.#loading.set(key, loading)
      const done = (): void => { this.#loading.delete(key) }
      loading.then(bytes => {
        done()
        if (bytes !== undefined) this.#keep(key, bytes)
      }, done)
    }
    return loading
  }

  /** Drops every entry whose key starts with `prefix` (a share just removed here: free its memory now). */
  forget(prefix: string): void {
    for (const [key, bytes] of this.#entries) {
      if (!key.startsWith(prefix)) continue
      this.#entries.delete(key)
      this.#bytes -= bytes.length
    }
  }

  #keep(key: string, bytes: Buffer): void {
    if (bytes.length > this.maxBytes / 4 || this.#entries.has(key)) return
    this.#entries.set(key, bytes)
    this.#bytes += bytes.length
    for (const [oldest, old] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break
      this.#entries.delete(oldest)
      this.#bytes -= old.length
    }
  }
}
