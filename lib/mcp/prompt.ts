/**
 * The summarize-recent-work prompt: the seed's exercise ("summarize what I've been working on")
 * spelled out as the tool calls that answer it, so an agent needs no exploring of its own.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'

export function summaryPrompt(since: string, project: string | undefined): string {
  const filters = { since, ...(project === undefined ? {} : { project }), limit: 50 }
  return [
    `Summarize what I have been working on${project === undefined ? '' : ` in ${project}`} (sessions active since ${since}), using the session-journal tools:`,
    '',
    `1. Call list_sessions ${JSON.stringify(filters)}. While nextCursor is not null, call it again with the same arguments plus "cursor": nextCursor.`,
    '   Each row has title (the first prompt when titleFromPrompt is true), firstPrompt and lastPrompt (what the user asked',
    '   first and last), messages, roles (messages by role), tools (tool calls by name), created, updated and projectPath.',
    '2. Group the sessions by projectPath. The title, firstPrompt and lastPrompt usually say what a session was about and where',
    '   it was left; tools hint at the kind of work (edits, tests, searches). Only when they do not,',
    '   call read_session {"id": <id>, "format": "text", "limit": 20} and read its first page.',
    `3. Optionally call session_usage {"by": "project", "since": ${JSON.stringify(since)}} for the tokens spent per project.`,
    '4. Answer with one short section per project: what was worked on (newest first), what looks unfinished, and the session ids.',
    'Do not call export_session for this: list_sessions and a few read_session pages are enough.',
  ].join('\n')
}

export function registerSummaryPrompt(server: McpServer): void {
  server.registerPrompt('summarize-recent-work', {
    title: 'Summarize recent work',
    description: 'Summarize the sessions of the last days (optionally of one project) with list_sessions and read_session',
    argsSchema: {
      since: z.string().optional().describe('How far back: 7d (default), 12h, YYYY-MM-DD or an ISO time'),
      project: z.string().optional().describe('Only this project folder (absolute path)'),
    },
  }, ({ since, project }) => ({
    messages: [{ role: 'user', content: { type: 'text', text: summaryPrompt(since || '7d', project || undefined) } }],
  }))
}
