/**
 * Which setting wins: a global `config.jsonc`, project `session-journal.jsonc`
 * files and `$SESSION_JOURNAL_SHARE`. Finding and reading the files is files.ts's.
 *
 * Precedence for `share`: env > project > global > default `manual`, except
 * that `disabled` in a project file wins over everything: a team commits it
 * to the repository and no personal setting can turn sharing back on.
 */

import { join, resolve } from 'node:path'
import { ConfigInvalidError } from '../core/errors.js'
import {
  defaultConfigDir, GLOBAL_CONFIG_FILE, projectFolders, readProjectFolder, readSettings, SHARE_MODES,
  type FileSettings, type ShareMode,
} from './files.js'
import type { ModelPrice } from './prices.js'

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
  /** USD per million tokens per model (usage.md): the files' `prices`, a nearer file's model overriding a farther one's; absent when no file has any. */
  prices?: Record<string, ModelPrice>
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

  const prices: Record<string, ModelPrice> = {}
  for (const f of [global, ...[...nearestFirst].reverse()]) {
    // defineProperty, not assignment: a model named __proto__ is a key like any other.
    for (const [model, price] of Object.entries(f?.prices ?? {})) Object.defineProperty(prices, model, { value: price, enumerable: true, writable: true, configurable: true })
  }
  const config: Config = { share, sources: { share: shareSource, files }, warnings }
  if ([global, ...nearestFirst].some(f => f?.prices !== undefined)) config.prices = prices
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

function readEnvShare(env: NodeJS.ProcessEnv): ShareMode | undefined {
  const raw = env.SESSION_JOURNAL_SHARE
  // An empty variable is how shells unset things in one-off commands; treat it as unset.
  if (raw === undefined || raw === '') return undefined
  if (!(SHARE_MODES as readonly string[]).includes(raw)) {
    throw new ConfigInvalidError(`SESSION_JOURNAL_SHARE=${JSON.stringify(raw)} is not valid; allowed values: ${SHARE_MODES.join(', ')}`)
  }
  return raw as ShareMode
}
