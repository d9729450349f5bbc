/** The share, unshare, config and serve commands: through main() and once each through the real bin. */
import assert from 'node:assert/strict'
import { spawn, execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test, type TestContext } from 'node:test'
import { promisify } from 'node:util'
import { startShareServer } from '../../lib/server/server.js'
import { run } from './helpers.js'
import { repoRoot, tempDir } from '../helpers.js'
import { journalIn } from '../sessions.js'

const BIN = path.join(repoRoot, 'dist', 'lib', 'cli', 'bin.js')

async function withServer(t: TestContext) {
  const { journal, root, project } = journalIn(t)
  const configDir = tempDir(t, 'sj-config-')
  const server = await startShareServer({ dir: path.join(configDir, 'server') })
  t.after(() => server.close())
  const env = { SESSION_JOURNAL_CONFIG_DIR: configDir, SESSION_JOURNAL_SHARE_SERVER: server.url }
  return { journal, root, project, configDir, server, env }
}

test('share prints the link, unshare takes it down; --json for both', async t => {
  const { journal, root, project, env } = await withServer(t)
  const s = await journal.create({ project })
  await s.message({ role: 'user', parts: [{ type: 'text', text: 'look at this' }] })
  await s.close()
  const shared = await run(['share', s.id], { root, env })
  assert.equal(shared.code, 0, shared.stderr)
  const url = shared.stdout.trim()
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/s\/[\w-]+$/)
  assert.match(await (await fetch(url)).text(), /look at this/)
  const again = await run(['share', s.id, '--json'], { root, env })
  assert.deepEqual(JSON.parse(again.stdout), { id: s.id, url })

  assert.deepEqual(await run(['unshare', s.id], { root, env }), { code: 0, stdout: `unshared ${s.id}\n`, stderr: '' })
  assert.equal((await fetch(url)).status, 404)
  const notShared = await run(['unshare', s.id, '--json'], { root, env })
  assert.equal(notShared.code, 1)
  assert.deepEqual(JSON.parse(notShared.stdout), { id: s.id, unshared: false })

  const second = (await run(['share', s.id], { root, env })).stdout.trim()
  const json = await run(['unshare', s.id, '--json'], { root, env })
  assert.deepEqual(JSON.parse(json.stdout), { id: s.id, unshared: true, url: second, removed: true })
})

test('share: disabled by the project is a one-line error with its code, nothing on stdout', async t => {
  const { journal, root, project, env } = await withServer(t)
  fs.writeFileSync(path.join(project, 'session-journal.jsonc'), '{ "share": "disabled" }')
  const s = await journal.create({ project })
  await s.close()
  const human = await run(['share', s.id], { root, env })
  assert.equal(human.code, 1)
  assert.equal(human.stdout, '')
  assert.equal(human.stderr.trimEnd().split('\n').length, 1)
  const json = await run(['share', s.id, '--json'], { root, env })
  assert.equal(JSON.parse(json.stderr).error.code, 'ERR_SHARE_DISABLED')
})

test('share server gone: unshare and delete say nothing was done and name the flag; --local and --force go on and say where the copy remains', async t => {
  const { journal, root, project, env, server } = await withServer(t)
  const s = await journal.create({ project })
  await s.close()
  const url = (await run(['share', s.id], { root, env })).stdout.trim()
  const other = await journal.create({ project })
  await other.close()
  const otherUrl = (await run(['share', other.id], { root, env })).stdout.trim()
  await server.close()

  const unshare = await run(['unshare', s.id], { root, env })
  assert.equal(unshare.code, 1)
  assert.equal(unshare.stdout, '')
  assert.match(unshare.stderr, new RegExp(`nothing was unshared: the share at ${url} was not taken down.*'session-journal unshare --local ${s.id}'`))
  const local = await run(['unshare', s.id, '--local'], { root, env })
  assert.deepEqual(local, { code: 0, stdout: `unshared ${s.id} here only: the server was not contacted, so the copy at ${url} may still be online\n`, stderr: '' })
  assert.equal((await journal.read(s.id)).info.share, null)

  const del = await run(['delete', other.id, '--json'], { root, env })
  assert.equal(del.code, 1)
  const error = JSON.parse(del.stderr).error as { code: string, message: string }
  assert.equal(error.code, 'ERR_SHARE_FAILED')
  assert.match(error.message, new RegExp(`nothing was deleted: the share at ${otherUrl} was not taken down.*'session-journal delete --force ${other.id}'`))
  assert.ok(fs.existsSync(other.path))
  const forced = await run(['delete', other.id, '--force'], { root, env })
  assert.equal(forced.code, 0)
  assert.equal(forced.stdout, `deleted ${other.id}\n`)
  assert.match(forced.stderr, new RegExp(`^session-journal: warning: the share of ${other.id} could not be taken down \\(unshare failed: .*\\); the copy at ${otherUrl} may still be online\\. Its share record is kept: 'session-journal unshare ${other.id}' takes it down`))
  assert.equal(fs.existsSync(other.path), false)
  const json = await run(['unshare', other.id, '--local', '--json'], { root, env })
  assert.deepEqual(JSON.parse(json.stdout), { id: other.id, unshared: true, url: otherUrl, removed: false })
})

