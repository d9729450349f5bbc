/**
 * The Journal: where sessions live and the entry points a host calls. It wires the layers
 * (paths, lock, writer, reader, fold, list) and does no formatting or folding of its own.
 */
import fs from 'node:fs/promises'
import fsSync from 'node:fs'
import path from 'node:path'
import { CorruptLogError, isErrnoException, SessionExistsError, UsageError } from './core/errors.js'
import { FORMAT_VERSION, toLine } from './core/event.js'
import { exportSession, type ExportDocument, type ExportOptions } from './export/export.js'
import { ensurePrivateDir, syncDir, writeOnce } from './core/files.js'
import { Folder } from './core/fold.js'
import { assertSessionId, newId } from './core/ids.js'
import { importSession, type ImportOptions } from './export/import.js'
import { listSessions, readProjectPath, type SessionRow } from './core/list.js'
import { Locator, type Located } from './core/locate.js'
import { checkPermissions, type PermissionWarning } from './core/permissions.js'
import { acquireLock, DEFAULT_STALE_MS } from './core/lock.js'
import { FILE_MODE, Layout, projectIdOf, resolveRoot } from './core/paths.js'
import { DEFAULT_MAX_LINE_BYTES, readEvents, scanLog, type ScanState } from './core/reader.js'
import { checkHead, readTail, setTornAside } from './core/tail.js'
import type { HeaderEvent, History, HostInfo, JournalEvent } from './core/types.js'
import { nodeIO, Session, type Durability, type OpenLog, type WriterIO } from './core/session.js'
import { loadShareRecord } from './share/records.js'
import { shareSession, startSharing, unshareSession, type ShareSettings } from './share/sharing.js'

export interface JournalOptions extends ShareSettings {
  /** Where sessions live; default `$SESSION_JOURNAL_HOME`, else the platform's data folder. */
  root?: string
  /** When an append is acknowledged: after the OS has it ('never', 'batch') or after fdatasync ('always'). */
  fsync?: Durability
  /** 'batch': the longest an acknowledged event waits for its fdatasync (ms). */
  batchMs?: number
  /** Largest event line accepted by writers and readers (bytes). */
  maxLineBytes?: number
  /** A writer's lock not refreshed for this long is a dead writer's and may be taken over (ms). */
  lockStaleMs?: number
  /** create/resume wait this long for another writer to let go before ERR_SESSION_LOCKED (ms). */
  lockWaitMs?: number
  /** For fault tests: the writer's fs calls. */
  io?: WriterIO
}

export interface CreateOptions {
  /** The project folder the session belongs to (resolved to an absolute path). */
  project: string
  title?: string
  /** The session this one was forked from, or whose child it is. */
  parentId?: string
  host?: HostInfo
}

export interface ReadOptions {
  /** Throw ERR_CORRUPT_LOG at the first damaged line instead of reporting it in `damage`. */
  strict?: boolean
}


export class Journal {
  readonly root: string
  readonly layout: Layout
  readonly fsync: Durability
  readonly batchMs: number
  readonly maxLineBytes: number
  readonly lockStaleMs: number
  readonly lockWaitMs: number
  private readonly io: WriterIO
  private readonly locator: Locator
  /** Sessions this journal holds open, so share/unshare can append through them. */
  private readonly open = new Map<string, Session>()
  private readonly share$: ShareSettings

  constructor(options: JournalOptions = {}) {
    this.root = resolveRoot(options.root)
    this.layout = new Layout(this.root)
    this.locator = new Locator(this.layout)
    this.fsync = options.fsync ?? 'batch'
    if (!['always', 'batch', 'never'].includes(this.fsync)) throw new UsageError(`fsync must be 'always', 'batch' or 'never', got ${JSON.stringify(this.fsync)}`)
    this.batchMs = options.batchMs ?? 50
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES
    this.lockStaleMs = options.lockStaleMs ?? DEFAULT_STALE_MS
    this.lockWaitMs = options.lockWaitMs ?? 0
    this.io = options.io ?? nodeIO
    const { shareProvider, shareServer, configDir, env, shareDebounceMs, shareRedact } = options
    this.share$ = { shareProvider, shareServer, configDir, env, shareDebounceMs, shareRedact }
  }

  /** Starts a new session in `project` and holds it for writing until `close()`. */
  async create(options: CreateOptions): Promise<Session> {
    if (!options || typeof options.project !== 'string' || options.project === '') throw new UsageError('create() needs { project: <folder> }')
    if (options.parentId !== undefined) assertSessionId(options.parentId)
    const projectPath = path.resolve(options.project)
    const session = await this.createLog({
      ts: new Date().toISOString(),
      type: 'session',
      version: FORMAT_VERSION,
      id: newId(),
      projectId: projectIdOf(projectPath),
      projectPath,
      title: options.title ?? null,
      parentId: options.parentId ?? null,
      host: options.host ? { name: String(options.host.name), ...(options.host.version === undefined ? {} : { version: String(options.host.version) }) } : null,
    })
    // Only a conversation started here is shared by `auto`; an import is a copy of one.
    await startSharing(this, this.share$, session, { parentId: options.parentId ?? null })
    return session
  }

