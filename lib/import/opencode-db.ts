/**
 * OpenCode 1.18: one SQLite database, `opencode.db`, opened read-only through better-sqlite3
 * (an optional dependency, loaded on first use). The `session` table holds the session's
 * info flattened into columns, `message` and `part` a `data` JSON column each (without the
 * ids, which are columns). The append-only `event` table repeats what those tables hold and
 * is not read. A unit is one session; its fingerprint: the newest `time_updated` and the count of
 * its rows in each table.
 */
import type BetterSqlite3 from 'better-sqlite3'
import { InvalidImportError, JournalError } from '../core/errors.js'
import type { ImportProblem, PeerUnit } from './peer.js'
import { isObject, type OpenCodeSession } from './opencode-map.js'

type Db = BetterSqlite3.Database
type Row = Record<string, unknown>

let loading: Promise<typeof BetterSqlite3> | undefined

/** better-sqlite3, once; ERR_INVALID_IMPORT naming it when it is missing or does not load. */
function loadSqlite(file: string): Promise<typeof BetterSqlite3> {
  loading ??= import('better-sqlite3').then(module => module.default).catch((error: unknown) => {
    loading = undefined
    throw error
  })
  return loading.catch((error: unknown) => {
    throw new InvalidImportError(`reading ${file} needs the optional package better-sqlite3 (v12), which is not installed or does not load here: `
      + `run \`npm install better-sqlite3\` where session-journal is installed (${(error as Error)?.message?.split('\n')[0] ?? String(error)})`, { path: file, cause: error })
  })
}

/** Opens `file` read-only and checks it holds OpenCode's tables; the caller closes it. */
async function open(file: string): Promise<Db> {
  const Database = await loadSqlite(file)
  let db: Db | undefined
  try {
    db = new Database(file, { readonly: true, fileMustExist: true })
    const tables = new Set((db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as Row[]).map(r => r.name))
    for (const table of ['session', 'message', 'part']) {
      if (!tables.has(table)) throw new InvalidImportError(`${file} is not OpenCode's database: it has no ${table} table`, { path: file })
    }
    return db
  } catch (error) {
    db?.close()
    if (error instanceof JournalError) throw error
    const code = (error as { code?: unknown }).code
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw new InvalidImportError(`${file} is not an SQLite database (${(error as Error).message})`, { path: file, cause: error })
    }
    throw error
  }
}

async function withDb<T>(file: string, use: (db: Db) => T): Promise<T> {
  const db = await open(file)
  try {
    return use(db)
  } finally {
    db.close()
  }
}

/** One unit per session, parents before children. */
export function dbUnits(file: string): Promise<{ units: PeerUnit[], ids: Set<string> }> {
  return withDb(file, db => {
    const rows = db.prepare('SELECT id, parent_id, time_updated FROM session ORDER BY time_created, id').all() as Row[]
    // Grouped once per table, not once per session: fast with or without OpenCode's indexes.
    const newest = new Map<unknown, string>()
    for (const table of ['message', 'part']) {
      for (const r of db.prepare(`SELECT session_id, max(time_updated) AS t, count(*) AS n FROM ${table} GROUP BY session_id`).iterate() as Iterable<Row>) {
        newest.set(r.session_id, `${newest.get(r.session_id) ?? ''}:${String(r.t)}:${String(r.n)}`)
      }
    }
    const depth = new Map<unknown, number>()
    const parent = new Map(rows.map(r => [r.id, r.parent_id]))
    // Iterative: a hostile chain of 20,000 parents must not overflow the stack. A cycle of
    // parents (a damaged database) stops at the number of sessions.
    const depthOf = (id: unknown): number => {
      const chain: unknown[] = []
      let at: unknown = id
      let base = 0
      while (!depth.has(at)) {
        chain.push(at)
        const p = parent.get(at)
        if (p === null || p === undefined || !parent.has(p) || chain.length > rows.length) break
        at = p
      }
      if (depth.has(at)) base = depth.get(at)! + 1
      for (let i = chain.length - 1; i >= 0; i--) depth.set(chain[i], base + (chain.length - 1 - i))
      return depth.get(id)!
    }
    const units = rows
      .map((r, i) => ({ r, i, d: depthOf(r.id) }))
      .sort((a, b) => a.d - b.d || a.i - b.i)
      .map(({ r }) => ({ path: file, key: String(r.id), fingerprint: `db:${String(r.time_updated)}${newest.get(r.id) ?? ''}` }))
    return { units, ids: new Set(rows.map(r => String(r.id))) }
  })
}

