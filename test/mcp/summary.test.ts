/**
 * The seed's exercise: "summarize what I've been working on". The prompt names the calls; making
 * exactly those calls over a root of 20 recent sessions in 3 projects (and some old ones) must
 * yield every recent session, grouped by project, each with what it was about.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { sessionAt } from '../sessions.js'
import { call, jsonOf, serve } from './helpers.js'

interface Row { id: string, title: string | null, titleFromPrompt: boolean, firstPrompt: string | null, lastPrompt: string | null, roles: Record<string, number>, projectPath: string }

/** The arguments the prompt gives for list_sessions, read from its text. */
async function listCallOf(client: Client, args: Record<string, string>): Promise<Record<string, unknown>> {
  const { messages } = await client.getPrompt({ name: 'summarize-recent-work', arguments: args })
  assert.equal(messages.length, 1)
  const content = messages[0]!.content
  assert.ok(content.type === 'text')
  const match = /Call list_sessions (\{.*?\})\./.exec(content.text)
  assert.ok(match, content.text)
  assert.match(content.text, /read_session \{"id": <id>, "format": "text", "limit": 20\}/)
  return JSON.parse(match[1]!) as Record<string, unknown>
}

/** list_sessions as the prompt says: again with the cursor until there is none. */
async function allRows(client: Client, args: Record<string, unknown>): Promise<Row[]> {
  const rows: Row[] = []
  let cursor: string | null = null
  do {
    const page: { sessions: Row[], nextCursor: string | null } = jsonOf(await call(client, 'list_sessions', { ...args, ...(cursor ? { cursor } : {}) }))
    rows.push(...page.sessions)
    cursor = page.nextCursor
  } while (cursor !== null)
  return rows
}

test('summarize-recent-work: its calls answer the exercise over 20 sessions in 3 projects', async t => {
  const { client, journal, dir } = await serve(t)
  const projects = ['api', 'web', 'infra'].map(name => path.join(dir, name))
  const recent = new Map<string, { project: string, subject: string }>()
  for (let i = 0; i < 20; i++) {
    const project = projects[i % 3]!
    const subject = `task ${i}: fix the ${['login', 'cache', 'deploy', 'search'][i % 4]} flow`
    // Every third session has no title: its first prompt says what it was about.
    const s = await journal.create({ project, ...(i % 3 === 1 ? {} : { title: subject }) })
    await s.message({ role: 'user', parts: [{ type: 'text', text: `${subject}\n\nwith   details` }] })
    await s.message({ role: 'assistant', parts: [{ type: 'text', text: 'done' }] })
    await s.close()
    recent.set(s.id, { project, subject })
  }
  const old = new Date(Date.now() - 60 * 86_400_000).toISOString()
  for (const project of projects) await sessionAt(journal, project, old, old, 'last quarter', 'old work')

  const args = await listCallOf(client, { since: '7d' })
  assert.deepEqual(args, { since: '7d', limit: 50 })
  const rows = await allRows(client, args)
  assert.deepEqual(new Set(rows.map(r => r.id)), new Set(recent.keys()))
  const byProject = new Map<string, Row[]>()
  for (const row of rows) byProject.set(row.projectPath, [...byProject.get(row.projectPath) ?? [], row])
  assert.deepEqual([...byProject.keys()].sort(), [...projects].sort())
  assert.deepEqual(projects.map(p => byProject.get(p)!.length), [7, 7, 6])
  for (const row of rows) {
    const { subject } = recent.get(row.id)!
    // What it was about, without reading the transcript: the title, or else the first prompt standing in (flagged).
    const untitled = [...recent.keys()].indexOf(row.id) % 3 === 1
    assert.deepEqual([row.title, row.titleFromPrompt], [untitled ? `${subject} with details` : subject, untitled])
    assert.equal(row.firstPrompt, `${subject} with details`)
    assert.equal(row.lastPrompt, `${subject} with details`)
    assert.deepEqual(row.roles, { user: 1, assistant: 1, system: 0 })
  }

  const one = await listCallOf(client, { since: '7d', project: projects[2]! })
  assert.deepEqual(one, { since: '7d', project: projects[2], limit: 50 })
  assert.equal((await allRows(client, one)).length, 6)
  // No arguments: the last 7 days.
  assert.deepEqual(await listCallOf(client, {}), { since: '7d', limit: 50 })
})
