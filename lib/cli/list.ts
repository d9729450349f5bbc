import path from 'node:path'
import { UsageError, type SessionRow } from '../index.js'
import { intOption } from './args.js'
import type { Command } from './command.js'
import { oneLine, shortTime, table, truncate } from './format.js'

export const listCommand: Command = {
  name: 'list',
  summary: "List sessions, newest first (the current folder's project unless --all)",
  usage: '[--project DIR] [--all] [--limit N] [--json]',
  description: [
    "Lists the sessions of one project, newest update first: by default the project of the",
    'current folder, with --project that of DIR, with --all those of every project.',
    'Damaged sessions are always listed, marked "damaged" (see `verify`).',
    '',
    'On a terminal: an aligned table. Otherwise one tab-separated line per session:',
    'id, project path, title, created, updated, messages, flags (shared,damaged).',
    'With --json: one JSON object per line (NDJSON).',
  ].join('\n'),
  options: {
    project: { type: 'string', value: 'DIR', description: 'Sessions of the project folder DIR' },
    all: { type: 'boolean', description: 'Sessions of every project' },
    limit: { type: 'string', short: 'n', value: 'N', description: 'At most N sessions' },
  },
  args: { min: 0, max: 0 },
  async run(ctx) {
    const limit = intOption('list', 'limit', ctx.string('limit'), 0)
    const project = ctx.string('project')
    if (project !== undefined && ctx.flag('all')) throw new UsageError('list: --project and --all cannot be used together')
    const cwd = ctx.io.cwd ?? process.cwd()
    const rows = await ctx.journal.list({
      ...(ctx.flag('all') ? {} : { project: path.resolve(cwd, project ?? '.') }),
      ...(limit === undefined ? {} : { limit }),
    })
    if (ctx.json) {
      const out = ctx.ndjson()
      for (const row of rows) await out.write(row)
      await out.end()
    } else if (ctx.io.isTTY) {
      if (rows.length === 0) await ctx.err(`no sessions${ctx.flag('all') ? '' : ` in ${path.resolve(cwd, project ?? '.')} (--all lists every project)`}\n`)
      else await ctx.out(table([['ID', 'UPDATED', 'CREATED', 'MSGS', 'TITLE', 'PROJECT'], ...rows.map(row => [
        row.id, shortTime(row.updated), shortTime(row.created), String(row.messages),
        truncate(oneLine(row.title ?? '(untitled)'), 40) + (row.damaged ? ' [damaged]' : ''), row.projectPath,
      ])]))
    } else {
      for (const row of rows) await ctx.out(`${plain(row)}\n`)
    }
    return 0
  },
}

function plain(row: SessionRow): string {
  const flags = [row.shared ? 'shared' : '', row.damaged ? 'damaged' : ''].filter(Boolean).join(',')
  return [row.id, oneLine(row.projectPath), oneLine(row.title ?? ''), row.created, row.updated, String(row.messages), flags].join('\t')
}
