/** export --format through main(): the format table, markdown with --out, --redact and --max-output, and its usage errors. */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { toMarkdown } from '../../lib/export/markdown.js'
import { tempDir } from '../helpers.js'
import { journalIn, richSession } from '../sessions.js'
import { run } from './helpers.js'

test('export --format markdown: the transcript on stdout, or in FILE (0600) with a status line', async t => {
  const { journal, root, project } = journalIn(t)
  const id = await richSession(journal, project)
  const r = await run(['export', id, '--format', 'markdown'], { root })
  assert.equal(r.code, 0)
  assert.equal(r.stdout, toMarkdown(await journal.read(id)))
  assert.match(r.stdout, /^# second title multi line "quoted" sep para/)
  assert.equal((await run(['export', id, '--format', 'json'], { root })).stdout, (await run(['export', id], { root })).stdout, 'json is the default')
  const dir = tempDir(t)
  const o = await run(['export', id, '--format', 'markdown', '--out', 'session.md'], { root, cwd: dir })
  assert.equal(o.code, 0)
  assert.equal(o.stdout, '')
  const file = path.join(dir, 'session.md')
  assert.match(o.stderr, new RegExp(`exported session ${id} to ${file}: 3 message\\(s\\), ${fs.statSync(file).size} bytes\\n`))
  assert.equal(fs.readFileSync(file, 'utf8'), r.stdout)
  assert.equal(fs.statSync(file).mode & 0o777, 0o600)
  assert.deepEqual(fs.readdirSync(dir), ['session.md'], 'no temporary file left')
})

test('export --format markdown --redact --max-output N', async t => {
  const { journal, root, project } = journalIn(t)
  const s = await journal.create({ project, title: 'keys' })
  const secret = 'sk-proj-abcdefghijklmnopqrstuvwxyz'
  await s.message({ role: 'assistant', parts: [{ id: 'k', type: 'tool', tool: 'bash', state: { status: 'completed', input: { command: 'env' }, output: `A=1\nKEY=${secret}\nB=2\nC=3` } }] })
  await s.close()
  const r = await run(['export', s.id, '--format', 'markdown', '--redact', '--max-output', '2'], { root })
  assert.equal(r.code, 0)
  assert.ok(!r.stdout.includes(secret))
  assert.match(r.stdout, /```text\nA=1\nKEY=\[REDACTED\]\n```\n\n… 2 more lines\n/)
})

test('export: an unknown format, --events with markdown, --max-output with json are usage errors; nothing is written', async t => {
  const { journal, root, project } = journalIn(t)
  const id = await richSession(journal, project)
  const dir = tempDir(t)
  for (const [args, message] of [
    [['--format', 'html'], /--format must be one of json, markdown, opencode, got "html"/],
    [['--format', '__proto__'], /--format must be one of json, markdown/],
    [['--format', 'markdown', '--events'], /--events goes with --format json only/],
    [['--max-output', '3'], /--max-output goes with --format markdown only/],
    [['--format', 'markdown', '--max-output', '-2'], /--max-output must be a whole number >= 0/],
  ] as const) {
    const r = await run(['export', id, ...args, '--out', path.join(dir, 'x')], { root })
    assert.equal(r.code, 2, args.join(' '))
    assert.match(r.stderr, message)
  }
  assert.deepEqual(fs.readdirSync(dir), [])
  const missing = await run(['export', '01JD7X2M5Q8R3T4V6W7Y8Z9A0B', '--format', 'markdown'], { root })
  assert.equal(missing.code, 3)
  assert.match(missing.stderr, /no session 01JD7X2M5Q8R3T4V6W7Y8Z9A0B/)
})
