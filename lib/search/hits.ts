/**
 * The ranked hits of a query and their snippets. Ranking is BM25 (the title weighted above a
 * message), the newest first between equal scores. The snippets are computed for the hits
 * kept only: snippet() in the ranked query would run for every match.
 */
import type { Role } from '../core/types.js'
import type { Db } from './db.js'
import type { Filters } from './options.js'

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

export function hits(db: Db, match: string, prefixed: boolean, filters: Filters): SearchHit[] {
  const rows = filters.projectId === undefined && filters.since === undefined && filters.until === undefined && filters.role === undefined
    ? topByRank(db, match, filters) ?? ranked(db, match, filters)
    : ranked(db, match, filters)
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

/** The ranked rows, exactly: each match joined to its message and log for the filters and the tie-break. */
function ranked(db: Db, match: string, filters: Filters): HitRow[] {
  const where = ['fts MATCH @match']
  if (!filters.includeReverted) where.push('d.reverted = 0')
  if (filters.projectId !== undefined) where.push('l.project = @projectId')
  if (filters.since !== undefined) where.push('d.created >= @since')
  if (filters.until !== undefined) where.push('d.created <= @until')
  if (filters.role !== undefined) where.push('d.role = @role')
  const params = { match, limit: filters.limit, projectId: filters.projectId, since: filters.since, until: filters.until, role: filters.role }
  return db.prepare(`SELECT d.id AS doc, l.session, l.project, l.project_path, l.title, d.msg, d.role, d.created, d.reverted,
      bm25(fts, ${WEIGHTS}) AS rank
    FROM fts JOIN docs d ON d.id = fts.rowid JOIN logs l ON l.id = d.log
    WHERE ${where.join(' AND ')}
    ORDER BY rank, d.created DESC, d.id DESC LIMIT @limit`).all(Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined))) as HitRow[]
}

/**
 * Without filters, the FTS table ranks alone (a third faster on a common word: no lookup of
 * each match's message), a few more candidates than needed; they are then joined, reverted
 * ones dropped, and ordered by rank and recency. When the score at the limit is shared past
 * the candidates (short titles often score alike), every match of that score is fetched, so
 * the newest of them win. undefined when too many of them were reverted to fill the limit:
 * the joined ranking is exact then.
 */
function topByRank(db: Db, match: string, filters: Filters): HitRow[] | undefined {
  const take = filters.limit * 2 + 10
  const candidates = db.prepare(`SELECT rowid, bm25(fts, ${WEIGHTS}) FROM fts WHERE fts MATCH ? ORDER BY 2 LIMIT ?`)
    .raw().all(match, take) as Array<[number, number]>
  let rows = detailsOf(db, new Map(candidates), filters)
  if (candidates.length < take) return rows.slice(0, filters.limit) // every match was a candidate
  const last = rows[filters.limit - 1]
  if (last === undefined) return undefined
  if (last.rank === candidates.at(-1)![1]) {
    const tied = db.prepare(`SELECT rowid FROM fts WHERE fts MATCH ? AND bm25(fts, ${WEIGHTS}) = ?`).pluck().all(match, last.rank) as number[]
    rows = [...rows.filter(row => row.rank < last.rank), ...detailsOf(db, new Map(tied.map(id => [id, last.rank])), filters)]
    rows.sort(byRankThenRecency)
    if (rows.length < filters.limit) return undefined // reverted ones among them: what comes after is not known here
  }
  return rows.slice(0, filters.limit)
}

/** The rows of these docs (with their ranks), reverted ones dropped unless asked for, best first. */
function detailsOf(db: Db, ranks: Map<number, number>, filters: Filters): HitRow[] {
  return (db.prepare(`SELECT d.id AS doc, l.session, l.project, l.project_path, l.title, d.msg, d.role, d.created, d.reverted
    FROM docs d JOIN logs l ON l.id = d.log WHERE d.id IN (SELECT value FROM json_each(?))`).all(JSON.stringify([...ranks.keys()])) as HitRow[])
    .filter(row => filters.includeReverted || row.reverted === 0)
    .map(row => ({ ...row, rank: ranks.get(row.doc)! }))
    .sort(byRankThenRecency)
}

/** As the joined ranking orders: rank, then the newer first, then the later row. */
function byRankThenRecency(a: HitRow, b: HitRow): number {
  return a.rank - b.rank || (a.created < b.created ? 1 : a.created > b.created ? -1 : b.doc - a.doc)
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
