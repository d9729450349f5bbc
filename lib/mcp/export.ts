/** export_session: the whole session as the export document (docs/export.md). */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'
import { guarded, textResult, type McpContext } from './result.js'

export function registerExportSession(server: McpServer, ctx: McpContext): void {
  server.registerTool('export_session', {
    title: 'Export a session',
    description: [
      'The whole session as one document: format "json" is the export document of docs/export.md',
      '({ format, version, info, messages }). Unbounded by nature: for reading, read_session pages.',
    ].join(' '),
    inputSchema: {
      id: z.string().describe('The session id (from list_sessions)'),
      format: z.enum(['json']).optional().describe('"json" (default)'),
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, guarded(ctx, async ({ id }) => {
    // The export's own redaction (every string value), so the document stays valid JSON.
    const doc = await ctx.journal.export(id, { redact: ctx.redact })
    return textResult({ ...ctx, redact: false }, JSON.stringify(doc, null, 2))
  }))
}
