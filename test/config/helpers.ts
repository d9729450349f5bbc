/** Shared by the config suites: a git-like project layout in a temp dir, and config fixtures. */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { fixture as anyFixture, tempDir } from '../helpers.js'

export const fixture = (name: string): string => anyFixture('config', name)

/** <root>/repo/.git, <root>/repo/pkg/app as the project, <root>/global for the config dir. */
export async function layout(t: TestContext): Promise<{ root: string, repo: string, project: string, configDir: string }> {
  const root = tempDir(t, 'sj-config-')
  const repo = join(root, 'repo')
  const project = join(repo, 'pkg', 'app')
  const configDir = join(root, 'global')
  await mkdir(join(repo, '.git'), { recursive: true })
  await mkdir(project, { recursive: true })
  return { root, repo, project, configDir }
}

export async function writeGlobal(configDir: string, text: string): Promise<string> {
  await mkdir(configDir, { recursive: true })
  const path = join(configDir, 'config.jsonc')
  await writeFile(path, text)
  return path
}
