/**
 * The import driver: another tool's sessions into the journal, idempotent and incremental.
 * The peer finds and reads units (peer.ts); the driver decides, per session, whether it is new
 * (written whole with importLog: all or nothing), known and grown (only the difference is
 * appended, changes.ts), or unchanged (nothing written, usually nothing read: origins.ts
 * remembers each unit's fingerprint). One unit or session that fails never stops the others.
 */
import os from 'node:os'
import path from 'node:path'
import { FORMAT_VERSION } from '../core/event.js'
import { newId } from '../core/ids.js'
import { projectIdOf } from '../core/paths.js'
import type { CorePorts } from '../core/ports.js'
import type { HeaderEvent } from '../core/types.js'
import { changes, lastTime, viewOf } from './changes.js'
import { expand } from './sources.js'
import { checkedEvents, isTime } from './events.js'
import { OriginIndex, ORIGIN_EVENT, unitKey } from './origins.js'
import { failure, type ImportFromResult } from './result.js'
import type { Peer, PeerEvent, PeerSession, PeerUnit } from './peer.js'

export type ImportFromPorts = Pick<CorePorts, 'root' | 'maxLineBytes' | 'locate' | 'events' | 'logFiles' | 'readHistory' | 'importLog' | 'withWriter'>

export interface ImportFromOptions {
  /** The home folder the tool's default location is under (default: os.homedir()). */
  home?: string
  /** The environment the tool's location variables are read from (default: process.env). */
  env?: NodeJS.ProcessEnv
  /** Relative sources and globs start here (default: process.cwd()). */
  cwd?: string
  /** Told before each unit is read, and once more at the end (`done === total`). */
  onProgress?: (progress: ImportProgress) => void
}

export interface ImportProgress {
  done: number
  total: number
  /** The unit about to be read ('' at the end). */
  path: string
}

export type { ImportedSession, ImportFailure, ImportFromResult } from './result.js'

export async function importFrom(ports: ImportFromPorts, peer: Peer, sources: readonly string[] | undefined, options: ImportFromOptions = {}): Promise<ImportFromResult> {
  const paths = sources === undefined
    ? peer.defaultSources(options.home ?? os.homedir(), options.env ?? process.env)
    : await expand(sources, options.cwd ?? process.cwd())
  const units = await peer.discover(paths)
  const index = await OriginIndex.open(ports, peer.tool)
  const run = new Run(ports, peer, index)
  try {
    await run.held(units)
    for (const [done, unit] of units.entries()) {
      options.onProgress?.({ done, total: units.length, path: unit.path })
      await run.unit(unit)
    }
    await run.orphans()
  } finally {
    await index.close()
  }
  options.onProgress?.({ done: units.length, total: units.length, path: '' })
  return run.result
}

/** A unit read in this run, and how many of its sessions still wait for their parent. */
interface UnitState {
  unit: PeerUnit
  key: string
  origins: string[]
  settled: boolean
  pending: number
}

class Run {
  readonly result: ImportFromResult
  /** origin id -> the source it was read from in this run. */
  private readonly read = new Map<string, string>()
  /** Units unchanged since they were last read (held()), with the sessions they hold. */
  private readonly unchanged = new Map<string, Array<{ origin: string, session: string }>>()
  /** Sessions whose parent was not imported yet: tried again after every unit was read. */
  private readonly waiting: Array<{ session: PeerSession, state: UnitState }> = []

  constructor(private readonly ports: ImportFromPorts, private readonly peer: Peer, private readonly index: OriginIndex) {
    this.result = { tool: peer.tool, imported: [], updated: [], skipped: [], failed: [], problems: [] }
  }

  /**
   * Unchanged units first, whatever their order: the sessions they hold are read from them, so
   * an older copy of one elsewhere (a backup, an archived rollout) is left out, never applied
   * over the journal's copy as a change (a revert of what the copy lacks).
   */
  async held(units: readonly PeerUnit[]): Promise<void> {
    for (const unit of units) {
      const held = await this.index.unchanged(unitKey(unit), unit.fingerprint)
      if (held === undefined) continue
      this.unchanged.set(unitKey(unit), held)
      for (const { origin } of held) if (!this.read.has(origin)) this.read.set(origin, unit.path)
    }
  }

