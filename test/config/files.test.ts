import { test } from 'node:test'
import assert from 'node:assert/strict'
import { copyFile, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  defaultConfigDir, exists, MAX_KEY_WARNINGS, parseText, projectFolders, readProjectFolder, readSettings, validateValue,
} from '../../lib/config/files.js'
import { loadConfig } from '../../lib/config/load.js'
import { MAX_CONFIG_BYTES, MAX_CONFIG_DEPTH } from '../../lib/config/text.js'
import { fixture, layout, writeGlobal } from './helpers.js'
import { codeOf, rejectsWith, tempDir } from '../helpers.js'

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
  assert.deepEqual(warnings, [`${path}:3:3: unknown key "colour" ignored (known keys: share, shareServer, prices)`])
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

test('a key twice in one object is ERR_CONFIG_INVALID at the second, at any level, however it is spelled', async t => {
  const { project } = await layout(t)
  const path = join(project, 'session-journal.jsonc')
  await writeFile(path, '{"share":"manual","share":"auto"}')
  const error = await rejectsWith(readSettings(path, []), 'ERR_CONFIG_INVALID')
  assert.deepEqual([error.path, error.line, error.column, error.offset], [path, 1, 19, 18])
  assert.equal(error.message, `${path}:1:19: duplicate key "share" (first at 1:2); a key may appear only once`)
  const cases: Array<[string, number, number, string]> = [
    // A team's "disabled" cannot be overridden further down the same file.
    ['{\n  "share": "disabled",\n  // later\n  "share": "auto"\n}', 4, 3, 'share'],
    ['{"share":"disabled","sh\\u0061re":"auto"}', 1, 21, 'share'],
    ['{"$schema":"a","$schema":"b"}', 1, 16, '$schema'],
    ['{"colour":1,\n"colour":2}', 2, 1, 'colour'],
    ['{"x":{"a":1,"a":2}}', 1, 13, 'a'],
    ['{"x":[{"a":1},{"b":1,"b":2}]}', 1, 22, 'b'],
    ['{"__proto__":1,"__proto__":2}', 1, 16, '__proto__'],
    // The first repeat in the text is named, whichever object it is in.
    ['{"x":{"a":1,"a":2},"share":"auto","share":"manual"}', 1, 13, 'a'],
    ['{"share":"auto","x":{"a":1,"a":2},"share":"manual"}', 1, 28, 'a'],
  ]
  for (const [text, line, column, key] of cases) {
    await writeFile(path, text)
    const e = await rejectsWith(readSettings(path, []), 'ERR_CONFIG_INVALID')
    assert.deepEqual([e.line, e.column], [line, column], text)
    assert.match(e.message, new RegExp(`duplicate key "${key.replace('$', '\\$')}"`), text)
  }
  // The same key in different objects is fine.
  await writeFile(path, '{"x":{"a":1},"y":{"a":1},"share":"auto"}')
  assert.deepEqual(await readSettings(path, []), { path, share: 'auto' })
})

/** `{` + unknown keys, one per line, up to about `bytes`, ending with the key "last". */
function manyKeys(bytes: number): { text: string, keys: number } {
  const lines = ['{', '  "share": "disabled",']
  let size = 30
  let keys = 0
  while (size < bytes - 40) {
    const line = `  "k${keys++}": ${keys},`
    lines.push(line)
    size += line.length + 1
  }
  lines.push('    "last": true', '}', '')
  return { text: lines.join('\n'), keys: keys + 1 }
}

test('a file just under the size cap with thousands of unknown keys: ten warnings, then one for the rest with the last key\'s place', async t => {
  const { project } = await layout(t)
  const path = join(project, 'session-journal.jsonc')
  const { text, keys } = manyKeys(MAX_CONFIG_BYTES)
  assert.ok(Buffer.byteLength(text) <= MAX_CONFIG_BYTES && Buffer.byteLength(text) > MAX_CONFIG_BYTES - 64)
  await writeFile(path, text)
  const warnings: string[] = []
  assert.deepEqual(await readSettings(path, warnings), { path, share: 'disabled' })
  assert.equal(warnings.length, MAX_KEY_WARNINGS + 1)
  assert.equal(warnings[0], `${path}:3:3: unknown key "k0" ignored (known keys: share, shareServer, prices)`)
  assert.equal(warnings[9], `${path}:12:3: unknown key "k9" ignored (known keys: share, shareServer, prices)`)
  const lastLine = text.split('\n').length - 2
  assert.equal(warnings[10], `${path}:${lastLine}:5: ${keys - 10} more unknown keys ignored, the last "last" here (only the first 10 are listed)`)
})

test('a file over the size cap is ERR_CONFIG_INVALID naming the path and the limit, before it is parsed', async t => {
  const { project, configDir } = await layout(t)
  const path = join(project, 'session-journal.jsonc')
  // Not even JSONC: a parse error would be ERR_CONFIG_PARSE.
  await writeFile(path, `{{{${' '.repeat(MAX_CONFIG_BYTES)}`)
  const error = await rejectsWith(readSettings(path, []), 'ERR_CONFIG_INVALID')
  assert.equal(error.path, path)
  assert.equal(error.message, `${path}: a config file may hold at most 262144 bytes (256 KiB); this one is ${MAX_CONFIG_BYTES + 3} bytes`)
  await writeFile(path, manyKeys(MAX_CONFIG_BYTES + 100).text)
  await rejectsWith(loadConfig({ project, configDir, env: {} }), 'ERR_CONFIG_INVALID')
})

test('nesting: 10 levels load (an unknown key warns), deeper than MAX_CONFIG_DEPTH is ERR_CONFIG_PARSE where it crosses', async t => {
  const { project } = await layout(t)
  const path = join(project, 'session-journal.jsonc')
  const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth)
  await writeFile(path, `{\n  "x": ${nested(10)},\n  "share": "auto"\n}`)
  const warnings: string[] = []
  assert.deepEqual(await readSettings(path, warnings), { path, share: 'auto' })
  assert.equal(warnings.length, 1)
  // The top-level object is 1 level: the value may nest MAX_CONFIG_DEPTH - 1.
  await writeFile(path, `{\n  "x": ${nested(MAX_CONFIG_DEPTH - 1)}\n}`)
  assert.deepEqual(await readSettings(path, []), { path })
  for (const depth of [MAX_CONFIG_DEPTH, 1000, 10_000, 100_000]) {
    await writeFile(path, `{\n  "x": ${nested(depth)}\n}`)
    const error = await rejectsWith(readSettings(path, []), 'ERR_CONFIG_PARSE')
    // Line 2 is `  "x": [[[…`: its first "[" (level 2) is column 8, the one at level 65 column 71.
    const column = 8 + MAX_CONFIG_DEPTH - 1
    assert.deepEqual([error.path, error.line, error.column, error.offset], [path, 2, column, '{\n'.length + column - 1], `depth ${depth}`)
    assert.equal(error.message, `${path}:2:${column}: nested deeper than ${MAX_CONFIG_DEPTH} levels`)
  }
  // A known key's value nested too deep is the same error, not a stack overflow in getNodeValue.
  await writeFile(path, `{ "share": ${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)} }`)
  await rejectsWith(readSettings(path, []), 'ERR_CONFIG_PARSE')
})
