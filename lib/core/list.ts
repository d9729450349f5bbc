/**
 * Listing every session of every project without folding the logs. Each project keeps an
 * `index.json` of summaries (summary.ts, encoded by list-cache.ts: rows apart from the state
 * that only extending them needs), which is only a cache: a row is used when the log's inode,
 * birth time and size are the ones it was made from, extended by reading just the bytes
 * appended since otherwise, and rebuilt when the log was replaced. Logs only grow (the journal
 * never rewrites a line), so a stale or missing index costs time, never a wrong row.
 *
 * A warm list need not even stat every log: the index keeps its sessions folder's mark
 * (folder-mark.ts), and while the folder is as the mark says, only the logs a writer held
 * then are stat'ed; the others are as their rows were made. What this cannot see is a log
 * changed by something that takes no lock (an editor saving in place, `cp` over a log): it
 * is seen when its folder next changes (a session created, deleted, opened for writing).
 *
 * The walk uses readdir/stat on the fixed two-level layout rather than fast-glob, which is
 * several times slower on this hot path (docs/performance.md has the numbers).
 */
import fsSync, { type Stats } from 'node:fs'
import { isNotFound, SessionNotFoundError } from './errors.js'
import { readdirOrEmpty } from './files.js'
import { liveSince, lockedId, markOf, stampFolder } from './folder-mark.js'
import { isSessionId } from './ids.js'
import { acquireLock, isLocked } from './lock.js'
import { isProjectId, LOG_SUFFIX, type Layout } from './paths.js'
import { readProjectPath } from './projects.js'
import type { ScanState } from './reader.js'
import { ScanPool } from './scan-pool.js'
import { joinSummary, readBoth, readRows, readStates, sameKey, splitSummary, type CachedRow, type CachedState } from './list-cache.js'
import { IndexSaves, PackedIndex } from './list-pack.js'
import { fits, toRow, usageOf, type SessionRow, type UsageCollector } from './list-row.js'
import { emptySummary, resumeSummary, summarize, type Summary } from './summary.js'
import { RebuildNeeded } from './usage-summary.js'

export type { SessionRow, UsageCollector } from './list-row.js'

export interface ListOptions {
  /** Only this project folder's sessions. */
  projectId?: string
  maxLineBytes?: number
  /** A log without a header is only being created while its writer's lock is fresher than this. */
  lockStaleMs?: number
  /** For tests: how recent a folder change may be and still get a mark (folder-mark.ts). */
  racyMs?: number
  /** For tests: from how many projects without their own index a listing packs their rows into one file (list-pack.ts). */
  packAt?: number
}

/** A first listing of more projects than this writes one packed index instead of a file each. */
const PACK_AT = 32

