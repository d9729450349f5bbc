/**
 * What every tool returns: JSON (as text, and as structuredContent for clients that read it),
 * secrets redacted unless the server was started without; and the one place a failure becomes
 * an MCP error result carrying the journal's code, so bad input never takes the server down.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { JournalError, redactSecrets, redactValue, UsageError, type Journal } from '../index.js'

export interface McpContext {
  journal: Journal
  /** Run every returned string through the built-in redactor (the default). */
  redact: boolean
}

export function jsonResult(ctx: McpContext, value: Record<string, unknown>): CallToolResult {
  // Every string value (never keys) through the built-in redactor: export's own walk.
  const shown = ctx.redact ? redactValue(value, redactSecrets) : value
  return { content: [{ type: 'text', text: JSON.stringify(shown) }], structuredContent: shown }
}

/** Prose for the agent to read (a transcript, a document), with the facts beside it as JSON. */
export function textResult(ctx: McpContext, text: string, facts?: Record<string, unknown>): CallToolResult {
  const shown = ctx.redact ? redactSecrets(text) : text
  return { content: [{ type: 'text', text: shown }], ...(facts ? { structuredContent: ctx.redact ? redactValue(facts, redactSecrets) : facts } : {}) }
}

export function errorResult(ctx: McpContext, error: unknown): CallToolResult {
  // A JournalError's code is the contract; anything else is a bug, reported rather than thrown.
  const code = error instanceof JournalError ? error.code : 'ERR_UNEXPECTED'
  const raw = error instanceof Error ? error.message : String(error)
  // Messages may quote a log line (a bad event), so they are redacted like results.
  const message = ctx.redact ? redactSecrets(raw) : raw
  return { isError: true, content: [{ type: 'text', text: `${code}: ${message}` }], structuredContent: { error: { code, message } } }
}

/** A tool handler whose failures are error results, never a rejected request. */
export function guarded<A>(ctx: McpContext, handler: (args: A) => Promise<CallToolResult>): (args: A) => Promise<CallToolResult> {
  return async args => {
    try {
      return await handler(args)
    } catch (error) {
      return errorResult(ctx, error)
    }
  }
}

/** Opaque page cursors: base64url of a small JSON value, checked on the way back in. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

export function decodeCursor<T>(cursor: string, valid: (value: unknown) => value is T): T {
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    value = undefined
  }
  if (!valid(value)) throw new UsageError(`cursor ${JSON.stringify(cursor)} is not one this server handed out`)
  return value
}
