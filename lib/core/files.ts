/**
 * Small file-system primitives with the journal's safety rules: private modes, no symlinks
 * followed inside the root for writes, atomic replace, create-once.
 */
import { randomBytes } from 'node:crypto'
import fsSync from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'
import { CorruptLogError, isErrnoException, isNotFound } from './errors.js'
import { DIR_MODE, FILE_MODE } from './paths.js'

/**
 * Creates `root/...parts` with mode 0700 at every level it creates, and checks every level
 * below the root is a real directory: a symlink planted there (to make us write elsewhere)
 * is refused rather than followed.
 */
export async function ensurePrivateDir(root: string, ...parts: string[]): Promise<string> {
  await fs.mkdir(root, { recursive: true, mode: DIR_MODE })
  let dir = root
  for (const part of parts) {
    dir = path.join(dir, part)
    try {
      await fs.mkdir(dir, { mode: DIR_MODE })
    } catch (error) {
      if (!isErrnoException(error) || error.code !== 'EEXIST') throw error
      const stat = await fs.lstat(dir)
      if (!stat.isDirectory()) {
        throw new CorruptLogError(`${dir} should be a directory but is a ${stat.isSymbolicLink() ? 'symbolic link' : 'file'}; refusing to write through it`, { path: dir })
      }
    }
  }
  return dir
}

export interface AtomicWriteOptions {
  /** Mode of a newly created file; an existing file keeps its own. Default 0600. */
  mode?: number
  /** Mode of folders created on the way; existing folders are left alone. Default 0700. */
  dirMode?: number
  /** fsync before the rename (default). Caches that are rebuilt anyway skip it. */
  sync?: boolean
}

/** writeFileAtomic's temp files: `.<target name>.<12 hex digits>.tmp`, beside the target. */
const TEMP_NAME = /^\.(.+)\.[0-9a-f]{12}\.tmp$/

/**
 * A temp file whose mtime is this old belongs to a writer that died between open and rename
 * (SIGKILL, power loss): a live one is renamed within milliseconds. Younger ones are left alone.
 */
export const STALE_TEMP_MS = 10_000

/** How long a folder's list of temp files is trusted: a folder of 100k share files takes ~100 ms to list. */
const LISTING_TTL_MS = 60_000
const listings = new Map<string, { at: number, temps: Map<string, string[]> }>()

/**
 * Removes the stale temp files of `file` (exactly its own name pattern, regular files only).
 * Best effort: a folder that cannot be listed or a file that cannot be removed is left as it is.
 */
async function removeStaleTemps(file: string): Promise<void> {
  const dir = path.dirname(file)
  const now = Date.now()
  let listing = listings.get(dir)
  if (listing === undefined || now - listing.at > LISTING_TTL_MS) {
    if (listings.size >= 1000) listings.clear()
    listing = { at: now, temps: new Map() }
    for (const name of await fs.readdir(dir).catch(() => [])) {
      const target = TEMP_NAME.exec(name)?.[1]
      if (target === undefined) continue
      const names = listing.temps.get(target)
      if (names === undefined) listing.temps.set(target, [name])
      else names.push(name)
    }
    listings.set(dir, listing)
  }
  const names = listing.temps.get(path.basename(file))
  if (names === undefined) return
  const kept: string[] = []
  for (const name of names) {
    const temp = path.join(dir, name)
    const stat = await fs.lstat(temp).catch(() => undefined)
    if (stat === undefined) continue // renamed by its writer, or removed by another cleaner
    if (!stat.isFile() || now - stat.mtimeMs < STALE_TEMP_MS) kept.push(name)
    else await fs.rm(temp, { force: true }).catch(() => kept.push(name))
  }
  if (kept.length > 0) listing.temps.set(path.basename(file), kept)
  else listing.temps.delete(path.basename(file))
}

/**
 * Replaces a whole file so that readers see the old content or the new, never a mix: a temp
 * file beside the target, flushed, renamed over it. Used for config files, share records,
 * listing caches (never for the append-only logs). A temp file a killed writer left behind
 * is removed by a later write of the same target once it is STALE_TEMP_MS old.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const dir = path.dirname(file)
  await fs.mkdir(dir, { recursive: true, mode: options.dirMode ?? DIR_MODE })
  // A project config committed as 0644 must not turn 0600 because a tool edited one key.
  let mode = options.mode ?? FILE_MODE
  try {
    mode = (await fs.stat(file)).mode & 0o777
  } catch (error) {
    if (!isNotFound(error)) throw error
  }
  await removeStaleTemps(file)
  // Same folder, so the rename stays on one file system; the dot keeps it out of listings.
  const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    const handle = await fs.open(tmp, 'wx', mode)
    try {
      await handle.writeFile(data)
      await handle.chmod(mode) // open() applied the umask; make the mode exactly what was asked
      if (options.sync !== false) await handle.sync()
    } finally {
      await handle.close()
    }
    await fs.rename(tmp, file)
  } catch (error) {
    await fs.rm(tmp, { force: true })
    throw error
  }
}

/**
 * writeFileAtomic() for caches, synchronously and without a sync: four system calls where the
 * async one makes eight thread-pool round trips, which were half of a cold listing's time.
 * Same temp name pattern, so a later writeFileAtomic() of the target removes a leftover.
 */
