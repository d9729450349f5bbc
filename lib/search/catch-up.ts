/**
 * Brings the index up to date at search time, the way the listing cache is: a walk of the
 * logs (inode, birth time, size, reading none; projects unchanged since their mark are not
 * walked again, see core/log-files.ts), compared with what the index saw. A log that grew is
 * read from where the index stopped; one replaced (another inode or birth time, or shorter)
 * is indexed again from the start; one that is gone leaves the index, so a deleted session
 * stops being found at once. Writers never wait for any of this: search only reads logs.
 *
 * Writes happen in BEGIN IMMEDIATE transactions, each log's position read again inside, so
 * two processes catching up at once never index a range twice; a transaction ends after
 * about BATCH_BYTES of logs, so a first build never holds the lock for long.
 */
import type { LogFile, ProjectLogs } from '../core/log-files.js'
import type { CorePorts } from '../core/ports.js'
import type { Db } from './db.js'
import { LogIndex, type LogRow } from './log-index.js'

export type CatchUpPorts = Pick<CorePorts, 'projectPathOf' | 'logFiles' | 'scanFrom'>

/** Log bytes read per transaction: bounds the events held in memory and how long other searchers wait. */
const BATCH_BYTES = 16 * 1024 * 1024
/** Logs read at once: enough to keep the thread pool busy while the main thread parses. */
const READERS = 4

/**
 * What the index knew at its last look, kept between searches while no other process writes.
 * Logs are known by project and session id, not by path: the same root reached by another
 * path (a link) is the same index.
 */
export interface Known {
  version: number
  logs: Map<string, Map<string, Pick<LogRow, 'id' | 'ino' | 'born' | 'size'>>>
  marks: Map<string, string>
}

export function loadKnown(db: Db): Known {
  const logs: Known['logs'] = new Map()
  const rows = db.prepare('SELECT id, project, session, ino, born, size FROM logs').all() as Array<Pick<LogRow, 'id' | 'project' | 'session' | 'ino' | 'born' | 'size'>>
  for (const { project, session, ...row } of rows) {
    let inProject = logs.get(project)
    if (!inProject) logs.set(project, inProject = new Map())
    inProject.set(session, row)
  }
  const marks = new Map(db.prepare('SELECT id, mark FROM projects').raw().all() as Array<[string, string]>)
  return { version: dataVersion(db), logs, marks }
}

/** Changes when another connection commits (never for our own commits). */
export function dataVersion(db: Db): number {
  return db.pragma('data_version', { simple: true }) as number
}

type Work = { kind: 'scan', log: LogFile } | { kind: 'remove', project: string, session: string }

/** A log to read under the write lock: from where the index stopped, or from the start (`row` null). */
interface Plan {
  log: LogFile
  row: LogRow | null
}

/** Returns true when it wrote to the index. */
export async function catchUp(db: Db, known: Known, ports: CatchUpPorts): Promise<boolean> {
  const walk = await ports.logFiles(known.marks)
  const work: Work[] = []
  const present = new Set<string>()
  for (const project of walk) {
    present.add(project.projectId)
    const rows = known.logs.get(project.projectId)
    for (const log of project.logs) {
      const row = rows?.get(log.id)
      if (!row || row.ino !== log.ino || row.born !== log.born || row.size !== log.size) work.push({ kind: 'scan', log })
    }
    if (project.complete && rows) {
      const ids = new Set(project.logs.map(log => log.id))
      for (const session of rows.keys()) if (!ids.has(session)) work.push({ kind: 'remove', project: project.projectId, session })
    }
  }
  for (const [projectId, rows] of known.logs) {
    if (!present.has(projectId)) for (const session of rows.keys()) work.push({ kind: 'remove', project: projectId, session })
  }
  const marks = marksToKeep(walk)
  const marksChanged = marks.size !== known.marks.size || [...marks].some(([id, mark]) => known.marks.get(id) !== mark)
  if (work.length === 0 && !marksChanged) return false

  const st = statements(db)
  const unsettled = new Set<string>()
  let next = 0
  do {
    await transaction(db, async () => {
      const plans: Plan[] = []
      let bytes = 0
      while (next < work.length && bytes < BATCH_BYTES) {
        const item = work[next++]!
        if (item.kind === 'remove') { removeLog(st, item.project, item.session); continue }
        // Read again under the write lock: another process may have done this log meanwhile.
        const row = st.log.get(item.log.projectId, item.log.id) as LogRow | undefined
        const same = row !== undefined && row.ino === item.log.ino && row.born === item.log.born && row.offset <= item.log.size
        if (same && row.size === item.log.size) continue
        plans.push({ log: item.log, row: same ? row : null })
        bytes += item.log.size - (same ? row.offset : 0)
      }
      await readAll(db, st, plans, ports, unsettled)
      if (next === work.length) {
        // Marks last, and only for projects whose every log was brought up to date.
        for (const id of unsettled) marks.delete(id)
        st.clearMarks.run()
        for (const [id, mark] of marks) st.insertMark.run(id, mark)
      }
    })
  } while (next < work.length)
  return true
}