  /**
   * Starts a new log whose header is given whole, time and id included: import writes a
   * session again as it was. The caller vouches for the header's fields. ERR_SESSION_EXISTS
   * when the id is taken in the header's project (other projects are the caller's to check:
   * create() makes fresh ids and should not pay for a walk over every project).
   */
  async createLog(header: Omit<HeaderEvent, 'seq'>): Promise<Session> {
    const id = assertSessionId(header.id)
    const { projectId, projectPath } = header
    const sessionsDir = await this.ensureProject(projectId, projectPath)
    const file = path.join(sessionsDir, `${id}.ndjson`)
    const lost = lockLostHandler()
    const release = await acquireLock(file, { staleMs: this.lockStaleMs, id, onCompromised: lost.handler })
    let handle: fs.FileHandle | undefined
    try {
      handle = await fs.open(file, fsSync.constants.O_WRONLY | fsSync.constants.O_CREAT | fsSync.constants.O_EXCL
        | fsSync.constants.O_APPEND | fsSync.constants.O_NOFOLLOW, FILE_MODE).catch((error: unknown) => {
        if (isErrnoException(error) && error.code === 'EEXIST') throw new SessionExistsError(`session ${id} already exists at ${file}`, { id, path: file, cause: error })
        throw error
      })
      const line = Buffer.from(toLine({ seq: 0, ...header }))
      await handle.write(line)
      if (this.fsync !== 'never') {
        await handle.datasync()
        await syncDir(sessionsDir)
      }
      this.locator.remember(id, projectId)
      return lost.bind(this.session({ id, projectId, projectPath, path: file, fd: handle.fd, size: line.length, nextSeq: 1, closeFile: closer(handle), release }))
    } catch (error) {
      await handle?.close()
      await release()
      throw error
    }
  }

  /** Opens an existing session for appending; seq goes on where it stopped. Reads only head and tail. */
  async resume(id: string): Promise<Session> {
    const { projectId, path: file } = await this.locate(id)
    const lost = lockLostHandler()
    const release = await acquireLock(file, { staleMs: this.lockStaleMs, waitMs: this.lockWaitMs, id, onCompromised: lost.handler })
    let handle: fs.FileHandle | undefined
    let session: Session | undefined
    try {
      handle = await this.openForAppend(file, id)
      const size = (await handle.stat()).size
      const tail = await readTail(handle, size, this.maxLineBytes, async () => {
        const state: ScanState = { damage: [], position: { offset: 0, lines: 0, lastSeq: -1 } }
        for await (const _ of scanLog(file, state, { maxLineBytes: this.maxLineBytes })) { /* only the position */ }
        return state.position.lastSeq
      })
      checkHead(tail.head, id, file)
      const projectPath = tail.head?.type === 'session' ? (tail.head as HeaderEvent).projectPath
        : readProjectPath(this.layout, projectId) ?? ''
      let repair: { offset: number, length: number, file: string } | undefined
      if (tail.torn) repair = { ...tail.torn, file: await setTornAside(handle, file, tail.torn) }
      session = lost.bind(this.session({ id, projectId, projectPath, path: file, fd: handle.fd, size: tail.end, nextSeq: tail.lastSeq + 1, closeFile: closer(handle), release }))
      if (tail.end === 0) {
        // Nothing whole survived, not even the header: start the log again with one.
        await session.appendInternal({ type: 'session', version: FORMAT_VERSION, id, projectId, projectPath, title: null, parentId: null, host: null })
      }
      if (repair) await session.appendInternal({ type: 'repair', ...repair })
      await startSharing(this, this.share$, session, null)
      return session
    } catch (error) {
      // Once the session exists it owns the file and the lock: closing it lets go of both.
      if (session) await session.close().catch(() => {})
      else {
        await handle?.close()
        await release()
      }
      throw error
    }
  }

  /** The folded history. Damage is reported in `damage` (thrown with `strict`). */
  async read(id: string, options: ReadOptions = {}): Promise<History> {
    const { projectId, path: file } = await this.locate(id)
    const folder = new Folder({ id, projectId, projectPath: readProjectPath(this.layout, projectId) ?? '' })
    const state: ScanState = { damage: [], position: { offset: 0, lines: 0, lastSeq: -1 } }
    for await (const batch of scanLog(file, state, this.scanOptions(id, options))) {
      for (const event of batch) folder.push(event)
    }
    return { ...folder.result(), damage: state.damage }
  }

  /** The raw events, streaming, header first. Damaged lines are skipped (thrown with `strict`). */
  async *events(id: string, options: ReadOptions = {}): AsyncGenerator<JournalEvent> {
    const { path: file } = await this.locate(id)
    yield* readEvents(file, this.scanOptions(id, options))
  }