export function writeCacheSync(file: string, data: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    const fd = fsSync.openSync(tmp, 'wx', FILE_MODE)
    try {
      fsSync.writeFileSync(fd, data)
    } finally {
      fsSync.closeSync(fd)
    }
    fsSync.renameSync(tmp, file)
  } catch (error) {
    fsSync.rmSync(tmp, { force: true })
    throw error
  }
}

/** Creates `file` with `data` unless it exists: atomic (link fails on an existing name), never overwrites. */
export async function writeOnce(file: string, data: string, mode = FILE_MODE): Promise<boolean> {
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`
  await fs.writeFile(tmp, data, { mode, flag: 'wx' })
  try {
    await fs.link(tmp, file)
    return true
  } catch (error) {
    if (isErrnoException(error) && error.code === 'EEXIST') return false
    throw error
  } finally {
    await fs.rm(tmp, { force: true })
  }
}

/** A file's text, or undefined when it does not exist: missing is a value; any other failure throws. */
export async function readTextIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8')
  } catch (error) {
    if (isNotFound(error)) return undefined
    throw error
  }
}

/** fsync a directory so a new name in it survives a power loss. Some file systems refuse: that is fine. */
export async function syncDir(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined
  try {
    handle = await fs.open(dir, 'r')
    await handle.sync()
  } catch (error) {
    if (!isErrnoException(error) || !['EINVAL', 'EISDIR', 'EPERM', 'EBADF'].includes(error.code!)) throw error
  } finally {
    await handle?.close()
  }
}

/** A folder's entries, or none when it does not exist (missing is a value); other failures throw. */
export function readdirOrEmpty(dir: string): string[] {
  try {
    return fsSync.readdirSync(dir)
  } catch (error) {
    if (isNotFound(error)) return []
    throw error
  }
}

// Listing reads the caches' heads one project at a time, synchronously: one buffer serves them all.
const FIRST_READ = 4096
let buffer = Buffer.allocUnsafe(4 * FIRST_READ)

/**
 * Opens a cache file for reading, refusing anything but a regular file with ENOENT (a cache
 * missing): non-blocking, so a FIFO planted at a cache's name cannot hang a synchronous open.
 */
function openCacheSync(file: string): number {
  const fd = fsSync.openSync(file, fsSync.constants.O_RDONLY | fsSync.constants.O_NONBLOCK)
  if (fsSync.fstatSync(fd).isFile()) return fd
  fsSync.closeSync(fd)
  throw Object.assign(new Error(`${file} is not a regular file`), { code: 'ENOENT' })
}

/** A cache file's whole text (see openCacheSync). */
export function readCacheSync(file: string): string {
  const fd = openCacheSync(file)
  try {
    return fsSync.readFileSync(fd, 'utf8')
  } finally {
    fsSync.closeSync(fd)
  }
}

/**
 * A cache file's first line (all of it without a newline): each read asks for as much as was
 * read so far, so at most about twice the line is read (the listing cache's rows, not the state
 * after them), into a buffer of at most twice the line.
 */
export function readFirstLine(file: string): string {
  const fd = openCacheSync(file)
  try {
    let length = 0
    for (;;) {
      const want = Math.max(FIRST_READ, length)
      if (length + want > buffer.length) {
        const bigger = Buffer.allocUnsafe(length + want)
        buffer.copy(bigger, 0, 0, length)
        buffer = bigger
      }
      const n = fsSync.readSync(fd, buffer, length, want, length)
      const newline = n === 0 ? length : buffer.subarray(0, length + n).indexOf(10, length)
      if (newline >= 0) return buffer.toString('utf8', 0, newline)
      length += n
    }
  } finally {
    fsSync.closeSync(fd)
    // One huge project must not pin its buffer for the life of the process.
    if (buffer.length > 1 << 20) buffer = Buffer.allocUnsafe(4 * FIRST_READ)
  }
}
