import { test } from 'node:test'
import assert from 'node:assert/strict'
import { copyFile, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  defaultConfigDir, exists, lineColumn, parseText, projectFolders, readProjectFolder, readSettings, validateValue,
} from '../../lib/config/files.js'
import { fixture, layout, writeGlobal } from './helpers.js'
import { codeOf, tempDir } from '../helpers.js'

test('parseText: a syntax error is ERR_CONFIG_PARSE at its line and column', () => {
  assert.throws(() => parseText('f.jsonc', '{\n  "share": "auto"\n  "x": 1\n}'), (error: any) => {
    assert.equal(error.code, 'ERR_CONFIG_PARSE')
    assert.equal(error.path, 'f.jsonc')
    assert.equal(error.line, 3)
    assert.equal(error.column, 3)
    assert.equal(error.offset, 22)
    assert.equal(error.message, 'f.jsonc:3:3: CommaExpected')
    return true
  })
  assert.throws(() => parseText('f.jsonc', '{ "share": '), { code: 'ERR_CONFIG_PARSE', line: 1, column: 12 })
})

test('parseText: a non-object top level is ERR_CONFIG_INVALID where the value starts', () => {
  assert.throws(() => parseText('f.jsonc', '[1, 2]'), (error: any) => {
    assert.equal(error.code, 'ERR_CONFIG_INVALID')
    assert.equal(error.message, 'f.jsonc:1:1: the top level must be an object, got array')
    assert.deepEqual([error.line, error.column, error.offset], [1, 1, 0])
    return true
  })
  assert.throws(() => parseText('f.jsonc', '// c\n  42'), { code: 'ERR_CONFIG_INVALID', line: 2, column: 3, offset: 7 })
  assert.throws(() => parseText('f.jsonc', '"auto"'), /got string/)
  assert.throws(() => parseText('f.jsonc', 'null'), /got null/)
})

test('parseText: empty, blank and comment-only text is undefined; an object is its node', () => {
  for (const text of ['', '  \n', '// nothing\n', '/* a */ // b']) assert.equal(parseText('f.jsonc', text), undefined)
  const root = parseText('f.jsonc', '{ "share": "auto", }')
  assert.equal(root?.type, 'object')
  assert.equal(root?.children?.length, 1)
})

test('lineColumn counts 1-based lines and UTF-16 columns; CR is part of a line', () => {
  assert.deepEqual(lineColumn('abc', 0), { line: 1, column: 1 })
  assert.deepEqual(lineColumn('a\nbc', 3), { line: 2, column: 2 })
  assert.deepEqual(lineColumn('a\r\nbc', 4), { line: 2, column: 2 })
  assert.deepEqual(lineColumn('😀x', 2), { line: 1, column: 3 })
})

test('validateValue accepts the share modes and http(s) URLs, located only when given a path', () => {
  for (const mode of ['manual', 'auto', 'disabled']) assert.equal(validateValue('share', mode, {}), mode)
  assert.equal(validateValue('shareServer', 'http://localhost:8080/x', {}), 'http://localhost:8080/x')
  assert.throws(() => validateValue('share', 'always', {}),
    { code: 'ERR_CONFIG_INVALID', message: 'share must be one of manual, auto, disabled; got "always"' })
  assert.throws(() => validateValue('shareServer', 'ftp://x', { path: 'f.jsonc', line: 2, column: 18, offset: 20 }),
    { code: 'ERR_CONFIG_INVALID', message: 'f.jsonc:2:18: shareServer must be an http:// or https:// URL; got "ftp://x"', line: 2, column: 18 })
  assert.equal(codeOf(() => validateValue('shareServer', 42, {})), 'ERR_CONFIG_INVALID')
  assert.equal(codeOf(() => validateValue('shareServer', '/relative', {})), 'ERR_CONFIG_INVALID')
})

test('projectFolders: the project and its ancestors, nearest first, up to the git root', async (t) => {
  const { root, repo, project } = await layout(t)
  await writeFile(join(root, 'session-journal.jsonc'), '{}')
  assert.deepEqual(await projectFolders(project), [project, join(repo, 'pkg'), repo])
  assert.deepEqual(await projectFolders(repo), [repo])
})

test('projectFolders: outside git only the project folder itself', async (t) => {
  const root = tempDir(t, 'sj-config-')
  const project = join(root, 'a', 'b')
  await mkdir(project, { recursive: true })
  assert.deepEqual(await projectFolders(project), [project])
})

test('projectFolders: a .git file (worktree or submodule) also marks the git root', async (t) => {
  const root = tempDir(t, 'sj-config-')
  const repo = join(root, 'wt')
  const project = join(repo, 'sub')
  await mkdir(project, { recursive: true })
  await writeFile(join(repo, '.git'), 'gitdir: /elsewhere\n')
  assert.deepEqual(await projectFolders(project), [project, repo])
})

test('readProjectFolder: .jsonc wins over .json in the same folder, with a warning', async (t) => {
  const { project } = await layout(t)
  const jsonc = join(project, 'session-journal.jsonc')
  const json = join(project, 'session-journal.json')
  await writeFile(jsonc, '{ "share": "auto" }')
  await writeFile(json, '{ "share": "disabled" }')
  const warnings: string[] = []
  assert.deepEqual(await readProjectFolder(project, warnings), { path: jsonc, share: 'auto' })
  assert.deepEqual(warnings, [`${json} ignored: ${jsonc} is in the same folder`])
})