function marksToKeep(walk: ProjectLogs[]): Map<string, string> {
  const marks = new Map<string, string>()
  for (const project of walk) if (project.mark !== null) marks.set(project.projectId, project.mark)
  return marks
}

/**
 * Reads the plans' logs a few at a time (file reads overlap with parsing), each into its own
 * LogIndex as the batches come, writing it when its read is done. No SAVEPOINT per log:
 * FTS5 flushes its pending terms to disk at every savepoint, which made a first build several
 * times slower; a log that fails to read has written nothing, so there is nothing to undo.
 */
async function readAll(db: Db, st: Statements, plans: Plan[], ports: CatchUpPorts, unsettled: Set<string>): Promise<void> {
  let next = 0
  let failure: { error: unknown } | undefined
  const projectPaths = new Map<string, string>()
  const projectPath = (projectId: string) => {
    let found = projectPaths.get(projectId)
    if (found === undefined) projectPaths.set(projectId, found = ports.projectPathOf(projectId) ?? '')
    return found
  }
  const reader = async () => {
    while (next < plans.length && !failure) {
      const plan = plans[next++]!
      const row = plan.row ?? newRow(plan.log, projectPath(plan.log.projectId))
      const logIndex = new LogIndex(db, row, plan.row === null)
      const from = plan.row ? { offset: row.offset, lines: row.lines, lastSeq: row.last_seq } : { offset: 0, lines: 0, lastSeq: -1 }
      try {
        const { position } = await ports.scanFrom(plan.log, from, events => { for (const event of events) logIndex.push(event) })
        if (failure) return // the transaction is being rolled back: write nothing more
        logIndex.flush(position, plan.log.size, plan.row ? row.id : insertRow(st, row))
      } catch (error) {
        if (!failed(st, plan.log, error, unsettled)) failure ??= { error }
      }
    }
  }
  await Promise.all(Array.from({ length: READERS }, reader))
  if (failure) throw failure.error
}

/** The row of a log new to the index; `projectPath` until its header says (as the fold's defaults). */
function newRow(log: LogFile, projectPath: string): LogRow {
  return { id: 0, project: log.projectId, session: log.id, project_path: projectPath,
    ino: log.ino, born: log.born, size: 0, offset: 0, lines: 0, last_seq: -1, header: 0, title: null, title_doc: null, next_pos: 1 }
}

/** A fresh row for the log, replacing (with its entries) any the log had. */
function insertRow(st: Statements, row: LogRow): number {
  removeLog(st, row.project, row.session)
  const { id: _id, ...values } = row
  return Number(st.insertLog.run(values).lastInsertRowid)
}

/** A log whose read failed: true when handled (deleted since the walk: it leaves the index; unreadable: kept, walked again next time). */
function failed(st: Statements, log: LogFile, error: unknown, unsettled: Set<string>): boolean {
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code !== 'string' || code.startsWith('SQLITE')) return false
  if (code === 'ERR_SESSION_NOT_FOUND' || code === 'ENOENT') removeLog(st, log.projectId, log.id)
  else unsettled.add(log.projectId)
  return true
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
    insertLog: db.prepare(`INSERT INTO logs (session, project, project_path, ino, born, size, offset, lines, last_seq, header, title, title_doc, next_pos)
      VALUES (@session, @project, @project_path, @ino, @born, @size, @offset, @lines, @last_seq, @header, @title, @title_doc, @next_pos)`),
    docsOf: db.prepare('SELECT id FROM docs WHERE log = ?').pluck(),
    deleteFts: db.prepare('DELETE FROM fts WHERE rowid = ?'),
    deleteDocs: db.prepare('DELETE FROM docs WHERE log = ?'),
    deleteLog: db.prepare('DELETE FROM logs WHERE id = ?'),
    clearMarks: db.prepare('DELETE FROM projects'),
    insertMark: db.prepare('INSERT INTO projects (id, mark) VALUES (?, ?)'),
  }
}

function removeLog(st: Statements, project: string, session: string): void {
  const row = st.logId.get(project, session) as number | undefined
  if (row === undefined) return
  for (const doc of st.docsOf.all(row)) st.deleteFts.run(doc)
  st.deleteDocs.run(row)
  st.deleteLog.run(row)
}

async function transaction(db: Db, fn: () => Promise<void>): Promise<void> {
  db.exec('BEGIN IMMEDIATE')
  try {
    await fn()
    db.exec('COMMIT')
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK')
    throw error
  }
}
