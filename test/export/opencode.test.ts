/**
 * `exportOpenCode` / `toOpenCode` and `export --format opencode`: ids, required fields, parts
 * OpenCode would refuse, what comes back for a session imported from OpenCode, redaction, the
 * CLI. That the real `opencode import` accepts the document is opencode-roundtrip.test.ts's.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { openCodeId, OPENCODE_VERSION, toOpenCode } from '../../lib/export/opencode.js'
import { fold } from '../../lib/core/fold.js'
import type { History, JournalEvent } from '../../lib/core/types.js'
import { run } from '../cli/helpers.js'
import { journalIn } from '../sessions.js'

/** A history folded from events (header first), as readHistory would give it. */
function historyOf(events: Array<Record<string, unknown>>): History {
  const header = { seq: 0, ts: '2026-01-05T09:30:00.000Z', type: 'session', version: 1, id: '01KE6Z0000AAAAAAAAAAAAAAAA', projectId: 'p', projectPath: '/home/dev/app', title: 'T', parentId: null, host: null }
  const all = [header, ...events.map((e, i) => ({ seq: i + 1, ts: `2026-01-05T09:30:0${Math.min(i + 1, 9)}.000Z`, ...e }))] as unknown as JournalEvent[]
  return { ...fold(all), damage: [] }
}

test('ids: OpenCode\'s layout, derived (the same twice), in message and part order; sessions count down', () => {
  const history = historyOf([
    { type: 'message', id: 'u1', role: 'user', parts: [{ id: 'a', type: 'text', text: 'one' }, { id: 'b', type: 'text', text: 'two' }] },
    { type: 'message', id: 'a1', role: 'assistant', parts: [{ id: 'a', type: 'text', text: 'three' }] },
  ])
  const doc = toOpenCode(history)
  assert.deepEqual(toOpenCode(history), doc)
  assert.match(doc.info.id as string, /^ses_[0-9a-f]{12}[0-9A-Za-z]{14}$/)
  const ids = doc.messages.flatMap(m => [m.info.id as string, ...m.parts.map(p => p.id as string)])
  assert.ok(ids.every(id => /^(msg|prt)_[0-9a-f]{12}[0-9A-Za-z]{14}$/.test(id)))
  const hex = ids.map(id => id.slice(4, 16))
  assert.deepEqual([...hex].sort(), hex, 'ids sort in the order of the conversation')
  assert.equal(new Set(ids).size, ids.length)
  assert.ok(openCodeId('ses', 2n, 'x') < openCodeId('ses', 1n, 'x'), 'newer sessions sort first, as OpenCode\'s do')
  for (const m of doc.messages) for (const p of m.parts) assert.deepEqual([p.sessionID, p.messageID], [doc.info.id, m.info.id])
})

test('required fields: session, user and assistant infos', () => {
  const history = historyOf([
    { type: 'message', id: 'u1', role: 'user', parts: [] },
    { type: 'message', id: 'a1', role: 'assistant', parts: [], meta: { modelID: 'gpt-5', providerID: 'openai', tokens: { input: 5, output: 6, reasoning: 0, cache: { read: 0, write: 0 } }, cost: 0.5 } },
  ])
  const { info, messages } = toOpenCode(history, 'ses_parent')
  assert.deepEqual(Object.keys(info).sort(), ['directory', 'id', 'parentID', 'projectID', 'slug', 'time', 'title', 'version'])
  assert.equal(info.version, OPENCODE_VERSION)
  assert.equal(info.slug, 't')
  assert.deepEqual(info.time, { created: Date.parse('2026-01-05T09:30:00.000Z'), updated: Date.parse('2026-01-05T09:30:02.000Z') })
  const [user, assistant] = messages
  assert.deepEqual(user!.info, { id: user!.info.id, sessionID: info.id, role: 'user', time: { created: Date.parse('2026-01-05T09:30:01.000Z') }, agent: 'build', model: { providerID: 'session-journal', modelID: 'unknown' } })
  assert.equal(assistant!.info.parentID, user!.info.id)
  assert.deepEqual([assistant!.info.modelID, assistant!.info.providerID, assistant!.info.cost], ['gpt-5', 'openai', 0.5])
  assert.deepEqual(assistant!.info.path, { cwd: '/home/dev/app', root: '/home/dev/app' })
})

test('parts OpenCode would refuse are filled in, or written as synthetic text; system messages go as synthetic user text', () => {
  const history = historyOf([
    { type: 'message', id: 's1', role: 'system', parts: [{ id: 's', type: 'text', text: 'be brief' }] },
    {
      type: 'message', id: 'a1', role: 'assistant', parts: [
        { id: 't1', type: 'tool', tool: 'bash', input: { command: 'ls' }, output: 'a', status: 'done' },
        { id: 't2', type: 'tool', name: 'grep', input: 'raw', error: { code: 1 } },
        { id: 't3', type: 'tool', tool: 'edit', state: { status: 'running', input: {} } },
        { id: 'r', type: 'reasoning', text: 'hm' },
        { id: 'f', type: 'file', mime: 'image/png', filename: 'big.png', size: 900000 },
        { id: 'x', type: 'image', url: 'https://example.com/a.png' },
        { id: 'p', type: 'patch', hash: 7 },
      ],
    },
  ])
  const [system, assistant] = toOpenCode(history).messages
  assert.equal(system!.info.role, 'user')
  assert.equal(system!.parts[0]!.synthetic, true)
  const [t1, t2, t3, r, f, x, p] = assistant!.parts as Array<Record<string, any>>
  assert.deepEqual([t1!.callID, t1!.tool, t1!.state.status, t1!.state.input, t1!.state.output, t1!.state.title, t1!.state.metadata], ['t1', 'bash', 'completed', { command: 'ls' }, 'a', 'bash', {}])
  assert.ok(!('input' in t1!) && !('output' in t1!) && !('status' in t1!), 'moved into the state')
  assert.deepEqual([t2!.tool, t2!.state.status, t2!.state.input, t2!.state.error], ['grep', 'error', { value: 'raw' }, '{"code":1}'])
  assert.equal(t3!.state.status, 'running')
  assert.equal(typeof t3!.state.time.start, 'number')
  assert.equal(typeof r!.time.start, 'number')
  assert.deepEqual([f!.type, f!.synthetic, f!.text], ['text', true, '[file big.png, 900000 bytes: not kept]'])
  assert.deepEqual([x!.type, x!.synthetic], ['text', true])
  assert.match(x!.text, /^\[image\] \{"id":"x","type":"image","url":"https:\/\/example.com\/a.png"\}$/)
  assert.equal(p!.type, 'text')
})

