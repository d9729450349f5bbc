/** Session ids in any case and by unique prefix, for every command taking one (lib/cli/ids.ts). */
import assert from 'node:assert/strict'
import path from 'node:path'
import { test } from 'node:test'
import { startShareServer } from '../../lib/server/index.js'
import type { Journal } from '../../lib/journal.js'
import { run } from './helpers.js'
import { tempDir } from '../helpers.js'
import { journalIn } from '../sessions.js'

async function sessions(journal: Journal, project: string, n: number): Promise<string[]> {
  const ids: string[] = []
  for (let i = 0; i < n; i++) {
    const s = await journal.create({ project, title: `s${i}` })
    await s.close()
    ids.push(s.id)
  }
  return ids
}

/** The shortest start of `id` that no other id shares. */
function uniquePrefix(id: string, ids: string[]): string {
  for (let n = 1; ; n++) if (ids.filter(other => other.startsWith(id.slice(0, n))).length === 1) return id.slice(0, n)
}

const commonPrefix = (ids: string[]) => ids.reduce((p, id) => { while (!id.startsWith(p)) p = p.slice(0, -1); return p })

test('every command taking an id accepts it in lower case and by unique prefix', async t => {
  const { journal, root, project } = journalIn(t)
  const configDir = tempDir(t, 'sj-config-')
  const server = await startShareServer({ dir: path.join(configDir, 'server') })
  t.after(() => server.close())
  const env = { SESSION_JOURNAL_CONFIG_DIR: configDir, SESSION_JOURNAL_SHARE_SERVER: server.url }
  const ids = await sessions(journal, project, 3)
  const id = ids[1]!
  for (const arg of [id.toLowerCase(), uniquePrefix(id, ids).toLowerCase(), uniquePrefix(id, ids)]) {
    assert.match((await run(['show', arg], { root })).stdout, new RegExp(`^s1\nid       ${id}\n`), arg)
    assert.equal(JSON.parse((await run(['tail', arg, '-n', '100', '--json'], { root })).stdout.split('\n')[0]!).id, id)
    assert.equal(JSON.parse((await run(['export', arg], { root })).stdout).info.id, id)
    assert.equal((await run(['verify', arg], { root })).stdout, `ok ${id}\n`)
    const shared = await run(['share', arg], { root, env })
    assert.equal(shared.code, 0, shared.stderr)
    assert.deepEqual(await run(['unshare', arg], { root, env }), { code: 0, stdout: `unshared ${id}\n`, stderr: '' })
  }
  assert.deepEqual(await run(['delete', uniquePrefix(ids[2]!, ids).toLowerCase()], { root }), { code: 0, stdout: `deleted ${ids[2]}\n`, stderr: '' })
})

test('an ambiguous prefix is a usage error listing the candidates (at most 10); no match is not found', async t => {
  const { journal, root, project } = journalIn(t)
  const ids = await sessions(journal, project, 3)
  const prefix = commonPrefix(ids).toLowerCase()
  const newestFirst = (await journal.list()).map(row => row.id)
  for (const command of ['show', 'tail', 'export', 'verify', 'delete', 'share', 'unshare']) {
    assert.deepEqual(await run([command, prefix], { root }), {
      code: 2,
      stdout: '',
      stderr: `session-journal: ${command}: "${prefix}" is the start of 3 session ids: ${newestFirst.join(', ')}; give more characters\nRun 'session-journal ${command} --help' for usage.\n`,
    }, command)
    const none = await run([command, 'zzz', '--json'], { root })
    assert.deepEqual([none.code, none.stdout, JSON.parse(none.stderr)], [3, '', { error: { code: 'ERR_SESSION_NOT_FOUND', message: `${command}: no session id starts with "zzz"` } }], command)
  }
  const more = await sessions(journal, project, 9)
  const all = [...ids, ...more]
  const many = await run(['show', commonPrefix(all)], { root })
  assert.equal(many.code, 2)
  const listed = /is the start of 12 session ids: (.*) and 2 more; give more characters\n/.exec(many.stderr)
  assert.ok(listed, many.stderr)
  assert.equal(listed[1]!.split(', ').length, 10)
  // Not Crockford base32 (O, I, L, U, '-'): not a prefix, refused as an invalid id.
  assert.equal(JSON.parse((await run(['show', 'not-an-id', '--json'], { root })).stderr).error.code, 'ERR_INVALID_ID')
})
