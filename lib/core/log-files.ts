/**
 * The logs of a root as a walk finds them, reading none: per project, every log with its
 * inode, birth time and size, for plug-ins that keep something per log (search) and must
 * tell which logs changed, like the listing cache does.
 *
 * A stat of every log is the floor of such a check, and on a large root it is most of a
 * warm search. So each project also gets a `mark` (folder-mark.ts): handed back, a mark whose
 * folder is unchanged means only the logs whose writer was live then are stat'ed again.
 */
import fsSync from 'node:fs'
import { isNotFound } from './errors.js'
import { readdirOrEmpty } from './files.js'
import { liveSince, lockedId, markOf, RACY_MS, stampFolder } from './folder-mark.js'
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
  const folder = stampFolder(dir, racyMs)
  if (folder === null) return { projectId, mark: null, complete: true, logs: [] }
  const live = liveSince(mark, folder)
  if (live !== null) return { projectId, mark: mark!, complete: false, logs: live.flatMap(id => statLog(dir, projectId, id) ?? []) }
  const logs: LogFile[] = []
  const writers: string[] = []
  for (const name of readdirOrEmpty(dir)) {
    if (name.endsWith(LOG_SUFFIX)) {
      const log = statLog(dir, projectId, name.slice(0, -LOG_SUFFIX.length))
      if (log) logs.push(log)
    } else {
      const id = lockedId(name)
      if (id !== undefined) writers.push(id)
    }
  }
  return { projectId, mark: markOf(folder, writers), complete: true, logs }
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
