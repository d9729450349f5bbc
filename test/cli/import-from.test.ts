import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { Journal } from '../../lib/journal.js'
import { fixture, tempDir, treeOf } from '../helpers.js'
import { run } from './helpers.js'

const FIXTURES = fixture('import', 'claude-code')
const PROJECT = path.join(FIXTURES, 'projects', '-home-ana-src-shop')
const OLD = '0b7e4d2c-1a3f-4e5d-8c9b-7a6f5e4d3c21'

test('import --from claude-code: a summary with failures and problems by file and line; again: all unchanged', async t => {
  const dir = tempDir(t)
  const root = path.join(dir, 'root')
  const src = path.join(dir, 'src')
  fs.cpSync(FIXTURES, src, { recursive: true })
  fs.writeFileSync(path.join(src, 'notes.jsonl'), '{"hello":"\\u001b[2Jworld"}\n')
  const r = await run(['import', '--from', 'claude-code', 'src'], { root, cwd: dir })
  assert.equal(r.code, 1, 'a failed file: exit code of its kind (failed)')
  const lines = r.stdout.trimEnd().split('\n')
  assert.equal(lines[0], 'claude-code: 5 imported, 0 updated, 0 unchanged, 1 failed')
  assert.match(lines[1]!, /^failed src\/notes\.jsonl:1: ERR_INVALID_IMPORT: .*not a Claude Code transcript/)
  assert.ok(!r.stdout.includes('\u001b'), 'nothing from a source reaches the terminal raw')
  assert.deepEqual(lines.slice(2).map(l => l.replace(/: .*/, '')), [
    'problem src/projects/-home-ana-src-shop/9d8c7b6a-5e4f-4a3b-8c2d-1e0f9a8b7c6d.jsonl:3',
    'problem src/projects/-home-ana-src-shop/9d8c7b6a-5e4f-4a3b-8c2d-1e0f9a8b7c6d.jsonl:7',
    'problem src/projects/-home-ana-src-shop/9d8c7b6a-5e4f-4a3b-8c2d-1e0f9a8b7c6d.jsonl:4',
  ])
  assert.equal(r.stderr, '', 'no progress on a pipe')
  fs.rmSync(path.join(src, 'notes.jsonl'))
  const before = treeOf(root)
  const again = await run(['import', '--from', 'claude-code', 'src'], { root, cwd: dir })
  assert.equal(again.code, 0)
  assert.equal(again.stdout, 'claude-code: 0 imported, 0 updated, 5 unchanged, 0 failed\n')
  assert.deepEqual(treeOf(root), before)
})

test('import --from --json prints the result; a locked session exits 4', async t => {
  const dir = tempDir(t)
  const root = path.join(dir, 'root')
  const src = path.join(dir, `${OLD}.jsonl`)
  fs.copyFileSync(path.join(PROJECT, `${OLD}.jsonl`), src)
  const j = await run(['import', '--from', 'claude-code', src, '--json'], { root })
  assert.equal(j.code, 0)
  const result = JSON.parse(j.stdout) as { tool: string, imported: Array<{ id: string, originId: string }> }
  assert.equal(result.tool, 'claude-code')
  assert.deepEqual(result.imported.map(r => r.originId), [OLD])
  const held = await new Journal({ root }).resume(result.imported[0]!.id)
  t.after(() => held.close())
  fs.appendFileSync(src, `${JSON.stringify({ type: 'user', uuid: 'o05', parentUuid: 'o04', timestamp: '2025-10-14T10:00:00.000Z', message: { role: 'user', content: 'thanks' } })}\n`)
  const locked = await run(['import', '--from', 'claude-code', src], { root })
  assert.equal(locked.code, 4)
  assert.match(locked.stdout, /^claude-code: 0 imported, 0 updated, 0 unchanged, 1 failed\nfailed .*\.jsonl \(session 0b7e4d2c-1a3f-4e5d-8c9b-7a6f5e4d3c21\): ERR_SESSION_LOCKED: /)
})

test('import --from: the default location under $HOME; a progress line on a terminal only', async t => {
  const dir = tempDir(t)
  const root = path.join(dir, 'root')
  const home = path.join(dir, 'home')
  fs.mkdirSync(path.join(home, '.claude'), { recursive: true })
  fs.cpSync(path.join(FIXTURES, 'projects'), path.join(home, '.claude', 'projects'), { recursive: true })
  const r = await run(['import', '--from', 'claude-code'], { root, env: { HOME: home }, stderrIsTTY: true })
  assert.equal(r.code, 0)
  assert.match(r.stdout, /^claude-code: 5 imported/)
  assert.match(r.stderr, /\r\u001b\[Kimporting 1\/5 /)
  assert.match(r.stderr, /importing 5\/5 .*agent-/)
  assert.ok(r.stderr.endsWith('\r\u001b[K'), 'wiped at the end')
  assert.ok(!fs.readdirSync(home).includes('root'))
})

test('import --from: usage errors exit 2', async t => {
  const dir = tempDir(t)
  const root = path.join(dir, 'root')
  for (const argv of [['import', '--from', 'vim'], ['import', '--from', '__proto__'], ['import', '--from', 'codex', '--project', '.'], ['import', '--from', 'claude-code', '--new-id']]) {
    const r = await run([...argv, '--json'], { root, cwd: dir })
    assert.equal(r.code, 2, argv.join(' '))
    assert.equal(JSON.parse(r.stderr).error.code, 'ERR_USAGE')
  }
  assert.match((await run(['import', '--from', 'vim'], { root })).stderr, /unknown tool "vim"; one of claude-code, codex, opencode, gemini/)
})
