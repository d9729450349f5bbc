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
import type { Node, ParseError } from 'jsonc-parser'
import { ConfigInvalidError, ConfigParseError, isNotFound } from '../core/errors.js'
import { jsonc } from './jsonc.js'
import { locator, MAX_CONFIG_DEPTH, readConfigText, tooDeepAt, type Locate } from './text.js'
import { readPrices, type ModelPrice } from './prices.js'

export type ShareMode = 'manual' | 'auto' | 'disabled'
export const SHARE_MODES: readonly ShareMode[] = ['manual', 'auto', 'disabled']

export type ConfigKey = 'share' | 'shareServer'
export const CONFIG_KEYS: readonly ConfigKey[] = ['share', 'shareServer']
/** Keys that are accepted without a warning but carry no setting (editor schema hints). */
const IGNORED_KEYS = new Set(['$schema'])
/** Unknown keys listed one by one per file; the rest are one line (a file of 30k stray keys is one mistake). */
export const MAX_KEY_WARNINGS = 10

export const GLOBAL_CONFIG_FILE = 'config.jsonc'
/** Names looked for in each project folder, first match wins within a folder. */
export const PROJECT_CONFIG_FILES = ['session-journal.jsonc', 'session-journal.json'] as const

/** What one file said, after validation. */
export interface FileSettings {
  path: string
  share?: ShareMode
  shareServer?: string
  prices?: Record<string, ModelPrice>
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
  const text = await readConfigText(path)
  if (text === undefined) return undefined
  const settings: FileSettings = { path }
  const at = locator(text)
  const root = parseText(path, text, at)
  if (root === undefined) return settings // empty or comments only: no settings
  let unknown = 0
  let lastUnknown: Node | undefined
  for (const property of root.children ?? []) {
    const keyNode = property.children?.[0]
    const valueNode = property.children?.[1]
    if (keyNode === undefined || valueNode === undefined) continue
    const key = String(keyNode.value)
    // Edited by hand, not with `config set`: an object, validated on its own (prices.ts).
    if (key === 'prices') { settings.prices = readPrices(valueNode, path, at); continue }
    if (!isConfigKey(key)) {
      if (IGNORED_KEYS.has(key)) continue
      if (++unknown > MAX_KEY_WARNINGS) {
        lastUnknown = keyNode
        continue
      }
      const { line, column } = at(keyNode.offset)
      warnings.push(`${path}:${line}:${column}: unknown key "${key}" ignored (known keys: ${[...CONFIG_KEYS, 'prices'].join(', ')})`)
      continue
    }
    const value: unknown = jsonc().getNodeValue(valueNode)
    const where = { path, ...at(valueNode.offset), offset: valueNode.offset }
    if (key === 'share') settings.share = validateValue(key, value, where) as ShareMode
    else settings.shareServer = validateValue(key, value, where)
  }
  if (lastUnknown !== undefined) {
    const { line, column } = at(lastUnknown.offset)
    warnings.push(`${path}:${line}:${column}: ${unknown - MAX_KEY_WARNINGS} more unknown keys ignored, the last "${String(lastUnknown.value)}" here (only the first ${MAX_KEY_WARNINGS} are listed)`)
  }
  return settings
}

/**
 * Parses JSONC; the object root, or undefined for an empty file. Throws ERR_CONFIG_PARSE on
 * syntax errors and nesting past MAX_CONFIG_DEPTH, ERR_CONFIG_INVALID on a non-object root and
 * on a key that appears twice in one object (jsonc-parser would keep both: which one counts
 * would depend on who reads, and a team's "disabled" could be overridden further down).
 */
export function parseText(path: string, text: string, at: Locate = locator(text)): Node | undefined {
  const deep = tooDeepAt(text)
  if (deep !== undefined) {
    const { line, column } = at(deep)
    throw new ConfigParseError(`${path}:${line}:${column}: nested deeper than ${MAX_CONFIG_DEPTH} levels`, { path, line, column, offset: deep })
  }
  const errors: ParseError[] = []
  const root = jsonc().parseTree(text, errors, { allowTrailingComma: true, allowEmptyContent: true })
  const first = errors[0]
  if (first !== undefined) {
    const { line, column } = at(first.offset)
    throw new ConfigParseError(`${path}:${line}:${column}: ${jsonc().printParseErrorCode(first.error)}`, { path, line, column, offset: first.offset })
  }
  if (root === undefined) return undefined
  if (root.type !== 'object') {
    const { line, column } = at(root.offset)
    throw new ConfigInvalidError(`${path}:${line}:${column}: the top level must be an object, got ${root.type}`, { path, line, column, offset: root.offset })
  }
  const duplicate = firstDuplicate(root)
  if (duplicate !== undefined) {
    const { line, column } = at(duplicate.again.offset)
    const before = at(duplicate.first.offset)
    throw new ConfigInvalidError(`${path}:${line}:${column}: duplicate key "${String(duplicate.again.value)}" (first at ${before.line}:${before.column}); a key may appear only once`,
      { path, line, column, offset: duplicate.again.offset })
  }
  return root
}

/** The repeated key that comes first in the text, in any object at any level. A loop: depth was checked. */
function firstDuplicate(root: Node): { first: Node, again: Node } | undefined {
  let found: { first: Node, again: Node } | undefined
  const stack = [root]
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (node.type === 'array') for (const child of node.children ?? []) stack.push(child)
    if (node.type !== 'object') continue
    // Keys compare unescaped ("sh\u0061re" is "share"), as every JSON reader sees them.
    const seen = new Map<string, Node>()
    for (const property of node.children ?? []) {
      const [key, value] = property.children ?? []
      if (value !== undefined) stack.push(value)
      if (key === undefined) continue
      const first = seen.get(String(key.value))
      if (first === undefined) seen.set(String(key.value), key)
      else if (found === undefined || key.offset < found.again.offset) found = { first, again: key }
    }
  }
  return found
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

export async function exists(path: string): Promise<boolean> {
  try {
    await access(path)
    return true
  } catch (error) {
    if (isNotFound(error)) return false
    throw error
  }
}
