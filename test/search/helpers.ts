/** Shared by the search suites: a journal in a temp root, sessions with chosen times, the index opened directly. */
import type { TestContext } from 'node:test'
import path from 'node:path'
import Database from 'better-sqlite3'
import { tempDir } from '../helpers.js'
import assert from 'node:assert/strict'
import { Journal, type SearchHit } from '../../lib/index.js'
import type { OpenSession } from '../../lib/core/session.js'
import type { Part, Role } from '../../lib/core/types.js'
import { clean, messageText } from '../../lib/search/text.js'

export function setup(t: TestContext) {
  const dir = tempDir(t, 'sj-search-')
  const root = path.join(dir, 'root')
  return { dir, root, j: new Journal({ root, fsync: 'never' }) }
}

/** A time on 2024-01-01 (UTC), `n` seconds in: events stamped with it sort and filter predictably. */
export const at = (n: number) => new Date(Date.UTC(2024, 0, 1, 0, 0, n)).toISOString()

/** Appends a message stamped `ts` (the public API stamps now). */
export function messageAt(s: OpenSession, ts: string, id: string, role: Role, parts: Array<Partial<Part> & { type: string }>): Promise<void> {
  return s.record({ type: 'message', id, role, parts: parts.map((p, i) => ({ id: p.id ?? `p${i}`, ...p })) }, ts)
}

/** The index file, opened beside the journal's connection (WAL: readers never wait). */
export function openIndex(root: string, options: { readonly?: boolean } = { readonly: true }): Database.Database {
  return new Database(path.join(root, 'search', 'index.sqlite'), options)
}

/** Hits as `sessionTitle/messageId` strings, best first: what a ranking assertion compares. */
export function order(hits: SearchHit[]): string[] {
  return hits.map(h => `${h.title ?? ''}/${h.messageId ?? 'title'}`)
}

/** The highlighted words of a hit, as they read in its snippet. */
export function marked(hit: SearchHit): string[] {
  return hit.highlights.map(([from, to]) => hit.snippet.slice(from, to))
}

/** Asserts the index holds what read() folds of the session: visible messages in order, with role, time and text; the title. */
export async function assertIndexedAsFolded(root: string, journal: Journal, sessionId: string): Promise<void> {
  const history = await journal.read(sessionId)
  const db = openIndex(root)
  try {
    const log = db.prepare('SELECT id, title FROM logs WHERE session = ?').get(sessionId) as { id: number, title: string | null }
    const rows = db.prepare(`SELECT d.msg AS id, d.role, d.created, f.text FROM docs d JOIN fts f ON f.rowid = d.id
      WHERE d.log = ? AND d.msg IS NOT NULL AND d.reverted = 0 ORDER BY d.position`).all(log.id)
    assert.deepEqual(rows, history.messages.map(m => ({ id: m.id, role: m.role, created: m.created, text: messageText(m.parts) })))
    assert.equal(log.title, history.info.title === null ? null : clean(history.info.title))
  } finally {
    db.close()
  }
}
