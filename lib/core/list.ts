/**
 * Listing every session of every project without folding the logs. Each project keeps an
 * `index.json` of summaries (summary.ts), which is only a cache: a summary is used when the
 * log's inode, birth time and size are the ones it was made from, extended by reading just
 * the bytes appended since otherwise, and rebuilt when the log was replaced. Logs only grow
 * (the journal never rewrites a line), so a stale or missing index costs time, never a wrong
 * row; a log edited in place by hand to the same size is the one thing it cannot see.
 *
 * The walk uses readdir/stat on the fixed two-level layout rather than fast-glob, which is
 * several times slower on this hot path (docs/performance.md has the numbers).
 */
import fsSync from 'node:fs'
import { isErrnoException, isNotFound } from './errors.js'
import { readdirOrEmpty, writeCacheSync } from './files.js'
import { idTime, isSessionId } from './ids.js'
import { acquireLock, isLocked } from './lock.js'
import { isProjectId, LOG_SUFFIX, type Layout } from './paths.js'
import { readProjectPath } from './projects.js'
import type { ScanState } from './reader.js'
import { ScanPool } from './scan-pool.js'
import { emptySummary, isSummary, resumeSummary, summarize, type Summary } from './summary.js'
import { roleCounts, toolsByUse, type RoleCounts } from './tally.js'
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

/** Bumped whenever the summary rules change, so caches made by older rules are rebuilt, not trusted. */
const INDEX_VERSION = 4

interface ProjectIndex {
  version: typeof INDEX_VERSION
  projectPath: string | null
  sessions: Record<string, Summary>
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
  const index = readIndex(indexFile)
  index.projectPath ??= readProjectPath(layout, projectId)
  const seen: Record<string, Summary> = {}
  let changed = false
  const rows: SessionRow[] = []
  // Each log's row; only those that must be read (or a dead import's leftover) wait for I/O, side by side.
  const one = async (name: string) => {
    const staged = layout.stagingIdOf(name)
    if (staged !== undefined) await removeDeadStaging(layout, projectId, staged, options)
    if (!name.endsWith(LOG_SUFFIX)) return
    const id = name.slice(0, -LOG_SUFFIX.length)
    if (!isSessionId(id)) return
    const file = `${sessionsDir}/${name}`
    let summary = index.sessions[id]
    try {
      const stat = fsSync.statSync(file)
      if (!stat.isFile()) throw Object.assign(new Error(`${file} is not a file`), { code: 'EISDIR' })
      if (!summary || summary.ino !== stat.ino || summary.born !== stat.birthtimeMs || summary.position.offset > stat.size) {
        summary = await extend(file, id, emptySummary(stat.ino, stat.birthtimeMs), options, pool, stat.size)
        changed = true
      } else if (summary.position.offset < stat.size) {
        const before = summary.position.offset
        summary = await extend(file, id, summary, options, pool, stat.size - before)
        // Only a torn tail beyond the last line? Nothing new to keep: spare the index a rewrite.
        if (summary.position.offset !== before) changed = true
      }
      seen[id] = summary
      const row = toRow(id, projectId, index.projectPath, summary)
      // No header (nothing whole, NUL padding, garbage): damaged, unless a writer is creating it right now.
      if (summary.projectPath === null && !row.damaged) row.damaged = !await isLocked(file, options.lockStaleMs)
      collect?.(row, summary.usage)
      rows.push(row)
    } catch (error) {
      if (isNotFound(error)) return // deleted while we listed
      // One unreadable log never hides the others: list what the name and folder tell.
      rows.push(toRow(id, projectId, index.projectPath, { ...emptySummary(0), damaged: true }))
    }
  }
  const pending: Array<Promise<void>> = []
  for (const name of files) pending.push(one(name))
  await Promise.all(pending)
  if (changed || Object.keys(index.sessions).length !== Object.keys(seen).length) {
    // Best effort: the index is a cache, and a read-only or full disk must not break listing.
    try {
      writeCacheSync(indexFile, JSON.stringify({ ...index, sessions: seen }))
    } catch {
      // EACCES, EROFS, ENOSPC...: the next listing rebuilds what it lacks.
    }
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

function toRow(id: string, projectId: string, projectPath: string | null, s: Summary): SessionRow {
  const created = s.created ?? idTime(id)
  const firstPrompt = s.firstPrompt?.text || null
  return {
    id,
    projectId,
    projectPath: s.projectPath ?? projectPath ?? '',
    title: s.title ?? firstPrompt,
    titleFromPrompt: s.title === null && firstPrompt !== null,
    parentId: s.parentId,
    created,
    updated: s.updated ?? created,
    messages: s.ids.length,
    roles: roleCounts(s),
    tools: toolsByUse(s),
    shared: s.shared,
    damaged: s.damaged,
    firstPrompt,
    lastPrompt: s.lastPrompt?.text || null,
    usage: s.usage?.totals ?? emptySessionUsage(),
  }
}

function readIndex(file: string): ProjectIndex {
  try {
    const parsed = JSON.parse(fsSync.readFileSync(file, 'utf8')) as ProjectIndex
    if (parsed?.version === INDEX_VERSION && typeof parsed.sessions === 'object' && parsed.sessions !== null) {
      for (const [id, s] of Object.entries(parsed.sessions)) if (!isSummary(s)) delete parsed.sessions[id]
      return parsed
    }
  } catch (error) {
    // Missing, garbled or unreadable (EACCES...): a cache that costs only a rebuild. Bugs still surface.
    if (!(error instanceof SyntaxError) && !isErrnoException(error)) throw error
  }
  return { version: INDEX_VERSION, projectPath: null, sessions: {} }
}
