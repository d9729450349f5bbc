import { test } from 'node:test'
import assert from 'node:assert/strict'
import { copyFile, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { loadConfig } from '../../lib/config/load.js'
import { fixture, layout, writeGlobal } from './helpers.js'

test('defaults to manual when no file and no env says anything', async (t) => {
  const { project, configDir } = await layout(t)
  const config = await loadConfig({ project, configDir, env: {} })
  assert.deepEqual(config, { share: 'manual', sources: { share: 'default', files: [] }, warnings: [] })
})

test('global file with comments and trailing commas is read', async (t) => {
  const { project, configDir } = await layout(t)
  await mkdir(configDir, { recursive: true })
  await copyFile(fixture('comments.jsonc'), join(configDir, 'config.jsonc'))
  const config = await loadConfig({ project, configDir, env: {} })
  assert.deepEqual(config, {
    share: 'auto',
    shareServer: 'https://share.example.test',
    sources: { share: 'global', shareServer: 'global', files: [join(configDir, 'config.jsonc')] },
    warnings: [],
  })
})

test('SESSION_JOURNAL_CONFIG_DIR locates the global file when configDir is not given', async (t) => {
  const { project, configDir } = await layout(t)
  await writeGlobal(configDir, '{ "share": "auto" }')
  const config = await loadConfig({ project, env: { SESSION_JOURNAL_CONFIG_DIR: configDir } })
  assert.equal(config.share, 'auto')
  assert.equal(config.sources.share, 'global')
})

test('project file overrides the global file, for share and shareServer', async (t) => {
  const { repo, project, configDir } = await layout(t)
  const globalPath = await writeGlobal(configDir, '{ "share": "auto", "shareServer": "https://global.test" }')
  const projectPath = join(repo, 'session-journal.jsonc')
  await writeFile(projectPath, '{ "share": "manual", "shareServer": "https://team.test" }')
  const config = await loadConfig({ project, configDir, env: {} })
  assert.equal(config.share, 'manual')
  assert.equal(config.shareServer, 'https://team.test')
  assert.deepEqual(config.sources, { share: 'project', shareServer: 'project', files: [globalPath, projectPath] })
})

test('project without shareServer falls back to the global shareServer', async (t) => {
  const { project, configDir } = await layout(t)
  await writeGlobal(configDir, '{ "shareServer": "https://global.test" }')
  await writeFile(join(project, 'session-journal.json'), '{ "share": "auto" }')
  const config = await loadConfig({ project, configDir, env: {} })
  assert.equal(config.share, 'auto')
  assert.equal(config.sources.share, 'project')
  assert.equal(config.shareServer, 'https://global.test')
  assert.equal(config.sources.shareServer, 'global')
})

test('SESSION_JOURNAL_SHARE overrides project and global', async (t) => {
  const { project, configDir } = await layout(t)
  await writeGlobal(configDir, '{ "share": "disabled" }')
  await writeFile(join(project, 'session-journal.jsonc'), '{ "share": "manual" }')
  const config = await loadConfig({ project, configDir, env: { SESSION_JOURNAL_SHARE: 'auto' } })
  assert.equal(config.share, 'auto')
  assert.equal(config.sources.share, 'env')
})

test('an empty SESSION_JOURNAL_SHARE counts as unset', async (t) => {
  const { project, configDir } = await layout(t)
  await writeGlobal(configDir, '{ "share": "auto" }')
  const config = await loadConfig({ project, configDir, env: { SESSION_JOURNAL_SHARE: '' } })
  assert.equal(config.share, 'auto')
  assert.equal(config.sources.share, 'global')
})

test('env "disabled" overrides a global "auto"', async (t) => {
  const { project, configDir } = await layout(t)
  await writeGlobal(configDir, '{ "share": "auto" }')
  const config = await loadConfig({ project, configDir, env: { SESSION_JOURNAL_SHARE: 'disabled' } })
  assert.equal(config.share, 'disabled')
  assert.equal(config.sources.share, 'env')
})

test('a project file can re-enable what the global file disabled', async (t) => {
  const { project, configDir } = await layout(t)
  await writeGlobal(configDir, '{ "share": "disabled" }')
  await writeFile(join(project, 'session-journal.jsonc'), '{ "share": "auto" }')
  const config = await loadConfig({ project, configDir, env: {} })
  assert.equal(config.share, 'auto')
  assert.equal(config.sources.share, 'project')
})

test('"disabled" in a project file cannot be re-enabled by env or global', async (t) => {
  const { repo, project, configDir } = await layout(t)
  await writeGlobal(configDir, '{ "share": "auto" }')
  const enforcing = join(repo, 'session-journal.jsonc')
  await writeFile(enforcing, '{ "share": "disabled" }')
  const config = await loadConfig({ project, configDir, env: { SESSION_JOURNAL_SHARE: 'auto' } })
  assert.equal(config.share, 'disabled')
  assert.equal(config.sources.share, 'project')
  assert.equal(config.warnings.length, 1)
  assert.match(config.warnings[0] ?? '', /SESSION_JOURNAL_SHARE=auto ignored/)
  assert.ok(config.warnings[0]?.includes(enforcing))
})

test('"disabled" at the git root cannot be re-enabled by a nearer project file', async (t) => {
  const { repo, project, configDir } = await layout(t)
  await writeFile(join(repo, 'session-journal.jsonc'), '{ "share": "disabled" }')
  const nearer = join(project, 'session-journal.jsonc')
  await writeFile(nearer, '{ "share": "auto" }')
  const config = await loadConfig({ project, configDir, env: {} })
  assert.equal(config.share, 'disabled')
  assert.equal(config.sources.share, 'project')
  assert.match(config.warnings[0] ?? '', /share "auto" in .* ignored: sharing is disabled by/)
})

test('the nearest project file wins over one nearer the git root', async (t) => {
  const { repo, project, configDir } = await layout(t)
  const far = join(repo, 'session-journal.jsonc')
  const near = join(repo, 'pkg', 'session-journal.jsonc')
  await writeFile(far, '{ "share": "auto", "shareServer": "https://root.test" }')
  await writeFile(near, '{ "share": "manual" }')
  const config = await loadConfig({ project, configDir, env: {} })
  assert.equal(config.share, 'manual')
  assert.equal(config.shareServer, 'https://root.test')
  assert.deepEqual(config.sources.files, [far, near])
})

test('an empty or comment-only file sets nothing', async (t) => {
  const { project, configDir } = await layout(t)
  const path = await writeGlobal(configDir, '// nothing yet\n')
  const config = await loadConfig({ project, configDir, env: {} })
  assert.deepEqual(config, { share: 'manual', sources: { share: 'default', files: [path] }, warnings: [] })
})

test('a syntax error in a project file is reported with its own path', async (t) => {
  const { project, configDir } = await layout(t)
  const path = join(project, 'session-journal.json')
  await writeFile(path, '{\n  "share": "auto",\n  oops\n}')
  await assert.rejects(loadConfig({ project, configDir, env: {} }), (error: any) => {
    assert.equal(error.code, 'ERR_CONFIG_PARSE')
    assert.equal(error.path, path)
    assert.equal(error.line, 3)
    assert.equal(error.column, 3)
    assert.match(error.message, /InvalidSymbol|PropertyNameExpected/)
    return true
  })
})

test('an unknown SESSION_JOURNAL_SHARE is ERR_CONFIG_INVALID listing allowed values', async (t) => {
  const { project, configDir } = await layout(t)
  await assert.rejects(loadConfig({ project, configDir, env: { SESSION_JOURNAL_SHARE: 'yes' } }), (error: any) => {
    assert.equal(error.code, 'ERR_CONFIG_INVALID')
    assert.match(error.message, /SESSION_JOURNAL_SHARE/)
    assert.match(error.message, /manual, auto, disabled/)
    return true
  })
})

test('warnings from reading the files (unknown keys, a shadowed .json) reach config.warnings', async (t) => {
  const { project, configDir } = await layout(t)
  const globalPath = await writeGlobal(configDir, '{ "colour": "blue" }')
  await writeFile(join(project, 'session-journal.jsonc'), '{ "share": "auto" }')
  await writeFile(join(project, 'session-journal.json'), '{ "share": "disabled" }')
  const config = await loadConfig({ project, configDir, env: {} })
  assert.equal(config.share, 'auto')
  assert.deepEqual(config.sources.files, [globalPath, join(project, 'session-journal.jsonc')])
  assert.equal(config.warnings.length, 2)
  assert.match(config.warnings[0] ?? '', /unknown key "colour"/)
  assert.match(config.warnings[1] ?? '', /session-journal\.json ignored/)
})

test('a project file saying share twice fails the load: its "disabled" is never silently overridden', async (t) => {
  const { repo, project, configDir } = await layout(t)
  const path = join(repo, 'session-journal.jsonc')
  await writeFile(path, '{\n  "share": "disabled",\n  "share": "auto"\n}\n')
  await assert.rejects(loadConfig({ project, configDir, env: {} }), { code: 'ERR_CONFIG_INVALID', path, line: 3, column: 3 })
})

test('prices: a nearer file\'s model wins over a farther one\'s, models from every file are kept, __proto__ is a model like any other', async (t) => {
  const { repo, project, configDir } = await layout(t)
  await writeGlobal(configDir, '{ "prices": { "a": { "input": 1, "output": 2 }, "b": { "input": 5, "output": 6 } } }')
  await writeFile(join(repo, 'session-journal.jsonc'), '{ "prices": { "b": { "input": 7, "output": 8 }, "__proto__": { "input": 9, "output": 9 } } }')
  await writeFile(join(project, 'session-journal.jsonc'), '{ "prices": { "a": { "input": 3, "output": 4 } } }')
  const { prices } = await loadConfig({ project, configDir, env: {} })
  assert.deepEqual(Object.keys(prices!).sort(), ['__proto__', 'a', 'b'])
  assert.deepEqual([prices!.a, prices!.b], [{ input: 3, output: 4 }, { input: 7, output: 8 }])
  assert.equal(Object.getPrototypeOf(prices), Object.prototype, 'a model named __proto__ did not become the prototype')
  assert.equal((await loadConfig({ project: configDir, configDir: join(configDir, 'none'), env: {} })).prices, undefined, 'absent when no file has prices')
})
