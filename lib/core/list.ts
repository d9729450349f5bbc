/**
 * Listing every session of every project without folding the logs. Each project keeps an
 * `index.json` of summaries (summary.ts, encoded by list-cache.ts: rows apart from the state
 * that only extending them needs), which is only a cache: a row is used when the log's inode,
 * birth time and size are the ones it was made from, extended by reading just the bytes
 * appended since otherwise, and rebuilt when the log was replaced. Logs only grow (the journal
 * never rewrites a line), so a stale or missing index costs time, never a wrong row; a log
 * edited in place by hand to the same size is the one thing it cannot see.
 *
 * The walk uses readdir/stat on the fixed two-level layout rather than fast-glob, which is
 * several times slower on this hot path (docs/performance.md has the numbers).
 */
import fsSync from 'node:fs'
import { isNotFound } from './errors.js'
import { readdirOrEmpty } from './files.js'
import { idTime, isSessionId } from './ids.js'
import { acquireLock, isLocked } from './lock.js'
import { isProjectId, LOG_SUFFIX, type Layout } from './paths.js'
import { readProjectPath } from './projects.js'
import type { ScanState } from './reader.js'
import { ScanPool } from './scan-pool.js'
import { joinSummary, readBoth, readRows, readStates, sameKey, splitSummary, writeCache, type CachedRow, type CachedState } from './list-cache.js'
import { emptySummary, resumeSummary, summarize, type Summary } from './summary.js'
import type { RoleCounts } from './tally.js'
import type { SessionInfo, SessionUsage } from './types.js'
import { emptySessionUsage } from './usage.js'
import { RebuildNeeded, type UsageSummary } from './usage-summary.js'

/** A listing row: the info fields a picker shows (same names and types as read()'s), plus counts. */
export interface SessionRow extends Pick<SessionInfo, 'id' | 'projectId' | 'projectPath' | 'title' | 'parentId' | 'created' | 'updated'> {
  /** read()'s title; when the session has none, its first prompt (then `titleFromPrompt` is true). */
  title: string | null
  /** The title is the first prompt standing in for a missing one. */
  titleFromPrompt: boolean
  /** Messages in the folded history (after reverts). */
  messages: number
  /** The same messages by role: the three add up to `messages`. */
  roles: RoleCounts
  /** Tool calls of those messages by tool name, most used first (a prototype-less object). */
  tools: Record<string, number>
  shared: boolean
  /** The log has damage beyond a torn last line, or no header at all (`verify` tells what). */
  damaged: boolean
  /** The first user text (the first text part of the first user message that has one), whitespace collapsed, cut at ~200 characters on a word boundary; null when there is none. */
  firstPrompt: string | null
  /** The last user text, shortened the same way: where the session was left. */
  lastPrompt: string | null
  /** Usage totals, equal to read()'s `info.usage` (from the listing cache, no fold). */
  usage: SessionUsage
}

/** Hears each listed session's row with its cached usage summary (the usage plug-in's buckets). */
export type UsageCollector = (row: SessionRow, usage: UsageSummary | null) => void

export interface ListOptions {
  /** Only this project folder's sessions. */
  projectId?: string
  maxLineBytes?: number
  /** A log without a header is only being created while its writer's lock is fresher than this. */
  lockStaleMs?: number
}

