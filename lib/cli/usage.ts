/**
 * `usage`: token and cost totals grouped by day, week, month, project, model or session, from
 * the listing cache (journal.usage(); docs/usage.md). A table with a total line on a terminal,
 * tab-separated lines otherwise, the whole report as JSON with --json.
 */
import path from 'node:path'
import { UsageError, type UsageGroup, type UsageReport, type UsageRow } from '../index.js'
import type { Command } from './command.js'
import { table } from './format.js'
import { projectSessions } from './list.js'
import { oneLine, safeJson } from './text.js'
import { defaultTimeZone } from './time.js'

const GROUPS: readonly UsageGroup[] = ['day', 'week', 'month', 'project', 'model', 'session']

export const usageCommand: Command = {
  name: 'usage',
  summary: 'Token and cost totals by day, week, month, project, model or session',
  usage: '[--by day|week|month|project|model|session] [--since WHEN] [--until WHEN] [--project [DIR]] [--json]',
  description: [
    'Sums the usage events hosts record (docs/usage.md): input, output, reasoning and cache',
    'tokens and cost, each request counted once however often it was written. Days, weeks',
    '(ISO, from Monday) and months are in the local time zone. WHEN is a day (YYYY-MM-DD,',
    'inclusive) or an ISO 8601 time. Cost is the host\'s when it gave one, else from the',
    '`prices` table of the config; a "+?" after a cost means some tokens had no price.',
    '',
    'On a terminal: a table with a total line. Otherwise one tab-separated line per group:',
    'group, events, input, output, reasoning, cache read, cache write, cost, models.',
    'With --json: the report { by, timeZone, rows, total }.',
  ].join('\n'),
  options: {
    by: { type: 'string', value: 'GROUP', description: 'day (default), week, month, project, model or session' },
    since: { type: 'string', value: 'WHEN', description: 'From this day or time' },
    until: { type: 'string', value: 'WHEN', description: 'To this day (inclusive) or time' },
    project: { type: 'string', value: 'DIR', optional: '.', description: "Only DIR's project (default: the current folder's), walking up to the git root" },
  },
  args: { min: 0, max: 0 },
  async run(ctx) {
    const by = ctx.string('by') ?? 'day'
    if (!(GROUPS as readonly string[]).includes(by)) throw new UsageError(`usage: --by must be one of ${GROUPS.join(', ')}, got ${JSON.stringify(by)}`)
    const since = ctx.string('since')
    const until = ctx.string('until')
    const dir = ctx.string('project')
    const project = dir === undefined ? undefined : (await projectSessions(ctx.journal, path.resolve(ctx.io.cwd ?? process.cwd(), dir))).folder
    const report = await ctx.journal.usage({
      by: by as UsageGroup,
      timeZone: ctx.io.timeZone ?? defaultTimeZone(),
      ...(since === undefined ? {} : { since }),
      ...(until === undefined ? {} : { until }),
      ...(project === undefined ? {} : { project }),
    })
    if (ctx.json) {
      await ctx.out(`${safeJson(report, 2)}\n`)
      return 0
    }
    if (report.rows.length === 0) {
      await ctx.err('no usage recorded in that range\n')
      return 0
    }
    await ctx.out(ctx.io.isTTY ? tty(report) : report.rows.map(tsv).join(''))
    return 0
  },
}

const count = (n: number) => n.toLocaleString('en-US')

/** `1.2345 USD, 0.10 EUR`, and `+?` when some tokens had neither a cost nor a price. */
export function costText(row: Pick<UsageRow, 'cost' | 'costUnknown'>): string {
  const known = Object.entries(row.cost).sort(([a], [b]) => a.localeCompare(b)).map(([currency, value]) => `${value.toFixed(4)} ${currency}`)
  if (known.length === 0) return row.costUnknown ? '?' : '0'
  return `${known.join(', ')}${row.costUnknown ? ' +?' : ''}`
}

function cells(row: UsageRow): string[] {
  return [oneLine(row.group), count(row.events), count(row.input), count(row.output), count(row.reasoning), count(row.cacheRead), count(row.cacheWrite), costText(row), oneLine(row.models.join(','))]
}

function tty(report: UsageReport): string {
  const head = [report.by.toUpperCase(), 'EVENTS', 'INPUT', 'OUTPUT', 'REASONING', 'CACHE READ', 'CACHE WRITE', 'COST', 'MODELS']
  return table([head, ...report.rows.map(cells), cells({ ...report.total, group: 'total', models: [] })])
}

function tsv(row: UsageRow): string {
  return `${[oneLine(row.group), row.events, row.input, row.output, row.reasoning, row.cacheRead, row.cacheWrite, costText(row), oneLine(row.models.join(','))].join('\t')}\n`
}
