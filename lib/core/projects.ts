/**
 * A project folder under the root: its record (`project.json`: the absolute path it stands
 * for, written once) and its `sessions/` folder. Every path comes from the Layout, so a
 * project id is validated before any folder is made.
 */
import fsSync from 'node:fs'
import path from 'node:path'
import { ensurePrivateDir, writeOnce } from './files.js'
import type { Layout } from './paths.js'

/** Makes the project's folders (0700) and its record if missing; returns the sessions folder. */
export async function ensureProject(layout: Layout, projectId: string, projectPath: string): Promise<string> {
  const sessionsDir = layout.sessionsDir(projectId) // validates the id before anything is made
  const dir = await ensurePrivateDir(layout.root, ...path.relative(layout.root, sessionsDir).split(path.sep))
  const record = layout.projectFile(projectId)
  if (!fsSync.existsSync(record)) {
    await writeOnce(record, `${JSON.stringify({ path: projectPath, created: new Date().toISOString() })}\n`)
  }
  return dir
}

/** The folder a project stands for, from its record; null when the record is missing or unreadable. */
export function readProjectPath(layout: Layout, projectId: string): string | null {
  try {
    const record = JSON.parse(fsSync.readFileSync(layout.projectFile(projectId), 'utf8')) as { path?: unknown }
    return typeof record.path === 'string' ? record.path : null
  } catch {
    return null
  }
}
