/**
 * Which project a session id belongs to. Ids are global but logs live per project. The id's
 * claim (claims.ts) names the project, but only as a hint: the log must be there, or the
 * project folders are walked, so a root written before claims existed, a claim left by a
 * crash, or a log moved by hand are all found where they really are. Answers are remembered
 * and checked on every use (a session may have been deleted, or imported elsewhere, since).
 *
 * The claims are an index that heals: a walk that finds a log writes its claim, and the first
 * walk of a Locator that finds a log without a true claim (a root from before claims, logs
 * copied in by hand) claims every unclaimed log of the root, once. So finding an id costs one
 * claim read and one probe, whatever the number of projects, from then on; only an id with
 * no log anywhere still costs a walk (absence is never trusted to the index).
 */
import fs from 'node:fs/promises'
import fsSync from 'node:fs'
import { isErrnoException, isNotFound, SessionNotFoundError } from './errors.js'
import { ensurePrivateDir, readdirOrEmpty, writeFileAtomic } from './files.js'
import { assertSessionId, isSessionId } from './ids.js'
import { FILE_MODE, isProjectId, LOG_SUFFIX, type Layout } from './paths.js'

export interface SessionLocation {
  id: string
  projectId: string
  path: string
}

/** The project an id's claim names, or null (no claim, unreadable, or not a project id). */
export function readClaim(layout: Layout, id: string): string | null {
  try {
    const projectId = fsSync.readFileSync(layout.claimFile(id), 'utf8').trim()
    return isProjectId(projectId) ? projectId : null
  } catch {
    return null
  }
}

export class Locator {
  private readonly known = new Map<string, string>()
  private indexed = false

  constructor(private readonly layout: Layout) {}

  /** ERR_INVALID_ID before any path is built; ERR_SESSION_NOT_FOUND when no project has it. */
  async find(id: string): Promise<SessionLocation> {
    assertSessionId(id)
    for (const hint of [this.known.get(id), readClaim(this.layout, id)]) {
      if (!hint) continue
      const file = this.layout.sessionFile(hint, id)
      if (fsSync.existsSync(file)) return { id, projectId: hint, path: file }
    }
    const found = await this.walk(id)
    if (found) return found
    throw new SessionNotFoundError(`no session ${id} under ${this.layout.root}`, { id })
  }

  /** Looks in every project folder, trusting no hint; null when none has the log. The log found gets its claim. */
  async walk(id: string): Promise<SessionLocation | null> {
    let projects: string[] = []
    try {
      projects = await fs.readdir(this.layout.projectsDir)
    } catch (error) {
      if (!isNotFound(error)) throw error
    }
    for (const projectId of projects) {
      if (!isProjectId(projectId)) continue // not a project folder of ours
      const file = this.layout.sessionFile(projectId, id)
      if (fsSync.existsSync(file)) {
        this.known.set(id, projectId)
        await this.heal(id, projectId)
        return { id, projectId, path: file }
      }
    }
    return null
  }

  remember(id: string, projectId: string): void {
    this.known.set(id, projectId)
  }

  forget(id: string): void {
    this.known.delete(id)
  }

  /**
   * The claim a walk found missing or wrong, then (once per Locator) every missing claim of
   * the root. Best effort: the claims are a cache, and a read-only root must still be readable.
   */
  private async heal(id: string, projectId: string): Promise<void> {
    try {
      await ensurePrivateDir(this.layout.root, 'ids')
      // Replaced, not create-once: a claim naming the wrong project must go.
      await writeFileAtomic(this.layout.claimFile(id), `${projectId}\n`, { sync: false })
      if (this.indexed) return
      this.indexed = true
      await claimAll(this.layout)
    } catch {
      // EACCES, EROFS, ENOSPC...: the next walk tries again; nothing is lost but time.
    }
  }
}

/**
 * Claims every log of the root that has no claim; how many it wrote. Create-once, so a creator's claim written
 * meanwhile is never replaced; a log in two projects (copied by hand) keeps the first claim.
 */
export async function claimAll(layout: Layout): Promise<number> {
  const claimed = new Set(readdirOrEmpty(layout.idsDir))
  let written = 0
  for (const projectId of readdirOrEmpty(layout.projectsDir)) {
    if (!isProjectId(projectId)) continue
    for (const name of readdirOrEmpty(layout.sessionsDir(projectId))) {
      const id = name.slice(0, -LOG_SUFFIX.length)
      if (!name.endsWith(LOG_SUFFIX) || !isSessionId(id) || claimed.has(id)) continue
      claimed.add(id)
      if (claimOnce(layout.claimFile(id), projectId)) written++
    }
  }
  return written
}

/**
 * O_EXCL create + one write, synchronously: a rebuild of 10k claims through writeOnce's
 * temp file and link took seconds. A reader catching the file empty sees no claim and walks.
 */
function claimOnce(file: string, projectId: string): boolean {
  let fd: number
  try {
    fd = fsSync.openSync(file, 'wx', FILE_MODE)
  } catch (error) {
    if (isErrnoException(error) && error.code === 'EEXIST') return false
    throw error
  }
  try {
    fsSync.writeSync(fd, `${projectId}\n`)
  } finally {
    fsSync.closeSync(fd)
  }
  return true
}
