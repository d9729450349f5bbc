import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { countLogReadSyncs, tempDir } from '../helpers.js'
import { Journal } from '../../lib/journal.js'
import { listSessions } from '../../lib/core/list.js'
import { INDEX_VERSION } from '../../lib/core/list-cache.js'
import { Layout, projectIdOf } from '../../lib/core/paths.js'
import type { Session } from '../../lib/core/session.js'

/** A root of `projects` projects, two sessions each; listed with packing from 3 projects without an index. */
async function setup(t: TestContext, projects = 4) {
  const dir = tempDir(t)
  const root = path.join(dir, 'root')
  const j = new Journal({ root, fsync: 'never' })
  const layout = new Layout(root)
  const sessions: Session[] = []
  for (let p = 0; p < projects; p++) {
    for (let k = 0; k < 2; k++) {
      const s = await j.create({ project: path.join(dir, `p${p}`), title: `p${p} s${k}` })
      await s.message({ role: 'user', parts: [{ type: 'text', text: `prompt ${p}.${k}` }] })
      await s.close()
      sessions.push(s)
    }
  }
  const list = () => listSessions(layout, { packAt: 3, racyMs: 0 })
  const ownIndex = (project: string) => path.join(root, 'projects', projectIdOf(path.join(dir, project)), 'index.json')
  return { j, dir, root, layout, sessions, list, ownIndex, packed: layout.packedIndexFile }
}

/** What a row shows, for comparing listings made different ways. */
const shown = (rows: Awaited<ReturnType<typeof listSessions>>) => rows.map(r => [r.id, r.title, r.messages, r.firstPrompt, r.projectPath, r.damaged])

test('a first listing of many projects writes one packed index, no index.json each; the next listing reads it and no log', async t => {
  const { dir, layout, list, ownIndex, packed } = await setup(t)
  const rows = await list()
  assert.equal(rows.length, 8)
  assert.ok(fs.existsSync(packed))
  assert.equal(fs.statSync(packed).mode & 0o777, 0o600)
  for (let p = 0; p < 4; p++) assert.equal(fs.existsSync(ownIndex(`p${p}`)), false, `p${p} has no index.json of its own`)
  const reads = countLogReadSyncs(t)
  const before = fs.statSync(packed)
  const again = await list()
  assert.deepEqual(shown(again), shown(rows))
  assert.equal(reads.bytes, 0, 'no log byte read')
  // One project from the packed index (`list --project`): its two rows, still no log read.
  const one = await listSessions(layout, { projectId: projectIdOf(path.join(dir, 'p2')), packAt: 3, racyMs: 0 })
  assert.deepEqual(shown(one), shown(rows.filter(r => r.title?.startsWith('p2 '))))
  assert.equal(reads.bytes, 0)
  assert.equal(fs.statSync(packed).mtimeMs, before.mtimeMs, 'nothing changed: not rewritten')
  assert.equal(fs.statSync(packed).ino, before.ino)
})

test('a packed project that changes gets its own index.json, which wins over its entry; the grown log is read once from its start', async t => {
  const { j, sessions, list, ownIndex, packed } = await setup(t)
  await list()
  const packedBefore = fs.readFileSync(packed, 'utf8')
  const s = await j.resume(sessions[2]!.id) // p1
  await s.message({ role: 'assistant', parts: [{ type: 'text', text: 'answer' }] })
  await s.close()
  const reads = countLogReadSyncs(t)
  const rows = await list()
  assert.equal(rows.find(r => r.id === s.id)?.messages, 2)
  assert.equal(reads.bytes, fs.statSync(s.path).size, 'a packed row has no state to extend: the log read whole, once')
  assert.ok(fs.existsSync(ownIndex('p1')))
  assert.equal(fs.readFileSync(packed, 'utf8'), packedBefore, 'one changed project is not worth repacking')
  // From now on p1 is extended from its own index's state: only the appended bytes.
  const again = await j.resume(s.id)
  const size = fs.statSync(s.path).size
  await again.title('renamed')
  await again.close()
  reads.bytes = 0
  assert.equal((await list()).find(r => r.id === s.id)?.title, 'renamed')
  assert.equal(reads.bytes, fs.statSync(s.path).size - size)
})

test('a packed index that is garbled, of another version, foreign, or hostile still gives the right rows, and is replaced', async t => {
  const { dir, sessions, list, packed, layout } = await setup(t)
  const truth = shown(await list())
  const p0 = projectIdOf(path.join(dir, 'p0'))
  const header = `{"version":${INDEX_VERSION},"packed":true}`
  const bad = [
    'not json', '', `{"version":${INDEX_VERSION},"projects":{}}`, `{"version":${INDEX_VERSION - 1},"packed":true}\n`, 'null\n',
    // Hostile entries: a prototype key, rows of the wrong shape, a torn line, a nesting bomb, escapes.
    `${header}\n__proto__\t{"polluted":true}\n${p0}\t${JSON.stringify({ version: INDEX_VERSION, projectPath: '/elsewhere', mark: null, sessions: { [sessions[0]!.id]: ['x'] } })}\n`,
    `${header}\n${p0}\t{"version":${INDEX_VERSION},"projectPath":"/torn","mark":null,"sessions":{`,
    `${header}\n${p0}\t${'['.repeat(100_000)}\n`,
    `${header}\n${p0}\t${JSON.stringify({ version: INDEX_VERSION, projectPath: '\u001b]0;x\u0007', mark: 'garbage', sessions: {} })}\n`,
  ]
  for (const text of bad) {
    fs.writeFileSync(packed, text)
    assert.deepEqual(shown(await listSessions(layout, { packAt: 3, racyMs: 0 })), truth, text.slice(0, 40))
  }
  // A packed row of another file (the log replaced: another inode) is rebuilt, not trusted.
  await list()
  const s = sessions[5]!
  const log = fs.readFileSync(s.path, 'utf8').replace('p2 s1', 'p2 S1')
  fs.writeFileSync(`${s.path}.tmp`, log)
  fs.renameSync(`${s.path}.tmp`, s.path)
  assert.equal((await list()).find(r => r.id === s.id)?.title, 'p2 S1')
})

test('fewer projects without an index than the threshold, or a usage listing: each project gets its own index.json with its state', async t => {
  const { ownIndex, packed, layout } = await setup(t, 2)
  await listSessions(layout, { packAt: 3, racyMs: 0 })
  assert.equal(fs.existsSync(packed), false)
  assert.ok(fs.existsSync(ownIndex('p0')) && fs.existsSync(ownIndex('p1')))
  // Usage by quarter hour needs every state: a usage listing never packs, whatever the count.
  const wide = await setup(t, 4)
  const collected: string[] = []
  await listSessions(wide.layout, { packAt: 3, racyMs: 0 }, row => collected.push(row.id))
  assert.equal(collected.length, 8)
  assert.equal(fs.existsSync(wide.packed), false)
  for (let p = 0; p < 4; p++) assert.equal(fs.readFileSync(wide.ownIndex(`p${p}`), 'utf8').split('\n').length, 3, 'rows, state, end')
})