  async unit(unit: PeerUnit): Promise<void> {
    const key = unitKey(unit)
    const held = this.unchanged.get(key)
    if (held) {
      for (const { origin, session } of held) this.result.skipped.push({ id: session, originId: origin, path: unit.path, events: 0 })
      return
    }
    let sessions: PeerSession[]
    try {
      sessions = await this.peer.read(unit)
    } catch (error) {
      this.result.failed.push(failure(unit.path, error))
      return
    }
    const state: UnitState = { unit, key, origins: sessions.map(s => s.origin.id), settled: true, pending: 0 }
    for (const session of sessions) {
      if (session.parentOriginId !== null && await this.index.find(session.parentOriginId) === undefined) {
        this.waiting.push({ session, state })
        state.pending++
        continue
      }
      state.settled = await this.session(session, unit) && state.settled
    }
    this.settle(state)
  }

  /** Children whose parent never came: imported without one, and said so. */
  async orphans(): Promise<void> {
    for (const { session, state } of this.waiting) {
      if (session.parentOriginId !== null && await this.index.find(session.parentOriginId) === undefined) {
        this.result.problems.push({ path: session.origin.path, message: `session ${session.origin.id}: its parent ${session.parentOriginId} was not imported; imported without a parent` })
      }
      state.settled = await this.session(session, state.unit) && state.settled
      state.pending--
      this.settle(state)
    }
  }

  /** A unit is remembered once all of it is in as read: a failed or duplicate session is read again next time. */
  private settle(state: UnitState): void {
    if (state.pending === 0 && state.settled) this.index.setUnit(state.key, { fingerprint: state.unit.fingerprint, origins: state.origins })
  }

  /** true when the journal holds the session as read; false when it failed or was left out. */
  private async session(session: PeerSession, unit: PeerUnit): Promise<boolean> {
    const { events, problems } = checkedEvents(session, this.ports.maxLineBytes)
    this.result.problems.push(...session.problems, ...problems)
    // The same session in two sources (a backup beside the original): the first one read is kept,
    // else each would in turn undo the other.
    const first = this.read.get(session.origin.id)
    if (first !== undefined && first !== session.origin.path) {
      this.result.problems.push({ path: session.origin.path, message: `session ${session.origin.id} was read from ${first} already; this copy is left out` })
      return false
    }
    this.read.set(session.origin.id, session.origin.path)
    try {
      const known = await this.index.find(session.origin.id)
      if (known === undefined) await this.create(session, unit, events)
      else await this.update(known, session, unit, events)
      return true
    } catch (error) {
      this.result.failed.push(failure(session.origin.path, error, session.origin.id))
      return false
    }
  }

  private async create(session: PeerSession, unit: PeerUnit, events: PeerEvent[]): Promise<void> {
    const created = isTime(session.created) ? session.created : (events[0]?.ts ?? new Date().toISOString())
    const parentId = session.parentOriginId === null ? null : (await this.index.find(session.parentOriginId)) ?? null
    // A source that does not say where it ran goes under the folder it was read from (docs/import.md).
    const projectPath = path.isAbsolute(session.projectPath) ? session.projectPath : path.dirname(path.resolve(session.origin.path))
    const { version } = session.origin
    const header: Omit<HeaderEvent, 'seq'> = {
      ts: created,
      type: 'session',
      version: FORMAT_VERSION,
      id: newId(),
      projectId: projectIdOf(projectPath),
      projectPath,
      title: typeof session.title === 'string' ? session.title : null,
      parentId,
      host: { name: this.peer.tool, ...(typeof version === 'string' ? { version } : {}) },
    }
    await this.ports.importLog(header, async log => {
      await log.record(originEvent(session, unit), created)
      await log.recordAll(events)
    })
    this.index.set(session.origin.id, header.id)
    this.result.imported.push({ id: header.id, originId: session.origin.id, path: session.origin.path, events: events.length })
  }

  /** Compared outside the lock first, so an unchanged session a host holds is skipped, not failed. */
  private async update(id: string, session: PeerSession, unit: PeerUnit, events: PeerEvent[]): Promise<void> {
    const source = viewOf(session.created, session.title, events)
    const last = lastTime(session.created, events)
    const row = { id, originId: session.origin.id, path: session.origin.path, events: 0 }
    if (changes(await this.ports.readHistory(id), source, last).length === 0) {
      this.result.skipped.push(row)
      return
    }
    row.events = await this.ports.withWriter(id, async log => {
      const appended = changes(await this.ports.readHistory(id), source, last)
      if (appended.length === 0) return 0
      await log.recordAll(appended)
      await log.record(originEvent(session, unit), last)
      return appended.length
    })
    ;(row.events === 0 ? this.result.skipped : this.result.updated).push(row)
  }
}

function originEvent(session: PeerSession, unit: PeerUnit): PeerEvent['body'] {
  const { tool, id, path: file, version } = session.origin
  return { type: ORIGIN_EVENT, data: { tool, id, path: file, version, fingerprint: unit.fingerprint, ...(unit.key === undefined ? {} : { key: unit.key }) } }
}