export async function listSessions(layout: Layout, options: ListOptions = {}, collect?: UsageCollector): Promise<SessionRow[]> {
  const projects = options.projectId ? [options.projectId] : readdirOrEmpty(layout.projectsDir).filter(isProjectId)
  // Projects are listed side by side, so the logs that must be scanned overlap (scan-pool.ts).
  const pool = new ScanPool()
  const listed: Array<Promise<SessionRow[]>> = []
  let sinceYield = 0
  for (const projectId of projects) {
    listed.push(listProject(layout, projectId, options, pool, collect))
    // The fresh path is synchronous for speed; give the event loop a turn now and then.
    if (++sinceYield === 32) {
      sinceYield = 0
      await new Promise(resolve => setImmediate(resolve))
    }
  }
  const rows = (await Promise.all(listed)).flat()
  return rows.sort((a, b) => (a.updated < b.updated ? 1 : a.updated > b.updated ? -1 : a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
}

async function listProject(layout: Layout, projectId: string, options: ListOptions, pool: ScanPool, collect?: UsageCollector): Promise<SessionRow[]> {
  const sessionsDir = layout.sessionsDir(projectId)
  const files = readdirOrEmpty(sessionsDir)
  if (files.length === 0) return []
  const indexFile = layout.indexFile(projectId)
  // The state line is read only when a summary must be extended, or usage buckets are asked for.
  const [index, read] = collect ? readBoth(indexFile) : [readRows(indexFile), null]
  const projectPath = index.projectPath ??= readProjectPath(layout, projectId)
  let states: Record<string, CachedState> | null = read
  const stateOf = () => (states ??= readStates(indexFile))
  const seen: Record<string, CachedRow> = {}
  const made: Record<string, CachedState> = {}
  let changed = false
  const rows: SessionRow[] = []
  const emit = (id: string, cached: CachedRow) => {
    const row = toRow(id, projectId, projectPath, cached)
    if (collect) collect(row, usageOf(cached, stateOf()[id] ?? made[id]))
    rows.push(row)
  }
  // Only logs that must be read, have no header, or need their usage state wait for I/O, side by side.
  const later: Array<Promise<void>> = []
  // `base` is where reading starts; null: nothing to read, the row only waits for a lock check.
  const slow = async (id: string, file: string, size: number, cached: CachedRow | undefined, base: Summary | null) => {
    try {
      let row = cached
      if (base !== null) {
        const summary = await extend(file, id, base, options, pool, size - base.position.offset)
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
      if (!isNotFound(error)) unreadable(id)
    }
  }
  const unreadable = (id: string) => rows.push(toRow(id, projectId, projectPath, splitSummary({ ...emptySummary(0), damaged: true })[0]))
  for (const name of files) {
    const staged = layout.stagingIdOf(name)
    if (staged !== undefined) later.push(removeDeadStaging(layout, projectId, staged, options))
    if (!name.endsWith(LOG_SUFFIX)) continue
    const id = name.slice(0, -LOG_SUFFIX.length)
    if (!isSessionId(id)) continue
    const file = `${sessionsDir}/${name}`
    let stat: fsSync.Stats
    try {
      stat = fsSync.statSync(file)
      if (!stat.isFile()) throw Object.assign(new Error(`${file} is not a file`), { code: 'EISDIR' })
    } catch (error) {
      // Deleted while we listed; otherwise one unreadable log never hides the others.
      if (!isNotFound(error)) unreadable(id)
      continue
    }
    const cached = index.sessions[id]
    const scratch = () => emptySummary(stat.ino, stat.birthtimeMs)
    if (!cached || cached.ino !== stat.ino || cached.born !== stat.birthtimeMs || cached.offset > stat.size) {
      later.push(slow(id, file, stat.size, undefined, scratch()))
    } else if (cached.offset < stat.size) {
      const base = joinSummary(cached, stateOf()[id])
      later.push(base ? slow(id, file, stat.size, cached, base) : slow(id, file, stat.size, undefined, scratch()))
    } else if (collect && cached.usage !== null && !fits(cached, stateOf()[id])) {
      // Usage by quarter hour asked for, but its state is lost (another lister raced this one): read the log again.
      later.push(slow(id, file, stat.size, undefined, scratch()))
    } else if (cached.projectPath === null) {
      later.push(slow(id, file, stat.size, cached, null))
    } else {
      seen[id] = cached
      emit(id, cached)
    }
  }
  await Promise.all(later)
  if (changed || Object.keys(index.sessions).length !== Object.keys(seen).length) {
    // No rows read (a first listing): no state worth reading either.
    const old = Object.keys(index.sessions).length > 0 ? stateOf() : {}
    for (const id in seen) {
      const state = made[id] ?? old[id]
      if (state && sameKey(seen[id]!, state)) made[id] = state
    }
    writeCache(indexFile, index.projectPath, seen, made)
  }
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

async function extend(file: string, id: string, base: Summary, options: ListOptions, pool: ScanPool, remaining: number): Promise<Summary> {
  const summary = resumeSummary(base)
  const state: ScanState = { damage: [], position: summary.position }
  const scanOptions = { expectId: id, from: summary.position, ...(options.maxLineBytes ? { maxLineBytes: options.maxLineBytes } : {}) }
  try {
    await pool.scan(file, state, scanOptions, remaining, batch => { for (const event of batch) summarize(summary, event) })
  } catch (error) {
    // A usage key whose hash is known, a prompt that needs an earlier user message: a scan from the start knows.
    if (error instanceof RebuildNeeded) return extend(file, id, emptySummary(base.ino, base.born), options, pool, remaining + base.position.offset)
    throw error
  }
  summary.position = state.position
  if (state.damage.some(d => d.kind !== 'torn-tail')) summary.damaged = true
  return summary
}

function toRow(id: string, projectId: string, projectPath: string | null, s: CachedRow): SessionRow {
  const created = s.created ?? idTime(id)
  const [user, assistant, system] = s.roles
  const tools = Object.create(null) as Record<string, number>
  if (s.tools !== null) for (const [name, n] of s.tools) tools[name] = n
  return {
    id,
    projectId,
    projectPath: s.projectPath ?? projectPath ?? '',
    title: s.title ?? s.firstPrompt,
    titleFromPrompt: s.title === null && s.firstPrompt !== null,
    parentId: s.parentId,
    created,
    updated: s.updated ?? created,
    messages: user + assistant + system,
    roles: { user, assistant, system },
    tools,
    shared: s.shared,
    damaged: s.damaged,
    firstPrompt: s.firstPrompt,
    lastPrompt: s.lastPrompt,
    usage: s.usage ?? emptySessionUsage(),
  }
}

function fits(row: CachedRow, state: CachedState | undefined): boolean {
  return state !== undefined && sameKey(row, state)
}

function usageOf(row: CachedRow, state: CachedState | undefined): UsageSummary | null {
  return row.usage === null ? null : { totals: row.usage, buckets: state?.buckets ?? {}, keys: state?.keys ?? '' }
}
