import assert from 'node:assert/strict'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { test, type TestContext } from 'node:test'
import { Journal } from '../../lib/index.js'
import { nodeIO, withWriterIO } from '../../lib/testing.js'
import { startShareServer } from '../../lib/server/server.js'
import { httpShareProvider, type ShareDocument } from '../../lib/share/provider.js'
import { loadShareRecord } from '../../lib/share/records.js'
import { logLines, rejectsWith, tempDir } from '../helpers.js'

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
  const journal = new Journal({ root, configDir, share: { server: server.url, debounceMs: 5 }, env: {} })
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

/** A proxy in front of a share server that counts what passes: 502 once the server is gone. */
async function countingProxy(t: TestContext, target: string): Promise<{ url: string, count: () => number }> {
  let n = 0
  const proxy = http.createServer(async (req, res) => {
    n++
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    try {
      const body = Buffer.concat(chunks)
      const answer = await fetch(`${target}${req.url}`, { method: req.method!, headers: req.headers as Record<string, string>, ...(body.length ? { body } : {}) })
      res.statusCode = answer.status
      res.setHeader('content-type', answer.headers.get('content-type') ?? 'application/json')
      res.end(Buffer.from(await answer.arrayBuffer()))
    } catch {
      res.statusCode = 502
      res.end()
    }
  })
  await new Promise<void>(resolve => proxy.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise<void>(resolve => proxy.close(() => resolve())))
  return { url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, count: () => n }
}

const apiOf = (url: string) => url.replace('/s/', '/api/share/')
const say = (text: string) => ({ role: 'user' as const, parts: [{ type: 'text', text }] })
const sharesIn = (dir: string) => fs.readdirSync(dir).filter(n => n.endsWith('.json'))

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
  assert.equal(journal.shareStatus(again.id)?.active, true)
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
  assert.deepEqual(await journal.unshare(s.id), { url, removed: true })
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
  const strict = new Journal({ root, configDir, share: { server: counter.url }, env: { SESSION_JOURNAL_SHARE: 'auto' } })
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
  const journal = new Journal({ root, configDir, share: { server: counter.url }, env: { SESSION_JOURNAL_SHARE: 'auto' } })
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
  assert.equal(journal.shareStatus(s.id)?.lastError?.name, 'ShareFailedError')
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

test('a share() retried after a half-finished one reuses the record: one copy on the server, and unshare takes it down', async t => {
  const { root, configDir, project, server, serverDir } = await setup(t)
  let failShareEvent = true
  const io = {
    ...nodeIO,
    writeSync(fd: number, data: string | Uint8Array) {
      if (failShareEvent && typeof data === 'string' && data.includes('"type":"share"')) {
        failShareEvent = false
        throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' })
      }
      return nodeIO.writeSync(fd, data)
    },
  }
  const journal = new Journal(withWriterIO({ root, configDir, share: { server: server.url }, env: {} }, io))
  const s = await journal.create({ project })
  await s.close()
  const failed = await rejectsWith(journal.share(s.id), 'ERR_WRITE_FAILED')
  const shares = () => fs.readdirSync(serverDir).filter(n => n.endsWith('.json'))
  assert.equal(shares().length, 1)
  const { url } = await journal.share(s.id)
  assert.ok(failed.message.endsWith(`; the session is published at ${url} and recorded here, but its log does not say so yet: share it again to complete`), failed.message)
  assert.equal(shares().length, 1, 'not published a second time')
  assert.equal((await journal.read(s.id)).info.share?.url, url)
  assert.deepEqual(await journal.unshare(s.id), { url, removed: true })
  assert.deepEqual(shares(), [])
})

test('the published copy has the folder name, not the absolute path, no host events, and can be redacted', async t => {
  const { root, configDir, project, server } = await setup(t)
  const journal = new Journal({ root, configDir, share: { server: server.url, redact: true }, env: {} })
  const s = await journal.create({ project })
  await s.message({ role: 'user', parts: [{ type: 'text', text: 'my key is sk-abcdefghijklmnopqrstuvwx0123456789' }] })
  await s.append('x.host.cost', { tokens: 1 })
  const { url } = await journal.share(s.id)
  await s.close()
  const doc = await (await fetch(apiOf(url))).json() as { info: { projectPath: string, meta: { events: unknown[] } }, messages: Array<{ parts: Array<{ text: string }> }> }
  assert.equal(doc.info.projectPath, 'project')
  assert.deepEqual(doc.info.meta.events, [])
  assert.doesNotMatch(doc.messages[0]!.parts[0]!.text, /sk-abcdef/)
  assert.match(doc.messages[0]!.parts[0]!.text, /\[REDACTED\]/)
  // The log itself is never redacted.
  assert.match(fs.readFileSync(s.path, 'utf8'), /sk-abcdefghijklmnopqrstuvwx0123456789/)
})

