/**
 * Whole-file replacement that a reader never sees half-done: write a temp file
 * beside the target, flush it, rename it over the target. Used for config files,
 * share records and the share server's documents (not for the append-only logs).
 */

import { randomBytes } from 'node:crypto'
import { mkdir, open, rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { isNotFound } from './errors.js'

export interface AtomicWriteOptions {
  /** Mode of a newly created file. An existing file keeps its own mode. Default 0o600. */
  mode?: number
  /** Mode of folders created on the way. Existing folders are left alone. Default 0o700. */
  dirMode?: number
}

export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const dir = dirname(path)
  await mkdir(dir, { recursive: true, mode: options.dirMode ?? 0o700 })
  // Keep the mode of a file that is already there: a project config committed
  // with 0644 should not turn into 0600 because a tool edited one key.
  let mode = options.mode ?? 0o600
  try {
    mode = (await stat(path)).mode & 0o777
  } catch (error) {
    if (!isNotFound(error)) throw error
  }
  // Same folder, so the rename stays on one file system; the leading dot and
  // the random part keep it out of listings and away from other writers.
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  const handle = await open(temp, 'wx', mode)
  try {
    try {
      await handle.writeFile(data)
      // open() applies the umask; chmod makes the mode exactly what was asked.
      await handle.chmod(mode)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, path)
  } catch (error) {
    await rm(temp, { force: true })
    throw error
  }
}
