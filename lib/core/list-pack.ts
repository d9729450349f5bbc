/**
 * The packed listing index: the rows of many projects in one file (`<root>/packed-index.json`),
 * written instead of an `index.json` per project when a listing finds many projects without one
 * (a first listing, or the caches deleted). Creating a file costs 0.1-0.3 ms on common file
 * systems, and a first listing of 1,000 projects spent more creating their caches than reading
 * their logs. A project's own `index.json`, once written (when one of its logs changes), wins over
 * its packed entry, as git's loose refs over packed-refs. The entries are checked like any cache
 * (by each log's key and the folder's mark), so a stale one costs a rescan, never a wrong row.
 *
 * Rows only: the state that extends a summary is not kept, so a log that grows after it was
 * packed is read once from its start, and its project gets its own `index.json` then. One line
 * per project (its id, a tab, its rows), parsed when asked for: `list --project` parses one.
 */
import { isErrnoException } from './errors.js'
import { readCacheSync, writeCacheSync } from './files.js'
import { isProjectId } from './paths.js'
import { encodeRows, INDEX_VERSION, rowsOf, writeCache, type CacheFile, type CachedRow, type CachedState } from './list-cache.js'

/** A project's rows to pack. */
export interface PackEntry {
  projectPath: string | null
  mark: string | null
  rows: Record<string, CachedRow>
}

export class PackedIndex {
  /** Each project's entry, unparsed until it is asked for (`list --project` parses one). */
  private lines: Map<string, string> | null = null

  constructor(private readonly file: string) {}

  /** A project's packed rows; null when it has none. The file is read once, on the first call. */
  rows(projectId: string): CacheFile<CachedRow> | null {
    this.lines ??= this.read()
    const line = this.lines.get(projectId)
    if (line === undefined) return null
    try {
      return rowsOf(JSON.parse(line))
    } catch (error) {
      if (error instanceof SyntaxError) return null
      throw error
    }
  }

  /** Replaces the file (best effort, like every cache write). */
  write(entries: Map<string, PackEntry>): void {
    try {
      let text = `${HEADER}\n`
      for (const [projectId, e] of entries) text += `${projectId}\t${JSON.stringify(encodeRows(e.projectPath, e.mark, e.rows))}\n`
      writeCacheSync(this.file, text)
    } catch {
      // EACCES, EROFS, ENOSPC...: the next listing rebuilds what it lacks.
    }
  }

  /** A header line, then one line per project: its id, a tab, its rows as an index's first line holds them. */
  private read(): Map<string, string> {
    const lines = new Map<string, string>()
    let text: string
    try {
      text = readCacheSync(this.file)
    } catch (error) {
      // Missing or unreadable: nothing packed.
      if (isErrnoException(error)) return lines
      throw error
    }
    const end = text.indexOf('\n')
    if (end < 0 || text.slice(0, end) !== HEADER) return lines
    for (let at = end + 1; at < text.length;) {
      const next = text.indexOf('\n', at)
      if (next < 0) break // a torn last line: not a whole entry
      const tab = text.indexOf('\t', at)
      const projectId = tab > at && tab < next ? text.slice(at, tab) : ''
      if (isProjectId(projectId)) lines.set(projectId, text.slice(tab + 1, next))
      at = next + 1
    }
    return lines
  }
}

const HEADER = JSON.stringify({ version: INDEX_VERSION, packed: true })

/**
 * Where a listing's rows go. A project that has its own `index.json`, or whose packed rows
 * changed, gets its own file (with the states that extend its rows). Projects with no rows
 * anywhere yet (or only a new mark) wait until the listing knows how many they are: fewer than
 * `packAt` get a file each, more are packed into one (their states dropped at once, so memory
 * stays what `packAt` projects need), with the packed projects that did not change.
 */
export class IndexSaves {
  private readonly waiting = new Map<string, { file: string, entry: PackEntry, states: Record<string, CachedState> }>()
  private readonly unchanged = new Map<string, PackEntry>()
  private packing = false

  constructor(readonly packed: PackedIndex, private readonly packAt: number) {}

  /** A project listed: where its rows came from, and what changed. */
  add(projectId: string, file: string, from: 'own' | 'packed' | 'none', changed: 'rows' | 'mark' | 'none', entry: PackEntry, states: Record<string, CachedState>): void {
    if (changed === 'none') {
      if (from === 'packed') this.unchanged.set(projectId, entry)
    } else if (from === 'own' || (from === 'packed' && changed === 'rows')) {
      writeCache(file, entry.projectPath, entry.mark, entry.rows, states)
    } else {
      this.waiting.set(projectId, { file, entry, states: this.packing ? {} : states })
      if (!this.packing && this.waiting.size >= this.packAt) {
        this.packing = true
        for (const w of this.waiting.values()) w.states = {}
      }
    }
  }

  finish(): void {
    if (this.packing) {
      this.packed.write(new Map([...this.unchanged, ...[...this.waiting].map(([id, w]) => [id, w.entry] as const)]))
    } else {
      for (const w of this.waiting.values()) writeCache(w.file, w.entry.projectPath, w.entry.mark, w.entry.rows, w.states)
    }
  }
}
