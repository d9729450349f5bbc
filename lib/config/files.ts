/**
 * The config files themselves: their names, where they are looked for, and
 * what one file says. JSONC so people can leave comments; a file is parsed
 * into a validated FileSettings and knows nothing of the others. How the
 * files, the environment and the defaults combine is load.ts's job; editing
 * a file in place is edit.ts's.
 */

import { access } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import envPaths from 'env-paths'
import {
  getNodeValue, parseTree, printParseErrorCode,
  type Node, type ParseError,
} from 'jsonc-parser'
import { readTextIfExists } from '../core/files.js'
import { ConfigInvalidError, ConfigParseError, isNotFound } from '../core/errors.js'

export type ShareMode = 'manual' | 'auto' | 'disabled'
export const SHARE_MODES: readonly ShareMode[] = ['manual', 'auto', 'disabled']

export type ConfigKey = 'share' | 'shareServer'
export const CONFIG_KEYS: readonly ConfigKey[] = ['share', 'shareServer']
/** Keys that are accepted without a warning but carry no setting (editor schema hints). */
const IGNORED_KEYS = new Set(['$schema'])

export const GLOBAL_CONFIG_FILE = 'config.jsonc'
/** Names looked for in each project folder, first match wins within a folder. */
export const PROJECT_CONFIG_FILES = ['session-journal.jsonc', 'session-journal.json'] as const

/** What one file said, after validation. */
export interface FileSettings {
  path: string
  share?: ShareMode
  shareServer?: string
}

export function isConfigKey(key: string): key is ConfigKey {
  return (CONFIG_KEYS as readonly string[]).includes(key)
}

/** Folder of the global file: `$SESSION_JOURNAL_CONFIG_DIR`, else the platform config dir. */
export function defaultConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.SESSION_JOURNAL_CONFIG_DIR
  if (fromEnv !== undefined && fromEnv !== '') return resolve(fromEnv)
  return envPaths('session-journal', { suffix: '' }).config
}

/**
 * The project folder and its ancestors up to the git root, nearest first;
 * only the folder itself outside git. A `.git` file (worktree, submodule) counts.
 */
export async function projectFolders(project: string): Promise<string[]> {
  const chain: string[] = []
  let dir = project
  for (;;) {
    chain.push(dir)
    if (await exists(join(dir, '.git'))) return chain
    const parent = dirname(dir)
    if (parent === dir) return [project]
    dir = parent
  }
}

/** The settings of a folder's project file, if it has one; a second name in the same folder is a warning. */
export async function readProjectFolder(dir: string, warnings: string[]): Promise<FileSettings | undefined> {
  let found: FileSettings | undefined
  for (const name of PROJECT_CONFIG_FILES) {
    const path = join(dir, name)
    if (found) {
      if (await exists(path)) warnings.push(`${path} ignored: ${found.path} is in the same folder`)
      continue
    }
    found = await readSettings(path, warnings)
  }
  return found
}

/** One file's validated settings; undefined when it does not exist. Unknown keys are warnings, bad values throw. */
export async function readSettings(path: string, warnings: string[]): Promise<FileSettings | undefined> {
  const text = await readTextIfExists(path)
  if (text === undefined) return undefined
  const settings: FileSettings = { path }
  const root = parseText(path, text)
  if (root === undefined) return settings // empty or comments only: no settings
  for (const property of root.children ?? []) {
    const keyNode = property.children?.[0]
    const valueNode = property.children?.[1]
    if (keyNode === undefined || valueNode === undefined) continue
    const key = String(keyNode.value)
    if (!isConfigKey(key)) {
      if (!IGNORED_KEYS.has(key)) {
        const { line, column } = lineColumn(text, keyNode.offset)
        warnings.push(`${path}:${line}:${column}: unknown key "${key}" ignored (known keys: ${CONFIG_KEYS.join(', ')})`)
      }
      continue
    }
    const value: unknown = getNodeValue(valueNode)
    const where = { path, ...lineColumn(text, valueNode.offset), offset: valueNode.offset }
    if (key === 'share') settings.share = validateValue(key, value, where) as ShareMode
    else settings.shareServer = validateValue(key, value, where)
  }
  return settings
}

/** Parses JSONC; the object root, or undefined for an empty file. Throws on syntax errors and non-object roots. */
export function parseText(path: string, text: string): Node | undefined {
  const errors: ParseError[] = []
  const root = parseTree(text, errors, { allowTrailingComma: true, allowEmptyContent: true })
  const first = errors[0]
  if (first !== undefined) {
    const { line, column } = lineColumn(text, first.offset)
    throw new ConfigParseError(`${path}:${line}:${column}: ${printParseErrorCode(first.error)}`, { path, line, column, offset: first.offset })
  }
  if (root === undefined) return undefined
  if (root.type !== 'object') {
    const { line, column } = lineColumn(text, root.offset)
    throw new ConfigInvalidError(`${path}:${line}:${column}: the top level must be an object, got ${root.type}`, { path, line, column, offset: root.offset })
  }
  return root
}

interface Where { path?: string, line?: number, column?: number, offset?: number }

/** The value if `key` accepts it; else ERR_CONFIG_INVALID, located at `where` when that has a path. */
export function validateValue(key: ConfigKey, value: unknown, where: Where): string {
  const at = where.path === undefined ? '' : `${where.path}:${where.line}:${where.column}: `
  if (key === 'share') {
    if (typeof value !== 'string' || !(SHARE_MODES as readonly string[]).includes(value)) {
      throw new ConfigInvalidError(`${at}share must be one of ${SHARE_MODES.join(', ')}; got ${JSON.stringify(value)}`, where)
    }
    return value
  }
  // shareServer: an absolute http(s) URL; anything else would only fail later, at share time.
  let url: URL | undefined
  try {
    if (typeof value === 'string') url = new URL(value)
  } catch {
    url = undefined
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new ConfigInvalidError(`${at}shareServer must be an http:// or https:// URL; got ${JSON.stringify(value)}`, where)
  }
  return value as string
}

/** 1-based line and column (in UTF-16 code units, like editors count) of a string offset. */
export function lineColumn(text: string, offset: number): { line: number, column: number } {
  let line = 1
  let lineStart = 0
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++
      lineStart = i + 1
    }
  }
  return { line, column: offset - lineStart + 1 }
}

export async function exists(path: string): Promise<boolean> {
  try {
    await access(path)
    return true
  } catch (error) {
    if (isNotFound(error)) return false
    throw error
  }
}
