/** list_sessions: the digest rows of the listing cache, a page at a time (newest first). */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'
import type { SessionRow } from '../index.js'
import { decodeCursor, encodeCursor, guarded, jsonResult, type McpContext } from './result.js'

export const LIST_DEFAULT = 20
export const LIST_MAX = 200

type After = [updated: string, id: string]
const isAfter = (v: unknown): v is After => Array.isArray(v) && v.length === 2 && v.every(x => typeof x === 'string')

export function registerListSessions(server: McpServer, ctx: McpContext): void {
  server.registerTool('list_sessions', {
    title: 'List sessions',
    description: [
      'Lists the user\'s recorded agent sessions, newest update first, as digest rows: id, title',
      '(the first prompt when there is none: titleFromPrompt true), firstPrompt and lastPrompt (what',
      'the user asked first and last), messages and their count by role, tool calls by tool name,',
      'times, project folder, usage totals.',
      `At most \`limit\` rows (default ${LIST_DEFAULT}); pass \`nextCursor\` back as \`cursor\` for more.`,
      'since/until: a span back from now (30m, 12h, 7d, 2w), a day YYYY-MM-DD or an ISO 8601 time.',
    ].join(' '),
    inputSchema: {
      project: z.string().min(1).optional().describe('Only the sessions of this project folder (absolute path)'),
      since: z.string().optional().describe('Only sessions updated since then: 7d, 12h, YYYY-MM-DD or an ISO time'),
      until: z.string().optional().describe('Only sessions created before then (a day counts whole)'),
      limit: z.number().int().min(1).max(LIST_MAX).optional().describe(`Rows per page (default ${LIST_DEFAULT}, at most ${LIST_MAX})`),
      cursor: z.string().optional().describe('nextCursor of the previous page'),
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, guarded(ctx, async ({ project, since, until, limit, cursor }) => {
    const after = cursor === undefined ? undefined : decodeCursor(cursor, isAfter)
    const rows = await ctx.journal.list({
      ...(project === undefined ? {} : { project }),
      ...(since === undefined ? {} : { since }),
      ...(until === undefined ? {} : { until }),
    })
    // Keyed on (updated, id), the listing's order: a session created meanwhile does not shift the pages.
    const start = after === undefined ? 0 : firstAfter(rows, after)
    const size = limit ?? LIST_DEFAULT
    const page = rows.slice(start, start + size)
    const last = page.at(-1)
    return jsonResult(ctx, {
      sessions: page.map(digest),
      total: rows.length,
      nextCursor: start + size < rows.length && last ? encodeCursor([last.updated, last.id]) : null,
    })
  }))
}

function firstAfter(rows: SessionRow[], [updated, id]: After): number {
  const i = rows.findIndex(r => r.updated < updated || (r.updated === updated && r.id < id))
  return i === -1 ? rows.length : i
}

/** A row as an agent needs it: usage cut to its totals (per-model detail is session_usage's). */
export function digest(row: SessionRow): Record<string, unknown> {
  const { usage, ...rest } = row
  return { ...rest, usage: { events: usage.events, input: usage.input, output: usage.output, cost: usage.cost } }
}