test('a session imported from OpenCode gets its own ids and session fields back', () => {
  const history = historyOf([
    { type: 'x.import.origin', data: { tool: 'opencode', id: 'ses_dd617a591ffex58NjwDJ04bfPZ', path: '/x/opencode.db', version: '1.18.33' } },
    { type: 'x.opencode.session', data: { slug: 'nimble-harbor', projectID: '4b0ea68d', version: '1.17.2' } },
    { type: 'message', id: 'msg_229e85aa6001S43DTe3pojbP7s', role: 'user', parts: [{ id: 'prt_229e85aac0012abNLNyw2T6Brc', type: 'text', text: 'hi' }], meta: { agent: 'plan', model: { providerID: 'anthropic', modelID: 'claude' } } },
  ])
  const { info, messages } = toOpenCode(history)
  assert.deepEqual([info.id, info.slug, info.projectID, info.version], ['ses_dd617a591ffex58NjwDJ04bfPZ', 'nimble-harbor', '4b0ea68d', '1.17.2'])
  assert.equal(messages[0]!.info.id, 'msg_229e85aa6001S43DTe3pojbP7s')
  assert.equal(messages[0]!.parts[0]!.id, 'prt_229e85aac0012abNLNyw2T6Brc')
  assert.deepEqual([messages[0]!.info.agent, messages[0]!.info.model], ['plan', { providerID: 'anthropic', modelID: 'claude' }])
  // An origin id that could climb a path is not trusted: a derived one is used.
  const odd = historyOf([{ type: 'x.import.origin', data: { tool: 'opencode', id: 'ses_../../etc' } }])
  assert.match(toOpenCode(odd).info.id as string, /^ses_[0-9a-f]{12}/)
})

test('journal.exportOpenCode: the parent\'s OpenCode id; a deleted parent is left out; redaction', async t => {
  const { journal, project } = journalIn(t)
  const parent = await journal.create({ project, title: 'parent' })
  await parent.close()
  const child = await journal.create({ project, title: 'child', parentId: parent.id })
  await child.message({ role: 'user', parts: [{ type: 'text', text: 'key sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789ABCD' }] })
  await child.close()
  const doc = await journal.exportOpenCode(child.id, { redact: true })
  assert.equal(doc.info.parentID, (await journal.exportOpenCode(parent.id)).info.id)
  assert.doesNotMatch(JSON.stringify(doc), /sk-ant-api03/)
  assert.match(JSON.stringify(await journal.exportOpenCode(child.id)), /sk-ant-api03/)
  await journal.delete(parent.id)
  assert.equal((await journal.exportOpenCode(child.id)).info.parentID, undefined)
})

test('CLI: export --format opencode to stdout and to a file (0600); bad format and --events are usage errors', async t => {
  const { journal, root, project } = journalIn(t)
  const s = await journal.create({ project, title: 'cli' })
  await s.message({ role: 'user', parts: [{ type: 'text', text: 'hello' }] })
  await s.close()
  const out = await run(['export', s.id, '--format', 'opencode'], { root })
  assert.equal(out.code, 0, out.stderr)
  const doc = JSON.parse(out.stdout) as { info: { id: string }, messages: unknown[] }
  assert.deepEqual(doc, await journal.exportOpenCode(s.id))
  const file = path.join(project, 'oc.json')
  const toFile = await run(['export', s.id, '--format', 'opencode', '--out', file, '--json'], { root })
  assert.equal(toFile.code, 0, toFile.stderr)
  assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), doc)
  assert.equal(fs.statSync(file).mode & 0o777, 0o600)
  assert.equal((JSON.parse(toFile.stdout) as { messages: number }).messages, 1)
  const bad = await run(['export', s.id, '--format', 'yaml'], { root })
  assert.equal(bad.code, 2)
  assert.match(bad.stderr, /--format must be one of json, markdown, opencode/)
  const events = await run(['export', s.id, '--format', 'opencode', '--events'], { root })
  assert.equal(events.code, 2)
  assert.equal((await run(['export', s.id, '--format', 'opencode', '--max-output', '3'], { root })).code, 2)
  const proto = await run(['export', s.id, '--format', '__proto__'], { root })
  assert.equal(proto.code, 2)
  const missing = await run(['export', '01KE6Z0000AAAAAAAAAAAAAAAA', '--format', 'opencode', '--out', path.join(project, 'none.json')], { root })
  assert.notEqual(missing.code, 0)
  assert.deepEqual(fs.readdirSync(project).filter(f => f.startsWith('none')), [], 'no file, no temporary file')
})