test('sync: one request at a time, and stopped once the session is closed', async t => {
  const { root, configDir, project } = await setup(t)
  let inFlight = 0
  let maxInFlight = 0
  let syncs = 0
  let fail = false
  const backend = await startShareServer({ dir: path.join(root, '..', 'backend') })
  t.after(() => backend.close())
  // A slow proxy in front of the real server, so sends would overlap if they could.
  const proxy = http.createServer(async (req, res) => {
    const body = await new Promise<Buffer>(resolve => { const c: Buffer[] = []; req.on('data', d => c.push(d)); req.on('end', () => resolve(Buffer.concat(c))) })
    if (req.url?.endsWith('/sync')) {
      syncs++
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      await new Promise(resolve => setTimeout(resolve, 30))
      inFlight--
      if (fail) { res.statusCode = 500; res.end('{}'); return }
    }
    const answer = await fetch(`${backend.url}${req.url}`, { method: req.method!, headers: req.headers as Record<string, string>, ...(body.length ? { body } : {}) })
    res.statusCode = answer.status
    res.setHeader('content-type', answer.headers.get('content-type') ?? 'application/json')
    res.end(Buffer.from(await answer.arrayBuffer()))
  })
  await new Promise<void>(resolve => proxy.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise<void>(resolve => proxy.close(() => resolve())))
  const journal = new Journal({ root, configDir, share: { server: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, debounceMs: 1 }, env: {} })
  const s = await journal.create({ project })
  await journal.share(s.id)
  for (let i = 0; i < 30; i++) {
    await s.message({ role: 'user', parts: [{ type: 'text', text: `m${i}` }] })
    await new Promise(resolve => setTimeout(resolve, 3))
  }
  fail = true
  await s.message({ role: 'user', parts: [{ type: 'text', text: 'last' }] })
  await s.close()
  assert.ok(syncs >= 2)
  assert.equal(maxInFlight, 1)
  // That no retry follows a close is proven with a manual clock in sync.test.ts, without sleeping.
  assert.equal(journal.shareStatus(s.id)?.active, false)
})

test('delete of a session held by a writer is refused before it unshares anything', async t => {
  const { journal, project } = await setup(t)
  const s = await journal.create({ project })
  const { url } = await journal.share(s.id)
  await assert.rejects(journal.delete(s.id), { code: 'ERR_SESSION_LOCKED' })
  assert.equal((await fetch(url)).status, 200)
  await s.close()
})

// --- `disabled` stops everything but unshare ---------------------------------------------------

const DISABLE: Record<string, (where: { project: string, configDir: string }) => NodeJS.ProcessEnv> = {
  'the project file': ({ project }) => { fs.writeFileSync(path.join(project, 'session-journal.jsonc'), '{ "share": "disabled" }'); return {} },
  'the global file': ({ configDir }) => { fs.mkdirSync(configDir, { recursive: true }); fs.writeFileSync(path.join(configDir, 'config.jsonc'), '{ "share": "disabled" }'); return {} },
  '$SESSION_JOURNAL_SHARE': () => ({ SESSION_JOURNAL_SHARE: 'disabled' }),
}

for (const [by, disable] of Object.entries(DISABLE)) {
  test(`a session shared before ${by} disabled sharing: resume + append send nothing, share() refuses, unshare takes it down`, async t => {
    const { root, configDir, project, server, serverDir } = await setup(t)
    const proxy = await countingProxy(t, server.url)
    const before = new Journal({ root, configDir, share: { server: proxy.url, debounceMs: 1 }, env: {} })
    const s = await before.create({ project })
    await s.message(say('published'))
    const { url } = await before.share(s.id)
    await s.close()
    const sent = proxy.count()

    const env = disable({ project, configDir })
    const journal = new Journal({ root, configDir, share: { server: proxy.url, debounceMs: 1 }, env })
    const again = await journal.resume(s.id)
    await again.message(say('after the switch'))
    await again.close() // would flush a pending sync
    const refused = await rejectsWith(journal.share(s.id), 'ERR_SHARE_DISABLED')
    assert.match(refused.message, new RegExp(`nothing was sent; the copy published before at ${url} stays online until it is unshared`))
    assert.equal(proxy.count(), sent, 'no request after the switch')
    const status = journal.shareStatus(s.id)
    assert.equal(status?.active, false)
    assert.equal((status?.lastError as { code?: string } | null)?.code, 'ERR_SHARE_DISABLED')
    const published = await (await fetch(apiOf(url))).json() as { messages: unknown[] }
    assert.equal(published.messages.length, 1, 'the copy stays as it was')

    // Taking the copy down is the one request allowed.
    assert.deepEqual(await journal.unshare(s.id), { url, removed: true })
    assert.equal(proxy.count(), sent + 1)
    assert.deepEqual(sharesIn(serverDir), [])
    assert.equal((await journal.list({ project }))[0]?.shared, false)
  })
}

