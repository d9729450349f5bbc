/** The real server: the built bin run as `session-journal mcp`, driven by the SDK's own client over stdio. */
import path from 'node:path'
import type { TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { repoRoot, tempDir } from '../helpers.js'
import { Journal } from '../../lib/journal.js'

export const BIN = path.join(repoRoot, 'dist', 'lib', 'cli', 'bin.js')

export interface Served {
  client: Client
  journal: Journal
  root: string
  dir: string
}

/** A temp root this test owns, a journal on it, and a client connected to a server on it. */
export async function serve(t: TestContext, args: string[] = []): Promise<Served> {
  const dir = tempDir(t)
  const root = path.join(dir, 'root')
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'mcp', ...args],
    // A config dir of its own: the user's config never reaches a test.
    env: { SESSION_JOURNAL_HOME: root, SESSION_JOURNAL_CONFIG_DIR: path.join(dir, 'config'), TZ: 'UTC' },
    stderr: 'pipe',
  })
  const client = new Client({ name: 'session-journal-test', version: '0.0.0' })
  await client.connect(transport)
  t.after(() => client.close())
  return { client, journal: new Journal({ root, fsync: 'never' }), root, dir }
}

export async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
  return await client.callTool({ name, arguments: args }) as CallToolResult
}

/** The text of a result's one text content. */
export function textOf(result: CallToolResult): string {
  const [first] = result.content
  assert.ok(first && first.type === 'text', `expected text content, got ${JSON.stringify(result.content)}`)
  return first.text
}

/** A successful JSON result, parsed from its text (and equal to its structuredContent). */
export function jsonOf<T = Record<string, unknown>>(result: CallToolResult): T {
  assert.notEqual(result.isError, true, textOf(result))
  const value = JSON.parse(textOf(result)) as T
  assert.deepEqual(result.structuredContent, value)
  return value
}

/** An error result: the journal's code, in the text and in structuredContent. */
export function errorCodeOf(result: CallToolResult): string {
  assert.equal(result.isError, true, `expected an error result, got ${JSON.stringify(result)}`)
  const code = (result.structuredContent as { error?: { code?: string } } | undefined)?.error?.code
  assert.ok(code !== undefined, textOf(result))
  assert.ok(textOf(result).startsWith(`${code}: `), textOf(result))
  return code
}
