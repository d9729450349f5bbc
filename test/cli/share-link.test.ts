/** import from a share link (lib/cli/share-link.ts), against a real share server. */
import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { test, type TestContext } from 'node:test'
import { fetchShare, shareApiUrl } from '../../lib/cli/share-link.js'
import { startShareServer } from '../../lib/server/index.js'
import { Journal } from '../../lib/journal.js'
import { run } from './helpers.js'
import { tempDir } from '../helpers.js'
import { journalIn } from '../sessions.js'

/** A plain HTTP server answering every request with `handler`; closed when the test ends. */
async function serve(t: TestContext, handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler)
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise<void>(resolve => { server.closeAllConnections(); server.close(() => resolve()) }))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

test('import <share link>: the /s/ and /api/share/ forms, with --project and --new-id', async t => {
  const { journal, root, project } = journalIn(t)
  const server = await startShareServer({ dir: path.join(tempDir(t), 'server') })
  t.after(() => server.close())
  const s = await journal.create({ project, title: 'shared one' })
  await s.message({ role: 'user', parts: [{ type: 'text', text: 'look at this' }] })
  await s.close()
  const env = { SESSION_JOURNAL_CONFIG_DIR: tempDir(t), SESSION_JOURNAL_SHARE_SERVER: server.url }
  const link = (await run(['share', s.id], { root, env })).stdout.trim()
  assert.match(link, /\/s\/[\w-]+$/)

  const root2 = path.join(tempDir(t), 'root2')
  const dest = tempDir(t)
  const r = await run(['import', link, '--project', 'here'], { root: root2, cwd: dest })
  assert.deepEqual(r, { code: 0, stdout: `${s.id}\n`, stderr: '' })
  const copy = await new Journal({ root: root2 }).read(s.id)
  assert.equal(copy.info.projectPath, path.join(dest, 'here'))
  assert.deepEqual(copy.messages, (await journal.read(s.id)).messages)
  assert.equal(copy.info.title, 'shared one')

  const api = link.replace('/s/', '/api/share/')
  const again = await run(['import', api, '--new-id', '--project', dest, '--json'], { root: root2 })
  assert.equal(again.code, 0, again.stderr)
  const { id, source } = JSON.parse(again.stdout) as { id: string, source: string }
  assert.notEqual(id, s.id)
  assert.equal(source, api)
  assert.deepEqual((await new Journal({ root: root2 }).read(id)).messages, copy.messages)

  const gone = `${link.slice(0, link.lastIndexOf('/') + 1)}AAAAAAAAAAAAAAAAAAAAAA`
  const missing = await run(['import', gone, '--project', dest], { root: root2 })
  assert.deepEqual(missing, {
    code: 1,
    stdout: '',
    stderr: `session-journal: could not import ${gone.replace('/s/', '/api/share/')}: no such share (HTTP 404)\n`,
  })
  assert.equal(JSON.parse((await run(['import', gone, '--json'], { root: root2 })).stderr).error.code, 'ERR_SHARE_FAILED')
})

test('import of a link that is no share, or answers no JSON: clear errors, nothing written', async t => {
  const { root } = journalIn(t)
  const html = await serve(t, (_req, res) => { res.writeHead(200, { 'Content-Type': 'text/html' }); res.end('<html>login</html>') })
  const notJson = await run(['import', `${html}/s/abc`, '--json'], { root })
  assert.equal(notJson.code, 1)
  const error = JSON.parse(notJson.stderr).error as { code: string, message: string }
  assert.equal(error.code, 'ERR_INVALID_EXPORT')
  assert.match(error.message, new RegExp(`${html}/s/abc is not JSON`))
  for (const [link, message] of [
    [`${html}/other/abc`, `"${html}/other/abc" is not a share link`],
    ['ftp://example.com/s/abc', 'only http(s) share links can be imported, got ftp://'],
    ['http://exa mple/s/x', 'is not a valid URL'],
  ] as const) {
    const r = await run(['import', link], { root })
    assert.equal(r.code, 2, link)
    assert.ok(r.stderr.includes(message), r.stderr)
  }
  const closed = http.createServer()
  await new Promise<void>(resolve => closed.listen(0, '127.0.0.1', resolve))
  const port = (closed.address() as AddressInfo).port
  await new Promise(resolve => closed.close(resolve))
  const down = await run(['import', `http://127.0.0.1:${port}/s/abc`], { root })
  assert.deepEqual(down, { code: 1, stdout: '', stderr: `session-journal: could not import http://127.0.0.1:${port}/api/share/abc: ECONNREFUSED\n` })
  assert.equal((await run(['list', '--json'], { root })).stdout, '[]\n')
})

test('shareApiUrl keeps a proxy path prefix and takes both link forms', () => {
  assert.equal(shareApiUrl('https://h.example/s/abc').href, 'https://h.example/api/share/abc')
  assert.equal(shareApiUrl('https://h.example/journal/s/abc/').href, 'https://h.example/journal/api/share/abc')
  assert.equal(shareApiUrl('http://h.example:8080/api/share/a_b-c?x=1').href, 'http://h.example:8080/api/share/a_b-c')
})

test('fetchShare: a size limit, counted as bytes arrive; a timeout; Ctrl-C', async t => {
  const body = 'x'.repeat(1000)
  const declared = await serve(t, (_req, res) => { res.writeHead(200, { 'Content-Length': body.length }); res.end(body) })
  // 64 MiB without a length (chunked): only counting can stop it, and the socket's buffers cannot hold it all.
  const total = 64 * 1024 * 1024
  const chunk = 'y'.repeat(64 * 1024)
  let sent = 0
  const chunked = await serve(t, (_req, res) => {
    res.writeHead(200)
    let open = true
    res.on('close', () => { open = false })
    const more = () => {
      while (open && sent < total) {
        sent += chunk.length
        if (!res.write(chunk)) return res.once('drain', more)
      }
      if (open) res.end()
    }
    more()
  })
  const silent = await serve(t, () => { /* never answers */ })
  const limits = { timeoutMs: 30_000, maxBytes: 100 }
  await assert.rejects(fetchShare(new URL(`${declared}/api/share/a`), limits), { code: 'ERR_SHARE_FAILED', message: /larger than 100 bytes/ })
  assert.equal(await fetchShare(new URL(`${declared}/api/share/a`), { ...limits, maxBytes: 1000 }), body)
  await assert.rejects(fetchShare(new URL(`${chunked}/api/share/a`), limits), { code: 'ERR_SHARE_FAILED', message: /larger than 100 bytes/ })
  assert.ok(sent < total, `the download stopped early (${sent} of ${total} bytes sent)`)
  await assert.rejects(fetchShare(new URL(`${silent}/api/share/a`), { ...limits, timeoutMs: 50 }), { code: 'ERR_SHARE_FAILED', message: /no answer within 50 ms/ })
  const controller = new AbortController()
  const interrupted = fetchShare(new URL(`${silent}/api/share/a`), { ...limits, signal: controller.signal })
  controller.abort()
  await assert.rejects(interrupted, { code: 'ERR_SHARE_FAILED', message: /interrupted/ })
})