test('disabled while a host holds a shared session open: the next send is not made', async t => {
  const { root, configDir, project, server } = await setup(t)
  const proxy = await countingProxy(t, server.url)
  const journal = new Journal({ root, configDir, share: { server: proxy.url, debounceMs: 1 }, env: {} })
  const s = await journal.create({ project })
  await journal.share(s.id)
  const sent = proxy.count()
  fs.writeFileSync(path.join(project, 'session-journal.jsonc'), '{ "share": "disabled" }')
  await s.message(say('not for the server'))
  await s.close()
  assert.equal(proxy.count(), sent)
  assert.equal((journal.shareStatus(s.id)?.lastError as { code?: string } | null)?.code, 'ERR_SHARE_DISABLED')
})

test('share, unshare, share again in one open session: the new copy is kept in sync', async t => {
  const { journal, project } = await setup(t)
  const s = await journal.create({ project })
  await journal.share(s.id)
  await journal.unshare(s.id)
  const { url } = await journal.share(s.id)
  await s.message(say('after the second share'))
  await s.close()
  const doc = await (await fetch(apiOf(url))).json() as { messages: unknown[] }
  assert.equal(doc.messages.length, 1)
  assert.equal(journal.shareStatus(s.id)?.url, url)
})

// --- a share server that is gone ---------------------------------------------------------------

test('server gone: unshare says nothing was unshared; unshare({ local }) forgets it without a request and says where the copy remains', async t => {
  const { root, configDir, project, server } = await setup(t)
  const proxy = await countingProxy(t, server.url)
  const journal = new Journal({ root, configDir, share: { server: proxy.url }, env: {} })
  const s = await journal.create({ project })
  const { url } = await journal.share(s.id)
  await s.close()
  await server.close()

  const failed = await rejectsWith(journal.unshare(s.id), 'ERR_SHARE_FAILED')
  assert.match(failed.message, new RegExp(`nothing was unshared: the share at ${url} was not taken down and is still recorded here`))
  assert.ok(await loadShareRecord(root, s.id))
  assert.equal(logLines(s.path).at(-1)?.type, 'share')

  const sent = proxy.count()
  assert.deepEqual(await journal.unshare(s.id, { local: true }), { url, removed: false })
  assert.equal(proxy.count(), sent, 'the server was not contacted')
  assert.equal(await loadShareRecord(root, s.id), undefined)
  assert.equal(logLines(s.path).at(-1)?.type, 'unshare')
  assert.equal((await journal.read(s.id)).info.share, null)
  assert.equal(await journal.unshare(s.id, { local: true }), false)
})

test('unshare({ local }) forgets a damaged share record, naming the link the log records', async t => {
  const { journal, project, root } = await setup(t)
  const s = await journal.create({ project })
  const { url } = await journal.share(s.id)
  await s.close()
  fs.writeFileSync(path.join(root, 'shares', `${s.id}.json`), '{ torn')
  await rejectsWith(journal.unshare(s.id), 'ERR_SHARE_FAILED')
  assert.deepEqual(await journal.unshare(s.id, { local: true }), { url, removed: false })
  assert.equal(fs.existsSync(path.join(root, 'shares', `${s.id}.json`)), false)
})

