/**
 * Finding a tool's files for every peer alike: files named on the command line are taken as
 * they are (the peer decides whether they are its format), folders are searched recursively
 * for the names the peer accepts, missing paths are skipped. Symbolic links to folders are not
 * followed (no loops, no escaping the tree). The fingerprint of a file is its size and mtime.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { isNotFound } from '../core/errors.js'

/** Sorted, each once. `accept(file)` filters what folders hold; named files are always kept. */
export async function findFiles(paths: readonly string[], accept: (file: string) => boolean): Promise<string[]> {
  const found = new Set<string>()
  for (const given of paths) {
    const stat = await statOrNull(given)
    if (stat === null) continue
    if (stat.isDirectory()) await walk(given, accept, found)
    else found.add(path.resolve(given))
  }
  return [...found].sort()
}

async function walk(dir: string, accept: (file: string) => boolean, found: Set<string>): Promise<void> {
  let entries
  try {
    entries = await fs.readdir(dir, { withFileTypes: true })
  } catch (error) {
    if (isNotFound(error)) return // removed while we walked
    throw error
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  for (const entry of entries) {
    const full = path.resolve(dir, entry.name)
    if (entry.isDirectory()) await walk(full, accept, found)
    else if (entry.isFile() && accept(full)) found.add(full)
  }
}

async function statOrNull(file: string) {
  try {
    return await fs.stat(file)
  } catch (error) {
    if (isNotFound(error)) return null
    throw error
  }
}

/** Changes when the file may have: size and modification time (ns where the platform has them). */
export async function fileFingerprint(file: string): Promise<string> {
  const stat = await fs.stat(file, { bigint: true })
  return `${stat.size}:${stat.mtimeNs}`
}
