/** `npm run demo` (examples/demo.ts): what it leaves where. */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import { repoRoot, tempDir } from '../helpers.js'

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter(name => fs.statSync(path.join(dir, name)).isFile())
}

test('the demo writes its export into the temp project, never into the journal root', async t => {
  const dir = tempDir(t)
  const root = path.join(dir, 'root')
  // TMPDIR: the demo's temp project lands in this test's folder too.
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(repoRoot, 'dist', 'examples', 'demo.js')], {
    env: { ...process.env, SESSION_JOURNAL_HOME: root, TMPDIR: dir },
  })
  const id = /^wrote session (\S+)$/m.exec(stdout)![1]!
  assert.deepEqual(filesUnder(root).filter(name => name.includes('export')), [], 'nothing exported into the root')
  const projects = fs.readdirSync(dir).filter(name => name.startsWith('demo-project-'))
  assert.equal(projects.length, 1)
  const file = path.join(dir, projects[0]!, `${id}.export.json`)
  assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).info.id, id)
  assert.match(stdout, new RegExp(`written to ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n`))
})
