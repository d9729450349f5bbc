/**
 * A log file held for appending: created (O_EXCL, synced with its folder) or opened again
 * (head checked, torn tail set aside), with the writer's lock taken first and held until
 * close. What the appender needs comes back as an OpenLog; nothing here knows events beyond
 * the header and the repair record.
 */
import fs from 'node:fs/promises'
import fsSync from 'node:fs'
import path from 'node:path'
import type { EventBody } from './appender.js'
import { CorruptLogError, isErrnoException, SessionExistsError } from './errors.js'
import { FORMAT_VERSION, toLine } from './event.js'
import { syncDir } from './files.js'
import type { SessionLocation } from './locate.js'
import { acquireLock, type Release } from './lock.js'
import { FILE_MODE, type Layout } from './paths.js'
import { ensureProject, readProjectPath } from './projects.js'
import { scanLog, type ScanState } from './reader.js'
import { assertOwnHeader, readTail, setTornAside } from './tail.js'
import type { HeaderEvent } from './types.js'

export interface OpenLog {
  id: string
  projectId: string
  projectPath: string
  path: string
  fd: number
  /** Bytes of whole lines in the file. */
  size: number
  nextSeq: number
  /** `onLost` is called (at once, if it already happened) when another writer takes the lock over. */
  watchLock(onLost: (cause: Error) => void): void
  /** Closes the file, then releases the lock. */
  close(): Promise<void>
}

export interface LogFileSettings {
  /** 'never' skips the syncs of a new file and its folder. */
  sync: boolean
  maxLineBytes: number
  lockStaleMs: number
  lockWaitMs: number
}

/** Creates the log with its header line. ERR_SESSION_EXISTS when the file is there already. */
export async function createLogFile(layout: Layout, header: Omit<HeaderEvent, 'seq'>, settings: LogFileSettings): Promise<OpenLog> {
  const { log } = await create(layout, header, settings, false)
  return log
}

/** A log written whole before anyone can see it (import): appended to under a staging name. */
export interface StagedLog {
  /** Its close() closes the file only: the lock is held until publish() or discard(). */
  log: OpenLog
  /** Links the finished log into place (never over an existing one; ERR_SESSION_EXISTS), then lets go of the lock. */
  publish(): Promise<void>
  /** Removes the staging file and lets go of the lock. */
  discard(): Promise<void>
}

/**
 * Creates `.<id>.ndjson.importing` beside where the log belongs, under the log's own lock; a
 * staging file found there is a dead import's (the caller holds the id's claim), and goes.
 */
export async function createStagedLogFile(layout: Layout, header: Omit<HeaderEvent, 'seq'>, settings: LogFileSettings): Promise<StagedLog> {
  const { log, release } = await create(layout, header, settings, true)
  const target = layout.sessionFile(header.projectId, header.id)
  let released = false
  const finish = async (keep: boolean) => {
    if (released) return
    released = true
    try {
      if (keep) {
        await fs.link(log.path, target).catch((error: unknown) => {
          if (isErrnoException(error) && error.code === 'EEXIST') throw new SessionExistsError(`session ${header.id} already exists at ${target}`, { id: header.id, path: target, cause: error })
          throw error
        })
        if (settings.sync) await syncDir(path.dirname(target))
      }
    } finally {
      // Published or not, the staging name goes (a failed link must not leave it behind).
      try {
        await fs.rm(log.path, { force: true })
      } finally {
        await release()
      }
    }
  }
  return { log, publish: () => finish(true), discard: () => finish(false) }
}