  /** Every session (of one project when `project` is given), newest `updated` first. */
  async list(options: { project?: string, limit?: number } = {}): Promise<SessionRow[]> {
    const rows = await listSessions(this.layout, {
      ...(options.project === undefined ? {} : { projectId: projectIdOf(options.project) }),
      maxLineBytes: this.maxLineBytes,
    })
    return options.limit === undefined ? rows : rows.slice(0, Math.max(0, options.limit))
  }

  /**
   * Deletes a session's log and its set-aside torn tails, unsharing it first. Refused while a
   * writer holds it, and while a share cannot be taken down (nothing is deleted then).
   */
  async delete(id: string): Promise<void> {
    const { path: file } = await this.locate(id)
    const lock = () => acquireLock(file, { staleMs: this.lockStaleMs, waitMs: this.lockWaitMs, id })
    // Taken first so a held session is refused before any side effect (the unshare).
    let release = await lock()
    if (await loadShareRecord(this.root, id)) {
      await release()
      await this.unshare(id)
      release = await lock()
    }
    try {
      const dir = path.dirname(file)
      const torn = (await fs.readdir(dir)).filter(name => name.startsWith(`${id}.ndjson.torn-`))
      await fs.rm(file, { force: true })
      await Promise.all(torn.map(name => fs.rm(path.join(dir, name), { force: true })))
      this.locator.forget(id)
    } finally {
      await release()
    }
  }

  /** Publishes the session to the share server; resolves to its public link. */
  share(id: string): Promise<{ url: string }> {
    return shareSession(this, this.share$, assertSessionId(id))
  }

  /** Removes the published copy, then records `unshare`. Resolves to false when it was not shared from here. */
  unshare(id: string): Promise<boolean> {
    return unshareSession(this, this.share$, assertSessionId(id))
  }

  /** Runs `fn` with a writer: the one this journal holds open, or a resume closed afterwards. */
  async withWriter<T>(id: string, fn: (session: Session) => Promise<T>): Promise<T> {
    const held = this.open.get(id)
    if (held && !held.closed) return fn(held)
    const session = await this.resume(id)
    try {
      return await fn(session)
    } finally {
      await session.close()
    }
  }

  /** The session as one JSON document: `{ format, version, info, messages[, events] }` (export.ts). */
  export(id: string, options?: ExportOptions): Promise<ExportDocument> {
    return exportSession(this, id, options)
  }

  /** Writes an export document as a new session and resolves to its id (import.ts). */
  import(doc: unknown, options?: ImportOptions): Promise<string> {
    return importSession(this, doc, options)
  }

  /** Folders and files under the root that group or others can reach (the journal makes 0700/0600). Changes nothing. */
  check(): Promise<PermissionWarning[]> {
    return checkPermissions(this.layout)
  }

  /** Finds which project a session id belongs to. ERR_INVALID_ID before any path is built. */
  locate(id: string): Promise<Located> {
    return this.locator.find(id)
  }

  private scanOptions(id: string, options: ReadOptions) {
    return { expectId: id, maxLineBytes: this.maxLineBytes, ...(options.strict ? { strict: true } : {}) }
  }

  private async ensureProject(projectId: string, projectPath: string): Promise<string> {
    const dir = await ensurePrivateDir(this.root, 'projects', projectId, 'sessions')
    if (!fsSync.existsSync(this.layout.projectFile(projectId))) {
      await writeOnce(this.layout.projectFile(projectId), `${JSON.stringify({ path: projectPath, created: new Date().toISOString() })}\n`)
    }
    return dir
  }

  private async openForAppend(file: string, id: string): Promise<fs.FileHandle> {
    try {
      const handle = await fs.open(file, fsSync.constants.O_RDWR | fsSync.constants.O_APPEND | fsSync.constants.O_NOFOLLOW)
      if (!(await handle.stat()).isFile()) {
        await handle.close()
        throw new CorruptLogError(`${file} is not a regular file`, { id, path: file })
      }
      return handle
    } catch (error) {
      if (isErrnoException(error) && ['EISDIR', 'ELOOP'].includes(error.code!)) {
        throw new CorruptLogError(`${file} is not a regular file (${error.code})`, { id, path: file, cause: error })
      }
      throw error
    }
  }

  private session(log: OpenLog): Session {
    const session = new Session(log, { fsync: this.fsync, batchMs: this.batchMs, maxLineBytes: this.maxLineBytes, io: this.io })
    this.open.set(log.id, session)
    session.onClose(async () => { if (this.open.get(log.id) === session) this.open.delete(log.id) })
    return session
  }
}

/** The lock is taken before the session exists: a lost lock is passed on once it does. */
function lockLostHandler(): { handler: (error: Error) => void, bind: (session: Session) => Session } {
  let session: Session | undefined
  let early: Error | undefined
  return {
    handler: error => { if (session) session.lockLost(error); else early = error },
    bind: s => {
      session = s
      if (early) s.lockLost(early)
      return s
    },
  }
}

/** The session keeps the FileHandle referenced through this, so Node never closes its fd under us. */
function closer(handle: fs.FileHandle): () => Promise<void> {
  return () => handle.close()
}
