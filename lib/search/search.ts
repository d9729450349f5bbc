/**
 * Search, the plug-in: ranked full-text search over every session, on SQLite FTS5. It sees
 * the core through SearchPorts only; its index (db.ts) is its own cache under the root,
 * brought up to date from the logs at each search (catch-up.ts). docs/search.md has the
 * query language, what is indexed and the limits.
 */
import type { CorePorts } from '../core/ports.js'
import type { Role } from '../core/types.js'
import { catchUp, dataVersion, loadKnown, type Known } from './catch-up.js'
import { isDamage, isMoved, isStale, openIndex, removeIndex, type Db, type IndexFile } from './db.js'
import { filtersOf, type Filters, type SearchOptions } from './options.js'
import { parseQuery, toMatch } from './query.js'

export type { SearchOptions } from './options.js'

export type SearchPorts = Pick<CorePorts, 'root' | 'projectPathOf' | 'logFiles' | 'scanFrom'>

/** One place a query matched: a message, or a session's title (then `messageId` and `role` are null). */
export interface SearchHit {
  sessionId: string
  projectId: string
  projectPath: string
  /** The session's title now (control characters as spaces, like the snippet). */
  title: string | null
  messageId: string | null
  role: Role | null
  /** When the message was first written (for a title hit: when the title was set). */
  created: string
  /** A few words around the match, on one line, control characters removed. */
  snippet: string
  /** [start, end) of each matched word in `snippet` (UTF-16 offsets, as String#slice takes them). */
  highlights: Array<[number, number]>
  /** Relevance: higher is better (BM25, a title match weighs more than a message's). */
  score: number
  /** The message is hidden by a revert (only with `includeReverted`). */
  reverted: boolean
}

/** BM25 weights of the FTS columns (title, text): a word in the title says more about a session. */
const WEIGHTS = '10.0, 1.0'
const SNIPPET_TOKENS = 24
const MARK_START = '\u0001'
const MARK_END = '\u0002'

export class Search {
  private index: IndexFile | undefined
  private known: Known | undefined
  /** One search at a time per journal: a catch-up's transaction spans awaits on one connection. */
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

interface HitRow {
  doc: number
  session: string
  project: string
  project_path: string
  title: string | null
  msg: string | null
  role: Role | null
  created: string
  reverted: number
  rank: number
}

function hits(db: Db, match: string, prefixed: boolean, filters: Filters): SearchHit[] {
  const where = ['fts MATCH @match']
  if (!filters.includeReverted) where.push('d.reverted = 0')
  if (filters.projectId !== undefined) where.push('l.project = @projectId')
  if (filters.since !== undefined) where.push('d.created >= @since')
  if (filters.until !== undefined) where.push('d.created <= @until')
  if (filters.role !== undefined) where.push('d.role = @role')
  const params = { match, limit: filters.limit, projectId: filters.projectId, since: filters.since, until: filters.until, role: filters.role }
  // The snippets apart, for the hits kept only: snippet() in the ranked query would run for every match.
  const rows = db.prepare(`SELECT d.id AS doc, l.session, l.project, l.project_path, l.title, d.msg, d.role, d.created, d.reverted,
      bm25(fts, ${WEIGHTS}) AS rank
    FROM fts JOIN docs d ON d.id = fts.rowid JOIN logs l ON l.id = d.log
    WHERE ${where.join(' AND ')}
    ORDER BY rank, d.created DESC, d.id DESC LIMIT @limit`).all(Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined))) as HitRow[]
  const snippets = snippetsOf(db, match, prefixed, rows.map(row => row.doc))
  return rows.map(row => ({
    sessionId: row.session,
    projectId: row.project,
    projectPath: row.project_path,
    title: row.title,
    messageId: row.msg,
    role: row.role,
    created: row.created,
    ...highlighted(snippets.get(row.doc) ?? ''),
    score: -row.rank,
    reverted: row.reverted === 1,
  }))
}

/**
 * The hits' snippets (with the matches between U+0001 and U+0002). One lookup per hit is
 * cheapest for words and phrases; a prefix query would set its prefix up again for each
 * (88 ms for 20 hits of a common prefix on 10,000 sessions), so it gets one pass over the
 * matches that computes the snippets of the hits only (7 ms).
 */
function snippetsOf(db: Db, match: string, prefixed: boolean, docs: number[]): Map<number, string> {
  const snippet = `snippet(fts, -1, char(1), char(2), '…', ${SNIPPET_TOKENS})`
  if (docs.length === 0) return new Map()
  if (prefixed) {
    return new Map(db.prepare(`SELECT rowid, ${snippet} FROM fts WHERE fts MATCH ?
      AND rowid BETWEEN CAST(? AS INTEGER) AND CAST(? AS INTEGER) AND +rowid IN (SELECT value FROM json_each(?))`)
      .raw().all(match, Math.min(...docs), Math.max(...docs), JSON.stringify(docs)) as Array<[number, string]>)
  }
  // CAST: better-sqlite3 binds numbers as REAL, and FTS5 drops a REAL rowid constraint next to MATCH (every match came back).
  const one = db.prepare(`SELECT ${snippet} FROM fts WHERE fts MATCH ? AND rowid = CAST(? AS INTEGER)`).pluck()
  return new Map(docs.map(doc => [doc, one.get(match, doc) as string]))
}

/** The snippet without its markers, and where they were. Indexed text holds no control characters (text.ts). */
export function highlighted(marked: string): { snippet: string, highlights: Array<[number, number]> } {
  let snippet = ''
  const highlights: Array<[number, number]> = []
  let start = -1
  for (const piece of marked.split(/([\u0001\u0002])/)) {
    if (piece === MARK_START) start = snippet.length
    else if (piece === MARK_END) {
      if (start !== -1 && start < snippet.length) highlights.push([start, snippet.length])
      start = -1
    } else snippet += piece
  }
  return { snippet: snippet.trimEnd(), highlights }
}