async function create(layout: Layout, header: Omit<HeaderEvent, 'seq'>, settings: LogFileSettings, staged: boolean): Promise<{ log: OpenLog, release: Release }> {
  const { id, projectId, projectPath } = header
  const target = layout.sessionFile(projectId, id) // validates both ids before any folder is made
  const file = staged ? layout.stagingFile(projectId, id) : target
  const sessionsDir = await ensureProject(layout, projectId, projectPath)
  // A staged log's id is claimed under its own lock already: only a list removing a dead import's leftover can hold this one, briefly.
  const lock = await lockOf(target, id, settings, staged ? Math.max(settings.lockWaitMs, 2000) : 0)
  let handle: fs.FileHandle | undefined
  try {
    if (staged) await fs.rm(file, { force: true })
    handle = await fs.open(file, fsSync.constants.O_WRONLY | fsSync.constants.O_CREAT | fsSync.constants.O_EXCL
      | fsSync.constants.O_APPEND | fsSync.constants.O_NOFOLLOW, FILE_MODE).catch((error: unknown) => {
      if (isErrnoException(error) && error.code === 'EEXIST') throw new SessionExistsError(`session ${id} already exists at ${file}`, { id, path: file, cause: error })
      throw error
    })
    const line = Buffer.from(toLine({ seq: 0, ...header }))
    await handle.write(line)
    if (settings.sync) {
      await handle.datasync()
      await syncDir(sessionsDir)
    }
    // A staged log keeps its lock past close(): it is let go once the log is in place.
    const held: HeldLock = staged ? { ...lock, release: async () => {} } : lock
    return { log: openLog({ id, projectId, projectPath, path: file }, handle, line.length, 1, held), release: lock.release }
  } catch (error) {
    await handle?.close()
    await lock.release()
    throw error
  }
}

/**
 * Opens an existing log for appending; reads only its head and tail. Returns the events the
 * appender must write first: a header when nothing whole survived, a `repair` record when a
 * torn tail was set aside.
 */
export async function openLogFile(layout: Layout, located: SessionLocation, settings: LogFileSettings): Promise<{ log: OpenLog, first: EventBody[] }> {
  const { id, projectId, path: file } = located
  const lock = await lockOf(file, id, settings, settings.lockWaitMs)
  let handle: fs.FileHandle | undefined
  try {
    handle = await openForAppend(file, id)
    const size = (await handle.stat()).size
    const tail = await readTail(handle, size, settings.maxLineBytes, async () => {
      const state: ScanState = { damage: [], position: { offset: 0, lines: 0, lastSeq: -1 } }
      for await (const _ of scanLog(file, state, { maxLineBytes: settings.maxLineBytes })) { /* only the position */ }
      return state.position.lastSeq
    })
    assertOwnHeader(tail.head, id, file)
    const projectPath = tail.head?.type === 'session' ? (tail.head as HeaderEvent).projectPath : readProjectPath(layout, projectId) ?? ''
    const first: EventBody[] = []
    // Nothing whole survived, not even the header: start the log again with one.
    if (tail.end === 0) first.push({ type: 'session', version: FORMAT_VERSION, id, projectId, projectPath, title: null, parentId: null, host: null })
    if (tail.torn) {
      const side = await setTornAside(handle, file, tail.torn, attempt => layout.tornFile(projectId, id, tail.torn!.offset, attempt))
      first.push({ type: 'repair', ...tail.torn, file: side })
    }
    return { log: openLog({ id, projectId, projectPath, path: file }, handle, tail.end, tail.lastSeq + 1, lock), first }
  } catch (error) {
    await handle?.close()
    await lock.release()
    throw error
  }
}

interface HeldLock {
  release: Release
  watch(onLost: (cause: Error) => void): void
}

/** The lock is taken before the session exists: a loss that early is kept until someone watches. */
async function lockOf(file: string, id: string, settings: LogFileSettings, waitMs: number): Promise<HeldLock> {
  let watcher: ((cause: Error) => void) | undefined
  let early: Error | undefined
  const release = await acquireLock(file, {
    staleMs: settings.lockStaleMs, waitMs, id,
    onCompromised: error => { if (watcher) watcher(error); else early = error },
  })
  return {
    release,
    watch: onLost => {
      watcher = onLost
      if (early) onLost(early)
    },
  }
}

function openLog(where: Omit<SessionLocation, 'path'> & { projectPath: string, path: string }, handle: fs.FileHandle, size: number, nextSeq: number, lock: HeldLock): OpenLog {
  return {
    ...where,
    // The FileHandle stays referenced through close(), so Node never closes the fd under us.
    fd: handle.fd,
    size,
    nextSeq,
    watchLock: onLost => lock.watch(onLost),
    close: async () => {
      try {
        await handle.close()
      } finally {
        await lock.release()
      }
    },
  }
}

async function openForAppend(file: string, id: string): Promise<fs.FileHandle> {
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
