import path from 'node:path'
import { CONFIG_KEYS, loadConfig, setConfig, UsageError, type ConfigKey } from '../index.js'
import type { Command } from './command.js'
import { oneLine } from './text.js'

export const configCommand: Command = {
  name: 'config',
  summary: 'Show or change the share setting (global or per project)',
  usage: 'get [share|shareServer] [--project DIR] | set <share|shareServer> <value> [--project DIR]',
  description: [
    '`config get` prints the effective settings for a project folder (default: the current one)',
    'and which file set each. `config set share manual|auto|disabled` edits the global config,',
    'or with --project the project\'s session-journal.jsonc (commit it to set it for a team),',
    'keeping comments and formatting. `disabled` in a project file cannot be overridden.',
  ].join('\n'),
  options: {
    project: { type: 'string', value: 'DIR', description: 'The project folder (get: whose settings; set: edit its file)' },
  },
  args: { min: 1, max: 3 },
  async run(ctx) {
    const [action, key, value] = ctx.positionals as [string, string | undefined, string | undefined]
    const project = path.resolve(ctx.io.cwd ?? process.cwd(), ctx.string('project') ?? '.')
    const env = ctx.io.env as NodeJS.ProcessEnv
    if (key !== undefined && !CONFIG_KEYS.includes(key as ConfigKey)) {
      throw new UsageError(`config: unknown key ${JSON.stringify(key)} (keys: ${CONFIG_KEYS.join(', ')})`)
    }
    if (action === 'get') {
      if (value !== undefined) throw new UsageError('config get: too many arguments')
      const config = await loadConfig({ project, env })
      // A project's config file may come with a cloned repository: its text is sanitized too.
      for (const warning of config.warnings) await ctx.err(`warning: ${oneLine(warning)}\n`)
      if (ctx.json) {
        await ctx.outJson(key ? { [key]: config[key as ConfigKey] ?? null } : config)
      } else if (key) {
        await ctx.out(`${oneLine(config[key as ConfigKey] ?? '')}\n`)
      } else {
        await ctx.out(`share        ${oneLine(config.share)}  (${config.sources.share})\n`)
        await ctx.out(`shareServer  ${oneLine(config.shareServer ?? '-')}  (${config.sources.shareServer ?? 'unset'})\n`)
        for (const file of config.sources.files) await ctx.out(`read         ${oneLine(file)}\n`)
      }
      return 0
    }
    if (action === 'set') {
      if (key === undefined || value === undefined) throw new UsageError('config set: needs a key and a value (config set share disabled)')
      const scope = ctx.string('project') === undefined ? 'global' : 'project'
      const file = await setConfig(key, value, { scope, project, env })
      await (ctx.json ? ctx.outJson({ key, value, file }) : ctx.out(`${key} = ${oneLine(value)} in ${oneLine(file)}\n`))
      return 0
    }
    throw new UsageError(`config: unknown action ${JSON.stringify(action)} (get or set)`)
  },
}
