/**
 * Which journal session holds which imported session: (tool, origin id) -> journal id; and
 * which sources were read at which fingerprint, with the origins they held, so an unchanged
 * source is skipped without being read. Kept as a cache in
 * `<root>/imports/<tool>.json` (0600 in a 0700 folder, replaced atomically), never trusted for
 * absence: an origin it does not know is looked for in the logs themselves (each imported log's
 * second event is its `x.import.origin`) before it is taken to be new, so a lost, stale or
 * damaged cache costs one scan of the logs' heads, never a duplicate. One import per tool and
 * root runs at a time (a lock beside the cache), so two cannot both find an origin new.
 */
import path from 'node:path'
import type { CorePorts } from '../core/ports.js'
import { ensurePrivateDir, readTextIfExists, writeFileAtomic } from '../core/files.js'
import { isSessionId } from '../core/ids.js'
import { isNotFound, SessionLockedError } from '../core/errors.js'
import { acquireLock, type Release } from '../core/lock.js'
import type { PeerTool } from './peer.js'

/** The event each imported log carries after its header, and again after each update. */
export const ORIGIN_EVENT = 'x.import.origin'

/** Names a unit across runs: its path, and the session inside it for units that share a file. */
export function unitKey(unit: { path: string, key?: string }): string {
  return unit.key === undefined ? unit.path : `${unit.path}\u0000${unit.key}`
}

export type OriginPorts = Pick<CorePorts, 'root' | 'locate' | 'events' | 'logFiles'>

/** A source read before: its fingerprint then, and the origin ids it held. */
export interface UnitEntry {
  fingerprint: string
  origins: string[]
}

const CACHE_VERSION = 1

export class OriginIndex {
  /** origin id -> journal session id */
  private readonly entries = new Map<string, string>()
  /** unit key (unitKey()) -> what it held */
  private readonly units = new Map<string, UnitEntry>()
  private scanned = false
  private dirty = false
  /** Head reads the last scan made (what a cache miss costs). */
  headsRead = 0

  private release: Release | undefined

  private constructor(private readonly ports: OriginPorts, private readonly tool: PeerTool) {}

  /** ERR_SESSION_LOCKED while another import from `tool` into this root runs. close() when done. */
  static async open(ports: OriginPorts, tool: PeerTool): Promise<OriginIndex> {
    const index = new OriginIndex(ports, tool)
    await ensurePrivateDir(ports.root, 'imports')
    try {
      index.release = await acquireLock(index.file)
    } catch (error) {
      if (!(error instanceof SessionLockedError)) throw error
      throw new SessionLockedError(`another import from ${tool} into this journal is under way (lock ${index.file}.lock)`, { path: index.file, cause: error })
    }
    try {
      const text = await readTextIfExists(index.file)
      if (text !== undefined) index.adopt(text)
    } catch (error) {
      await index.close()
      throw error
    }
    return index
  }

  /** Writes the cache if it changed, and lets go of the lock. */
  async close(): Promise<void> {
    try {
      await this.save()
    } finally {
      await this.release?.()
      this.release = undefined
    }
  }

  get file(): string {
    return path.join(this.ports.root, 'imports', `${this.tool}.json`)
  }

  /** The journal session that holds `originId`, or undefined when it was never imported (or was deleted). */
  async find(originId: string): Promise<string | undefined> {
    const known = this.entries.get(originId)
    if (known !== undefined && await this.exists(known)) return known
    if (known !== undefined) this.forget(originId)
    if (this.scanned) return undefined
    await this.scan()
    return this.entries.get(originId)
  }

  set(originId: string, session: string): void {
    this.entries.set(originId, session)
    this.dirty = true
  }

  /**
   * The origins a unit held when it was last read, if it has not changed since (same
   * fingerprint) and every one of them is still in the journal; else undefined: read it.
   */
  async unchanged(key: string, fingerprint: string): Promise<Array<{ origin: string, session: string }> | undefined> {
    const unit = this.units.get(key)
    if (unit === undefined || unit.fingerprint !== fingerprint) return undefined
    const held: Array<{ origin: string, session: string }> = []
    for (const origin of unit.origins) {
      const session = this.entries.get(origin)
      if (session === undefined || !await this.exists(session)) return undefined
      held.push({ origin, session })
    }
    return held
  }

  setUnit(key: string, unit: UnitEntry): void {
    this.units.set(key, unit)
    this.dirty = true
  }

  /** Writes the cache when something changed. A failure here loses nothing: the logs say the same. */
  private async save(): Promise<void> {
    if (!this.dirty) return
    const origins = [...this.entries].map(([id, session]) => ({ id, session }))
    const units = [...this.units].map(([key, unit]) => ({ key, ...unit }))
    await writeFileAtomic(this.file, `${JSON.stringify({ version: CACHE_VERSION, tool: this.tool, origins, units })}\n`, { mode: 0o600, dirMode: 0o700, sync: false })
    this.dirty = false
  }

  private forget(originId: string): void {
    this.entries.delete(originId)
    this.dirty = true
  }

  /** A cache of another version or shape is ignored whole: the scan rebuilds it. */
  private adopt(text: string): void {
    let doc: unknown
    try {
      doc = JSON.parse(text)
    } catch {
      return
    }
    const d = doc as { version?: unknown, tool?: unknown, origins?: unknown, units?: unknown }
    if (typeof d !== 'object' || d === null || d.version !== CACHE_VERSION || d.tool !== this.tool) return
    if (!Array.isArray(d.origins) || !Array.isArray(d.units)) return
    // Maps, not objects, hold the ids: an origin id such as `__proto__` is just a key.
    for (const o of d.origins as Array<Record<string, unknown> | null>) {
      if (typeof o?.id === 'string' && isSessionId(o.session)) this.entries.set(o.id, o.session)
    }
    for (const u of d.units as Array<Record<string, unknown> | null>) {
      if (typeof u?.key !== 'string' || typeof u.fingerprint !== 'string' || !Array.isArray(u.origins)) continue
      if (!u.origins.every(o => typeof o === 'string')) continue
      this.units.set(u.key, { fingerprint: u.fingerprint, origins: u.origins as string[] })
    }
  }

  private async exists(session: string): Promise<boolean> {
    try {
      await this.ports.locate(session)
      return true
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_SESSION_NOT_FOUND' || isNotFound(error)) return false
      throw error
    }
  }

  /** Every log's first two events: an imported log's are its header and `x.import.origin`. */
  private async scan(): Promise<void> {
    this.scanned = true
    const found = new Map<string, string>()
    for (const project of await this.ports.logFiles()) {
      for (const log of project.logs) {
        const origin = await this.headOrigin(log.id)
        if (origin !== undefined) found.set(origin, log.id)
      }
    }
    for (const [originId, session] of found) if (this.entries.get(originId) !== session) this.set(originId, session)
    for (const [originId, session] of this.entries) if (found.get(originId) !== session) this.forget(originId)
  }

  private async headOrigin(id: string): Promise<string | undefined> {
    this.headsRead++
    let n = 0
    try {
      for await (const event of this.ports.events(id)) {
        if (n++ === 0) continue
        const data = (event as { data?: unknown }).data as { tool?: unknown, id?: unknown } | null | undefined
        const ok = event.type === ORIGIN_EVENT && typeof data === 'object' && data !== null && data.tool === this.tool && typeof data.id === 'string'
        return ok ? data.id as string : undefined
      }
    } catch (error) {
      // Deleted while we walked: nothing to find in it.
      if ((error as { code?: string }).code === 'ERR_SESSION_NOT_FOUND') return undefined
      throw error
    }
    return undefined
  }
}
