/**
 * The logs of one root: where sessions are created, found, opened, read, followed, verified
 * and deleted. This is the core's one face toward the Journal and the plug-ins (CorePorts);
 * it formats nothing and knows no feature. Sessions it opens are announced to plug-ins
 * through onSessionOpened, which is how sharing keeps a shared session in sync.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { Appender, type Durability } from './appender.js'
import { Claims } from './claims.js'
import { createClaimed, importStaged, newHeader, type CreateOptions, type Making } from './create.js'
import { LogFollower, type FollowOptions } from './follow.js'
import { HistoryReader } from './history.js'
import { listSessions, type SessionRow, type UsageCollector } from './list.js'
import { rowFilter, type ListOptions } from './list-filter.js'
import { Locator, type SessionLocation } from './locate.js'
import { openLogFile, type LogFileSettings, type OpenLog } from './log-file.js'
import { walkLogs, type LogFile, type ProjectLogs } from './log-files.js'
import { acquireLock, isLocked } from './lock.js'
import { auditPermissions, type PermissionWarning } from './permissions.js'
import { Layout, projectIdOf } from './paths.js'
import type { CorePorts, OpenedListener, SessionOrigin } from './ports.js'
import { readProjectPath } from './projects.js'
import { readEvents, scanLog, type ReadOptions, type ScanPosition, type ScanState } from './reader.js'
import { OpenSession } from './session.js'
import type { HeaderEvent, JournalEvent } from './types.js'
import type { WriterIO } from './writer-io.js'
import { verifySession, type VerifyOptions, type VerifyReport } from './verify.js'

export interface LogStoreSettings {
  root: string
  fsync: Durability
  batchMs: number
  maxLineBytes: number
  lockStaleMs: number
  lockWaitMs: number
  io: WriterIO
}

export type { CreateOptions } from './create.js'
export type { ListOptions } from './list-filter.js'

export class LogStore implements CorePorts {
  readonly root: string
  readonly maxLineBytes: number
  private readonly layout: Layout
  private readonly locator: Locator
  private readonly making: Making
  private readonly logFile: LogFileSettings
  /** Sessions held open here, so plug-ins append through them instead of contending for the lock. */
  private readonly open = new Map<string, OpenSession>()
  private readonly openedListeners: OpenedListener[] = []

  constructor(private readonly settings: LogStoreSettings) {
    this.root = settings.root
    this.maxLineBytes = settings.maxLineBytes
    this.layout = new Layout(settings.root)
    this.locator = new Locator(this.layout)
    const { fsync, maxLineBytes, lockStaleMs, lockWaitMs } = settings
    this.logFile = { sync: fsync !== 'never', maxLineBytes, lockStaleMs, lockWaitMs }
    this.making = { layout: this.layout, claims: new Claims(this.layout, this.locator, { lockStaleMs, lockWaitMs }), settings: this.logFile }
  }

  async create(options: CreateOptions): Promise<OpenSession> {
    const header = newHeader(options)
    const session = this.hold(await createClaimed(this.making, header, true))
    this.locator.remember(header.id, header.projectId)
    await this.announce(session, { created: true, parentId: header.parentId })
    return session
  }

  /** ERR_SESSION_EXISTS when the id is taken anywhere under the root (claims.ts). */
  async createLog(header: Omit<HeaderEvent, 'seq'>): Promise<OpenSession> {
    const session = this.hold(await createClaimed(this.making, header, false))
    this.locator.remember(header.id, header.projectId)
    return session
  }

  /** A whole log, visible only once complete (create.ts). Not held in `open`: it does not exist yet. */
  async importLog(header: Omit<HeaderEvent, 'seq'>, fill: (session: OpenSession) => Promise<void>): Promise<void> {
    await importStaged(this.making, header, log => this.session(log), fill)
    this.locator.remember(header.id, header.projectId)
  }

  /** Opens an existing session for appending; seq goes on where it stopped. Reads only head and tail. */
  async resume(id: string): Promise<OpenSession> {
    const { log, first } = await openLogFile(this.layout, await this.locate(id), this.logFile)
    const session = this.hold(log)
    try {
      for (const body of first) await session.record(body)
      await this.announce(session, { created: false, parentId: null })
      return session
    } catch (error) {
      // The session owns the file and the lock now: closing it lets go of both.
      await session.close().catch(() => {})
      throw error
    }
  }

  async withWriter<T>(id: string, fn: (session: OpenSession) => Promise<T>): Promise<T> {
    const held = this.open.get(id)
    if (held && !held.closed) return fn(held)
    const session = await this.resume(id)
    try {
      return await fn(session)
    } finally {
      await session.close()
    }
  }

  locate(id: string): Promise<SessionLocation> {
    return this.locator.find(id)
  }

  projectPathOf(projectId: string): string | null {
    return readProjectPath(this.layout, projectId)
  }

  async readHistory(id: string, options: ReadOptions & { onBatch?: (events: JournalEvent[]) => void } = {}) {
    const { projectId, path: file } = await this.locate(id)
    const reader = new HistoryReader(file, { id, projectId, projectPath: this.projectPathOf(projectId) ?? '' },
      { maxLineBytes: this.maxLineBytes, ...(options.strict ? { strict: true } : {}) })
    return reader.read(options.onBatch)
  }

  historyReader(session: Pick<OpenSession, 'id' | 'projectId' | 'projectPath' | 'path'>): HistoryReader {
    const { id, projectId, projectPath, path: file } = session
    return new HistoryReader(file, { id, projectId, projectPath }, { maxLineBytes: this.maxLineBytes })
  }

  async *events(id: string, options: ReadOptions = {}): AsyncGenerator<JournalEvent> {
    const { path: file } = await this.locate(id)
    yield* readEvents(file, { expectId: id, maxLineBytes: this.maxLineBytes, ...(options.strict ? { strict: true } : {}) })
  }

  logFiles(marks?: ReadonlyMap<string, string>): Promise<ProjectLogs[]> {
    return walkLogs(this.layout, marks)
  }

  async scanFrom(log: Pick<LogFile, 'id' | 'path'>, from: ScanPosition, onBatch: (events: JournalEvent[]) => void): Promise<ScanState> {
    const state: ScanState = { damage: [], position: from }
    for await (const batch of scanLog(log.path, state, { expectId: log.id, from, maxLineBytes: this.maxLineBytes })) onBatch(batch)
    return state
  }

  async list(options: ListOptions = {}): Promise<SessionRow[]> {
    const filter = rowFilter(options)
    return filter(await listSessions(this.layout, {
      ...(options.project === undefined ? {} : { projectId: projectIdOf(options.project) }),
      maxLineBytes: this.maxLineBytes,
      lockStaleMs: this.settings.lockStaleMs,
    }))
  }

  async listUsage(options: { project?: string }, collect: UsageCollector): Promise<void> {
    await listSessions(this.layout, {
      ...(options.project === undefined ? {} : { projectId: projectIdOf(options.project) }),
      maxLineBytes: this.maxLineBytes,
      lockStaleMs: this.settings.lockStaleMs,
    }, collect)
  }

  async follow(id: string, options: Pick<FollowOptions, 'pollMs'> = {}): Promise<LogFollower> {
    const { path: file } = await this.locate(id)
    return new LogFollower(file, { ...options, expectId: id, maxLineBytes: this.maxLineBytes })
  }

  verify(id: string, options?: VerifyOptions): Promise<VerifyReport> {
    return verifySession({
      locate: found => this.locate(found),
      reopen: async reopened => (await this.resume(reopened)).close(),
      isHeld: file => isLocked(file, this.settings.lockStaleMs),
      maxLineBytes: this.maxLineBytes,
    }, id, options)
  }

  /** ERR_SESSION_LOCKED while a writer holds the session; changes nothing. */
  async assertNotHeld(id: string): Promise<void> {
    const { path: file } = await this.locate(id)
    await (await this.lock(id, file))()
  }

  async delete(id: string): Promise<void> {
    const { path: file, projectId } = await this.locate(id)
    const release = await this.lock(id, file)
    try {
      const dir = path.dirname(file)
      const torn = (await fs.readdir(dir)).filter(name => this.layout.isTornFileOf(name, id))
      await fs.rm(file, { force: true })
      await Promise.all(torn.map(name => fs.rm(path.join(dir, name), { force: true })))
      await this.making.claims.drop(id, projectId)
      this.locator.forget(id)
    } finally {
      await release()
    }
  }

  permissions(): Promise<PermissionWarning[]> {
    return auditPermissions(this.layout)
  }

  onSessionOpened(listener: OpenedListener): void {
    this.openedListeners.push(listener)
  }

  private lock(id: string, file: string) {
    return acquireLock(file, { staleMs: this.settings.lockStaleMs, waitMs: this.settings.lockWaitMs, id })
  }

  private session(log: OpenLog): OpenSession {
    const { fsync, batchMs, maxLineBytes, io } = this.settings
    return new OpenSession(log.id, log.projectId, log.projectPath, log.path, new Appender(log, { fsync, batchMs, maxLineBytes, io }))
  }

  /** Closes every session this store opened that is still open (each flushes and lets go of its lock). */
  async closeAll(): Promise<void> {
    const results = await Promise.allSettled([...this.open.values()].map(session => session.close()))
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
    if (failed) throw failed.reason
  }

  private hold(log: OpenLog): OpenSession {
    const session = this.session(log)
    this.open.set(log.id, session)
    session.onClose(async () => { if (this.open.get(log.id) === session) this.open.delete(log.id) })
    return session
  }

  /** Plug-ins hear of the session before the host gets it; one that fails never stops the host. */
  private async announce(session: OpenSession, origin: SessionOrigin): Promise<void> {
    for (const listener of this.openedListeners) {
      try {
        await listener(session, origin)
      } catch (error) {
        process.emitWarning(`a plug-in failed on opening session ${session.id}: ${(error as Error)?.message ?? String(error)}`, { code: 'SESSION_JOURNAL_PLUGIN_FAILED' })
      }
    }
  }
}