function parse(text: unknown, where: string, problems: ImportProblem[], file: string): unknown {
  try {
    return JSON.parse(String(text)) as unknown
  } catch (error) {
    problems.push({ path: file, message: `${where}: data is not JSON (${(error as Error).message}): skipped` })
    return undefined
  }
}

/** The session's info as an export document holds it, from the flattened columns. */
function infoOf(s: Row, shareUrl: unknown, problems: ImportProblem[], file: string): Row {
  const json = (column: string) => (s[column] === null || s[column] === undefined ? undefined : parse(s[column], `session ${String(s.id)} ${column}`, problems, file))
  const info: Row = { id: s.id, slug: s.slug, projectID: s.project_id }
  if (s.workspace_id != null) info.workspaceID = s.workspace_id
  info.directory = s.directory
  if (s.path != null) info.path = s.path
  if (s.parent_id != null) info.parentID = s.parent_id
  info.title = s.title
  const agent = s.agent
  if (agent != null) info.agent = agent
  const model = json('model')
  if (model !== undefined) info.model = model
  info.version = s.version
  const url = s.share_url ?? shareUrl
  if (typeof url === 'string') info.share = { url }
  if (s.summary_files != null) info.summary = { additions: s.summary_additions, deletions: s.summary_deletions, files: s.summary_files }
  const metadata = json('metadata')
  if (metadata !== undefined) info.metadata = metadata
  if (s.cost != null) info.cost = s.cost
  if (s.tokens_input != null) info.tokens = { input: s.tokens_input, output: s.tokens_output, reasoning: s.tokens_reasoning, cache: { read: s.tokens_cache_read, write: s.tokens_cache_write } }
  const revert = json('revert')
  if (revert !== undefined) info.revert = revert
  const permission = json('permission')
  if (permission !== undefined) info.permission = permission
  const time: Row = { created: s.time_created, updated: s.time_updated }
  if (s.time_compacting != null) time.compacting = s.time_compacting
  if (s.time_archived != null) time.archived = s.time_archived
  info.time = time
  return info
}

/** One session of the database, as an export document would hold it. */
export function readDbSession(file: string, id: string): Promise<{ session: OpenCodeSession, problems: ImportProblem[] } | undefined> {
  return withDb(file, db => {
    const problems: ImportProblem[] = []
    const s = db.prepare('SELECT * FROM session WHERE id = ?').get(id) as Row | undefined
    if (s === undefined) return undefined
    const tables = new Set((db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as Row[]).map(r => r.name))
    const shared = tables.has('session_share') ? db.prepare('SELECT url FROM session_share WHERE session_id = ?').get(id) as Row | undefined : undefined
    const partsOf = new Map<unknown, unknown[]>()
    for (const p of db.prepare('SELECT id, message_id, data FROM part WHERE session_id = ? ORDER BY id').iterate(id) as Iterable<Row>) {
      const data = parse(p.data, `part ${String(p.id)}`, problems, file)
      if (data === undefined) continue
      const list = partsOf.get(p.message_id) ?? []
      if (list.length === 0) partsOf.set(p.message_id, list)
      list.push(isObject(data) ? { ...data, id: p.id } : data)
    }
    const messages: OpenCodeSession['messages'] = []
    for (const m of db.prepare('SELECT id, data FROM message WHERE session_id = ? ORDER BY time_created, id').iterate(id) as Iterable<Row>) {
      const data = parse(m.data, `message ${String(m.id)}`, problems, file)
      if (data === undefined) continue
      messages.push({ info: isObject(data) ? { ...data, id: m.id } : data, parts: partsOf.get(m.id) ?? [] })
    }
    const todos = tables.has('todo')
      ? (db.prepare('SELECT content, status, priority FROM todo WHERE session_id = ? ORDER BY position').all(id) as Row[])
      : []
    const session: OpenCodeSession = { info: infoOf(s, shared?.url, problems, file), messages }
    if (todos.length > 0) session.todos = todos
    return { session, problems }
  })
}
