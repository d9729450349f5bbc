/**
 * Editing config files in place with jsonc-parser's modify/applyEdits: comments, formatting,
 * line endings and indentation survive; the value is validated before anything is written.
 * Finding and reading the files is files.ts's; precedence is load.ts's.
 */
import { join, resolve } from 'node:path'
import {
  CONFIG_KEYS, defaultConfigDir, exists, GLOBAL_CONFIG_FILE, isConfigKey, parseText, PROJECT_CONFIG_FILES, validateValue,
} from './files.js'
import { jsonc } from './jsonc.js'
import { MAX_CONFIG_BYTES, readConfigText } from './text.js'
import { ConfigInvalidError, UsageError } from '../core/errors.js'
import { writeFileAtomic } from '../core/files.js'

export interface SetConfigOptions {
  scope: 'global' | 'project'
  /** Required for `scope: 'project'`. */
  project?: string
  configDir?: string
  env?: NodeJS.ProcessEnv
}

/**
 * Sets (or, with `value` undefined, removes) one key in the global or project
 * file, keeping comments and formatting. Returns the path written.
 * Two concurrent calls on the same file can lose one of the edits (last rename wins).
 */
export async function setConfig(key: string, value: string | undefined, options: SetConfigOptions): Promise<string> {
  if (!isConfigKey(key)) {
    throw new ConfigInvalidError(`unknown config key "${key}"; known keys: ${CONFIG_KEYS.join(', ')}`)
  }
  if (value !== undefined) validateValue(key, value, {})
  const path = await targetFile(options)

  let text = (await readConfigText(path)) ?? ''
  // Refuse to edit a file we cannot read back (syntax, depth, a key twice): the edit would land
  // in the wrong place, or in one of two copies of the key while the other still counts.
  const root = parseText(path, text)
  if (root === undefined) text = text.trim() === '' ? '{}\n' : `${text.trimEnd()}\n{}\n`
  const eol = text.includes('\r\n') ? '\r\n' : '\n'
  const indent = /^([ \t]+)\S/m.exec(text)?.[1] ?? '  '
  const edits = jsonc().modify(text, [key], value, {
    formattingOptions: { insertSpaces: !indent.startsWith('\t'), tabSize: indent.startsWith('\t') ? 1 : indent.length, eol },
  })
  let next = jsonc().applyEdits(text, edits)
  if (!next.endsWith(eol)) next += eol
  if (Buffer.byteLength(next) > MAX_CONFIG_BYTES) {
    throw new ConfigInvalidError(`${path}: the edit would make it larger than ${MAX_CONFIG_BYTES} bytes, more than a config file may hold; nothing was written`, { path })
  }
  // Also removes temp files a killed earlier write left beside it (in a user's repository, too).
  await writeFileAtomic(path, next)
  return path
}

async function targetFile(options: SetConfigOptions): Promise<string> {
  if (options.scope === 'global') {
    return join(options.configDir ?? defaultConfigDir(options.env ?? process.env), GLOBAL_CONFIG_FILE)
  }
  if (options.scope !== 'project') throw new UsageError(`scope must be "global" or "project", got ${JSON.stringify(options.scope)}`)
  if (options.project === undefined) throw new UsageError('setConfig with scope "project" needs options.project')
  const dir = resolve(options.project)
  for (const name of PROJECT_CONFIG_FILES) {
    if (await exists(join(dir, name))) return join(dir, name)
  }
  return join(dir, PROJECT_CONFIG_FILES[0])
}
