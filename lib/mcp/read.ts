/** read_session: one session's transcript a page of messages at a time, tool outputs cut. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'
import { guarded, decodeCursor, encodeCursor, jsonResult, textResult, type McpContext } from './result.js'
import { cutMessage, renderHead, renderMessage } from './transcript.js'

export const READ_DEFAULT = 20
export const READ_MAX = 200
export const OUTPUT_DEFAULT = 2000
export const OUTPUT_MAX = 1_000_000

const isIndex = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0

export function registerReadSession(server: McpServer, ctx: McpContext): void {
  server.registerTool('read_session', {
    title: 'Read a session',
    description: [
      'Reads one session: as a plain-text transcript (format "text", the default) or as structured',
      `messages (format "messages"), \`limit\` messages per page (default ${READ_DEFAULT}); pass`,
      '`nextCursor` back as `cursor` for the next page. Tool outputs are cut at `maxOutput`',
      `characters (default ${OUTPUT_DEFAULT}), with a note of how much was cut. Damaged lines of`,
      'the log are skipped and reported under `damage`.',
    ].join(' '),
    inputSchema: {
      id: z.string().describe('The session id (from list_sessions)'),
      format: z.enum(['text', 'messages']).optional().describe('"text" (default) or "messages"'),
      limit: z.number().int().min(1).max(READ_MAX).optional().describe(`Messages per page (default ${READ_DEFAULT})`),
      cursor: z.string().optional().describe('nextCursor of the previous page'),
      maxOutput: z.number().int().min(100).max(OUTPUT_MAX).optional().describe(`Characters kept of each tool output (default ${OUTPUT_DEFAULT})`),
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, guarded(ctx, async ({ id, format, limit, cursor, maxOutput }) => {
    const from = cursor === undefined ? 0 : decodeCursor(cursor, isIndex)
    const { info, messages, damage } = await ctx.journal.read(id)
    const size = limit ?? READ_DEFAULT
    const page = messages.slice(from, from + size).map(m => cutMessage(m, maxOutput ?? OUTPUT_DEFAULT))
    const to = from + page.length
    const facts = {
      id: info.id,
      title: info.title,
      projectPath: info.projectPath,
      created: info.created,
      updated: info.updated,
      totalMessages: messages.length,
      // 1-based, inclusive: messages `from`..`to` of `totalMessages`.
      from: page.length === 0 ? null : from + 1,
      to: page.length === 0 ? null : to,
      nextCursor: to < messages.length ? encodeCursor(to) : null,
      damage: damage.map(d => ({ kind: d.kind, line: d.line, message: d.message })),
    }
    if (format === 'messages') return jsonResult(ctx, { ...facts, messages: page })
    const text = [
      ...(from === 0 ? [renderHead(info, messages.length)] : []),
      ...(damage.length > 0 ? [`warning: ${damage.length} damaged line(s) of the log were skipped (see damage)`] : []),
      ...page.map((m, i) => renderMessage(m, from + i)),
      facts.nextCursor === null ? '(end of session)' : `(messages ${from + 1}-${to} of ${messages.length}; more with cursor ${facts.nextCursor})`,
    ].join('\n\n')
    return textResult(ctx, text, facts)
  }))
}
