/**
 * Permission audit of a root. Sessions are private conversations: every folder the journal
 * makes is 0700 and every file 0600, whatever the umask. A root made by hand, by another
 * tool, or copied with a wide umask may still be open to other users; `Journal.permissions()`
 * reports that (it never changes modes: the owner may have a reason).
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { isNotFound } from './errors.js'
import { DIR_MODE, FILE_MODE, isProjectId, type Layout } from './paths.js'

export interface PermissionWarning {
  path: string
  /** The permission bits found (e.g. 0o755). */
  mode: number
  /** What the journal makes: 0o700 for folders, 0o600 for files. */
  expected: number
  message: string
}

/** Folders and files under `layout.root` that group or others may access, root first. */
export async function auditPermissions(layout: Layout): Promise<PermissionWarning[]> {
  const warnings: PermissionWarning[] = []
  const visit = async (file: string, descend: (names: string[]) => string[]): Promise<void> => {
    let stat
    try {
      stat = await fs.lstat(file)
    } catch (error) {
      if (isNotFound(error)) return
      throw error
    }
    // A symlink's own bits mean nothing; what it points at is not ours to judge.
    if (stat.isSymbolicLink()) return
    const mode = stat.mode & 0o777
    const expected = stat.isDirectory() ? DIR_MODE : FILE_MODE
    if ((mode & 0o077) !== 0) {
      warnings.push({ path: file, mode, expected, message: `${file} has mode ${mode.toString(8).padStart(4, '0')}: group or others can reach it (expected ${expected.toString(8).padStart(4, '0')})` })
    }
    if (!stat.isDirectory()) return
    for (const name of descend(await fs.readdir(file))) await visit(path.join(file, name), () => [])
  }
  await visit(layout.root, names => names.filter(n => n === 'projects'))
  await visit(layout.idsDir, names => names) // the id claims (claims.ts)
  let projects: string[] = []
  try {
    projects = (await fs.readdir(layout.projectsDir)).filter(isProjectId)
  } catch (error) {
    if (!isNotFound(error)) throw error
  }
  for (const projectId of projects) {
    await visit(layout.projectDir(projectId), names => names.filter(n => n !== 'sessions'))
    await visit(layout.sessionsDir(projectId), names => names)
  }
  return warnings
}
