/**
 * `session-journal mcp`: a read-only Model Context Protocol server over the public Journal API,
 * for the user's own journal. Loaded only by the mcp command (a dynamic import), so no other
 * command, and no host importing the package, pays for the SDK. docs/mcp.md.
 */
import fs from 'node:fs'
import type { Readable, Writable } from 'node:stream'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import type { Journal } from '../index.js'
import { registerExportSession } from './export.js'
import { registerListSessions } from './list.js'
import { registerSummaryPrompt } from './prompt.js'
import { registerReadSession } from './read.js'
import type { McpContext } from './result.js'
import { registerSearchSessions } from './search.js'
import { registerSessionUsage } from './usage.js'

export interface McpServerOptions {
  /** Secrets in everything returned become [REDACTED] (default true). */
  redact?: boolean
}

export function createMcpServer(journal: Journal, options: McpServerOptions = {}): McpServer {
  const server = new McpServer({ name: 'session-journal', version: packageVersion() }, {
    capabilities: { tools: {}, prompts: {} },
    instructions: 'The user\'s recorded AI coding sessions, read-only. Start with list_sessions (digest rows); '
      + 'read_session pages through one transcript. The summarize-recent-work prompt lists the calls for a summary of recent work.',
  })
  const ctx: McpContext = { journal, redact: options.redact !== false }
  registerListSessions(server, ctx)
  registerReadSession(server, ctx)
  registerExportSession(server, ctx)
  registerSessionUsage(server, ctx)
  registerSearchSessions(server, ctx)
  registerSummaryPrompt(server)
  return server
}

/** Serves on stdin/stdout until the client closes stdin (or `signal` aborts). */
export async function serveMcp(journal: Journal, io: { stdin: Readable, stdout: Writable, signal?: AbortSignal }, options: McpServerOptions = {}): Promise<void> {
  const server = createMcpServer(journal, options)
  const closed = new Promise<void>(resolve => {
    server.server.onclose = resolve
    // The SDK's stdio transport does not watch for the end of input: the client going away is ours to see.
    io.stdin.once('end', resolve)
    io.stdin.once('close', resolve)
    io.signal?.addEventListener('abort', () => resolve(), { once: true })
  })
  await server.connect(new StdioServerTransport(io.stdin, io.stdout))
  await closed
  await server.close()
}

function packageVersion(): string {
  try {
    // dist/lib/mcp/server.js -> package.json three folders up.
    return (JSON.parse(fs.readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? '0.0.0'
  } catch {
    return '0.0.0'
  }
}