export async function listSessions(layout: Layout, options: ListOptions = {}, collect?: UsageCollector): Promise<SessionRow[]> {
  const projects = options.projectId ? [options.projectId] : readdirOrEmpty(layout.projectsDir).filter(isProjectId)
  // Projects are listed side by side, so the logs that must be scanned overlap (scan-pool.ts).
  const pool = new ScanPool()
  // Usage by quarter hour needs every state: never packed (list-pack.ts keeps rows only).
  const saves = new IndexSaves(new PackedIndex(layout.packedIndexFile), collect ? Infinity : Math.max(2, options.packAt ?? PACK_AT))
  const listed: Array<Promise<SessionRow[]>> = []
  let sinceYield = 0
  for (const projectId of projects) {
    listed.push(listProject(layout, projectId, options, pool, saves, collect))
    // The fresh path is synchronous for speed; give the event loop a turn now and then.
    if (++sinceYield === 32) {
      sinceYield = 0
      await new Promise(resolve => setImmediate(resolve))
    }
  }
  const rows = (await Promise.all(listed)).flat()
  saves.finish()
  return rows.sort((a, b) => (a.updated < b.updated ? 1 : a.updated > b.updated ? -1 : a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
}

async function listProject(layout: Layout, projectId: string, options: ListOptions, pool: ScanPool, saves: IndexSaves, collect?: UsageCollector): Promise<SessionRow[]> {
  const sessionsDir = layout.sessionsDir(projectId)
  // Before anything is read: a change after this stat moves the folder's ctime past it (folder-mark.ts).
  const folder = stampFolder(sessionsDir, options.racyMs)
  if (folder === null) return []
  const indexFile = layout.indexFile(projectId)
  // The state line is read only when a summary must be extended, or usage buckets are asked for.
  const [own, read] = collect ? readBoth(indexFile) : [readRows(indexFile), null]
  // A project's own index wins; without one, its entry in the packed index (list-pack.ts).
  const hasOwn = own.mark !== null || Object.keys(own.sessions).length > 0
  const index = hasOwn ? own : saves.packed.rows(projectId) ?? own
  // The folder as the rows left it: only the logs a writer held then can have changed.
  const live = liveSince(index.mark, folder)
  const files = live === null ? readdirOrEmpty(sessionsDir) : null
  if (files?.length === 0) return []
  const projectPath = index.projectPath ??= readProjectPath(layout, projectId)
  let states: Record<string, CachedState> | null = read
  const stateOf = () => (states ??= readStates(indexFile))
  const seen: Record<string, CachedRow> = {}
  const made: Record<string, CachedState> = {}
  let changed = false
  // A log left unlisted, or a staging file: the folder is not as the rows say, so it gets no mark.
  let whole = true
  const rows: SessionRow[] = []
  const emit = (id: string, cached: CachedRow) => {
    const row = toRow(id, projectId, projectPath, cached)
    if (collect) collect(row, usageOf(cached, stateOf()[id] ?? made[id]))
    rows.push(row)
  }
  // Only logs that must be read, have no header, or need their usage state wait for I/O, side by side.
  const later: Array<Promise<void>> = []
  // `base` is where reading starts; null: nothing to read, the row only waits for a lock check.
  // `size` null: a log with no row, not stat'ed (its scan's open tells inode, birth and size).
  const slow = async (id: string, file: string, size: number | null, cached: CachedRow | undefined, base: Summary | null) => {
    try {
      let row = cached
      if (base !== null) {
        // No cached row: `base` is a fresh summary of this listing's own, extended in place.
        const summary = await extend(file, id, base, options, pool, size === null ? null : size - base.position.offset, row === undefined)
        // Extended by a torn tail only? Nothing new to keep: spare the index a rewrite.
        if (row === undefined || summary.position.offset !== row.offset) {
          [row, made[id]] = splitSummary(summary)
          changed = true
        }
      }
      seen[id] = row!
      const listed = toRow(id, projectId, projectPath, row!)
      // No header (nothing whole, NUL padding, garbage): damaged, unless a writer is creating it right now.
      if (row!.projectPath === null && !listed.damaged) listed.damaged = !await isLocked(file, options.lockStaleMs)
      if (collect) collect(listed, usageOf(row!, made[id] ?? stateOf()[id]))
      rows.push(listed)
    } catch (error) {
      // Deleted while we listed: not a row.
      if (!isNotFound(error) && !(error instanceof SessionNotFoundError)) unreadable(id)
    }
  }
  const unreadable = (id: string) => {
    whole = false
    rows.push(toRow(id, projectId, projectPath, splitSummary({ ...emptySummary(0), damaged: true })[0]))
  }
  /** A log as it stands (`size` from a stat, or the cached row's key when the folder says it cannot have changed). */
  const consider = (id: string, file: string, ino: number, born: number, size: number) => {
    const cached = index.sessions[id]
    const scratch = () => emptySummary(ino, born)
    if (!cached || cached.ino !== ino || cached.born !== born || cached.offset > size) {
      later.push(slow(id, file, size, undefined, scratch()))
    } else if (cached.offset < size) {
      const base = joinSummary(cached, stateOf()[id])
      later.push(base ? slow(id, file, size, cached, base) : slow(id, file, size, undefined, scratch()))
    } else if (collect && cached.usage !== null && !fits(cached, stateOf()[id])) {
      // Usage by quarter hour asked for, but its state is lost (another lister raced this one): read the log again.
      later.push(slow(id, file, size, undefined, scratch()))
    } else if (cached.projectPath === null) {
      later.push(slow(id, file, size, cached, null))
    } else {
      seen[id] = cached
      emit(id, cached)
    }
  }
  const statThen = (id: string, file: string) => {
    let stat: fsSync.Stats
    try {
      stat = fsSync.statSync(file)
      if (!stat.isFile()) throw Object.assign(new Error(`${file} is not a file`), { code: 'EISDIR' })
    } catch (error) {
      // Deleted while we listed; otherwise one unreadable log never hides the others.
      if (!isNotFound(error)) unreadable(id)
      return
    }
    consider(id, file, stat.ino, stat.birthtimeMs, stat.size)
  }
  const writers: string[] = []
  if (live !== null) {
    const writing = new Set(live)
    for (const id in index.sessions) {
      const file = `${sessionsDir}/${id}${LOG_SUFFIX}`
      if (writing.has(id)) statThen(id, file)
      else consider(id, file, index.sessions[id]!.ino, index.sessions[id]!.born, index.sessions[id]!.offset)
    }
  } else {
    for (const name of files!) {
      const staged = layout.stagingIdOf(name)
      if (staged !== undefined) {
        whole = false
        later.push(removeDeadStaging(layout, projectId, staged, options))
      }
      const writer = lockedId(name)
      if (writer !== undefined) writers.push(writer)
      if (!name.endsWith(LOG_SUFFIX)) continue
      const id = name.slice(0, -LOG_SUFFIX.length)
      if (!isSessionId(id)) continue
      // A log with no row is read whole anyway: no stat of its own (a cold list's largest cost after the reads).
      if (index.sessions[id] === undefined) later.push(slow(id, `${sessionsDir}/${name}`, null, undefined, emptySummary(0, 0)))
      else statThen(id, `${sessionsDir}/${name}`)
    }
  }
  await Promise.all(later)
  // A log left unlisted this time must be looked for again: no mark, even under one that held.
  const mark = !whole ? null : live !== null ? index.mark : markOf(folder, writers)
  const rowsChanged = changed || Object.keys(index.sessions).length !== Object.keys(seen).length
  const rewrite = rowsChanged || (mark !== null && mark !== index.mark)
  if (rewrite) {
    // No rows read (a first listing): no state worth reading either.
    const old = Object.keys(index.sessions).length > 0 ? stateOf() : {}
    for (const id in seen) {
      const state = made[id] ?? old[id]
      if (state && sameKey(seen[id]!, state)) made[id] = state
    }
  }
  saves.add(projectId, indexFile, hasOwn ? 'own' : index === own ? 'none' : 'packed', rewrite ? (rowsChanged ? 'rows' : 'mark') : 'none', { projectPath: index.projectPath, mark, rows: seen }, made)
  return rows
}

/**
 * A half-written import (a process killed while importing) is never listed, and is removed
 * once no importer holds the session's lock: an importer keeps it from creating the staging
 * file until the log is linked into place.
 */
async function removeDeadStaging(layout: Layout, projectId: string, id: string, options: ListOptions): Promise<void> {
  try {
    const release = await acquireLock(layout.sessionFile(projectId, id), { id, ...(options.lockStaleMs === undefined ? {} : { staleMs: options.lockStaleMs }) })
    try {
      fsSync.rmSync(layout.stagingFile(projectId, id), { force: true })
    } finally {
      await release()
    }
  } catch {
    // A live import, or a root we may not write: it stays until a later list or the next import of that id.
  }
}

async function extend(file: string, id: string, base: Summary, options: ListOptions, pool: ScanPool, remaining: number | null, fresh: boolean): Promise<Summary> {
  const summary = fresh ? base : resumeSummary(base)
  const state: ScanState = { damage: [], position: summary.position }
  const scanOptions = { expectId: id, from: summary.position, ...(options.maxLineBytes ? { maxLineBytes: options.maxLineBytes } : {}) }
  // Not stat'ed (a log with no row): the key is the file the scan opened.
  const keyed = remaining !== null ? undefined : (stat: Stats) => {
    summary.ino = stat.ino
    summary.born = stat.birthtimeMs
  }
  try {
    await pool.scan(file, state, scanOptions, remaining, batch => { for (const event of batch) summarize(summary, event) }, keyed)
  } catch (error) {
    // A usage key whose hash is known, a prompt that needs an earlier user message: a scan from the start knows.
    if (error instanceof RebuildNeeded) return extend(file, id, emptySummary(summary.ino, summary.born), options, pool, remaining === null ? null : remaining + base.position.offset, true)
    throw error
  }
  summary.position = state.position
  if (state.damage.some(d => d.kind !== 'torn-tail')) summary.damaged = true
  return summary
}
