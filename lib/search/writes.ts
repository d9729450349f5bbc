/**
 * What a catch-up writes, as plain data: a log's new state and its touched messages, or a
 * log to forget. Reading the logs and folding (main thread) is apart from writing them here,
 * so a large catch-up can write on a worker thread while the next logs are read
 * (write-worker.ts). Each write says which state of the log's row it was read from; a row
 * that changed since (another process caught it up meanwhile) refuses it, so no range of a
 * log is ever indexed twice.
 */
import type { Role } from '../core/types.js'
import type { Db } from './db.js'

/** A log's row in the index: which file, where the last catch-up stopped, and the fold's session-level state. */
export interface LogRow {
  id: number
  project: string
  session: string
  project_path: string
  ino: number
  born: number
  size: number
  offset: number
  lines: number
  last_seq: number
  header: number
  title: string | null
  title_doc: number | null
  next_pos: number
}

export interface MessageWrite {
  /** The row to update, or null for a new message. */
  doc: number | null
  id: string
  position: number
  role: Role
  created: string
  reverted: boolean
  /** Each part's id and text length, as JSON; with `text`, or alone when only the flags changed. */
  spans: string
  text: string | null
}

export interface LogWrite {
  kind: 'log'
  /** The row's state the events were read from (null: the log had no row); any other state refuses the write. */
  from: Pick<LogRow, 'ino' | 'born' | 'offset'> | null
  /** Read from the start: a row the log had (another file's) goes, with its messages. */
  fresh: boolean
  row: Omit<LogRow, 'id' | 'title_doc'>
  /** Messages already in the index from this position on are hidden by a revert. */
  revertedFrom: number | null
  messages: MessageWrite[]
  /** The title set by these events, and when. */
  title: { text: string, ts: string } | null
}

export interface RemoveWrite {
  kind: 'remove'
  project: string
  session: string
}

export type Write = LogWrite | RemoveWrite

/** One transaction: the writes (those whose log changed since they were read are refused), then the marks. Returns the refused indexes. */
export function applyBatch(db: Db, writes: Write[], marks: Array<[string, string]> | null): number[] {
  const st = statements(db)
  const refused: number[] = []
  db.exec('BEGIN IMMEDIATE')
  try {
    writes.forEach((write, i) => {
      if (write.kind === 'remove') removeLog(st, write.project, write.session)
      else if (!applyLog(st, write)) refused.push(i)
    })
    if (marks) {
      st.clearMarks.run()
      for (const [id, mark] of marks) st.insertMark.run(id, mark)
    }
    db.exec('COMMIT')
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK')
    throw error
  }
  return refused
}

function applyLog(st: Statements, w: LogWrite): boolean {
  const current = st.log.get(w.row.project, w.row.session) as LogRow | undefined
  const same = (current === undefined && w.from === null)
    || (current !== undefined && w.from !== null && current.ino === w.from.ino && current.born === w.from.born && current.offset === w.from.offset)
  if (!same) return false
  let id: number
  let titleDoc: number | null
  if (w.fresh || !current) {
    if (current) removeLog(st, current.project, current.session)
    id = Number(st.insertLog.run({ ...w.row, title_doc: null }).lastInsertRowid)
    titleDoc = null
  } else {
    id = current.id
    titleDoc = current.title_doc
  }
  if (w.revertedFrom !== null && !w.fresh) st.revertFrom.run(id, w.revertedFrom)
  for (const m of w.messages) {
    const reverted = m.reverted ? 1 : 0
    if (m.doc === null) {
      const doc = Number(st.insertDoc.run(id, m.id, m.position, m.role, m.created, reverted, m.spans).lastInsertRowid)
      st.insertFts.run(doc, '', m.text ?? '')
    } else {
      st.updateDoc.run(m.role, reverted, m.spans, m.doc)
      if (m.text !== null) st.updateText.run(m.text, m.doc)
    }
  }
  if (w.title) {
    if (titleDoc === null) {
      titleDoc = Number(st.insertDoc.run(id, null, 0, null, w.title.ts, 0, '[]').lastInsertRowid)
      st.insertFts.run(titleDoc, w.title.text, '')
    } else {
      st.updateTitle.run(w.title.text, titleDoc)
      st.titleCreated.run(w.title.ts, titleDoc)
    }
  }
  st.updateLog.run({ ...w.row, id, title_doc: titleDoc })
  return true
}

function removeLog(st: Statements, project: string, session: string): void {
  const row = st.logId.get(project, session) as number | undefined
  if (row === undefined) return
  for (const doc of st.docsOf.all(row)) st.deleteFts.run(doc)
  st.deleteDocs.run(row)
  st.deleteLog.run(row)
}

type Statements = ReturnType<typeof prepare>
const prepared = new WeakMap<Db, Statements>()

function statements(db: Db): Statements {
  let st = prepared.get(db)
  if (!st) prepared.set(db, st = prepare(db))
  return st
}

function prepare(db: Db) {
  return {
    log: db.prepare('SELECT * FROM logs WHERE project = ? AND session = ?'),
    logId: db.prepare('SELECT id FROM logs WHERE project = ? AND session = ?').pluck(),
    insertLog: db.prepare(`INSERT INTO logs (project, session, project_path, ino, born, size, offset, lines, last_seq, header, title, title_doc, next_pos)
      VALUES (@project, @session, @project_path, @ino, @born, @size, @offset, @lines, @last_seq, @header, @title, @title_doc, @next_pos)`),
    updateLog: db.prepare(`UPDATE logs SET project_path = @project_path, ino = @ino, born = @born, size = @size, offset = @offset, lines = @lines,
      last_seq = @last_seq, header = @header, title = @title, title_doc = @title_doc, next_pos = @next_pos WHERE id = @id`),
    revertFrom: db.prepare('UPDATE docs SET reverted = 1 WHERE log = ? AND msg IS NOT NULL AND reverted = 0 AND position >= ?'),
    insertDoc: db.prepare('INSERT INTO docs (log, msg, position, role, created, reverted, spans) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    updateDoc: db.prepare('UPDATE docs SET role = ?, reverted = ?, spans = ? WHERE id = ?'),
    insertFts: db.prepare('INSERT INTO fts (rowid, title, text) VALUES (?, ?, ?)'),
    updateText: db.prepare('UPDATE fts SET text = ? WHERE rowid = ?'),
    updateTitle: db.prepare('UPDATE fts SET title = ? WHERE rowid = ?'),
    titleCreated: db.prepare('UPDATE docs SET created = ? WHERE id = ?'),
    docsOf: db.prepare('SELECT id FROM docs WHERE log = ?').pluck(),
    deleteFts: db.prepare('DELETE FROM fts WHERE rowid = ?'),
    deleteDocs: db.prepare('DELETE FROM docs WHERE log = ?'),
    deleteLog: db.prepare('DELETE FROM logs WHERE id = ?'),
    clearMarks: db.prepare('DELETE FROM projects'),
    insertMark: db.prepare('INSERT INTO projects (id, mark) VALUES (?, ?)'),
  }
}
