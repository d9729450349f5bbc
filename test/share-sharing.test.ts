import assert from 'node:assert/strict'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { test, type TestContext } from 'node:test'
import { Journal } from '../lib/index.js'
import { startShareServer } from '../lib/share/server.js'
import { loadShareRecord } from '../lib/share/secrets.js'
import { shareSyncOf } from '../lib/share/sharing.js'
import { logLines, tempDir } from './helpers.js'

async function setup(t: TestContext, projectConfig?: string) {
  const dir = tempDir(t)
  const root = path.join(dir, 'root')
  const configDir = path.join(dir, 'config')
  const project = path.join(dir, 'project')
  fs.mkdirSync(project)
  fs.mkdirSync(path.join(project, '.git'))
  if (projectConfig) fs.writeFileSync(path.join(project, 'session-journal.jsonc'), projectConfig)
  const serverDir = path.join(dir, 'server')
  const server = await startShareServer({ dir: serverDir })
  t.after(() => server.close())
  const journal = new Journal({ root, configDir, shareServer: server.url, shareDebounceMs: 5, env: {} })
  return { dir, root, configDir, project, server, serverDir, journal }
}

/** A server that only counts requests: proof that nothing reached the network. */
async function countingServer(t: TestContext): Promise<{ url: string, count: () => number }> {
  let n = 0
  const server = http.createServer((req, res) => { n++; res.statusCode = 500; res.end() })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise<void>(resolve => server.close(() => resolve())))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, count: () => n }
}

const apiOf = (url: string) => url.replace('/s/', '/api/share/')

test('share publishes the folded session, records it, and keeps it in sync as events are appended', async t => {
  const { journal, project, root } = await setup(t)
  const s = await journal.create({ project, title: 'shared' })
  await s.message({ role: 'user', parts: [{ type: 'text', text: 'before' }] })
  const { url } = await journal.share(s.id)
  assert.match(url, /\/s\/[A-Za-z0-9_-]+$/)

  const published = await (await fetch(apiOf(url))).json() as { info: { title: string }, messages: Array<{ parts: Array<{ text: string }> }> }
  assert.equal(published.info.title, 'shared')
  assert.deepEqual(published.messages.map(m => m.parts[0]!.text), ['before'])

  await s.message({ role: 'assistant', parts: [{ type: 'text', text: 'after' }] })
  await s.title('renamed')
  await s.close() // flushes the pending sync
  const synced = await (await fetch(apiOf(url))).json() as typeof published
  assert.deepEqual(synced.messages.map(m => m.parts[0]!.text), ['before', 'after'])
  assert.equal(synced.info.title, 'renamed')

  const share = logLines(s.path).find(e => e.type === 'share')
  assert.equal(share?.url, url)
  const record = await loadShareRecord(root, s.id)
  assert.equal(record?.url, url)
  assert.equal(fs.statSync(path.join(root, 'shares', `${s.id}.json`)).mode & 0o777, 0o600)
  assert.deepEqual((await journal.read(s.id)).info.share?.url, url)
})

test('a resumed shared session goes on syncing', async t => {
  const { journal, project } = await setup(t)
  const s = await journal.create({ project })
  const { url } = await journal.share(s.id)
  await s.close()
  const again = await journal.resume(s.id)
  assert.ok(shareSyncOf(again))
  await again.message({ role: 'user', parts: [{ type: 'text', text: 'later' }] })
  await again.close()
  const doc = await (await fetch(apiOf(url))).json() as { messages: unknown[] }
  assert.equal(doc.messages.length, 1)
})

test('unshare removes the data on the server (page, JSON and files) and records unshare', async t => {
  const { journal, project, serverDir, root } = await setup(t)
  const s = await journal.create({ project })
  await s.message({ role: 'user', parts: [{ type: 'text', text: 'secret plan' }] })
  const { url } = await journal.share(s.id)
  assert.equal(fs.readdirSync(serverDir).filter(n => n.endsWith('.json')).length, 1)
  assert.equal(await journal.unshare(s.id), true)
  assert.equal((await fetch(url)).status, 404)
  assert.equal((await fetch(apiOf(url))).status, 404)
  assert.deepEqual(fs.readdirSync(serverDir).filter(n => n.endsWith('.json')), [])
  assert.equal(await loadShareRecord(root, s.id), undefined)
  assert.equal(logLines(s.path).at(-1)?.type, 'unshare')
  await s.close()
  assert.equal((await journal.read(s.id)).info.share, null)
  assert.equal(await journal.unshare(s.id), false)
})

