/** search_sessions: journal.search() (ranked full-text search over every session), hits redacted like every result. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'
import { guarded, jsonResult, type McpContext } from './result.js'

export const SEARCH_DEFAULT = 20
export const SEARCH_MAX = 200

export function registerSearchSessions(server: McpServer, ctx: McpContext): void {
  server.registerTool('search_sessions', {
    title: 'Search sessions',
    description: [
      'Full-text search over every recorded session, best match first: words are AND-ed,',
      '"a phrase", prefix*, -word excludes; code is findable as written (ERR_X, src/a.ts).',
      'Each hit names the session (id, title, project), the message, its role and date, and a snippet.',
      'since/until: 30m, 12h, 7d, 2w, or an ISO 8601 time.',
    ].join(' '),
    inputSchema: {
      query: z.string().min(1).describe('What to look for'),
      project: z.string().min(1).optional().describe('Only the sessions of this project folder (absolute path)'),
      since: z.string().optional().describe('Only messages since then: 7d, 12h or an ISO time'),
      until: z.string().optional().describe('Only messages until then'),
      role: z.enum(['user', 'assistant', 'system']).optional().describe('Only messages of this role'),
      limit: z.number().int().min(1).max(SEARCH_MAX).optional().describe(`At most this many hits (default ${SEARCH_DEFAULT})`),
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, guarded(ctx, async ({ query, project, since, until, role, limit }) => {
    const hits = await ctx.journal.search(query, {
      ...(project === undefined ? {} : { project }),
      ...(since === undefined ? {} : { since }),
      ...(until === undefined ? {} : { until }),
      ...(role === undefined ? {} : { role }),
      limit: limit ?? SEARCH_DEFAULT,
    })
    return jsonResult(ctx, { hits })
  }))
}
