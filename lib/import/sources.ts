/**
 * The sources an import is given, as the peers get them: files and folders resolved against
 * the current folder, globs expanded here (so a quoted pattern works in every shell, and no
 * peer expands them its own way), sorted. A glob matching nothing adds nothing.
 */
import path from 'node:path'
import fg from 'fast-glob'

export async function expand(sources: readonly string[], cwd: string): Promise<string[]> {
  const out: string[] = []
  for (const source of sources) {
    if (!fg.isDynamicPattern(source)) out.push(path.resolve(cwd, source))
    else out.push(...(await fg(source, { cwd, absolute: true, onlyFiles: false, dot: true })).sort())
  }
  return out
}
