/**
 * `npm run demo`: a real session, end to end. Writes a conversation in a temp project,
 * closes it, resumes it from scratch, lists it, prints its folded history and exports it.
 * Uses $SESSION_JOURNAL_HOME when set, else a temp root it leaves in place for you to inspect.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Journal } from '../lib/index.js'

const out = (line = '') => process.stdout.write(`${line}\n`)

async function demo(): Promise<void> {
  const root = process.env.SESSION_JOURNAL_HOME ?? fs.mkdtempSync(path.join(os.tmpdir(), 'session-journal-demo-'))
  const project = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-project-'))
  const journal = new Journal({ root })

  const session = await journal.create({ project, title: 'Demo: fix the flaky test', host: { name: 'session-journal-demo', version: '1' } })
  await session.message({ role: 'user', parts: [{ type: 'text', text: 'The date test fails on Mondays. Can you look?' }] })
  const reply = await session.message({ role: 'assistant', parts: [] })
  // A host streams a reply by replacing one part as the text grows.
  for (const text of ['Looking', 'Looking at test/date.test.ts', 'Looking at test/date.test.ts: it assumes a 7-day week start.']) {
    await session.part(reply, { id: 'answer', type: 'text', text })
  }
  await session.part(reply, { id: 'call-1', type: 'tool', tool: 'edit', state: { status: 'completed', file: 'test/date.test.ts' } })
  await session.append('x.demo.cost', { inputTokens: 812, outputTokens: 95 })
  await session.close()
  out(`wrote session ${session.id}`)
  out(`  log: ${session.path}`)

  // Another process could do this: resume appends where the log stopped.
  const again = await journal.resume(session.id)
  await again.message({ role: 'user', parts: [{ type: 'text', text: 'Thanks, ship it 🚀' }] })
  await again.title('Fix the Monday date test')
  await again.close()
  out(`resumed it and appended 2 events (next seq ${again.nextSeq})`)

  out()
  out('list():')
  for (const row of await journal.list()) {
    out(`  ${row.id}  ${row.projectPath}  "${row.title}"  ${row.messages} messages  updated ${row.updated}`)
  }

  const history = await journal.read(session.id)
  out()
  out(`read(): "${history.info.title}", ${history.messages.length} messages, damage: ${history.damage.length}`)
  for (const message of history.messages) {
    for (const part of message.parts) {
      const shown = part.type === 'text' ? part.text : `[${part.type}${part.tool ? ` ${String(part.tool)}` : ''}]`
      out(`  ${message.role.padEnd(9)} ${String(shown)}`)
    }
  }
  out()
  out('the log on disk, one event per line:')
  for (const line of fs.readFileSync(session.path, 'utf8').trimEnd().split('\n')) out(`  ${line.length > 110 ? `${line.slice(0, 107)}...` : line}`)
  const exported = await journal.export(session.id)
  // Into the project, not the journal's root: the root holds only what the journal manages.
  const file = path.join(project, `${session.id}.export.json`)
  fs.writeFileSync(file, `${JSON.stringify(exported, null, 2)}\n`, { mode: 0o600 })
  out()
  out(`export(): ${Object.keys(exported).join(', ')}; written to ${file}`)
  out()
  out(`root:    ${root}`)
  out(`project: ${project}`)
  out(`try:  SESSION_JOURNAL_HOME=${root} node dist/lib/cli/bin.js show ${session.id}`)
}

demo().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.stack : String(error)}\n`)
  process.exitCode = 1
})