test('readProjectFolder: an empty .jsonc still shadows the .json', async (t) => {
  const { project } = await layout(t)
  await writeFile(join(project, 'session-journal.jsonc'), '')
  await writeFile(join(project, 'session-journal.json'), '{ "share": "disabled" }')
  const warnings: string[] = []
  assert.deepEqual(await readProjectFolder(project, warnings), { path: join(project, 'session-journal.jsonc') })
  assert.equal(warnings.length, 1)
})

test('readProjectFolder: the .json alone is read; no file is undefined', async (t) => {
  const { repo, project } = await layout(t)
  const json = join(project, 'session-journal.json')
  await writeFile(json, '{ "shareServer": "https://team.test" }')
  const warnings: string[] = []
  assert.deepEqual(await readProjectFolder(project, warnings), { path: json, shareServer: 'https://team.test' })
  assert.equal(await readProjectFolder(repo, warnings), undefined)
  assert.deepEqual(warnings, [])
})

test('readSettings: a missing file is undefined; $schema is accepted silently', async (t) => {
  const { configDir } = await layout(t)
  const warnings: string[] = []
  assert.equal(await readSettings(join(configDir, 'config.jsonc'), warnings), undefined)
  const path = await writeGlobal(configDir, '{ "$schema": "https://example.test/s.json", "share": "disabled" }')
  assert.deepEqual(await readSettings(path, warnings), { path, share: 'disabled' })
  assert.deepEqual(warnings, [])
})

test('a syntax error is ERR_CONFIG_PARSE with path, line, column and what was expected', async (t) => {
  const { configDir } = await layout(t)
  await mkdir(configDir, { recursive: true })
  const path = join(configDir, 'config.jsonc')
  await copyFile(fixture('malformed.jsonc'), path)
  await assert.rejects(readSettings(path, []), (error: any) => {
    assert.equal(error.code, 'ERR_CONFIG_PARSE')
    assert.equal(error.path, path)
    assert.equal(error.line, 3)
    assert.equal(error.column, 3)
    assert.match(error.message, /CommaExpected/)
    assert.ok(error.message.startsWith(`${path}:3:3:`))
    return true
  })
})

test('an unknown share value is ERR_CONFIG_INVALID at the value, listing allowed values', async (t) => {
  const { configDir } = await layout(t)
  await mkdir(configDir, { recursive: true })
  const path = join(configDir, 'config.jsonc')
  await copyFile(fixture('bad-value.jsonc'), path)
  await assert.rejects(readSettings(path, []), (error: any) => {
    assert.equal(error.code, 'ERR_CONFIG_INVALID')
    assert.equal(error.path, path)
    assert.equal(error.line, 3)
    assert.equal(error.column, 12)
    assert.match(error.message, /manual, auto, disabled/)
    assert.match(error.message, /"always"/)
    return true
  })
})

test('a share value of the wrong type is ERR_CONFIG_INVALID', async (t) => {
  const { project } = await layout(t)
  const path = join(project, 'session-journal.jsonc')
  await writeFile(path, '{ "share": true }')
  await assert.rejects(readSettings(path, []), { code: 'ERR_CONFIG_INVALID', line: 1, column: 12 })
})

test('a shareServer that is not an http(s) URL is ERR_CONFIG_INVALID', async (t) => {
  const { configDir } = await layout(t)
  let path = await writeGlobal(configDir, '{\n  "shareServer": "ftp://x"\n}')
  await assert.rejects(readSettings(path, []), { code: 'ERR_CONFIG_INVALID', line: 2, column: 18 })
  path = await writeGlobal(configDir, '{ "shareServer": "not a url" }')
  await assert.rejects(readSettings(path, []), { code: 'ERR_CONFIG_INVALID' })
})

test('a non-object top level is ERR_CONFIG_INVALID', async (t) => {
  const { configDir } = await layout(t)
  for (const text of ['[1, 2]', '"auto"', '// c\n42']) {
    const path = await writeGlobal(configDir, text)
    await assert.rejects(readSettings(path, []), (error: any) => {
      assert.equal(error.code, 'ERR_CONFIG_INVALID')
      assert.equal(error.path, path)
      assert.match(error.message, /top level must be an object/)
      return true
    })
  }
})

test('an unknown key is a warning with line and column, not an error', async (t) => {
  const { project } = await layout(t)
  const path = join(project, 'session-journal.jsonc')
  await copyFile(fixture('unknown-key.jsonc'), path)
  const warnings: string[] = []
  assert.deepEqual(await readSettings(path, warnings), { path, share: 'manual' })
  assert.deepEqual(warnings, [`${path}:3:3: unknown key "colour" ignored (known keys: share, shareServer)`])
})

test('exists: true for files and folders, false when missing', async (t) => {
  const { repo } = await layout(t)
  assert.equal(await exists(join(repo, '.git')), true)
  assert.equal(await exists(join(repo, 'nope')), false)
})

test('defaultConfigDir: $SESSION_JOURNAL_CONFIG_DIR resolved, an empty one ignored', async (t) => {
  const dir = tempDir(t, 'sj-config-')
  assert.equal(defaultConfigDir({ SESSION_JOURNAL_CONFIG_DIR: dir }), dir)
  assert.equal(defaultConfigDir({ SESSION_JOURNAL_CONFIG_DIR: 'rel' }), join(process.cwd(), 'rel'))
  assert.equal(defaultConfigDir({ SESSION_JOURNAL_CONFIG_DIR: '' }), defaultConfigDir({}))
  assert.ok(defaultConfigDir({}).endsWith('session-journal'))
})
