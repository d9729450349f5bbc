/** show --max-output and --redact through main(). */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { run } from './helpers.js'
import { journalIn } from '../sessions.js'

const SECRET = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789'

async function toolSession(t: Parameters<typeof journalIn>[0]) {
  const { journal, root, project } = journalIn(t)
  const s = await journal.create({ project, title: `deploy with ${SECRET}` })
  const m = await s.message({ role: 'assistant', parts: [{ type: 'text', text: `token: ${SECRET}` }] })
  const output = Array.from({ length: 132 }, (_, i) => `line ${i + 1}`).join('\n')
  await s.part(m, { id: 'k', type: 'tool', tool: 'bash', state: { status: 'completed', input: { command: `curl -H "Authorization: Bearer ${SECRET}"` }, output } })
  await s.part(m, { id: 'e', type: 'tool', tool: 'cat', state: { status: 'completed', input: { path: 'esc' }, output: 'red \u001b[31mtext\u001b[0m\u009b' } })
  await s.close()
  return { root, id: s.id }
}

test('show: tool outputs are printed, cut after 20 lines by default with the count of the rest', async t => {
  const { root, id } = await toolSession(t)
  const r = await run(['show', id], { root })
  assert.equal(r.code, 0)
  assert.match(r.stdout, /\[bash\] curl .* -> completed, 132 line\(s\) of output\n {4}line 1\n(?: {4}line \d+\n){18} {4}line 20\n {4}… 112 more lines\n/)
  // Escape sequences in an output are shown, never sent.
  assert.match(r.stdout, / {4}red ␛\[31mtext␛\[0m\\u009b\n/)
  assert.ok(!r.stdout.includes('\u001b'))
})

test('show --max-output N: N lines of each output; 0 for none; a bad N is a usage error', async t => {
  const { root, id } = await toolSession(t)
  const three = await run(['show', id, '--max-output', '3'], { root })
  assert.match(three.stdout, /of output\n {4}line 1\n {4}line 2\n {4}line 3\n {4}… 129 more lines\n/)
  const none = await run(['show', id, '--max-output', '0'], { root })
  assert.ok(!none.stdout.includes('line 1') && !none.stdout.includes('more lines'))
  const all = await run(['show', id, '--max-output', '1000'], { root })
  assert.match(all.stdout, / {4}line 132\n/)
  assert.ok(!all.stdout.includes('more line'))
  for (const bad of ['-1', 'x', '1.5']) {
    const r = await run(['show', id, '--max-output', bad], { root })
    assert.equal(r.code, 2, bad)
    assert.match(r.stderr, /--max-output must be a whole number >= 0/)
  }
})

test('show --redact: secrets are gone from everything printed (title, text, tool input and output), and from --json', async t => {
  const { root, id } = await toolSession(t)
  const plain = await run(['show', id], { root })
  assert.ok(plain.stdout.includes(SECRET), 'without --redact, as written')
  const r = await run(['show', id, '--redact'], { root })
  assert.equal(r.code, 0)
  assert.ok(!r.stdout.includes(SECRET), r.stdout)
  assert.match(r.stdout, /^deploy with \[REDACTED\]\n/)
  assert.match(r.stdout, /token: \[REDACTED\]/)
  const j = await run(['show', id, '--redact', '--json'], { root })
  assert.ok(!j.stdout.includes(SECRET))
  assert.equal(JSON.parse(j.stdout).info.title, 'deploy with [REDACTED]')
})

test('show: a call\'s line says what it ran as the share page and the markdown export do', async t => {
  const { journal, root, project } = journalIn(t)
  const s = await journal.create({ project })
  const m = await s.message({ role: 'assistant', parts: [] })
  await s.part(m, { id: 'a', type: 'tool', tool: 'shell', state: { status: 'completed', input: { command: ['bash', '-lc', 'cargo build'], workdir: '/x' } } })
  await s.part(m, { id: 'b', type: 'tool', tool: 'apply_patch', state: { status: 'completed', input: { input: '*** Begin Patch\n*** Update File: a.ts\n*** Delete File: b.ts\n*** End Patch' } } })
  await s.part(m, { id: 'c', type: 'tool', tool: 'bash', input: { command: 'stale' }, state: { status: 'running', input: { description: 'Build', command: 'make all' } } })
  await s.part(m, { id: 'd', type: 'tool', tool: 'todowrite', state: { status: 'completed', input: { todos: [1] }, title: '1 todo' } })
  await s.part(m, { id: 'e', type: 'tool_result', tool_use_id: 'u', is_error: true, content: 'No such file' })
  await s.part(m, { id: 'f', type: 'tool', tool: 'bash', state: { status: 'completed', input: { command: `\u001b[2J${'y'.repeat(500)}` } } })
  await s.close()
  const r = await run(['show', s.id], { root })
  assert.equal(r.code, 0)
  const lines = r.stdout.split('\n').filter(l => l.startsWith('  ['))
  assert.deepEqual(lines, [
    '  [shell] bash -lc cargo build -> completed',
    '  [apply_patch] a.ts, b.ts -> completed',
    '  [bash] make all -> running',
    '  [todowrite] 1 todo -> completed',
    '  [tool_result] -> error, 1 line(s) of output',
    `  [bash] ␛[2J${'y'.repeat(75)}… -> completed`,
  ])
})
