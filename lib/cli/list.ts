import fs from 'node:fs'
import path from 'node:path'
import { UsageError, type Journal, type SessionRow } from '../index.js'
import { intOption } from './args.js'
import type { Command, Context } from './command.js'
import { table } from './format.js'
import { oneLine, safeJson, truncate } from './text.js'

export const listCommand: Command = {
  name: 'list',
  summary: 'List the sessions of every project, newest first (--project: one project)',
  usage: '[--project [DIR]] [--since WHEN] [--until WHEN] [-n N] [--json]',
  description: [
    'Lists every session of every project, newest update first: id, times, message count,',
    'flags (shared, damaged), title and project path. With --project, only the sessions of',
    "one project: DIR's (default: the current folder), found by walking up from DIR to the git",
    'root (a folder holding .git) to the nearest folder that has sessions, else the git root.',
    '--all is accepted and does nothing: every project is the default.',
    'WHEN is a span back from now (30m, 12h, 7d, 2w), a local day (YYYY-MM-DD, inclusive) or an',
    'ISO 8601 time: --since keeps sessions updated since then, --until those created before.',
    'Damaged sessions are always listed, flagged "damaged" (see `verify`). On a terminal an',
    'untitled session shows its first prompt in quotes instead of a title.',
    '',
    'On a terminal: an aligned table. Otherwise one tab-separated line per session, no',
    'header: id, project path, title, created, updated, messages, flags (shared,damaged).',
    'Times are local with their offset. With --json: one JSON array of rows ([] when none), each',
    'with its digest: firstPrompt, lastPrompt, messages by role (roles), tool calls by name (tools);',
    'an untitled session\'s title is its first prompt there, with titleFromPrompt: true.',
  ].join('\n'),
  options: {
    project: { type: 'string', value: 'DIR', optional: '.', description: "Only DIR's project (default: the current folder's), walking up to the git root" },
    all: { type: 'boolean', description: 'Every project: the default (kept so old scripts still run)' },
    since: { type: 'string', value: 'WHEN', description: 'Only sessions updated since WHEN (7d, 12h, YYYY-MM-DD, ISO time)' },
    until: { type: 'string', value: 'WHEN', description: 'Only sessions created before WHEN (a day counts whole)' },
    limit: { type: 'string', short: 'n', value: 'N', description: 'At most N sessions' },
  },
  args: { min: 0, max: 0 },
  async run(ctx) {
    const limit = intOption('list', 'limit', ctx.string('limit'), 0)
    const project = ctx.string('project')
    if (project !== undefined && ctx.flag('all')) throw new UsageError('list: --project and --all cannot be used together (--all is the default)')
    const since = ctx.string('since')
    const until = ctx.string('until')
    const filters = { ...(since === undefined ? {} : { since }), ...(until === undefined ? {} : { until }), ...(limit === undefined ? {} : { limit }) }
    let where: string | undefined
    let rows: SessionRow[]
    if (project === undefined) {
      rows = await ctx.journal.list(filters)
    } else {
      ({ folder: where, rows } = await projectSessions(ctx.journal, path.resolve(ctx.io.cwd ?? process.cwd(), project)))
      // The project is the one that has sessions at all; the filters then narrow its rows.
      if (Object.keys(filters).length > 0) rows = await ctx.journal.list({ project: where, ...filters })
    }
    if (ctx.json) {
      // One array, not NDJSON: an empty result is still JSON (`[]`), one row per line.
      await ctx.out(rows.length === 0 ? '[]\n' : `[\n${rows.map(row => safeJson(row)).join(',\n')}\n]\n`)
      return 0
    }
    if (rows.length === 0) {
      // On stderr, so a script reading stdout sees no rows, and a person (or an agent) sees why.
      await ctx.err(where === undefined ? 'no sessions\n' : `no sessions in the project of ${oneLine(where)} (without --project: every project)\n`)
    } else if (ctx.io.isTTY) {
      await ctx.out(table([['ID', 'UPDATED', 'CREATED', 'MSGS', 'FLAGS', 'TITLE', 'PROJECT'], ...rows.map(row => [
        row.id, ctx.time(row.updated), ctx.time(row.created), String(row.messages), flags(row),
        truncate(oneLine(shownTitle(row)), 40), oneLine(row.projectPath),
      ])]))
    } else {
      // One write per ~64 KiB, not per row: 10k awaited writes cost more than the listing.
      let chunk = ''
      for (const row of rows) {
        chunk += `${plain(ctx, row)}\n`
        if (chunk.length >= 65_536) { await ctx.out(chunk); chunk = '' }
      }
      if (chunk !== '') await ctx.out(chunk)
    }
    return 0
  },
}

function flags(row: SessionRow): string {
  return [row.shared ? 'shared' : '', row.damaged ? 'damaged' : ''].filter(Boolean).join(',')
}

function plain(ctx: Context, row: SessionRow): string {
  return [row.id, oneLine(row.projectPath), oneLine(row.titleFromPrompt ? '' : row.title ?? ''), ctx.time(row.created), ctx.time(row.updated), String(row.messages), flags(row)].join('\t')
}

/**
 * The project `dir` is in, as `config` finds a project's files: `dir` and its parents up to the
 * git root, nearest first (only `dir` outside git). The nearest of them that has sessions is
 * the project (a session is recorded against the folder the host ran in, often the git root,
 * sometimes a package inside it); when none has, the git root's (empty) listing.
 */
export async function projectSessions(journal: Journal, dir: string): Promise<{ folder: string, rows: SessionRow[] }> {
  const chain = gitChain(dir)
  for (const folder of chain) {
    const rows = await journal.list({ project: folder })
    if (rows.length > 0) return { folder, rows }
  }
  return { folder: chain.at(-1)!, rows: [] }
}

function gitChain(dir: string): string[] {
  const chain: string[] = []
  for (let at = dir; ; at = path.dirname(at)) {
    chain.push(at)
    if (fs.existsSync(path.join(at, '.git'))) return chain // a .git file (worktree, submodule) counts
    if (path.dirname(at) === at) return [dir]
  }
}

/** A title, else the first prompt standing in, in quotes (so it is not mistaken for a title), else (untitled). */
function shownTitle(row: SessionRow): string {
  return row.titleFromPrompt ? `“${row.title}”` : row.title ?? '(untitled)'
}
