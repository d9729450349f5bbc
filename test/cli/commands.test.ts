/**
 * Commands load lazily: `list` loads its own module and what a listing needs, never the
 * HTTP stack, the share server, search (better-sqlite3), MCP or the other commands' modules.
 * Counted by a tracer run inside the real bin: a module hook records every module resolved
 * (ESM, dynamic imports too), and at exit the CommonJS modules required (require.cache: a
 * package loaded lazily through createRequire) and the builtins node loaded (process.moduleLoadList).
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import { pathToFileURL } from 'node:url'
import { findCommand, loadCommands } from '../../lib/cli/commands.js'
import { repoRoot, tempDir } from '../helpers.js'
import { journalIn, richSession } from '../sessions.js'

const BIN = path.join(repoRoot, 'dist', 'lib', 'cli', 'bin.js')

/** What `session-journal ...args` loaded: module URLs (relative to the repository when inside it) and builtins. */
async function loadedBy(t: import('node:test').TestContext, root: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number, modules: string[], builtins: string[] }> {
  const dir = tempDir(t)
  const trace = path.join(dir, 'trace.txt')
  fs.writeFileSync(path.join(dir, 'hooks.mjs'), [
    "import fs from 'node:fs'",
    'let file',
    'export function initialize(data) { file = data.file }',
    "export async function resolve(specifier, context, next) { const r = await next(specifier, context); fs.appendFileSync(file, `module ${r.url}\\n`); return r }",
  ].join('\n'))
  fs.writeFileSync(path.join(dir, 'tracer.mjs'), [
    "import fs from 'node:fs'",
    "import { createRequire, register } from 'node:module'",
    "import { pathToFileURL } from 'node:url'",
    `const file = ${JSON.stringify(trace)}`,
    "register('./hooks.mjs', import.meta.url, { data: { file } })",
    "process.on('exit', () => fs.appendFileSync(file, Object.keys(createRequire(import.meta.url).cache).map(f => `module ${pathToFileURL(f).href}\\n`).join('')))",
    "process.on('exit', () => fs.appendFileSync(file, process.moduleLoadList.filter(m => m.startsWith('NativeModule ')).map(m => `builtin ${m.slice(13)}\\n`).join('')))",
  ].join('\n'))
  const env: NodeJS.ProcessEnv = { ...process.env, SESSION_JOURNAL_HOME: root, ...extraEnv }
  delete env.NODE_OPTIONS
  delete env.NODE_TEST_CONTEXT
  let code = 0
  try {
    await promisify(execFile)(process.execPath, ['--import', pathToFileURL(path.join(dir, 'tracer.mjs')).href, BIN, ...args], { env })
  } catch (error) {
    code = (error as { code: number }).code
  }
  const lines = fs.readFileSync(trace, 'utf8').split('\n')
  const repo = pathToFileURL(repoRoot).href + '/'
  return {
    code,
    modules: [...new Set(lines.filter(l => l.startsWith('module ')).map(l => l.slice(7).replace(repo, '')))],
    builtins: lines.filter(l => l.startsWith('builtin ')).map(l => l.slice(8)),
  }
}

const forbidden = (modules: string[], builtins: string[]) => [
  ...builtins.filter(b => ['http', 'https', '_http_server', '_http_client', 'http2'].includes(b)).map(b => `node:${b}`),
  ...modules.filter(m => /^node:https?$|better-sqlite3|@modelcontextprotocol|fast-glob|proper-lockfile|jsonc-parser|dist\/lib\/(server|search|mcp|share\/server)\//.test(m)),
  ...modules.filter(m => /dist\/lib\/cli\/(?!list|main|bin|command|commands|args|exit|ids|text|time|format)[a-z-]+\.js$/.test(m)),
]

test('session-journal list loads no HTTP stack, search, MCP, server, lock, glob or config-parser module, nor other commands', async t => {
  const { journal, root, project } = journalIn(t)
  await richSession(journal, project)
  await journal.list() // warm: the listing takes no lock
  const list = await loadedBy(t, root, ['list', '--all'])
  assert.equal(list.code, 0)
  assert.ok(list.modules.some(m => m.endsWith('dist/lib/cli/list.js')), 'the tracer sees the command module')
  assert.ok(list.builtins.includes('fs'), 'the tracer sees builtins')
  assert.deepEqual(forbidden(list.modules, list.builtins), [])
  // The probe can tell: a search loads search and better-sqlite3, serve --help only its own module.
  const search = await loadedBy(t, root, ['search', 'replaced'])
  assert.equal(search.code, 0)
  assert.ok(search.modules.some(m => m.includes('dist/lib/search/')) && search.modules.some(m => m.includes('better-sqlite3')), search.modules.join('\n'))
  const configDir = tempDir(t)
  fs.writeFileSync(path.join(configDir, 'config.jsonc'), '{ "share": "manual" } // read, so parsed\n')
  const config = await loadedBy(t, root, ['config', 'get', 'share'], { SESSION_JOURNAL_CONFIG_DIR: configDir })
  assert.equal(config.code, 0)
  assert.ok(config.modules.some(m => m.includes('node_modules/jsonc-parser/')), `config loads jsonc-parser (required lazily): ${config.modules.join('\n')}`)
  const serve = await loadedBy(t, root, ['serve', '--help'])
  assert.deepEqual(forbidden(serve.modules, serve.builtins).filter(m => !m.endsWith('cli/serve.js')), [])
})

test('findCommand: loads the one command asked for; unknown and hostile names are undefined', async () => {
  const list = await findCommand('list')
  assert.equal(list?.name, 'list')
  assert.equal(list?.takesId, undefined)
  assert.equal((await findCommand('share'))?.takesId, true)
  for (const name of ['', 'LIST', '__proto__', 'constructor', 'toString', '../list', 'list\u001b[2J']) assert.equal(await findCommand(name), undefined, name)
  const all = await loadCommands()
  assert.deepEqual(all.map(c => c.name), ['list', 'search', 'show', 'tail', 'export', 'import', 'verify', 'usage', 'delete', 'share', 'unshare', 'config', 'serve', 'mcp'])
  assert.deepEqual(all.filter(c => c.takesId).map(c => c.name), ['show', 'tail', 'export', 'verify', 'delete', 'share', 'unshare'])
})
