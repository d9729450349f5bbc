/**
 * Small file-system primitives with the journal's safety rules: private modes, no symlinks
 * followed inside the root for writes, atomic replace, create-once.
 */
import { randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { CorruptLogError, isErrnoException } from './errors.js'
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

/** Writes a whole file so that readers see the old content or the new, never a mix. */
export async function writeFileAtomic(file: string, data: string, mode = FILE_MODE): Promise<void> {
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`
  try {
    await fs.writeFile(tmp, data, { mode, flag: 'wx' })
    await fs.rename(tmp, file)
  } catch (error) {
    await fs.rm(tmp, { force: true })
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
