/**
 * A session id is unique in the whole root, across processes: before a log is created its id
 * is claimed with a file `<root>/ids/<id>` holding the project id.
 *
 * - A fresh id (create(): a new ULID no one else can have) is claimed with one create-once
 *   file: no lock, no walk.
 * - A given id (import, createLog) is claimed under the id's own lock (`<root>/ids/<id>.lock`,
 *   the writers' lock), held until the log is in place or given up. Under it the claim is
 *   judged without races: a claim whose log exists means ERR_SESSION_EXISTS; a claim whose log
 *   is missing was left by a crash (whoever made it held this lock, and let go or died).
 *
 * A claim is trusted only when its log is there, never for absence: with no claim, or one
 * whose log is gone, the project folders are walked (a root written before claims has none),
 * and a log the walk finds gets its claim then. So claims are an index that heals, and
 * locate() may use them as a hint (locate.ts) while still checking the log.
 */
import fs from 'node:fs/promises'
import fsSync from 'node:fs'
import { SessionExistsError, SessionLockedError } from './errors.js'
import { ensurePrivateDir, writeFileAtomic, writeOnce } from './files.js'
import { acquireLock, type Release } from './lock.js'
import { readClaim, type Locator } from './locate.js'
import type { Layout } from './paths.js'

export interface Claim {
  /** Lets go of the id: with `created` the claim stays (its log is in place), else it is removed. */
  done(created: boolean): Promise<void>
}

export interface ClaimSettings {
  lockStaleMs: number
  lockWaitMs: number
}

export class Claims {
  constructor(private readonly layout: Layout, private readonly locator: Locator, private readonly settings: ClaimSettings) {}

  /** For an id made by newId() here: EEXIST cannot happen short of a broken random source. */
  async fresh(id: string, projectId: string): Promise<Claim> {
    const file = this.layout.claimFile(id)
    await ensurePrivateDir(this.layout.root, 'ids')
    if (!await writeOnce(file, `${projectId}\n`)) throw new SessionExistsError(`session id ${id} is claimed already (${file})`, { id, path: file })
    return { done: async created => { if (!created) await this.drop(id, projectId) } }
  }

  /** ERR_SESSION_EXISTS when a log of `id` is anywhere under the root, or another process is creating one. */
  async take(id: string, projectId: string): Promise<Claim> {
    const file = this.layout.claimFile(id)
    await ensurePrivateDir(this.layout.root, 'ids')
    let release: Release
    try {
      release = await acquireLock(file, { staleMs: this.settings.lockStaleMs, waitMs: this.settings.lockWaitMs, id })
    } catch (error) {
      if (!(error instanceof SessionLockedError)) throw error
      throw new SessionExistsError(`session ${id} is being created by another process (lock ${file}.lock; `
        + 'if that process died, the id is free again once the lock is stale)', { id, path: file, cause: error })
    }
    try {
      const held = readClaim(this.layout, id)
      if (held !== null && fsSync.existsSync(this.layout.sessionFile(held, id))) throw exists(id, this.layout.sessionFile(held, id))
      const found = await this.locator.walk(id) // which writes the claim it found missing or wrong
      if (found) throw exists(id, found.path)
      // A dead import's half log: nobody else imports this id while we hold its lock.
      if (held !== null) await fs.rm(this.layout.stagingFile(held, id), { force: true })
      await writeFileAtomic(file, `${projectId}\n`, { sync: false })
    } catch (error) {
      await release()
      throw error
    }
    return {
      done: async created => {
        try {
          if (!created) await fs.rm(file, { force: true })
        } finally {
          await release()
        }
      },
    }
  }

  /** The claim goes with its log (delete), if it still names that project. */
  async drop(id: string, projectId: string): Promise<void> {
    if (readClaim(this.layout, id) === projectId) await fs.rm(this.layout.claimFile(id), { force: true })
  }
}

function exists(id: string, file: string): SessionExistsError {
  return new SessionExistsError(`session ${id} already exists (${file}); import with a new id to keep both`, { id, path: file })
}
