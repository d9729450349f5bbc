import { test } from 'node:test'
import assert from 'node:assert/strict'
import { copyFile, mkdir, readdir, readFile, stat, utimes, writeFile, chmod } from 'node:fs/promises'
import { join } from 'node:path'
import { loadConfig } from '../../lib/config/load.js'
import { MAX_CONFIG_BYTES } from '../../lib/config/text.js'
import { fixture, layout, writeGlobal } from './helpers.js'
import { rejectsWith, treeOf } from '../helpers.js'
import { setConfig } from '../../lib/config/edit.js'

test('setConfig edits in place and keeps comments and formatting (exact bytes)', async (t) => {
  const { project, configDir } = await layout(t)
  await mkdir(configDir, { recursive: true })
  const path = join(configDir, 'config.jsonc')
  await copyFile(fixture('comments.jsonc'), path)
  assert.equal(await setConfig('share', 'manual', { scope: 'global', configDir }), path)
  assert.equal(await readFile(path, 'utf8'), [
    '// Global settings for session-journal.',
    '{',
    '  /* Share every new session automatically. */',
    '  "share": "manual", // trailing comment',
    '  "shareServer": "https://share.example.test",',
    '}',
    '',
  ].join('\n'))
  await setConfig('shareServer', 'https://other.test/base', { scope: 'global', configDir })
  assert.equal(await readFile(path, 'utf8'), [
    '// Global settings for session-journal.',
    '{',
    '  /* Share every new session automatically. */',
    '  "share": "manual", // trailing comment',
    '  "shareServer": "https://other.test/base",',
    '}',
    '',
  ].join('\n'))
  assert.equal((await loadConfig({ project, configDir, env: {} })).shareServer, 'https://other.test/base')
})

test('setConfig adds a missing key and removes a key when the value is undefined', async (t) => {
  const { project } = await layout(t)
  const path = join(project, 'session-journal.jsonc')
  await writeFile(path, '{\n    // team policy\n    "shareServer": "https://team.test"\n}\n')
  await setConfig('share', 'disabled', { scope: 'project', project })
  assert.equal(await readFile(path, 'utf8'),
    '{\n    // team policy\n    "shareServer": "https://team.test",\n    "share": "disabled"\n}\n')
  await setConfig('shareServer', undefined, { scope: 'project', project })
  assert.equal(await readFile(path, 'utf8'), '{\n    "share": "disabled"\n}\n')
})

test('setConfig creates the global file and folder with private modes', async (t) => {
  const { root, project } = await layout(t)
  const configDir = join(root, 'deep', 'config')
  const path = await setConfig('share', 'auto', { scope: 'global', configDir })
  assert.equal(path, join(configDir, 'config.jsonc'))
  assert.equal(await readFile(path, 'utf8'), '{\n  "share": "auto"\n}\n')
  assert.equal((await stat(path)).mode & 0o777, 0o600)
  assert.equal((await stat(configDir)).mode & 0o777, 0o700)
  assert.equal((await stat(join(root, 'deep'))).mode & 0o777, 0o700)
  const config = await loadConfig({ project, configDir, env: {} })
  assert.equal(config.share, 'auto')
  assert.equal(config.sources.share, 'global')
})

test('setConfig on a comment-only file keeps the comment and adds the object', async (t) => {
  const { root } = await layout(t)
  const configDir = join(root, 'global')
  const path = await writeGlobal(configDir, '// my settings\n')
  await setConfig('share', 'auto', { scope: 'global', configDir })
  assert.equal(await readFile(path, 'utf8'), '// my settings\n{\n  "share": "auto"\n}\n')
})

test('setConfig keeps the mode of an existing file', async (t) => {
  const { project } = await layout(t)
  const path = join(project, 'session-journal.jsonc')
  await writeFile(path, '{}\n')
  await chmod(path, 0o644)
  await setConfig('share', 'auto', { scope: 'project', project })
  assert.equal((await stat(path)).mode & 0o777, 0o644)
  assert.equal(await readFile(path, 'utf8'), '{\n  "share": "auto"\n}\n')
})

test('setConfig project scope writes session-journal.jsonc, or the existing .json', async (t) => {
  const { project, repo } = await layout(t)
  const created = await setConfig('share', 'auto', { scope: 'project', project })
  assert.equal(created, join(project, 'session-journal.jsonc'))
  await writeFile(join(repo, 'session-journal.json'), '{"share":"manual"}')
  const edited = await setConfig('share', 'disabled', { scope: 'project', project: repo })
  assert.equal(edited, join(repo, 'session-journal.json'))
  assert.equal(await readFile(edited, 'utf8'), '{"share":"disabled"}\n')
})

