/**
 * Search, the plug-in: ranked full-text search over every session, on SQLite FTS5. It sees
 * the core through SearchPorts only; its index (db.ts) is its own cache under the root,
 * brought up to date from the logs at each search (catch-up.ts). docs/search.md has the
 * query language, what is indexed and the limits.
 */
import type { CorePorts } from '../core/ports.js'
import { catchUp, dataVersion, loadKnown, type Known } from './catch-up.js'
import { isDamage, isMoved, isStale, openIndex, removeIndex, type Db, type IndexFile } from './db.js'
import { filtersOf, type Filters, type SearchOptions } from './options.js'
import { hits, type SearchHit } from './hits.js'
import { parseQuery, toMatch } from './query.js'

export type { SearchOptions } from './options.js'
export type { SearchHit } from './hits.js'

export type SearchPorts = Pick<CorePorts, 'root' | 'projectPathOf' | 'logFiles' | 'scanFrom'>

export class Search {
  private index: IndexFile | undefined
  private known: Known | undefined
  /** One search at a time per journal: two catch-ups at once would read the same logs twice. */
  private queue: Promise<unknown> = Promise.resolve()

  /** `workerBytes`: how large a catch-up must be to write on a worker thread (tests lower it). */
  constructor(private readonly ports: SearchPorts, private readonly tuning: { workerBytes?: number } = {}) {}

  search(query: string, options?: SearchOptions): Promise<SearchHit[]> {
    let match: string
    let prefixed: boolean
    let filters: Filters
    try {
      // Checked before the index is opened: a bad query never loads better-sqlite3.
      const terms = parseQuery(query)
      match = toMatch(terms)
      prefixed = terms.some(t => t.prefix)
      filters = filtersOf(options)
    } catch (error) {
      return Promise.reject(error)
    }
    const run = this.queue.then(() => this.run(match, prefixed, filters))
    this.queue = run.catch(() => {})
    return run
  }

  private async run(match: string, prefixed: boolean, filters: Filters): Promise<SearchHit[]> {
    for (let attempt = 0; ; attempt++) {
      try {
        const db = await this.open()
        if (!this.known || this.known.version !== dataVersion(db)) this.known = loadKnown(db)
        if (await catchUp(db, this.index!, this.known, this.ports, this.tuning.workerBytes)) this.known = undefined
        // One read transaction: the ranked rows and their snippets from the same snapshot, whatever other processes commit.
        return db.transaction(() => hits(db, match, prefixed, filters))()
      } catch (error) {
        if (attempt === 2 || !(isDamage(error) || isMoved(error))) throw error
        // Damaged: thrown away and built again from the logs. Deleted or replaced by another process meanwhile: opened again.
        const { file, ino } = this.index ?? { file: '', ino: 0 }
        this.close()
        if (isDamage(error) && file !== '') removeIndex(file, ino)
      }
    }
  }

  /** Waits for the search under way, then lets go of the index's connection (the next search opens it again). */
  async release(): Promise<void> {
    await this.queue
    this.close()
  }

  private async open(): Promise<Db> {
    if (this.index && isStale(this.index)) this.close() // deleted or replaced by another process: open the new one
    this.index ??= await openIndex(this.ports.root)
    return this.index.db
  }

  private close(): void {
    this.index?.db.close()
    this.index = undefined
    this.known = undefined
  }
}
