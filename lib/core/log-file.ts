/**
 * A log file held for appending: created (O_EXCL, synced with its folder) or opened again
 * (head checked, torn tail set aside), with the writer's lock taken first and held until
 * close. What the appender needs comes back as an OpenLog; nothing here knows events beyond
 * the header and the repair record.
 */
import fs from 'node:fs/promises'
import fsSync from 'node:fs'
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
  const { id, projectId, projectPath } = header
  const file = layout.sessionFile(projectId, id) // validates both ids before any folder is made
  const sessionsDir = await ensureProject(layout, projectId, projectPath)
  const lock = await lockOf(file, id, settings, 0)
  let handle: fs.FileHandle | undefined
  try {
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
    return openLog({ id, projectId, projectPath, path: file }, handle, line.length, 1, lock)
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
