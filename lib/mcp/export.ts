/** export_session: the whole session as the export document (docs/export.md). */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'
import { OUTPUT_LINES } from '../index.js'
import { guarded, textResult, type McpContext } from './result.js'

export function registerExportSession(server: McpServer, ctx: McpContext): void {
  server.registerTool('export_session', {
    title: 'Export a session',
    description: [
      'The whole session as one document: format "json" is the export document of docs/export.md',
      '({ format, version, info, messages }); format "markdown" a readable transcript (a heading per',
      'message, tool calls on one line, their outputs cut at `maxOutputLines` lines). Unbounded by',
      'nature: for reading, read_session pages.',
    ].join(' '),
    inputSchema: {
      id: z.string().describe('The session id (from list_sessions)'),
      format: z.enum(['json', 'markdown']).optional().describe('"json" (default) or "markdown"'),
      maxOutputLines: z.number().int().min(0).max(1_000_000).optional().describe(`Markdown: lines kept of each tool output (default ${OUTPUT_LINES})`),
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, guarded(ctx, async ({ id, format, maxOutputLines }) => {
    // Redacted the way each format is made (every string value before it is written), so JSON stays valid JSON.
    const options = { redact: ctx.redact }
    const text = format === 'markdown'
      ? await ctx.journal.exportMarkdown(id, { ...options, ...(maxOutputLines === undefined ? {} : { maxOutputLines }) })
      : JSON.stringify(await ctx.journal.export(id, options), null, 2)
    return textResult({ ...ctx, redact: false }, text)
  }))
}