test('disabled in the project file: share() is refused before any request reaches the server', async t => {
  const { project, root, configDir } = await setup(t, '// team policy\n{ "share": "disabled", }\n')
  const counter = await countingServer(t)
  const strict = new Journal({ root, configDir, shareServer: counter.url, env: { SESSION_JOURNAL_SHARE: 'auto' } })
  const s = await strict.create({ project })
  await assert.rejects(strict.share(s.id), { code: 'ERR_SHARE_DISABLED' })
  await s.close()
  assert.equal(counter.count(), 0)
  assert.equal(logLines(s.path).some(e => e.type === 'share'), false)
})

test('auto shares every new root session on create, not child sessions', async t => {
  const { journal, project } = await setup(t, '{ "share": "auto" }')
  const root = await journal.create({ project, title: 'root' })
  await root.close()
  const shared = (await journal.read(root.id)).info.share
  assert.ok(shared)
  assert.equal((await fetch(apiOf(shared.url))).status, 200)
  const child = await journal.create({ project, parentId: root.id })
  await child.close()
  assert.equal((await journal.read(child.id)).info.share, null)
})

test('manual (the default) never shares by itself', async t => {
  const { journal, project } = await setup(t)
  const s = await journal.create({ project })
  await s.message({ role: 'user', parts: [{ type: 'text', text: 'x' }] })
  await s.close()
  assert.equal((await journal.read(s.id)).info.share, null)
})

test('a failing server: share() rejects ERR_SHARE_FAILED, auto create still works, appends never fail', async t => {
  const { root, configDir, project } = await setup(t)
  const counter = await countingServer(t)
  const journal = new Journal({ root, configDir, shareServer: counter.url, env: { SESSION_JOURNAL_SHARE: 'auto' } })
  const warnings: string[] = []
  const onWarning = (w: Error & { code?: string }) => { if (w.code === 'SESSION_JOURNAL_SHARE_FAILED') warnings.push(w.message) }
  process.on('warning', onWarning)
  t.after(() => process.off('warning', onWarning))
  const s = await journal.create({ project })
  await s.message({ role: 'user', parts: [{ type: 'text', text: 'still written' }] })
  await assert.rejects(journal.share(s.id), { code: 'ERR_SHARE_FAILED' })
  await s.close()
  await new Promise(resolve => setImmediate(resolve))
  assert.equal(warnings.length, 1)
  assert.ok(counter.count() >= 2)
  assert.equal((await journal.read(s.id)).messages.length, 1)
})

test('a server that dies after sharing never blocks appends; close() gives up on it', async t => {
  const { journal, project, server } = await setup(t)
  const s = await journal.create({ project })
  await journal.share(s.id)
  await server.close()
  for (let i = 0; i < 20; i++) await s.message({ role: 'user', parts: [{ type: 'text', text: `m${i}` }] })
  await s.close()
  assert.equal((await journal.read(s.id)).messages.length, 20)
  assert.equal(shareSyncOf(s)?.lastError?.name, 'ShareFailedError')
})

test('delete unshares first, and refuses to delete while the share cannot be taken down', async t => {
  const { journal, project, serverDir, server } = await setup(t)
  const a = await journal.create({ project })
  const { url } = await journal.share(a.id)
  await a.close()
  await journal.delete(a.id)
  assert.equal((await fetch(url)).status, 404)
  assert.deepEqual(fs.readdirSync(serverDir).filter(n => n.endsWith('.json')), [])

  const b = await journal.create({ project })
  await journal.share(b.id)
  await b.close()
  await server.close()
  await assert.rejects(journal.delete(b.id), { code: 'ERR_SHARE_FAILED' })
  assert.ok(fs.existsSync(b.path))
})