test('setConfig keeps CRLF line ends', async (t) => {
  const { project } = await layout(t)
  const path = join(project, 'session-journal.jsonc')
  await writeFile(path, '{\r\n  "share": "manual"\r\n}\r\n')
  await setConfig('shareServer', 'https://x.test', { scope: 'project', project })
  assert.equal(await readFile(path, 'utf8'), '{\r\n  "share": "manual",\r\n  "shareServer": "https://x.test"\r\n}\r\n')
})

test('setConfig validates before writing', async (t) => {
  const { root, project } = await layout(t)
  const configDir = join(root, 'global')
  await assert.rejects(setConfig('share', 'always', { scope: 'global', configDir }), (error: any) => {
    assert.equal(error.code, 'ERR_CONFIG_INVALID')
    assert.match(error.message, /manual, auto, disabled/)
    return true
  })
  await assert.rejects(setConfig('colour', 'blue', { scope: 'global', configDir }), { code: 'ERR_CONFIG_INVALID' })
  await assert.rejects(setConfig('shareServer', 'file:///etc', { scope: 'project', project }), { code: 'ERR_CONFIG_INVALID' })
  await assert.rejects(stat(configDir), { code: 'ENOENT' })
  await assert.rejects(stat(join(project, 'session-journal.jsonc')), { code: 'ENOENT' })
})

test('setConfig refuses to edit a file with a syntax error and leaves it unchanged', async (t) => {
  const { project } = await layout(t)
  const path = join(project, 'session-journal.jsonc')
  await copyFile(fixture('malformed.jsonc'), path)
  const before = await readFile(path, 'utf8')
  await assert.rejects(setConfig('share', 'auto', { scope: 'project', project }), { code: 'ERR_CONFIG_PARSE', line: 3, column: 3 })
  assert.equal(await readFile(path, 'utf8'), before)
})

test('setConfig project scope without a project is ERR_USAGE', async () => {
  await assert.rejects(setConfig('share', 'auto', { scope: 'project' }), { code: 'ERR_USAGE' })
})

test('setConfig refuses a file with a key twice and writes nothing: the reported value would not be the one that counts', async (t) => {
  const { project } = await layout(t)
  const path = join(project, 'session-journal.jsonc')
  await writeFile(path, '{"share":"manual","share":"auto"}')
  const before = treeOf(project)
  const error = await rejectsWith(setConfig('share', 'disabled', { scope: 'project', project }), 'ERR_CONFIG_INVALID')
  assert.deepEqual([error.path, error.line, error.column], [path, 1, 19])
  assert.match(error.message, /duplicate key "share"/)
  assert.deepEqual(treeOf(project), before)
})

test('setConfig refuses files nested too deep or over the size cap, and an edit that would pass the cap; nothing written', async (t) => {
  const { project, configDir } = await layout(t)
  const path = join(project, 'session-journal.jsonc')
  for (const depth of [1000, 10_000, 100_000]) {
    await writeFile(path, `{ "x": ${'['.repeat(depth)}${']'.repeat(depth)} }`)
    const before = treeOf(project)
    await rejectsWith(setConfig('share', 'auto', { scope: 'project', project }), 'ERR_CONFIG_PARSE')
    assert.deepEqual(treeOf(project), before)
  }
  await writeFile(path, `{${' '.repeat(MAX_CONFIG_BYTES)}}`)
  let before = treeOf(project)
  const big = await rejectsWith(setConfig('share', 'auto', { scope: 'project', project }), 'ERR_CONFIG_INVALID')
  assert.equal(big.path, path)
  assert.deepEqual(treeOf(project), before)
  await writeFile(path, '{}\n')
  before = treeOf(project)
  const url = `https://x.test/${'a'.repeat(MAX_CONFIG_BYTES)}`
  const grown = await rejectsWith(setConfig('shareServer', url, { scope: 'project', project }), 'ERR_CONFIG_INVALID')
  assert.match(grown.message, /larger than 262144 bytes/)
  assert.deepEqual(treeOf(project), before)
  await assert.rejects(setConfig('shareServer', url, { scope: 'global', configDir }), { code: 'ERR_CONFIG_INVALID' })
  await assert.rejects(stat(configDir), { code: 'ENOENT' })
})

test('setConfig removes a temp file a killed earlier edit left beside the project file', async (t) => {
  const { project } = await layout(t)
  const path = join(project, 'session-journal.jsonc')
  await writeFile(path, '{}\n')
  const orphan = join(project, '.session-journal.jsonc.c0ffee123456.tmp')
  await writeFile(orphan, '{ "sha')
  const then = new Date(Date.now() - 3600_000)
  await utimes(orphan, then, then)
  await setConfig('share', 'disabled', { scope: 'project', project })
  assert.deepEqual(await readdir(project), ['session-journal.jsonc'])
  assert.equal(await readFile(path, 'utf8'), '{\n  "share": "disabled"\n}\n')
})
