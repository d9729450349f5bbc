/**
 * list_sessions through the real MCP server (the built bin as `session-journal mcp`, the SDK's
 * own Client over stdio, redaction on as by default) against journal.list() in this process,
 * for the same rows: a page of 200 (the tool's largest) of 10,000 sessions, caches warm.
 * Over stdio rather than the handler in-process: an agent pays the JSON-RPC framing and the
 * pipe too, and the tool adds its page, digest and redaction to the listing both must make.
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { Journal } from '../lib/index.js'
import { sideBySide, tempRoot, type Row } from './util.js'

const PAGE = 200
const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'lib', 'cli', 'bin.js')

export async function mcpScenario(sessions: number, projects: number, rounds: number): Promise<Row> {
  const root = tempRoot('mcp')
  const journal = new Journal({ root, fsync: 'never' })
  for (let i = 0; i < sessions; i++) {
    // Every third untitled (its first prompt stands in); tool calls, so the digest has tools to count.
    const s = await journal.create({ project: path.join(root, 'work', `project-${i % projects}`), ...(i % 3 ? { title: `session ${i}` } : {}) })
    await s.message({ role: 'user', parts: [{ type: 'text', text: `fix the flaky test number ${i}` }] })
    const reply = await s.message({ role: 'assistant', parts: [{ type: 'text', text: 'looking' }] })
    for (let k = 0; k < i % 4; k++) await s.part(reply, { id: `k${k}`, type: 'tool', tool: k % 2 ? 'read' : 'bash', callID: `c${k}`, state: { status: 'completed', input: { command: 'ls' }, output: 'a\nb' } })
    await s.close()
  }
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'mcp'],
    env: { SESSION_JOURNAL_HOME: root, SESSION_JOURNAL_CONFIG_DIR: path.join(root, 'config'), PATH: process.env.PATH ?? '' },
    stderr: 'ignore',
  })
  const client = new Client({ name: 'bench', version: '0.0.0' })
  await client.connect(transport)
  let wrong = 0
  try {
    const viaMcp = async () => {
      const result = await client.callTool({ name: 'list_sessions', arguments: { limit: PAGE } }) as CallToolResult
      return JSON.parse((result.content[0] as { text: string }).text) as { sessions: Array<{ id: string, tools: Record<string, number> }>, total: number }
    }
    const direct = () => journal.list({ limit: PAGE })
    // Both caches built before timing (the server is another process with its own Journal).
    await viaMcp()
    await direct()
    const r = await sideBySide(rounds, direct, viaMcp)
    // The same rows, with their digest.
    const [page, rows] = [await viaMcp(), await direct()]
    if (page.total !== sessions || page.sessions.length !== rows.length) wrong++
    page.sessions.forEach((row, i) => {
      if (row.id !== rows[i]!.id || JSON.stringify(row.tools) !== JSON.stringify({ ...rows[i]!.tools })) wrong++
    })
    const ratio = r.journal / r.baseline
    return {
      scenario: `MCP list_sessions (${PAGE} of ${sessions} sessions, stdio) vs journal.list()`,
      target: '<= 2x time, same rows',
      ratio,
      ok: ratio <= 2 && wrong === 0,
      journal: `${r.journal.toFixed(0)} ms, ${wrong} wrong rows`,
      baseline: `${r.baseline.toFixed(0)} ms`,
    }
  } finally {
    await client.close()
    fs.rmSync(root, { recursive: true, force: true })
  }
}