test('delete of a shared session says its share was taken down; --force --json reports the share', async t => {
  const { journal, root, project, env } = await withServer(t)
  const a = await journal.create({ project })
  await a.close()
  const url = (await run(['share', a.id], { root, env })).stdout.trim()
  assert.deepEqual(await run(['delete', a.id], { root, env }), { code: 0, stdout: `deleted ${a.id}; its share at ${url} was taken down\n`, stderr: '' })
  assert.equal((await fetch(url)).status, 404)
  const b = await journal.create({ project })
  await b.close()
  const bUrl = (await run(['share', b.id], { root, env })).stdout.trim()
  const json = await run(['delete', b.id, '--force', '--json'], { root, env })
  assert.deepEqual(JSON.parse(json.stdout), { id: b.id, deleted: true, share: { url: bUrl, removed: true } })
})

test('share of a session shared before its project disabled sharing: refused, says the copy stays; unshare takes it down', async t => {
  const { journal, root, project, env } = await withServer(t)
  const s = await journal.create({ project })
  await s.close()
  const url = (await run(['share', s.id], { root, env })).stdout.trim()
  fs.writeFileSync(path.join(project, 'session-journal.jsonc'), '{ "share": "disabled" }')
  const refused = await run(['share', s.id, '--json'], { root, env })
  assert.equal(refused.code, 1)
  const error = JSON.parse(refused.stderr).error as { code: string, message: string }
  assert.equal(error.code, 'ERR_SHARE_DISABLED')
  assert.match(error.message, new RegExp(`the copy published before at ${url} stays online until it is unshared`))
  const listed = await run(['list', '--json'], { root, env, cwd: project })
  assert.equal((JSON.parse(listed.stdout) as Array<{ id: string, shared: boolean }>).find(row => row.id === s.id)?.shared, true)
  assert.deepEqual(await run(['unshare', s.id], { root, env }), { code: 0, stdout: `unshared ${s.id}\n`, stderr: '' })
  assert.equal((await fetch(url)).status, 404)
})

test('config set/get: global, then a project file that disables sharing for the team', async t => {
  const { root, project, configDir, env } = await withServer(t)
  const set = await run(['config', 'set', 'share', 'auto'], { root, env, cwd: project })
  assert.equal(set.code, 0, set.stderr)
  assert.ok(fs.existsSync(path.join(configDir, 'config.jsonc')))
  assert.equal((await run(['config', 'get', 'share'], { root, env, cwd: project })).stdout, 'auto\n')

  fs.writeFileSync(path.join(project, 'session-journal.jsonc'), '// team policy\n{\n  "share": "manual", // for now\n}\n')
  const local = await run(['config', 'set', 'share', 'disabled', '--project', project], { root, env })
  assert.equal(local.code, 0, local.stderr)
  assert.equal(fs.readFileSync(path.join(project, 'session-journal.jsonc'), 'utf8'), '// team policy\n{\n  "share": "disabled", // for now\n}\n')
  const got = await run(['config', 'get', '--json'], { root, env: { ...env, SESSION_JOURNAL_SHARE: 'auto' }, cwd: project })
  const config = JSON.parse(got.stdout) as { share: string, sources: { share: string } }
  assert.equal(config.share, 'disabled')
  assert.equal(config.sources.share, 'project')
})

