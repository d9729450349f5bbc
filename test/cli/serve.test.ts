/** `serve`: where it stores by default, and which ports it refuses before listening. */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { run } from './helpers.js'
import { tempDir } from '../helpers.js'

const document = (title: string) => ({
  format: 'session-journal', version: 1, messages: [],
  info: { id: 'x', projectId: 'p', projectPath: 'p', created: '2024-01-01T00:00:00.000Z', updated: '2024-01-01T00:00:00.000Z', title, parentId: null, share: null, meta: {} },
})

test('serve without --dir stores under <root>/share-server, the root coming from SESSION_JOURNAL_HOME', async t => {
  const root = path.join(tempDir(t, 'sj-serve-'), 'journal')
  const controller = new AbortController()
  let resolveUrl!: (url: string) => void
  const urlSeen = new Promise<string>(resolve => { resolveUrl = resolve })
  const running = run(['serve', '--port', '0', '--json'], {
    root, signal: controller.signal, onStdout: all => { if (all.includes('\n')) resolveUrl((JSON.parse(all.split('\n')[0]!) as { url: string }).url) },
  })
  t.after(() => controller.abort())
  const url = await urlSeen
  const created = await fetch(`${url}/api/share`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(document('kept under the root')) })
  assert.equal(created.status, 201)
  const { id } = await created.json() as { id: string }
  const store = path.join(root, 'share-server')
  assert.ok(fs.readdirSync(store).includes(`${id}.json`), fs.readdirSync(store).join(', '))
  assert.equal(fs.statSync(store).mode & 0o777, 0o700)
  controller.abort()
  assert.equal((await running).code, 0)
})

test('an invalid --port is a usage error naming the flag (exit 2, ERR_USAGE), before anything listens', async t => {
  const root = tempDir(t, 'sj-serve-')
  for (const port of ['-1', '70000', '65536', 'abc', '1.5', '', '0x10', '123456']) {
    const human = await run(['serve', `--port=${port}`], { root })
    assert.equal(human.code, 2, port)
    assert.match(human.stderr, /--port/, port)
    assert.doesNotMatch(human.stderr, /options\.port|RangeError/)
    const json = await run(['serve', `--port=${port}`, '--json'], { root })
    assert.equal(json.code, 2)
    const error = (JSON.parse(json.stderr) as { error: { code: string, message: string } }).error
    assert.equal(error.code, 'ERR_USAGE')
    assert.match(error.message, /--port/)
  }
  // As two arguments, a negative number reads like an option: still a usage error about --port.
  const separate = await run(['serve', '--port', '-1', '--json'], { root })
  assert.equal(separate.code, 2)
  assert.match((JSON.parse(separate.stderr) as { error: { message: string } }).error.message, /--port/)
  assert.deepEqual(fs.readdirSync(root), [], 'nothing was created')
})
