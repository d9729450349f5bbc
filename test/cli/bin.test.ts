/** The real executable, once per command: shebang, packaging, exit codes, SIGINT. */
import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import { repoRoot } from '../helpers.js'
import { journalIn, richSession } from '../sessions.js'

const BIN = path.join(repoRoot, 'dist', 'lib', 'cli', 'bin.js')
const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { bin: Record<string, string> }

async function bin(args: string[], root: string, input?: string, env: Record<string, string> = {}): Promise<{ code: number, stdout: string, stderr: string }> {
  const child = promisify(execFile)(process.execPath, [BIN, ...args], { env: { ...process.env, SESSION_JOURNAL_HOME: root, ...env } })
  if (input !== undefined) child.child.stdin!.end(input)
  else child.child.stdin!.end()
  try {
    const { stdout, stderr } = await child
    return { code: 0, stdout, stderr }
  } catch (error) {
    const e = error as { code: number, stdout: string, stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

test('package.json bin points at the built file, which starts with a node shebang', () => {
  assert.equal(path.resolve(repoRoot, pkg.bin['session-journal']!), BIN)
  assert.equal(fs.readFileSync(BIN, 'utf8').split('\n')[0], '#!/usr/bin/env node')
})

test('every command through the real bin', async t => {
  const { journal, root, project } = journalIn(t)
  const id = await richSession(journal, project)
  const list = await bin(['list'], root)
  assert.equal(list.code, 0)
  assert.match(list.stdout, new RegExp(`^${id}\t`))
  assert.match((await bin(['show', id], root)).stdout, /replaced first message/)
  assert.equal((await bin(['tail', id, '-n', '2', '--json'], root)).stdout.trimEnd().split('\n').length, 2)
  const exported = await bin(['export', id, '--events'], root)
  assert.deepEqual(JSON.parse(exported.stdout), JSON.parse(JSON.stringify(await journal.export(id, { events: true }))))
  const imported = await bin(['import', '-', '--new-id'], root, exported.stdout)
  assert.equal(imported.code, 0, imported.stderr)
  const copy = imported.stdout.trim()
  assert.match(copy, /^[0-9A-Z]{26}$/)
  assert.deepEqual((await bin(['verify', '--all'], root)).code, 0)
  assert.deepEqual(await bin(['delete', copy], root), { code: 0, stdout: `deleted ${copy}\n`, stderr: '' })
  const wrong = await bin(['show', copy, '--json'], root)
  assert.equal(wrong.code, 3, 'not found')
  assert.equal(JSON.parse(wrong.stderr).error.code, 'ERR_SESSION_NOT_FOUND')
  assert.equal((await bin(['nope'], root)).code, 2, 'usage')
})

test('human times follow the process time zone ($TZ); --json stays UTC', async t => {
  const { root } = journalIn(t)
  const id = '01ARZ3NDEKTSV4RRFFQ69G5FAV'
  const log = `${JSON.stringify({ seq: 0, ts: '2024-10-01T09:12:03.120Z', type: 'session', version: 1, id, projectId: 'app-0123456789ab', projectPath: '/home/ana/app', title: 'T', parentId: null, host: null })}\n`
  assert.equal((await bin(['import', '-'], root, log)).code, 0)
  assert.equal((await bin(['list'], root, undefined, { TZ: 'Asia/Kolkata' })).stdout,
    `${id}\t/home/ana/app\tT\t2024-10-01 14:42:03 +05:30\t2024-10-01 14:42:03 +05:30\t0\t\n`)
  assert.match((await bin(['show', id.toLowerCase()], root, undefined, { TZ: 'America/New_York' })).stdout, /\ncreated  2024-10-01 05:12:03 -04:00 /)
  assert.equal(JSON.parse((await bin(['list', '--json'], root, undefined, { TZ: 'Asia/Kolkata' })).stdout)[0].created, '2024-10-01T09:12:03.120Z')
})

test('tail --follow in the bin stops cleanly on SIGINT', async t => {
  const { journal, root, project } = journalIn(t)
  const s = await journal.create({ project })
  await s.close()
  const child = spawn(process.execPath, [BIN, 'tail', s.id, '--follow'], { env: { ...process.env, SESSION_JOURNAL_HOME: root }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  await new Promise<void>(resolve => child.stdout.on('data', (c: Buffer) => { out += c; if (out.includes('session')) resolve() }))
  const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)))
  child.kill('SIGINT')
  assert.equal(await exited, 0)
})