test('config: bad value, bad key, bad action are errors with codes', async t => {
  const { root, project, env } = await withServer(t)
  const bad = await run(['config', 'set', 'share', 'sometimes', '--json'], { root, env, cwd: project })
  assert.equal(bad.code, 1)
  assert.equal(JSON.parse(bad.stderr).error.code, 'ERR_CONFIG_INVALID')
  assert.equal(JSON.parse((await run(['config', 'get', 'colour', '--json'], { root, env })).stderr).error.code, 'ERR_USAGE')
  assert.equal(JSON.parse((await run(['config', 'drop', '--json'], { root, env })).stderr).error.code, 'ERR_USAGE')
  assert.match((await run(['config', 'set', 'share'], { root, env })).stderr, /--help/)
  fs.writeFileSync(path.join(project, 'session-journal.jsonc'), '{ "share": }')
  const parse = await run(['config', 'get', '--json'], { root, env, cwd: project })
  const error = JSON.parse(parse.stderr).error as { code: string }
  assert.equal(error.code, 'ERR_CONFIG_PARSE')
})

test('serve: listens, serves the viewer, stops when aborted', async t => {
  const { root } = journalIn(t)
  const dir = tempDir(t, 'sj-serve-')
  const controller = new AbortController()
  let resolveUrl: (url: string) => void
  const urlSeen = new Promise<string>(resolve => { resolveUrl = resolve })
  const running = run(['serve', '--port', '0', '--dir', dir, '--json'], {
    root, signal: controller.signal, onStdout: all => { if (all.includes('\n')) resolveUrl(JSON.parse(all.split('\n')[0]!).url as string) },
  })
  const url = await urlSeen
  assert.equal((await fetch(`${url}/s/AAAAAAAAAAAAAAAAAAAAAA`)).status, 404)
  const created = await fetch(`${url}/api/share`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ nope: 1 }) })
  assert.equal(created.status, 400)
  controller.abort()
  assert.equal((await running).code, 0)
  await assert.rejects(fetch(`${url}/s/x`))
})

test('share, unshare, config and serve through the real bin', async t => {
  const { journal, root, project, env, configDir } = await withServer(t)
  const s = await journal.create({ project })
  await s.close()
  const exec = promisify(execFile)
  const opts = { env: { ...process.env, SESSION_JOURNAL_HOME: root, ...env }, cwd: project }
  const url = (await exec(process.execPath, [BIN, 'share', s.id], opts)).stdout.trim()
  assert.equal((await fetch(url)).status, 200)
  assert.equal((await exec(process.execPath, [BIN, 'unshare', s.id], opts)).stdout, `unshared ${s.id}\n`)
  assert.equal((await exec(process.execPath, [BIN, 'config', 'set', 'share', 'manual'], opts)).stdout, `share = manual in ${path.join(configDir, 'config.jsonc')}\n`)
  assert.equal((await exec(process.execPath, [BIN, 'config', 'get', 'share'], opts)).stdout, 'manual\n')

  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--dir', path.join(configDir, 'served')], { ...opts, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  const listening = await new Promise<string>(resolve => child.stdout.on('data', (c: Buffer) => {
    out += c
    const m = /listening on (\S+)/.exec(out)
    if (m) resolve(m[1]!)
  }))
  assert.equal((await fetch(`${listening}/api/share/AAAAAAAAAAAAAAAAAAAAAA`)).status, 404)
  child.kill('SIGTERM')
  const [code] = await new Promise<[number | null]>(resolve => child.on('exit', c => resolve([c])))
  assert.equal(code, 0)
})

test('a link with escape sequences from a hostile server is printed made visible, and exactly in --json', async t => {
  const { journal, root, project } = journalIn(t)
  const evil = 'http://127.0.0.1/s/x\u001b]0;owned\u0007\u001b[2J'
  const http = await import('node:http')
  const server = http.createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      res.writeHead(201, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ id: 'x', url: evil, secret: 's' }))
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise<void>(resolve => server.close(() => resolve())))
  const env = { SESSION_JOURNAL_CONFIG_DIR: tempDir(t, 'sj-config-'), SESSION_JOURNAL_SHARE_SERVER: `http://127.0.0.1:${(server.address() as { port: number }).port}` }
  const s = await journal.create({ project })
  await s.close()
  const human = await run(['share', s.id], { root, env })
  assert.equal(human.code, 0, human.stderr)
  assert.ok(!human.stdout.includes('\u001b') && !human.stdout.includes('\u0007'), JSON.stringify(human.stdout))
  assert.match(human.stdout, /^http:\/\/127\.0\.0\.1\/s\/x␛\]0;owned␇␛\[2J\n$/)
  const again = await run(['share', s.id, '--json'], { root, env })
  assert.equal(JSON.parse(again.stdout).url, evil)
})
