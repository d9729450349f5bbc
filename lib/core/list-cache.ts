/**
 * The listing cache's encoding: each project's `index.json` is two lines. The first holds what
 * a row needs (and the key that says it is still right: inode, birth time, bytes read), and is
 * all a warm list reads; the second holds what only extending a summary needs (visible message
 * ids, each message's role and tool calls, where the prompts came from, usage buckets and
 * counted keys), read only when a log grew or usage per quarter hour is asked for. Most of a
 * summary's bytes are on the second line, so a warm list reads and parses a fraction of them.
 * One file, not two: creating a file per project is most of what writing the cache costs.
 *
 * The file is replaced whole by whichever lister comes last, and the second line may be read
 * after another lister replaced it: a state entry is used only when its key equals the row's
 * (the same bytes of the same file), otherwise the log is read again from its start. So
 * listers racing can cost a rescan, never a wrong row.
 */
import fsSync from 'node:fs'
import { isErrnoException } from './errors.js'
import { readCacheSync, readFirstLine, writeCacheSync } from './files.js'
import { isSessionId } from './ids.js'
import type { Prompt } from './prompt.js'
import { isSummary, type Summary } from './summary.js'
import { roleCounts, type ToolEntry } from './tally.js'
import type { SessionUsage } from './types.js'
import { isSessionUsage } from './usage.js'

/** Bumped whenever the summary rules or this encoding change, so older caches are rebuilt, not trusted. */
export const INDEX_VERSION = 6

/** A session's row: the listing's fields, and the key it was made from (on disk, an array: see `Encoded`). */
export interface CachedRow extends Pick<Summary, 'ino' | 'born' | 'projectPath' | 'title' | 'parentId' | 'created' | 'updated' | 'shared' | 'damaged'> {
  /** Bytes of the log summarized: after the last complete line. */
  offset: number
  /** Messages by role: user, assistant, system. */
  roles: [number, number, number]
  /** Tool calls by name, most used first (pairs: a tool may be called `__proto__`); null when none. */
  tools: Array<[string, number]> | null
  firstPrompt: string | null
  lastPrompt: string | null
  usage: SessionUsage | null
}

/** What extending a summary needs beyond its row, keyed like the row it belongs to. */
export interface CachedState {
  ino: number
  born: number
  offset: number
  lines: number
  lastSeq: number
  ids: string[]
  roles: string
  calls: Record<string, ToolEntry[]> | null
  firstPrompt: [id: string, partId: string] | null
  lastPrompt: [id: string, partId: string] | null
  buckets: NonNullable<Summary['usage']>['buckets'] | null
  keys: string
}

/**
 * A row as written: an array, not an object (JSON.parse makes arrays 2.5x faster than objects
 * with the same values, and the names are not repeated per session); 0 for the project's own
 * path and for a last prompt equal to the first, the usual case.
 */
type Encoded = [ino: number, born: number, offset: number, projectPath: string | null | 0, title: string | null,
  parentId: string | null, created: string | null, updated: string | null, shared: 0 | 1, damaged: 0 | 1,
  user: number, assistant: number, system: number, tools: Array<[string, number]> | null,
  firstPrompt: string | null, lastPrompt: string | null | 0, usage: SessionUsage | null]

export interface CacheFile<T> {
  version: typeof INDEX_VERSION
  projectPath: string | null
  /** The sessions folder's mark (folder-mark.ts) when these rows were made; null: none to trust. */
  mark: string | null
  sessions: Record<string, T>
}

const EMPTY = (): CacheFile<never> => ({ version: INDEX_VERSION, projectPath: null, mark: null, sessions: {} })

/** The rows: the file's first line only, read in chunks until its newline. */
export function readRows(file: string): CacheFile<CachedRow> {
  // Missing is the usual case for a packed project (list-pack.ts): a stat that does not throw, not an open that does.
  if (fsSync.statSync(file, { throwIfNoEntry: false })?.isFile() !== true) return EMPTY()
  return decodeRows(parse(() => readFirstLine(file), isEncoded))
}

/** The states: the second line (of the file as it is now: keys tell whether an entry still fits a row). */
export function readStates(file: string): Record<string, CachedState> {
  return parse(() => line(readCacheSync(file), 1), isCachedState).sessions
}

