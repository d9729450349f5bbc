/**
 * Which project a session id belongs to. Ids are global but logs live per project. The id's
 * claim (claims.ts) names the project, but only as a hint: the log must be there, or the
 * project folders are walked, so a root written before claims existed, a claim left by a
 * crash, or a log moved by hand are all found where they really are. Answers are remembered
 * and checked on every use (a session may have been deleted, or imported elsewhere, since).
 */
import fs from 'node:fs/promises'
import fsSync from 'node:fs'
import { isNotFound, SessionNotFoundError } from './errors.js'
import { assertSessionId } from './ids.js'
import { isProjectId, type Layout } from './paths.js'

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

  /** Looks in every project folder, trusting no hint; null when none has the log. */
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
}
