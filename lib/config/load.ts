/**
 * Configuration: a global `config.jsonc` and project `session-journal.jsonc`
 * files, plus `$SESSION_JOURNAL_SHARE`. JSONC so people can leave comments,
 * and edits go through jsonc-parser's `modify` so those comments survive.
 *
 * Precedence for `share`: env > project > global > default `manual`, except
 * that `disabled` in a project file wins over everything: a team commits it
 * to the repository and no personal setting can turn sharing back on.
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

export interface ConfigSources {
  /** Where the effective `share` came from. */
  share: 'env' | 'project' | 'global' | 'default'
  /** Where `shareServer` came from; absent when no file sets it. */
  shareServer?: 'project' | 'global'
  /** Every config file that was found and read, lowest precedence first (global, then project files from the git root down). */
  files: string[]
}

export interface Config {
  share: ShareMode
  shareServer?: string
  sources: ConfigSources
  /** Unknown keys and ignored overrides; never fatal. */
  warnings: string[]
}

export interface LoadConfigOptions {
  /** The project folder (usually the session's `projectPath`). */
  project: string
  /** Folder of the global `config.jsonc`; default `$SESSION_JOURNAL_CONFIG_DIR`, else the platform config dir. */
  configDir?: string
  /** Environment to read `SESSION_JOURNAL_*` from; default `process.env`. */
  env?: NodeJS.ProcessEnv
}

/** What one file said, after validation. */
interface FileSettings {
  path: string
  share?: ShareMode
  shareServer?: string
}

export function defaultConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.SESSION_JOURNAL_CONFIG_DIR
  if (fromEnv !== undefined && fromEnv !== '') return resolve(fromEnv)
  return envPaths('session-journal', { suffix: '' }).config
}

export async function loadConfig(options: LoadConfigOptions): Promise<Config> {
  const env = options.env ?? process.env
  const warnings: string[] = []
  const globalPath = join(options.configDir ?? defaultConfigDir(env), GLOBAL_CONFIG_FILE)
  const global = await readSettings(globalPath, warnings)
  // projectFolders() goes upwards, so this list is nearest first: nearer files override farther ones.
  const nearestFirst: FileSettings[] = []
  for (const dir of await projectFolders(resolve(options.project))) {
    const found = await readProjectFolder(dir, warnings)
    if (found !== undefined) nearestFirst.push(found)
  }
  const files = [...(global ? [global.path] : []), ...[...nearestFirst].reverse().map(f => f.path)]

  const envShare = readEnvShare(env)
  const projectShare = nearestFirst.find(f => f.share !== undefined)
  const enforcedBy = nearestFirst.find(f => f.share === 'disabled')

  let share: ShareMode = 'manual'
  let shareSource: ConfigSources['share'] = 'default'
  if (enforcedBy) {
    share = 'disabled'
    shareSource = 'project'
    if (envShare !== undefined && envShare !== 'disabled') {
      warnings.push(`SESSION_JOURNAL_SHARE=${envShare} ignored: sharing is disabled by ${enforcedBy.path}`)
    }
    if (projectShare !== undefined && projectShare !== enforcedBy) {
      warnings.push(`share "${projectShare.share}" in ${projectShare.path} ignored: sharing is disabled by ${enforcedBy.path}`)
    }
  } else if (envShare !== undefined) {
    share = envShare
    shareSource = 'env'
  } else if (projectShare?.share !== undefined) {
    share = projectShare.share
    shareSource = 'project'
  } else if (global?.share !== undefined) {
    share = global.share
    shareSource = 'global'
  }

  const config: Config = { share, sources: { share: shareSource, files }, warnings }
  const projectServer = nearestFirst.find(f => f.shareServer !== undefined)?.shareServer
  if (projectServer !== undefined) {
    config.shareServer = projectServer
    config.sources.shareServer = 'project'
  } else if (global?.shareServer !== undefined) {
    config.shareServer = global.shareServer
    config.sources.shareServer = 'global'
  }
  return config
}

export function isConfigKey(key: string): key is ConfigKey {
  return (CONFIG_KEYS as readonly string[]).includes(key)
}

/** The project folder and its ancestors up to the git root; only the folder itself outside git. */
async function projectFolders(project: string): Promise<string[]> {
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

async function readProjectFolder(dir: string, warnings: string[]): Promise<FileSettings | undefined> {
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

async function readSettings(path: string, warnings: string[]): Promise<FileSettings | undefined> {
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
/** @internal config-edit.ts */
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

function readEnvShare(env: NodeJS.ProcessEnv): ShareMode | undefined {
  const raw = env.SESSION_JOURNAL_SHARE
  // An empty variable is how shells unset things in one-off commands; treat it as unset.
  if (raw === undefined || raw === '') return undefined
  if (!(SHARE_MODES as readonly string[]).includes(raw)) {
    throw new ConfigInvalidError(`SESSION_JOURNAL_SHARE=${JSON.stringify(raw)} is not valid; allowed values: ${SHARE_MODES.join(', ')}`)
  }
  return raw as ShareMode
}

interface Where { path?: string, line?: number, column?: number, offset?: number }

/** @internal config-edit.ts */
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

/** @internal config-edit.ts */
export async function exists(path: string): Promise<boolean> {
  try {
    await access(path)
    return true
  } catch (error) {
    if (isNotFound(error)) return false
    throw error
  }
}
