/**
 * Which project a session id belongs to. Ids are global but logs live per project, so a
 * lookup walks the project folders once and remembers the answer (checked on every use:
 * a session may have been deleted, or imported elsewhere, since).
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

export class Locator {
  private readonly known = new Map<string, string>()

  constructor(private readonly layout: Layout) {}

  /** ERR_INVALID_ID before any path is built; ERR_SESSION_NOT_FOUND when no project has it. */
  async find(id: string): Promise<SessionLocation> {
    assertSessionId(id)
    const cached = this.known.get(id)
    if (cached) {
      const file = this.layout.sessionFile(cached, id)
      if (fsSync.existsSync(file)) return { id, projectId: cached, path: file }
    }
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
    throw new SessionNotFoundError(`no session ${id} under ${this.layout.root}`, { id })
  }

  remember(id: string, projectId: string): void {
    this.known.set(id, projectId)
  }

  forget(id: string): void {
    this.known.delete(id)
  }
}