/** Both lines in one read, for a listing that needs every state (usage by quarter hour). */
export function readBoth(file: string): [CacheFile<CachedRow>, Record<string, CachedState>] {
  let text = ''
  const rows = decodeRows(parse(() => line(text = readCacheSync(file), 0), isEncoded))
  return [rows, text === '' ? {} : parse(() => line(text, 1), isCachedState).sessions]
}

function line(text: string, n: 0 | 1): string {
  const first = text.indexOf('\n')
  if (n === 0) return first < 0 ? text : text.slice(0, first)
  const end = first < 0 ? -1 : text.indexOf('\n', first + 1)
  return first < 0 ? '' : text.slice(first + 1, end < 0 ? text.length : end)
}

function decodeRows(rows: CacheFile<Encoded>): CacheFile<CachedRow> {
  const decoded = rows as unknown as CacheFile<CachedRow>
  for (const id in rows.sessions) {
    const e = rows.sessions[id]!
    // "The project's path" in a file that names none: not what this module writes, so not trusted.
    if (e[3] === 0 && rows.projectPath === null) delete decoded.sessions[id]
    else decoded.sessions[id] = decode(e, rows.projectPath)
  }
  return decoded
}

/** Replaces the file, rows and the states that fit them (best effort: a read-only or full disk must not break listing). */
export function writeCache(file: string, projectPath: string | null, mark: string | null, rows: Record<string, CachedRow>, states: Record<string, CachedState>): void {
  try {
    writeCacheSync(file, `${JSON.stringify(encodeRows(projectPath, mark, rows))}\n${JSON.stringify({ version: INDEX_VERSION, sessions: states })}\n`)
  } catch {
    // EACCES, EROFS, ENOSPC...: the next listing rebuilds what it lacks.
  }
}

function parse<T>(read: () => string, valid: (value: unknown) => value is T): CacheFile<T> {
  try {
    return checked(JSON.parse(read()), valid)
  } catch (error) {
    // Missing, garbled or unreadable (EACCES...): a cache that costs only a rebuild. Bugs still surface.
    if (!(error instanceof SyntaxError) && !isErrnoException(error)) throw error
  }
  return EMPTY()
}

function checked<T>(value: unknown, valid: (value: unknown) => value is T): CacheFile<T> {
  const parsed = value as CacheFile<T>
  if (parsed?.version !== INDEX_VERSION || typeof parsed.sessions !== 'object' || parsed.sessions === null) return EMPTY()
  if (typeof parsed.projectPath !== 'string') parsed.projectPath = null
  if (typeof parsed.mark !== 'string') parsed.mark = null
  // Keys too: a name that is no session id (`../x`, `__proto__`) never reaches a path or a row.
  let dropped = false
  for (const id in parsed.sessions) {
    if (!isSessionId(id) || !valid(parsed.sessions[id])) {
      delete parsed.sessions[id]
      dropped = true
    }
  }
  // The mark says "these rows are the folder's logs": with one dropped, the folder must be walked.
  if (dropped) parsed.mark = null
  return parsed
}

/** A project's rows from parsed JSON (an index's first line, or its entry in the packed index): checked, decoded. */
export function rowsOf(value: unknown): CacheFile<CachedRow> {
  return decodeRows(checked(value, isEncoded))
}

/** A project's rows as written: the value of an index's first line. */
export function encodeRows(projectPath: string | null, mark: string | null, rows: Record<string, CachedRow>): object {
  const encoded: Record<string, Encoded> = Object.create(null)
  for (const id in rows) encoded[id] = encode(rows[id]!, projectPath)
  return { version: INDEX_VERSION, projectPath, mark, sessions: encoded }
}

/** A summary cut in two: its row and the state to extend it. */
export function splitSummary(s: Summary): [CachedRow, CachedState] {
  const counts = roleCounts(s)
  const tools = s.tools === null ? null : Object.entries(s.tools.counts).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  const row: CachedRow = {
    ino: s.ino, born: s.born, offset: s.position.offset,
    projectPath: s.projectPath, title: s.title, parentId: s.parentId, created: s.created, updated: s.updated,
    shared: s.shared, damaged: s.damaged, roles: [counts.user, counts.assistant, counts.system], tools,
    firstPrompt: s.firstPrompt?.text ?? null, lastPrompt: s.lastPrompt?.text ?? null, usage: s.usage?.totals ?? null,
  }
  const state: CachedState = {
    ino: s.ino, born: s.born, offset: s.position.offset, lines: s.position.lines, lastSeq: s.position.lastSeq,
    ids: s.ids, roles: s.roles, calls: s.tools?.calls ?? null,
    firstPrompt: s.firstPrompt && [s.firstPrompt.id, s.firstPrompt.partId],
    lastPrompt: s.lastPrompt && [s.lastPrompt.id, s.lastPrompt.partId],
    buckets: s.usage?.buckets ?? null, keys: s.usage?.keys ?? '',
  }
  return [row, state]
}