test('server gone: delete says nothing was deleted; delete({ force }) deletes, says where the copy remains, and keeps the record for a later unshare', async t => {
  const { root, configDir, project, serverDir } = await setup(t)
  const first = await startShareServer({ dir: serverDir })
  const port = Number(new URL(first.url).port)
  const journal = new Journal({ root, configDir, share: { server: first.url }, env: {} })
  const s = await journal.create({ project })
  const { url } = await journal.share(s.id)
  await s.close()
  await first.close()

  const failed = await rejectsWith(journal.delete(s.id), 'ERR_SHARE_FAILED')
  assert.match(failed.message, new RegExp(`nothing was deleted: the share at ${url} was not taken down`))
  assert.ok(fs.existsSync(s.path))

  const { share } = await journal.delete(s.id, { force: true })
  assert.equal(share?.url, url)
  assert.equal(share?.removed, false)
  assert.equal((share?.error as { code?: string } | undefined)?.code, 'ERR_SHARE_FAILED')
  assert.equal(fs.existsSync(s.path), false)
  assert.ok(await loadShareRecord(root, s.id), 'kept, so the copy can still be taken down')

  // The server is back: the kept record takes the copy down.
  const back = await startShareServer({ dir: serverDir, port })
  t.after(() => back.close())
  assert.equal(sharesIn(serverDir).length, 1)
  assert.deepEqual(await journal.unshare(s.id), { url, removed: true })
  assert.deepEqual(sharesIn(serverDir), [])
})

test('delete({ force }) of a share that can be taken down takes it down', async t => {
  const { journal, project, serverDir } = await setup(t)
  const s = await journal.create({ project })
  const { url } = await journal.share(s.id)
  await s.close()
  assert.deepEqual(await journal.delete(s.id, { force: true }), { share: { url, removed: true } })
  assert.deepEqual(sharesIn(serverDir), [])
  const plain = await journal.create({ project })
  await plain.close()
  assert.deepEqual(await journal.delete(plain.id), { share: null })
})

test('share() with the server gone says nothing was published, and records nothing', async t => {
  const { journal, project, server, root } = await setup(t)
  const s = await journal.create({ project })
  await server.close()
  const failed = await rejectsWith(journal.share(s.id), 'ERR_SHARE_FAILED')
  assert.match(failed.message, /fetch failed; nothing was published$/)
  await s.close()
  assert.equal(await loadShareRecord(root, s.id), undefined)
  assert.equal(logLines(s.path).some(e => e.type === 'share'), false)
})

test('share() whose record cannot be saved takes the copy down again and says so', async t => {
  const { root, configDir, project, server, serverDir } = await setup(t)
  const transport = httpShareProvider(server.url)
  // Published, then the record's folder cannot be made: a file stands where it should be.
  const provider = { ...transport, publish: async (doc: ShareDocument) => {
    const record = await transport.publish(doc)
    fs.writeFileSync(path.join(root, 'shares'), 'not a folder')
    return record
  } }
  const journal = new Journal({ root, configDir, share: { provider }, env: {} })
  const s = await journal.create({ project })
  await s.close()
  const failed = await journal.share(s.id).then(() => assert.fail('shared'), (error: Error) => error)
  assert.match(failed.message, /; the copy just published at \S+ was taken down again: nothing was shared$/)
  assert.deepEqual(sharesIn(serverDir), [])
  assert.equal(logLines(s.path).some(e => e.type === 'share'), false)
})

test('unshare whose event cannot be written says the copy was taken down and the record removed', async t => {
  const { root, configDir, project, server, serverDir } = await setup(t)
  const io = {
    ...nodeIO,
    writeSync(fd: number, data: string | Uint8Array) {
      if (typeof data === 'string' && data.includes('"type":"unshare"')) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' })
      return nodeIO.writeSync(fd, data)
    },
  }
  const journal = new Journal(withWriterIO({ root, configDir, share: { server: server.url }, env: {} }, io))
  const s = await journal.create({ project })
  const { url } = await journal.share(s.id)
  await s.close()
  const failed = await rejectsWith(journal.unshare(s.id), 'ERR_WRITE_FAILED')
  assert.match(failed.message, new RegExp(`; the share at ${url} was taken down and its record here removed, but the log does not record the unshare$`))
  assert.deepEqual(sharesIn(serverDir), [])
})

test('share and unshare append one event each, nothing else (the listing order is the fold\'s to keep)', async t => {
  const { journal, project } = await setup(t)
  const open = await journal.create({ project })
  await open.message(say('x'))
  const closed = await journal.create({ project })
  await closed.message(say('y'))
  await closed.close()
  for (const s of [open, closed]) {
    const before = fs.readFileSync(s.path, 'utf8')
    await journal.share(s.id)
    await journal.share(s.id) // again: the same link, no second event
    await journal.unshare(s.id)
    const added = fs.readFileSync(s.path, 'utf8').slice(before.length).split('\n').filter(Boolean).map(l => JSON.parse(l) as { type: string })
    assert.deepEqual(added.map(e => e.type), ['share', 'unshare'])
  }
  await open.close()
})
