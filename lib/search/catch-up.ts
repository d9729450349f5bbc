/**
 * Brings the index up to date at search time, the way the listing cache is: a walk of the
 * logs (inode, birth time, size, reading none; projects unchanged since their mark are not
 * walked again, see core/log-files.ts), compared with what the index saw. A log that grew is
 * read from where the index stopped; one replaced (another inode or birth time, or shorter)
 * is indexed again from the start; one that is gone leaves the index, so a deleted session
 * stops being found at once. Writers never wait for any of this: search only reads logs.
 *
 * Logs are read in batches of about BATCH_BYTES, a few at a time, each folded in memory
 * (log-index.ts) into one write per log (writes.ts), and each batch is applied in one
 * BEGIN IMMEDIATE transaction that refuses a write whose log another process caught up
 * meanwhile: no range is indexed twice, and no lock is held while logs are read.
 */
import type { LogFile } from '../core/log-files.js'
import type { CorePorts } from '../core/ports.js'
import type { Db, IndexFile } from './db.js'
import { LogIndex } from './log-index.js'
import { inlineWriter, workerWriter, type Writer } from './writer.js'
import type { LogRow, Write } from './writes.js'

export type CatchUpPorts = Pick<CorePorts, 'projectPathOf' | 'logFiles' | 'scanFrom'>

/** Log bytes per batch: bounds what is held in memory and how long other searchers wait for the lock. */
const BATCH_BYTES = 16 * 1024 * 1024
/** Logs read at once: enough to keep the thread pool busy while the main thread parses. */
const READERS = 4
/** A catch-up this large writes on a worker thread (a first build); smaller ones are not worth starting it. */
export const WORKER_BYTES = 64 * 1024 * 1024

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

/** A log to read: from its row (`from`), or from the start (`from` null; `replaced`: the row of the file it replaced). */
interface Plan {
  log: LogFile
  from: LogRow | null
  replaced: LogRow | null
}

/** Returns true when it wrote to the index. */
export async function catchUp(db: Db, index: IndexFile, known: Known, ports: CatchUpPorts, workerBytes = WORKER_BYTES): Promise<boolean> {
  const walk = await ports.logFiles(known.marks)
  const scans: LogFile[] = []
  const removes: Write[] = []
  const present = new Set<string>()
  let bytes = 0
  for (const project of walk) {
    present.add(project.projectId)
    const rows = known.logs.get(project.projectId)
    for (const log of project.logs) {
      const row = rows?.get(log.id)
      if (row && row.ino === log.ino && row.born === log.born && row.size === log.size) continue
      scans.push(log)
      bytes += row && row.ino === log.ino && row.born === log.born ? Math.max(0, log.size - row.size) : log.size
    }
    if (project.complete && rows) {
      const ids = new Set(project.logs.map(log => log.id))
      for (const session of rows.keys()) if (!ids.has(session)) removes.push({ kind: 'remove', project: project.projectId, session })
    }
  }
  for (const [project, rows] of known.logs) {
    if (!present.has(project)) for (const session of rows.keys()) removes.push({ kind: 'remove', project, session })
  }
  const marks = new Map(walk.flatMap(p => (p.mark === null ? [] : [[p.projectId, p.mark] as [string, string]])))
  const marksChanged = marks.size !== known.marks.size || [...marks].some(([id, mark]) => known.marks.get(id) !== mark)
  if (scans.length === 0 && removes.length === 0 && !marksChanged) return false

  // Projects with a log not brought up to date (unreadable, or refused) keep no mark: walked again next time.
  const unsettled = new Set<string>()
  const writer: Writer = bytes > workerBytes ? await workerWriter(index) : inlineWriter(db)
  try {
    let applying: Promise<void> = Promise.resolve()
    let first = true
    for (let next = 0; first || next < scans.length; first = false) {
      const batch: Write[] = first ? removes : []
      const owners: string[] = batch.map(w => (w.kind === 'remove' ? w.project : ''))
      const plans: Plan[] = []
      for (let size = 0; next < scans.length && size < BATCH_BYTES; next++) {
        const plan = planOf(db, scans[next]!)
        if (!plan) continue
        plans.push(plan)
        size += plan.log.size - (plan.from?.offset ?? 0)
      }
      await readAll(db, plans, ports, (plan, write) => {
        if (write) batch.push(write)
        else batch.push({ kind: 'remove', project: plan.log.projectId, session: plan.log.id }) // deleted since the walk
        owners.push(plan.log.projectId)
      }, plan => unsettled.add(plan.log.projectId))
      // The previous batch was being written while these logs were read.
      await applying
      applying = writer.apply(batch, null).then(refused => { for (const i of refused) unsettled.add(owners[i]!) })
      applying.catch(() => {}) // awaited above or below; never an unhandled rejection meanwhile
    }
    await applying
    for (const id of unsettled) marks.delete(id)
    await writer.apply([], [...marks])
  } finally {
    await writer.close()
  }
  return true
}

const START = { offset: 0, lines: 0, lastSeq: -1 }

/** Where to read a log from, by its row as it is now (the known one may be older); null when it is up to date. */
function planOf(db: Db, log: LogFile): Plan | null {
  const row = db.prepare('SELECT * FROM logs WHERE project = ? AND session = ?').get(log.projectId, log.id) as LogRow | undefined
  const same = row !== undefined && row.ino === log.ino && row.born === log.born && row.offset <= log.size
  if (same && row.size === log.size) return null
  return same ? { log, from: row, replaced: null } : { log, from: null, replaced: row ?? null }
}

/**
 * Reads the plans' logs a few at a time (file reads overlap with parsing), each folded into
 * its own LogIndex as the batches come. `done` gets each log's write (null: the log is gone);
 * `unreadable` the logs that could not be read (kept as they are in the index).
 */
async function readAll(db: Db, plans: Plan[], ports: CatchUpPorts, done: (plan: Plan, write: Write | null) => void,
  unreadable: (plan: Plan) => void): Promise<void> {
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
      const { log, from } = plan
      const start = { project: log.projectId, session: log.id, project_path: projectPath(log.projectId), ino: log.ino, born: log.born,
        size: 0, offset: 0, lines: 0, last_seq: -1, header: 0, title: null, next_pos: 1 }
      const logIndex = new LogIndex(db, from, start, plan.replaced)
      try {
        const position = from ? { offset: from.offset, lines: from.lines, lastSeq: from.last_seq } : START
        const state = await ports.scanFrom(log, position, events => { for (const event of events) logIndex.push(event) })
        done(plan, logIndex.result(state.position, log.size))
      } catch (error) {
        const code = (error as { code?: unknown } | null)?.code
        if (typeof code !== 'string' || code.startsWith('SQLITE')) failure ??= { error } // a bug or the index: stop
        else if (code === 'ERR_SESSION_NOT_FOUND' || code === 'ENOENT') done(plan, null)
        else unreadable(plan)
      }
    }
  }
  await Promise.all(Array.from({ length: READERS }, reader))
  if (failure) throw failure.error
}