/** The summary again, from a row and the state made with it; null when they do not belong together. */
export function joinSummary(row: CachedRow, state: CachedState | undefined): Summary | null {
  if (!state || !sameKey(row, state)) return null
  const counts = Object.create(null) as Record<string, number>
  for (const [name, n] of row.tools ?? []) counts[name] = n
  const summary: Summary = {
    ino: row.ino, born: row.born, position: { offset: row.offset, lines: state.lines, lastSeq: state.lastSeq },
    projectPath: row.projectPath, title: row.title, parentId: row.parentId, created: row.created, updated: row.updated,
    shared: row.shared, damaged: row.damaged, ids: state.ids, roles: state.roles,
    tools: state.calls === null ? null : { calls: state.calls, counts },
    firstPrompt: prompt(state.firstPrompt, row.firstPrompt), lastPrompt: prompt(state.lastPrompt, row.lastPrompt),
    usage: row.usage === null ? null : { totals: row.usage, buckets: state.buckets ?? {}, keys: state.keys },
  }
  return isSummary(summary) ? summary : null
}

export function sameKey(row: CachedRow, state: CachedState): boolean {
  return row.ino === state.ino && row.born === state.born && row.offset === state.offset
}

function prompt(where: [string, string] | null, text: string | null): Prompt | null {
  return where === null || text === null ? null : { id: where[0], partId: where[1], text }
}

function encode(r: CachedRow, projectPath: string | null): Encoded {
  return [r.ino, r.born, r.offset, r.projectPath !== null && r.projectPath === projectPath ? 0 : r.projectPath, r.title,
    r.parentId, r.created, r.updated, r.shared ? 1 : 0, r.damaged ? 1 : 0, ...r.roles, r.tools,
    r.firstPrompt, r.lastPrompt !== null && r.lastPrompt === r.firstPrompt ? 0 : r.lastPrompt, r.usage]
}

function decode(e: Encoded, projectPath: string | null): CachedRow {
  return {
    ino: e[0], born: e[1], offset: e[2], projectPath: e[3] === 0 ? projectPath : e[3], title: e[4], parentId: e[5],
    created: e[6], updated: e[7], shared: e[8] === 1, damaged: e[9] === 1, roles: [e[10], e[11], e[12]], tools: e[13],
    firstPrompt: e[14], lastPrompt: e[15] === 0 ? e[14] : e[15], usage: e[16],
  }
}

function isEncoded(value: unknown): value is Encoded {
  const e = value as Encoded
  return Array.isArray(e) && e.length === 17 && typeof e[0] === 'number' && typeof e[1] === 'number' && typeof e[2] === 'number'
    && (isText(e[3]) || e[3] === 0) && isText(e[4]) && isText(e[5]) && isText(e[6]) && isText(e[7])
    && (e[8] === 0 || e[8] === 1) && (e[9] === 0 || e[9] === 1)
    && typeof e[10] === 'number' && typeof e[11] === 'number' && typeof e[12] === 'number'
    && (e[13] === null || (Array.isArray(e[13]) && e[13].every(p => Array.isArray(p) && typeof p[0] === 'string' && typeof p[1] === 'number')))
    && isText(e[14]) && (isText(e[15]) || e[15] === 0) && (e[16] === null || isSessionUsage(e[16]))
}

export function isCachedState(value: unknown): value is CachedState {
  const s = value as CachedState
  return typeof s === 'object' && s !== null && typeof s.ino === 'number' && typeof s.born === 'number' && typeof s.offset === 'number'
    && typeof s.lines === 'number' && typeof s.lastSeq === 'number' && Array.isArray(s.ids) && typeof s.roles === 'string'
    && (s.calls === null || typeof s.calls === 'object') && isWhere(s.firstPrompt) && isWhere(s.lastPrompt)
    && (s.buckets === null || typeof s.buckets === 'object') && typeof s.keys === 'string'
}

const isText = (v: unknown): boolean => v === null || typeof v === 'string'
const isWhere = (v: unknown): boolean => v === null || (Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'string')
