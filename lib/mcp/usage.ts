/** session_usage: journal.usage() (tokens and cost, grouped) from the listing cache. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'
import { guarded, jsonResult, type McpContext } from './result.js'

export function registerSessionUsage(server: McpServer, ctx: McpContext): void {
  server.registerTool('session_usage', {
    title: 'Token usage',
    description: [
      'Token and cost totals of the recorded sessions, grouped by day, week, month, project, model',
      'or session, with a total. since/until: 7d, 12h, a day YYYY-MM-DD (inclusive) or an ISO time.',
    ].join(' '),
    inputSchema: {
      by: z.enum(['day', 'week', 'month', 'project', 'model', 'session']).optional().describe('Grouping (default day)'),
      since: z.string().optional().describe('From then: 7d, 12h, YYYY-MM-DD or an ISO time'),
      until: z.string().optional().describe('To then (a day is inclusive)'),
      project: z.string().min(1).optional().describe('Only this project folder (absolute path)'),
      timeZone: z.string().optional().describe('IANA zone for days (default the server\'s)'),
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, guarded(ctx, async args => {
    const options = Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined))
    const report = await ctx.journal.usage(options)
    return jsonResult(ctx, { ...report })
  }))
}
