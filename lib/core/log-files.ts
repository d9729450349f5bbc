/**
 * The logs of a root as a walk finds them, reading none: per project, every log with its
 * inode, birth time and size, for plug-ins that keep something per log (search) and must
 * tell which logs changed, like the listing cache does.
 *
 * A stat of every log is the floor of such a check, and on a large root it is most of a
 * warm search. So each project also gets a `mark`: its sessions folder's inode and ctime,
 * and which sessions had a writer (a `<id>.ndjson.lock` folder) when it was walked. Handed
 * back, a mark whose folder is unchanged means no log was created, deleted, replaced, and no
 * writer came or went (each makes or removes an entry in that folder, which moves its ctime,
 * a time no tool can set back). Logs only grow while a writer holds them, so only the logs
 * whose writer was live then are stat'ed again. A folder changed in the last few seconds
 * gets no mark: a change within the same timestamp tick could not be told apart. What a
 * mark cannot see is a log appended by something that takes no lock (an editor).
 */
import fsSync from 'node:fs'
import { isNotFound } from './errors.js'
import { readdirOrEmpty } from './files.js'
import { isSessionId } from './ids.js'
import { isProjectId, LOG_SUFFIX, type Layout } from './paths.js'

/** A session log as found on disk. */
export interface LogFile {
  id: string
  projectId: string
  path: string
  /** Which file it is: a log deleted and made again has another inode or birth time. */
  ino: number
  born: number
  size: number
}

/** One project's logs, from a walk. */
export interface ProjectLogs {
  projectId: string
  /** Hand it back to the next walk (opaque). null: the folder changed too recently to be trusted next time. */
  mark: string | null
  /**
   * true: `logs` is every log of the project. false: the project is as the mark handed in
   * left it, and `logs` holds only the logs a writer held then (the only ones that can grow).
   */
  complete: boolean
  logs: LogFile[]
}

const LOCK_SUFFIX = `${LOG_SUFFIX}.lock`
/** File system timestamps move in ticks (a jiffy on Linux, 1-2 s on some file systems). */
const RACY_MS = 3000

/** `racyMs` is for tests: how recent a folder change may be and still get a mark. */
export async function walkLogs(layout: Layout, marks: ReadonlyMap<string, string> = new Map(), racyMs = RACY_MS): Promise<ProjectLogs[]> {
  const projects: ProjectLogs[] = []
  let sinceYield = 0
  for (const projectId of readdirOrEmpty(layout.projectsDir)) {
    if (!isProjectId(projectId)) continue
    projects.push(walkProject(layout, projectId, marks.get(projectId), racyMs))
    // Synchronous calls for speed (as list.ts); give the event loop a turn now and then.
    if (++sinceYield === 64) {
      sinceYield = 0
      await new Promise(resolve => setImmediate(resolve))
    }
  }
  return projects
}

function walkProject(layout: Layout, projectId: string, mark: string | undefined, racyMs: number): ProjectLogs {
  const dir = layout.sessionsDir(projectId)
  let folder: fsSync.BigIntStats
  try {
    // Before the readdir: a change after this stat moves the ctime past the one kept.
    folder = fsSync.statSync(dir, { bigint: true })
  } catch (error) {
    if (isNotFound(error)) return { projectId, mark: null, complete: true, logs: [] }
    throw error
  }
  if (!folder.isDirectory()) return { projectId, mark: null, complete: true, logs: [] }
  const stamp = `${folder.ino}:${folder.ctimeNs}`
  if (mark !== undefined) {
    const [kept, ...live] = mark.split(' ')
    if (kept === stamp) return { projectId, mark, complete: false, logs: live.flatMap(id => statLog(dir, projectId, id) ?? []) }
  }
  const logs: LogFile[] = []
  const live: string[] = []
  for (const name of readdirOrEmpty(dir)) {
    if (name.endsWith(LOG_SUFFIX)) {
      const log = statLog(dir, projectId, name.slice(0, -LOG_SUFFIX.length))
      if (log) logs.push(log)
    } else if (name.endsWith(LOCK_SUFFIX)) {
      const id = name.slice(0, -LOCK_SUFFIX.length)
      if (isSessionId(id)) live.push(id)
    }
  }
  const racy = Date.now() - Number(folder.ctimeNs / 1_000_000n) < racyMs
  return { projectId, mark: racy ? null : [stamp, ...live].join(' '), complete: true, logs }
}

function statLog(dir: string, projectId: string, id: string): LogFile | null {
  if (!isSessionId(id)) return null
  const file = `${dir}/${id}${LOG_SUFFIX}`
  try {
    const stat = fsSync.statSync(file)
    return stat.isFile() ? { id, projectId, path: file, ino: stat.ino, born: stat.birthtimeMs, size: stat.size } : null
  } catch (error) {
    if (isNotFound(error)) return null // deleted while we walked
    throw error
  }
}
